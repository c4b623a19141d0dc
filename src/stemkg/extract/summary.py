"""What extraction found in a record, one line a report, for ``stemkg extract --explain``:
each value with the rule that read it where that rule is unsure (confidence below 0.8: an
inference, a default, words no table knows), so a reader sees what to check first."""

from __future__ import annotations

from stemkg.model import Choice, Evidence, RecordFile, Report, SourceKind, Term

_SURE = 0.8


def _how(e: Evidence) -> str:
    """The rule and its confidence, where the rule is unsure."""
    if e.confidence is None or e.confidence >= _SURE:
        return ""
    return f" [{e.method}, {e.confidence:.1f}]"


def _term(t: Term) -> str:
    return f"{t.label or t.id}{_how(t)}"


def _choice(c: Choice) -> str:  # type: ignore[type-arg]
    return f"{c.value.value}{_how(c)}"


def _design(report: Report) -> str:
    d = report.design
    axes = [
        _choice(axis)
        for axis in (d.study_type, d.allocation, d.masking, d.control, d.intervention_model)
        if axis is not None
    ]
    return ", ".join(axes)


def _arms(report: Report) -> str:
    parts = []
    for arm in report.arms:
        t = arm.therapy
        what = "comparator" if arm.comparator else (_term(t.cell_type) if t.cell_type else "cells?")
        routes = "+".join(_term(r) for r in t.routes) or "route not stated"
        size = f", n={arm.participants.value}" if arm.participants else ""
        parts.append(f"{arm.label}: {what}, {routes}{size}")
    return "; ".join(parts)


def _outcomes(report: Report) -> str:
    found = []
    for o in report.outcomes:
        direction = o.direction.value.value if o.direction else "figure"
        found.append(f"{_term(o.measure)} {direction} ({o.modality.value.value})")
    return "; ".join(found) or "none"


def _short(title: str, words: int = 8) -> str:
    cut = title.split()
    return repr(" ".join(cut[:words]) + (" …" if len(cut) > words else ""))


def summarise(record: RecordFile) -> list[str]:
    """One line a report: which source and report, conditions, design, phase, participants,
    arms and outcomes."""
    src = record.source
    named = _short(src.title)
    if src.kind in (SourceKind.ABSTRACT, SourceKind.JOURNAL_ARTICLE) and (src.pmid or src.doi):
        named = f"PMID {src.pmid}" if src.pmid else f"DOI {src.doi}"
    elif src.kind is SourceKind.REGISTRY_RECORD and src.nct:
        named = src.nct[0]
    lines = []
    for n, report in enumerate(record.reports, 1):
        conditions = ", ".join(_term(c) for c in report.conditions) or "not stated"
        p = report.participants
        counts = ", ".join(
            f"{name} {field.value}{_how(field)}"
            for name, field in (
                ("enrolled", p.enrolled if p else None),
                ("treated", p.treated if p else None),
            )
            if field is not None
        )
        phase = f"; phase {_term(report.phase)}" if report.phase else ""
        lines.append(
            f"{named}, report {n}: condition {conditions}; design {_design(report)}{phase}; "
            f"participants {counts or 'not stated'}; arms {_arms(report)}; "
            f"outcomes {_outcomes(report)}"
        )
    return lines
