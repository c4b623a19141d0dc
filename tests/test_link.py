"""The linking rule: which reports meet on one study."""

from __future__ import annotations

from stemkg.link import ReportRef, link_studies
from stemkg.model import StudyRef


def _ref(source: str, **study: object) -> ReportRef:
    return ReportRef(source, 0, StudyRef.model_validate(study))


def test_shared_registry_id_and_stage_meet() -> None:
    a = _ref("a", nct="NCT01363401", stage="phase 1")
    b = _ref("b", nct="NCT01363401", stage="Phase 1")
    keys = link_studies([a, b]).keys
    assert keys[("a", 0)] == keys[("b", 0)] == "nct:NCT01363401/phase-1"


def test_stages_of_one_registry_id_stay_apart() -> None:
    a = _ref("a", nct="NCT01363401", stage="phase 1")
    b = _ref("b", nct="NCT01363401", stage="phase 2")
    keys = link_studies([a, b]).keys
    assert keys[("a", 0)] != keys[("b", 0)]


def test_id_without_stage_joins_the_only_stage() -> None:
    a = _ref("a", nct="NCT01363401", stage="phase 1")
    b = _ref("b", nct="NCT01363401")
    assert link_studies([a, b]).keys[("b", 0)] == "nct:NCT01363401/phase-1"


def test_pmid_joins_the_registered_study() -> None:
    a = _ref("a", nct="NCT01051882", pmid="26751635")
    b = _ref("b", pmid="26751635")
    keys = link_studies([a, b]).keys
    assert keys[("b", 0)] == "nct:NCT01051882"


def test_second_registry_id_is_an_identifier() -> None:
    a = _ref("a", nct=["NCT01051882", "NCT01777646"])
    b = _ref("b", doi="10.1000/x")
    c = _ref("c", pmid="1", doi="10.1000/X")
    keys = link_studies([a, b, c]).keys
    assert keys[("a", 0)] == "nct:NCT01051882"
    assert keys[("b", 0)] == keys[("c", 0)] == "pmid:1"


def test_ambiguous_match_stays_apart() -> None:
    a = _ref("a", nct="NCT00000001", pmid="42")
    b = _ref("b", nct="NCT00000002", pmid="42")
    c = _ref("c", pmid="42")
    linking = link_studies([a, b, c])
    assert linking.keys[("c", 0)] == "pmid:42"
    [amb] = linking.ambiguous
    assert amb.source_key == "c"
    assert amb.candidates == ("nct:NCT00000001", "nct:NCT00000002")


def test_no_identifier_is_its_own_study() -> None:
    keys = link_studies([_ref("a"), _ref("b")]).keys
    assert keys[("a", 0)] == "source:a/0"
    assert keys[("b", 0)] == "source:b/0"


def test_documented_key_links() -> None:
    keys = link_studies([_ref("a", key="PLoS One ALS MSC"), _ref("b", key="plos-one-als-msc")]).keys
    assert keys[("a", 0)] == keys[("b", 0)] == "key:plos-one-als-msc"


def test_order_does_not_matter() -> None:
    refs = [
        _ref("a", nct="NCT01051882", pmid="26751635"),
        _ref("b", pmid="26751635", doi="10.1000/y"),
        _ref("c", doi="10.1000/Y"),
    ]
    assert link_studies(refs).keys == link_studies(refs[::-1]).keys
