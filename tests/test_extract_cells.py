"""Assemble, the therapy's terms: which cells were given, from which tissue."""

from __future__ import annotations

import pytest

from stemkg.extract import extract
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.vocab import load_resources
from tests.extract_texts import TRIAL


def test_a_product_name_gives_its_cell_type_where_the_text_says_only_stem_cells() -> None:
    text = (
        "Stem cells tested in graft-versus-host disease\n\nIn a phase 3 trial, 55 children with "
        "steroid-refractory acute graft-versus-host disease received remestemcel-L, a stem cell "
        "product. By day 28, 38 of 55 responded, and no serious adverse events were linked to "
        "the infusions, the researchers reported in the journal."
    )
    [report] = extract(Document("g", "t", text), load_resources()).reports
    therapy = report.arms[0].therapy
    assert therapy.cell_type and therapy.cell_type.id == "CL:0002540"
    assert therapy.donor and therapy.donor.value == "allogeneic"
    assert therapy.name and therapy.name.value == "remestemcel-L"


def test_cells_made_from_stem_cells_are_the_cells_given() -> None:
    text = (
        "Eye patch trial reports early results\n\nIn a phase 1 study, two patients with "
        "age-related macular degeneration received a patch of retinal pigment epithelial cells "
        "derived from human embryonic stem cells. Both patients read more letters on the chart "
        "after 12 months, and no serious adverse events were reported."
    )
    [report] = extract(Document("e", "t", text), load_resources()).reports
    cell = report.arms[0].therapy.cell_type
    assert cell is not None and cell.id == "CL:0002586"


def test_a_stem_cell_transplant_is_of_haematopoietic_stem_cells() -> None:
    text = (
        "Transplant beats drugs in multiple sclerosis\n\nIn a randomised trial, 110 patients "
        "with relapsing multiple sclerosis received either an autologous stem cell transplant "
        "after chemotherapy or drug therapy. Disability improved in the transplant group, the "
        "researchers reported, and no deaths occurred."
    )
    [report] = extract(Document("m", "t", text), load_resources()).reports
    cell = report.arms[0].therapy.cell_type
    assert cell is not None and cell.id == "CL:0000037"


