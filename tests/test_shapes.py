"""Every SHACL constraint has a conforming fixture (the base graph) and a violating one."""

from __future__ import annotations

from typing import Any

import pytest
from pyoxigraph import NamedNode, Store

from stemkg.grading import GRADES_GRAPH, GradedReport, ReportDesign, grade_quads, load_table
from stemkg.lexicon import Lexicon
from stemkg.model import StudyType
from stemkg.validate import validate_graphs
from tests import test_rdf

PREFIXES = """PREFIX s: <https://w3id.org/stemkg/vocab/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX obo: <http://purl.obolibrary.org/obo/>
"""
G = "<https://w3id.org/stemkg/id/graph/trial>"


def mapped(record: dict[str, Any], lexicon: Lexicon) -> Store:
    """The record's source graph and the grades graph a build adds for its studies."""
    store = test_rdf.mapped(record, lexicon)
    rows = store.query(
        "SELECT ?s ?r WHERE { GRAPH ?g { ?r <https://w3id.org/stemkg/vocab/aboutStudy> ?s } }"
    )
    reports = [
        GradedReport(row[0].value, row[1].value, ReportDesign(StudyType.INTERVENTIONAL))  # type: ignore[index, union-attr]
        for row in rows  # type: ignore[union-attr]
    ]
    store.extend(grade_quads(reports, load_table()))
    return store


def _replace(pattern: str, new: str) -> str:
    """An update that rewrites matches of ``pattern`` inside the graph into ``new``."""
    return (
        f"DELETE {{ GRAPH {G} {{ {pattern} }} }} INSERT {{ GRAPH {G} {{ {new} }} }} "
        f"WHERE {{ GRAPH {G} {{ {pattern} }} }}"
    )


def _delete(pattern: str, where: str = "") -> str:
    """An update that deletes ``pattern`` where it (and ``where``) match."""
    return f"DELETE {{ GRAPH {G} {{ {pattern} }} }} WHERE {{ GRAPH {G} {{ {pattern} . {where} }} }}"


