"""Assemble, the design: study type from cues (or inferred from species and counts), the
model's design axes (allocation, masking, control, intervention model), phase, host
species, ages and follow-up.
"""

from __future__ import annotations

import re
from enum import StrEnum

from stemkg.extract import quantities as q
from stemkg.extract.annotate import AnnotatedDoc, Hit
from stemkg.extract.cells import earlier_transplant, most_frequent, stemlike, target_cells
from stemkg.extract.drafts import Arm, Axes, Details, Term, Value
from stemkg.extract.grounding import Mention
from stemkg.lexicon import Kind
from stemkg.migrate import V1_DESIGN

_FOLLOW = re.compile(
    r"\b(follow(ed)?[- ]?(up)?|monitored|tracked|observed|continued|assessed)\b", re.I
)


_BEFORE = re.compile(r"^\W*(before|prior|of (lead|run)[- ]in|lead[- ]in|run[- ]in)\b", re.I)


_AGES = re.compile(
    r"\b(?:aged|ages? of|between the ages of)\s+(\d{1,2})\s+(?:to|and|-|–)\s+(\d{1,3})\b", re.I
)


_LATER_BASE = (
    r"future|subsequent|warrant\w*|support(?:s|ing)?\s+(?:a|an)|"
    r"(?:is|are)\s+(?:now\s+)?needed|needed\s+to|calls?\s+for|should\s+now"
)
_LATER_WORDS = rf"{_LATER_BASE}|further"
FUTURE = re.compile(
    rf"\b(?:planned|planning|will|would|next step|should|upcoming|hypothes[ie]s(?![- ]generat)|"
    rf"hypothesi[sz]ed?|{_LATER_WORDS})\b",
    re.I,
)
"""A sentence about work still to come ("a larger randomised trial is now planned") or what
a study set out to show ("the hypothesis is that the cartilage regenerates better")."""


class Design(StrEnum):
    """The design categories the cues name; a report states them on the model's axes
    (``migrate.V1_DESIGN``: "randomised" is an interventional, randomised study)."""

    IN_VITRO = "in_vitro"
    ANIMAL = "animal"
    CASE_REPORT = "case_report"
    CASE_SERIES = "case_series"
    OPEN_LABEL = "open_label"
    NON_RANDOMISED_CONTROLLED = "non_randomised_controlled"
    RANDOMISED_CONTROLLED = "randomised_controlled"


_MASKING = {
    "open": "open_label",
    "single": "single",
    "double": "double",
    "triple": "triple",
    "quadruple": "quadruple",
}


def _design(d: AnnotatedDoc, species: str | None, patients: bool) -> Value | None:
    """The design a cue states; laboratory and animal cues count only without patients
    (a trial article may recall "laboratory experiments" that came before it)."""
    clinical = [
        Design.NON_RANDOMISED_CONTROLLED,
        Design.RANDOMISED_CONTROLLED,
        Design.OPEN_LABEL,
        Design.CASE_SERIES,
        Design.CASE_REPORT,
    ]
    clinical_text = patients or bool(phase_mentions(d))  # "a phase II trial" in eyes
    order = clinical if clinical_text else [Design.IN_VITRO, Design.ANIMAL, *clinical]
    hits = [
        h
        for h in d.cues("design")
        if not FUTURE.search(d.sentence_of(h.start).text) and not denied(d, h)
    ]
    animals = bool(species) and species != "NCBITaxon:9606" and not patients
    if animals:
        animal = any(h.value == Design.ANIMAL.value for h in hits)
        # "a controlled laboratory study in rats": the animal cue wins; "nine randomised
        # horses": a clinical word does not make a veterinary study a clinical one
        order = [Design.ANIMAL, Design.IN_VITRO] if animal else [Design.IN_VITRO]
    for design in order:
        found = [h for h in hits if h.value == design.value]
        if found:
            h = found[0]
            return d.value(design.value, h.start, h.end, "design-cue")
    if animals:
        m = next(m for m in d.terms(Kind.SPECIES) if m.entry.id == species)
        return d.value(Design.ANIMAL.value, m.start, m.end, "inferred-from-species", 0.6)
    targets = [m for m in d.terms(Kind.CELL_TYPE) if not stemlike(m.entry, d.res)]
    if not clinical_text and not species and targets:
        m = targets[0]
        return d.value(Design.IN_VITRO.value, m.start, m.end, "inferred-cells-only", 0.5)
    return None


def host_species(d: AnnotatedDoc, patients: list[q.Count]) -> Term | None:
    mentions = [m for m in d.terms(Kind.SPECIES) if d.section_of(m.start) != "background"]
    hosts = [m for m in mentions if not _of_cells(d, m)]  # a background's earlier work in rats
    named = most_frequent(hosts or mentions)
    if named is not None and not _outvoted(named, hosts, patients):
        return d.term(named)
    if patients:
        c = patients[0]
        return d.known("NCBITaxon:9606", c.start, c.end, "inferred-from-patients", 0.7)
    return None