def _cells(text: str) -> list[tuple[str | None, str]]:
    doc = Document("t", "Cells for angina", text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    cells = [a.therapy.cell_type for a in report.arms if a.therapy.cell_type is not None]
    return [(c.id, c.label) for c in cells]


def test_cells_no_table_names_are_kept_unmapped() -> None:
    """Cells no table names and marrow given as it is still make a study; CD34, the marker CL
    defines haematopoietic stem cells by, names those."""
    trial = (
        "In a phase 2 trial, 167 patients with refractory angina were randomised to "
        "intramyocardial injection of autologous {cells} or placebo. Angina episodes fell "
        "with the cells (6.8 vs 10.9 a week)."
    )
    assert _cells(trial.format(cells="CD34+ cells")) == [("CL:0000037", "hematopoietic stem cell")]
    assert _cells(trial.format(cells="cardiosphere-derived cells")) == [
        (None, "cardiosphere-derived cell")
    ]
    assert _cells(trial.format(cells="the patients' own cardiopoietic cells")) == [
        (None, "cardiopoietic cell")
    ]
    assert _cells(trial.format(cells="1.2 billion MultiStem cells")) == [(None, "MultiStem cell")]
    assert _cells(trial.format(cells="concentrated bone marrow")) == [
        ("CL:0002092", "bone marrow cell")
    ]


@pytest.mark.parametrize(
    "cells",
    [
        "blood stem cells",  # the lay name
        "stem cells, of which their own CD34-positive cells were collected and",  # the marker
    ],
)
def test_haematopoietic_stem_cells_by_a_lay_name_or_their_marker(cells: str) -> None:
    text = (
        f"In a phase 2 trial, 40 patients with cirrhosis received {cells} infused into the "
        "hepatic artery. Liver function improved more than with standard care."
    )
    assert _cells(text)[0][0] == "CL:0000037"


def test_cord_blood_given_as_it_is_and_marrow_cells_name_their_tissue() -> None:
    text = (
        "In a randomised phase 2 trial, 180 children with autism received a single intravenous "
        "infusion of umbilical cord blood or placebo. Stem cells in cord blood may calm "
        "inflammation. Social skills did not improve in the children given cord blood."
    )
    [report] = extract(Document("t", "Cord blood for autism", text), load_resources()).reports
    therapy = next(a for a in report.arms if not a.comparator).therapy
    assert therapy.cell_type is None and therapy.source_tissue is not None
    assert therapy.source_tissue.id == "UBERON:0012168"
    marrow = TRIAL.replace("bone marrow mesenchymal stem cells", "concentrated bone marrow")
    marrow += "The mRS score fell more in those given the marrow (P=0.01)."
    [report] = extract(Document("t", "Marrow", marrow), load_resources()).reports
    therapy = next(a for a in report.arms if not a.comparator).therapy
    assert therapy.source_tissue is not None and therapy.source_tissue.id == "UBERON:0002371"


def test_a_tissue_rich_in_cells_is_their_source() -> None:
    text = (
        "In a study of 45 adults with torn rotator cuffs, surgeons injected a concentrate of the "
        "patient's own bone marrow, rich in mesenchymal stem cells, at the repair. All 45 tears "
        "healed by six months in the treated patients."
    )
    [report] = extract(Document("t", "Marrow for shoulders", text), load_resources()).reports
    tissue = report.arms[0].therapy.source_tissue
    assert tissue is not None and tissue.id == "UBERON:0002371"


def _tissues(text: str) -> set[str | None]:
    doc = Document("t", text.split("\n")[0], text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    return {
        a.therapy.source_tissue.id
        for a in report.arms
        if a.therapy is not None and a.therapy.source_tissue is not None
    }


@pytest.mark.parametrize(
    "said",
    [
        "The product is made from a patient's own bone marrow.",
        "Each batch starts with a small sample of the patient's own bone marrow.",
    ],
)
def test_a_source_said_in_a_sentence_of_its_own(said: str) -> None:
    text = (
        "Cells for heart failure\n\nIn a phase 2 trial, 60 patients with heart failure were "
        "injected with mesenchymal stem cells into the heart muscle. " + said + " Walking "
        "distance improved more than with placebo."
    )
    assert _tissues(text) == {"UBERON:0002371"}


def test_a_tissue_a_preposition_or_a_clause_puts_before_the_cells_is_not_their_source() -> None:
    text = (
        "Marrow for colitis in mice\n\nMice with colitis were given bone marrow-derived "
        "mesenchymal stem cells intravenously. Interleukin-10 rose in the inflamed colons of "
        "BM-MSC-treated mice, and 20 treated mice lost less weight than 20 untreated mice."
    )
    assert _tissues(text) == {"UBERON:0002371"}


def _conditions(text: str) -> list[str | None]:
    doc = Document("t", text.split("\n")[0], text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    return [c.id for c in report.conditions]


def test_the_disease_of_those_studied_outvotes_the_events_counted() -> None:
    text = (
        "Cells cut heart attacks and strokes\n\nIn a randomised trial, 566 people with heart "
        "failure received injections of mesenchymal precursor cells into the heart muscle or a "
        "sham procedure. Heart attacks and strokes were fewer with the cells, but heart "
        "attacks still happened in 20 patients."
    )
    assert _conditions(text)[0] == "MONDO:0005252"  # heart failure, not myocardial infarction


def test_a_complication_developed_or_prevented_is_no_condition_studied() -> None:
    text = (
        "Cord cells added to half-matched transplants\n\nA team reported how 24 patients with "
        "severe aplastic anaemia fared after a transplant given with umbilical cord "
        "mesenchymal stem cells. The worry is graft-versus-host disease (GVHD). Drugs to "
        "prevent GVHD were given. Half of the patients developed acute GVHD, and some "
        "developed chronic GVHD. 21 of 24 were alive at three months."
    )
    assert _conditions(text)[0] == "MONDO:0015909"  # aplastic anaemia, not GVHD


@pytest.mark.parametrize(
    "who",
    [
        "Mice bred to have a severe form of osteogenesis imperfecta",
        "A mouse model of osteogenesis imperfecta",
    ],
)
def test_the_disease_an_animal_model_has_outvotes_the_events_counted(who: str) -> None:
    text = (
        f"Stem cells cut fractures in mice\n\n{who} received fetal mesenchymal stem cells by "
        "intravenous injection. Fractures fell by two-thirds; 17 of 29 treated mice had "
        "fractures, against 47 of 48 untreated mice."
    )
    assert _conditions(text)[0] == "MONDO:0019019"  # osteogenesis imperfecta, not fracture


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("COVID-19 ARDS", ["MONDO:0006502", "MONDO:0100096"]),  # ARDS, of COVID-19
        ("retinitis pigmentosa", ["MONDO:0019200"]),  # no retinitis of its own
        ("COVID-19-associated ARDS", ["MONDO:0006502", "MONDO:0100096"]),  # ARDS of COVID-19
    ],
)
def test_a_condition_named_inside_another_is_studied_too(phrase: str, expected: list[str]) -> None:
    text = (
        f"Cells for {phrase}\n\nIn a phase 1 trial, 12 patients with {phrase} received an "
        f"intravenous infusion of umbilical cord mesenchymal stem cells. Their {phrase} "
        "improved more than with placebo, and no serious adverse events occurred."
    )
    assert _conditions(text) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("sepsis", "MONDO:1040015"),  # MONDO's label is "infectious disease with sepsis"
        ("rotator cuff tears", "MONDO:0007028"),  # rotator cuff syndrome
        ("lung fibrosis", "MONDO:0002771"),  # pulmonary fibrosis
    ],
)
def test_conditions_said_by_the_common_name_the_curated_layer_adds(
    phrase: str, expected: str
) -> None:
    text = (
        f"Cells for {phrase}\n\nIn a phase 1 trial, 12 patients with {phrase} received an "
        "intravenous infusion of umbilical cord mesenchymal stem cells. Walking speed "
        "improved more than with placebo."
    )
    assert _conditions(text)[0] == expected


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (  # the tissue by a synonym: Wharton's jelly is the mesenchyme of umbilical cord
            "mesenchymal stem cells taken from the Wharton's jelly of umbilical cords",
            "CL:0002568",
        ),
        (  # the cells by the text's words: a table's "mononuclear leukocyte" said otherwise
            "mononuclear cells isolated from their own bone marrow",
            "CL:0010004",
        ),
        (  # stem cells of fat are its mesenchymal stem cells (ASCs), however the text says it
            "the adipose stem cells in a small amount of fat taken from under the skin",
            "CL:0002570",
        ),
        ("stem cells grown from their own fat tissue", "CL:0002570"),
    ],
)
def test_cells_of_a_tissue_compose_by_any_name_of_either(cells: str, expected: str) -> None:
    text = (
        "Cells for a crushed nerve\n\nIn a phase 1 trial, 10 patients with optic neuropathy "
        f"received an intravitreal injection of {cells}. Vision improved in 6 of 10 patients."
    )
    assert [c for c, _ in _cells(text)] == [expected]


