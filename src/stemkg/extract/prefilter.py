"""Literal prefilters for regular expressions: words one of which any match must contain, so
that a pattern whose words are all absent from a text is never run over it.

The words come from the pattern's parse tree (``re._parser``, the parser ``re`` itself uses):
a sequence needs any one of its parts' words, an alternation needs one word of each branch,
an optional or repeated-from-zero part needs nothing. A pattern that gives no such words
(it can match with no literal text) has no prefilter and always runs. Matching is
case-insensitive, so words and text are compared casefolded.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

import ahocorasick

_p: Any
_c: Any
try:  # the parser ``re`` compiles with; its name is private and has moved before
    _p = importlib.import_module("re._parser")
    _c = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - an interpreter without it runs every pattern
    _p = _c = None

Needs = frozenset[str] | None
"""Words one of which every match contains; None when no such words are known."""


def _best(options: list[frozenset[str]]) -> Needs:
    """The most selective of several word sets that are each necessary (longest shortest word)."""
    if not options:
        return None
    return max(options, key=lambda words: (min(len(w) for w in words), -len(words)))


def _sequence(items: Any) -> Needs:
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in [*list(items), (None, None)]:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            options.append(frozenset(["".join(run).casefold()]))
            run = []
        if op is None:
            break
        needs = _node(op, arg)
        if needs:
            options.append(needs)
    return _best(options)


def _node(op: Any, arg: Any) -> Needs:
    if op is _c.SUBPATTERN:
        return _sequence(arg[-1])
    if op is _c.BRANCH:
        branches = [_sequence(b) for b in arg[1]]
        if any(b is None for b in branches):
            return None
        return frozenset().union(*(b for b in branches if b is not None))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and arg[0] >= 1:
        return _sequence(arg[2])
    if op is _c.ATOMIC_GROUP:
        return _sequence(arg)
    return None  # a class, an assertion, a back-reference, an optional part


def needs(pattern: re.Pattern[str]) -> Needs:
    """Words one of which every match of ``pattern`` contains (casefolded), or None."""
    if _p is None or not pattern.flags & re.IGNORECASE:
        return None  # words are compared casefolded: only sound for a caseless pattern
    try:
        words = _sequence(_p.parse(pattern.pattern, pattern.flags))
    except Exception:
        return None
    if words is None or any(not w.strip() for w in words):
        return None
    return frozenset(w.strip() for w in words)


def may_match(words: Needs, folded_text: str) -> bool:
    """Whether a pattern with these needed words can match the (casefolded) text."""
    return words is None or any(w in folded_text for w in words)


class CueWords:
    """Every word the cues need, in one automaton: a text is scanned once for all of them,
    and a cue runs only where one of its words is present."""

    def __init__(self, needs: Iterable[frozenset[str] | None]) -> None:
        self._automaton = ahocorasick.Automaton()
        for words in needs:
            for word in words or ():
                self._automaton.add_word(word, word)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def present(self, folded_text: str) -> frozenset[str]:
        """The needed words that occur in the (casefolded) text."""
        if self._empty:
            return frozenset()
        return frozenset(word for _, word in self._automaton.iter(folded_text))