def _outvoted(named: Mention, hosts: list[Mention], patients: list[q.Count]) -> bool:
    """Counted people outnumber the mentions of an animal host ("earlier experiments in rats")."""
    if named.entry.id == "NCBITaxon:9606" or not patients:
        return False
    return len(patients) > sum(m.entry.id == named.entry.id for m in hosts)


_OF_CELLS = re.compile(r"\s*(?:[\w-]+\s+){0,3}?(?:[\w-]*cells?|tissue|cords?|marrow)\b", re.I)


def _of_cells(d: AnnotatedDoc, m: Mention) -> bool:
    """A species that says where the cells came from ("human iPS cells"), not who got them."""
    return bool(_OF_CELLS.match(d.text, m.end))


def _follow_up(d: AnnotatedDoc) -> Value | None:
    best: q.Duration | None = None
    for s in d.sents:
        if not _FOLLOW.search(s.text):
            continue
        for dur in q.durations(s.text, s.start):
            after = d.text[dur.end : dur.end + 30]
            if _BEFORE.match(after) or "apart" in after[:8]:
                continue
            if best is None or q.months(dur.iso) > q.months(best.iso):
                best = dur
    if best is None:
        return None
    return d.value(best.iso, best.start, best.end, "duration-follow-up", 0.8)


_DENIED = re.compile(r"\b(?:not|never|no)\s+(?:\w+\s+){0,1}$", re.I)


def denied(d: AnnotatedDoc, h: Hit) -> bool:
    """A cue the text denies ("this was **not** a randomised trial"): no evidence for it."""
    lo = max(d.sentence_of(h.start).start, h.start - 30)
    before = re.sub(r"[*_]+", "", d.text[lo : h.start])
    return bool(_DENIED.search(before))


_FURTHER = r"further\s+(?:[\w-]+\s+){0,2}(?:trials?|studies|study|research|work|investigations?)"


_LATER = re.compile(rf"\b(?:{_LATER_BASE}|{_FURTHER})\b", re.I)
"""A later trial; "further" only as more study ("further trials"), not as more of the same
("then five further controls")."""


def _later_trial(d: AnnotatedDoc, h: Hit) -> bool:
    """A design cue in a sentence about a later trial ("the results support a randomised,
    placebo-controlled phase 2 trial"; "larger randomised trials are needed")."""
    return bool(_LATER.search(d.sentence_of(h.start).text))


def first_cue(d: AnnotatedDoc, kind: str, method: str) -> Value | None:
    hits = _cue_hits(d, kind)
    first = hits[0] if hits else None
    if kind == "control" and first and first.value == "placebo" and not _said_placebo(d, first):
        # "mixed with collagen gel and saline ... There was no comparison group": the saline
        # was a carrier, as the text's own word that no group was compared says
        hits = [h for h in hits if h.value == "none"] or hits
    if not hits:
        return None
    return d.value(hits[0].value, hits[0].start, hits[0].end, method)


def _said_placebo(d: AnnotatedDoc, h: Hit) -> bool:
    return "placebo" in d.text[h.start : h.end].casefold()


def _cue_hits(d: AnnotatedDoc, kind: str) -> list[Hit]:
    return [
        h
        for h in d.cues(kind)
        if not (kind in _DENIABLE and denied(d, h))
        and not (kind in _DESIGNED and d.section_of(h.start) == "background")
        and not (kind in _DESIGNED and _later_trial(d, h))
        and not (kind.startswith("donor") and earlier_transplant(d, h.start, h.end))
    ]  # an abstract's background says how earlier studies were designed


def phase_mentions(d: AnnotatedDoc) -> list[Mention]:
    return d.terms(Kind.PHASE)


PRECLINICAL = (Design.IN_VITRO.value, Design.ANIMAL.value)


_DENIABLE = frozenset(("allocation", "blinding", "model"))
"""Cue kinds whose words a denial turns round ("not randomised" is a cue of its own)."""
_DESIGNED = _DENIABLE | {"control"}
"""Design cue kinds that an abstract's background states of earlier studies."""


def design_or_default(d: AnnotatedDoc, species: Term | None, humans: list[q.Count]) -> Value | None:
    """The stated design; a clinical text that states none is taken as uncontrolled
    (open label, confidence 0.3), since a control would have been named."""
    design = _design(d, species.get("id") if species else None, bool(humans))
    if design is None and (humans or phase_mentions(d)):
        first = humans[0] if humans else phase_mentions(d)[0]
        design = d.value(
            Design.OPEN_LABEL.value, first.start, first.end, "default-uncontrolled", 0.3
        )
    return design


