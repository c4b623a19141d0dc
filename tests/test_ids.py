"""IRI minting and CURIE conversion."""

from __future__ import annotations

from stemkg import ids


def test_curie_round_trip() -> None:
    for curie, iri in (
        ("CL:0000134", "http://purl.obolibrary.org/obo/CL_0000134"),
        ("NCIT:C38267", "http://purl.obolibrary.org/obo/NCIT_C38267"),
        ("EFO:0004905", "http://www.ebi.ac.uk/efo/EFO_0004905"),
        ("pubmed:26751635", "https://pubmed.ncbi.nlm.nih.gov/26751635"),
        ("clinicaltrials:NCT01363401", "https://clinicaltrials.gov/study/NCT01363401"),
    ):
        assert ids.expand(curie) == iri
        assert ids.compress(iri) == curie


def test_unknown_prefix_raises() -> None:
    try:
        ids.expand("NOPE:1")
    except ValueError as exc:
        assert "NOPE:1" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_slugs_are_stable_and_safe() -> None:
    assert ids.slug("nct:NCT01363401/phase 1") == "nct-NCT01363401-phase-1"
    assert ids.study_iri("nct:NCT01363401/phase-1").endswith("/study/NCT01363401-phase-1")
    assert ids.study_iri("pmid:26751635").endswith("/study/pmid-26751635")
    long = "x" * 200
    assert ids.slug(long) == ids.slug(long)
    assert len(ids.slug(long)) <= 60
    assert ids.slug("x" * 200) != ids.slug("x" * 199 + "y")


def test_minted_iris_depend_only_on_keys() -> None:
    report = ids.report_iri("oh-2015", "nct:NCT01363401/phase-1")
    assert report == ids.report_iri("oh-2015", "nct:NCT01363401/phase-1")
    assert report.startswith("https://w3id.org/stemkg/id/report/oh-2015/")
    arm = ids.arm_iri(report, "Intrathecal BM-MSC")
    assert arm.endswith("/arm/Intrathecal-BM-MSC")
    assert ids.evidence_iri(arm, "p", "o") != ids.evidence_iri(arm, "p", "o2")
