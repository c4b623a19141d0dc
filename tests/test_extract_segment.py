"""Segment: several studies in one article, each its own report."""

from __future__ import annotations

from stemkg.extract import extract
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.vocab import load_resources


def test_numbered_animal_studies_are_two_reports() -> None:
    text = (
        "Roundup: cells for burns in rodents\n\n"
        "Two animal studies tested stem cells on burn wounds.\n\n"
        "1. Adipose cells in mice\n\n"
        "A group burned the skin of 24 nude mice and injected adipose-derived mesenchymal "
        "stem cells under the wound in half of them. Treated wounds had more collagen.\n\n"
        "2. Marrow cells in rats\n\n"
        "Another team gave 30 rats bone marrow mesenchymal stem cells by intravenous "
        "infusion. Wound area fell by day 10 in the treated animals."
    )
    doc = Document("t", "Roundup: cells for burns in rodents", text, SourceKind.NEWS)
    reports = extract(doc, load_resources()).reports
    assert len(reports) == 2
    assert [r.design.study_type.value for r in reports] == ["animal", "animal"]
