"""Assemble, the design: study type, the design axes and the host species."""

from __future__ import annotations

from typing import Any

import pytest

from stemkg.extract import extract
from stemkg.extract import quantities as q
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.vocab import load_resources
from tests.extract_texts import ARTICLE


def test_future_trials_are_not_the_design() -> None:
    text = ARTICLE.replace("An open-label phase I trial", "A phase I trial") + (
        " A larger randomised trial is now planned."
    )
    [report] = extract(Document("k", "t", text), load_resources()).reports
    assert report.design.allocation is None


@pytest.mark.parametrize(
    ("sentence", "axis", "value"),
    [
        ("Masking: Double (participant, investigator)", "masking", "double"),
        ("Masking: Quadruple", "masking", "quadruple"),
        (
            "Neither the parents nor the clinicians who assessed the children knew who had "
            "received what.",
            "masking",
            "double",
        ),
        ("It was an open-label study with one group and no placebo.", "control", "none"),
        ("The trial had a single group and no placebo.", "control", "none"),
        ("The comparison group got injections of saline.", "control", "placebo"),
        ("Controls received a dummy infusion.", "control", "placebo"),
        ("The control group had a mock injection.", "control", "sham"),
        ("Results were compared with historical controls.", "control", "historical"),
        (
            "Children were placed one after another into three dose groups.",
            "intervention_model",
            "sequential",
        ),
        ("They were given in two sequential dose cohorts.", "intervention_model", "sequential"),
        ("They were treated in two consecutive cohorts.", "intervention_model", "sequential"),
        ("Treatment was not blinded.", "masking", "open_label"),
        (
            "Neither the families nor the clinical staff knew who received which.",
            "masking",
            "double",
        ),
        (
            "Five untreated controls were enrolled first, then the treated, then five further "
            "controls.",
            "control",
            "untreated",
        ),
        ("There was no randomisation.", "allocation", "non_randomised"),
        ("Results were compared with historical controls.", "allocation", "non_randomised"),
        (
            "They were assigned in sequence to one of three dose groups.",
            "intervention_model",
            "sequential",
        ),
        (
            "They were treated in three dose cohorts, starting low and stepping up.",
            "intervention_model",
            "sequential",
        ),
        (
            "They were compared with a historical group of case-matched patients.",
            "control",
            "historical",
        ),
        (
            "The team that followed the children up did not know who had received which.",
            "masking",
            "single",
        ),
        ("Others were randomised to optimal medical therapy alone.", "control", "standard_of_care"),
        (
            "They were compared with 40 children who had the same therapy without the cells.",
            "control",
            "standard_of_care",
        ),
    ],
)
def test_masking_and_control_said_in_other_words(sentence: str, axis: str, value: str) -> None:
    text = (
        "In a phase 2 trial, 40 children with cerebral palsy received an intravenous infusion "
        f"of their own umbilical cord blood cells. {sentence} Motor function improved."
    )
    [report] = extract(
        Document("t", "Cord blood for cerebral palsy", text), load_resources()
    ).reports
    found = getattr(report.design, axis)
    assert found is not None and found.value.value == value


def _knee_study(sentence: str = "") -> Any:
    """The report of one group of knee patients given cells, with ``sentence`` said of it."""
    text = (
        "In a phase 1 study, 12 adults with knee osteoarthritis received an intra-articular "
        f"injection of adipose-derived mesenchymal stem cells. {sentence} Pain scores fell by half "
        "over six months in the patients."
    )
    [report] = extract(Document("t", "Fat cells for knees", text), load_resources()).reports
    return report


@pytest.mark.parametrize(
    ("sentence", "allocation"),
    [
        ("There was no control group.", "single_group"),
        ("It compared two doses, with no placebo.", None),
        ("", "single_group"),  # one group, and no word of any comparison
        ("Function was compared with baseline.", "single_group"),
        ("Their scores were set against 12 matched controls.", None),
    ],
)
def test_one_group_without_comparison_is_single_group(
    sentence: str, allocation: str | None
) -> None:
    report = _knee_study(sentence)
    found = report.design.allocation
    assert (found.value.value if found else None) == allocation


