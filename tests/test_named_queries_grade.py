"""Grades, route groups, the newer named queries and the dataset description, on data/ builds."""

from __future__ import annotations

from pyoxigraph import NamedNode, Variable

from stemkg import query
from stemkg.dataset import DATASET, DATASET_GRAPH
from stemkg.lexicon import Lexicon
from stemkg.pipeline import BuildResult, software_version
from stemkg.store import open_store
from tests.named import named_rows as _rows

GROUP = "https://w3id.org/stemkg/vocab/route-group-"


def test_at_least_fifteen_named_queries() -> None:
    names = {q.name for q in query.list_queries()}
    assert len(names) >= 15
    new = {"studies-by-grade", "cell-types-by-route-and-condition"}
    assert new | {"autologous-vs-allogeneic", "dose-and-follow-up"} <= names


def test_studies_by_grade(built_data: BuildResult, lexicon: Lexicon) -> None:
    rows = _rows(built_data, "studies-by-grade", lexicon)
    by_study = {r["study"]: r for r in rows}
    assert len(rows) == len(by_study) == 13
    assert [int(r["level"] or 0) for r in rows] == sorted(int(r["level"] or 0) for r in rows)
    news = by_study["study/doi-10-1002-sctm-18-0122"]
    assert (news["level"], news["authorStatementOnly"], news["reports"]) == ("3", "true", "1")
    two = by_study["study/NCT01051882"]  # the PubMed abstract and the curated record agree
    assert (two["rule"], two["reports"], two["authorStatementOnly"]) == (
        "grading/v1/uncontrolled-20",
        "2",
        "false",
    )
    animal = _rows(built_data, "studies-by-grade", lexicon, level="8")
    assert [(r["study"], r["conditions"]) for r in animal] == [
        ("study/pmid-11283404", "stroke disorder")
    ]


def test_a_route_group_names_its_routes(lexicon: Lexicon) -> None:
    named = query.load_query("studies-by-route")
    for value in ("cns", "CNS", "central nervous system route", "stemkg:route-group-cns"):
        assert query.bind(named, {"route": value}, lexicon) == {
            Variable("route"): NamedNode(GROUP + "cns")
        }


def test_route_cns_finds_the_intrathecal_and_intracerebral_studies(
    built_data: BuildResult, lexicon: Lexicon
) -> None:
    cns = _rows(built_data, "studies-by-route", lexicon, route="cns")
    assert {r["study"] for r in cns} == {
        "study/NCT01051882",
        "study/NCT01363401-phase-1",
        "study/NCT01151124",  # intracerebral (PISCES)
        "study/NCT04802733",  # intracerebral (bemdaneprocel)
    }
    assert {r["routeLabel"] for r in cns} == {"central nervous system route"}
    intrathecal = _rows(built_data, "studies-by-route", lexicon, route="intrathecal")
    assert {r["study"] for r in intrathecal} < {r["study"] for r in cns}
    systemic = {
        r["study"] for r in _rows(built_data, "studies-by-route", lexicon, route="systemic")
    }
    assert "study/NCT00395200" in systemic and not systemic & {r["study"] for r in intrathecal}


def test_cell_types_by_route_and_condition(built: BuildResult, lexicon: Lexicon) -> None:
    rows = _rows(
        built,
        "cell-types-by-route-and-condition",
        lexicon,
        route="cns",
        condition="neurodegenerative disease",
    )
    assert {r["conditionLabel"] for r in rows} == {"amyotrophic lateral sclerosis"}
    assert {r["routeLabel"] for r in rows} == {"Intrathecal Route of Administration"}
    oh = [r for r in rows if r["arm"] == "intrathecal BM-MSC"]
    assert [(r["study"], r["phaseLabel"], r["armParticipants"], r["enrolled"]) for r in oh] == [
        ("study/NCT01363401-phase-1", "Phase I Trial", "7", "8")
    ]
    knee = _rows(
        built, "cell-types-by-route-and-condition", lexicon, condition="knee osteoarthritis"
    )
    assert {r["routeLabel"] for r in knee} == {"Intraarticular Route of Administration"}
    assert {r["cellTypeLabel"] for r in knee} == {"mesenchymal stem cell of the bone marrow"}


def test_autologous_vs_allogeneic(built_data: BuildResult, lexicon: Lexicon) -> None:
    rows = {r["conditionLabel"]: r for r in _rows(built_data, "autologous-vs-allogeneic", lexicon)}
    als = rows["amyotrophic lateral sclerosis"]
    assert (als["autologousStudies"], als["allogeneicStudies"]) == ("2", "0")
    assert (als["autologousList"], als["allogeneicList"]) == (
        "NCT01051882 NCT01363401-phase-1",
        "",
    )
    both = rows["ischemic cardiomyopathy"]  # POSEIDON: one arm of each
    assert (both["autologousList"], both["allogeneicList"]) == ("NCT01087996", "NCT01087996")
    neuro = _rows(
        built_data, "autologous-vs-allogeneic", lexicon, condition="neurodegenerative disease"
    )
    assert {r["conditionLabel"] for r in neuro} == {
        "amyotrophic lateral sclerosis",
        "multiple sclerosis",
        "progressive supranuclear palsy",
        "secondary progressive multiple sclerosis",
    }


def test_dose_and_follow_up(built: BuildResult, lexicon: Lexicon) -> None:
    rows = _rows(built, "dose-and-follow-up", lexicon, study="NCT01363401-phase-1")
    curated = [r for r in rows if r["source"] == "curated:pmid:25934946"]
    assert [
        (r["arm"], r["dose"], r["doseUnit"], r["administrations"], r["interval"], r["followUp"])
        for r in curated
    ] == [("intrathecal BM-MSC", "1000000", "cells/kg", "2", "P26D", "P1Y")]
    als = _rows(built, "dose-and-follow-up", lexicon, condition="motor neuron disease")
    assert {r["study"] for r in als} == {"study/NCT01051882", "study/NCT01363401-phase-1"}


DESCRIPTION = f"""PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?title ?licence ?version ?triples ?entities ?studies (COUNT(DISTINCT ?source) AS ?sources)
WHERE {{ GRAPH <{DATASET_GRAPH}> {{
  <{DATASET}> a void:Dataset, dcat:Dataset ; dct:title ?title ; dct:license ?licence ;
      dcat:version ?version ; void:triples ?triples ; void:entities ?entities ;
      dct:source ?source ; void:classPartition ?part .
  ?part void:class <https://w3id.org/stemkg/vocab/Study> ; void:entities ?studies }} }}
GROUP BY ?title ?licence ?version ?triples ?entities ?studies"""


def test_the_dataset_describes_the_build(built_data: BuildResult) -> None:
    store = open_store(built_data.out_dir)
    result = store.query(DESCRIPTION)
    (row,) = list(result)  # type: ignore[arg-type]
    value = {v.value: row[v].value for v in result.variables}  # type: ignore[union-attr, index]
    assert value["licence"] == "https://spdx.org/licenses/MIT"
    assert value["version"] == software_version()
    assert int(value["sources"]) == len(built_data.sources) == 23
    assert int(value["studies"]) == built_data.studies == 13
    described = sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(DATASET_GRAPH)))
    assert int(value["triples"]) == built_data.triples - described
    minted = store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER (?g NOT IN (<{DATASET_GRAPH}>, <https://w3id.org/stemkg/id/graph/ontology>) "
        '&& STRSTARTS(STR(?s), "https://w3id.org/stemkg/id/")) }'
    )
    assert int(value["entities"]) == int(next(iter(minted))[0].value)  # type: ignore[index, union-attr, arg-type]
