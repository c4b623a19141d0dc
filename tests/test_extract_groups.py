"""Assemble, arms and participants: groups, tables of groups, counts, routes."""

from __future__ import annotations

import pytest

from stemkg.extract import extract
from stemkg.extract import quantities as q
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.vocab import load_resources
from tests.extract_texts import ARTICLE

TABLE_ARTICLE = """Cells help rats after stroke

A study published in Stroke in 2001 used 20 rats with an induced ischaemic stroke, a standard
laboratory model. Marrow stromal cells were given into a vein.

group | treatment | rats
1 | none | 6
2 | 1 × 10⁶ marrow stromal cells into a vein | 7
3 | 3 × 10⁶ cells into a vein | 7

Rats given cells recovered better on the neurological severity score than untreated rats,
the researchers reported."""


def test_arms_from_a_table_of_groups() -> None:
    doc = Document("rats", "Cells help rats after stroke", TABLE_ARTICLE)
    [report] = extract(doc, load_resources()).reports
    assert report.design.study_type.value == "animal"
    assert [
        (a.participants.value if a.participants else None, a.comparator) for a in report.arms
    ] == [
        (6, True),
        (7, False),
        (7, False),
    ]
    doses = [a.therapy.dose.value for a in report.arms if a.therapy.dose]
    assert doses == [1e6, 3e6]
    assert all(r.id == "NCIT:C38276" for a in report.arms[1:] for r in a.therapy.routes)


def test_an_arm_without_a_route_says_it_is_not_stated() -> None:
    text = ARTICLE.replace("a single injection of", "a single dose of").replace(
        " into the knee joint", ""
    )
    [report] = extract(Document("k", "t", text), load_resources()).reports
    [arm] = report.arms
    assert arm.therapy.routes == []
    assert [f.value for f in arm.therapy.not_stated] == ["routes"]


def test_a_dozen_and_more_kinds_of_people_are_counted() -> None:
    found = q.counts("A dozen adults and 18 tennis players took part; two dozen mice too.")
    assert [(c.value, c.noun) for c in found] == [(12, "adults"), (18, "players"), (24, "mice")]


def test_a_scale_value_is_no_count_and_a_lone_count_is_who_took_part() -> None:
    assert q.counts("knee OA of grade 2 or 3 received injections") == []
    doc = Document(
        "t",
        "Fat cells for erectile dysfunction",
        "Who: 17 men with erectile dysfunction after prostate surgery, in an open-label phase 1 "
        "trial of adipose-derived regenerative cells injected into the penis. Over six months, "
        "8 of the 17 men improved.",
        SourceKind.BLOG,
    )
    [report] = extract(doc, load_resources()).reports
    assert report.participants is not None and report.participants.enrolled is not None
    assert report.participants.enrolled.value == 17


def test_the_cells_arm_stays_when_the_text_sizes_both_groups() -> None:
    """ "107 received the cells and 105 received placebo": a cells arm beside the placebo one,
    with the route said as "into the walls of the fistula tracts"; 107 were treated."""
    text = (
        "In a phase 3 trial, 212 adults with Crohn's disease and perianal fistulas were randomly "
        "assigned to adipose-derived mesenchymal stem cells or a saline placebo, injected into "
        "the walls of the fistula tracts. In total, 107 patients received the cells and 105 "
        "received placebo. At 24 weeks, 50 percent of patients given the cells achieved "
        "combined remission."
    )
    [report] = extract(Document("t", "Cells close fistulas", text), load_resources()).reports
    arms = {a.label: a for a in report.arms}
    cells = next(a for a in report.arms if not a.comparator)
    assert cells.therapy.cell_type is not None and cells.participants is not None
    assert cells.participants.value == 107 and len(arms) == 2
    assert [r.id for r in cells.therapy.routes] == ["NCIT:C38250"]
    assert report.participants is not None and report.participants.treated is not None
    assert report.participants.treated.value == 107  # those who received the cells


def test_enrolled_said_without_a_noun_and_as_a_registry_field() -> None:
    assert [c.value for c in q.counts("107 patients were screened and 45 were enrolled")] == [
        107,
        45,
    ]
    text = (
        "Phase: Phase 2\nEnrollment: 150 (anticipated)\n\nPatients with critical limb ischemia "
        "are randomized to intramuscular injections of bone marrow mononuclear cells or "
        "placebo; the trial is registered as NCT00468000."
    )
    [report] = extract(Document("t", "Registry summary", text), load_resources()).reports
    assert report.participants is not None and report.participants.enrolled is not None
    assert report.participants.enrolled.value == 150


