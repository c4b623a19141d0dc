"""Extraction's entry points: annotate a document, segment it into studies, assemble one
report per study, and say why a document gives none.

Every value carries the quote and offsets that state it, the method that produced it and a
confidence. Where a value is inferred rather than stated (human participants from the word
"patients"), the method says so and the confidence is lower.
"""

from __future__ import annotations

import re
from typing import Any

from stemkg.extract import quantities as q
from stemkg.extract.annotate import AnnotatedDoc, Resources, annotate
from stemkg.extract.cells import GENERIC_CELLS, studied_condition, study_conditions, therapy_cells
from stemkg.extract.design import (
    PRECLINICAL,
    Design,
    design_axes,
    design_details,
    design_or_default,
    host_species,
    one_group_alone,
    phase_mentions,
)
from stemkg.extract.drafts import Details, Report, StudyRef, Value
from stemkg.extract.endpoints import primary_first
from stemkg.extract.grounding import Mention
from stemkg.extract.groups import (
    arms_of_groups,
    cells_arm_sized,
    default_arms,
    each_group,
    one_person,
    participant_counts,
    people_counts,
    table_arms,
    therapy_draft,
    treated_in_the_cells_arm,
    unstated,
)
from stemkg.extract.outcomes import SUBJECTS, distinct, find_outcomes
from stemkg.extract.segment import (
    IDS,
    NCT_IN_TEXT,
    STUDYLIKE,
    all_distinct,
    describes_a_study,
    region_ref,
    segment,
)
from stemkg.lexicon import Kind
from stemkg.model import SCHEMA_VERSION
from stemkg.sources.document import Document

__all__ = ["explain", "extract_record"]


_VENUE = re.compile(
    r"\b(?:published|reported|appeared|described|presented|reported online)\s+(?:in|by)\s+"
    r"(?:the\s+journal\s+)?((?:The\s+)?[A-Z][\w&.'-]*(?:\s+(?:[A-Z][\w&.'-]*|of|in|and|for|&))*)"
    r"(?:\s+in|,|\s+\()\s*(?:\w+\s+)?((?:19|20)\d\d)\b"
)


_GIVEN_TISSUES = frozenset({"UBERON:0012168"})
"""Tissues given as they are, whose cells a text need not name (umbilical cord blood)."""


_CITATION = re.compile(
    r"(?:^|(?<=et al\. )|(?<=\. ))(?P<venue>[A-Z][A-Za-z&-]*(?: (?:[A-Z][A-Za-z&-]*|of|and|&))*)"
    r"\.? (?P<year>(?:19|20)\d\d)(?:;\s*\d+|\.(?:\s|$)|$)",
    re.M,
)
"""A citation line, as a reference manager or PubMed writes it: "Traverse JH, et al. JAMA.
2012;308(22):2380-9" or "Diabetes. 2019;68(4):837-846"."""


def _venue(d: AnnotatedDoc) -> tuple[str | None, int | None]:
    """The journal and year the text says the study appeared in, else its citation line's."""
    m = d.search(_VENUE)
    if m:
        return m.group(1).strip(), int(m.group(2))
    cited = d.search(_CITATION)
    if cited and len(cited.group("venue")) >= 3:
        return cited.group("venue"), int(cited.group("year"))
    return None, None


_PMID_FORM = re.compile(r"[0-9]{1,9}")


_DOI_FORM = re.compile(r"10\.[0-9]{4,9}/\S+")


_NCT_FORM = re.compile(r"NCT[0-9]{8}")


def _checked(value: str | None, form: re.Pattern[str]) -> str | None:
    """An identifier a reader found, if it has the right form (a page's meta tag may not)."""
    return value if value and form.fullmatch(value) else None


