"""A registry record as a study report: its structured fields mapped, its free text grounded.

The design axes, phase, enrolment, status, dates, sponsor, arms and planned measures are the
registry's own fields (evidence: a locator naming the field). What a registry holds only as
text goes through the same annotation as an article: the conditions (each grounded, else
kept unmapped), and each arm's cells, source tissue, donor and routes, read from the arm's
description and its interventions' names, other names and descriptions, so that an
intervention typed "Drug" is still a cell product when its words name cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stemkg.extract import quantities as q
from stemkg.extract.annotate import AnnotatedDoc, Resources, annotate
from stemkg.extract.cells import therapy_cells
from stemkg.extract.design import first_cue
from stemkg.extract.groups import routes_in, therapy_draft
from stemkg.extract.outcomes import ADVERSE_EVENT
from stemkg.extract.phases import registered_phase
from stemkg.lexicon import Kind
from stemkg.model import SCHEMA_VERSION, RecordFile, SourceKind, TrialStatus
from stemkg.sources.document import Document
from stemkg.sources.pubmed import iso_date
from stemkg.sources.registry import Arm as TrialArm
from stemkg.sources.registry import Trial, arm_interventions

__all__ = ["registry_record"]

_ALLOCATION = {"RANDOMIZED": "randomised", "NON_RANDOMIZED": "non_randomised"}
_MASKING = {
    "NONE": "open_label",
    "SINGLE": "single",
    "DOUBLE": "double",
    "TRIPLE": "triple",
    "QUADRUPLE": "quadruple",
}
_MODEL = {
    "SINGLE_GROUP": "single_group",
    "PARALLEL": "parallel",
    "CROSSOVER": "crossover",
    "FACTORIAL": "factorial",
    "SEQUENTIAL": "sequential",
}
_STUDY_TYPE = {
    "INTERVENTIONAL": "interventional",
    "OBSERVATIONAL": "observational",
    "EXPANDED_ACCESS": "interventional",
}
_COMPARATORS = {
    "PLACEBO_COMPARATOR": "placebo",
    "SHAM_COMPARATOR": "sham",
    "ACTIVE_COMPARATOR": "active",
    "NO_INTERVENTION": "untreated",
}
_CONTROL_WORDS = ("placebo", "sham")
_ENROLMENT = {"ACTUAL": "actual", "ESTIMATED": "anticipated"}
_AGE = re.compile(r"^(\d{1,3})\s*Years?$", re.I)
REGISTRY = "ClinicalTrials.gov"


@dataclass
class _Text:
    """The record's free text laid out as one document, with where each part lies."""

    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, text: str) -> tuple[int, int]:
        """Append a paragraph; its span in the text."""
        if self.parts:
            self.length += 2
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


def registry_record(trial: Trial, res: Resources) -> RecordFile:
    """The record of one registered trial (its report has planned measures, no outcomes)."""
    layout = _Text()
    title = trial.official_title or trial.brief_title or trial.nct
    layout.add(title)
    conditions = [(c, layout.add(c)) for c in trial.conditions]
    mesh = [(c, layout.add(c)) for c in trial.mesh_conditions]
    for text in (trial.brief_title, trial.summary, trial.description):
        if text and text != title:
            layout.add(text)
    arms = [(arm, layout.add(_arm_text(trial, arm))) for arm in _arms(trial)]
    measures = [(m, layout.add(m.title)) for m in trial.measures]
    results = [(r, layout.add(r.title)) for r in trial.results]
    doc = Document(
        id=trial.nct.casefold(),
        title=title,
        text=layout.text,
        kind=SourceKind.REGISTRY_RECORD,
        nct=(trial.nct,),
    )
    d = annotate(doc, res)
    report = _report(trial, d, conditions, mesh, arms, measures)
    outcomes = [o for r, span in results if (o := _result(d, r, span, report["arms"]))]
    outcomes += _serious_events(trial, report["arms"])
    if outcomes:
        report["outcomes"] = outcomes[:200]
    record = {
        "schema_version": SCHEMA_VERSION,
        "source": {
            "kind": SourceKind.REGISTRY_RECORD.value,
            "title": f"{REGISTRY} {trial.nct}: {trial.brief_title or title}",
            "venue": REGISTRY,
            "nct": [trial.nct],
            "url": f"https://clinicaltrials.gov/study/{trial.nct}",
        },
        "reports": [report],
    }
    return RecordFile.model_validate(record, context={"lexicon": res.lexicon})


def _arms(trial: Trial) -> list[TrialArm]:
    """The registered arms; a record without arm groups gets one arm per intervention."""
    if trial.arms:
        return list(trial.arms)
    return [TrialArm(i.name, "EXPERIMENTAL", "", (i.name,)) for i in trial.interventions]