@pytest.mark.parametrize(
    ("phrase", "route"),
    [
        ("injected into the anterior horns of the lumbar spinal cord", "NCIT:C38263"),
        ("infused through the hepatic artery", "NCIT:C38222"),
        ("placed beneath the retina", "NCIT:C79143"),
        ("given straight into the windpipe", "NCIT:C38208"),
        ("injected into the penis", "NCIT:C38230"),
        ("injected into the degenerated disc", "NCIT:C38239"),
        ("packed into the drilled tracks", "NCIT:C64987"),
        ("applied as a sheet onto the ulcers", "NCIT:C38304"),
        ("given by arterial infusion", "NCIT:C38222"),
        ("implanted into the hippocampus", "NCIT:C38232"),
        ("infused into the aortic root", "NCIT:C38222"),
        ("injected into the infarct border zone", "NCIT:C38227"),
        ("injected into the thigh muscles", "NCIT:C28161"),
        ("injected into the hip joint", "NCIT:C38223"),
        ("injected into the affected joint", "NCIT:C38223"),
        ("implanted by two neurosurgeons directly into their brains", "NCIT:C38232"),
        ("injected into the coronary artery feeding the scarred muscle", "NCIT:C38218"),
        ("infused straight into the medial circumflex femoral artery", "NCIT:C38222"),
        ("infused into the left main coronary artery", "NCIT:C38218"),
    ],
)
def test_routes_said_in_other_words(phrase: str, route: str) -> None:
    text = (
        f"In a phase 1 study, 10 adults with chronic disease had mesenchymal stem cells {phrase}. "
        "Symptoms improved in 8 of the 10 patients."
    )
    [report] = extract(Document("t", "Cells", text), load_resources()).reports
    routes = {r.id for a in report.arms for r in a.therapy.routes}
    assert route in routes
    assert route != "NCIT:C38218" or routes == {route}  # a coronary artery: not any artery


def _groups(text: str) -> tuple[int | None, list[tuple[str, bool, int | None]]]:
    doc = Document("t", text.split("\n")[0], text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    enrolled = report.participants.enrolled if report.participants else None
    return enrolled.value if enrolled else None, [
        (a.label, a.comparator, a.participants.value if a.participants else None)
        for a in report.arms
    ]


def test_groups_said_as_n_of_whom_are_the_arms() -> None:
    text = (
        "Cord blood for a heart defect\n\nIn a phase 2 trial, 95 children with hypoplastic left "
        "heart syndrome were enrolled, 50 of whom received intramyocardial injections of umbilical "
        "cord blood cells and 45 of whom served as controls who had the same surgery without "
        "cells. Heart function improved more than in the controls."
    )
    enrolled, arms = _groups(text)
    assert enrolled == 95
    assert [(comparator, n) for _, comparator, n in arms] == [(False, 50), (True, 45)]


def test_a_bracketed_count_sizes_what_precedes_it_and_the_count_before_is_everyone() -> None:
    text = (
        "Cells fail after heart attack\n\nIn a phase 2 trial, researchers randomly assigned 206 "
        "people with acute myocardial infarction to a single intracoronary infusion of bone "
        "marrow mononuclear cells (104 patients) or placebo (102 patients). Ejection fraction "
        "improved by 3% in both groups. Two patients died during follow-up, both from heart "
        "failure."
    )
    assert _groups(text) == (
        206,
        [("intracoronary (phase 2)", False, 104), ("placebo control", True, 102)],
    )


def test_a_group_that_had_the_operation_alone_is_a_control_and_the_groups_add_up() -> None:
    text = (
        "Marrow cells at the knee\n\nSurgeons gave 30 patients with knee osteoarthritis an "
        "injection of their own bone marrow mesenchymal stem cells into the knee joint. They "
        "compared them with 30 patients who had the same operation alone. Pain scores fell more "
        "in the cell group than in the control group."
    )
    enrolled, arms = _groups(text)
    assert enrolled == 60  # no total said: the sum of the groups
    assert [(comparator, n) for _, comparator, n in arms] == [(False, 30), (True, 30)]


def test_everyone_randomised_then_split_is_no_control_group() -> None:
    text = (
        "Stem cells for cirrhosis\n\nIn an open-label randomised trial, 81 patients with "
        "cirrhosis were randomised: 27 to standard care, 26 to G-CSF and 28 to G-CSF plus "
        "intravenous infusions of CD133+ haematopoietic stem cells. Liver function did not "
        "improve with the cells compared with standard care."
    )
    enrolled, arms = _groups(text)
    assert enrolled == 81
    assert not any(comparator and n == 81 for _, comparator, n in arms)


def _counts(text: str) -> tuple[int | None, int | None]:
    doc = Document("t", text.split("\n")[0], text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    p = report.participants
    enrolled = p.enrolled.value if p and p.enrolled else None
    treated = p.treated.value if p and p.treated else None
    return enrolled, treated


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # all randomised, then those who got the cells
            "In a randomised trial, 45 adults with ARDS were enrolled and randomised: 21 received "
            "intravenous umbilical cord mesenchymal stem cells and 24 placebo.",
            (45, 21),
        ),
        (  # one group, sized where it received the cells
            "In this single-arm phase 1 trial, 14 patients with knee osteoarthritis received "
            "intra-articular injections of umbilical cord mesenchymal stem cells.",
            (14, 14),
        ),
        (  # who they were by sex is no count; "tears in 14 patients" counts those treated
            "A surgical team repaired rotator cuff tears in 14 consecutive patients (9 women and "
            "5 men, average age 59) and, straight afterwards, injected autologous bone marrow "
            "mononuclear cells into the tendon.",
            (14, 14),
        ),
        (  # "(six of them men)" says who they were, not how many took part
            "In a phase 1 trial, sixteen adults with Crohn's disease aged 21 to 55 (six of them "
            "men) received intravenous infusions of bone marrow mesenchymal stromal cells.",
            (16, 16),
        ),
    ],
)
def test_enrolled_and_treated_apart(sentence: str, expected: tuple[int, int]) -> None:
    text = f"Cells trial\n\n{sentence} Pain improved more than at baseline in most patients."
    assert _counts(text) == expected