# (shape, update that breaks it)
CASES = [
    ("report-condition", _delete("?r s:condition ?c")),
    (
        "report-primary-condition",
        _replace("?r s:primaryCondition ?c", "?r s:primaryCondition ?c, obo:MONDO_0005301"),
    ),
    ("report-primary-condition-given", _delete("?r s:primaryCondition ?c")),
    ("report-source", _delete("?r prov:wasDerivedFrom ?s", "?r a s:StudyReport")),
    ("report-study", _delete("?r s:aboutStudy ?s")),
    ("report-study-type", _replace("?r s:studyType ?d", "?r s:studyType s:direction-improved")),
    ("report-allocation", _replace("?r s:allocation ?d", "?r s:allocation s:donor-autologous")),
    ("report-masking", _replace("?r s:masking ?d", "?r s:masking s:modality-hedged")),
    (
        "report-intervention-model",
        _replace("?r s:interventionModel ?d", "?r s:interventionModel s:masking-double"),
    ),
    ("report-control", _replace("?r s:control ?d", "?r s:control s:modality-hedged")),
    ("report-enrolled", _replace("?r s:enrolled ?n", "?r s:enrolled -1")),
    ("report-treated", _replace("?r s:treated ?n", '?r s:treated "seven"')),
    (
        "report-enrollment-type",
        _replace("?r s:enrollmentType ?t", "?r s:enrollmentType s:status-completed"),
    ),
    ("report-phase", _replace("?r s:phase ?p", "?r s:phase obo:NCIT_C38267")),
    ("report-follow-up", _replace("?r s:followUp ?f", '?r s:followUp "a year"')),
    ("report-status", _replace("?r s:trialStatus ?t", "?r s:trialStatus s:masking-double")),
    ("report-start-date", _replace("?r s:startDate ?d", '?r s:startDate "March 2011"')),
    ("report-completion-date", _replace("?r s:completionDate ?d", '?r s:completionDate "soon"')),
    ("report-sponsor", _replace("?r s:sponsor ?x", '?r s:sponsor ?x, "Another sponsor"')),
    ("report-condition-is-disease", _replace("?r s:condition ?c", "?r s:condition obo:CL_0000134")),
    ("arm-report", _delete("?a s:armOf ?r")),
    ("arm-participants", _replace("?a s:participants ?n", "?a s:participants -7")),
    ("arm-therapy", _delete("?a s:therapy ?t")),
    ("arm-phase", _replace("?a s:therapy ?t", "?a s:therapy ?t ; s:phase obo:CL_0000134")),
    ("arm-cells-and-route", _delete("?t s:route ?x")),
    ("arm-exposure", _replace("?r s:studyType ?d", "?r s:studyType s:study-type-in-vitro")),
    ("therapy-donor", _replace("?t s:donor ?d", "?t s:donor s:study-type-animal")),
    (
        "therapy-exposure",
        _replace("?t s:donor ?d", "?t s:donor ?d ; s:exposure s:donor-allogeneic"),
    ),
    ("therapy-dose", _replace("?t s:doseValue ?d", "?t s:doseValue 0.0")),
    ("therapy-administrations", _replace("?t s:administrations ?n", "?t s:administrations 0")),
    ("therapy-interval", _replace("?t s:interval ?i", '?t s:interval "26 days"')),
    ("therapy-route-is-route", _replace("?t s:route ?x", "?t s:route obo:UBERON_0002371")),
    ("outcome-report", _delete("?o s:outcomeOf ?r")),
    ("outcome-measure", _delete("?o s:measure ?m")),
    ("outcome-direction", _replace("?o s:direction ?d", "?o s:direction s:study-type-animal")),
    ("outcome-modality", _delete("?o s:modality ?m")),
    ("outcome-numerator", _replace("?o s:numerator ?n", "?o s:numerator -1")),
    ("outcome-denominator", _replace("?o s:denominator ?n", "?o s:denominator 0")),
    ("outcome-percent", _replace("?o s:numerator ?n", "?o s:numerator ?n ; s:percent 150.0")),
    ("outcome-timepoint", _replace("?o s:numerator ?n", '?o s:numerator ?n ; s:timepoint "P6M"')),
    ("planned-report", _delete("?m s:plannedMeasureOf ?r")),
    ("planned-title", _delete("?m dcterms:title ?t", "?m a s:PlannedMeasure")),
    ("planned-priority", _replace("?m s:priority ?p", "?m s:priority s:masking-single")),
    ("planned-time-frame", _replace("?m s:timeFrame ?t", '?m s:timeFrame ?t, "later"')),
    ("unmapped-label", _delete("?u rdfs:label ?l", "?u a s:UnmappedTerm")),
    ("unmapped-kind", _replace("?u s:termKind ?k", "?u s:termKind s:term-kind-phase")),
    ("study-grade", _replace("?s s:studyKey ?k", "?s s:studyKey ?k ; s:evidenceGrade <urn:grade>")),
    ("study-grade", f"DELETE WHERE {{ GRAPH <{GRADES_GRAPH}> {{ ?s s:evidenceGrade ?g }} }}"),
    (
        "rule-level",
        _replace("?s s:studyKey ?k", '?s s:studyKey ?k . <urn:r> a s:GradingRule ; rdfs:label "r"'),
    ),
    (
        "rule-label",
        _replace("?s s:studyKey ?k", "?s s:studyKey ?k . <urn:r> a s:GradingRule ; s:gradeLevel 1"),
    ),
    (
        "grade-level",
        _replace(
            "?s s:studyKey ?k",
            "?s s:studyKey ?k ; s:evidenceGrade <urn:g> . "
            "<urn:g> a s:GradeAssignment ; s:gradingRule <urn:rule>",
        ),
    ),
    (
        "grade-rule",
        _replace(
            "?s s:studyKey ?k",
            "?s s:studyKey ?k ; s:evidenceGrade <urn:g> . "
            '<urn:g> a s:GradeAssignment ; s:gradeLevel "2"',
        ),
    ),
    ("source-kind", _delete("?s s:sourceKind ?k")),
    ("source-title", _delete("?s dcterms:title ?t", "?s a s:Source")),
    (
        "source-hash",
        _replace("?s a s:Source ; s:contentHash ?h", '?s a s:Source ; s:contentHash "md5:1"'),
    ),
    ("evidence-subject", _replace("?e rdf:subject ?s", "?e rdf:subject ?s, <urn:x>")),
    ("evidence-predicate", _delete("?e rdf:predicate ?p")),
    ("evidence-object", _delete("?e rdf:object ?o")),
    ("evidence-source", _delete("?e prov:wasDerivedFrom ?s", "?e a s:ValueEvidence")),
    ("evidence-start", _replace("?e s:recordField ?f", "?e s:recordField ?f ; s:start -4")),
    ("evidence-end", _replace("?e s:recordField ?f", '?e s:recordField ?f ; s:end "x"')),
    ("value-evidence", _delete("?e rdf:subject ?s ; rdf:predicate s:cellType")),
]