@pytest.mark.parametrize(
    "sentence",
    [
        "The cells were mixed with collagen gel and saline. There was no comparison group.",
        "After an infusion of 100 mL of saline, each patient received the cells.",
    ],
)
def test_saline_the_cells_are_given_in_is_no_placebo(sentence: str) -> None:
    report = _knee_study(sentence)
    control = report.design.control
    assert control is not None and control.value.value == "none"


def test_counted_animals_not_animal_studies() -> None:
    assert [c.value for c in q.counts("Two animal studies used 18 diabetic db/db mice.")] == [18]


def test_one_group_alone_states_no_control_at_low_confidence() -> None:
    report = _knee_study()
    control = report.design.control
    assert control is not None and control.value.value == "none"
    assert control.method == "inferred-one-group" and control.confidence == 0.5


@pytest.mark.parametrize(
    "statistic",
    [
        "Sepsis kills more than 200,000 people a year in the United States.",
        "Around one in ten people with sepsis are thought to die of it.",
    ],
)
def test_people_of_a_population_statistic_make_no_clinical_study(statistic: str) -> None:
    text = (
        f"{statistic} In the new work, 20 mice with sepsis were given an intravenous infusion "
        "of bone marrow mesenchymal stem cells, and survival improved compared with 20 "
        "untreated mice."
    )
    [report] = extract(Document("t", "Cells for septic mice", text), load_resources()).reports
    assert report.design.study_type.value.value == "animal"
    assert report.species is not None and report.species.id == "NCBITaxon:10090"


def test_explants_are_an_in_vitro_study_and_its_cells_an_arm() -> None:
    text = (
        "Retinal explants taken from adult rats were kept for seven days with umbilical cord "
        "mesenchymal stem cells or with fibroblasts. Retinal ganglion cell death was reduced "
        "with the stem cells, the researchers reported."
    )
    [report] = extract(Document("t", "Cells keep retinas alive", text), load_resources()).reports
    assert report.design.study_type.value.value == "in_vitro"
    [arm] = report.arms
    assert arm.therapy is not None and arm.therapy.cell_type is not None
    assert arm.therapy.cell_type.id == "CL:0002569"
    assert "exposure" in arm.therapy.not_stated


def test_a_bare_number_among_counted_animals_is_a_group_of_them() -> None:
    text = (
        "The team made wounds on 18 diabetic mice. One received saline, one received "
        "adipose-derived mesenchymal stem cells injected around the wound, and wound area was "
        "reduced with the cells."
    )
    [report] = extract(Document("t", "Cells heal mouse wounds", text), load_resources()).reports
    assert report.design.study_type.value.value == "animal"


def test_a_design_the_text_denies_is_not_the_design() -> None:
    """ "This was **not** a randomised trial": allocation non-randomised, not randomised; and
    the treated count sizes the cells' arm beside a sized comparison group."""
    text = (
        "Marrow cells for rotator cuff repair\n\n"
        "The team took 45 people having a rotator cuff repair and injected bone marrow "
        "mesenchymal stem cells at the repair. They then compared them with 45 people who had "
        "the same repair without the cells. Healing improved more than in the comparison group. "
        "This was **not** a randomised trial."
    )
    [report] = extract(Document("k", "Marrow cells", text), load_resources()).reports
    assert report.design.allocation is not None
    assert report.design.allocation.value.value == "non_randomised"
    assert report.participants is not None and report.participants.enrolled is not None
    assert report.participants.enrolled.value == 90
    assert sorted(a.participants.value for a in report.arms if a.participants) == [45, 45]


def test_an_abstract_s_background_says_how_earlier_studies_were_designed() -> None:
    text = (
        "Background: Small uncontrolled studies have suggested that stem cells may help in "
        "cirrhosis.\nMethods: In this randomised phase 2 trial, 81 patients with cirrhosis were "
        "assigned to standard care or to infusions of their own haematopoietic stem cells.\n"
        "Results: The MELD score did not improve more than with standard care.\n"
        "Conclusions: The cells did not help."
    )
    doc = Document("t", "Stem cells for cirrhosis", text, SourceKind.ABSTRACT)
    [report] = extract(doc, load_resources()).reports
    assert report.design.control is not None
    assert report.design.control.value.value == "standard_of_care"


