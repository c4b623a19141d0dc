"""Export views, filters and every format, read back with independent readers (networkx,
igraph, csv, rdflib) and compared with SPARQL over the data/ build."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest
import rdflib
from pyoxigraph import QuerySolutions, Store
from typer.testing import CliRunner

from stemkg.cli import app
from stemkg.export import Filters, View, network, write_cyjs, write_graphml
from stemkg.export_formats import write_csv, write_gexf, write_rdf
from stemkg.pipeline import BuildResult
from stemkg.store import open_store
from tests.conftest import ROOT

S = "https://w3id.org/stemkg/vocab/"
SUB = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
MSC = "http://purl.obolibrary.org/obo/CL_0000134"
BM_MSC = "http://purl.obolibrary.org/obo/CL_0002540"
ALS = "http://purl.obolibrary.org/obo/MONDO_0004976"
INTRATHECAL = "http://purl.obolibrary.org/obo/NCIT_C38267"
Y = "{http://www.yworks.com/xml/graphml}"
G = "{http://graphml.graphdrawing.org/xmlns}"

# rdflib's own JSON-LD and TriG code calls its deprecated Dataset API
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")


@pytest.fixture(scope="module")
def data_build(built_data: BuildResult) -> Path:
    """A build of the whole data/ folder (records, registry, PubMed, articles)."""
    return built_data.out_dir


@pytest.fixture(scope="module")
def store(data_build: Path) -> Store:
    return open_store(data_build)


def rows(store: Store, text: str) -> list[dict[str, str]]:
    result = store.query(f"PREFIX s: <{S}>\n{text}", use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def pair_counts(store: Store, pattern: str, filter_: str = "") -> dict[tuple[str, str], int]:
    found = rows(
        store,
        f"SELECT ?a ?b (COUNT(DISTINCT ?study) AS ?n) WHERE {{ {pattern} {filter_} }} "
        "GROUP BY ?a ?b",
    )
    return {(r["a"], r["b"]): int(r["n"]) for r in found}


ARM = "?arm s:armOf ?r ; s:therapy ?t . ?r s:aboutStudy ?study . "


def edge_counts(graph: nx.MultiDiGraph, label: str) -> dict[tuple[str, str], int]:
    return {(u, v): d["studies"] for u, v, d in graph.edges(data=True) if d["label"] == label}


def test_cell_condition_weights_are_the_studies_sparql_counts(store: Store) -> None:
    graph = network(store, View.cell_condition)
    expected = pair_counts(store, ARM + "?t s:cellType ?a . ?r s:condition ?b .")
    assert edge_counts(graph, "tested for") == expected
    assert sum(expected.values()) > len(expected)  # some pair has more than one study
    kinds = Counter(d["kind"] for _, d in graph.nodes(data=True))
    assert set(kinds) == {"cell_type", "condition"}
    for u, v, d in graph.edges(data=True):
        assert (graph.nodes[u]["kind"], graph.nodes[v]["kind"]) == ("cell_type", "condition")
        assert len(d["study_ids"].split("|")) == d["studies"]


def test_route_view_matches_sparql(store: Store) -> None:
    graph = network(store, View.routes)
    assert edge_counts(graph, "delivered") == pair_counts(
        store, ARM + "?t s:route ?a ; s:cellType ?b ."
    )
    assert edge_counts(graph, "used for") == pair_counts(
        store, ARM + "?t s:route ?a . ?r s:condition ?b ."
    )
    used_in = pair_counts(store, ARM + "?t s:route ?a . BIND(?study AS ?b)")
    assert edge_counts(graph, "used in") == used_in
    studies = rows(store, "SELECT DISTINCT ?s WHERE { ?s a s:Study }")
    assert {s for _, s in used_in} <= {r["s"] for r in studies}


def test_full_view_counts_match_sparql(store: Store) -> None:
    graph = network(store, View.full)
    kinds = Counter(d["kind"] for _, d in graph.nodes(data=True))
    for cls, kind in (("Study", "study"), ("StudyReport", "report"), ("Arm", "arm")):
        n = rows(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a s:{cls} }}")
        assert kinds[kind] == int(n[0]["n"]), kind


def test_cell_type_filter_is_hierarchy_aware(store: Store) -> None:
    graph = network(store, View.cell_condition, Filters(cell_type="mesenchymal stem cell"))
    cells = {n for n, d in graph.nodes(data=True) if d["kind"] == "cell_type"}
    assert BM_MSC in cells and MSC in cells  # bone-marrow MSCs are mesenchymal stem cells
    assert "http://purl.obolibrary.org/obo/CL_0000047" not in cells  # neural stem cell
    expected = pair_counts(
        store, ARM + f"?t s:cellType ?a . ?a {SUB} <{MSC}> . ?r s:condition ?b ."
    )
    assert edge_counts(graph, "tested for") == expected
    by_curie = network(store, View.cell_condition, Filters(cell_type="CL:0000134"))
    assert nx.utils.edges_equal(by_curie.edges(keys=True), graph.edges(keys=True))


def test_condition_filter_keeps_whole_reports(store: Store) -> None:
    graph = network(store, View.full, Filters(condition="ALS"))
    reports = {n for n, d in graph.nodes(data=True) if d["kind"] == "report"}
    expected = rows(
        store,
        f"SELECT DISTINCT ?r WHERE {{ ?arm s:armOf ?r . ?r s:condition ?c . ?c {SUB} <{ALS}> }}",
    )
    assert reports == {r["r"] for r in expected}
    full = network(store, View.full)
    for report in reports:  # each kept report keeps all its arms and outcomes
        assert set(full.predecessors(report)) <= set(graph.nodes)
    assert graph.number_of_nodes() < full.number_of_nodes()


def test_route_filter_selects_arms(store: Store) -> None:
    graph = network(store, View.routes, Filters(route="intrathecal"))
    studies = {v for _, v, d in graph.edges(data=True) if d["label"] == "used in"}
    expected = rows(
        store,
        f"SELECT DISTINCT ?study WHERE {{ {ARM} ?t s:route ?x . ?x {SUB} <{INTRATHECAL}> }}",
    )
    assert studies == {r["study"] for r in expected} and studies
    strokes = network(store, View.cell_condition, Filters(condition="stroke"))
    conditions = {d["label"] for _, d in strokes.nodes(data=True) if d["kind"] == "condition"}
    assert conditions == {"stroke disorder", "ischemic stroke"}  # ischemic stroke is a stroke
    both = network(store, View.routes, Filters(route="intrathecal", condition="stroke"))
    assert both.number_of_edges() == 0  # no intrathecal arm for stroke in data/


def _write(graph: nx.MultiDiGraph, fmt: str, path: Path) -> Path:
    writers: dict[str, Any] = {
        "graphml": write_graphml,
        "gexf": write_gexf,
        "cyjs": write_cyjs,
        "csv": write_csv,
    }
    writers[fmt](graph, path)
    return path


CASES = [
    (View.full, Filters()),
    (View.cell_condition, Filters()),
    (View.routes, Filters()),
    (View.full, Filters(cell_type="mesenchymal stem cell")),
    (View.cell_condition, Filters(condition="amyotrophic lateral sclerosis")),
    (View.routes, Filters(route="intrathecal")),
]


@pytest.mark.parametrize(("view", "filters"), CASES)
def test_graphml_reads_back_in_networkx_igraph_and_yed(
    store: Store, tmp_path: Path, view: View, filters: Filters
) -> None:
    graph = network(store, view, filters)
    path = _write(graph, "graphml", tmp_path / "g.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes() > 0
    assert sorted(k for *_, k in back.edges(keys=True)) == sorted(
        k for *_, k in graph.edges(keys=True)
    )
    for node, data in graph.nodes(data=True):
        assert back.nodes[node]["label"] == data["label"]
        assert back.nodes[node]["kind"] == data["kind"]
    ig = igraph.Graph.Read_GraphML(str(path))
    assert (ig.vcount(), ig.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    if view is not View.full:
        assert all(isinstance(d["studies"], int) for *_, d in back.edges(data=True))
        assert all(float(v).is_integer() and v >= 1 for v in ig.es["studies"])
    root = ET.parse(path).getroot()
    yfiles = {k.get("for"): k.get("id") for k in root.iter(f"{G}key") if k.get("yfiles.type")}
    assert set(yfiles) == {"node", "edge"}
    for element in root.iter(f"{G}node"):  # what yEd shows: its own label element
        text = element.find(f"{G}data/{Y}ShapeNode/{Y}NodeLabel")
        assert text is not None and text.text == graph.nodes[element.get("id")]["label"]


@pytest.mark.parametrize(("view", "filters"), CASES)
def test_gexf_reads_back_with_declared_types(
    store: Store, tmp_path: Path, view: View, filters: Filters
) -> None:
    graph = network(store, view, filters)
    path = _write(graph, "gexf", tmp_path / "g.gexf")
    back = nx.read_gexf(path)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert {d["id"] for *_, d in back.edges(data=True)} == {k for *_, k in graph.edges(keys=True)}
    for node, data in graph.nodes(data=True):
        assert back.nodes[node]["label"] == data["label"]
        for name, value in data.items():
            if name != "label":
                assert back.nodes[node][name] == value and type(back.nodes[node][name]) is type(
                    value
                )
    declared = {
        a.get("title"): a.get("type")
        for a in ET.parse(path).getroot().iter()
        if a.tag.endswith("}attribute")
    }
    assert "networkx_key" not in declared and b"lastmodifieddate" not in path.read_bytes()
    if view is View.full:
        assert declared["enrolled"] == "long" and declared["doseValue"] == "double"
    else:
        assert declared["studies"] == "long"
        assert all(type(d["studies"]) is int for *_, d in back.edges(data=True))


@pytest.mark.parametrize(("view", "filters"), CASES)
def test_csv_tables_read_back_with_csvw_types(
    store: Store, tmp_path: Path, view: View, filters: Filters
) -> None:
    graph = network(store, view, filters)
    folder = _write(graph, "csv", tmp_path / "csv")
    meta = json.loads((folder / "csv-metadata.json").read_text())
    types = {
        t["url"]: {c["name"]: c["datatype"] for c in t["tableSchema"]["columns"]}
        for t in meta["tables"]
    }
    with (folder / "nodes.csv").open(newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with (folder / "edges.csv").open(newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert len(nodes) == graph.number_of_nodes() and len(edges) == graph.number_of_edges()
    assert list(nodes[0])[:3] == ["id", "label", "kind"]
    assert list(edges[0])[:4] == ["id", "source", "target", "label"]
    ids = {n["id"] for n in nodes}
    assert len({e["id"] for e in edges}) == len(edges)
    assert all(e["source"] in ids and e["target"] in ids for e in edges)
    for table, name in (("nodes.csv", nodes), ("edges.csv", edges)):
        for column, datatype in types[table].items():
            if datatype == "integer":
                assert all(r[column] == "" or str(int(r[column])) == r[column] for r in name)
    for row in nodes:
        assert row["label"] == graph.nodes[row["id"]]["label"]
    if view is View.full:
        assert types["nodes.csv"]["enrolled"] == "integer"
    else:
        assert types["edges.csv"]["studies"] == "integer"
        by_id = {k: d for *_, k, d in graph.edges(keys=True, data=True)}
        assert all(int(e["studies"]) == by_id[e["id"]]["studies"] for e in edges)


@pytest.mark.parametrize(("view", "filters"), CASES[1:3])
def test_cyjs_of_a_view(store: Store, tmp_path: Path, view: View, filters: Filters) -> None:
    graph = network(store, view, filters)
    elements = json.loads(_write(graph, "cyjs", tmp_path / "g.cyjs").read_text())["elements"]
    assert len(elements["nodes"]) == graph.number_of_nodes()
    assert all(isinstance(e["data"]["studies"], int) for e in elements["edges"])


def test_every_network_format_is_deterministic(store: Store, tmp_path: Path) -> None:
    for view, filters in CASES[3:]:
        first, second = network(store, view, filters), network(store, view, filters)
        for fmt in ("graphml", "gexf", "cyjs", "csv"):
            a = _write(first, fmt, tmp_path / f"a.{fmt}")
            b = _write(second, fmt, tmp_path / f"b.{fmt}")
            if fmt == "csv":
                for name in ("nodes.csv", "edges.csv", "csv-metadata.json"):
                    assert (a / name).read_bytes() == (b / name).read_bytes()
            else:
                assert a.read_bytes() == b.read_bytes(), fmt


def _distinct_triples(store: Store) -> int:
    found = rows(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    return int(found[0]["n"])


@pytest.mark.parametrize(
    ("fmt", "parser", "quads"),
    [
        ("nt", "nt", False),
        ("ttl", "turtle", False),
        ("nq", "nquads", True),
        ("trig", "trig", True),
        ("jsonld", "json-ld", True),
    ],
)
def test_rdf_formats_read_back_in_rdflib(
    store: Store, tmp_path: Path, fmt: str, parser: str, quads: bool
) -> None:
    path, again = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    write_rdf(store, fmt, path)
    write_rdf(store, fmt, again)
    assert path.read_bytes() == again.read_bytes()
    graph: rdflib.Graph = rdflib.Dataset() if quads else rdflib.Graph()
    graph.parse(path, format=parser)
    if quads:
        assert isinstance(graph, rdflib.Dataset)
        assert len(list(graph.quads())) == len(store)
        names = {str(g.identifier) for g in graph.graphs() if len(g)}
        assert len(names) == len({q.graph_name for q in store})
    else:
        assert len(graph) == _distinct_triples(store)
    graph_ = "GRAPH ?g " if quads else ""
    count = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {graph_}{{ ?s a <{S}Study> }} }}"
    studies = rows(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a s:Study }")
    answer = next(iter(graph.query(count)))
    assert int(str(answer[0])) == int(studies[0]["n"]) == 13  # type: ignore[index]
    enrolled = next(
        o
        for _, p, o, *_ in (graph.quads() if isinstance(graph, rdflib.Dataset) else graph)
        if p == rdflib.URIRef(S + "enrolled")
    )
    assert isinstance(enrolled, rdflib.Literal) and isinstance(enrolled.toPython(), int)


def test_jsonld_uses_the_shipped_context(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "g.jsonld"
    write_rdf(store, "jsonld", path)
    document = json.loads(path.read_text())
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text())["@context"]
    assert document["@context"] == context
    assert '"stemkg:aboutStudy"' in path.read_text()


def test_node_ids_are_stable_across_builds(built: BuildResult, store: Store) -> None:
    smaller = network(open_store(built.out_dir), View.full)
    larger = network(store, View.full)
    studies = {n for n, d in smaller.nodes(data=True) if d["kind"] == "study"}
    assert studies and studies <= set(larger.nodes)
    edges = {k for *_, k in network(open_store(built.out_dir), View.routes).edges(keys=True)}
    assert edges & {k for *_, k in network(store, View.routes).edges(keys=True)}


runner = CliRunner()


def _one_line_error(args: list[str], *needles: str) -> None:
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_cli_views_formats_and_bad_input(data_build: Path, tmp_path: Path) -> None:
    b = ["--build", str(data_build)]
    out = tmp_path / "cc.gexf"
    ok = runner.invoke(
        app, ["export", "-f", "gexf", "--view", "cell-condition", "--out", str(out), *b]
    )
    assert ok.exit_code == 0 and "13 edges" in ok.stdout and out.is_file()
    folder = tmp_path / "csv"
    ok = runner.invoke(
        app, ["export", "-f", "csv", "--route", "intrathecal", "-o", str(folder), *b]
    )
    assert ok.exit_code == 0 and (folder / "nodes.csv").is_file()
    ok = runner.invoke(app, ["export", "-f", "nq", "-o", str(tmp_path / "b.nq"), *b])
    assert ok.exit_code == 0 and "whole build" in ok.stdout
    bad = tmp_path / "never.graphml"
    _one_line_error(["export", "-f", "pdf", "-o", str(bad), *b], "'pdf'", "graphml")
    _one_line_error(["export", "--view", "tree", "-o", str(bad), *b], "'tree'", "cell-condition")
    _one_line_error(
        ["export", "--cell-type", "mesenchymal stem cel", "-o", str(bad), *b],
        "unknown cell type",
        "did you mean 'mesenchymal stem cell'",
    )
    _one_line_error(
        ["export", "--condition", "MONDO:9999999", "-o", str(bad), *b], "not in this build"
    )
    _one_line_error(["export", "--cell-type", "ALS", "-o", str(bad), *b], "not a cell type")
    _one_line_error(["export", "-f", "ttl", "--view", "routes", "-o", str(bad), *b], "whole build")
    _one_line_error(["export", "-o", str(bad), "--build", str(tmp_path / "none")], "no build here")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    _one_line_error(["export", "-f", "csv", "-o", str(tmp_path / "busy"), *b], "other files")
    _one_line_error(["export", "-f", "csv", "-o", str(out), *b], "is a file")
    assert not bad.exists() and (tmp_path / "busy" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
