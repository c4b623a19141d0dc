"""Assemble, outcomes: measures, directions, modality, safety findings."""

from __future__ import annotations

import pytest

from stemkg.extract import extract
from stemkg.extract.grounding import long_form
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.vocab import load_resources
from tests.extract_texts import TRIAL


def _findings(text: str) -> set[tuple[str | None, str | None, str]]:
    doc = Document("t", "Cells for stroke: a randomised trial", TRIAL + text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    return {
        (
            o.measure.id or o.measure.label,
            o.direction.value if o.direction else None,
            o.modality.value,
        )
        for o in report.outcomes
    }


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "The infusions were safe and well tolerated.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
        ("The cells may be safe.", ("NCIT:C41331", "no_serious_adverse_events", "hedged")),
        (
            "Serious adverse events hit 5, and none was judged to be related to the cells.",
            ("NCIT:C41331", "no_treatment_related_adverse_events", "asserted"),
        ),
        (
            "No patient had a severe adverse event attributable to the cells.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
        (
            "None of the patients had the predefined infusion-related haemodynamic or "
            "respiratory adverse events attributable to the cells.",
            ("NCIT:C41331", "no_treatment_related_adverse_events", "asserted"),
        ),
        ("There were only minor side effects.", ("NCIT:C41331", "mild_adverse_events", "asserted")),
        (
            "None of the treated children developed complications after the injections.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
        ("The trial neither met its main goal nor helped.", ("main goal", "improved", "negated")),
        ("The trial met its primary endpoint.", ("primary endpoint", "improved", "asserted")),
    ],
)
def test_safety_and_verdict_statements(text: str, finding: tuple[str, str, str]) -> None:
    assert finding in _findings(text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("The mean EDSS score fell from 5.1 to 4.4.", ("stemkg:EDSS", "improved", "asserted")),
        ("ALSFRS-R scores rose by 3 points.", ("stemkg:ALSFRS-R", "improved", "asserted")),
        ("The NIHSS score increased in 4 patients.", ("stemkg:NIHSS", "worsened", "asserted")),
        (
            "The Oswestry Disability Index fell by 20 points.",
            ("stemkg:ODI", "improved", "asserted"),
        ),
        ("GMFM-66 scores rose by 4 points.", ("stemkg:GMFM", "improved", "asserted")),
        ("UMSARS scores worsened less with the cells.", ("stemkg:UMSARS", "slowed", "asserted")),
        (
            "Complete remission increased with the cells.",
            ("stemkg:remission", "improved", "asserted"),
        ),
        (
            "The left ventricular ejection fraction increased by 5%.",
            ("EFO:0008373", "increased", "asserted"),
        ),
        ("Mini-Mental State Examination scores fell.", ("stemkg:MMSE", "worsened", "asserted")),
        ("European Stroke Scale scores rose by 7 points.", ("stemkg:ESS", "improved", "asserted")),
        ("The PaO2/FiO2 ratio increased by day 7.", ("stemkg:PaO2-FiO2", "improved", "asserted")),
        ("DAS28 fell in 40 of 64 patients.", ("EFO:0009435", "improved", "asserted")),
        ("C-reactive protein fell.", ("EFO:0004458", "reduced", "asserted")),
    ],
)
def test_a_change_on_a_scale_is_read_clinically(text: str, finding: tuple[str, str, str]) -> None:
    """Rise and fall on a scale with one clinical reading; ejection fraction and a biomarker
    keep the text's words."""
    assert finding in _findings(text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Quality of life did not improve.", ("EFO:0011014", "improved", "negated")),
        ("Pain was no better than with placebo.", ("EFO:0010639", "improved", "negated")),
        (
            "The ankle-brachial index was not improved by the cells.",
            ("EFO:0003912", "improved", "negated"),
        ),
        (
            "Autologous cells, but not allogeneic cells, improved the 6-minute walk distance.",
            ("stemkg:6MWT", "improved", "asserted"),
        ),
        (
            "Pain was reduced, but not significantly, compared with placebo.",
            ("EFO:0010639", "reduced", "hedged"),
        ),
        (
            "Pain fell with the cells, although the difference did not reach significance.",
            ("EFO:0010639", "reduced", "hedged"),
        ),
    ],
)
def test_negation_of_the_predicate_and_its_limits(text: str, finding: tuple[str, str, str]) -> None:
    """A negation between measure and verb negates the finding; "but not B," negates only B;
    a significance qualifier looks back across "although" and hedges the result."""
    assert finding in _findings(text)


