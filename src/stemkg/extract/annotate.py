"""Annotate: one document read once into sentences, term mentions and cue hits.

Every later stage reads the ``AnnotatedDoc`` this builds (and its regions, one per study)
instead of the raw text, so each rule stays linear in the length of the document and every
value can point back at the sentence and characters that state it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from stemkg.extract.context import ContextRules
from stemkg.extract.drafts import Evidence, Term, Value
from stemkg.extract.grounding import Cue, Grounder, Mention, defined_abbreviations
from stemkg.extract.phases import phase_mentions, with_phases
from stemkg.extract.prefilter import CueWords, may_match
from stemkg.extract.text import Span, sentences
from stemkg.lexicon import Kind, Lexicon
from stemkg.sources.document import Document
from stemkg.sources.textutil import labelled_sections

__all__ = ["AnnotatedDoc", "Hit", "Resources", "annotate"]


@dataclass(frozen=True, slots=True)
class Resources:
    """What extraction reads besides the document: lexicon, cues, trigger rules, hierarchy."""

    lexicon: Lexicon
    grounder: Grounder
    rules: ContextRules
    cues: tuple[Cue, ...]
    ancestors: dict[str, frozenset[str]]
    polarity: dict[str, str] = field(default_factory=dict)  # measure CURIE -> higher|lower
    cue_words: CueWords | None = None  # the words cues need, found in a text in one pass
    mesh: dict[str, str] = field(default_factory=dict)  # MeSH descriptor UI -> MONDO CURIE


@dataclass(frozen=True, slots=True)
class Hit:
    """A cue found in a sentence."""

    kind: str
    value: str
    start: int
    end: int


@dataclass
class AnnotatedDoc:
    """One document, analysed: its sentences, term mentions and cue hits, indexed by kind
    and by sentence so that every rule stays linear in the length of the document."""

    text: str
    sents: list[Span]
    mentions: list[Mention]
    hits: list[Hit]
    res: Resources
    lo: int = 0
    hi: int = -1
    parent: AnnotatedDoc | None = None
    _by_kind: dict[Kind, list[Mention]] = field(default_factory=dict)
    _by_cue: dict[str, list[Hit]] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)
    _kind_starts: dict[Kind, list[int]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)
    """What a stage computed once for the whole document (regions read their part of it)."""
    sections: list[tuple[int, str]] | None = None
    """Where each labelled section of an abstract starts, and its kind (``SECTION_KINDS``)."""

    def __post_init__(self) -> None:
        if self.hi < 0:
            self.hi = len(self.text)
        if self.sections is None:  # a region shares its document's, found once
            self.sections = labelled_sections(self.text)
        for m in self.mentions:
            self._by_kind.setdefault(m.kind, []).append(m)
        for h in self.hits:
            self._by_cue.setdefault(h.kind, []).append(h)
        self._starts = [s.start for s in self.sents]
        self._kind_starts = {k: [m.start for m in ms] for k, ms in self._by_kind.items()}

    def region(self, lo: int, hi: int) -> AnnotatedDoc:
        """The part of the document from ``lo`` to ``hi`` (one study's), offsets unchanged."""
        return AnnotatedDoc(
            self.text,
            [s for s in self.sents if lo <= s.start < hi],
            [m for m in self.mentions if lo <= m.start < hi],
            [h for h in self.hits if lo <= h.start < hi],
            self.res,
            lo,
            hi,
            self,
            sections=self.sections,
        )

    def section_of(self, pos: int) -> str | None:
        """The kind of labelled section a position lies in ("background", "results" ...)."""
        sections = self.sections or []
        i = bisect_right([at for at, _ in sections], pos) - 1
        return sections[i][1] if i >= 0 else None

    def search(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match of ``pattern`` within the region."""
        return pattern.search(self.text, self.lo, self.hi)

    @property
    def body(self) -> str:
        """The region's text (offsets start at ``lo``)."""
        return self.text[self.lo : self.hi]

    def terms_in(self, kind: Kind, start: int, end: int) -> list[Mention]:
        """Mentions of a kind that start within ``[start, end)``."""
        starts = self._kind_starts.get(kind, [])
        return self.terms(kind)[bisect_left(starts, start) : bisect_left(starts, end)]

    def sentence_of(self, pos: int) -> Span:
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and self.sents[i].start <= pos < self.sents[i].end:
            return self.sents[i]
        return Span(pos, pos, "")

    def terms(self, kind: Kind) -> list[Mention]:
        return self._by_kind.get(kind, [])

    def cues(self, kind: str) -> list[Hit]:
        return self._by_cue.get(kind, [])

    def ev(self, start: int, end: int, method: str, confidence: float = 0.9) -> Evidence:
        return self._term(start, end, method, confidence)

    def value(
        self, value: object, start: int, end: int, method: str, confidence: float = 0.9
    ) -> Value:
        """A value with the evidence for it."""
        return {"value": value, **self.ev(start, end, method, confidence)}

    def _term(self, start: int, end: int, method: str, confidence: float) -> Term:
        """The evidence of a value: a term's, before what names it (an identifier, or
        words) is added."""
        return {
            "quote": self.text[start:end],
            "start": start,
            "end": end,
            "method": method,
            "confidence": confidence,
        }

    def known(self, curie: str, start: int, end: int, method: str, confidence: float) -> Term:
        """A term by its identifier, read from words that do not name it ("40 patients" is
        humans)."""
        found = self._term(start, end, method, confidence)
        found["id"] = curie
        return found

    def words(self, label: str, start: int, end: int, method: str, confidence: float) -> Term:
        """A term no table knows, by the words the text names it with."""
        found = self._term(start, end, method, confidence)
        found["label"], found["unmapped"] = label, True
        return found

    def term(self, m: Mention, confidence: float = 0.9) -> Term:
        if m.method == "route-fallback":
            confidence = min(confidence, 0.4)
        unmapped = m.entry.id.startswith("unmapped:")  # a phrase, or a pronoun for one
        if unmapped or m.method in ("measure-phrase", "unmapped-cell", "event-cue"):
            return self.words(m.entry.label, m.start, m.end, m.method, 0.5)  # no table knows
        found = self._term(m.start, m.end, m.method, confidence)
        found["id"], found["label"] = m.entry.id, m.entry.label
        return found


def annotate(doc: Document, res: Resources) -> AnnotatedDoc:
    text = doc.text[:200_000]
    defined = defined_abbreviations(text, res.grounder)
    mentions = with_phases(res.grounder.find(text, defined), phase_mentions(text, res.lexicon))
    sents = sentences(text)
    hits = [h for h in _cue_hits(text, sents, res.cues, res.cue_words) if not _bound_word(text, h)]
    route_cues = [h for h in hits if h.kind == "route"]
    for h in route_cues:
        entry = res.lexicon.get(h.value)
        if entry is not None and not any(m.start <= h.start < m.end for m in mentions):
            mentions.append(Mention(entry, h.start, h.end, "route-cue"))
    mentions.sort(key=lambda m: m.start)
    return AnnotatedDoc(text, sents, mentions, sorted(hits, key=lambda h: h.start), res)


def _cue_hits(
    text: str, sents: list[Span], cues: tuple[Cue, ...], words: CueWords | None = None
) -> list[Hit]:
    """Every cue's matches within a sentence. Each cue scans the whole text once (a hundred
    scans, not a hundred per sentence); where a match runs over a sentence end, that cue is
    run again inside the sentences it touched, so the result is as if run per sentence."""
    starts = [s.start for s in sents]
    flat = _as_read(text, sents)
    found: dict[tuple[str, str, int, int], Hit] = {}
    folded = flat.casefold()
    present = words.present(folded) if words is not None else None
    for cue in cues:
        if present is not None and cue.needs is not None and cue.needs.isdisjoint(present):
            continue  # none of the words every match needs: no match
        if present is None and not may_match(cue.needs, folded):
            continue
        redo: set[int] = set()
        for m in cue.pattern.finditer(flat):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.end() <= sents[i].end:
                hit = Hit(cue.kind, cue.value, m.start(), m.end())
                found.setdefault((hit.kind, hit.value, hit.start, hit.end), hit)
            else:
                redo.update(range(max(i, 0), bisect_right(starts, m.end())))
        for i in sorted(redo):
            s = sents[i]
            for m in cue.pattern.finditer(s.text):
                hit = Hit(cue.kind, cue.value, s.start + m.start(), s.start + m.end())
                found.setdefault((hit.kind, hit.value, hit.start, hit.end), hit)
    return list(found.values())


def _as_read(text: str, sents: list[Span]) -> str:
    """The text with each sentence as the sentence splitter gave it (hard-wrapped lines
    joined by spaces, same length), so that a scan of the whole sees what one per sentence
    would."""
    parts, at = [], 0
    for s in sents:
        parts += [text[at : s.start], s.text]
        at = s.end
    parts.append(text[at:])
    return "".join(parts)


_BOUND_BEFORE = re.compile(r"\b(?:or|no|at)\s+$", re.I)


_BOUND_AFTER = re.compile(
    r"\s+than\s+(?:\d|a |an |one|two|three|four|five|six|seven|eight|nine|ten|half)", re.I
)


def _bound_word(text: str, hit: Hit) -> bool:
    """A comparative that bounds a number, not a change: "a score of 2 or less", "more than
    50 patients"."""
    if hit.kind != "direction" or text[hit.start : hit.end].casefold() not in COMPARATIVES:
        return False
    before = text[max(0, hit.start - 4) : hit.start]
    return bool(_BOUND_BEFORE.search(before) or _BOUND_AFTER.match(text, hit.end))


COMPARATIVES = frozenset(("less", "more", "fewer", "lower", "higher", "greater", "smaller"))