def _validate(store: Store) -> set[str]:
    graph = "https://w3id.org/stemkg/id/graph/trial"
    quads = list(store.quads_for_pattern(None, None, None, NamedNode(graph)))
    grades = store.quads_for_pattern(None, None, None, NamedNode(GRADES_GRAPH))
    report = validate_graphs([(graph, quads)], grades=grades)
    assert report.graphs == 1
    return {v.shape.rsplit("/", 1)[-1] for v in report.violations}


def test_base_graph_conforms(record: dict[str, Any], lexicon: Lexicon) -> None:
    assert _validate(mapped(record, lexicon)) == set()


@pytest.mark.parametrize(("shape", "update"), CASES, ids=[c[0] for c in CASES])
def test_violation(shape: str, update: str, record: dict[str, Any], lexicon: Lexicon) -> None:
    store = mapped(record, lexicon)
    before = len(store)
    store.update(PREFIXES + update)
    assert len(store) != before or "INSERT" in update, "the fixture did not change the graph"
    assert shape in _validate(store)


CONFORMING = [
    (
        "a route the source does not state",
        _replace("?t s:route ?x", "?t s:notStated s:route"),
    ),
    (
        "a cell type the source does not state",
        _replace("?t s:cellType ?x", "?t s:notStated s:cellType"),
    ),
    (
        "a condition the source does not state",
        _replace("?r s:condition ?c ; s:primaryCondition ?c", "?r s:notStated s:condition"),
    ),
]


@pytest.mark.parametrize(("what", "update"), CONFORMING, ids=[c[0] for c in CONFORMING])
def test_conforms(what: str, update: str, record: dict[str, Any], lexicon: Lexicon) -> None:
    store = mapped(record, lexicon)
    before = set(store)
    store.update(PREFIXES + update)
    assert set(store) != before, "the fixture did not change the graph"
    assert _validate(store) == set(), what


def test_unmapped_condition_and_route_conform(record: dict[str, Any], lexicon: Lexicon) -> None:
    report = record["reports"][0]
    report["conditions"] = [{"label": "chronic venous leg wound", "unmapped": True}]
    report["arms"][0]["therapy"]["routes"] = [{"label": "intracisternal", "unmapped": True}]
    assert _validate(mapped(record, lexicon)) == set()


def test_an_unmapped_condition_of_another_kind_violates(
    record: dict[str, Any], lexicon: Lexicon
) -> None:
    store = mapped(record, lexicon)
    store.update(
        PREFIXES
        + _replace(
            "?r s:condition ?c",
            "?r s:condition <urn:c> . <urn:c> a s:UnmappedTerm ; "
            'rdfs:label "bone marrow" ; s:termKind s:term-kind-tissue',
        )
    )
    assert "report-condition-is-disease" in _validate(store)


def test_every_shape_has_a_violating_case() -> None:
    import rdflib

    from stemkg.resources import ontology_file

    shapes = rdflib.Graph().parse(ontology_file("shapes.ttl"))
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    # every constraint carries the message a user sees; helper shapes (Disease, Route, ...) do not
    declared = {str(s).rsplit("/", 1)[-1] for s in shapes.subjects(sh.message, None)}
    assert declared == {c[0] for c in CASES}
