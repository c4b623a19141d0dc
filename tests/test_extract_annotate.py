"""Annotate: sentences, grounding, numbers and ConText modality on small texts."""

from __future__ import annotations

import pytest

from stemkg.extract import extract
from stemkg.extract import quantities as q
from stemkg.extract.grounding import defined_abbreviations
from stemkg.extract.text import sentences
from stemkg.model import Modality
from stemkg.sources.document import Document
from stemkg.vocab import load_resources


def test_sentences_keep_offsets() -> None:
    text = "Phase I Trial Shows Safety\n\nEight patients were enrolled. Dr. Lee said 1.5 mg worked."
    spans = sentences(text)
    assert [s.text for s in spans][:2] == [
        "Phase I Trial Shows Safety",
        "Eight patients were enrolled.",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_hard_wrapped_lines_make_one_sentence() -> None:
    text = "The trial enrolled eight patients\nwith ALS.\n- a list item\n- another"
    spans = sentences(text)
    assert [s.text for s in spans] == [
        "The trial enrolled eight patients with ALS.",
        "- a list item",
        "- another",
    ]
    assert text[spans[0].start : spans[0].end] == "The trial enrolled eight patients\nwith ALS."


@pytest.mark.parametrize(
    ("paragraph", "plain"),
    [
        (
            "Eight patients were enrolled. Walking improved in seven! Did it persist? "
            "Two had headaches.",
            True,
        ),
        (
            "The cells went into a vein. Nobody had a serious reaction.\nA new line starts here.",
            True,
        ),
        ("Results were published in 2019. 12 patients took part.", False),
        ("Dr. Lee et al. reported it. The U.S. trial ended.", False),
        (
            'It worked (see Fig. 2). Pain fell ... and rose. He said "It works. Really." '
            "Then left.",
            False,
        ),
        ("The dose was 1.5 mg. e.g. in week 2. vs. placebo. No. 4 was best.", False),
    ],
)
def test_the_fast_split_gives_pysbd_s_sentences(paragraph: str, plain: bool) -> None:
    """Plain sentence ends are split without pysbd; wherever pysbd could read them otherwise
    it is asked, so the sentences are always pysbd's."""
    from stemkg.extract import text as t

    assert (t._TRICKY.search(paragraph) is None) == plain
    processor = t._segmenter().processor
    expected = [str(x).strip() for x in processor(paragraph).process() if str(x).strip()]
    assert [x.strip() for x in t._split(paragraph) if x.strip()] == expected


def test_cues_are_found_per_sentence_over_wrapped_lines() -> None:
    """One scan of the whole text finds what a scan per sentence would: over a hard-wrapped
    line, and not across a sentence end."""
    from stemkg.extract.annotate import annotate

    text = "Cells went into the spinal\ncanal of each patient. No serious. Adverse events arose."
    d = annotate(Document("x", "x", text), load_resources())
    found = {(h.kind, text[h.start : h.end]) for h in d.hits}
    assert ("route", "into the spinal\ncanal") in found
    assert not any("serious. Adverse" in quote for _, quote in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bone marrow-derived mesenchymal stem cells", "CL:0002540"),
        ("Mesenchymal Stromal Cells", "CL:0000134"),
        ("hUC-MSCs", "CL:0002569"),
        ("induced pluripotent stem cells", "EFO:0004905"),
        ("given intrathecally", "NCIT:C38267"),
        ("injected into the knee joint", "NCIT:C38223"),
        ("delivered via lumbar puncture", "NCIT:C38267"),
        ("Lou Gehrig's disease", "MONDO:0004976"),
    ],
)
def test_grounding(text: str, expected: str) -> None:
    doc = Document("t", "t", f"Cells were studied. {text}.")
    record = extract(doc, load_resources())  # no study here; check the mentions directly
    assert record.reports == []
    res = load_resources()
    found = {m.entry.id for m in res.grounder.find(doc.text)}
    cues = {c.value for c in res.cues if c.kind == "route" and c.pattern.search(doc.text)}
    assert expected in found | cues


def test_abbreviation_defined_in_the_text_wins() -> None:
    res = load_resources()
    text = "Adipose-derived mesenchymal stem cells (ASCs) were used. The ASCs were injected."
    defined = defined_abbreviations(text, res.grounder)
    assert defined["ASC"].id == "CL:0002570"
    ids = [m.entry.id for m in res.grounder.find(text, defined)]
    assert ids.count("CL:0002570") == 3


def test_short_abbreviations_need_a_definition() -> None:
    res = load_resources()
    assert "MONDO:0005301" not in {m.entry.id for m in res.grounder.find("IT WAS MS AS USUAL")}
    text = "People with multiple sclerosis (MS) took part. MS is common."
    defined = defined_abbreviations(text, res.grounder)
    assert [m.entry.id for m in res.grounder.find(text, defined)].count("MONDO:0005301") == 3


@pytest.mark.parametrize(
    ("text", "value", "noun"),
    [
        ("eight patients were enrolled", 8, "patients"),
        ("twenty-six adults", 26, "adults"),
        ("Twelve received one injection", 12, "participants"),
        ("11 of them went on", 11, "of them"),
    ],
)
def test_counts(text: str, value: int, noun: str) -> None:
    [count] = q.counts(text)
    assert (count.value, count.noun) == (value, noun)


def test_numbers_durations_doses_fractions() -> None:
    assert q.number("twenty-six") == 26
    assert [d.iso for d in q.durations("over six months and a 12-month follow-up")] == [
        "P6M",
        "P12M",
    ]
    [dose] = q.doses("at 1 × 10⁶ cells per kilogram of body weight")
    assert (dose.value, dose.unit) == (1e6, "cells/kg")
    assert q.doses("2, 5, 10 or 20 million cells") == []
    [named] = q.doses("150 million autologous bone marrow mononuclear cells")
    assert named.value == 1.5e8
    assert q.doses("150 million people worldwide, whose cells") == []
    [f] = q.fractions("13 of 15 patients")
    assert (f.numerator, f.denominator) == (13, 15)
    assert q.schedule("two intrathecal injections 26 days apart")[:2] == (2, "P26D")
    assert q.months("P1Y") == q.months("P12M") == 12.0


@pytest.mark.parametrize(
    ("sentence", "target", "modality"),
    [
        ("The cells may slow the decline in ALSFRS-R scores.", "slow", Modality.HEDGED),
        ("The treatment did not improve walking distance.", "improve", Modality.NEGATED),
        ("Pain improved in the treated group.", "improved", Modality.ASSERTED),
        ("There was no change in FVC.", "change", Modality.ASSERTED),
        ("Not all scores fell, but walking improved.", "improved", Modality.ASSERTED),
        ("These results suggest that MSCs reduce apoptosis.", "reduce", Modality.HEDGED),
    ],
)
def test_negex_context(sentence: str, target: str, modality: Modality) -> None:
    start = sentence.index(target)
    assert load_resources().rules.modality(sentence, start, start + len(target)) is modality


def test_one_that_received_is_a_group_not_a_count() -> None:
    """ "One group received saline, one received the cells": no count of one person."""
    from stemkg.extract import quantities as q

    found = q.counts("One group received saline, one received the same injections with cells.")
    assert not any(c.value == 1 for c in found)
    assert [c.value for c in q.counts("Twelve received the cells.")] == [12]


@pytest.mark.parametrize(
    ("text", "iso"), [("At week 24, half had healed.", "P24W"), ("Seen again on day 28.", "P28D")]
)
def test_a_time_said_as_a_point_of_the_study(text: str, iso: str) -> None:
    assert [d.iso for d in q.durations(text)] == [iso]
