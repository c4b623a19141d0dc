"""Mapping records to quads: named graph, provenance, evidence behind every value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Store

from stemkg.lexicon import Lexicon
from stemkg.model import RecordFile
from stemkg.rdf import SourceInput, map_source
from stemkg.vocab import ID, VOCAB, P

HASH = "sha256:" + "0" * 64


def mapped(record: dict[str, Any], lexicon: Lexicon, key: str = "trial") -> Store:
    parsed = RecordFile.model_validate(record, context={"lexicon": lexicon})
    keys = tuple(f"nct:NCT0000000{n}" for n in range(len(parsed.reports)))
    store = Store()
    store.extend(map_source(SourceInput(key, f"{key}.yaml", HASH, parsed, keys, "1.0")))
    return store


def test_one_named_graph_no_blank_nodes(record: dict[str, Any], lexicon: Lexicon) -> None:
    store = mapped(record, lexicon)
    graphs = {q.graph_name for q in store}
    assert graphs == {NamedNode("https://w3id.org/stemkg/id/graph/trial")}
    for q in store:
        assert not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)


def test_every_value_has_evidence(record: dict[str, Any], lexicon: Lexicon) -> None:
    store = mapped(record, lexicon)
    rows = store.query(
        """PREFIX s: <https://w3id.org/stemkg/vocab/>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?p ?o ?field WHERE { GRAPH ?g {
          ?e a s:ValueEvidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
             s:recordField ?field . ?s ?p ?o } }"""
    )
    fields = {str(r["field"].value) for r in rows}  # type: ignore[union-attr]
    assert "reports[0].arms[0].therapy.routes[0]" in fields
    assert "reports[0].participants.enrolled" in fields
    assert "reports[0].outcomes[0].value.denominator" in fields


def test_locator_is_inherited_and_overridden(record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["evidence"] = {"locator": "Abstract"}
    record["reports"][0]["participants"]["enrolled"] = {"value": 8, "locator": "Table 1"}
    store = mapped(record, lexicon)
    found = {
        str(r["f"].value): str(r["l"].value)  # type: ignore[union-attr]
        for r in store.query(  # type: ignore[union-attr]
            """PREFIX s: <https://w3id.org/stemkg/vocab/>
            SELECT ?f ?l WHERE { GRAPH ?g { ?e s:recordField ?f ; s:locator ?l } }"""
        )
    }
    assert found["reports[0].participants.enrolled"] == "Table 1"
    assert found["reports[0].conditions[0]"] == "Abstract"


def test_provenance_without_wall_clock(record: dict[str, Any], lexicon: Lexicon) -> None:
    store = mapped(record, lexicon)
    hashes = [q.object.value for q in store if q.predicate == NamedNode(P.contentHash)]  # type: ignore[union-attr]
    assert hashes == [HASH, HASH]  # the source and its graph
    text = " ".join(str(q) for q in store)
    assert "dateTime" not in text and "generatedAtTime" not in text


def test_mapping_is_deterministic(record: dict[str, Any], lexicon: Lexicon) -> None:
    assert list(mapped(record, lexicon)) == list(mapped(record, lexicon))


def test_two_reports_of_one_study_in_a_source_is_an_error(
    record: dict[str, Any], lexicon: Lexicon, tmp_path: Path
) -> None:
    parsed = RecordFile.model_validate(record, context={"lexicon": lexicon})
    doubled = parsed.model_copy(update={"reports": parsed.reports * 2})
    src = SourceInput("x", "x.yaml", HASH, doubled, ("k", "k"), "1.0")
    try:
        map_source(src)
    except Exception as exc:
        assert "same study" in str(exc)
    else:
        raise AssertionError("expected MappingError")


def _objects(store: Store, subject: str | None, predicate: str) -> set[str]:
    node = NamedNode(subject) if subject else None
    return {
        str(q.object.value) for q in store.quads_for_pattern(node, NamedNode(predicate), None, None)
    }


def test_unmapped_term_is_a_local_node(record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["conditions"].insert(
        0, {"label": "Chronic venous leg wound", "unmapped": True}
    )
    store = mapped(record, lexicon)
    node = f"{ID}term/condition/chronic-venous-leg-wound"
    assert _objects(store, node, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {
        VOCAB + "UnmappedTerm"
    }
    assert _objects(store, node, P.termKind) == {VOCAB + "term-kind-condition"}
    assert _objects(store, None, P.primaryCondition) == {node}
    assert _objects(store, None, P.condition) == {
        node,
        "http://purl.obolibrary.org/obo/MONDO_0004976",
    }


def test_not_stated_names_the_property(record: dict[str, Any], lexicon: Lexicon) -> None:
    therapy = record["reports"][0]["arms"][0]["therapy"]
    del therapy["routes"]
    therapy["not_stated"] = ["routes", "dose"]
    del therapy["dose"]
    store = mapped(record, lexicon)
    assert _objects(store, None, P.notStated) == {P.route, P.doseValue}
    assert not _objects(store, None, P.route)


def test_registry_fields_and_planned_measures(record: dict[str, Any], lexicon: Lexicon) -> None:
    store = mapped(record, lexicon)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    [start] = store.quads_for_pattern(None, NamedNode(P.startDate), None, None)
    assert str(start.object).endswith(f"^^<{xsd}gYearMonth>")
    [end] = store.quads_for_pattern(None, NamedNode(P.completionDate), None, None)
    assert str(end.object).endswith(f"^^<{xsd}date>")
    assert _objects(store, None, P.trialStatus) == {VOCAB + "status-completed"}
    assert _objects(store, None, P.enrollmentType) == {VOCAB + "enrollment-actual"}
    assert _objects(store, None, P.priority) == {
        VOCAB + "priority-primary",
        VOCAB + "priority-secondary",
    }
    assert _objects(store, None, P.timeFrame) == {"12 months", "6 months"}


def _outcome_iris(store: Store) -> set[str]:
    return {
        str(q.subject.value) for q in store.quads_for_pattern(None, NamedNode(P.outcomeOf), None)
    }


def test_outcome_iris_do_not_depend_on_position(record: dict[str, Any], lexicon: Lexicon) -> None:
    before = _outcome_iris(mapped(record, lexicon))
    outcomes = record["reports"][0]["outcomes"]
    outcomes.insert(0, {"measure": "ALSFRS-R", "direction": "improved", "timepoint": "P3M"})
    outcomes[1]["direction"] = "mild_adverse_events"  # a corrected direction keeps the IRI
    after = _outcome_iris(mapped(record, lexicon))
    assert before < after and len(after - before) == 1


def test_a_repeated_outcome_maps_to_one_node(record: dict[str, Any], lexicon: Lexicon) -> None:
    before = _outcome_iris(mapped(record, lexicon))
    outcomes = record["reports"][0]["outcomes"]
    outcomes.append(dict(outcomes[0]))
    assert _outcome_iris(mapped(record, lexicon)) == before


def test_an_outcome_naming_no_arm_covers_the_treated_arms_not_the_control(
    record: dict[str, Any], lexicon: Lexicon
) -> None:
    report = record["reports"][0]
    report["arms"].append({"label": "saline", "participants": 7, "comparator": True})
    report["outcomes"].append(
        {"measure": "adverse event", "direction": "no_change", "arms": ["saline"]}
    )
    store = mapped(record, lexicon)
    covered = {
        (str(q.subject.value), q.object.value.rsplit("/", 1)[-1])
        for q in store.quads_for_pattern(None, NamedNode(P.coversArm), None)
    }
    by_outcome: dict[str, set[str]] = {}
    for outcome, arm in covered:
        by_outcome.setdefault(outcome, set()).add(arm)
    assert sorted(map(sorted, by_outcome.values())) == [
        ["intrathecal"],
        ["intrathecal"],
        ["saline"],
    ]