def _arm_text(trial: Trial, arm: TrialArm) -> str:
    lines = [f"{arm.label}. {arm.description}".strip()]
    for i in arm_interventions(trial, arm):
        others = f" ({'; '.join(i.other_names)})" if i.other_names else ""
        lines.append(f"{i.name}{others}. {i.description}".strip())
    return "\n".join(lines)


def _at(value: object, locator: str) -> dict[str, Any]:
    return {"value": value, "locator": f"{REGISTRY} record: {locator}"}


def _located(value: Any, locator: str) -> Any:
    """Evidence found in the registry's text: its quotes, placed by the field they came from
    (the text stemkg laid out is not a document a reader can open, so no offsets)."""
    if isinstance(value, list):
        return [_located(v, locator) for v in value]
    if not isinstance(value, dict):
        return value
    kept = {k: _located(v, locator) for k, v in value.items() if k not in ("start", "end")}
    if "quote" in value:
        kept["locator"] = f"{REGISTRY} record: {locator}"
    return kept


def _report(
    trial: Trial,
    d: AnnotatedDoc,
    conditions: list[tuple[str, tuple[int, int]]],
    mesh: list[tuple[str, tuple[int, int]]],
    arms: list[tuple[TrialArm, tuple[int, int]]],
    measures: list[Any],
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "study": {"nct": [trial.nct], "title": trial.brief_title or trial.official_title},
        "design": _design(trial),
        "arms": [_arm(trial, d, arm, span) for arm, span in arms][:50],
        "planned_measures": [_planned(d, m, span) for m, span in measures][:200],
    }
    found = _conditions(d, conditions)
    if not any(c.get("id") for c in found):  # no listed condition names a term: MeSH may
        found = _mesh_mapped(d, trial) or _conditions(d, mesh, mapped_only=True) or found
    if found:
        report["conditions"] = found
    else:
        report["not_stated"] = ["conditions"]
    phase = registered_phase(trial.phases)
    if phase:
        report["phase"] = {"id": phase, "locator": f"{REGISTRY} record: phases"}
    if trial.enrollment is not None:
        report["participants"] = {"enrolled": _at(trial.enrollment, "enrollment")}
        kind = _ENROLMENT.get(trial.enrollment_type)
        if kind:
            report["participants"]["enrollment_type"] = _at(kind, "enrollment type")
    ages = {k: _age(v) for k, v in (("min", trial.min_age), ("max", trial.max_age))}
    if any(v is not None for v in ages.values()):
        report["age_range"] = {k: _at(v, f"{k}imum age") for k, v in ages.items() if v is not None}
    status = trial.status.casefold()
    if status in TrialStatus.__members__.values():
        report["status"] = _at(status, "overall status")
    for key, text in (("start_date", trial.start_date), ("completion_date", trial.completion_date)):
        date = _date(text)
        if date:
            report[key] = _at(date, key.replace("_", " "))
    if trial.sponsor:
        report["sponsor"] = _at(trial.sponsor, "lead sponsor")
    report["evidence"] = {"locator": f"{REGISTRY} record {trial.nct} ({trial.format})"}
    return report


def _design(trial: Trial) -> dict[str, Any]:
    design: dict[str, Any] = {
        "study_type": _at(_STUDY_TYPE.get(trial.study_type, "interventional"), "study type")
    }
    allocation = _ALLOCATION.get(trial.allocation)
    if allocation is None and trial.model == "SINGLE_GROUP":
        allocation = "single_group"
    if allocation:
        design["allocation"] = _at(allocation, "allocation")
    for key, table, value in (
        ("masking", _MASKING, trial.masking),
        ("intervention_model", _MODEL, trial.model),
    ):
        if value in table:
            design[key] = _at(table[value], key.replace("_", " "))
    controls = [_COMPARATORS[a.type] for a in trial.arms if a.type in _COMPARATORS]
    masked = [c for i in trial.interventions for c in _CONTROL_WORDS if c in i.name.casefold()]
    if controls:
        design["control"] = _at(controls[0], "arm group types")
    elif masked:  # "MultiStem or placebo" in each arm: the comparator is an intervention
        design["control"] = _at(masked[0], "intervention names")
    elif trial.arms and trial.study_type == "INTERVENTIONAL":
        design["control"] = _at("none", "arm group types (no comparator arm)")
    return design