def test_a_share_of_those_treated_is_a_result() -> None:
    text = (
        "Surgeons treated 14 adults whose thigh-bone fractures had failed to heal by injecting "
        "concentrated bone marrow, in an open-label study. Thirteen of the 14 healed."
    )
    assert extract(Document("t", "Marrow heals bones", text), load_resources()).reports


def test_remission_in_a_share_of_patients_is_a_finding() -> None:
    found = _findings("Remission came in 9 of 12 patients given cells and 5 of 6 given placebo.")
    assert ("stemkg:remission", None, "asserted") in found


def test_eligibility_criteria_are_no_findings() -> None:
    found = _findings(
        "Key exclusion criteria: HbA1c above 10%; wounds worse than Wagner grade 3. "
        "Thirteen of the 14 patients healed."
    )
    assert not any(direction == "worsened" for _, direction, _ in found)


def test_a_bound_on_a_score_is_not_a_change() -> None:
    """ "a modified Rankin score of 2 or less" bounds a number; nothing rose or fell."""
    found = _findings(
        "At 90 days 30 patients had a modified Rankin Scale score of 2 or less. "
        "The infusions were well tolerated."
    )
    assert ("NCIT:C41331", "no_serious_adverse_events", "asserted") in found
    assert not any(direction in ("reduced", "increased") for _, direction, _ in found)


def test_comparatives_and_verbs_name_what_changed() -> None:
    found = _findings(
        "Treated patients had more collagen, fewer hospital stays and more VEGF than controls. "
        "The cells lowered blood glucose and improved blood flow in the leg."
    )
    for finding in (
        ("collagen", "increased"),
        ("hospital stays", "reduced"),
        ("VEGF", "increased"),
        ("blood glucose", "reduced"),
        ("blood flow", "improved"),
    ):
        assert (*finding, "asserted") in found


def test_words_that_are_no_measure() -> None:
    found = _findings(
        "The team asks a more modest question. The protection grew with the dose. "
        "Four more patients improved far more often in the first 24 weeks. "
        "Treated gerbils improved more than controls (P=0.01)."
    )
    labels = {label for label, _, _ in found}
    assert not labels & {
        "modest question",
        "protection",
        "often",
        "far more often",
        "first 24 weeks",
        "gerbils",
        "Treated gerbils",
    }


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        (
            "Blood levels of IL-6, interferon-gamma and TNF-alpha fell in the cell group.",
            {("interferon-gamma", "reduced"), ("TNF-alpha", "reduced")},
            set(),
        ),
        (  # a bracketed abbreviation after a conjunct
            "Gait speed (10-metre walk), grip strength (dynamometry) and balance improved more "
            "than with placebo.",
            {("Gait speed", "improved"), ("EFO:0006941", "improved")},
            set(),
        ),
        (  # two clauses, not a list
            "Two patients recovered after a delay, and hand function improved more than with "
            "placebo.",
            {("hand function", "improved")},
            {"delay"},
        ),
        (  # a conjunct with a direction of its own is its own finding
            "Improved exercise capacity and angina frequency fell more than with placebo.",
            set(),
            {"Improved exercise capacity"},
        ),
    ],
)
def test_one_direction_after_a_list_is_said_of_each_measure(
    text: str, expected: set[tuple[str, str]], absent: set[str]
) -> None:
    found = {(m, d) for m, d, _ in _findings(text)}
    assert expected <= found
    assert not {m for m, _ in found} & absent