def test_a_share_of_those_treated_with_an_event_is_no_treated_count() -> None:
    text = (
        "Cells for cirrhosis\n\nIn a randomised trial, 81 patients with cirrhosis were "
        "randomised to standard care or intravenous infusions of bone marrow stem cells. "
        "Serious adverse events included sepsis in four and encephalopathy in three patients "
        "given cells. Liver function did not improve more than with standard care."
    )
    assert _counts(text)[1] != 3


def test_those_a_count_says_had_an_event_are_no_count_of_those_treated() -> None:
    text = (
        "Cells for dystrophy\n\nIn a randomised trial, 40 boys with Duchenne muscular dystrophy "
        "were enrolled to intravenous infusions of cardiosphere-derived cells or placebo. Two "
        "participants had allergic reactions to the infusions; after that, patients were given "
        "pre-medication. Arm function declined more slowly than with placebo."
    )
    assert _counts(text) == (40, None)


def test_figures_compared_in_brackets_are_no_count_of_those_treated() -> None:
    text = (
        "Cells for lung injury\n\nIn a randomised trial, 24 adults with ARDS were enrolled "
        "to intravenous umbilical cord mesenchymal stem cells or placebo. Patients given the "
        "cells had fewer serious adverse events (2 patients versus 8) than those given placebo."
    )
    assert _counts(text) == (24, None)


def test_a_case_report_s_one_patient_is_enrolled_and_treated() -> None:
    text = (
        "A case report\n\nIn a case report published in 2021, the researchers describe how a "
        "45-year-old man with spinal cord injury received intrathecal autologous bone marrow "
        "mesenchymal stem cells. His motor function improved over 12 months compared with baseline."
    )
    assert _counts(text) == (1, 1)