def _arm(trial: Trial, d: AnnotatedDoc, arm: TrialArm, span: tuple[int, int]) -> dict[str, Any]:
    locator = f"arm {arm.label!r}"
    result: dict[str, Any] = {"label": arm.label}
    if arm.type in _COMPARATORS:
        result["comparator"] = True
        return result
    part = d.region(*span)
    cell, tissue = therapy_cells(part)
    if cell is None:  # the arm's own words name no cells: the record's title and summary may
        cell, tissue = therapy_cells(d)
    therapy: dict[str, Any] = dict(therapy_draft(part, cell, tissue))
    if "donor" not in therapy:
        donor = first_cue(d, "donor-explicit", "donor-cue") or first_cue(d, "donor", "donor-cue")
        if donor is not None:
            therapy["donor"] = donor
    routes = routes_in(d, *span)
    if routes:
        therapy["routes"] = [d.term(r) for r in routes]
    product = _product_name(trial, arm)
    if product is not None:
        therapy["name"] = {"value": product, "locator": f"{REGISTRY} record: intervention name"}
    therapy = _located(therapy, locator)
    missing = [f for f in ("cell_type", "routes") if not therapy.get(f)]
    if missing:
        therapy["not_stated"] = missing
    result["therapy"] = therapy
    return result


_DESCRIPTIVE = re.compile(
    r"\b(?:cells?|stem|stromal|marrow|placebo|saline|sham|vehicle|injection|infusion|"
    r"transplant\w*|therapy|treatment|standard|control)\b",
    re.I,
)


def _product_name(trial: Trial, arm: TrialArm) -> str | None:
    """The product an arm's interventions name ("Cx601", "NurOwn", "MultiStem"): the first
    intervention name or other name that is a name, not a description of the cells."""
    for intervention in arm_interventions(trial, arm):
        for name in (intervention.name, *intervention.other_names):
            if len(name) <= 40 and not _DESCRIPTIVE.search(name):
                return name
    return None


def _conditions(
    d: AnnotatedDoc, listed: list[tuple[str, tuple[int, int]]], *, mapped_only: bool = False
) -> list[dict[str, Any]]:
    """Each registered condition, grounded where its words name a term (the longest
    mention), else unmapped with its text; one entry per term."""
    found: dict[str, dict[str, Any]] = {}
    for text, (lo, hi) in listed:
        mentions = [m for m in d.terms_in(Kind.CONDITION, lo, hi) if m.end <= hi]
        if mentions:
            best = max(mentions, key=lambda m: (m.end - m.start, -m.start))
            found.setdefault(best.entry.id, _located(d.term(best), "conditions"))
        elif not mapped_only:
            found.setdefault(
                f"unmapped:{text.casefold()}",
                {
                    "label": text[:300],
                    "unmapped": True,
                    "locator": f"{REGISTRY} record: conditions",
                },
            )
    return list(found.values())


def _mesh_mapped(d: AnnotatedDoc, trial: Trial) -> list[dict[str, Any]]:
    """The conditions' MeSH descriptors, by MONDO's exact mapping (where no condition's own
    words name a term)."""
    found: dict[str, dict[str, Any]] = {}
    for ui in trial.mesh_ids:
        curie = d.res.mesh.get(ui)
        if curie and d.res.lexicon.knows(Kind.CONDITION, curie):
            locator = f"{REGISTRY} record: condition MeSH term {ui}, MONDO's exact match"
            found.setdefault(curie, {"id": curie, "method": "mesh-mapping", "locator": locator})
    return list(found.values())


def _planned(d: AnnotatedDoc, measure: Any, span: tuple[int, int]) -> dict[str, Any]:
    planned: dict[str, Any] = {
        "title": {"value": measure.title, "locator": f"{REGISTRY} record: outcome measures"},
        "priority": measure.priority,
    }
    if measure.time_frame:
        planned["time_frame"] = {"value": measure.time_frame}
    if measure.description:
        planned["description"] = measure.description
    terms = [m for m in d.terms_in(Kind.MEASURE, *span) if m.method != "measure-phrase"]
    if terms:
        planned["measure"] = _located(d.term(terms[0]), "outcome measure title")
    return planned


_P_VALUE = re.compile(r"^\s*([<>≤≥=]?)\s*(0?\.\d+|[01](?:\.0+)?)\s*$")
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*$")
_SIGNIFICANT = 0.05


def _significant(p_value: str) -> bool | None:
    """Whether a posted p-value ("0.03", "<0.001", "0.45") is below 0.05; None if unread."""
    m = _P_VALUE.match(p_value)
    if m is None:
        return None
    value = float(m.group(2))
    return value <= _SIGNIFICANT if m.group(1) in ("<", "≤") else value < _SIGNIFICANT


_AT = re.compile(r"\b(day|week|month|year)\s+(\d{1,4})\b", re.I)


