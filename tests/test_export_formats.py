"""Cytoscape.js export read back with json and compared with the projection."""

from __future__ import annotations

import json
from pathlib import Path

from stemkg.export import project, write_cyjs
from stemkg.pipeline import BuildResult
from stemkg.store import open_store


def test_cyjs_round_trip_and_determinism(built: BuildResult, tmp_path: Path) -> None:
    graph = project(open_store(built.out_dir))
    first, second = tmp_path / "a.cyjs", tmp_path / "b.cyjs"
    write_cyjs(graph, first)
    write_cyjs(graph, second)
    assert first.read_bytes() == second.read_bytes()
    elements = json.loads(first.read_text())["elements"]
    assert len(elements["nodes"]) == graph.number_of_nodes()
    assert len(elements["edges"]) == graph.number_of_edges()
    edge_ids = [e["data"]["id"] for e in elements["edges"]]
    assert len(edge_ids) == len(set(edge_ids))
    node_ids = {n["data"]["id"] for n in elements["nodes"]}
    assert all(e["data"]["source"] in node_ids for e in elements["edges"])
    assert all(n["data"]["label"] and n["data"]["kind"] for n in elements["nodes"])
    enrolled = [n["data"]["enrolled"] for n in elements["nodes"] if "enrolled" in n["data"]]
    assert enrolled and all(isinstance(v, int) for v in enrolled)
