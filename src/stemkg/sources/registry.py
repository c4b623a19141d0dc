"""ClinicalTrials.gov records: API v2 JSON, legacy v1 JSON and the classic bulk XML.

Each format is read into one ``Trial`` (the v2 field names, flattened); a trial is mapped to
a record field by field (design axes, phase, enrolment, status, dates, sponsor, arms,
conditions, planned measures), not read from its prose. Only what a registry holds as free
text is grounded like an article: conditions, and each arm's cells, tissue, donor and routes
from the arm's description and its interventions' names, other names and descriptions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from stemkg.errors import InputError
from stemkg.model import SourceKind
from stemkg.sources.document import Document
from stemkg.sources.xmlread import elements, opened, text_of

__all__ = ["Arm", "Intervention", "Measure", "Trial", "read_classic_xml", "read_json"]

MAX_JSON_BYTES = 200 * 1024 * 1024
"""A search page of a thousand full records is well under this."""


@dataclass(frozen=True, slots=True)
class Intervention:
    """One registered intervention."""

    name: str
    type: str = ""
    description: str = ""
    other_names: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Arm:
    """One registered arm (arm group)."""

    label: str
    type: str = ""
    description: str = ""
    interventions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Measure:
    """One registered outcome measure."""

    title: str
    priority: str
    time_frame: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Result:
    """One posted outcome measure's result: its groups' figures and the analyses' p-values."""

    title: str
    priority: str
    time_frame: str = ""
    groups: tuple[tuple[str, str], ...] = ()
    """(group id, group title) pairs."""
    values: tuple[tuple[str, str], ...] = ()
    """(group id, the group's first reported value) pairs, as registered (text)."""
    p_values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventGroup:
    """One group's serious adverse events, as posted."""

    title: str
    affected: int | None
    at_risk: int | None


