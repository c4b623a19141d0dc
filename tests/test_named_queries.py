"""The named query library on the data/ build: real rows, counts that match direct SPARQL."""

from __future__ import annotations

from stemkg.lexicon import Lexicon
from stemkg.pipeline import BuildResult
from stemkg.store import open_store
from tests.named import named_rows as _rows


def _count(built: BuildResult, text: str) -> int:
    store = open_store(built.out_dir)
    row = next(iter(store.query(text, use_default_graph_as_union=True)))  # type: ignore[arg-type]
    return int(row[0].value)


def test_registry_linked_studies_match_nct_count(built: BuildResult, lexicon: Lexicon) -> None:
    rows = _rows(built, "registry-linked-studies", lexicon)
    direct = _count(
        built,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/stemkg/vocab/Study> ;"
        " <https://w3id.org/stemkg/vocab/nct> ?x }",
    )
    assert rows and len({r["study"] for r in rows}) == direct
    assert all(r["nct"] and r["nct"].startswith("NCT") for r in rows)


def test_donor_by_condition_counts_both_kinds(built: BuildResult, lexicon: Lexicon) -> None:
    labels = {r["donorLabel"] for r in _rows(built, "donor-by-condition", lexicon)}
    assert len(labels) == 2


def test_unmapped_terms_have_kinds(built: BuildResult, lexicon: Lexicon) -> None:
    rows = _rows(built, "unmapped-terms", lexicon)
    assert all(r["kind"] and int(r["uses"] or 0) > 0 for r in rows)


def test_a_broader_condition_finds_the_studies_of_narrower_ones(
    built: BuildResult, lexicon: Lexicon
) -> None:
    als = {r["study"] for r in _rows(built, "studies-by-condition", lexicon, condition="ALS")}
    motor = _rows(built, "studies-by-condition", lexicon, condition="motor neuron disease")
    assert als and {r["study"] for r in motor} == als  # ALS is a motor neuron disease
    assert {r["reportedLabel"] for r in motor} == {"amyotrophic lateral sclerosis"}
    broad = _rows(built, "studies-by-condition", lexicon, condition="neurodegenerative disease")
    assert als < {r["study"] for r in broad}  # and MS, PSP ... are neurodegenerative too
    knee = _rows(built, "studies-by-condition", lexicon, condition="knee osteoarthritis")
    assert not als & {r["study"] for r in knee}


def test_studies_without_serious_adverse_events_are_asserted_findings(
    built: BuildResult, lexicon: Lexicon
) -> None:
    rows = _rows(built, "studies-without-serious-adverse-events", lexicon)
    expected = _count(
        built,
        """PREFIX s: <https://w3id.org/stemkg/vocab/>
        SELECT (COUNT(DISTINCT ?study) AS ?n) WHERE {
          ?o s:outcomeOf/s:aboutStudy ?study ; s:modality s:modality-asserted ;
             s:direction ?d .
          FILTER (?d IN (s:direction-no-serious-adverse-events,
                         s:direction-no-treatment-related-adverse-events)) }""",
    )
    assert expected > 0 and len({r["study"] for r in rows}) == expected
    als = _rows(built, "studies-without-serious-adverse-events", lexicon, condition="ALS")
    assert "study/NCT01363401-phase-1" in {r["study"] for r in als}


def test_outcomes_by_direction_keep_modalities_apart(built: BuildResult, lexicon: Lexicon) -> None:
    rows = _rows(built, "outcomes-by-direction", lexicon)
    total = """PREFIX s: <https://w3id.org/stemkg/vocab/>
        SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {
          ?o s:outcomeOf/s:condition ?c ; s:direction ?d ; s:modality ?m . %s }"""
    assert sum(int(r["findings"] or 0) for r in rows) == _count(built, total % "")
    for modality in ("asserted", "negated", "hedged"):
        kept = _rows(built, "outcomes-by-direction", lexicon, modality=modality)
        assert {r["modalityLabel"] for r in kept} <= {modality}  # bound, though not projected
        direct = _count(built, total % f"FILTER (?m = s:modality-{modality})")
        assert sum(int(r["findings"] or 0) for r in kept) == direct
    assert _rows(built, "outcomes-by-direction", lexicon, modality="asserted")