def test_what_a_background_section_says_was_known_is_no_finding_of_the_study() -> None:
    text = (
        "Cells for multiple sclerosis: a phase 2 trial\n\nBackground\nSmall open studies have "
        "suggested that mesenchymal stem cells reduce inflammation.\n\nMethods\nIn a phase 2 "
        "trial, 40 adults with multiple sclerosis were randomised to intravenous bone marrow "
        "mesenchymal stem cells or placebo.\n\nResults\nDisability improved more with the cells "
        "than with placebo."
    )
    doc = Document("t", "Cells for multiple sclerosis: a phase 2 trial", text, SourceKind.ABSTRACT)
    [report] = extract(doc, load_resources()).reports
    measures = {o.measure.id or o.measure.label for o in report.outcomes}
    assert "GO:0006954" not in measures  # inflammation, said of earlier studies
    assert measures


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("NT-proBNP levels fell in both groups.", ("NT-proBNP levels", "reduced", "asserted")),
        (  # who changed is no measure; a noun in -ment is no adjective
            "Many of them regained some movement compared with placebo.",
            ("movement", "improved", "asserted"),
        ),
        (
            "Walking speed had risen by 10% in the cell group.",
            ("Walking speed", "improved", "asserted"),  # speed: higher is better
        ),
        (
            "Quality of life scores tended to improve with the cells, but the difference was not "
            "significant.",
            ("EFO:0011014", "improved", "hedged"),
        ),
        (
            "Grip strength climbed from 20 kg to 31 kg in the cell group.",
            ("EFO:0006941", "improved", "asserted"),
        ),
        (
            "The number of hospital admissions halved in the cell group.",
            ("number of hospital admissions", "reduced", "asserted"),
        ),
        (
            "Treated cultures showed less cell death than untreated ones.",
            ("cell death", "reduced", "asserted"),  # the cells' fate is a measure
        ),
        (
            "The cells lessened the severity of the lesions in the treated patients.",
            ("severity of the lesions", "reduced", "asserted"),
        ),
    ],
)
def test_changes_said_as_risen_tended_or_in_both_groups(
    text: str, finding: tuple[str, str, str]
) -> None:
    assert finding in _findings(text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "Ejection fraction rose from 45% to 48% in the cell group and from 44% to 47% in the "
            "placebo group, a difference that was not significant (p = 0.96).",
            ("EFO:0008373", "increased", "hedged"),
        ),
        (
            "The cells did not improve regional function.",
            ("regional function", "improved", "negated"),
        ),
    ],
)
def test_findings_a_new_user_wrote(text: str, finding: tuple[str, str, str]) -> None:
    assert finding in _findings(text)


def test_a_percentage_that_bounds_who_took_part_is_no_finding() -> None:
    found = _findings(
        "All had an ejection fraction of 45% or less. Walking distance improved more than "
        "with placebo."
    )
    assert not any(measure == "EFO:0008373" for measure, _, _ in found)


def test_a_percentage_said_of_a_measure_no_term_names_is_kept_with_its_figure() -> None:
    doc = Document(
        "t",
        "Cells for stroke: a randomised trial",
        TRIAL + "Independence 90 days after the stroke was 41% in the cell group against 20%.",
        SourceKind.NEWS,
    )
    [report] = extract(doc, load_resources()).reports
    [outcome] = [o for o in report.outcomes if (o.measure.label or "").startswith("Independence")]
    assert outcome.direction is None and outcome.value is not None and outcome.value.percent == 41