def _study_ref(doc: Document, title: str) -> StudyRef:
    ref: StudyRef = {"title": title}
    ncts = [n for n in doc.nct if _checked(n, _NCT_FORM)]
    if ncts:
        ref["nct"] = ncts
    if pmid := _checked(doc.pmid, _PMID_FORM):
        ref["pmid"] = pmid
    if doi := _checked(doc.doi, _DOI_FORM):
        ref["doi"] = doi
    return ref


_REVIEW = re.compile(
    r"\b(?:meta[- ]?analys[ie]s|systematic review|pooled (?:analysis|data|results)|"
    r"review of (?:\d+|two|three|four|five|six|seven|eight|nine|ten|dozens of|many) "
    r"(?:studies|trials|papers)|"
    r"(?:a|an|this|the|new|recent|latest) (?:new |recent |narrative |scoping |literature |"
    r"critical |comprehensive |updated |systematic )*review(?! board)(?: article)?\b"
    r"(?= (?:published|in|of|by|from|looks?|looked|finds?|found|concludes?|concluded|"
    r"summari[sz]es?|summari[sz]ed|covers?|covered|gathers?|gathered|examines?|examined)\b)|"
    r"the reviewers|(?:we|they|the authors) reviewed)\b",
    re.I,
)
"""What a review or meta-analysis says about itself: it reports no study of its own."""


_REVIEWED = re.compile(
    r"\b(?:searched|searching|a search of)\s+(?:the\s+)?(?:databases?\s+)?(?:PubMed|MEDLINE|"
    r"Embase|EMBASE|Cochrane|Web of Science|Scopus|CINAHL)\b|"
    r"\b(?:trials|studies|papers)\b[^.;]{0,60}\bmet the (?:inclusion |eligibility |review's )?"
    r"criteria\b|"
    r"\bsummary of (?:other (?:people's|researchers') |published |existing )(?:trials|studies)\b",
    re.I,
)
"""How a review says what it did, wherever it says it: it searched the literature
databases, so many trials met its criteria; a primary study does neither."""


def _is_review(d: AnnotatedDoc) -> bool:
    """A text whose headline or opening presents it as a review or a meta-analysis, or
    which says it searched the literature for the trials it pools."""
    opening = " ".join(s.text for s in d.sents[:3])
    return bool(_REVIEW.search(opening) or d.search(_REVIEWED))


def _result(d: AnnotatedDoc, outcomes: list[Any]) -> bool:
    """Something came out: an outcome, or a direction said in a sentence about the study."""
    if outcomes:
        return True
    return any(
        STUDYLIKE.search(text) or SUBJECTS.search(text)
        for text in (d.sentence_of(h.start).text for h in d.cues("direction"))
    )


def _reports_a_study(
    d: AnnotatedDoc, doc: Document, cell: Mention | None, subjects: Any, outcomes: list[Any]
) -> bool:
    """A study: cells given to someone (people, animals or cells, or a design or phase that
    says so) with a result, or a registered trial described by its design."""
    if cell is None or not d.search(STUDYLIKE):
        return False
    designed = bool(d.cues("design")) or bool(phase_mentions(d))
    done = bool(subjects) or (designed and _particular(d, doc))
    registered = bool(doc.nct) or bool(d.search(NCT_IN_TEXT))
    return (done and _result(d, outcomes)) or (registered and (done or bool(outcomes)))


_PARTICULAR = re.compile(
    r"\b(?:(?:the|this|our|that) (?:\w+ ){0,3}(?:trial|study|experiment|team|researchers|"
    r"investigators|authors)|(?:19|20)\d\d|[A-Z][A-Z0-9-]{2,} (?:trial|study))\b"
)
"""Words that point at one study: "the trial", "the researchers", a year, a named trial."""


def _particular(d: AnnotatedDoc, doc: Document) -> bool:
    """Whether a text speaks of one study rather than of research in general (an explainer
    says "early randomised trials reported small improvements")."""
    return bool(doc.pmid or doc.doi or doc.nct or d.search(_PARTICULAR) or _venue(d)[0])


