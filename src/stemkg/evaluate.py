"""Compare extracted records with expected (gold) records, field by field.

Each comparison names the article and the field, so a failing test says exactly what went
wrong. A field counts where either side has a value: a value the gold lacks is an error too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stemkg.extract.quantities import months
from stemkg.model import Arm, Outcome, Report

__all__ = ["Comparison", "agreement", "compare_reports"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field of one report (or arm, or outcome) of one article."""

    article: str
    field: str
    expected: object
    found: object

    @property
    def ok(self) -> bool:
        return self.expected == self.found


def _months(value: str | None) -> float | None:
    return None if value is None else months(value)


def _v(x: object) -> object:
    """The plain value of a model value (a Count's number, a Term's id, a Choice's value)."""
    if x is None:
        return None
    for attr in ("id", "value"):
        if hasattr(x, attr):
            value = getattr(x, attr)
            return value.value if hasattr(value, "value") else value
    return x


REPORT_FIELDS: dict[str, Callable[[Report], object]] = {
    "study_type": lambda r: _v(r.design.study_type),
    "allocation": lambda r: _v(r.design.allocation),
    "masking": lambda r: _v(r.design.masking),
    "phase": lambda r: _v(r.phase),
    "species": lambda r: _v(r.species),
    "condition": lambda r: r.conditions[0].key if r.conditions else None,
    "enrolled": lambda r: _v(r.participants.enrolled) if r.participants else None,
    "treated": lambda r: _v(r.participants.treated) if r.participants else None,
    "follow_up": lambda r: _months(r.follow_up.value) if r.follow_up else None,
    "pmid": lambda r: r.study.pmid,
    "doi": lambda r: r.study.doi.casefold() if r.study.doi else None,
    "nct": lambda r: r.study.nct[0] if r.study.nct else None,
    "target_cells": lambda r: frozenset(t.id for t in r.target_cells) or None,
    "arms": lambda r: len(r.arms) or None,
}
ARM_FIELDS: dict[str, Callable[[Arm], object]] = {
    "arm.participants": lambda a: _v(a.participants),
    "arm.phase": lambda a: _v(a.phase),
    "arm.cell_type": lambda a: a.therapy.cell_type.key if a.therapy.cell_type else None,
    "arm.source_tissue": lambda a: a.therapy.source_tissue.key if a.therapy.source_tissue else None,
    "arm.donor": lambda a: _v(a.therapy.donor),
    "arm.routes": lambda a: frozenset(r.key for r in a.therapy.routes) or None,
    "arm.exposure": lambda a: _v(a.therapy.exposure),
    "arm.dose": lambda a: (a.therapy.dose.value, a.therapy.dose.unit) if a.therapy.dose else None,
    "arm.administrations": lambda a: (
        a.therapy.schedule.administrations if a.therapy.schedule else None
    ),
    "arm.interval": lambda a: _months(a.therapy.schedule.interval) if a.therapy.schedule else None,
    "arm.name": lambda a: bool(a.therapy.name) or None,
    "arm.modification": lambda a: bool(a.therapy.modification) or None,
}


def _outcome_key(o: Outcome) -> tuple[object, ...]:
    return (o.measure.key, _v(o.direction), _v(o.modality))


def _figures(o: Outcome) -> object:
    v = o.value
    return (v.numerator, v.denominator, v.percent) if v else None


def _pair(gold: list[Arm], got: list[Arm]) -> list[tuple[Arm | None, Arm | None]]:
    """Pair arms greedily by how many fields agree; unpaired ones pair with None."""
    left, right = list(gold), list(got)
    pairs: list[tuple[Arm | None, Arm | None]] = []
    while left and right:
        best = max(
            ((g, f) for g in left for f in right),
            key=lambda gf: sum(
                fn(gf[0]) == fn(gf[1]) and fn(gf[0]) is not None for fn in ARM_FIELDS.values()
            ),
        )
        pairs.append(best)
        left.remove(best[0])
        right.remove(best[1])
    pairs += [(g, None) for g in left] + [(None, f) for f in right]
    return pairs


def _field(article: str, name: str, expected: object, found: object) -> Iterable[Comparison]:
    if expected is not None or found is not None:
        yield Comparison(article, name, expected, found)


def _compare_one(article: str, gold: Report | None, got: Report | None) -> list[Comparison]:
    out: list[Comparison] = []
    for name, get in REPORT_FIELDS.items():
        out += _field(article, name, get(gold) if gold else None, get(got) if got else None)
    for g_arm, f_arm in _pair(gold.arms if gold else [], got.arms if got else []):
        for name, arm_get in ARM_FIELDS.items():
            out += _field(
                article,
                name,
                arm_get(g_arm) if g_arm else None,
                arm_get(f_arm) if f_arm else None,
            )
    found = {_outcome_key(o): o for o in (got.outcomes if got else [])}
    expected = {_outcome_key(o): o for o in (gold.outcomes if gold else [])}
    for key in expected.keys() | found.keys():
        e, f = expected.get(key), found.get(key)
        out.append(Comparison(article, "outcome", key if e else None, key if f else None))
        if e and f:
            out += _field(article, "outcome.value", _figures(e), _figures(f))
        elif e and e.value:
            out.append(Comparison(article, "outcome.value", _figures(e), None))
    return out


def compare_reports(article: str, gold: list[Report], got: list[Report]) -> list[Comparison]:
    """Every field comparison for one article (reports paired in order)."""
    out = [Comparison(article, "reports", len(gold), len(got))]
    for n in range(max(len(gold), len(got))):
        out += _compare_one(
            f"{article}#{n + 1}",
            gold[n] if n < len(gold) else None,
            got[n] if n < len(got) else None,
        )
    return out


def agreement(comparisons: Iterable[Comparison]) -> dict[str, tuple[int, int]]:
    """Per field: (agreeing, compared)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in comparisons:
        counts[c.field][0] += c.ok
        counts[c.field][1] += 1
    return {name: (ok, total) for name, (ok, total) in sorted(counts.items())}