def test_the_summary_marks_what_a_rule_was_unsure_of() -> None:
    from stemkg.extract.summary import summarise

    doc = Document("t", "Cells for stroke", TRIAL + "The cells did not improve hand function.")
    [line] = summarise(extract(doc, load_resources()))
    assert "hand function [measure-phrase, 0.5] improved (negated)" in line
    assert "condition ischemic stroke" in line


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "Their MRI scans showed improved brain connectivity.",
            ("brain connectivity", "improved", "asserted"),  # not "MRI scans"
        ),
        (
            "Walking distance and grip strength trended in favour of the cells.",
            ("Walking distance", "improved", "hedged"),
        ),
        (
            "CT scans of the lungs showed no significant change.",
            ("CT scans of the lungs", "no_change", "asserted"),
        ),
        ("The cells did not reduce deaths from any cause.", ("deaths", "reduced", "negated")),
    ],
)
def test_findings_after_a_reporting_verb_or_said_as_a_trend(
    text: str, finding: tuple[str, str, str]
) -> None:
    assert finding in _findings(text)


def test_enrolment_is_no_outcome() -> None:
    assert not any(
        "nrol" in str(m) for m, _, _ in _findings("Enrolment fell to 20 patients a month in 2021.")
    )


def test_what_an_endpoint_was_defined_as_is_no_finding() -> None:
    found = _findings(
        "The primary endpoints were the number of adverse events and the proportion of "
        "patients whose visual acuity rose by 15 letters or more. Walking speed improved "
        "more than with placebo."
    )
    assert not any(direction == "increased" for _, direction, _ in found)
    assert ("Walking speed", "improved", "asserted") in found


def test_a_question_the_trial_asks_is_no_finding() -> None:
    found = _findings(
        "The trial tests whether the cells are safe and improve walking. Grip strength "
        "improved more than with placebo."
    )
    assert not any(m == "NCIT:C41331" for m, _, _ in found)
    assert ("EFO:0006941", "improved", "asserted") in found


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "All 12 patients were free of severe hypoglycaemic events, and had an HbA1c below 7%.",
            ("severe hypoglycaemic events", "reduced", "asserted"),  # "free of" negates itself
        ),
        (
            "Fewer patients in the cell group needed a hip replacement.",
            ("hip replacement", "reduced", "asserted"),  # who changed, then what
        ),
        (
            "At six months every one of the 45 treated tendons (100%) had healed.",
            ("tendon healing", "improved", "asserted"),  # past the share and the figure
        ),
    ],
)
def test_what_changed_after_a_share_a_figure_or_those_it_changed_in(
    text: str, finding: tuple[str, str, str]
) -> None:
    assert finding in _findings(text)


def test_free_of_is_said_of_what_follows_it() -> None:
    found = _findings(
        "All 12 patients were free of severe hypoglycaemic events, and had an HbA1c below 7%."
    )
    assert not any(m == "EFO:0004541" and d == "reduced" for m, d, _ in found)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("CRP levels fell in the cell group.", ("EFO:0004458", "reduced", "asserted")),
        (
            "Gas transfer (DLCO) dropped by 5% in the cell group.",
            ("EFO:0009369", "worsened", "asserted"),  # a lung function: lower is worse
        ),
        ("Grip strength improved in the cell group.", ("EFO:0006941", "improved", "asserted")),
        ("IL-6 fell in the cell group.", ("EFO:0004810", "reduced", "asserted")),
        (
            "Event-free survival improved in the cell group.",
            ("EFO:0000482", "improved", "asserted"),
        ),
    ],
)
def test_common_measures_are_grounded(text: str, finding: tuple[str, str, str]) -> None:
    assert finding in _findings(text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Walking speed was no better with the cells.", ("Walking speed", "improved", "negated")),
        (
            "Walking speed showed a non-significant improvement.",
            ("Walking speed", "improved", "hedged"),
        ),
        ("Tremor was markedly suppressed in the treated rats.", ("Tremor", "reduced", "asserted")),
        (
            "At three months, longitudinal strain got worse in the treated children.",
            ("longitudinal strain", "worsened", "asserted"),
        ),
        (
            "Troponin T, a marker of injury to heart muscle, was higher in the treated group.",
            ("Troponin T", "increased", "asserted"),
        ),
        (
            "The latency of the visual evoked response got better.",
            ("stemkg:visual-evoked-response-latency", "improved", "asserted"),
        ),
    ],
)
def test_words_between_a_measure_and_its_cue(text: str, finding: tuple[str, str, str]) -> None:
    """Auxiliaries, qualifiers, "got" and a noun phrase set off by commas stand between a
    measure and its cue; "X of the Y" is looked up as "Y X" too."""
    assert finding in _findings(text)


