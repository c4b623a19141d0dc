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
    assert keys[("a", 0)] == "source:a"
    assert keys[("b", 0)] == "source:b"


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


def test_a_report_listing_two_registry_ids_pools_them() -> None:
    """Seed B: one paper covers NCT01051882 and NCT01777646; each registry record joins it."""
    paper = _ref("paper", nct=["NCT01051882", "NCT01777646"], pmid="26751635")
    first = _ref("registry-1", nct="NCT01051882")
    second = _ref("registry-2", nct="NCT01777646")
    news = _ref("news", pmid="26751635")
    for refs in ([paper, first, second, news], [second, news, first, paper]):
        keys = link_studies(refs).keys
        assert set(keys.values()) == {"nct:NCT01051882"}


def test_pooling_is_transitive() -> None:
    a = _ref("a", nct=["NCT00000001", "NCT00000002"])
    b = _ref("b", nct=["NCT00000002", "NCT00000003"])
    c = _ref("c", nct="NCT00000003")
    assert set(link_studies([a, b, c]).keys.values()) == {"nct:NCT00000001"}


def test_publications_meet_transitively_and_join_the_trial() -> None:
    a = _ref("a", nct="NCT00000001", doi="10.1000/d")
    b = _ref("b", doi="10.1000/D", pmid="7")
    c = _ref("c", pmid="7")
    keys = link_studies([a, b, c]).keys
    assert keys[("b", 0)] == keys[("c", 0)] == "nct:NCT00000001"


def test_a_shared_pmid_does_not_merge_two_trials() -> None:
    a = _ref("a", nct="NCT00000001", pmid="42")
    b = _ref("b", nct="NCT00000002", pmid="42")
    linking = link_studies([a, b])
    assert linking.keys[("a", 0)] != linking.keys[("b", 0)]
    [conflict] = linking.conflicts
    assert conflict.token == "pmid:42"
    assert conflict.studies == ("nct:NCT00000001", "nct:NCT00000002")


def test_one_source_may_split_a_paper_by_trial() -> None:
    a = ReportRef("paper", 0, StudyRef(nct=("NCT00000001",), pmid="42"))
    b = ReportRef("paper", 1, StudyRef(nct=("NCT00000002",), pmid="42"))
    assert link_studies([a, b]).conflicts == ()


def test_unidentified_reports_of_one_source_are_told_apart_by_content() -> None:
    a = ReportRef("page", 0, StudyRef(), local="first study")
    b = ReportRef("page", 1, StudyRef(), local="second study")
    keys = link_studies([a, b]).keys
    assert keys[("page", 0)] == "source:page/first study"
    assert keys[("page", 1)] == "source:page/second study"
