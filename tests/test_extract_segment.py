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


def test_a_later_study_of_the_same_cells_takes_the_donor_an_earlier_one_states() -> None:
    text = (
        "Two trials of donor cells for heart failure\n\n"
        "In a first trial (NCT01111111), 40 patients with heart failure received intravenous "
        "infusions of umbilical cord mesenchymal stem cells from unrelated donors. Walking "
        "distance improved more than with placebo.\n\n"
        "In a second trial (NCT02222222), 60 patients with heart failure received "
        "intracoronary infusions of umbilical cord mesenchymal stem cells. Ejection fraction "
        "improved more than with placebo."
    )
    doc = Document("t", "Two trials of donor cells for heart failure", text, SourceKind.NEWS)
    reports = extract(doc, load_resources()).reports
    assert len(reports) == 2
    donors = [
        (a.therapy.donor.value.value, a.therapy.donor.method)
        for r in reports
        for a in r.arms
        if not a.comparator and a.therapy is not None and a.therapy.donor is not None
    ]
    assert donors == [("allogeneic", "donor-cue"), ("allogeneic", "earlier-study")]


def test_a_citation_line_gives_the_venue_and_year() -> None:
    text = (
        "Cells after heart attack\n\nIn a randomised trial, 120 patients with myocardial "
        "infarction received intracoronary bone marrow mononuclear cells or placebo. Ejection "
        "fraction improved more with the cells.\n\nTraverse JH, et al. JAMA. 2012;308(22):2380-9."
    )
    record = extract(Document("t", "Cells after heart attack", text), load_resources())
    assert (record.source.venue, record.source.year) == ("JAMA", 2012)
