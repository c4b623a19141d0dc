"""Evidence grading: a level for every study, from its reports' design, size, control and
blinding, by the versioned rule table ``ontology/grading.tsv`` (in the spirit of CIViC evidence
levels and GRADE: a large blinded randomised controlled trial highest, in vitro work lowest).

A report is graded by the first rule it meets. A study takes the best level among its result
reports (journal articles, abstracts, curated records); a registry record, which gives the
protocol rather than what was done, grades it only when no result report exists; author
statements (news, press releases, blogs, clinic pages, examples) and retracted sources only when
nothing else does, and then at the lowest level they support, so a news story can never raise a
grade.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from stemkg.errors import InputError
from stemkg.model import Allocation, Control, Masking, Report, Source, SourceKind, StudyType
from stemkg.resources import ontology_file
from stemkg.vocab import DCTERMS, ID, PROV, RDF, RDFS, XSD, C, P

__all__ = [
    "GRADES_GRAPH",
    "TABLE",
    "Grade",
    "GradedReport",
    "GradingRule",
    "GradingTable",
    "ReportDesign",
    "Tier",
    "grade_quads",
    "grade_report",
    "grade_study",
    "load_table",
    "read_table",
    "rule_iri",
]

TABLE = "grading.tsv"
GRADES_GRAPH = ID + "graph/grades"
_OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
_COLUMNS = ["level", "rule", "label", "conditions"]
_ENUMS: dict[str, type[StrEnum]] = {
    "study_type": StudyType,
    "allocation": Allocation,
    "control": Control,
    "masking": Masking,
}
_CONDITION = re.compile(
    r"^(study_type|allocation|control|masking)=([a-z_,]+)$|^participants>=(\d+)$"
)
_VERSION = re.compile(r"^#\s*version:\s*(\S+)\s*$")


class Tier(IntEnum):
    """How far a source's report may set a study's grade (the lowest tier present decides)."""

    RESULTS = 1
    """A journal article, abstract or curated record: what was done."""
    REGISTRY = 2
    """A registry record: the protocol, used when no result report exists."""
    AUTHOR_STATEMENT = 3
    """News, press release, blog, clinic page, example, or a retracted source."""

    @classmethod
    def of(cls, source: Source) -> Tier:
        """The tier of a source's reports."""
        if source.retracted or not source.kind.is_primary:
            return cls.AUTHOR_STATEMENT
        return cls.REGISTRY if source.kind is SourceKind.REGISTRY_RECORD else cls.RESULTS


@dataclass(frozen=True, slots=True)
class ReportDesign:
    """What grading reads from one report: its design axes, its size, and its source's tier."""

    study_type: StudyType
    allocation: Allocation | None = None
    masking: Masking | None = None
    control: Control | None = None
    participants: int | None = None
    tier: Tier = Tier.RESULTS

    @classmethod
    def of(cls, report: Report, source: Source) -> ReportDesign:
        """The grading view of a report from this source."""
        d = report.design
        return cls(
            d.study_type.value,
            d.allocation.value if d.allocation else None,
            d.masking.value if d.masking else None,
            d.control.value if d.control else None,
            _size(report),
            Tier.of(source),
        )


def _size(report: Report) -> int | None:
    """Participants treated, else enrolled (unless only planned), else the arms' sum."""
    p = report.participants
    if p and p.treated:
        return p.treated.value
    planned = p and p.enrollment_type and p.enrollment_type.value.value == "anticipated"
    if p and p.enrolled and not planned:
        return p.enrolled.value
    arms = [a.participants.value for a in report.arms if a.participants is not None]
    return sum(arms) if arms else None


@dataclass(frozen=True, slots=True)
class GradingRule:
    """One row of the table: its level (1 is best), id, label and conditions."""

    level: int
    id: str
    label: str
    conditions: str
    allowed: tuple[tuple[str, frozenset[str]], ...]
    min_participants: int | None

    def matches(self, design: ReportDesign) -> bool:
        """True when the report meets every condition (an unstated value meets none)."""
        for field, values in self.allowed:
            value = getattr(design, field)
            if value is None or value.value not in values:
                return False
        n = self.min_participants
        return n is None or (design.participants is not None and design.participants >= n)


@dataclass(frozen=True, slots=True)
class GradingTable:
    """The rule table and its version."""

    version: str
    rules: tuple[GradingRule, ...]


@dataclass(frozen=True, slots=True)
class Grade:
    """A study's grade: the rule, the reports that support it, and their tier."""

    rule: GradingRule
    reports: tuple[str, ...]
    tier: Tier


@dataclass(frozen=True, slots=True)
class GradedReport:
    """A report of a build to grade: its study's IRI, its own IRI and its design."""

    study: str
    report: str
    design: ReportDesign


def _conditions(
    path: Path, line: int, text: str
) -> tuple[list[tuple[str, frozenset[str]]], int | None]:
    allowed: list[tuple[str, frozenset[str]]] = []
    minimum = None
    for part in (p.strip() for p in text.split(";")):
        match = _CONDITION.match(part)
        if not match:
            raise InputError(
                path, f"line {line}: {part!r} is not a condition (field=a,b or participants>=N)"
            )
        field, values, count = match.groups()
        if count is not None:
            minimum = int(count)
            continue
        names = frozenset(values.split(","))
        known = {m.value for m in _ENUMS[field]}
        if names - known:
            bad = sorted(names - known)[0]
            raise InputError(
                path, f"line {line}: {bad!r} is not a {field} ({', '.join(sorted(known))})"
            )
        allowed.append((field, names))
    return allowed, minimum


