"""Assemble, coordinated measures: one direction said after a list ("pain, disability and
quality of life improved", "IL-6, TNF-alpha and IL-17A fell") is a finding on each measure
of the list.

A list is read leftwards from the measure next to the cue, one conjunct at a time, across
commas and "and"/"or" and past a bracketed abbreviation; a conjunct is a short noun phrase
that reads as a measure (not the subjects, the cells or a place). Lists after a cue
("reduced inflammation and fibrosis") are not read: on the second blind set they gave six
wrong findings and no right one, as the clause after "and" is as often a new one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stemkg.extract.annotate import AnnotatedDoc, Hit
from stemkg.extract.grounding import Mention
from stemkg.extract.text import Span

_LEFT_JOINT = re.compile(r"(?:,\s*(?:and|or)|,|\s(?:and|or))\s*$", re.I)
_BRACKET_BEFORE = re.compile(r"\s*\([^()]{1,40}\)\s*$")
_WORD = re.compile(r"[\w'’/+.-]*\w")
BOUNDARY = frozenset(
    (
        "and",
        "or",
        "but",
        "than",
        "compared",
        "versus",
        "vs",
        "after",
        "at",
        "by",
        "from",
        "with",
        "over",
        "during",
        "which",
        "that",
        "when",
        "while",
        "among",
        "between",
        "in",
        "for",
        "to",
        "was",
        "were",
        "is",
        "are",
        "had",
        "has",
        "have",
        "did",
        "does",
        "do",
        "who",
        "whose",
        "because",
        "within",
        "across",
        "since",
        "until",
        "without",
        "if",
        "as",
        "not",
        "no",
        "nor",
        "although",
        "though",
        "whereas",
        "yet",
        "so",
        "also",
        "showed",
        "shows",
        "show",
        "found",
        "finds",
        "reported",
        "said",
        "says",
        "suggest",
        "suggests",
        "suggested",
        "seemed",
        "seem",
        "could",
        "would",
        "may",
        "might",
        "can",
        "will",
        "should",
        "been",
        "be",
        "being",
        "this",
        "these",
        "those",
        "there",
        "it",
        "they",
        "we",
        "he",
        "she",
        "on",
        "into",
        "per",
        "whether",
        "how",
        "what",
    )
)
"""Words that end a phrase read as a measure: conjunctions, prepositions, verbs of saying."""
_STOP = BOUNDARY | frozenset(
    ("a", "an", "the", "their", "its", "his", "her", "of", "both", "either", "such")
)
_MAX_CONJUNCTS = 6
_MAX_WORDS = 4

Phrase = Callable[[AnnotatedDoc, int, int], Mention | None]


def _left_np(d: AnnotatedDoc, lo: int, end: int) -> tuple[int, int] | None:
    """The words (at most four) that end at ``end``, stopping at a function word."""
    words = list(_WORD.finditer(d.text, lo, end))
    picked: list[re.Match[str]] = []
    for w in reversed(words):
        between = d.text[w.end() : picked[0].start() if picked else end]
        if between.strip() or w.group().casefold() in _STOP:
            break
        if len(picked) == _MAX_WORDS:
            return None  # a longer name than a list item: cut, it would be wrong
        picked.insert(0, w)
    return (picked[0].start(), picked[-1].end()) if picked else None


def conjuncts(d: AnnotatedDoc, s: Span, m: Mention, hit: Hit, phrase: Phrase) -> list[Mention]:
    """The other measures of the list that ``m`` ends, before the cue. Two
    items joined by a comma and "and" are clauses ("after a delay, and C-peptide rose"), not
    a list; a conjunct that has a direction of its own is a finding of its own."""
    found = _walk(d, s, m, hit, phrase)
    if len(found) == 1 and "," in _joint_text(d, m, found[0]):
        return []
    cued = [h.start for h in d.cues("direction") if s.start <= h.start < s.end]
    return [c for c in found if not any(c.start <= at < c.end for at in cued)]


def _joint_text(d: AnnotatedDoc, a: Mention, b: Mention) -> str:
    """The text between two mentions, whichever comes first."""
    first, second = (a, b) if a.start < b.start else (b, a)
    return d.text[first.end : second.start]


def _walk(d: AnnotatedDoc, s: Span, m: Mention, hit: Hit, phrase: Phrase) -> list[Mention]:
    """Conjuncts leftwards from ``m`` while a joint and a measure-like phrase precede."""
    found: list[Mention] = []
    at = m.start
    while m.end <= hit.start and len(found) < _MAX_CONJUNCTS:
        joint = _LEFT_JOINT.search(d.text, s.start, at)
        if joint is None:
            break
        end = joint.start()
        bracket = _BRACKET_BEFORE.search(d.text, s.start, end)
        span = _left_np(d, s.start, bracket.start() if bracket else end)
        mention = phrase(d, *span) if span else None
        if mention is None:
            break
        found.append(mention)
        at = mention.start
    return found
