"""GraphML export read back with networkx and igraph, checked against the RDF."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import igraph
import networkx as nx
import pytest

from stemkg.export import project, write_graphml
from stemkg.pipeline import BuildResult, build
from stemkg.query import stats
from stemkg.store import open_store


@pytest.fixture(scope="module")
def graphml(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "stemkg.graphml"
    write_graphml(project(open_store(built.out_dir)), path)
    return path


def test_networkx_reads_labels_kinds_and_typed_attributes(
    graphml: Path, built: BuildResult
) -> None:
    g = nx.read_graphml(graphml)
    kinds = Counter(d["kind"] for _, d in g.nodes(data=True))
    s = stats(open_store(built.out_dir))
    assert kinds["study"] == s.studies
    assert kinds["report"] == s.reports
    assert kinds["source"] == s.sources
    for kind in ("arm", "therapy", "outcome", "cell_type", "tissue", "condition", "route"):
        assert kinds[kind] > 0, kind
    labels = {d["label"] for _, d in g.nodes(data=True)}
    for label in (
        "mesenchymal stem cell of the bone marrow",
        "bone marrow",
        "Intrathecal Route of Administration",
        "amyotrophic lateral sclerosis",
    ):
        assert label in labels
    for _, d in g.nodes(data=True):  # a label read alone says when a finding is not asserted
        if d["kind"] == "outcome" and d.get("modality", "").endswith(("negated", "hedged")):
            assert d["label"].endswith(("(negated)", "(hedged)")), d["label"]
    report = next(d for _, d in g.nodes(data=True) if d["kind"] == "report" and "enrolled" in d)
    assert isinstance(report["enrolled"], int)
    for _, d in g.nodes(data=True):
        assert not any(isinstance(v, str) and v.startswith("[") for v in d.values())
        assert not d["label"].startswith(("http", "id:")), d  # every node reads as words


def test_edges_have_unique_ids_and_predicate_labels(graphml: Path) -> None:
    g = nx.read_graphml(graphml, force_multigraph=True)
    ids = [key for _, _, key in g.edges(keys=True)]
    assert len(ids) == len(set(ids))
    labels = {d["label"] for _, _, d in g.edges(data=True)}
    assert {"cell type", "route", "about study", "arm of", "outcome of", "covers arm"} <= labels


def test_chain_is_walkable(graphml: Path) -> None:
    g = nx.read_graphml(graphml, force_multigraph=True)
    # therapy -> cell type and route; arm -> therapy; outcome -> arm and report; report -> study
    preds = Counter(d["predicate"] for _, _, d in g.edges(data=True))
    for p in (
        "stemkg:cellType",
        "stemkg:route",
        "stemkg:therapy",
        "stemkg:coversArm",
        "stemkg:outcomeOf",
        "stemkg:aboutStudy",
    ):
        assert preds[p] > 0, p


def test_igraph_reads_it_with_types(graphml: Path) -> None:
    g = igraph.Graph.Read_GraphML(str(graphml))
    assert g.vcount() > 50 and g.ecount() > 50
    # igraph keeps every numeric attribute as a double; integers must come back integral
    enrolled = [v for v in g.vs["enrolled"] if v == v and v is not None]
    assert enrolled and all(float(v).is_integer() for v in enrolled)
    assert "label" in g.vs.attributes() and "label" in g.es.attributes()


def test_counts_match_the_rdf(built: BuildResult, graphml: Path) -> None:
    store = open_store(built.out_dir)
    rows = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?t <https://w3id.org/stemkg/vocab/route> ?r }",
        use_default_graph_as_union=True,
    )
    routes = int(next(iter(rows))["n"].value)  # type: ignore[union-attr, index, arg-type]
    g = nx.read_graphml(graphml, force_multigraph=True)
    assert sum(1 for *_, d in g.edges(data=True) if d["predicate"] == "stemkg:route") == routes


def test_export_is_deterministic(built: BuildResult, tmp_path: Path, graphml: Path) -> None:
    again = tmp_path / "again.graphml"
    write_graphml(project(open_store(built.out_dir)), again)
    assert again.read_bytes() == graphml.read_bytes()


def test_a_comparator_arms_therapy_is_named_by_its_arm(tmp_path: Path) -> None:
    registry = Path(__file__).resolve().parents[1] / "data" / "registry"
    result = build([registry], tmp_path / "out")
    g = project(open_store(result.out_dir))
    therapies = {d["label"] for _, d in g.nodes(data=True) if d["kind"] == "therapy"}
    assert "therapy of Stage 2: riluzole alone" in therapies
    assert not any(label.startswith(("http", "id:")) for label in therapies)