def test_losing_function_more_slowly_is_a_slowed_decline() -> None:
    text = (
        "On the Performance of the Upper Limb test, the treated group lost function more "
        "slowly than the placebo group."
    )
    assert ("stemkg:PUL", "slowed", "asserted") in _findings(text)


def test_a_comparative_against_a_number_is_a_bound() -> None:
    found = _findings("Patients had central vision no better than 20/400 in the treated eye.")
    assert not any("vision" in str(m) for m, _, _ in found)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "The researchers said the infusions appeared to lower the risk of death.",
            ("risk of death", "reduced", "hedged"),
        ),
        (
            "Deaths may have been reduced in a subgroup of younger patients.",
            ("Deaths", "reduced", "hedged"),
        ),
        (
            "Walking speed seemed to improve with the cells.",
            ("Walking speed", "improved", "hedged"),
        ),
    ],
)
def test_findings_offered_as_possible(text: str, finding: tuple[str, str, str]) -> None:
    assert finding in _findings(text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "Left ventricular function improved in the treated patients.",
            ("Left ventricular function", "improved", "asserted"),  # "left" is no verb here
        ),
        ("The cells appeared to be safe.", ("NCIT:C41331", "no_serious_adverse_events", "hedged")),
        (
            "The researchers saw no new safety signals linked to the cells.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
    ],
)
def test_findings_a_second_new_user_wrote(text: str, finding: tuple[str, str, str]) -> None:
    assert finding in _findings(text)


def test_shares_compared_with_a_significant_p_value_state_a_direction() -> None:
    found = _findings(
        "At week 24, 50% of the patients given the cells had reached remission, compared with "
        "34% of those in the placebo group (p=0.024)."
    )
    assert ("stemkg:remission", "improved", "asserted") in found


def test_shares_compared_without_significance_state_none() -> None:
    found = _findings(
        "At week 24, 50% of the patients given the cells had reached remission, compared with "
        "44% of those in the placebo group."
    )
    assert ("stemkg:remission", None, "asserted") in found


def test_scores_of_something_are_a_measure_bare_scores_are_not() -> None:
    assert ("Skin scores", "improved", "asserted") in _findings(
        "Skin scores improved in the treated patients."
    )
    assert not any(
        "score" in str(m).casefold()
        for m, _, _ in _findings("The scores improved in the treated patients.")
    )


def test_a_measure_of_cells_is_a_measure_the_cells_alone_are_not() -> None:
    found = _findings("Compared with placebo, the cells lessened the loss of motor neurons.")
    assert ("loss of motor neurons", "reduced", "asserted") in found
    assert not any(label == "motor neurons" for label, _, _ in found)
    later = _findings("Deaths were lowered in a subset of older patients.")
    assert ("subset of older patients", "reduced", "asserted") not in later


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "The cells survived for a year without adverse events.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
        (
            "No primary safety events were recorded in the first year.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
        (
            "None of the patients given the cells developed a grade 4 toxicity.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
        (
            "None of the three trials raised a safety alarm.",
            ("NCIT:C41331", "no_serious_adverse_events", "asserted"),
        ),
    ],
)
def test_safety_phrasings_beyond_the_adverse_event_term(
    text: str, finding: tuple[str, str, str]
) -> None:
    assert finding in _findings(text)


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Thirteen of the 14 patients (93%) healed.", ("healing", "improved", "asserted")),
        (
            "By week 8 the ulcers had closed completely in 22 of 30 patients.",
            ("ulcer closure", "improved", "asserted"),
        ),
        ("By day 100, 160 of 239 children were alive.", ("EFO:0000638", None, "asserted")),
        ("Two of the 20 patients died of sepsis.", ("EFO:0004352", None, "asserted")),
        (
            "Eleven of the 15 patients responded by day 28.",
            ("stemkg:treatment-response", "improved", "asserted"),
        ),
    ],
)
def test_events_of_those_studied_name_the_measure(
    text: str, finding: tuple[str | None, str | None, str]
) -> None:
    assert finding in _findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "Eight of the 20 ulcers healed in 40 patients whose disease had not responded to steroids.",
        "Eight of the 20 ulcers healed. We cannot tell how many of the 40 ulcers would have "
        "closed with usual care alone.",
    ],
)
def test_events_that_describe_eligibility_or_a_hypothesis_are_not_findings(text: str) -> None:
    assert not any(
        m in ("treatment response", "stemkg:treatment-response", "ulcer closure", "closure")
        for m, _, _ in _findings(text)
    )