_DONE = re.compile(
    r"\b(?:(?:were|was|had been)\s+(?:\w+\s+)?(?:treated|exposed|cultured|grown|given|added|"
    r"incubated|injected|transplanted|infused|implanted|tested|compared|randomi[sz]ed)|"
    r"found|showed|shown|reported|observed|demonstrated|published|measured)\b",
    re.I,
)
"""Past-tense experimental work: what an explainer's general present tense lacks."""


def _inferred(d: AnnotatedDoc, design: Value) -> bool:
    """A design read from what the text describes (cells on target cells, an animal model),
    where the text also says work was done."""
    method = design.get("method")
    if method == "inferred-cells-only" and not d.search(_EXPERIMENT):
        return False
    return method in ("inferred-from-species", "inferred-cells-only") and bool(d.search(_DONE))


_EXPERIMENT = re.compile(r"\b(?:experiments?|cultures?|culture dish(?:es)?)\b", re.I)
"""Work on cells in a dish; not "an experimental treatment", which any trial gives."""


def extract_record(doc: Document, res: Resources) -> dict[str, Any]:
    """The record (as a plain mapping in the curated-record format) of one document."""
    d = annotate(doc, res)
    venue, year = _venue(d)
    if doc.pmid and doc.venue:  # a citation's journal field is the venue
        venue = doc.venue
    venue = venue or doc.venue  # what the text says, else what the page's metadata says
    if year is None and doc.date and re.match(r"(?:19|20)[0-9]{2}\b", doc.date):
        year = int(doc.date[:4])
    source: dict[str, Any] = {"kind": doc.kind.value, "title": doc.title}
    for key, value in (
        ("venue", venue),
        ("year", year),
        ("url", doc.url),
        ("date", doc.date),
        ("pmid", _checked(doc.pmid, _PMID_FORM)),
        ("doi", _checked(doc.doi, _DOI_FORM)),
    ):
        if value:
            source[key] = value
    ncts = [n for n in doc.nct if _checked(n, _NCT_FORM)]
    if ncts:
        source["nct"] = ncts
    if doc.retracted:
        source["retracted"] = True
    record: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "source": source, "reports": []}
    record["reports"] = [] if doc.not_a_study else _reports(doc, d)
    return record


def _reports(doc: Document, d: AnnotatedDoc) -> list[Report]:
    """One report per study the document reports: per region where its regions report
    distinct studies, else one for the whole text."""
    regions = segment(d)
    if len(regions) > 1:
        found = []
        for n, (lo, hi) in enumerate(regions):
            part = d.region(lo, hi)
            if _SUMMING_UP.search(part.body) and not (part.search(IDS) or describes_a_study(part)):
                continue  # a closing comment on the studies above, not one of them
            if n == 0 and len(regions) > 2 and not describes_a_study(part):
                continue  # a roundup's preface ("we look at two small trials"), not one of them
            report = _report(doc, part, region_ref(part))
            if report is not None:
                found.append(report)
        if len(found) > 1 and all_distinct(found):
            _share_donors(found)
            return found
    report = _report(doc, d)
    return [report] if report is not None else []


def _share_donors(reports: list[Report]) -> None:
    """A study of a roundup that does not say whose cells it gave takes the donor an earlier
    study of the same cells states ("MultiStem, an off-the-shelf product": each trial of it)."""
    known: dict[str, Value] = {}
    for report in reports:
        for arm in report["arms"]:
            therapy = arm.get("therapy", {})
            cell = therapy.get("cell_type", {}).get("id") or therapy.get("name", {}).get("value")
            if arm.get("comparator") or not cell:
                continue
            if "donor" in therapy:
                known.setdefault(cell, therapy["donor"])
            elif cell in known:
                therapy["donor"] = {**known[cell], "method": "earlier-study", "confidence": 0.6}