def _time_frame(text: str) -> str | None:
    """A registered time frame as ISO 8601: "24 weeks", "6 months", "Week 24", "Day 28"."""
    found = q.durations(text)
    if found:
        return found[0].iso
    m = _AT.search(text)
    return f"P{int(m.group(2))}{m.group(1)[0].upper()}" if m else None


def _cells_group(groups: tuple[tuple[str, str], ...], arms: list[dict[str, Any]]) -> str | None:
    """The posted group of the cells' arm (its title names a non-comparator arm's label)."""
    cells = [a["label"].casefold() for a in arms if not a.get("comparator")]
    return next((g for g, title in groups if title.casefold() in cells), None)


def _result(
    d: AnnotatedDoc, result: Any, span: tuple[int, int], arms: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """A posted outcome measure with an analysis as an outcome: no change when its p-value
    is 0.05 or more; else which way the cells' group went against the other, read as
    improved or worsened where the measure's better side is known."""
    verdicts = [v for v in map(_significant, result.p_values) if v is not None]
    if not verdicts:
        return None
    where = f"posted results, {result.title!r}"
    locator = f"{REGISTRY} record: {where}"
    terms = [m for m in d.terms_in(Kind.MEASURE, *span) if m.method != "measure-phrase"]
    measure = (
        _located(d.term(terms[0]), where)
        if terms
        else {"label": result.title[:300], "unmapped": True, "locator": locator}
    )
    direction = None if verdicts[0] else "no_change"
    if verdicts[0]:
        direction = _which_way(d, result, arms, terms[0].entry.id if terms else None)
    outcome: dict[str, Any] = {
        "measure": measure,
        "key": result.title[:200],  # two posted measures on one scale stay two outcomes
        "description": f"{result.priority} outcome measure {result.title!r}; p = "
        + ", ".join(result.p_values),
        "evidence": {"locator": locator},
    }
    if direction:
        outcome["direction"] = {"value": direction, "locator": locator}
    when = _time_frame(result.time_frame)
    if when:
        outcome["timepoint"] = {"value": when, "locator": locator}
    cells = _cells_group(result.groups, arms)
    label = next((t for g, t in result.groups if g == cells), None)
    if label is not None:
        outcome["arms"] = [a["label"] for a in arms if a["label"].casefold() == label.casefold()]
    return outcome


def _which_way(
    d: AnnotatedDoc, result: Any, arms: list[dict[str, Any]], measure: str | None
) -> str | None:
    values = {g: float(m.group(1)) for g, v in result.values if (m := _NUMBER.match(v))}
    cells = _cells_group(result.groups, arms)
    others = [g for g, _ in result.groups if g != cells and g in values]
    if cells not in values or len(others) != 1:
        return None
    higher = values[cells] > values[others[0]]
    better = d.res.polarity.get(measure or "")
    if better in ("higher", "lower"):
        return "improved" if higher == (better == "higher") else "worsened"
    return "increased" if higher else "reduced"


def _serious_events(trial: Trial, arms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Posted serious adverse events of the cells' groups: none among those at risk is no
    serious adverse events, with the figure."""
    cells = {a["label"].casefold() for a in arms if not a.get("comparator")}
    found = []
    for group in trial.serious_events:
        if group.title.casefold() not in cells or group.affected != 0 or not group.at_risk:
            continue
        locator = f"{REGISTRY} record: posted serious adverse events, group {group.title!r}"
        found.append(
            {
                "measure": {"id": ADVERSE_EVENT, "locator": locator},
                "direction": {"value": "no_serious_adverse_events", "locator": locator},
                "value": {"numerator": 0, "denominator": group.at_risk, "locator": locator},
                "arms": [
                    next(
                        a["label"] for a in arms if a["label"].casefold() == group.title.casefold()
                    )
                ],
                "evidence": {"locator": locator},
            }
        )
    return found


def _age(text: str) -> int | None:
    m = _AGE.match(text.strip())
    return int(m.group(1)) if m else None


def _date(text: str) -> str | None:
    """A registry date as ISO 8601: "2012-12", "2012-12-05", "December 2012",
    "December 5, 2012"."""
    t = text.strip()
    if re.fullmatch(r"(?:19|20)\d\d(?:-\d\d(?:-\d\d)?)?", t):
        return t
    m = re.fullmatch(r"([A-Za-z]{3,9})\s+(?:(\d{1,2}),\s*)?((?:19|20)\d\d)", t)
    date = iso_date(m.group(3), m.group(1), m.group(2)) if m else None
    return date if date and "-" in date else None  # a month the name did not give is no date
