"""Records → RDF quads: one named graph per source, an evidence node behind every value.

Pure mapping: takes a parsed record file and the study keys the linking rule chose, returns
pyoxigraph quads. IRIs come from ``ids``, vocabulary terms from ``vocab``. A term no table
knows becomes an ``UnmappedTerm`` node; a field the source does not state is named with
``stemkg:notStated`` on the node that would carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from stemkg import ids
from stemkg.errors import MappingError
from stemkg.lexicon import Kind
from stemkg.model import (
    Arm,
    ArmField,
    Choice,
    Date,
    Evidence,
    Locator,
    Outcome,
    PlannedMeasure,
    RecordFile,
    Report,
    ReportField,
    SourceKind,
    StudyRef,
    StudyType,
    Term,
    Therapy,
    TherapyField,
)
from stemkg.vocab import DCTERMS, ECO, PROV, RDF, RDFS, XSD, C, P, enum_iri

__all__ = ["SourceInput", "map_source"]

_TYPE = NamedNode(RDF + "type")

Obj = NamedNode | Literal


@dataclass(frozen=True, slots=True)
class SourceInput:
    """One source ready to map: its key, file name, content hash and parsed records."""

    key: str
    file_name: str
    content_hash: str
    record: RecordFile
    study_keys: tuple[str, ...]
    software_version: str


def _lit(value: object) -> Literal:
    if isinstance(value, bool):
        raise TypeError("booleans are not mapped")
    if isinstance(value, int):
        return Literal(str(value), datatype=NamedNode(XSD + "integer"))
    if isinstance(value, float):
        text = format(Decimal(repr(value)).normalize(), "f")
        return Literal(text, datatype=NamedNode(XSD + "decimal"))
    return Literal(str(value))


def _duration(text: str) -> Literal:
    return Literal(text, datatype=NamedNode(XSD + "duration"))


def _date(text: str) -> Literal:
    """A date as precise as the source gives it: xsd:gYear, xsd:gYearMonth or xsd:date."""
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(text), "date")
    return Literal(text, datatype=NamedNode(XSD + kind))


NOT_STATED: dict[StrEnum, str] = {
    ReportField.CONDITIONS: P.condition,
    ReportField.PHASE: P.phase,
    ReportField.SPECIES: P.species,
    ReportField.ENROLLED: P.enrolled,
    ReportField.TREATED: P.treated,
    ReportField.FOLLOW_UP: P.followUp,
    ReportField.ALLOCATION: P.allocation,
    ReportField.MASKING: P.masking,
    ReportField.INTERVENTION_MODEL: P.interventionModel,
    ReportField.CONTROL: P.control,
    ArmField.PARTICIPANTS: P.participants,
    ArmField.PHASE: P.phase,
    TherapyField.CELL_TYPE: P.cellType,
    TherapyField.SOURCE_TISSUE: P.sourceTissue,
    TherapyField.DONOR: P.donor,
    TherapyField.ROUTES: P.route,
    TherapyField.EXPOSURE: P.exposure,
    TherapyField.DOSE: P.doseValue,
    TherapyField.SCHEDULE: P.administrations,
}
"""The property a field marked not stated would have carried."""


def _enum(member: StrEnum) -> NamedNode:
    return NamedNode(enum_iri(member))


@dataclass
class _Graph:
    """Collects the quads of one named graph, with evidence for every value."""

    graph: NamedNode
    source: NamedNode
    method: str
    quads: list[Quad] = field(default_factory=list)

    def add(self, s: NamedNode, p: str, o: Obj) -> None:
        self.quads.append(Quad(s, NamedNode(p), o, self.graph))

    def value(self, s: NamedNode, p: str, o: Obj, ev: Evidence, path: str, loc: str | None) -> None:
        """A value triple and the evidence node that supports it."""
        self.add(s, p, o)
        node = NamedNode(ids.evidence_iri(s.value, p, str(o)))
        self.add(node, RDF + "type", NamedNode(C.ValueEvidence))
        self.add(node, RDF + "subject", s)
        self.add(node, RDF + "predicate", NamedNode(p))
        self.add(node, RDF + "object", o)
        self.add(node, PROV + "wasDerivedFrom", self.source)
        self.add(node, P.recordField, Literal(path))
        self.add(node, P.method, Literal(ev.method or self.method))
        if ev.locator or loc:
            self.add(node, P.locator, Literal(ev.locator or loc or ""))
        if ev.quote is not None:
            self.add(node, P.quote, Literal(ev.quote))
        if ev.start is not None:
            self.add(node, P.start, _lit(ev.start))
        if ev.end is not None:
            self.add(node, P.end, _lit(ev.end))
        if ev.confidence is not None:
            self.add(node, P.confidence, _lit(ev.confidence))

    def choice(
        self, s: NamedNode, p: str, c: Choice[Any] | None, path: str, loc: str | None
    ) -> None:
        if c is not None:
            self.value(s, p, _enum(c.value), c, path, loc)

    def term(
        self, s: NamedNode, p: str, t: Term | None, kind: Kind, path: str, loc: str | None
    ) -> None:
        if t is not None:
            self.value(s, p, self.term_node(t, kind), t, path, loc)

    def term_node(self, term: Term, kind: Kind) -> NamedNode:
        if term.id is not None:
            try:
                return NamedNode(ids.expand(term.id))
            except ValueError as exc:
                raise MappingError(str(exc)) from None
        node = NamedNode(ids.unmapped_iri(kind, term.label))
        self.add(node, RDF + "type", NamedNode(C.UnmappedTerm))
        self.add(node, RDFS + "label", Literal(term.label))
        self.add(node, P.termKind, _enum(kind))
        return node

    def not_stated(self, s: NamedNode, fields: list[Any]) -> None:
        for name in fields:
            self.add(s, P.notStated, NamedNode(NOT_STATED[name]))

    def date(self, s: NamedNode, p: str, d: Date | None, path: str, loc: str | None) -> None:
        if d is not None:
            self.value(s, p, _date(d.value), d, path, loc)


def _loc(own: Locator | None, inherited: str | None) -> str | None:
    return own.locator if own else inherited


def _study(g: _Graph, study: NamedNode, key: str, ref: StudyRef) -> None:
    g.add(study, RDF + "type", NamedNode(C.Study))
    g.add(study, P.studyKey, Literal(key))
    if ref.title:
        g.add(study, DCTERMS + "title", Literal(ref.title))
    for nct in ref.nct:
        g.add(study, P.nct, Literal(nct))
        g.add(study, RDFS + "seeAlso", NamedNode(ids.expand(f"clinicaltrials:{nct}")))
    if ref.stage:
        g.add(study, P.stage, Literal(ref.stage))
    if ref.pmid:
        g.add(study, P.pmid, Literal(ref.pmid))
        g.add(study, RDFS + "seeAlso", NamedNode(ids.expand(f"pubmed:{ref.pmid}")))
    if ref.doi:
        g.add(study, P.doi, Literal(ref.doi))
        g.add(study, RDFS + "seeAlso", NamedNode(ids.expand(f"doi:{ref.doi}")))


def _evidence_code(kind: SourceKind, study_type: StudyType) -> NamedNode:
    if not kind.is_primary:
        return NamedNode(ECO + "0000302")
    return NamedNode(ECO + ("0000006" if study_type.is_preclinical else "0000180"))


def _report(g: _Graph, src: SourceInput, n: int, rep: Report, software: NamedNode) -> None:
    key = src.study_keys[n]
    iri = NamedNode(ids.report_iri(src.key, key))
    study = NamedNode(ids.study_iri(key))
    path, loc = f"reports[{n}]", _loc(rep.evidence, None)
    _study(g, study, key, rep.study)
    g.add(iri, RDF + "type", NamedNode(C.StudyReport))
    g.add(iri, P.aboutStudy, study)
    g.add(iri, PROV + "wasDerivedFrom", g.source)
    g.add(iri, PROV + "wasGeneratedBy", software)
    study_type = rep.design.study_type.value
    g.add(iri, P.evidenceCode, _evidence_code(src.record.source.kind, study_type))
    _design(g, iri, rep, path, loc)
    g.term(iri, P.phase, rep.phase, Kind.PHASE, f"{path}.phase", loc)
    g.term(iri, P.species, rep.species, Kind.SPECIES, f"{path}.species", loc)
    for i, condition in enumerate(rep.conditions):
        g.term(iri, P.condition, condition, Kind.CONDITION, f"{path}.conditions[{i}]", loc)
    if rep.conditions:
        g.add(iri, P.primaryCondition, g.term_node(rep.conditions[0], Kind.CONDITION))
    _participants(g, iri, rep, path, loc)
    if rep.follow_up:
        fu = rep.follow_up
        g.value(iri, P.followUp, _duration(fu.value), fu, f"{path}.follow_up", loc)
    _registry(g, iri, rep, path, loc)
    for i, cell in enumerate(rep.target_cells):
        g.term(iri, P.targetCell, cell, Kind.CELL_TYPE, f"{path}.target_cells[{i}]", loc)
    g.not_stated(iri, rep.not_stated)
    arms: dict[str, NamedNode] = {}
    for i, arm in enumerate(rep.arms):
        arms[arm.label] = _arm(g, iri, arm, f"{path}.arms[{i}]", loc)
        clash = [label for label, node in arms.items() if node == arms[arm.label]]
        if len(clash) > 1:
            raise MappingError(
                f"arm labels {clash[0]!r} and {clash[1]!r} give one identifier; make them differ"
            )
    treated = {a.label: arms[a.label] for a in rep.arms if not a.comparator} or arms
    for i, outcome in enumerate(rep.outcomes):
        _outcome(g, iri, outcome, arms, treated, f"{path}.outcomes[{i}]", loc)
    for i, planned in enumerate(rep.planned_measures):
        _planned(g, iri, planned, f"{path}.planned_measures[{i}]", loc)


def _design(g: _Graph, iri: NamedNode, rep: Report, path: str, loc: str | None) -> None:
    d, at = rep.design, f"{path}.design"
    g.choice(iri, P.studyType, d.study_type, f"{at}.study_type", loc)
    g.choice(iri, P.allocation, d.allocation, f"{at}.allocation", loc)
    g.choice(iri, P.masking, d.masking, f"{at}.masking", loc)
    g.choice(iri, P.interventionModel, d.intervention_model, f"{at}.intervention_model", loc)
    g.choice(iri, P.control, d.control, f"{at}.control", loc)


def _participants(g: _Graph, iri: NamedNode, rep: Report, path: str, loc: str | None) -> None:
    if rep.participants:
        for name, prop in (("enrolled", P.enrolled), ("treated", P.treated)):
            count = getattr(rep.participants, name)
            if count is not None:
                g.value(iri, prop, _lit(count.value), count, f"{path}.participants.{name}", loc)
        kind = rep.participants.enrollment_type
        g.choice(iri, P.enrollmentType, kind, f"{path}.participants.enrollment_type", loc)
    if rep.age_range:
        for name, prop in (("min", P.minAge), ("max", P.maxAge)):
            age = getattr(rep.age_range, name)
            if age is not None:
                g.value(iri, prop, _lit(age.value), age, f"{path}.age_range.{name}", loc)


def _registry(g: _Graph, iri: NamedNode, rep: Report, path: str, loc: str | None) -> None:
    """What registries keep: status, dates and sponsor."""
    g.choice(iri, P.trialStatus, rep.status, f"{path}.status", loc)
    g.date(iri, P.startDate, rep.start_date, f"{path}.start_date", loc)
    g.date(iri, P.completionDate, rep.completion_date, f"{path}.completion_date", loc)
    if rep.sponsor:
        sp = rep.sponsor
        g.value(iri, P.sponsor, Literal(sp.value), sp, f"{path}.sponsor", loc)


def _planned(g: _Graph, report: NamedNode, pm: PlannedMeasure, path: str, loc: str | None) -> None:
    iri = NamedNode(ids.planned_measure_iri(report.value, pm))
    loc = _loc(pm.evidence, loc)
    g.add(iri, RDF + "type", NamedNode(C.PlannedMeasure))
    g.add(iri, P.plannedMeasureOf, report)
    g.value(iri, DCTERMS + "title", Literal(pm.title.value), pm.title, f"{path}.title", loc)
    g.choice(iri, P.priority, pm.priority, f"{path}.priority", loc)
    if pm.time_frame:
        tf = pm.time_frame
        g.value(iri, P.timeFrame, Literal(tf.value), tf, f"{path}.time_frame", loc)
    g.term(iri, P.measure, pm.measure, Kind.MEASURE, f"{path}.measure", loc)
    if pm.description:
        g.add(iri, P.description, Literal(pm.description))


def _arm(g: _Graph, report: NamedNode, arm: Arm, path: str, loc: str | None) -> NamedNode:
    iri = NamedNode(ids.arm_iri(report.value, arm.label))
    loc = _loc(arm.evidence, loc)
    g.add(iri, RDF + "type", NamedNode(C.Arm))
    g.add(iri, P.armOf, report)
    g.add(iri, RDFS + "label", Literal(arm.label))
    if arm.comparator:
        g.add(iri, P.comparator, Literal("true", datatype=NamedNode(XSD + "boolean")))
    if arm.participants is not None:
        n = arm.participants
        g.value(iri, P.participants, _lit(n.value), n, f"{path}.participants", loc)
    g.term(iri, P.phase, arm.phase, Kind.PHASE, f"{path}.phase", loc)
    g.not_stated(iri, arm.not_stated)
    therapy = NamedNode(ids.therapy_iri(iri.value))
    g.add(iri, P.therapy, therapy)
    _therapy(g, therapy, arm.therapy, f"{path}.therapy", loc)
    return iri


def _therapy(g: _Graph, iri: NamedNode, t: Therapy, path: str, loc: str | None) -> None:
    loc = _loc(t.evidence, loc)
    g.add(iri, RDF + "type", NamedNode(C.Therapy))
    if t.name:
        g.value(iri, P.therapyName, Literal(t.name.value), t.name, f"{path}.name", loc)
    g.term(iri, P.cellType, t.cell_type, Kind.CELL_TYPE, f"{path}.cell_type", loc)
    g.term(iri, P.sourceTissue, t.source_tissue, Kind.TISSUE, f"{path}.source_tissue", loc)
    g.choice(iri, P.donor, t.donor, f"{path}.donor", loc)
    if t.modification:
        mod = t.modification
        g.value(iri, P.modification, Literal(mod.value), mod, f"{path}.modification", loc)
    for i, route in enumerate(t.routes):
        g.term(iri, P.route, route, Kind.ROUTE, f"{path}.routes[{i}]", loc)
    g.choice(iri, P.exposure, t.exposure, f"{path}.exposure", loc)
    if t.dose:
        g.value(iri, P.doseValue, _lit(t.dose.value), t.dose, f"{path}.dose.value", loc)
        g.value(iri, P.doseUnit, Literal(t.dose.unit), t.dose, f"{path}.dose.unit", loc)
    if t.schedule:
        s = t.schedule
        at = f"{path}.schedule"
        if (count := s.administrations) is not None:
            g.value(iri, P.administrations, _lit(count), s, f"{at}.administrations", loc)
        if s.interval is not None:
            g.value(iri, P.interval, _duration(s.interval), s, f"{at}.interval", loc)
        if s.text is not None:
            g.value(iri, P.scheduleText, Literal(s.text), s, f"{at}.text", loc)
    g.not_stated(iri, t.not_stated)


def _outcome(
    g: _Graph,
    report: NamedNode,
    o: Outcome,
    arms: dict[str, NamedNode],
    treated: dict[str, NamedNode],
    path: str,
    loc: str | None,
) -> None:
    iri = NamedNode(ids.outcome_iri(report.value, o))
    loc = _loc(o.evidence, loc)
    g.add(iri, RDF + "type", NamedNode(C.Outcome))
    g.add(iri, P.outcomeOf, report)
    g.term(iri, P.measure, o.measure, Kind.MEASURE, f"{path}.measure", loc)
    g.choice(iri, P.direction, o.direction, f"{path}.direction", loc)
    g.choice(iri, P.modality, o.modality, f"{path}.modality", loc)
    if o.value:
        v = o.value
        for name, prop, num in (
            ("numerator", P.numerator, v.numerator),
            ("denominator", P.denominator, v.denominator),
            ("percent", P.percent, v.percent),
        ):
            if num is not None:
                g.value(iri, prop, _lit(num), v, f"{path}.value.{name}", loc)
    if o.timepoint:
        tp = o.timepoint
        g.value(iri, P.timepoint, _duration(tp.value), tp, f"{path}.timepoint", loc)
    for label in o.arms:  # the arms it names; else the treated arms, which it is about
        g.add(iri, P.coversArm, arms[label])
    for node in () if o.arms else treated.values():
        g.add(iri, P.coversArm, node)
    if o.description:
        g.add(iri, P.description, Literal(o.description))


def _source(g: _Graph, src: SourceInput, software: NamedNode) -> None:
    s = src.record.source
    g.add(g.source, RDF + "type", NamedNode(C.Source))
    g.add(g.source, P.sourceKind, _enum(s.kind))
    g.add(g.source, DCTERMS + "title", Literal(s.title))
    g.add(g.source, P.sourceKey, Literal(src.key))
    g.add(g.source, P.fileName, Literal(src.file_name))
    g.add(g.source, P.contentHash, Literal(src.content_hash))
    for prop, text in (
        (DCTERMS + "bibliographicCitation", s.citation),
        (P.venue, s.venue),
        (P.pmid, s.pmid),
        (P.doi, s.doi),
        (P.url, s.url),
        (P.curator, s.curator),
        (P.checkedAgainst, s.checked_against),
        (DCTERMS + "date", s.date),
    ):
        if text:
            g.add(g.source, prop, Literal(text))
    for nct in s.nct:
        g.add(g.source, P.nct, Literal(nct))
    if s.year is not None:
        g.add(g.source, P.year, _lit(s.year))
    if s.retracted:
        g.add(g.source, P.retracted, Literal("true", datatype=NamedNode(XSD + "boolean")))
    g.add(g.graph, RDF + "type", NamedNode(C.SourceGraph))
    g.add(g.graph, PROV + "wasDerivedFrom", g.source)
    g.add(g.graph, PROV + "wasGeneratedBy", software)
    g.add(g.graph, P.contentHash, Literal(src.content_hash))
    g.add(software, RDF + "type", NamedNode(C.Software))
    g.add(software, RDFS + "label", Literal(f"stemkg {src.software_version}"))
    g.add(software, P.softwareVersion, Literal(src.software_version))


def map_source(src: SourceInput) -> list[Quad]:
    """Every quad of one source's named graph, in a stable order."""
    if len(src.study_keys) != len(src.record.reports):
        raise MappingError(f"{src.file_name}: one study key per report is needed")
    if len(set(src.study_keys)) != len(src.study_keys):
        raise MappingError(f"{src.file_name}: two reports in one source describe the same study")
    kind = src.record.source.kind
    method = "curation" if kind is SourceKind.CURATED_RECORD else "record"
    g = _Graph(NamedNode(ids.graph_iri(src.key)), NamedNode(ids.source_iri(src.key)), method)
    software = NamedNode(ids.software_iri(src.software_version))
    _source(g, src, software)
    for n, report in enumerate(src.record.reports):
        _report(g, src, n, report, software)
    return _dedupe(g.quads)


def _dedupe(quads: list[Quad]) -> list[Quad]:
    return list(dict.fromkeys(quads))