_SUMMING_UP = re.compile(
    r"\b(?:these|both|all|the two|the three|the four|neither|none of the)\s+(?:\w+\s+)?"
    r"(?:studies|trials|experiments|results)\b",
    re.I,
)
"""Words that sum up several studies: a roundup's lede or its closing comment."""


def _humans(people: list[q.Count]) -> list[q.Count]:
    """The counts of people: not of animals, nor a bare number with a verb ("one received
    saline") where the text counts animals (the number is a group of them)."""
    animals = any(c.noun in _ANIMAL_NOUNS and c.noun != "n" for c in people)
    return [
        c
        for c in people
        if c.noun not in _ANIMAL_NOUNS and not (animals and c.noun == "participants")
    ]


def _case_of_one(d: AnnotatedDoc, people: list[q.Count]) -> list[q.Count]:
    """The one person a case report treated, where the text counts no one: a patient, so a
    clinical study of a human host."""
    one = None if people else one_person(d)
    return [] if one is None else [q.Count(one.start(), one.end(), 1, "patient")]


_ANIMAL_NOUNS = {
    "rats",
    "rat",
    "mice",
    "animals",
    "animal",
    "dogs",
    "dog",
    "pigs",
    "pig",
    "piglets",
    "sheep",
    "rabbits",
    "gerbils",
    "hamsters",
    "monkeys",
    "macaques",
    "primates",
    "marmosets",
    "goats",
    "horses",
    "cats",
    "zebrafish",
    "n",
}


def _report(doc: Document, d: AnnotatedDoc, ref: StudyRef | None = None) -> Report | None:
    """The study report of a document (or of one study's region of it), or None when it
    reports no study."""
    condition = studied_condition(d)
    cell, tissue = therapy_cells(d)
    if d.parent is not None:  # a study of a roundup may name its cells or disease only above
        if cell is None:
            cell, tissue = therapy_cells(d.parent)
        if condition is None:
            condition = studied_condition(d.parent)
    generic = cell is None or cell.entry.id in GENERIC_CELLS
    given_tissue = next((m for m in d.terms(Kind.TISSUE) if m.entry.id in _GIVEN_TISSUES), None)
    if generic and tissue is None and given_tissue is not None:
        cell, tissue = None, given_tissue  # "an infusion of their own cord blood": a tissue given
    people = people_counts(d)
    humans = _humans(people) or _case_of_one(d, people)
    species = host_species(d, humans)
    design = design_or_default(d, species, humans)
    if design is None or _is_review(d):
        return None
    therapy = therapy_draft(d, cell, tissue)
    group_arms = (
        []
        if design["value"] == Design.IN_VITRO.value
        else table_arms(d, therapy) or arms_of_groups(d, people, therapy)
    )
    participants = participant_counts(d, people, group_arms)
    arms = group_arms or each_group(d, default_arms(d, design["value"], therapy, participants))
    if arms and all(a.get("comparator") for a in arms):  # the cells' own arm went unsaid
        arms = default_arms(d, design["value"], therapy, {}) + arms
    participants = treated_in_the_cells_arm(d, arms, cells_arm_sized(arms, participants))
    outcomes = find_outcomes(d, arms)
    given = cell or (tissue if tissue is not None and tissue.entry.id in _GIVEN_TISSUES else None)
    if not _reports_a_study(d, doc, given, people or species or _inferred(d, design), outcomes):
        return None
    details = design_details(d, design["value"], cell)
    if design["value"] not in PRECLINICAL:
        one_group_alone(d, arms, details)
    axes = design_axes(
        design,
        details.pop("blinding", None),
        details.pop("control", None),
        details.pop("allocation", None),
        details.pop("model", None),
    )
    report: Report = {
        "study": ref if ref is not None else _study_ref(doc, doc.title),
        "design": axes,
        "arms": [unstated(arm, design["value"]) for arm in arms],
        "outcomes": primary_first(d, distinct(outcomes)),
    }
    indexed = [] if condition is not None else _indexed_conditions(doc, d.res)
    if condition is not None:
        report["conditions"] = [d.term(m) for m in study_conditions(d, condition)]
    elif indexed:
        report["conditions"] = indexed
    else:
        report["not_stated"] = ["conditions"]
    if species:
        report["species"] = species
    if participants:
        report["participants"] = participants
    _add_details(report, details)
    return report


