"""Extraction end to end: one document, explainers and reviews, noisy and hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemkg.extract import extract
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.vocab import load_resources
from tests.extract_texts import ARTICLE


def test_one_article_end_to_end() -> None:
    record = extract(
        Document("knee", "Stem cells ease knee pain in trial", ARTICLE, SourceKind.NEWS),
        load_resources(),
    )
    assert (record.source.venue, record.source.year) == ("Regenerative Medicine", 2020)
    [report] = record.reports
    design = report.design
    assert design.study_type.value == "interventional"
    assert design.masking and design.masking.value == "open_label"
    assert report.phase and report.phase.id == "NCIT:C15600"
    assert report.conditions[0].id == "MONDO:0005416"
    assert report.participants and report.participants.enrolled
    assert report.participants.enrolled.value == 8
    assert report.follow_up and report.follow_up.value == "P12M"
    [arm] = report.arms
    therapy = arm.therapy
    assert therapy.cell_type and therapy.cell_type.id == "CL:0002570"
    assert therapy.donor and therapy.donor.value == "autologous"
    assert [r.id for r in therapy.routes] == ["NCIT:C38223"]
    assert therapy.schedule and therapy.schedule.administrations == 1
    outcomes = {
        (o.measure.id, o.direction.value if o.direction else None, o.modality.value)
        for o in report.outcomes
    }
    assert ("EFO:0010639", "improved", "asserted") in outcomes
    assert ("NCIT:C41331", "no_serious_adverse_events", "asserted") in outcomes
    pain = next(o for o in report.outcomes if o.measure.id == "EFO:0010639")
    assert pain.value and (pain.value.numerator, pain.value.denominator, pain.value.percent) == (
        7,
        8,
        88,
    )
    for value in (design.study_type, report.conditions[0], therapy.cell_type):
        assert value.quote and ARTICLE[value.start : value.end] == value.quote  # type: ignore[index]


def test_an_explainer_yields_nothing() -> None:
    text = (
        "What are stem cells?\n\nStem cells can become many cell types. Researchers study "
        "mesenchymal stem cells for diseases such as ALS, but most uses are experimental."
    )
    assert extract(Document("x", "What are stem cells?", text), load_resources()).reports == []


_RESEARCH_IN_GENERAL = (
    "After a heart attack, part of the heart muscle dies and is replaced by scar. Researchers "
    "have asked whether stem cells could rebuild it. Most of the work has used cells taken from "
    "a patient's own bone marrow and injected into the coronary arteries. Early randomised "
    "trials reported small improvements in the left ventricular ejection fraction."
)


_A_REVIEW = (
    "A narrative review in the Journal of Dermatological Treatment summarises what is known "
    "about mesenchymal stem cells for epidermolysis bullosa. In the randomised trials it covers, "
    "86 patients received intravenous bone marrow MSCs, and blisters healed faster."
)


_A_DIGEST = (
    "When graft-versus-host disease resists steroids, patients move on to second-line drugs. "
    "Mesenchymal stem cells have been tried as an add-on, but single studies disagreed. The "
    "authors searched PubMed, Embase and the Cochrane register for randomised trials of MSCs "
    "plus second-line therapy against second-line therapy alone. Four trials, with 650 "
    "patients between them, met the criteria. Adding MSCs raised the overall response rate."
)


_PATIENT_QUESTIONS = (
    "Researchers are testing several kinds of cells for retinitis pigmentosa, including "
    "retinal progenitor cells grown in the laboratory, which might protect retinal cells. No "
    "stem cell treatment has yet been shown in controlled trials to restore sight. Genuine "
    "trials rarely charge participants for the experimental treatment."
)


@pytest.mark.parametrize("text", [_RESEARCH_IN_GENERAL, _A_REVIEW, _A_DIGEST, _PATIENT_QUESTIONS])
def test_research_in_general_and_a_review_report_no_study(text: str) -> None:
    """A design word and a result about trials in general, a review's summary of the trials
    it covers (said after the opening too: "searched PubMed", "four trials met the criteria"),
    or "an experimental treatment" in advice to patients, are no study of the text's own."""
    assert extract(Document("x", "Stem cells: what we know", text), load_resources()).reports == []


