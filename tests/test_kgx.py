"""KGX export of the data/ build: the Biolink mapping, a csv round trip, and `kgx validate`.

`kgx validate` runs in the test-only venv ``.venv-kgx`` (scripts/kgx-venv.sh, which .ci/run
runs); without it the validation tests skip locally and fail in CI.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from stemkg.cli import app
from stemkg.errors import InputError
from stemkg.export import _KINDS, project
from stemkg.ids import compress
from stemkg.kgx import (
    EDGE_COLUMNS,
    LOCAL_BASE,
    LOCAL_PREFIX,
    NODE_COLUMNS,
    biolink_map,
    kgx_paths,
    write_kgx,
)
from stemkg.pipeline import BuildResult
from stemkg.store import open_store
from stemkg.vocab import ONTOLOGY_GRAPH, RDF
from tests.conftest import ROOT

KGX_VENV = Path(os.environ.get("KGX_VENV", ROOT / ".venv-kgx"))
VALIDATE = ROOT / "scripts" / "kgx_validate.py"
AGENTS = {
    "manual_agent",
    "manual_validation_of_automated_agent",
    "automated_agent",
    "text_mining_agent",
}


@pytest.fixture(scope="module")
def data_build(built_data: BuildResult) -> BuildResult:
    return built_data


@pytest.fixture(scope="module")
def exported(data_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kgx") / "stemkg"
    write_kgx(open_store(data_build.out_dir), out)
    return out


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_class_and_predicate_of_the_build_is_mapped(data_build: BuildResult) -> None:
    mapping = biolink_map()
    store = open_store(data_build.out_dir)
    used_classes = {
        compress(q.object.value)
        for q in store.quads_for_pattern(None, None, None, None)
        if q.predicate.value == RDF + "type"
        and q.object.value in _KINDS
        and str(q.graph_name) != f"<{ONTOLOGY_GRAPH}>"
    }
    graph = project(store)
    used_predicates = {d["predicate"] for _, _, d in graph.edges(data=True)}
    classes = set(_KINDS.values())
    term_predicates = {
        d["predicate"]
        for _, o, d in graph.edges(data=True)
        if graph.nodes[o]["kind"] not in classes
    }
    assert len(used_classes) == 7 and len(used_predicates) == 13
    assert used_classes <= mapping.classes.keys()
    assert used_predicates <= mapping.predicates.keys()
    assert term_predicates <= mapping.objects.keys()
    for (role, ours), fit in mapping.fit.items():
        assert fit in {"exact", "close", "local"}, (role, ours)
        if role == "predicate" and fit == "local":  # ours kept only in original_predicate
            assert mapping.predicates[ours] == "biolink:related_to", ours


def test_round_trip_counts_match_the_graph(data_build: BuildResult, exported: Path) -> None:
    graph = project(open_store(data_build.out_dir))
    nodes_path, edges_path = kgx_paths(exported)
    nodes, edges = _read(nodes_path), _read(edges_path)
    assert tuple(nodes[0]) == NODE_COLUMNS and tuple(edges[0]) == EDGE_COLUMNS
    assert len(nodes) == graph.number_of_nodes() > 250  # every study, report, arm and term
    assert len(edges) == graph.number_of_edges() > 500
    ids = {n["id"] for n in nodes}
    assert len(ids) == len(nodes) and {n["iri"] for n in nodes} == set(graph.nodes)
    assert len({e["id"] for e in edges}) == len(edges)
    assert all(e["subject"] in ids and e["object"] in ids for e in edges)
    assert all(e["knowledge_level"] == "knowledge_assertion" for e in edges)
    assert {e["agent_type"] for e in edges} <= AGENTS
    assert all("/" not in i.partition(":")[2] for i in ids)
    local = [n for n in nodes if n["id"].startswith(f"{LOCAL_PREFIX}:")]
    assert all(n["iri"] == LOCAL_BASE + n["id"].partition(":")[2].replace(".", "/") for n in local)
    by_id = {n["id"]: n for n in nodes}
    categories = Counter(
        by_id[e["object"]]["category"]
        for e in edges
        if e["original_predicate"] == "stemkg:cellType"
    )
    assert set(categories) == {"biolink:Cell"}
    trial = next(n for n in nodes if n["iri"].endswith("/study/NCT01363401-phase-1"))
    assert trial["category"] == "biolink:Study" and "CLINICALTRIALS:NCT01363401" in trial["xref"]


def test_agent_type_follows_the_source(exported: Path) -> None:
    edges = _read(kgx_paths(exported)[1])
    agents: dict[str, set[str]] = {}
    for edge in edges:
        kind = "curated" if ".report.curated-" in edge["subject"] else "other"
        agents.setdefault(kind, set()).add(edge["agent_type"])
    assert agents["curated"] == {"manual_agent"}  # data/records: every value a curator's
    assert {"text_mining_agent", "automated_agent"} <= agents["other"]
    arm_of = [e for e in edges if e["original_predicate"] == "stemkg:armOf"]
    assert all(e["predicate"] == "biolink:part_of" and e["publications"] for e in arm_of)


def test_export_is_deterministic(data_build: BuildResult, exported: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_kgx(open_store(data_build.out_dir), again)
    for first, second in zip(kgx_paths(exported), kgx_paths(again), strict=True):
        assert first.read_bytes() == second.read_bytes()


def test_cli_writes_into_a_folder_and_fails_in_one_line(
    data_build: BuildResult, tmp_path: Path
) -> None:
    runner = CliRunner()
    b = ["--build", str(data_build.out_dir)]
    result = runner.invoke(app, ["export", "--format", "kgx", "--out", str(tmp_path), *b])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stemkg_nodes.tsv").is_file() and (tmp_path / "stemkg_edges.tsv").is_file()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["export", "-f", "kgx", "-o", str(blocker / "x"), *b])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert not list(blocker.parent.glob(".*.tmp"))


def test_a_malformed_mapping_row_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "map.tsv"
    bad.write_text("stemkg\trole\tbiolink\tfit\tcomment\nstemkg:Study\tklass\tbiolink:Study\n")
    with pytest.raises(InputError, match=r"map.tsv: line 2"):
        biolink_map(bad)


def _kgx_python() -> Path:
    python = KGX_VENV / "bin" / "python"
    if not python.is_file():
        message = f"{KGX_VENV} is missing: run scripts/kgx-venv.sh to test with kgx validate"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return python


def _validate(files: list[Path], *prefixes: str) -> dict[str, Any]:
    args = [str(_kgx_python()), str(VALIDATE), *(f"--prefix={p}" for p in prefixes)]
    done = subprocess.run(
        [*args, *map(str, files)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_kgx_validate_reports_no_errors(data_build: BuildResult, exported: Path) -> None:
    graph = project(open_store(data_build.out_dir))
    report = _validate(list(kgx_paths(exported)), f"{LOCAL_PREFIX}={LOCAL_BASE}")
    assert report["counts"] == {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    assert report["errors"] == {}


def test_kgx_validate_catches_what_is_wrong(exported: Path, tmp_path: Path) -> None:
    """The validator is not blind: with Biolink's prefix map alone it names only our local
    prefix, and a wrong category and predicate written into a copy are reported."""
    nodes_path, edges_path = kgx_paths(exported)
    nodes, edges = _read(nodes_path), _read(edges_path)
    nodes[0]["category"] = "biolink:CellTherapyProduct"
    edges[0]["predicate"] = "biolink:cures"
    copies = []
    for rows, columns, name in (
        (nodes, NODE_COLUMNS, "x_nodes.tsv"),
        (edges, EDGE_COLUMNS, "x_edges.tsv"),
    ):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns, delimiter="\t", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        copies.append(tmp_path / name)
    errors = _validate(copies)["errors"]["ERROR"]
    assert set(errors) == {
        "INVALID_CATEGORY",
        "INVALID_EDGE_PREDICATE",
        "INVALID_NODE_PROPERTY_VALUE",
        "INVALID_EDGE_PROPERTY_VALUE",
    }
    assert all(f"'{LOCAL_PREFIX}'" in m for m in errors["INVALID_NODE_PROPERTY_VALUE"])
    assert all(f"'{LOCAL_PREFIX}'" in m for m in errors["INVALID_EDGE_PROPERTY_VALUE"])
    # kgx names each error twice (its streaming inspector sees every record twice)
    assert [set(v) for v in errors["INVALID_CATEGORY"].values()] == [{nodes[0]["id"]}]
    assert list(errors["INVALID_EDGE_PREDICATE"]) == [
        "Edge predicate 'cures' is not in Biolink Model"
    ]


def test_every_biolink_name_in_the_map_is_in_the_schema() -> None:
    """Checks the whole table, not only the rows the data/ build uses, against the schema
    the biolink-model package ships."""
    python = _kgx_python()
    schemas = sorted(python.parent.parent.glob("lib/python*/site-packages/biolink_model/schema"))
    schema = yaml.safe_load((schemas[0] / "biolink_model.yaml").read_text(encoding="utf-8"))
    mapping = biolink_map()
    for curie in {*mapping.classes.values(), *mapping.objects.values()}:
        name = curie.removeprefix("biolink:")
        words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
        assert words in schema["classes"], curie
        assert not schema["classes"][words].get("abstract") and not schema["classes"][words].get(
            "mixin"
        ), curie
    for curie in mapping.predicates.values():
        assert curie.removeprefix("biolink:").replace("_", " ") in schema["slots"], curie
    prefix_maps = schemas[0].parent / "prefixmaps" / "biolink-model-prefix-map.json"
    known = json.loads(prefix_maps.read_text(encoding="utf-8"))
    assert set(mapping.prefixes.values()) <= known.keys()