def _indexed_conditions(doc: Document, res: Resources) -> list[Any]:
    """Where the text names no condition, the ones its subject headings (PubMed's MeSH)
    name: by MONDO's exact mapping of the descriptor, else grounded with the term index;
    their evidence is the heading, not a quote."""
    mapped = {
        res.mesh[ui]: {
            "id": res.mesh[ui],
            "method": "mesh-mapping",
            "confidence": 0.8,
            "locator": f"MeSH heading {name!r} ({ui}), MONDO's exact match",
        }
        for ui, name in doc.mesh
        if ui in res.mesh and res.lexicon.knows(Kind.CONDITION, res.mesh[ui])
    }
    if mapped:
        return list(mapped.values())
    if not doc.keywords:
        return []
    headings = "\n\n".join(doc.keywords)
    d = annotate(Document(id=doc.id, title=doc.title, text=headings), res)
    found: dict[str, Any] = {}
    for m in d.terms(Kind.CONDITION):
        heading = headings[: m.start].count("\n\n")
        term = {k: v for k, v in d.term(m, 0.7).items() if k not in ("start", "end")}
        found.setdefault(m.entry.id, {**term, "locator": f"MeSH heading {doc.keywords[heading]!r}"})
    return list(found.values())


def _add_details(report: Report, details: Details) -> None:
    """The optional fields that stay on the report (the design's moved onto its axes)."""
    if "phase" in details:
        report["phase"] = details["phase"]
    if "age_range" in details:
        report["age_range"] = details["age_range"]
    if "follow_up" in details:
        report["follow_up"] = details["follow_up"]
    if "target_cells" in details:
        report["target_cells"] = details["target_cells"]


def explain(doc: Document, res: Resources) -> str:
    """Why a document gives no study, in one line: what was found and what was missing."""
    if doc.not_a_study:
        return f"not read for a study: {doc.not_a_study}."
    d = annotate(doc, res)
    condition = studied_condition(d)
    cell, _ = therapy_cells(d)
    people = people_counts(d)
    found: list[str] = []
    missing: list[str] = []
    humans = _humans(people)
    design = design_or_default(d, host_species(d, humans), humans)
    assumed = " (assumed: the text states none)"
    said = "" if design is None or design.get("method") != "default-uncontrolled" else assumed
    for what, value in (
        ("a design", design["value"].replace("_", " ") + said if design else None),
        ("a condition", condition.entry.label if condition else None),
        ("the cells given", cell.entry.label if cell else None),
        ("participants, animals or cells studied", f"{len(people)} counts" if people else None),
        ("a result", "a direction" if d.cues("direction") else None),
        ("study words (trial, study, patients ...)", "yes" if d.search(STUDYLIKE) else None),
    ):
        (found if value else missing).append(f"{what}: {value}" if value else what)
    review = " It presents itself as a review or meta-analysis." if _is_review(d) else ""
    if not _reads_as_english(d.body):
        review += " It does not read as English: stemkg's rules and term tables are English."
    shown = "; ".join(found) or "nothing"
    lacks = "; ".join(missing) or "nothing (the parts did not make a study together)"
    return f"found {shown}. Missing: {lacks}.{review}"


_FUNCTION_WORDS = frozenset(
    ("the", "and", "of", "to", "in", "with", "was", "were", "a", "for", "is", "that", "on", "by")
)


def _reads_as_english(text: str) -> bool:
    """Whether English function words are as common as English prose has them (about a
    fifth of its words; German or French text has almost none of these)."""
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return len(words) < 20 or sum(w in _FUNCTION_WORDS for w in words) >= 0.08 * len(words)