def _age_range(d: AnnotatedDoc) -> dict[str, Value] | None:
    ages = d.search(_AGES)
    if not ages:
        return None
    return {
        bound: d.value(int(ages.group(g)), ages.start(g), ages.end(g), "age-pattern", 0.8)
        for bound, g in (("min", 1), ("max", 2))
    }


_SEVERAL_GROUPS = re.compile(
    r"\b(?:two|three|four|five|2|3|4|5) (?:\w+ )?(?:doses|groups|arms|cohorts)\b|"
    r"\bdose[- ](?:groups?|cohorts?)\b|\beach (?:group|cohort|arm)\b",
    re.I,
)
"""Words that a study had more than one treated group (no single-group allocation then)."""


_COMPARISON = re.compile(
    r"\b(?:placebo|sham|dummy|controls?|controlled|versus|vs\.?|comparison|compar(?:ed|ing) "
    r"(?!(?:with |to )(?:baseline|before|the start|their own))|randomi[sz]\w*|standard (?:care|"
    r"treatment|therapy)|usual care|untreated|historical|matched|either|other group|"
    r"(?:two|three|four|both|each) (?:\w+ )?(?:groups|arms|cohorts))\b",
    re.I,
)
"""Words that the text compares the treated with someone else (so not one group alone)."""


def one_group_alone(d: AnnotatedDoc, arms: list[Arm], details: Details) -> None:
    """One treated group and no word of any comparison: allocation single group and control
    none, as the guide says a single group states them (inferred, so at low confidence)."""
    if len(arms) != 1 or arms[0].get("comparator") or d.search(_COMPARISON):
        return
    if d.search(_SEVERAL_GROUPS):
        return
    size = arms[0].get("participants")
    at = (size["start"], size["end"]) if size else (d.lo, d.lo)
    details.setdefault("control", d.value("none", *at, "inferred-one-group", 0.5))
    if details["control"]["value"] == "none":
        details.setdefault("allocation", d.value("single_group", *at, "inferred-one-group", 0.5))


def design_details(d: AnnotatedDoc, design: str, cell: Mention | None) -> Details:
    """The report's optional fields: phase, blinding, control, ages, follow-up, targets."""
    details: Details = {}
    phases = phase_mentions(d)
    if phases and design != Design.IN_VITRO.value:  # a veterinary trial has phases too
        details["phase"] = d.term(phases[0])
    blinded = [h for h in d.cues("blinding") if h.value != "open"]
    if blinded:  # "double-blind" wins over an "open-label extension" said earlier
        h = blinded[0]
        details["blinding"] = d.value(h.value, h.start, h.end, "blinding-cue")
    for key in ("blinding", "control", "allocation", "model"):
        value = first_cue(d, key, f"{key}-cue")
        if value and key not in details:
            details[key] = value
    if design == Design.ANIMAL.value and "allocation" not in details:
        said = [
            h
            for h in _cue_hits(d, "design")
            if h.value == Design.RANDOMISED_CONTROLLED.value and not denied(d, h)
        ]
        if said:  # "the horses were randomised": an animal study's allocation
            details["allocation"] = d.value("randomised", said[0].start, said[0].end, "design-cue")
    control = details.get("control")
    if control and control["value"] == "historical" and "allocation" not in details:
        # patients of the past make the comparison: nobody was randomised
        details["allocation"] = {**control, "value": "non_randomised", "method": "inferred"}
    if (
        control
        and control["value"] == "none"
        and "allocation" not in details
        and not d.search(_SEVERAL_GROUPS)
    ):
        # "there was no control group": one treated group, so allocation single group
        details["allocation"] = {
            **control,
            "value": "single_group",
            "method": "inferred-no-control",
        }
    ages = _age_range(d)
    if ages:
        details["age_range"] = ages
    follow = _follow_up(d)
    if follow:
        details["follow_up"] = follow
    targets = target_cells(d, cell) if design == Design.IN_VITRO.value else []
    if targets:
        details["target_cells"] = targets
    return details


def design_axes(
    design: Value,
    blinding: Value | None,
    control: Value | None,
    allocation: Value | None = None,
    model: Value | None = None,
) -> Axes:
    """The design a cue gave, on the model's axes, each with the evidence that states it; an
    axis a cue of its own states ("single-arm", "crossover") is added where the design left it."""
    stated = V1_DESIGN[design["value"]]
    if design.get("method") == "default-uncontrolled":  # no cue said so: the study type only
        stated = {"study_type": stated["study_type"]}
    axes: Axes = {k: {**design, "value": v} for k, v in stated.items()}
    preclinical = design["value"] in PRECLINICAL
    if blinding is not None:
        axes["masking"] = {**blinding, "value": _MASKING[blinding["value"]]}
    if control is not None:
        axes["control"] = control
    if allocation is not None and "allocation" not in axes and design["value"] != "in_vitro":
        axes["allocation"] = allocation
    if model is not None and not preclinical:
        axes["intervention_model"] = model
    return axes