def test_where_the_cells_came_from_is_not_what_they_changed() -> None:
    found = _findings("Cells taken from donated umbilical cord tissue reduced kidney damage.")
    assert ("kidney damage", "reduced", "asserted") in found
    assert not any("cord" in str(measure) for measure, _, _ in found)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a qualifier after the cue is no measure; the finding before it is kept
        (
            "Walking speed improved with the cells, though wound healing was more modest.",
            "walking speed",
        ),
        # an adverb before the cue is skipped to the words it qualifies (only "symptoms")
        ("Walking speed improved with the cells; symptoms were somewhat better.", "walking speed"),
        # what was looked at ("how fast the wounds healed") is a question, not a finding
        (
            "The team looked at how fast the wounds healed. Walking speed improved with the cells.",
            "walking speed",
        ),
    ],
)
def test_qualifiers_and_questions_are_no_measures(text: str, kept: str) -> None:
    labels = {(measure or "").casefold() for measure, _, _ in _findings(text)}
    assert not labels & {"modest", "somewhat", "fast the wounds", "how fast the wounds"}
    assert kept in labels


def test_measures_said_by_their_initials_keep_the_name_the_text_defines() -> None:
    text = (
        "Efficacy was measured with the Health Assessment Questionnaire (HAQ) and with ESR and "
        "rheumatoid factor (RF). ESR and RF were significantly lower than before treatment, "
        "and HAQ scores fell significantly compared with baseline."
    )
    labels = {(m or "").casefold() for m, direction, _ in _findings(text) if direction}
    assert {
        "esr",
        "rheumatoid factor (rf)",
        "health assessment questionnaire (haq) scores",
    } <= labels


@pytest.mark.parametrize(
    ("text", "short", "long"),
    [
        ("levels of rheumatoid factor (RF) fell", "RF", "rheumatoid factor"),
        (
            "the Health Assessment Questionnaire (HAQ), and",
            "HAQ",
            "Health Assessment Questionnaire",
        ),
        ("the six-minute walk distance (6MWD)", "6MWD", None),  # initials that do not fit
        ("ESR was lower", "ESR", None),  # never defined
    ],
)
def test_long_form_of_an_abbreviation(text: str, short: str, long: str | None) -> None:
    assert long_form(text, short) == long


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Fewer people died: 14% with the cells compared with 35% with placebo.", "reduced"),
        ("Treated patients died less often than those given placebo.", "reduced"),
        ("Two patients died during follow-up.", None),
    ],
)
def test_a_comparative_beside_an_event_says_which_way_it_went(
    text: str, direction: str | None
) -> None:
    found = {d for m, d, _ in _findings(text) if m == "EFO:0004352"}
    assert found == {direction}


