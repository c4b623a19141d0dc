"""Segment: several studies in one article, each its own report."""

from __future__ import annotations

from stemkg.extract import extract
from stemkg.extract.annotate import annotate
from stemkg.extract.segment import segment
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


def test_headings_on_their_own_line_above_the_text_split_a_roundup() -> None:
    """A heading line with its text right under it (no blank line), and a numbered item
    whose study is a case of one ("into a woman in her sixties")."""
    text = (
        "Eye research roundup: two early cell therapies\n\n"
        "1. A graft from the patient's own skin cells\n"
        "In 2015, surgeons transplanted a sheet of retinal pigment epithelium cells grown "
        "from induced pluripotent stem cells into a woman in her sixties with wet age-related "
        "macular degeneration. Her vision remained stable and the operation passed without "
        "serious complications.\n\n"
        "2. Embryonic stem cell-derived cells in Stargardt disease\n"
        "In a phase 1 trial, twelve patients with Stargardt disease had retinal pigment "
        "epithelium cells derived from embryonic stem cells injected under the retina. Visual "
        "acuity improved in four of them."
    )
    doc = Document("t", "Eye research roundup", text, SourceKind.NEWS)
    reports = extract(doc, load_resources()).reports
    assert len(reports) == 2
    first, second = reports
    assert first.participants is not None and first.participants.enrolled is not None
    assert first.participants.enrolled.value == 1
    assert first.species is not None and first.species.id == "NCBITaxon:9606"
    assert second.participants is not None and second.participants.enrolled is not None
    assert second.participants.enrolled.value == 12


def test_a_hard_wrapped_paragraph_is_no_heading() -> None:
    """Lines wrapped at a fixed width are as long as the next: a paragraph's first line is no
    heading even when it ends on a noun and the next line starts with a capital."""
    text = (
        "Cells for knee arthritis\n\n"
        "In a phase 1 trial, 18 patients with knee osteoarthritis received an injection\n"
        "of adipose-derived mesenchymal stem cells into the knee joint. Pain fell.\n\n"
        "Cartilage volume in the treated knees increased over the first six months\n"
        "MRI showed it, and no serious adverse events were seen in any of the patients.\n"
    )
    doc = Document("t", "Cells for knee arthritis", text, SourceKind.ABSTRACT)
    assert len(segment(annotate(doc, load_resources()))) == 1


def test_a_news_story_s_own_section_heads_do_not_split_its_study() -> None:
    """ "Who took part" and "Trial design" name no study: one trial, one report, whatever its
    regions' conditions (an adverse event read as a disease once split off it)."""
    text = (
        "Gene-corrected stem cells spare thalassaemia patients transfusions\n\n"
        "A phase 3 trial suggests that a gene therapy made from patients' own blood stem cells "
        "can free people with beta-thalassaemia from transfusions.\n\n"
        "Who took part\n\n"
        "The open-label study (NCT02906202) treated 23 patients with an intravenous infusion of "
        "their own corrected CD34+ haematopoietic stem cells. There was no comparison group.\n\n"
        "Trial design\n\n"
        "Patients received busulfan before the cells were given back.\n\n"
        "What they found\n\n"
        "Of 22 patients who could be evaluated, 20 no longer needed transfusions. One patient "
        "had thrombocytopenia."
    )
    doc = Document("t", "Gene-corrected stem cells", text, SourceKind.NEWS)
    resources = load_resources()
    assert len(segment(annotate(doc, resources))) == 1
    assert len(extract(doc, resources).reports) == 1


def test_a_heading_led_by_a_place_opens_a_roundup_item_and_a_closing_comment_is_none() -> None:
    text = (
        "Stem cells for lung failure: two trials\n\n"
        "Two randomised trials tested mesenchymal stromal cells in ARDS.\n\n"
        "Miami: a small trial with a striking figure\n\n"
        "In a phase 1 trial (NCT04355728), 24 patients with ARDS received two intravenous "
        "infusions of umbilical cord mesenchymal stromal cells or placebo. Survival improved "
        "with the cells.\n\n"
        "France: no gain in oxygenation\n\n"
        "In a phase 2 trial (NCT04333368), 45 patients with ARDS received umbilical cord "
        "mesenchymal stromal cells by intravenous infusion or placebo. Oxygenation did not "
        "improve more than with placebo.\n\n"
        "The bottom line\n\n"
        "Neither of these trials raised a safety alarm, and both studies were small."
    )
    doc = Document("t", "Stem cells for lung failure", text, SourceKind.NEWS)
    reports = extract(doc, load_resources()).reports
    assert [list(r.study.nct) for r in reports] == [["NCT04355728"], ["NCT04333368"]]


def test_a_roundup_s_preface_that_names_the_cells_is_no_study_of_its_own() -> None:
    """The preface ("we look at two small randomised trials") says the cells and the disease
    but no study: the two numbered items are the reports, not preface, item, item."""
    text = (
        "Your own stromal cells in type 1 diabetes\n\n"
        "Posted by the blog team, research desk\n\n"
        "Patients who keep some beta-cell function have fewer severe lows. "
        "Several groups have asked whether mesenchymal stromal cells from the patient could "
        "calm the immune attack in type 1 diabetes. This month we look at two small "
        "randomised trials that tried it.\n\n"
        "1. Sweden: twenty adults\n\n"
        "Researchers in Sweden enrolled twenty adults with type 1 diabetes. They were "
        "randomised to their own mesenchymal stromal cells or to no cells. C-peptide was "
        "held steady with the cells. No side effects were seen.\n\n"
        "2. Iran: a placebo-controlled crossover trial\n\n"
        "A team in Tehran randomised 21 patients with type 1 diabetes to two intravenous "
        "doses of their own bone marrow mesenchymal stromal cells or placebo. HbA1c improved "
        "with the cells."
    )
    doc = Document("t", "Your own stromal cells in type 1 diabetes", text, SourceKind.NEWS)
    reports = extract(doc, load_resources()).reports
    cells = [r.arms[0].therapy.cell_type for r in reports]
    assert [c.id if c else None for c in cells] == ["CL:0000134", "CL:0002540"]
