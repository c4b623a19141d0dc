"""Assemble, verdicts on endpoints: a verdict is a finding on the measure the text names as
that endpoint, wherever it names it."""

from __future__ import annotations

import pytest

from stemkg.extract import extract
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.vocab import load_resources
from tests.extract_texts import TRIAL


def _verdicts(text: str) -> set[tuple[str, str | None, str, str | None]]:
    doc = Document("t", "Cells for stroke: a randomised trial", TRIAL + text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    return {
        (
            o.measure.id or o.measure.label,
            o.direction.value if o.direction else None,
            o.modality.value,
            o.description,
        )
        for o in report.outcomes
        if o.direction is not None and o.direction.method == "endpoint-pattern"
    }


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        (  # defined in an earlier sentence, by a term the lexicon knows
            "The primary outcome was all-cause mortality at 28 days. The trial missed its "
            "primary outcome.",
            ("EFO:0004352", "improved", "negated", "the trial's primary outcome"),
        ),
        (  # defined in the verdict itself, with the way the trial hoped it would go
            "The cells did not meet the primary efficacy endpoint of reducing new brain lesions "
            "on MRI.",
            (
                "new brain lesions on MRI",
                "reduced",
                "negated",
                "the trial's primary efficacy endpoint",
            ),
        ),
        (  # a registry's field with its value on the next line; a verdict in the passive
            "Primary outcome measure\n- Percentage of participants with complete wound healing "
            "at week 12.\n\nThe primary endpoint was met.",
            (
                "complete wound healing",
                "improved",
                "asserted",
                "the trial's primary outcome measure",
            ),
        ),
        (  # an apposition names the endpoint; a clause after a comma does not
            "The trial did not achieve its prespecified efficacy endpoint, although the sponsor "
            "said the infusions were well tolerated.",
            ("prespecified efficacy endpoint", "improved", "negated", None),
        ),
    ],
)
def test_a_verdict_is_a_finding_on_its_endpoint(
    text: str, verdict: tuple[str, str, str, str | None]
) -> None:
    assert _verdicts(text) == {verdict}


def test_a_verdict_on_an_endpoint_never_named_says_nothing_in_the_passive() -> None:
    text = "The primary endpoint was not met. The Barthel index improved more than with placebo."
    assert _verdicts(text) == set()


@pytest.mark.parametrize(
    "text",
    [
        "The trial met its primary endpoint, which was safety.",
        "The study met its primary safety endpoint.",
        "It met its main goal of safety, with no infusion reactions.",
    ],
)
def test_an_endpoint_of_safety_met_is_no_finding_of_its_own(text: str) -> None:
    assert _verdicts(text + " No serious adverse events occurred.") == set()


def test_the_primary_endpoint_s_finding_comes_first_and_says_so() -> None:
    text = (
        "Walking distance improved more than with placebo. The primary outcome was "
        "left ventricular ejection fraction, which rose by 4% with the cells against placebo."
    )
    doc = Document("t", "Cells for stroke: a randomised trial", TRIAL + text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    first = report.outcomes[0]
    assert first.measure.id == "EFO:0005527" or "ejection" in (first.measure.label or "")
    assert first.description == "the trial's primary outcome"
    assert all(o.description is None for o in report.outcomes[1:])


def test_an_endpoint_named_by_its_role_stands_for_what_it_measured() -> None:
    text = (
        "Cells for heart failure\n\nIn a phase 3 trial, 566 patients with heart failure were "
        "randomised to mesenchymal precursor cells or a sham procedure. The cells made no "
        "difference to the primary "
        "endpoint, the rate of recurrent heart failure events."
    )
    doc = Document("t", "Cells for heart failure", text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    labels = {o.measure.label for o in report.outcomes if o.direction is not None}
    assert "rate of recurrent heart failure events" in labels or any(
        "recurrent heart failure events" in label for label in labels
    )
    assert "primary endpoint" not in labels