FUZZ_TOKENS = [
    "0",
    "-1",
    "1.5",
    "12,000",
    "9" * 25,
    "eight",
    "zero",
    "twenty-six",
    "×",
    "10^",
    "10⁶",
    "10^0",
    "cells",
    "cells per kilogram",
    "million",
    "0 million cells",
    "patients",
    "of",
    "out of",
    "of the patients",
    "%",
    "150%",
    "apart",
    "0 days apart",
    "months",
    "year",
    "0-month",
    "injections",
    "single",
    "repeated",
    "(MSCs)",
    "MSC",
    "mesenchymal stem cells",
    "bone marrow",
    "from",
    "intrathecal",
    "via lumbar puncture",
    "ALS",
    "ALSFRS-R",
    "improved",
    "did not improve",
    "no",
    "randomised",
    "placebo",
    "phase 2",
    "Phase IIa",
    "NCT01363401",
    "PMID:",
    "25934946",
    "received",
    "Twelve received",
    "0 of 0",
    "1 of 0",
    "\n\n",
    ";",
    "|",
]


@pytest.mark.parametrize("seed", range(40))
def test_noisy_articles_give_valid_records(seed: int) -> None:
    """Fuzzing: numbers and terms scattered into an article never break extraction."""
    import random

    rng = random.Random(seed)
    words = ARTICLE.split(" ")
    for _ in range(rng.randint(5, 25)):
        words.insert(rng.randrange(len(words)), " ".join(rng.choices(FUZZ_TOKENS, k=3)))
    doc = Document(f"fuzz-{seed}", "Fuzz", " ".join(words))
    extract(doc, load_resources())  # validates the record; raises on an invalid one


def test_no_break_spaces_and_hostile_numbers(tmp_path: Path) -> None:
    from stemkg.pipeline import extract_paths

    text = ARTICLE.replace("mesenchymal stem", "mesenchymal\u00a0stem").replace(
        "1 × 10⁶", "1 × 10^400"
    )
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    [(_, record)] = extract_paths([path]).records
    [arm] = record.reports[0].arms
    assert arm.therapy.cell_type and arm.therapy.cell_type.id == "CL:0002570"
    assert arm.therapy.dose is None  # 10^400 is not a dose


def test_an_edited_article_keeps_its_untouched_iris(tmp_path: Path) -> None:
    """Sources are keyed by title, outcomes by what they found: a sentence added at the top
    and a renamed file move nothing that stayed the same."""
    from stemkg.pipeline import build

    original = f"Stem cells ease knee pain in trial\n\n{ARTICLE}"
    edited = original.replace(
        "An open-label phase I trial",
        "Knee osteoarthritis affects millions of people.\n\nAn open-label phase I trial",
    ).replace(
        "No serious adverse events occurred.",
        "No serious adverse events occurred. Walking distance increased in 6 of 8 patients.",
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "knee.txt").write_text(original, encoding="utf-8")
    (tmp_path / "b" / "knee-pain-2020-edited.txt").write_text(edited, encoding="utf-8")
    before = _subjects(build([tmp_path / "a"], tmp_path / "one").out_dir)
    after = _subjects(build([tmp_path / "b"], tmp_path / "two").out_dir)
    kept = {iri for iri in before if "/evidence/" not in iri}
    assert kept and kept <= after
    assert len(after - before) > 0  # the new outcome and its evidence


def _subjects(out: Path) -> set[str]:
    from pyoxigraph import NamedNode

    from stemkg.store import open_store

    store = open_store(out)
    return {
        q.subject.value
        for q in store
        if isinstance(q.subject, NamedNode)
        and q.subject.value.startswith("https://w3id.org/stemkg/id/")
        and "graph/ontology" not in str(q.graph_name)
    }


def test_hard_inputs_stay_bounded_and_invent_nothing() -> None:
    """A 2 MB article with thousands of term mentions, one in another language, and one in
    which every sentence is negated."""
    import time

    res = load_resources()
    base = (
        "Mesenchymal stem cells from bone marrow were given intravenously to 12 patients with "
        "multiple sclerosis, amyotrophic lateral sclerosis and heart failure in a phase 2 trial. "
    )
    big = "Stem cells in a large trial\n\n" + (base * 9000)[:2_000_000]
    start = time.perf_counter()
    extract(Document("big", "t", big), res)
    assert time.perf_counter() - start < 60  # generous: this is not a benchmark
    spanish = (
        "Células madre para la esclerosis\n\nEn un ensayo clínico, 20 pacientes con esclerosis "
        "múltiple recibieron células madre mesenquimales de la médula ósea por vía intravenosa. "
        "Los investigadores informaron que la discapacidad mejoró a los seis meses. "
    ) * 2
    assert extract(Document("es", "t", spanish), res).reports == []
    negated = (
        "Stem cells were not tested\n\nNo patients received mesenchymal stem cells. No trial "
        "was run and no study was published. Nothing improved, because no one was treated. "
    ) * 3
    assert extract(Document("neg", "t", negated), res).reports == []
