"""Named queries: headers, parameter binding, results, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Variable

from stemkg import query
from stemkg.errors import QueryError
from stemkg.lexicon import Kind, Lexicon
from stemkg.pipeline import BuildResult
from stemkg.store import open_store


def _run(built: BuildResult, name: str, lexicon: Lexicon, **params: str) -> query.QueryResult:
    named = query.load_query(name)
    return query.run_query(open_store(built.out_dir), named, query.bind(named, params, lexicon))


def _rows(result: query.QueryResult) -> list[dict[str, str | None]]:
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def test_library_has_documented_queries() -> None:
    queries = query.list_queries()
    assert len(queries) >= 7
    for q in queries:
        assert q.title != q.name and q.description, q.name


def test_a_header_field_goes_on_over_indented_comment_lines() -> None:
    text = "# title: T\n# description: one\n#   two three\n#\n#   not this\nSELECT * {}"
    assert query.query_from_text(text).description == "one two three"


@pytest.mark.parametrize(
    "named",
    # source-disagreements needs two disagreeing sources: test_source_disagreements below
    [q.name for q in query.list_queries() if q.name != "source-disagreements"],
)
def test_every_query_returns_rows(named: str, built: BuildResult, lexicon: Lexicon) -> None:
    assert _run(built, named, lexicon).rows, named


def test_route_by_label_finds_seed_studies(built: BuildResult, lexicon: Lexicon) -> None:
    result = _rows(_run(built, "studies-by-route", lexicon, route="intrathecal"))
    studies = {row["study"] for row in result}
    assert any(s and s.endswith("study/NCT01363401-phase-1") for s in studies)
    assert any(s and s.endswith("study/NCT01051882") for s in studies)
    assert all(row["routeLabel"] == "Intrathecal Route of Administration" for row in result)


def test_label_curie_and_iri_bind_the_same(lexicon: Lexicon) -> None:
    named = query.load_query("studies-by-route")
    iri = NamedNode("http://purl.obolibrary.org/obo/NCIT_C38267")
    for value in ("intrathecal", "NCIT:C38267", iri.value):
        assert query.bind(named, {"route": value}, lexicon) == {Variable("route"): iri}


def test_cell_types_include_subclasses(built: BuildResult, lexicon: Lexicon) -> None:
    result = _run(
        built,
        "cell-types-by-condition",
        lexicon,
        cell_type="mesenchymal stem cell",
        condition="ALS",
    )
    [row] = _rows(result)
    assert row["cellTypeLabel"] == "mesenchymal stem cell"
    assert "mesenchymal stem cell of the bone marrow" in (row["given"] or "")
    assert int(row["studies"] or 0) >= 2


def test_outcomes_filtered_by_modality(built: BuildResult, lexicon: Lexicon) -> None:
    result = _run(built, "outcomes-with-modality", lexicon, modality="stemkg:modality-asserted")
    assert result.rows and all(r["modalityLabel"] == "asserted" for r in _rows(result))


def test_json_and_csv_results(built: BuildResult, lexicon: Lexicon) -> None:
    named = query.load_query("studies-by-phase")
    bound = query.bind(named, {"phase": "phase 1"}, lexicon)
    store = open_store(built.out_dir)
    data = json.loads(query.serialize_query(store, named, bound, query.OutputFormat.JSON))
    assert data["head"]["vars"][:2] == ["phase", "phaseLabel"] and data["results"]["bindings"]
    csv = query.serialize_query(store, named, bound, query.OutputFormat.CSV).decode()
    assert csv.splitlines()[0].startswith("phase,phaseLabel,study")


def test_unknown_parameter(lexicon: Lexicon) -> None:
    with pytest.raises(QueryError, match="unknown parameter 'colour'"):
        query.bind(query.load_query("studies-by-route"), {"colour": "red"}, lexicon)


def test_unknown_term_value(lexicon: Lexicon) -> None:
    with pytest.raises(QueryError, match="unknown route name 'sideways'"):
        query.bind(query.load_query("studies-by-route"), {"route": "sideways"}, lexicon)


def test_syntax_error_names_the_file(tmp_path: Path, built: BuildResult, lexicon: Lexicon) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ", encoding="utf-8")
    named = query.load_query(str(bad))
    with pytest.raises(QueryError, match=r"bad\.rq: SPARQL syntax error"):
        query.run_query(open_store(built.out_dir), named, {})


def test_ad_hoc_file_binds_its_variables(tmp_path: Path, lexicon: Lexicon) -> None:
    file = tmp_path / "mine.rq"
    file.write_text("SELECT ?s WHERE { ?s ?p ?year }", encoding="utf-8")
    bound = query.bind(query.load_query(str(file)), {"year": "2015"}, lexicon)
    assert bound == {Variable("year"): Literal("2015")}


def test_unknown_query_lists_the_library() -> None:
    with pytest.raises(QueryError, match=r"named queries: .*evidence-chain"):
        query.load_query("nope")


def test_source_disagreements(tmp_path: Path, lexicon: Lexicon) -> None:
    from stemkg.pipeline import build
    from tests.conftest import MINIMAL, write_record

    other = json.loads(json.dumps(MINIMAL))
    other["source"].update(kind="news", title="A news story")
    other["reports"][0]["participants"]["enrolled"] = 10
    write_record(tmp_path / "in", "a.yaml", MINIMAL)
    write_record(tmp_path / "in", "b.yaml", other)
    result = build([tmp_path / "in"], tmp_path / "out")
    rows = _rows(_run(result, "source-disagreements", lexicon))
    assert [(r["property"], r["value1"], r["value2"]) for r in rows] == [
        ("stemkg:enrolled", "8", "10")
    ]


def test_stats(built: BuildResult) -> None:
    s = query.stats(open_store(built.out_dir))
    assert s.sources == len(built.sources)
    conditions = dict(s.by_condition)
    assert conditions["amyotrophic lateral sclerosis"] == 3
    assert dict(s.by_route)["Intrathecal Route of Administration"] >= 2


def test_route_query_without_parameters_lists_each_arm_route_once(
    built: BuildResult, lexicon: Lexicon
) -> None:
    """A study without a phase must not pull in every label of the graph (a past bug); each arm
    route is listed once under its route and once under its route group."""
    rows = _rows(_run(built, "studies-by-route", lexicon))
    store = open_store(built.out_dir)
    pairs = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <https://w3id.org/stemkg/vocab/therapy>/"
        "<https://w3id.org/stemkg/vocab/route> ?r }",
        use_default_graph_as_union=True,
    )
    grouped = [r for r in rows if (r["route"] or "").startswith("stemkg:route-group-")]
    assert len(rows) - len(grouped) == int(next(iter(pairs))["n"].value)  # type: ignore[index, union-attr, arg-type]
    assert len(grouped) == len(rows) // 2  # every route in data/ belongs to one group
    phases = {e.label for e in lexicon.of_kind(Kind.PHASE)}
    assert {r["phaseLabel"] for r in rows} <= phases | {None}


def test_closed_vocabulary_and_study_parameters(lexicon: Lexicon) -> None:
    outcomes = query.load_query("outcomes-with-modality")
    negated = NamedNode("https://w3id.org/stemkg/vocab/modality-negated")
    for value in ("negated", "stemkg:modality-negated", negated.value, f"<{negated.value}>"):
        assert query.bind(outcomes, {"modality": value}, lexicon) == {Variable("modality"): negated}
    with pytest.raises(QueryError, match="takes one of asserted, negated, hedged"):
        query.bind(outcomes, {"modality": "maybe"}, lexicon)
    evidence = query.load_query("evidence-for-value")
    study = "https://w3id.org/stemkg/id/study/NCT01363401-phase-1"
    for value in ("NCT01363401-phase-1", study):
        assert query.bind(evidence, {"study": value}, lexicon) == {
            Variable("study"): NamedNode(study)
        }


def test_unmapped_terms_bind_by_label(built: BuildResult, lexicon: Lexicon, tmp_path: Path) -> None:
    store = open_store(built.out_dir)
    named = query.load_query("evidence-chain")
    bound = query.bind(named, {"condition": "progressive supranuclear palsy"}, lexicon, store=store)
    rows = query.run_query(store, named, bound).rows
    assert rows and all("progressive supranuclear palsy" in row for row in rows)  # a table term
    file = tmp_path / "by-measure.rq"
    file.write_text(
        "# title: Outcomes by measure\n# param: measure term:measure The measure\n"
        "PREFIX s: <https://w3id.org/stemkg/vocab/>\n"
        "SELECT ?outcome ?measure WHERE { ?outcome s:measure ?measure }\n",
        encoding="utf-8",
    )
    mine = query.load_query(str(file))
    bound = query.bind(mine, {"measure": "PSP rating scale"}, lexicon, store=store)
    assert len(query.run_query(store, mine, bound).rows) == 1  # the build's unmapped measure
    with pytest.raises(QueryError, match="nor an unmapped term of this build"):
        query.bind(mine, {"measure": "PSP ratings scale"}, lexicon, store=store)


def test_cell_types_by_condition_leaves_out_upper_level_classes(
    built: BuildResult, lexicon: Lexicon
) -> None:
    labels = {r["cellTypeLabel"] for r in _rows(_run(built, "cell-types-by-condition", lexicon))}
    assert "mesenchymal stem cell" in labels and "stem cell" in labels
    assert not labels & {"cell", "eukaryotic cell", "connective tissue cell", "precursor cell"}


def test_a_near_miss_query_name_gets_did_you_mean() -> None:
    with pytest.raises(QueryError, match=r"did you mean studies-by-route\b"):
        query.load_query("studies-by-rout")
