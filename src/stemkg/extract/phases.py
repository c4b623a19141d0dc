"""Annotate, trial phases as papers write them: "phase I–IIa", "phase Ib/IIa", "phase 1b",
"Phase 2/3", read by one pattern into NCIT's phase classes, so that no spelling of a range
or a sub-phase has to be listed in the lexicon.

A sub-phase NCIT has no class for (1b, 3b) is the phase it belongs to; a range of two phases
is the combined class (1–2 is Phase I/II, 2–3 is Phase II/III), whatever sub-phases it names.
"""

from __future__ import annotations

import re

from stemkg.extract.grounding import Mention
from stemkg.lexicon import Lexicon

_NUMBER = r"(?:0|[1-4]|IV|I{1,3}|one|two|three|four)"
_PHASE = re.compile(
    rf"\bphases?[\s-]*(?P<a>{_NUMBER})(?P<sa>[ab])?"
    rf"(?:\s*(?:/|–|—|-|to|and|or)\s*(?:phase\s*)?(?P<b>{_NUMBER})(?P<sb>[ab])?)?(?![\w/])",
    re.I,
)
_VALUE = {"0": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4, "one": 1, "two": 2, "three": 3, "four": 4}
_SINGLE = {0: "NCIT:C54721", 1: "NCIT:C15600", 2: "NCIT:C15601", 3: "NCIT:C15602", 4: "NCIT:C15603"}
_SUB = {(2, "a"): "NCIT:C49686", (2, "b"): "NCIT:C49688"}
_RANGE = {(1, 2): "NCIT:C15693", (2, 3): "NCIT:C15694"}


def _value(word: str) -> int:
    return int(word) if word.isdigit() else _VALUE[word.casefold()]


def _curie(m: re.Match[str]) -> str | None:
    a = _value(m.group("a"))
    if m.group("b"):
        return _RANGE.get((a, _value(m.group("b"))))
    sub = (m.group("sa") or "").casefold()
    return _SUB.get((a, sub)) or _SINGLE.get(a)


def phase_mentions(text: str, lexicon: Lexicon) -> list[Mention]:
    """Every phase the text names, as the NCIT class it is."""
    found = []
    for m in _PHASE.finditer(text):
        curie = _curie(m)
        entry = lexicon.get(curie) if curie else None
        if entry is not None:
            found.append(Mention(entry, m.start(), m.end(), "phase-pattern"))
    return found


def with_phases(mentions: list[Mention], phases: list[Mention]) -> list[Mention]:
    """The mentions, where a phase pattern reads more of the text than a lexicon phase
    ("phase I–IIa" against "phase I"), with the pattern's reading instead."""
    kept = list(mentions)
    for p in phases:
        covered = [m for m in kept if m.kind is p.kind and m.start < p.end and p.start < m.end]
        if all(m.end - m.start < p.end - p.start for m in covered):
            kept = [m for m in kept if m not in covered] + [p]
    return kept


_REGISTERED = re.compile(r"(EARLY_)?PHASE([0-4])")


def registered_phase(phases: tuple[str, ...]) -> str | None:
    """The NCIT class of a registry's phase list (``["PHASE1", "PHASE2"]`` is Phase I/II,
    ``["EARLY_PHASE1"]`` early phase I, ``["NA"]`` not applicable)."""
    if phases == ("NA",):
        return "NCIT:C48660"
    numbers = []
    for phase in phases:
        m = _REGISTERED.fullmatch(phase)
        if m is None:
            return None
        numbers.append(0 if m.group(1) else int(m.group(2)))
    if len(numbers) == 1:
        return _SINGLE.get(numbers[0])
    if len(numbers) == 2:
        return _RANGE.get((min(numbers), max(numbers)))
    return None