@dataclass(frozen=True, slots=True)
class Trial:
    """What stemkg reads of a registry record, whichever format it came in (v2's values:
    ``PHASE1``, ``RANDOMIZED``, ``DOUBLE`` ...)."""

    nct: str
    format: str
    brief_title: str = ""
    official_title: str = ""
    status: str = ""
    start_date: str = ""
    completion_date: str = ""
    sponsor: str = ""
    study_type: str = ""
    phases: tuple[str, ...] = ()
    allocation: str = ""
    model: str = ""
    masking: str = ""
    enrollment: int | None = None
    enrollment_type: str = ""
    conditions: tuple[str, ...] = ()
    mesh_conditions: tuple[str, ...] = ()
    mesh_ids: tuple[str, ...] = ()
    """The MeSH descriptor UIs of the conditions (v2 and v1 give them; classic XML only names)."""
    keywords: tuple[str, ...] = ()
    summary: str = ""
    description: str = ""
    min_age: str = ""
    max_age: str = ""
    arms: tuple[Arm, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    measures: tuple[Measure, ...] = field(default_factory=tuple)
    ids: tuple[str, ...] = ()
    """Other identifiers (secondary ids), where a paper's registry id may appear."""
    results: tuple[Result, ...] = ()
    serious_events: tuple[EventGroup, ...] = ()
    unread: tuple[str, ...] = ()
    """Values the record holds that stemkg could not read (said as warnings, never guessed)."""

    def as_document(self) -> Document:
        """The record's words as a document (for ``--match``; a registry is mapped, not read)."""
        words = [self.official_title, self.summary, self.description]
        words += [f"{i.name} {' '.join(i.other_names)} {i.description}" for i in self.interventions]
        return Document(
            id=self.nct.casefold(),
            title=self.brief_title or self.nct,
            text="\n\n".join([self.brief_title, *(w for w in words if w)]),
            kind=SourceKind.REGISTRY_RECORD,
            nct=(self.nct,),
            keywords=(*self.conditions, *self.mesh_conditions, *self.keywords),
        )


def read_json(path: Path) -> tuple[Trial, ...]:
    """The trials of a v2 record, a v2 search page (``studies``) or a v1 ``FullStudiesResponse``."""
    with opened(path) as stream:
        try:
            data = json.loads(stream.read(MAX_JSON_BYTES + 1))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(path, f"not valid JSON ({exc})") from None
        except (OSError, EOFError) as exc:
            raise InputError(path, f"cannot be read ({exc})") from None
    studies = list(_json_studies(path, data))
    if not studies:
        raise InputError(path, "a ClinicalTrials.gov search page with no studies in it")
    return tuple(_checked(path, n, study) for n, study in enumerate(studies))


def _json_studies(path: Path, data: Any) -> Iterator[Trial]:
    if isinstance(data, dict) and "protocolSection" in data:
        yield _noted(
            _v2(data), _get(data, "protocolSection", "designModule", "enrollmentInfo", "count")
        )
    elif isinstance(data, dict) and isinstance(data.get("studies"), list):
        for study in data["studies"]:
            if not isinstance(study, dict) or "protocolSection" not in study:
                raise InputError(path, "an entry of 'studies' without 'protocolSection'")
            count = _get(study, "protocolSection", "designModule", "enrollmentInfo", "count")
            yield _noted(_v2(study), count)
    elif isinstance(data, dict) and ("FullStudiesResponse" in data or "FullStudies" in data):
        response = data.get("FullStudiesResponse", data)
        for entry in _list(response.get("FullStudies")):
            study = _get(entry, "Study")
            count = _get(
                study, "ProtocolSection", "DesignModule", "EnrollmentInfo", "EnrollmentCount"
            )
            yield _noted(_v1(study), count)
    elif isinstance(data, dict) and "ProtocolSection" in data:
        count = _get(data, "ProtocolSection", "DesignModule", "EnrollmentInfo", "EnrollmentCount")
        yield _noted(_v1(data), count)
    else:
        keys = ", ".join(list(data)[:4]) if isinstance(data, dict) else type(data).__name__
        raise InputError(path, f"not a ClinicalTrials.gov record (top level: {keys})")


def _checked(path: Path, n: int, trial: Trial) -> Trial:
    if not re.fullmatch(r"NCT\d{8}", trial.nct):
        found = trial.nct or "none"
        raise InputError(path, f"study {n + 1}: no NCT id in the identification module ({found})")
    return trial


_PHASES = re.compile(r"(?:EARLY_)?PHASE[0-4]|NA")
_STATUSES = frozenset(
    {
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "ENROLLING_BY_INVITATION",
        "ACTIVE_NOT_RECRUITING",
        "SUSPENDED",
        "TERMINATED",
        "COMPLETED",
        "WITHDRAWN",
        "UNKNOWN",
        "",
    }
)


def _noted(trial: Trial, raw_enrollment: object) -> Trial:
    """The trial with the values it holds that stemkg cannot read named, so a reader of the
    warnings knows what was left out rather than finding it silently gone."""
    unread = [f"phase {p!r}" for p in trial.phases if not _PHASES.fullmatch(p)]
    if trial.status not in _STATUSES:
        unread.append(f"overall status {trial.status!r}")
    raw = str(raw_enrollment).strip() if raw_enrollment is not None else ""
    if raw and trial.enrollment is None:
        unread.append(f"enrollment {raw!r}")
    return replace(trial, unread=tuple(unread)) if unread else trial


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _str(data: Any, *keys: str) -> str:
    value = _get(data, *keys)
    return " ".join(str(value).split()) if isinstance(value, (str, int)) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(" ".join(v.split()) for v in _list(value) if isinstance(v, str) and v.strip())


def _count(value: Any) -> int | None:
    text = str(value).strip() if isinstance(value, (int, str)) else ""
    return int(text) if text.isdigit() else None


def _v2(study: Mapping[str, Any]) -> Trial:
    p = study.get("protocolSection", {})
    design = _get(p, "designModule") or {}
    info = design.get("designInfo") or {}
    enrollment = design.get("enrollmentInfo") or {}
    arms = _get(p, "armsInterventionsModule") or {}
    outcomes = _get(p, "outcomesModule") or {}
    browse = _get(study, "derivedSection", "conditionBrowseModule", "meshes")
    return Trial(
        nct=_str(p, "identificationModule", "nctId"),
        format="ClinicalTrials.gov API v2 JSON",
        brief_title=_str(p, "identificationModule", "briefTitle"),
        official_title=_str(p, "identificationModule", "officialTitle"),
        status=_str(p, "statusModule", "overallStatus"),
        start_date=_str(p, "statusModule", "startDateStruct", "date"),
        completion_date=_str(p, "statusModule", "completionDateStruct", "date"),
        sponsor=_str(p, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        study_type=_str(design, "studyType"),
        phases=_strs(design.get("phases")),
        allocation=_str(info, "allocation"),
        model=_str(info, "interventionModel"),
        masking=_str(info, "maskingInfo", "masking"),
        enrollment=_count(enrollment.get("count")),
        enrollment_type=_str(enrollment, "type"),
        conditions=_strs(_get(p, "conditionsModule", "conditions")),
        mesh_conditions=tuple(_str(m, "term") for m in _list(browse) if _str(m, "term")),
        mesh_ids=tuple(_str(m, "id") for m in _list(browse) if _str(m, "id")),
        keywords=_strs(_get(p, "conditionsModule", "keywords")),
        summary=_str(p, "descriptionModule", "briefSummary"),
        description=_str(p, "descriptionModule", "detailedDescription"),
        min_age=_str(p, "eligibilityModule", "minimumAge"),
        max_age=_str(p, "eligibilityModule", "maximumAge"),
        arms=tuple(
            Arm(
                _str(a, "label"),
                _str(a, "type"),
                _str(a, "description"),
                _strs(a.get("interventionNames")),
            )
            for a in _list(arms.get("armGroups"))
            if _str(a, "label")
        ),
        interventions=tuple(
            Intervention(
                _str(i, "name"),
                _str(i, "type"),
                _str(i, "description"),
                _strs(i.get("otherNames")),
                _strs(i.get("armGroupLabels")),
            )
            for i in _list(arms.get("interventions"))
            if _str(i, "name")
        ),
        measures=tuple(
            Measure(_str(m, "measure"), priority, _str(m, "timeFrame"), _str(m, "description"))
            for priority, key in _PRIORITIES
            for m in _list(outcomes.get(key))
            if _str(m, "measure")
        ),
        ids=tuple(
            _str(s, "id") for s in _list(_get(p, "identificationModule", "secondaryIdInfos"))
        ),
        results=_v2_results(study.get("resultsSection")),
        serious_events=_v2_serious(study.get("resultsSection")),
    )


def _v2_serious(section: Any) -> tuple[EventGroup, ...]:
    """Each posted group's serious adverse events (none when results are not posted)."""
    return tuple(
        EventGroup(
            _str(g, "title"), _count(g.get("seriousNumAffected")), _count(g.get("seriousNumAtRisk"))
        )
        for g in _list(_get(section, "adverseEventsModule", "eventGroups"))
        if isinstance(g, dict)
    )


def _v2_results(section: Any) -> tuple[Result, ...]:
    """The posted outcome measures of a v2 ``resultsSection`` (none when not posted)."""
    found = []
    for m in _list(_get(section, "outcomeMeasuresModule", "outcomeMeasures")):
        if not isinstance(m, dict) or not _str(m, "title"):
            continue
        values: list[tuple[str, str]] = []
        for cls in _list(m.get("classes"))[:1]:
            for cat in _list(_get(cls, "categories"))[:1]:
                measured = _list(_get(cat, "measurements"))
                values += [(_str(x, "groupId"), _str(x, "value")) for x in measured]
        found.append(
            Result(
                title=_str(m, "title"),
                priority=_str(m, "type").casefold() or "other",
                time_frame=_str(m, "timeFrame"),
                groups=tuple((_str(g, "id"), _str(g, "title")) for g in _list(m.get("groups"))),
                values=tuple(values),
                p_values=tuple(
                    _str(a, "pValue") for a in _list(m.get("analyses")) if _str(a, "pValue")
                ),
            )
        )
    return tuple(found)


_PRIORITIES = (
    ("primary", "primaryOutcomes"),
    ("secondary", "secondaryOutcomes"),
    ("other", "otherOutcomes"),
)


def _v1(study: Any) -> Trial:
    """A legacy v1 ``Study`` (PascalCase keys, lists wrapped, counts as strings)."""
    p = _get(study, "ProtocolSection") or {}
    design = p.get("DesignModule") or {}
    info = design.get("DesignInfo") or {}
    arms = p.get("ArmsInterventionsModule") or {}
    outcomes = p.get("OutcomesModule") or {}
    mesh = _get(
        study, "DerivedSection", "ConditionBrowseModule", "ConditionMeshList", "ConditionMesh"
    )
    measures = []
    for priority, word in (("primary", "Primary"), ("secondary", "Secondary"), ("other", "Other")):
        for m in _list(_get(outcomes, f"{word}OutcomeList", f"{word}Outcome")):
            if _str(m, f"{word}OutcomeMeasure"):
                measures.append(
                    Measure(
                        _str(m, f"{word}OutcomeMeasure"),
                        priority,
                        _str(m, f"{word}OutcomeTimeFrame"),
                        _str(m, f"{word}OutcomeDescription"),
                    )
                )
    return Trial(
        nct=_str(p, "IdentificationModule", "NCTId"),
        format="ClinicalTrials.gov API v1 JSON",
        brief_title=_str(p, "IdentificationModule", "BriefTitle"),
        official_title=_str(p, "IdentificationModule", "OfficialTitle"),
        status=_v1_value(_str(p, "StatusModule", "OverallStatus")),
        start_date=_str(p, "StatusModule", "StartDateStruct", "StartDate"),
        completion_date=_str(p, "StatusModule", "CompletionDateStruct", "CompletionDate"),
        sponsor=_str(p, "SponsorCollaboratorsModule", "LeadSponsor", "LeadSponsorName"),
        study_type=_v1_value(_str(design, "StudyType")),
        phases=tuple(_v1_value(x) for x in _strs(_get(design, "PhaseList", "Phase"))),
        allocation=_v1_value(_str(info, "DesignAllocation")),
        model=_v1_value(_str(info, "DesignInterventionModel")),
        masking=_v1_value(_str(info, "DesignMaskingInfo", "DesignMasking")),
        enrollment=_count(_get(design, "EnrollmentInfo", "EnrollmentCount")),
        enrollment_type=_v1_value(_str(design, "EnrollmentInfo", "EnrollmentType")),
        conditions=_strs(_get(p, "ConditionsModule", "ConditionList", "Condition")),
        mesh_conditions=tuple(_str(m, "ConditionMeshTerm") for m in _list(mesh)),
        mesh_ids=tuple(
            _str(m, "ConditionMeshId") for m in _list(mesh) if _str(m, "ConditionMeshId")
        ),
        keywords=_strs(_get(p, "ConditionsModule", "KeywordList", "Keyword")),
        summary=_str(p, "DescriptionModule", "BriefSummary"),
        description=_str(p, "DescriptionModule", "DetailedDescription"),
        min_age=_str(p, "EligibilityModule", "MinimumAge"),
        max_age=_str(p, "EligibilityModule", "MaximumAge"),
        arms=tuple(
            Arm(
                _str(a, "ArmGroupLabel"),
                _v1_value(_str(a, "ArmGroupType")),
                _str(a, "ArmGroupDescription"),
                _strs(_get(a, "ArmGroupInterventionList", "ArmGroupInterventionName")),
            )
            for a in _list(_get(arms, "ArmGroupList", "ArmGroup"))
        ),
        interventions=tuple(
            Intervention(
                _str(i, "InterventionName"),
                _v1_value(_str(i, "InterventionType")),
                _str(i, "InterventionDescription"),
                _strs(_get(i, "InterventionOtherNameList", "InterventionOtherName")),
                _strs(_get(i, "InterventionArmGroupLabelList", "InterventionArmGroupLabel")),
            )
            for i in _list(_get(arms, "InterventionList", "Intervention"))
        ),
        measures=tuple(measures),
        results=_v1_results(_get(study, "ResultsSection", "OutcomeMeasuresModule")),
        serious_events=tuple(
            EventGroup(
                _str(g, "EventGroupTitle"),
                _count(g.get("EventGroupSeriousNumAffected")),
                _count(g.get("EventGroupSeriousNumAtRisk")),
            )
            for g in _list(
                _get(study, "ResultsSection", "AdverseEventsModule", "EventGroupList", "EventGroup")
            )
            if isinstance(g, dict)
        ),
    )


def _v1_results(module: Any) -> tuple[Result, ...]:
    """A v1 ``OutcomeMeasuresModule``'s measures (lists wrapped, as v1 writes them)."""
    found = []
    for m in _list(_get(module, "OutcomeMeasureList", "OutcomeMeasure")):
        first = _list(_get(m, "OutcomeClassList", "OutcomeClass"))[:1]
        cats = [c for k in first for c in _list(_get(k, "OutcomeCategoryList", "OutcomeCategory"))]
        measured = [
            x
            for c in cats[:1]
            for x in _list(_get(c, "OutcomeMeasurementList", "OutcomeMeasurement"))
        ]
        groups = _list(_get(m, "OutcomeGroupList", "OutcomeGroup"))
        analyses = _list(_get(m, "OutcomeAnalysisList", "OutcomeAnalysis"))
        found.append(
            Result(
                title=_str(m, "OutcomeMeasureTitle"),
                priority=_str(m, "OutcomeMeasureType").casefold() or "other",
                time_frame=_str(m, "OutcomeMeasureTimeFrame"),
                groups=tuple(
                    (_str(g, "OutcomeGroupId"), _str(g, "OutcomeGroupTitle")) for g in groups
                ),
                values=tuple(
                    (_str(x, "OutcomeMeasurementGroupId"), _str(x, "OutcomeMeasurementValue"))
                    for x in measured
                ),
                p_values=tuple(
                    _str(a, "OutcomeAnalysisPValue")
                    for a in analyses
                    if _str(a, "OutcomeAnalysisPValue")
                ),
            )
        )
    return tuple(r for r in found if r.title)


def _v1_value(text: str) -> str:
    """A v1 or classic value in v2's spelling: "Phase 1" → PHASE1, "Early Phase 1" →
    EARLY_PHASE1, "Non-Randomized" → NON_RANDOMIZED, "Single Group Assignment" →
    SINGLE_GROUP, "Double (Participant, Investigator)" → DOUBLE, "None (Open Label)" → NONE,
    "Anticipated" → ESTIMATED."""
    t = re.sub(r"\s*\(.*\)\s*$", "", text).strip()
    t = re.sub(r"\s+Assignment$", "", t, flags=re.I)
    t = re.sub(r"^Phase\s*", "PHASE", t, flags=re.I)
    t = re.sub(r"^Early\s+Phase\s*", "EARLY_PHASE", t, flags=re.I)
    t = re.sub(r"[\s-]+", "_", t).upper().replace(",", "")
    return {
        "ANTICIPATED": "ESTIMATED",
        "N/A": "NA",
        "NO_MASKING": "NONE",
        "OPEN_LABEL": "NONE",
        "UNKNOWN_STATUS": "UNKNOWN",
    }.get(t, t)


_CLASSIC = frozenset({"clinical_study"})


def read_classic_xml(path: Path) -> tuple[Trial, ...]:
    """The trial of a classic ``<clinical_study>`` file (the bulk download's AllPublicXML)."""
    return tuple(
        _noted(_classic(path, e), text_of(e.find("enrollment")) or None)
        for e in elements(path, _CLASSIC)
    )


def _x(element: Element, path: str) -> str:
    return text_of(element.find(path))


def _xs(element: Element, path: str) -> tuple[str, ...]:
    return tuple(t for t in (text_of(e) for e in element.iterfind(path)) if t)


def _classic(path: Path, study: Element) -> Trial:
    nct = _x(study, "id_info/nct_id")
    if not re.fullmatch(r"NCT\d{8}", nct):
        raise InputError(path, f"a <clinical_study> without an <nct_id> ({nct or 'none'})")
    phase = _x(study, "phase")
    phases = tuple(_v1_value(x) for x in phase.split("/")) if phase and phase != "N/A" else ()
    enrollment = study.find("enrollment")
    return Trial(
        nct=nct,
        format="ClinicalTrials.gov classic XML",
        brief_title=_x(study, "brief_title"),
        official_title=_x(study, "official_title"),
        status=_v1_value(_x(study, "overall_status")),
        start_date=_x(study, "start_date"),
        completion_date=_x(study, "completion_date"),
        sponsor=_x(study, "sponsors/lead_sponsor/agency"),
        study_type=_v1_value(_x(study, "study_type")),
        phases=phases,
        allocation=_v1_value(_x(study, "study_design_info/allocation")),
        model=_v1_value(_x(study, "study_design_info/intervention_model")),
        masking=_v1_value(_x(study, "study_design_info/masking")),
        enrollment=_count(text_of(enrollment)),
        enrollment_type=_v1_value(enrollment.get("type", "")) if enrollment is not None else "",
        conditions=_xs(study, "condition"),
        mesh_conditions=_xs(study, "condition_browse/mesh_term"),
        keywords=_xs(study, "keyword"),
        summary=_x(study, "brief_summary/textblock"),
        description=_x(study, "detailed_description/textblock"),
        min_age=_x(study, "eligibility/minimum_age"),
        max_age=_x(study, "eligibility/maximum_age"),
        arms=tuple(
            Arm(_x(a, "arm_group_label"), _v1_value(_x(a, "arm_group_type")), _x(a, "description"))
            for a in study.iterfind("arm_group")
        ),
        interventions=tuple(
            Intervention(
                _x(i, "intervention_name"),
                _v1_value(_x(i, "intervention_type")),
                _x(i, "description"),
                _xs(i, "other_name"),
                _xs(i, "arm_group_label"),
            )
            for i in study.iterfind("intervention")
        ),
        measures=tuple(
            Measure(_x(m, "measure"), priority, _x(m, "time_frame"), _x(m, "description"))
            for priority, tag in (
                ("primary", "primary_outcome"),
                ("secondary", "secondary_outcome"),
                ("other", "other_outcome"),
            )
            for m in study.iterfind(tag)
            if _x(m, "measure")
        ),
        ids=_xs(study, "id_info/secondary_id"),
        results=_classic_results(study),
        serious_events=_classic_serious(study),
    )


def _classic_results(study: Element) -> tuple[Result, ...]:
    """The posted outcomes of a classic record's ``clinical_results/outcome_list``."""
    found = []
    for o in study.iterfind("clinical_results/outcome_list/outcome"):
        first = o.find("measure/class_list/class/category_list/category/measurement_list")
        values = (
            tuple((m.get("group_id", ""), m.get("value", "")) for m in first)
            if first is not None
            else ()
        )
        found.append(
            Result(
                title=_x(o, "title"),
                priority=_x(o, "type").casefold() or "other",
                time_frame=_x(o, "time_frame"),
                groups=tuple(
                    (g.get("group_id", ""), _x(g, "title")) for g in o.iterfind("group_list/group")
                ),
                values=values,
                p_values=_xs(o, "analysis_list/analysis/p_value"),
            )
        )
    return tuple(r for r in found if r.title)


def _classic_serious(study: Element) -> tuple[EventGroup, ...]:
    """Each group's total of serious adverse events, from ``reported_events``."""
    events = study.find("clinical_results/reported_events")
    if events is None:
        return ()
    titles = {g.get("group_id", ""): _x(g, "title") for g in events.iterfind("group_list/group")}
    found = []
    for event in events.iterfind("serious_events/category_list/category/event_list/event"):
        if "total" not in _x(event, "sub_title").casefold():
            continue
        for c in event.iterfind("counts"):
            found.append(
                EventGroup(
                    titles.get(c.get("group_id", ""), ""),
                    _count(c.get("subjects_affected")),
                    _count(c.get("subjects_at_risk")),
                )
            )
        break
    return tuple(found)


def arm_interventions(trial: Trial, arm: Arm) -> Sequence[Intervention]:
    """The interventions an arm receives (v2 names them on the arm; v1 and classic XML on
    the intervention), matched by name or label."""
    named = {n.split(":", 1)[-1].strip().casefold() for n in arm.interventions}
    return [
        i
        for i in trial.interventions
        if i.name.casefold() in named or arm.label.casefold() in {a.casefold() for a in i.arms}
    ]