def test_cells_said_to_be_given_are_the_therapy_where_none_is_a_stem_cell() -> None:
    text = (
        "Muscle cells for incontinence\n\nIn a phase 1 trial, 20 women with stress urinary "
        "incontinence received injections of autologous myoblasts into the urethral sphincter. "
        "Leakage episodes fell by half in 12 of the 20 women."
    )
    assert [c for c, _ in _cells(text)] == ["CL:0000056"]


def test_who_was_studied_said_with_a_hyphenated_name() -> None:
    text = (
        "Cord cells for lung failure\n\nIn a phase 1 trial, cells were given to 24 people with "
        "COVID-19 who had developed acute respiratory distress syndrome, as intravenous "
        "infusions of umbilical cord mesenchymal stem cells. Survival improved more than with "
        "placebo in COVID-19 patients."
    )
    assert _conditions(text) == ["MONDO:0100096", "MONDO:0006502"]


@pytest.mark.parametrize(
    ("said", "donor"),
    [
        ("mesenchymal stem cells from young, unrelated male donors.", "allogeneic"),
        ("infusions of donor mesenchymal stem cells", "allogeneic"),
        ("mesenchymal stem cells that come from a donor line, not from the patient,", "allogeneic"),
        ("their own harvested and expanded mesenchymal stem cells", "autologous"),
        ("mesenchymal stem cells, which were the patient's own.", "autologous"),
    ],
)
def test_whose_cells_in_other_words(said: str, donor: str) -> None:
    text = (
        f"Cells for heart failure\n\nIn a phase 2 trial, 30 patients with heart failure "
        f"received {said} Walking distance improved more than with placebo."
    )
    doc = Document("t", "Cells for heart failure", text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    donors = {a.therapy.donor.value.value for a in report.arms if a.therapy.donor}
    assert donors == {donor}


def test_their_own_insulin_says_nothing_of_whose_cells() -> None:
    text = (
        "Cells for type 1 diabetes\n\nIn a phase 1 trial, 12 patients with type 1 diabetes who "
        "made no insulin of their own received infusions of islet cells grown from stem cells. "
        "HbA1c improved in all of them."
    )
    doc = Document("t", "Cells for type 1 diabetes", text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    assert not any(a.therapy.donor for a in report.arms)


def test_a_cell_type_with_its_abbreviation_inside_its_name() -> None:
    """ "retinal pigment epithelium (RPE) cells grown from induced pluripotent stem cells": the
    cells given are RPE cells, made from iPSCs."""
    text = (
        "In a phase 1 study, surgeons transplanted sheets of retinal pigment epithelium (RPE) "
        "cells grown from induced pluripotent stem cells under the retina of 12 patients with "
        "wet age-related macular degeneration. Visual acuity improved in four of them."
    )
    assert _cells(text)[0][0] == "CL:0002586"


def test_a_cell_named_with_its_tissue_names_the_tissue() -> None:
    """Their own blood stem cells are haematopoietic stem cells, from blood."""
    text = (
        "In a phase 2 trial, 40 patients with systemic sclerosis were given back their own blood "
        "stem cells intravenously after chemotherapy. The modified Rodnan skin score improved "
        "more than with cyclophosphamide."
    )
    doc = Document("t", "Cells for scleroderma", text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    therapy = report.arms[0].therapy
    assert therapy.cell_type is not None and therapy.cell_type.id == "CL:0000037"
    assert therapy.source_tissue is not None and therapy.source_tissue.id == "UBERON:0000178"


@pytest.mark.parametrize(
    ("said", "cell"),
    [
        ("bone marrow-derived stromal cells", "CL:0002540"),
        ("bone marrow derived stromal cells", "CL:0002540"),
        ("adipose-derived stem cells", "CL:0002570"),
        ("umbilical cord-derived mesenchymal stem cells", "CL:0002569"),
    ],
)
def test_a_source_said_with_derived_names_the_same_cells(said: str, cell: str) -> None:
    text = (
        f"Cells tested in knee osteoarthritis\n\nIn a phase 1 trial, 18 patients with knee "
        f"osteoarthritis received {said} by intra-articular injection. Pain scores improved "
        f"over 12 months, the team reported."
    )
    [report] = extract(Document("d", "t", text), load_resources()).reports
    therapy = report.arms[0].therapy
    assert therapy.cell_type and therapy.cell_type.id == cell


def test_allogeneic_naming_an_earlier_transplant_is_not_the_cells_donor() -> None:
    text = (
        "Cells tested in graft-versus-host disease\n\nIn a phase 2 trial, 40 patients who "
        "developed acute graft-versus-host disease after allogeneic haematopoietic stem cell "
        "transplantation received mesenchymal stem cells intravenously. No serious adverse "
        "events were seen, the researchers reported."
    )
    [report] = extract(Document("g", "t", text), load_resources()).reports
    assert report.arms[0].therapy.donor is None


@pytest.mark.parametrize(
    "cells", ["CD34+ blood stem and progenitor cells", "haematopoietic stem and progenitor cells"]
)
def test_stem_and_progenitor_cells_of_the_blood_are_haematopoietic_stem_cells(cells: str) -> None:
    text = (
        f"In a phase 3 trial, 44 patients with sickle cell disease had their own {cells} "
        "edited and infused into a vein. Severe crises fell in 39 of them."
    )
    assert ("CL:0000037", "hematopoietic stem cell") in _cells(text)