def test_so_many_to_each_group_sizes_the_cells_and_the_comparator() -> None:
    text = (
        "Cord cells for lung failure\n\nThe phase 1/2a trial enrolled 24 adults with ARDS. They "
        "were randomly assigned, 12 to each group, to receive intravenous umbilical cord "
        "mesenchymal stem cells or a vehicle solution. Survival improved more with the cells."
    )
    doc = Document("t", text.split("\n")[0], text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    sizes = [(a.comparator, a.participants.value if a.participants else None) for a in report.arms]
    assert sizes == [(False, 12), (True, 12)]


def test_a_case_of_one_with_a_spelled_age() -> None:
    text = (
        "A boy's new skin\n\nDoctors treated a seven-year-old boy with junctional epidermolysis "
        "bullosa with grafts of his own gene-corrected epidermal stem cells. Two years later, "
        "the team reported, his wounds had healed and the new skin had not blistered."
    )
    assert _counts(text) == (1, 1)


def test_a_planned_count_is_not_who_took_part() -> None:
    text = (
        "Cells for ARDS\n\nIn a randomised trial of intravenous mesenchymal stromal cells for "
        "ARDS, the monitoring board halted enrolment at 222 of a planned 300 patients. "
        "Mortality did not differ from placebo."
    )
    assert _counts(text)[0] == 222


def test_the_largest_count_said_again_beside_subgroups_is_who_took_part() -> None:
    text = (
        "Cells for erectile dysfunction\n\n**Who:** 17 men with erectile dysfunction after "
        "surgery.\n**What:** one injection of adipose-derived mesenchymal stem cells into the "
        "penis, in a phase 1 trial. Function improved in six men. And 17 men is a very small "
        "number."
    )
    assert _counts(text)[0] == 17


def test_the_treated_a_share_is_of_are_counted_and_the_heart_wall_is_a_route() -> None:
    text = (
        "Marrow cells in mice\n\nResearchers injected bone marrow cells into the living heart "
        "wall of mice after a heart attack. New muscle formed in 12 of the 30 mice that received "
        "the cells, and left ventricular function improved. In the other 18 mice no repair was "
        "seen."
    )
    doc = Document("t", "Marrow cells in mice", text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    assert report.participants is not None and report.participants.treated is not None
    assert report.participants.treated.value == 30
    assert {r.id for a in report.arms for r in a.therapy.routes} == {"NCIT:C38227"}


def test_a_group_sized_in_brackets_as_n_is_an_arm() -> None:
    text = (
        "Stem cells for Crohn's fistula\n\nTwenty-two people with Crohn's disease and a "
        "perianal fistula were enrolled. They were split 1:1 into an observation group, "
        "treated with autologous adipose-derived mesenchymal stem cells (n = 11), and a "
        "control group that underwent the usual operation (n = 11). Fistulas closed in 10 of "
        "11 patients given cells."
    )
    [report] = extract(
        Document("c", "Stem cells for Crohn's fistula", text), load_resources()
    ).reports
    sized = [a.participants.value for a in report.arms if not a.comparator and a.participants]
    assert sized == [11]


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ("15 received MSCs and 12 received placebo.", (27, 15)),
        ("15 received MSCs and 12 received placebo; a year later the groups swapped.", (27, None)),
    ],
)
def test_those_who_received_the_cells_beside_a_placebo_group_are_the_treated(
    groups: str, expected: tuple[int | None, int | None]
) -> None:
    """Those enrolled are told from those treated where a count is said as those who got the
    cells; after a crossover everyone got them."""
    text = (
        "Cells for cirrhosis\n\nPatients with cirrhosis were randomly allocated to an "
        "infusion of autologous bone marrow mesenchymal stem cells or placebo. Twenty-seven "
        f"patients were enrolled: {groups} The MELD score did not improve."
    )
    assert _counts(text) == expected


def test_a_group_size_after_its_dose_in_one_bracket_does_not_hide_those_enrolled() -> None:
    text = (
        "Cells for Alzheimer's disease\n\nThirty-three participants with Alzheimer's disease "
        "were randomised to a single intravenous infusion of a low dose of mesenchymal stem "
        "cells (20 million cells; 15 participants), a high dose (100 million cells; 10 "
        "participants) or placebo (8 participants). No treatment-related adverse events "
        "occurred."
    )
    assert _counts(text)[0] == 33


def test_fat_taken_from_under_the_skin_is_a_source_not_a_route() -> None:
    text = (
        "In a pilot study, five women with knee osteoarthritis were treated. Fat was taken "
        "from under the skin, and the adipose stem cells in it were grown and then injected "
        "into the knee joint. Knee pain improved in all five."
    )
    [report] = extract(Document("t", "Cells", text), load_resources()).reports
    routes = {r.id for a in report.arms for r in a.therapy.routes}
    assert "NCIT:C38299" not in routes
