"""Extraction pieces on small texts: sentences, grounding, numbers, modality, one document."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemkg.extract import extract
from stemkg.extract import quantities as q
from stemkg.extract.grounding import defined_abbreviations
from stemkg.extract.text import sentences
from stemkg.model import Modality, SourceKind
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
    from stemkg.extract.study import _analyse

    text = "Cells went into the spinal\ncanal of each patient. No serious. Adverse events arose."
    d = _analyse(Document("x", "x", text), load_resources())
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


ARTICLE = """Stem cells ease knee pain in trial

An open-label phase I trial published in Regenerative Medicine in 2020 enrolled eight patients
with knee osteoarthritis. Each received a single injection of autologous adipose-derived
mesenchymal stem cells into the knee joint at 1 × 10⁶ cells per kilogram. Patients were followed
for 12 months. Pain scores improved in 7 of 8 patients (88%). No serious adverse events occurred.
The researchers say the cells may slow cartilage loss."""


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


@pytest.mark.parametrize("text", [_RESEARCH_IN_GENERAL, _A_REVIEW])
def test_research_in_general_and_a_review_report_no_study(text: str) -> None:
    """A design word and a result about trials in general, or a review's summary of the trials
    it covers, are no study of the text's own."""
    assert extract(Document("x", "Stem cells: what we know", text), load_resources()).reports == []


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


def test_future_trials_are_not_the_design() -> None:
    text = ARTICLE.replace("An open-label phase I trial", "A phase I trial") + (
        " A larger randomised trial is now planned."
    )
    [report] = extract(Document("k", "t", text), load_resources()).reports
    assert report.design.allocation is None


def test_an_arm_without_a_route_says_it_is_not_stated() -> None:
    text = ARTICLE.replace("a single injection of", "a single dose of").replace(
        " into the knee joint", ""
    )
    [report] = extract(Document("k", "t", text), load_resources()).reports
    [arm] = report.arms
    assert arm.therapy.routes == []
    assert [f.value for f in arm.therapy.not_stated] == ["routes"]


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


_TRIAL = (
    "Cells for stroke: a randomised trial\n\n"
    "In a phase 2 trial, 120 adults with ischaemic stroke were randomised to an intravenous "
    "infusion of bone marrow mesenchymal stem cells or placebo. "
)


def _findings(text: str) -> set[tuple[str | None, str | None, str]]:
    doc = Document("t", "Cells for stroke: a randomised trial", _TRIAL + text, SourceKind.NEWS)
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
    ],
)
def test_a_change_on_a_scale_is_read_clinically(text: str, finding: tuple[str, str, str]) -> None:
    """Rise and fall on a scale with one clinical reading; ejection fraction keeps its words."""
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


def _cells(text: str) -> list[tuple[str | None, str]]:
    doc = Document("t", "Cells for angina", text, SourceKind.NEWS)
    [report] = extract(doc, load_resources()).reports
    cells = [a.therapy.cell_type for a in report.arms if a.therapy.cell_type is not None]
    return [(c.id, c.label) for c in cells]


def test_cells_no_table_names_are_kept_unmapped() -> None:
    """A marker-defined cell ("CD34+ cells") and marrow given as it is still make a study."""
    trial = (
        "In a phase 2 trial, 167 patients with refractory angina were randomised to "
        "intramyocardial injection of autologous {cells} or placebo. Angina episodes fell "
        "with the cells (6.8 vs 10.9 a week)."
    )
    assert _cells(trial.format(cells="CD34+ cells")) == [(None, "CD34+ cell")]
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
    with the route said as "into the walls of the fistula tracts"."""
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
    assert report.participants is not None and report.participants.treated is None


def test_a_share_of_those_treated_is_a_result() -> None:
    text = (
        "Surgeons treated 14 adults whose thigh-bone fractures had failed to heal by injecting "
        "concentrated bone marrow, in an open-label study. Thirteen of the 14 healed."
    )
    assert extract(Document("t", "Marrow heals bones", text), load_resources()).reports


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
    marrow = _TRIAL.replace("bone marrow mesenchymal stem cells", "concentrated bone marrow")
    marrow += "The mRS score fell more in those given the marrow (P=0.01)."
    [report] = extract(Document("t", "Marrow", marrow), load_resources()).reports
    therapy = next(a for a in report.arms if not a.comparator).therapy
    assert therapy.source_tissue is not None and therapy.source_tissue.id == "UBERON:0002371"


def test_remission_in_a_share_of_patients_is_a_finding() -> None:
    found = _findings("Remission came in 9 of 12 patients given cells and 5 of 6 given placebo.")
    assert ("stemkg:remission", None, "asserted") in found


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
    ("sentence", "allocation"),
    [
        ("There was no control group.", "single_group"),
        ("It compared two doses, with no placebo.", None),
    ],
)
def test_one_group_without_comparison_is_single_group(
    sentence: str, allocation: str | None
) -> None:
    text = (
        "In a phase 1 study, 12 adults with knee osteoarthritis received an intra-articular "
        f"injection of adipose-derived mesenchymal stem cells. {sentence} Pain scores fell by half "
        "over six months in the patients."
    )
    [report] = extract(Document("t", "Fat cells for knees", text), load_resources()).reports
    found = report.design.allocation
    assert (found.value.value if found else None) == allocation


@pytest.mark.parametrize(
    ("phrase", "route"),
    [
        ("injected into the anterior horns of the lumbar spinal cord", "NCIT:C38263"),
        ("infused through the hepatic artery", "NCIT:C38222"),
        ("placed beneath the retina", "NCIT:C79143"),
        ("given straight into the windpipe", "NCIT:C38208"),
        ("injected into the penis", "NCIT:C38230"),
    ],
)
def test_routes_said_in_other_words(phrase: str, route: str) -> None:
    text = (
        f"In a phase 1 study, 10 adults with chronic disease had mesenchymal stem cells {phrase}. "
        "Symptoms improved in 8 of the 10 patients."
    )
    [report] = extract(Document("t", "Cells", text), load_resources()).reports
    assert route in {r.id for a in report.arms for r in a.therapy.routes}


def test_a_tissue_rich_in_cells_is_their_source() -> None:
    text = (
        "In a study of 45 adults with torn rotator cuffs, surgeons injected a concentrate of the "
        "patient's own bone marrow, rich in mesenchymal stem cells, at the repair. All 45 tears "
        "healed by six months in the treated patients."
    )
    [report] = extract(Document("t", "Marrow for shoulders", text), load_resources()).reports
    tissue = report.arms[0].therapy.source_tissue
    assert tissue is not None and tissue.id == "UBERON:0002371"


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


def test_counted_animals_not_animal_studies() -> None:
    assert [c.value for c in q.counts("Two animal studies used 18 diabetic db/db mice.")] == [18]


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