@pytest.mark.parametrize(
    "said",
    [
        "Half were picked at random to have the cells.",
        "Patients were assigned at random to the cells.",
    ],
)
def test_randomised_in_plain_words(said: str) -> None:
    text = (
        "In a phase 2 trial, 40 children with cerebral palsy took part; some received an "
        f"intravenous infusion of their own umbilical cord blood cells. {said} Motor function "
        "improved more than with placebo."
    )
    [report] = extract(
        Document("t", "Cord blood for cerebral palsy", text), load_resources()
    ).reports
    assert report.design.allocation is not None
    assert report.design.allocation.value.value == "randomised"


def test_a_design_named_for_a_later_trial_is_not_this_ones() -> None:
    text = (
        "MSC-NTF cells in ALS\n\nIn this open-label phase 2 trial, 14 patients with ALS received "
        "autologous mesenchymal stem cells intrathecally. The ALSFRS-R decline slowed over six "
        "months. The results support a randomised, placebo-controlled trial."
    )
    [report] = extract(Document("l", "t", text), load_resources()).reports
    assert report.design.allocation is None or report.design.allocation.value != "randomised"
    assert report.design.control is None or report.design.control.value != "placebo"


def test_species_in_an_abstracts_background_are_earlier_work() -> None:
    text = (
        "Neural stem cells after stroke\n\nBACKGROUND: Neural stem cells improved recovery in rats "
        "after stroke.\n\nMETHODS: In this phase 1 trial, 11 men with chronic ischaemic stroke "
        "received neural stem cells by intracerebral injection.\n\nRESULTS: No serious adverse "
        "events were linked to the cells."
    )
    [report] = extract(Document("s", "t", text), load_resources()).reports
    assert report.species is not None and report.species.id == "NCBITaxon:9606"


@pytest.mark.parametrize(
    ("text", "allocation"),
    [
        (
            "In a controlled laboratory study in Lewis rats, 98 rats had a torn rotator cuff "
            "repaired and were given bone marrow mesenchymal stem cells or fibrin glue alone. "
            "Healing did not improve with the cells.",
            None,
        ),
        (
            "Tendinitis is common in racehorses. Lesions were made in the tendons of nine "
            "horses by the researchers. Treatment was randomised: each "
            "horse had adipose-derived mesenchymal stromal cells in one leg and serum in the "
            "other. The cells did not heal the lesions better.",
            "randomised",
        ),
    ],
)
def test_animals_treated_make_an_animal_study_whatever_its_clinical_words(
    text: str, allocation: str | None
) -> None:
    """Animals treated: "a controlled laboratory study in rats" is no in-vitro study,
    "randomised" horses no clinical trial; the randomisation is still the allocation."""
    [report] = extract(Document("a", "Stem cells in animals", text), load_resources()).reports
    assert report.design.study_type.value.value == "animal"
    found = report.design.allocation
    assert (found.value.value if found else None) == allocation


def test_a_phase_ii_trial_counted_in_eyes_is_no_laboratory_study() -> None:
    """Cells "cultured on amniotic membrane" and grafted in a phase II trial counted in eyes,
    not patients: a clinical study all the same."""
    text = (
        "Cultured limbal stem cells\n\nLimbal stem cell deficiency can follow a burn. The "
        "team's limbal stem cells were cultured on amniotic membrane. In a 2019 phase II "
        "trial, seven eyes received cultured cells from the patient's own healthy eye, and "
        "vision improved by nine lines."
    )
    [report] = extract(Document("l", "Cultured limbal stem cells", text), load_resources()).reports
    assert report.design.study_type.value.value == "interventional"
    assert report.conditions[0].id == "MONDO:0025667"