def _rule(path: Path, line: int, cells: list[str]) -> GradingRule:
    if len(cells) != len(_COLUMNS):
        raise InputError(path, f"line {line}: {len(cells)} columns, expected {len(_COLUMNS)}")
    level, rule_id, label, text = (c.strip() for c in cells)
    if not level.isdigit() or int(level) < 1:
        raise InputError(path, f"line {line}: level {level!r} is not a whole number from 1")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule_id) or not label:
        raise InputError(path, f"line {line}: a rule needs a lower-case hyphenated id and a label")
    allowed, minimum = _conditions(path, line, text)
    return GradingRule(int(level), rule_id, label, text, tuple(allowed), minimum)


def read_table(path: Path) -> GradingTable:
    """Read and check a rule table: a version line, the header, levels rising, ids unique,
    and a last rule for every study type that needs nothing more."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror}") from None
    versions = [m.group(1) for m in map(_VERSION.match, lines) if m]
    if len(versions) != 1:
        raise InputError(path, "needs exactly one '# version: N' line")
    body = [
        (n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")
    ]
    if not body or body[0][1].split("\t") != _COLUMNS:
        raise InputError(path, f"the header must be {' '.join(_COLUMNS)} (tab-separated)")
    rules = tuple(_rule(path, n, line.split("\t")) for n, line in body[1:])
    _check_rules(path, rules)
    return GradingTable(versions[0], rules)


def _check_rules(path: Path, rules: tuple[GradingRule, ...]) -> None:
    levels = [r.level for r in rules]
    if levels != sorted(set(levels)):
        raise InputError(path, "levels must rise from row to row, each used once")
    if len({r.id for r in rules}) != len(rules):
        raise InputError(path, "rule ids repeat")
    for kind in StudyType:
        if not any(r.matches(ReportDesign(kind)) for r in rules):
            raise InputError(path, f"no rule grades a {kind.value} study that states nothing more")


@cache
def load_table() -> GradingTable:
    """The shipped table."""
    return read_table(ontology_file(TABLE))


def grade_report(design: ReportDesign, table: GradingTable) -> GradingRule:
    """The first (best) rule the report meets."""
    return next(r for r in table.rules if r.matches(design))


def grade_study(reports: Sequence[tuple[str, ReportDesign]], table: GradingTable) -> Grade:
    """A study's grade from its (report IRI, design) pairs: the best level its reports of the
    lowest tier present support, but for author statements the lowest level they support."""
    if not reports:
        raise ValueError("a study to grade needs at least one report")
    tier = min(d.tier for _, d in reports)
    graded = [(grade_report(d, table), iri) for iri, d in reports if d.tier == tier]
    levels = [rule.level for rule, _ in graded]
    chosen = max(levels) if tier is Tier.AUTHOR_STATEMENT else min(levels)
    rule = next(rule for rule, _ in graded if rule.level == chosen)
    supporting = tuple(sorted(iri for r, iri in graded if r.level == chosen))
    return Grade(rule, supporting, tier)


def rule_iri(table: GradingTable, rule: GradingRule) -> str:
    """A rule's IRI names the table version, so a revised rule is a new IRI."""
    return f"{ID}grading/v{table.version}/{rule.id}"


def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(XSD + "integer"))


def _rule_quads(table: GradingTable, graph: NamedNode) -> list[Quad]:
    quads = []
    for rule in table.rules:
        iri = NamedNode(rule_iri(table, rule))
        for p, o in (
            (RDF + "type", NamedNode(C.GradingRule)),
            (RDFS + "label", Literal(rule.label)),
            (P.gradeLevel, _integer(rule.level)),
            (DCTERMS + "description", Literal(rule.conditions)),
            (_OWL_VERSION, Literal(table.version)),
        ):
            quads.append(Quad(iri, NamedNode(p), o, graph))
    return quads


def grade_quads(reports: Iterable[GradedReport], table: GradingTable) -> list[Quad]:
    """The grades graph: the table's rules and one grade assignment per study (IRI minted from
    the study's), naming its level, rule and supporting reports; sorted, so stable."""
    graph = NamedNode(GRADES_GRAPH)
    by_study: dict[str, list[tuple[str, ReportDesign]]] = defaultdict(list)
    for r in reports:
        by_study[r.study].append((r.report, r.design))
    quads = _rule_quads(table, graph)
    for study, pairs in sorted(by_study.items()):
        grade = grade_study(pairs, table)
        node, assignment = NamedNode(study), NamedNode(f"{study}/grade")
        quads += [
            Quad(node, NamedNode(RDF + "type"), NamedNode(C.Study), graph),
            Quad(node, NamedNode(P.evidenceGrade), assignment, graph),
            Quad(assignment, NamedNode(RDF + "type"), NamedNode(C.GradeAssignment), graph),
            Quad(assignment, NamedNode(P.gradeLevel), _integer(grade.rule.level), graph),
            Quad(
                assignment, NamedNode(P.gradingRule), NamedNode(rule_iri(table, grade.rule)), graph
            ),
            Quad(assignment, NamedNode(RDFS + "label"), Literal(grade.rule.label), graph),
            Quad(
                assignment,
                NamedNode(P.authorStatementOnly),
                _boolean(grade.tier is Tier.AUTHOR_STATEMENT),
                graph,
            ),
        ]
        quads += [
            Quad(assignment, NamedNode(PROV + "wasDerivedFrom"), NamedNode(iri), graph)
            for iri in grade.reports
        ]
    return sorted(set(quads), key=str)


def _boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=NamedNode(XSD + "boolean"))