def test_a_goal_reached_said_by_a_pronoun_is_a_finding_on_that_goal() -> None:
    """A pronoun verdict: "The main goal was X ... 20 of 22 reached it" is X improved, with
    its figures, asserted (who "could be evaluated" hedges nothing)."""
    text = (
        "The main goal was transfusion independence, meaning a haemoglobin of at least 9 g "
        "per decilitre without transfusions. 20 of the 22 patients who could be evaluated "
        "reached it."
    )
    doc = Document("t", "Cells for thalassaemia: a trial", TRIAL + text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    [found] = [o for o in report.outcomes if o.measure.label == "transfusion independence"]
    assert found.direction is not None and found.direction.value == "improved"
    assert found.modality.value == "asserted"
    assert found.value is not None and (found.value.numerator, found.value.denominator) == (20, 22)


def test_a_pronoun_verdict_with_no_goal_defined_is_no_finding() -> None:
    hoped = "The team hoped to stop transfusions. The cells were safe."
    said = "The team hoped to stop transfusions. Most patients reached it. The cells were safe."
    assert _findings(said) == _findings(hoped)


def test_time_spent_in_a_place_is_the_measure() -> None:
    found = _findings("Both stem cell groups spent less time in hospital than the controls.")
    assert ("time in hospital", "reduced", "asserted") in found


def test_a_figure_in_brackets_does_not_cut_the_measure_from_what_it_is_of() -> None:
    found = _findings(
        "The elastic modulus (p = 0.001) of cell-treated repair tissue was significantly "
        "lower than that of normal tendon."
    )
    assert ("elastic modulus of cell-treated repair tissue", "reduced", "asserted") in found


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        (
            "After 36 months, 9 of the 41 hips in the rod-only group had been replaced.",
            ("joint replacement", None, "asserted"),
        ),
        ("Fewer patients given cells needed an amputation.", ("amputation", "reduced", "asserted")),
        ("Two patients went on to long-term dialysis.", ("dialysis", None, "asserted")),
    ],
)
def test_an_operation_or_treatment_those_studied_went_on_to_need_is_the_finding(
    text: str, finding: tuple[str, str | None, str]
) -> None:
    assert finding in _findings(text)


def test_a_result_that_favoured_a_group_is_for_the_cells_unless_the_group_is_the_control() -> None:
    favoured = _findings("Walking distance favoured the combination group (p = 0.025).")
    assert ("Walking distance", "improved", "asserted") in favoured
    against = _findings("Walking distance favoured the placebo group (p = 0.025). It was safe.")
    assert not any(label == "Walking distance" for label, _, _ in against)


def test_time_alone_is_no_measure() -> None:
    found = _findings(
        "Survival analysis of the hips over time also favoured the combination group. "
        "The cells were safe."
    )
    assert not any(label in ("EFO:0000721", "time") for label, _, _ in found)


def test_an_event_said_of_a_thing_in_a_share_of_patients_against_the_controls_is_a_rate() -> None:
    """An event in each group ("fistulas had closed in 10 of 11 given cells against 5 of 11
    controls") is a rate, with no direction of its own where no p value says the gap is real."""
    found = _findings(
        "At 3 months, fistulas had closed in 10 of 11 patients given stem cells (90.9%) "
        "against 5 of 11 in the control group (45.5%)."
    )
    assert ("fistula closure", None, "asserted") in found
    assert not any(d is not None for label, d, _ in found if label == "fistula closure")


@pytest.mark.parametrize(
    "sentence",
    [
        "Inclusion: a contained defect; neutral overall alignment (less than 5 degrees of varus).",
        "The hypothesis is that the new cartilage regenerates better than after microfracture.",
        "In the cell-treated patients the responses held, and in some cases had even risen.",
    ],
)
def test_criteria_hypotheses_and_vague_words_are_no_findings(sentence: str) -> None:
    """A registry's "Inclusion:" field, what a study set out to show, and "some cases"."""
    said = _findings(f"{sentence} The cells were safe.")
    assert said == _findings("The cells were safe.")


def test_neither_improved_nor_worsened_is_no_change() -> None:
    found = _findings("Best corrected visual acuity had neither improved nor worsened.")
    assert found == {("EFO:0008385", "no_change", "asserted")}
