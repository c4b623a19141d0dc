"""Real-format files written by someone who had not seen the readers (``tests/formats/``, with
the published facts in ``FACTS.md``): every file is read, and the registry's structured fields
come out as the facts say."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemkg.extract import extract
from stemkg.extract.registry import registry_record
from stemkg.lexicon import Lexicon
from stemkg.sources import Format, detect, read_file
from stemkg.vocab import load_resources

FORMATS = Path(__file__).parent / "formats"


@pytest.mark.parametrize(
    ("name", "fmt", "studies"),
    [
        ("pubmed-efetch.xml", Format.PUBMED_XML, 5),
        ("medline.nbib", Format.MEDLINE, 2),
        ("zotero-export.ris", Format.RIS, 2),
        ("ctgov-v2-study.json", Format.REGISTRY_JSON, 1),
        ("ctgov-v2-search.json", Format.REGISTRY_JSON, 2),
        ("ctgov-v1-full.json", Format.REGISTRY_JSON, 1),
        ("NCT01287936.xml", Format.REGISTRY_XML, 1),
    ],
)
def test_every_file_is_placed_and_read(
    lexicon: Lexicon, name: str, fmt: Format, studies: int
) -> None:
    path = FORMATS / name
    assert detect(path) is fmt
    contents = read_file(path, lexicon)
    assert len(list(contents.documents)) + len(contents.trials) == studies


@pytest.mark.parametrize(
    ("name", "nct", "phase", "enrolled", "allocation", "masking", "control"),
    [
        (
            "ctgov-v2-study.json",
            "NCT02097641",
            "NCIT:C15601",
            60,
            "randomised",
            "triple",
            "placebo",
        ),
        (
            "ctgov-v2-search.json",
            "NCT01436487",
            "NCIT:C15601",
            134,
            "randomised",
            "quadruple",
            "placebo",
        ),
        (
            "ctgov-v2-search.json",
            "NCT01217008",
            "NCIT:C15600",
            5,
            "non_randomised",
            "open_label",
            "none",
        ),
        ("ctgov-v1-full.json", "NCT02032004", "NCIT:C15602", 566, "randomised", "triple", "sham"),
        ("NCT01287936.xml", "NCT01287936", "NCIT:C15693", 18, "single_group", "open_label", "none"),
    ],
)
def test_registry_fields_match_the_facts(
    lexicon: Lexicon,
    name: str,
    nct: str,
    phase: str,
    enrolled: int,
    allocation: str,
    masking: str,
    control: str,
) -> None:
    trials = {t.nct: t for t in read_file(FORMATS / name, lexicon).trials}
    [report] = registry_record(trials[nct], load_resources()).reports
    d = report.design
    assert report.phase is not None and report.phase.id == phase
    assert report.participants is not None and report.participants.enrolled is not None
    assert report.participants.enrolled.value == enrolled
    assert d.allocation is not None and d.allocation.value == allocation
    assert d.masking is not None and d.masking.value == masking
    assert d.control is not None and d.control.value == control
    assert report.conditions and all(c.id for c in report.conditions)


def test_citation_identifiers_come_from_their_fields(lexicon: Lexicon) -> None:
    docs = {d.id: d for d in read_file(FORMATS / "pubmed-efetch.xml", lexicon).documents}
    assert docs["pmid-27477896"].nct == ("NCT01541579",)
    assert docs["pmid-26140604"].not_a_study is not None  # the review
    assert extract(docs["pmid-26140604"], load_resources()).reports == []
    medline = list(read_file(FORMATS / "medline.nbib", lexicon).documents)
    assert [d.nct for d in medline] == [("NCT01087996",), ("NCT00395200",)]
    ris = list(read_file(FORMATS / "zotero-export.ris", lexicon).documents)
    assert all(d.not_a_study is None and len(d.text) > 300 for d in ris)  # AB and N2 abstracts
