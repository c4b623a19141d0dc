"""Assemble a study report from one document: pure rules over sentences, terms and numbers.

Extraction v1 finds at most one study per document (the one it reports with results); every
value carries the quote and offsets that state it, the method that produced it and a
confidence. Where a value is inferred rather than stated (human participants from the word
"patients"), the method says so and the confidence is lower.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stemkg.extract import quantities as q
from stemkg.extract.context import ContextRules
from stemkg.extract.grounding import Cue, Grounder, Mention, defined_abbreviations
from stemkg.extract.text import Span, sentences
from stemkg.lexicon import Kind, LexEntry, Lexicon
from stemkg.migrate import V1_DESIGN
from stemkg.model import SCHEMA_VERSION, Direction, Modality
from stemkg.sources.document import Document

__all__ = ["Resources", "explain", "extract_record"]

_STEMLIKE = re.compile(r"stem|progenitor|stromal|mononuclear|precursor|pluripotent", re.I)
_ENROLLED = re.compile(
    r"\b(enrol+(ed|ment|s)?|recruit(ed|s)?|includ(ed|es)|took part|participat(ed|es)|"
    r"randomi[sz]ed|(?:randomly )?assigned|allocated|signed up|used)\b",
    re.I,
)
_TREATED = re.compile(
    r"\b(treated|receiv(ed|e|ing)|given|injected|infused|transplanted|implanted|underwent|dosed|"
    r"had (?:the |their )?(?:[\w-]+ ){0,3}(?:injections?|infusions?|transplants?|treatment))\b",
    re.I,
)
_FOLLOW = re.compile(
    r"\b(follow(ed)?[- ]?(up)?|monitored|tracked|observed|continued|assessed)\b", re.I
)
_BEFORE = re.compile(r"^\W*(before|prior|of (lead|run)[- ]in|lead[- ]in|run[- ]in)\b", re.I)
_MODIFIED = re.compile(
    r"\b((?:induced?|engineered|(?:genetically )?modified|programmed|primed|stimulated)"
    r"(?: them| the cells)? to (?:secrete|express|produce|release)\b[^.;,()]{3,60})",
    re.I,
)
_NAMED = re.compile(r"\b(?:called|named|known as|dubbed)\s+([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)")
_VENUE = re.compile(
    r"\b(?:published|reported|appeared|described|presented|reported online)\s+(?:in|by)\s+"
    r"(?:the\s+journal\s+)?((?:The\s+)?[A-Z][\w&.'-]*(?:\s+(?:[A-Z][\w&.'-]*|of|in|and|for|&))*)"
    r"(?:\s+in|,|\s+\()\s*(?:\w+\s+)?((?:19|20)\d\d)\b"
)
_AGES = re.compile(
    r"\b(?:aged|ages? of|between the ages of)\s+(\d{1,2})\s+(?:to|and|-|–)\s+(\d{1,3})\b", re.I
)
_STUDYLIKE = re.compile(
    r"\b(trial|study|studies|experiments?|researchers|investigators|team|group|authors|"
    r"published|reported|patients|participants|mice|rats|animals)\b",
    re.I,
)
_FUTURE = re.compile(
    r"\b(?:planned|planning|will|would|future|next step|is needed|are needed|should|upcoming)\b",
    re.I,
)
"""A sentence about work still to come ("a larger randomised trial is now planned")."""
_COMBINED = re.compile(r"\bcombined|both routes|both\b", re.I)


class Design(StrEnum):
    """The design categories the cues name; a report states them on the model's axes
    (``migrate.V1_DESIGN``: "randomised" is an interventional, randomised study)."""

    IN_VITRO = "in_vitro"
    ANIMAL = "animal"
    CASE_REPORT = "case_report"
    CASE_SERIES = "case_series"
    OPEN_LABEL = "open_label"
    NON_RANDOMISED_CONTROLLED = "non_randomised_controlled"
    RANDOMISED_CONTROLLED = "randomised_controlled"


_MASKING = {
    "open": "open_label",
    "single": "single",
    "double": "double",
    "triple": "triple",
    "quadruple": "quadruple",
}


@dataclass(frozen=True, slots=True)
class Resources:
    """What extraction reads besides the document: lexicon, cues, trigger rules, hierarchy."""

    lexicon: Lexicon
    grounder: Grounder
    rules: ContextRules
    cues: tuple[Cue, ...]
    ancestors: dict[str, frozenset[str]]
    polarity: dict[str, str] = field(default_factory=dict)  # measure CURIE -> higher|lower


@dataclass(frozen=True, slots=True)
class _Hit:
    """A cue found in a sentence."""

    kind: str
    value: str
    start: int
    end: int


@dataclass
class _Doc:
    """One document, analysed: its sentences, term mentions and cue hits, indexed by kind
    and by sentence so that every rule stays linear in the length of the document."""

    text: str
    sents: list[Span]
    mentions: list[Mention]
    hits: list[_Hit]
    res: Resources
    lo: int = 0
    hi: int = -1
    parent: _Doc | None = None
    _by_kind: dict[Kind, list[Mention]] = field(default_factory=dict)
    _by_cue: dict[str, list[_Hit]] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)
    _kind_starts: dict[Kind, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.hi < 0:
            self.hi = len(self.text)
        for m in self.mentions:
            self._by_kind.setdefault(m.kind, []).append(m)
        for h in self.hits:
            self._by_cue.setdefault(h.kind, []).append(h)
        self._starts = [s.start for s in self.sents]
        self._kind_starts = {k: [m.start for m in ms] for k, ms in self._by_kind.items()}

    def region(self, lo: int, hi: int) -> _Doc:
        """The part of the document from ``lo`` to ``hi`` (one study's), offsets unchanged."""
        return _Doc(
            self.text,
            [s for s in self.sents if lo <= s.start < hi],
            [m for m in self.mentions if lo <= m.start < hi],
            [h for h in self.hits if lo <= h.start < hi],
            self.res,
            lo,
            hi,
            self,
        )

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

    def cues(self, kind: str) -> list[_Hit]:
        return self._by_cue.get(kind, [])

    def ev(self, start: int, end: int, method: str, confidence: float = 0.9) -> dict[str, Any]:
        return {
            "quote": self.text[start:end],
            "start": start,
            "end": end,
            "method": method,
            "confidence": confidence,
        }

    def term(self, m: Mention, confidence: float = 0.9) -> dict[str, Any]:
        if m.method == "route-fallback":
            confidence = min(confidence, 0.4)
        if m.method in ("measure-phrase", "unmapped-cell"):  # words no table knows
            label = m.entry.label
            return {"label": label, "unmapped": True, **self.ev(m.start, m.end, m.method, 0.5)}
        return {
            "id": m.entry.id,
            "label": m.entry.label,
            **self.ev(m.start, m.end, m.method, confidence),
        }


def _analyse(doc: Document, res: Resources) -> _Doc:
    text = doc.text[:200_000]
    defined = defined_abbreviations(text, res.grounder)
    mentions = res.grounder.find(text, defined)
    sents = sentences(text)
    hits = [h for h in _cue_hits(text, sents, res.cues) if not _bound_word(text, h)]
    route_cues = [h for h in hits if h.kind == "route"]
    for h in route_cues:
        entry = res.lexicon.get(h.value)
        if entry is not None and not any(m.start <= h.start < m.end for m in mentions):
            mentions.append(Mention(entry, h.start, h.end, "route-cue"))
    mentions.sort(key=lambda m: m.start)
    return _Doc(text, sents, mentions, sorted(hits, key=lambda h: h.start), res)


def _cue_hits(text: str, sents: list[Span], cues: tuple[Cue, ...]) -> list[_Hit]:
    """Every cue's matches within a sentence. Each cue scans the whole text once (a hundred
    scans, not a hundred per sentence); where a match runs over a sentence end, that cue is
    run again inside the sentences it touched, so the result is as if run per sentence."""
    starts = [s.start for s in sents]
    flat = _as_read(text, sents)
    found: dict[tuple[str, str, int, int], _Hit] = {}
    for cue in cues:
        redo: set[int] = set()
        for m in cue.pattern.finditer(flat):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.end() <= sents[i].end:
                hit = _Hit(cue.kind, cue.value, m.start(), m.end())
                found.setdefault((hit.kind, hit.value, hit.start, hit.end), hit)
            else:
                redo.update(range(max(i, 0), bisect_right(starts, m.end())))
        for i in sorted(redo):
            s = sents[i]
            for m in cue.pattern.finditer(s.text):
                hit = _Hit(cue.kind, cue.value, s.start + m.start(), s.start + m.end())
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


def _bound_word(text: str, hit: _Hit) -> bool:
    """A comparative that bounds a number, not a change: "a score of 2 or less", "more than
    50 patients"."""
    if hit.kind != "direction" or text[hit.start : hit.end].casefold() not in _COMPARATIVES:
        return False
    before = text[max(0, hit.start - 4) : hit.start]
    return bool(_BOUND_BEFORE.search(before) or _BOUND_AFTER.match(text, hit.end))


_COMPARATIVES = frozenset(("less", "more", "fewer", "lower", "higher", "greater", "smaller"))
_ADJECTIVES = frozenset(("better", "worse"))


def _conditions(d: _Doc, primary: Mention) -> list[Mention]:
    """The study's conditions: the most named one first, then one other the text
    names where it says who was studied ("patients with X", the headline), none of them a
    broader or narrower form of another."""
    chosen = [primary]
    for m in d.terms(Kind.CONDITION):
        if len(chosen) == 2:
            break
        if any(m.entry.id == c.entry.id for c in chosen):
            continue
        related = any(
            m.entry.id in _ancestors(d.res, c.entry.id)
            or c.entry.id in _ancestors(d.res, m.entry.id)
            for c in chosen
        )
        if related:
            continue
        before = d.text[max(d.lo, m.start - 40) : m.start]
        in_headline = bool(d.sents) and d.sents[0].start <= m.start < d.sents[0].end
        if in_headline or _WHO.search(before):
            chosen.append(m)
    return chosen


_WHO = re.compile(
    r"\b(?:patients|people|adults|children|men|women|participants|volunteers|infants|babies|"
    r"those|subjects|cases)\s+(?:\w+\s+){0,3}?(?:with|who (?:had|have))\s+(?:\w+\s+){0,3}$",
    re.I,
)


def _most_frequent(mentions: list[Mention]) -> Mention | None:
    if not mentions:
        return None
    counts = Counter(m.entry.id for m in mentions)
    best = max(counts.values())
    return next(m for m in mentions if counts[m.entry.id] == best)


def _ancestors(res: Resources, curie: str) -> frozenset[str]:
    """A term's ancestors: from the shipped extracts, else from the ontology tables."""
    found = res.ancestors.get(curie)
    if found is None and res.grounder.tables is not None:
        found = res.grounder.tables.ancestors(curie)
    return found or frozenset()


def _stemlike(entry: LexEntry, res: Resources) -> bool:
    if entry.id == "EFO:0004905" or _STEMLIKE.search(entry.label):
        return True
    return "CL:0000034" in _ancestors(res, entry.id)


def _marker_cell(d: _Doc) -> Mention | None:
    """Cells no table names, as the text names them: by a marker ("CD34+ cells"), else by
    words that say they are a therapy's cells ("cardiosphere-derived cells")."""
    found = d.search(_MARKER_CELLS)
    if found is not None:
        return _unmapped_cell(found.group("label"), found.start(), found.end())
    for m in _CELL_PHRASE.finditer(d.text, d.lo, d.hi):
        tokens = list(re.finditer(r"\S+", m.group("words")))
        words = _name_words([t.group() for t in tokens])
        if words and _THERAPY_CELL.search(" ".join(words)):
            start = m.start("words") + tokens[-len(words)].start()
            return _unmapped_cell(" ".join([*words, "cell"]), start, m.end())
    return None


def _name_words(words: list[str]) -> list[str]:
    """The words just before "cells" that name them, read backwards to the first word that
    does not ("infusion of [cardiopoietic] cells", "the patients' own [heart-derived] cells")."""
    kept: list[str] = []
    for word in reversed(words):
        low = word.casefold()
        verbish = low.endswith(("ed", "ing")) and "-" not in low
        if low in _NOT_CELL_WORDS or verbish or low[:1].isdigit() or len(kept) == 3:
            break
        kept.insert(0, word)
    return kept


def _unmapped_cell(label: str, start: int, end: int) -> Mention:
    entry = LexEntry(f"unmapped:{label.casefold()}", Kind.CELL_TYPE, label)
    return Mention(entry, start, end, "unmapped-cell")


_CELL_PHRASE = re.compile(r"(?P<words>(?:[A-Za-z'][\w'/+-]*\s+){1,5})cells\b")
_THERAPY_CELL = re.compile(
    r"(?:stem|progenitor|precursor|stromal|derived|poietic|sphere|regenerative|repair|"
    r"mononuclear)\b",
    re.I,
)
"""Words that make a phrase ending in "cells" the cells a therapy gives."""
_NOT_CELL_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "with",
        "and",
        "or",
        "their",
        "his",
        "her",
        "its",
        "own",
        "these",
        "those",
        "such",
        "into",
        "from",
        "by",
        "to",
        "in",
        "autologous",
        "allogeneic",
        "allogenic",
        "donor",
        "donated",
        "patients'",
        "patient's",
        "human",
        "cultured",
        "million",
        "billion",
        "thousand",
    ]
)


def _specialise(d: _Doc, cell: Mention) -> tuple[Mention, Mention | None]:
    """A generic cell type said to come from a tissue becomes the tissue-specific type
    where the lexicon has one ("MSCs ... from each patient's bone marrow")."""
    sentence = d.sentence_of(cell.start)
    for tissue in d.terms_in(Kind.TISSUE, sentence.start, sentence.end):
        if not _source_of(d, cell, tissue):
            continue
        for name in (
            f"{cell.entry.label} of {tissue.entry.label}",
            f"{cell.entry.label} of the {tissue.entry.label}",
        ):
            try:
                special = d.res.lexicon.resolve(Kind.CELL_TYPE, name)
            except ValueError:
                continue
            span = (min(cell.start, tissue.start), max(cell.end, tissue.end))
            return Mention(special, span[0], span[1], "tissue-composition"), tissue
        return cell, tissue
    return cell, None


_TISSUE_BEFORE = re.compile(
    r"^[\s-]*(?:derived|origin|sourced)?[\s-]*(?:[\w+-]+\s+){0,2}$|"
    r"^(?:\s*\([A-Za-z]+\))?[\s,]*(?:(?:aspirate|concentrate|which|that|is|are)\s+){0,3}"
    r"(?:rich in|carrying|carries|contains?|containing|holds?|a source of)\s+(?:\w+\s+){0,2}$",
    re.I,
)
"""Tissue, then cells: "bone marrow mesenchymal stem cells", "adipose-derived stromal cells",
"bone marrow, rich in mesenchymal stem cells", "BMAC, which carries MSCs"."""
_TISSUE_AFTER = re.compile(
    r"^[\s,]*(?:(?:were|was|are|is|which|that|had been|been|first|then|each)\s+){0,3}"
    r"(?:(?:derived|isolated|harvested|taken|obtained|collected|extracted|grown|expanded|"
    r"prepared|sourced|cultured|purified)\s+)?(?:from|of)\s+"
    r"(?:(?:the|a|each|their|his|her|its|own|patients?|patient's|patients'|donors?|donor's|"
    r"healthy|adult|human|newborn|infant|mouse|rat|autologous|allogeneic)\s+){0,3}$",
    re.I,
)
"""Cells, then where they came from: "MSCs isolated from each patient's bone marrow"."""


_ORIGIN_BEFORE = re.compile(
    r"\b(?:cells?|taken|harvested|isolated|collected|extracted|obtained|derived|drawn|grown)\s+"
    r"(?:\w+\s+){0,3}?from\s+(?:(?:the|a|each|their|his|her|own|patients?'?s?|donors?'?s?|"
    r"healthy|newborn|human)\s+){0,3}$",
    re.I,
)


def _origin_of_cells(d: _Doc, tissue: Mention) -> bool:
    """A tissue the text says cells came from, though it names them only as "cells":
    "cells taken from the patient's own bone marrow", "marrow-derived"."""
    before = d.text[max(d.lo, tissue.start - 80) : tissue.start]
    after = d.text[tissue.end : tissue.end + 12]
    return bool(_ORIGIN_BEFORE.search(before)) or bool(re.match(r"[\s-]*derived\b", after, re.I))


def _source_of(d: _Doc, cell: Mention, tissue: Mention) -> bool:
    """Whether the text says the cells came from the tissue (not only that they went there)."""
    if tissue.end <= cell.start:
        return bool(_TISSUE_BEFORE.match(d.text[tissue.end : cell.start]))
    if tissue.start >= cell.end:
        return bool(_TISSUE_AFTER.match(d.text[cell.end : tissue.start]))
    return False


_GENERIC_CELLS = frozenset({"CL:0000034"})
"""A bare "stem cells": where the text names a product, the product's type says more (a
text that says "mesenchymal stem cells" keeps what it says)."""


def _product(d: _Doc) -> Mention | None:
    """The cell type of a stem-cell product the text names (NurOwn, remestemcel-L ...)."""
    for hit in d.cues("product"):
        curie = hit.value.split()[0]
        entry = d.res.lexicon.get(curie)
        if entry is None and d.res.grounder.tables is not None:
            found = d.res.grounder.tables.get(curie)
            entry = LexEntry(found.id, found.kind, found.label) if found else None
        if entry is not None:
            return Mention(entry, hit.start, hit.end, "product-name")
    return None


_DERIVED_AFTER = re.compile(
    r"^[\s-]*(?:derived|made|grown|generated|produced|differentiated|manufactured|created)\s+"
    r"(?:\w+\s+){0,3}?from\s+(?:(?:the|a|human|patient's|patients'|their|own|donated|donor|"
    r"embryonic|induced|pluripotent)\s+){0,3}$",
    re.I,
)
_DERIVED_BEFORE = re.compile(
    r"^[\s-]*(?:derived|made|grown|generated)[\s-]+(?:[\w-]+\s+){0,2}$", re.I
)
_HSCT = re.compile(
    r"\b(?:stem[- ]cell|bone[- ]marrow|marrow|HSC)\s+transplant\w*|\b(?:a|auto|allo)?HSCT\b",
    re.I,
)


def _derived_cell(d: _Doc) -> Mention | None:
    """The cell type made from stem cells that was given: "retinal pigment epithelium cells
    derived from embryonic stem cells", "iPSC-derived dopaminergic neurons"."""
    stem = [m for m in d.terms(Kind.CELL_TYPE) if _stemlike(m.entry, d.res)]
    other = [m for m in d.terms(Kind.CELL_TYPE) if not _stemlike(m.entry, d.res)]
    for made in other:
        for source in stem:
            if source.start >= made.end:
                between = d.text[made.end : source.start]
                if len(between) < 60 and _DERIVED_AFTER.match(between):
                    return Mention(made.entry, made.start, made.end, "derived-cell")
            elif source.end <= made.start:
                between = d.text[source.end : made.start]
                if len(between) < 40 and _DERIVED_BEFORE.match(between):
                    return Mention(made.entry, made.start, made.end, "derived-cell")
    return None


def _therapy_cell(d: _Doc) -> tuple[Mention | None, Mention | None]:
    """The cell type given: cells made from stem cells where the text says so, else the most
    specific stem-like type (a product's type, or haematopoietic stem cells for a "stem-cell
    transplant", where the text says only "stem cells"), and its source tissue."""
    derived = _derived_cell(d)
    if derived is not None:
        return derived, None
    product = _product(d)
    cell, tissue = _named_cell(d)
    if product is not None and (cell is None or cell.entry.id in _GENERIC_CELLS):
        return product, _tissue_in_label(d, product)
    transplant = d.search(_HSCT)
    hsc = d.res.lexicon.get("CL:0000037")
    if transplant and hsc and cell is not None and cell.entry.id in _GENERIC_CELLS:
        return Mention(hsc, transplant.start(), transplant.end(), "transplant-cue"), tissue
    return cell, tissue


_GIVEN_TISSUES = frozenset({"UBERON:0012168"})
"""Tissues given as they are, whose cells a text need not name (umbilical cord blood)."""

_WHOLE_MARROW = frozenset({"CL:0002092"})
"""Marrow given as it is ("concentrated bone marrow"): the cells given where no stem-like
type is named."""

_MARKER_CELLS = re.compile(
    r"\b(?P<label>(?:CD\d{2,3}(?:/CD\d{2,3})?(?:\+|-positive| positive)|ALDH(?:br|-bright|\+))"
    r"(?:\s+(?:stem|progenitor|precursor|stem/progenitor))?\s+cell)s?\b"
)
"""Cells named by a surface marker ("CD34+ cells"), which no table names: an unmapped type."""


def _named_cell(d: _Doc) -> tuple[Mention | None, Mention | None]:
    mentions = d.terms(Kind.CELL_TYPE)
    cells = [m for m in mentions if _stemlike(m.entry, d.res)]
    if not cells:
        cells = [m for m in mentions if m.entry.id in _WHOLE_MARROW]
    if not cells:
        return _marker_cell(d), None
    composed = [_specialise(d, c) for c in cells]
    ids = {c.entry.id for c, _ in composed}
    specific = [
        (c, t)
        for c, t in composed
        if not any(c.entry.id in _ancestors(d.res, other) for other in ids)
    ]
    counts = Counter(c.entry.id for c, _ in specific)
    best = max(counts.values())
    cell, tissue = next((c, t) for c, t in specific if counts[c.entry.id] == best)
    if tissue is None:
        tissue = next((t for c, t in specific if c.entry.id == cell.entry.id and t), None)
    if tissue is None:
        tissue = _tissue_in_label(d, cell)
    if tissue is None:
        cell, tissue = _source_elsewhere(d, cell)
    return cell, tissue


def _source_elsewhere(d: _Doc, cell: Mention) -> tuple[Mention, Mention | None]:
    """The one tissue the text says cells came from, in any sentence ("cells taken from the
    umbilical cord", "cord-derived"), composed with a generic cell type where CL has the
    specific class."""
    sources = {
        t.entry.id: t
        for c in d.terms(Kind.CELL_TYPE)
        for t in d.terms_in(Kind.TISSUE, d.sentence_of(c.start).start, d.sentence_of(c.start).end)
        if _source_of(d, c, t)
    }
    if not sources:
        sources = {t.entry.id: t for t in d.terms(Kind.TISSUE) if _origin_of_cells(d, t)}
    if len(sources) != 1:
        return cell, None
    tissue = next(iter(sources.values()))
    for name in (
        f"{cell.entry.label} of {tissue.entry.label}",
        f"{cell.entry.label} of the {tissue.entry.label}",
    ):
        try:
            special = d.res.lexicon.resolve(Kind.CELL_TYPE, name)
        except ValueError:
            continue
        return Mention(special, cell.start, cell.end, "tissue-composition"), tissue
    return cell, tissue


def _tissue_in_label(d: _Doc, cell: Mention) -> Mention | None:
    """A tissue-specific cell type names its tissue: "... of the bone marrow", "bone marrow
    cell"."""
    match = re.search(r" of (?:the )?(.+)$", cell.entry.label) or re.match(
        r"(.+?) cells?$", cell.entry.label
    )
    if not match or cell.entry.id.startswith("unmapped:"):
        return None
    try:
        entry = d.res.lexicon.resolve(Kind.TISSUE, match.group(1))
    except ValueError:
        return None
    return Mention(entry, cell.start, cell.end, "implied-by-cell-type")


def _design(d: _Doc, species: str | None, patients: bool) -> dict[str, Any] | None:
    """The design a cue states; laboratory and animal cues count only without patients
    (a trial article may recall "laboratory experiments" that came before it)."""
    clinical = [
        Design.NON_RANDOMISED_CONTROLLED,
        Design.RANDOMISED_CONTROLLED,
        Design.OPEN_LABEL,
        Design.CASE_SERIES,
        Design.CASE_REPORT,
    ]
    order = clinical if patients else [Design.IN_VITRO, Design.ANIMAL, *clinical]
    hits = [h for h in d.cues("design") if not _FUTURE.search(d.sentence_of(h.start).text)]
    for design in order:
        found = [h for h in hits if h.value == design.value]
        if found:
            h = found[0]
            return {"value": design.value, **d.ev(h.start, h.end, "design-cue")}
    if species and species != "NCBITaxon:9606" and not patients:
        m = next(m for m in d.terms(Kind.SPECIES) if m.entry.id == species)
        return {"value": Design.ANIMAL.value, **d.ev(m.start, m.end, "inferred-from-species", 0.6)}
    targets = [m for m in d.terms(Kind.CELL_TYPE) if not _stemlike(m.entry, d.res)]
    if not patients and not species and targets:
        m = targets[0]
        return {"value": Design.IN_VITRO.value, **d.ev(m.start, m.end, "inferred-cells-only", 0.5)}
    return None


def _species(d: _Doc, patients: list[q.Count]) -> dict[str, Any] | None:
    mentions = d.terms(Kind.SPECIES)
    hosts = [m for m in mentions if not _of_cells(d, m)]
    named = _most_frequent(hosts or mentions)
    if named is not None and not _outvoted(named, hosts, patients):
        return d.term(named)
    if patients:
        c = patients[0]
        return {"id": "NCBITaxon:9606", **d.ev(c.start, c.end, "inferred-from-patients", 0.7)}
    return None


def _outvoted(named: Mention, hosts: list[Mention], patients: list[q.Count]) -> bool:
    """Counted people outnumber the mentions of an animal host ("earlier experiments in rats")."""
    if named.entry.id == "NCBITaxon:9606" or not patients:
        return False
    return len(patients) > sum(m.entry.id == named.entry.id for m in hosts)


_OF_CELLS = re.compile(r"\s*(?:[\w-]+\s+){0,3}?(?:[\w-]*cells?|tissue|cords?|marrow)\b", re.I)


def _of_cells(d: _Doc, m: Mention) -> bool:
    """A species that says where the cells came from ("human iPS cells"), not who got them."""
    return bool(_OF_CELLS.match(d.text, m.end))


def _people(d: _Doc) -> list[q.Count]:
    found = []
    for s in d.sents:
        found += q.counts(s.text, s.start)
        for m in re.finditer(r"\(n\s*=\s*(\d+)\)", s.text):
            found.append(q.Count(s.start + m.start(), s.start + m.end(), int(m.group(1)), "n"))
    return sorted(found, key=lambda c: c.start)


def _near(counts: list[q.Count], verb: re.Match[str], offset: int) -> q.Count:
    centre = offset + verb.start()
    return min(counts, key=lambda c: min(abs(c.start - centre), abs(c.end - centre)))


def _per_sentence(d: _Doc, people: list[q.Count]) -> list[tuple[Span, list[q.Count]]]:
    """Each sentence with the counts in it (not the table-style "(n=6)" ones), in one pass."""
    by_start: dict[int, list[q.Count]] = {}
    for c in people:
        if c.noun != "n":
            by_start.setdefault(d.sentence_of(c.start).start, []).append(c)
    return [(s, by_start.get(s.start, [])) for s in d.sents]


def _participants(d: _Doc, people: list[q.Count], arms: list[dict[str, Any]]) -> dict[str, Any]:
    """Enrolled and treated counts, from sentences that are not about one group's route."""
    grouped = {d.sentence_of(a["participants"]["start"]).start for a in arms if "participants" in a}
    result: dict[str, Any] = {}
    for s, here in _per_sentence(d, people):
        if not here or s.start in grouped:
            continue
        for key, verb in (("enrolled", _ENROLLED), ("treated", _TREATED)):
            m = verb.search(s.text)
            if key == "treated" and _ENROLLED.search(s.text) and _COMPARATOR.search(s.text):
                continue  # "212 were randomised to cells or placebo, injected ...": enrolled
            if key not in result and m:
                c = _near(here, m, s.start)
                result[key] = {"value": c.value, **d.ev(c.start, c.end, f"count-{key}", 0.8)}
    field = d.search(_ENROLLMENT_FIELD)
    if "enrolled" not in result and field:  # a registry's "Enrollment: 150 (anticipated)"
        value = int(field.group(1))
        result["enrolled"] = {"value": value, **d.ev(field.start(1), field.end(1), "count-field")}
    sized = [a for a in arms if "participants" in a]
    if not result and not sized:
        lone = _lone_count(d, people)
        if lone is not None:  # "**Who:** 17 men with erectile dysfunction after surgery"
            result["enrolled"] = {
                "value": lone.value,
                **d.ev(lone.start, lone.end, "count-only", 0.6),
            }
    if not result and len(arms) == 1 and sized:  # one group: its size is the study's
        result["enrolled"] = {**sized[0]["participants"], "method": "count-enrolled"}
    treated = result.get("treated")
    if treated is not None and "enrolled" not in result:
        # one count of those who received the cells: they are also those who took part
        result = {"enrolled": {**treated, "method": "count-enrolled"}, "treated": treated}
    return result


_ENROLLMENT_FIELD = re.compile(
    r"^\W*(?:actual |anticipated |estimated )?enrol?lment:\s*(\d{1,6})\b", re.I | re.M
)


def _lone_count(d: _Doc, people: list[q.Count]) -> q.Count | None:
    """The one number of people a text gives, where no verb says what they did: those who
    took part. Several different numbers say nothing without their verbs."""
    counts = [c for c in people if c.noun != "n" and not _in_fraction(d, c)]
    values = {c.value for c in counts}
    return counts[0] if len(values) == 1 else None


def _in_fraction(d: _Doc, c: q.Count) -> bool:
    """ "8 of the 17 men": a share of the group, not its size."""
    return bool(re.search(r"\b(?:of|of the|out of)\s*$", d.text[max(0, c.start - 12) : c.start]))


def _follow_up(d: _Doc) -> dict[str, Any] | None:
    best: q.Duration | None = None
    for s in d.sents:
        if not _FOLLOW.search(s.text):
            continue
        for dur in q.durations(s.text, s.start):
            after = d.text[dur.end : dur.end + 30]
            if _BEFORE.match(after) or "apart" in after[:8]:
                continue
            if best is None or q.months(dur.iso) > q.months(best.iso):
                best = dur
    if best is None:
        return None
    return {"value": best.iso, **d.ev(best.start, best.end, "duration-follow-up", 0.8)}


def _first_cue(d: _Doc, kind: str, method: str) -> dict[str, Any] | None:
    hits = d.cues(kind)
    if not hits:
        return None
    return {"value": hits[0].value, **d.ev(hits[0].start, hits[0].end, method)}


def _phases(d: _Doc) -> list[Mention]:
    return d.terms(Kind.PHASE)


def _therapy(d: _Doc, cell: Mention | None, tissue: Mention | None) -> dict[str, Any]:
    therapy: dict[str, Any] = {}
    if cell:
        therapy["cell_type"] = d.term(cell)
    if tissue:
        therapy["source_tissue"] = d.term(tissue, 0.8)
    donor = _first_cue(d, "donor-explicit", "donor-cue") or _first_cue(d, "donor", "donor-cue")
    products = d.cues("product")
    if donor is None and products and cell is not None and cell.method == "product-name":
        h = products[0]
        donor = {"value": h.value.split()[1], **d.ev(h.start, h.end, "product-name", 0.8)}
    if donor:
        therapy["donor"] = donor
    if products and cell is not None and cell.method == "product-name":
        h = products[0]
        therapy["name"] = {"value": d.text[h.start : h.end], **d.ev(h.start, h.end, "product-name")}
    mod = d.search(_MODIFIED)
    if mod:
        therapy["modification"] = {
            "value": mod.group(1).strip(),
            **d.ev(mod.start(1), mod.end(1), "modification-pattern", 0.7),
        }
    name = d.search(_NAMED)
    if name and "name" not in therapy:
        therapy["name"] = {
            "value": name.group(1),
            **d.ev(name.start(1), name.end(1), "name-pattern", 0.7),
        }
    for s in d.sents:
        doses = q.doses(s.text, s.start)
        if doses:
            dose = doses[0]
            therapy["dose"] = {
                "value": dose.value,
                "unit": dose.unit,
                **d.ev(dose.start, dose.end, "dose-pattern"),
            }
            break
    schedule = _schedule(d)
    if schedule:
        therapy["schedule"] = schedule
    return therapy


_GIVING = re.compile(r"injection|infusion|dose|administ|transplant|implant|given", re.I)


def _schedule(d: _Doc) -> dict[str, Any] | None:
    """Administrations from the first sentence that counts them; the interval from that
    sentence, else from the first sentence about giving cells that says "N days apart"."""
    found = [(s, q.schedule(s.text)) for s in d.sents]
    found = [(s, f) for s, f in found if f[2]]
    if not found:
        return None
    s, (count, interval, span) = next(((s, f) for s, f in found if f[0]), found[0])
    if span is None:
        return None
    start, end = s.start + span[0], s.start + span[1]
    if interval is None:
        other = next(((t, f) for t, f in found if f[1] and _GIVING.search(t.text)), None)
        if other is not None and other[1][2] is not None:
            interval = other[1][1]
            end = max(end, other[0].start + other[1][2][1])
    sched: dict[str, Any] = {"text": d.text[start:end], **d.ev(start, end, "schedule-pattern", 0.8)}
    if count:
        sched["administrations"] = count
    if interval:
        sched["interval"] = interval
    return sched


def _fallback_routes(d: _Doc) -> list[Mention]:
    """Where no route is named, "infusion" of cells is taken to be intravenous (confidence
    0.4, method "route-fallback"): in cell therapy an unqualified infusion is into a vein."""
    for h in d.cues("route-fallback"):
        entry = d.res.lexicon.get(h.value)
        if entry is not None:
            return [Mention(entry, h.start, h.end, "route-fallback")]
    return []


def _routes_in(d: _Doc, start: int, end: int) -> list[Mention]:
    seen: dict[str, Mention] = {}
    for m in d.terms_in(Kind.ROUTE, start, end):
        seen.setdefault(m.entry.id, m)
    return list(seen.values())


def _arm_label(routes: list[Mention], phase: Mention | None, n: int) -> str:
    names = " + ".join(r.entry.synonyms[0] if r.entry.synonyms else r.entry.label for r in routes)
    label = names or f"group {n}"
    return f"{label} ({phase.entry.synonyms[0]})" if phase and phase.entry.synonyms else label


_EACH = re.compile(
    r"\beach\b.{0,80}?\b(two|three|four)\s+(?:different\s+)?(?:types|kinds|ways|routes|methods)\b",
    re.I,
)
_COMPARATOR = re.compile(
    r"\b(placebo|(?:normal )?saline|sham(?: procedure| surgery| injection)?|vehicle|"
    r"hyaluronic acid alone)\b",
    re.I,
)
_GIVEN_CELLS = re.compile(
    r"\s*(?:\w+\s+){0,2}?(?:received|got|were given|were treated with|had)\s+(?:the\s+|their\s+)?"
    r"(?:\w+\s+){0,3}?(?:cells?|MSCs?|transplants?|grafts?|infusions?|injections?)\b",
    re.I,
)
_CELLS_WORD = re.compile(r"\b(?:cells?|MSCs?|grafts?|transplant\w*)\b", re.I)
_COMBINATION = re.compile(r"\b(?:a |the )?combination\b|\bboth\b", re.I)


def _group(d: _Doc, s: Span, c: q.Count, stop: int, n: int, several: bool) -> list[dict[str, Any]]:
    """The arms one group mention gives: with its routes, or as one of "N patients each
    ... two different types of injection" (k groups of N) or "a combination" of them."""
    routes = _routes_in(d, c.start, stop)
    window = d.text[c.end : stop]
    phase = next((p for p in reversed(_phases(d)) if s.start <= p.start < c.start), None)
    size = {"value": c.value, **d.ev(c.start, c.end, "group-count", 0.7)}
    donor = next((h for h in d.cues("donor") if c.end <= h.start < stop), None)
    comparator = _COMPARATOR.search(window)
    if comparator and (
        _CELLS_WORD.search(window, 0, comparator.start())
        or d.terms_in(Kind.CELL_TYPE, c.end, c.end + comparator.start())
    ):
        return []  # "167 patients randomised to cells or placebo": all of them, not a group
    if routes:
        labels = [_arm_label(routes, phase, n)]
    elif several and (donor or comparator):
        labels = [f"{donor.value if donor else 'control'} group {n}"]
    elif several and _GIVEN_CELLS.match(window):
        labels = ["cells"]  # "107 patients received the cells and 105 received placebo"
    elif each := _EACH.search(window):
        k = q.number(each.group(1)) or 1
        labels = [f"group {n + i}" for i in range(k)]
    elif _COMBINATION.search(window) and n > 1:
        labels = [f"group {n} (combined)"]
    else:
        return []
    arms = []
    for label in labels:
        arm: dict[str, Any] = {"label": label, "participants": size}
        arm["therapy"] = {"routes": [d.term(r) for r in routes]}
        if comparator:
            start, end = c.end + comparator.start(), c.end + comparator.end()
            arm["label"] = f"{comparator.group().lower()} control"
            arm["comparator"] = True
            arm["therapy"]["name"] = {
                "value": comparator.group(),
                **d.ev(start, end, "comparator-cue", 0.7),
            }
        elif donor:
            arm["therapy"]["donor"] = {
                "value": donor.value,
                **d.ev(donor.start, donor.end, "donor-cue"),
            }
        if phase:
            arm["phase"] = d.term(phase)
        arms.append(arm)
    return arms


_TABLE_LINE = re.compile(r"^[^\n|]*(?:\|[^\n|]*){2,}$", re.M)
_PEOPLE_HEADER = re.compile(
    r"^\s*(?:n|patients?|participants?|subjects?|animals?|rats?|mice|dogs?|pigs?|sheep)\s*$", re.I
)
_NO_TREATMENT = re.compile(r"^\s*(?:none|untreated|no (?:treatment|cells)|control)\s*$", re.I)


def _cells(line: str, offset: int) -> list[Span]:
    spans, start = [], 0
    for part in line.split("|"):
        spans.append(Span(offset + start, offset + start + len(part), part.strip()))
        start += len(part) + 1
    return spans


def _tables(d: _Doc) -> list[list[list[Span]]]:
    """Tables as rows of cells (with offsets): runs of lines of ``a | b | c``."""
    tables: list[list[list[Span]]] = []
    last_end = -2
    for m in _TABLE_LINE.finditer(d.text, d.lo, d.hi):
        row = _cells(m.group(), m.start())
        if m.start() != last_end + 1 or not tables or len(row) != len(tables[-1][0]):
            tables.append([])
        tables[-1].append(row)
        last_end = m.end()
    return [t for t in tables if len(t) > 1]


def _table_arms(d: _Doc, therapy: dict[str, Any]) -> list[dict[str, Any]]:
    """Arms from a table of groups whose header names the people or animals in each row
    ("group | treatment | rats"): one arm per row, a row with no treatment a control."""
    arms: list[dict[str, Any]] = []
    for table in _tables(d):
        column = next((i for i, c in enumerate(table[0]) if _PEOPLE_HEADER.match(c.text)), None)
        if column is None:
            continue
        for row in table[1:]:
            size = q.number(row[column].text)
            if size is None:
                continue
            cell = row[column]
            arm: dict[str, Any] = {
                "label": f"{table[0][0].text or 'group'} {row[0].text}".strip(),
                "participants": {"value": size, **d.ev(cell.start, cell.end, "table-count", 0.8)},
            }
            if any(_NO_TREATMENT.match(c.text) for c in row):
                arm["comparator"] = True
                arm["therapy"] = {}
            else:
                start, end = row[0].start, row[-1].end
                doses = q.doses(d.text[start:end], start)
                arm["therapy"] = {
                    **therapy,
                    "routes": [d.term(r) for r in _routes_in(d, start, end)],
                }
                if doses:
                    arm["therapy"]["dose"] = {
                        "value": doses[0].value,
                        "unit": doses[0].unit,
                        **d.ev(doses[0].start, doses[0].end, "dose-pattern"),
                    }
            arms.append(arm)
    return arms


_MAX_ARMS = 12
"""More groups than this in one article are not arms of one study."""


def _group_arms(d: _Doc, people: list[q.Count], therapy: dict[str, Any]) -> list[dict[str, Any]]:
    """Arms from sentences that give a group's size with its route: "six patients ... into
    the muscles, and 6 patients ... intrathecally"."""
    arms: list[dict[str, Any]] = []
    for s, here in _per_sentence(d, people):
        for i, c in enumerate(here):
            stop = here[i + 1].start if i + 1 < len(here) else s.end
            arms += _group(d, s, c, stop, len(arms) + 1, len(here) > 1)
    if len(arms) > _MAX_ARMS:
        return []  # not a description of groups: a list, a table of results, or noise
    everywhere = _routes_in(d, d.lo, d.hi) or _fallback_routes(d)
    for arm in arms:
        if not arm["therapy"]["routes"] and len({r.entry.id for r in everywhere}) == 1:
            arm["therapy"]["routes"] = [d.term(everywhere[0], 0.5)]  # the one route named
        if arm.get("comparator"):
            continue  # a control arm gets no cells
        arm["therapy"] = {**therapy, **arm["therapy"]}
    labels = Counter(a["label"] for a in arms)
    for n, arm in enumerate(arms, 1):
        if labels[arm["label"]] > 1:
            arm["label"] = f"{arm['label']} {n}"
    return arms


def _arms(
    d: _Doc, design: str, therapy: dict[str, Any], participants: dict[str, Any]
) -> list[dict[str, Any]]:
    """Arms by exposure (in vitro), else one arm with every route the text names."""
    if design == Design.IN_VITRO.value:
        exposures = {h.value: h for h in d.cues("exposure")}
        return [
            {
                "label": h.value.replace("_", " "),
                "therapy": {
                    **therapy,
                    "exposure": {"value": h.value, **d.ev(h.start, h.end, "exposure-cue", 0.8)},
                },
            }
            for h in exposures.values()
        ]
    routes = {m.entry.id: m for m in d.terms(Kind.ROUTE) or _fallback_routes(d)}
    if not therapy.get("cell_type") and not routes:
        return []
    arm: dict[str, Any] = {
        "label": _arm_label(list(routes.values()), None, 1),
        "therapy": {**therapy, "routes": [d.term(r) for r in routes.values()]},
    }
    size = participants.get("treated") or participants.get("enrolled")
    if size:
        arm["participants"] = size
    return [arm]


def _direction(d: _Doc, s: Span, m: Mention) -> _Hit | None:
    hits = [h for h in d.cues("direction") if s.start <= h.start < s.end]
    if not hits:
        return None
    if m.entry.id == _ADVERSE_EVENT:
        pool = [h for h in hits if h.value in _AE_ONLY] or hits
    else:
        pool = [h for h in hits if h.value not in _AE_ONLY]
        near = [
            h for h in pool if h.value in _EMBEDDED and _gap(h.start, h.end, m.start, m.end) < 40
        ]
        pool = near or pool
    if not pool:
        return None
    return min(
        pool, key=lambda h: (_gap(h.start, h.end, m.start, m.end), _rank(d, h), h.start - h.end)
    )


_SERIOUS = re.compile(r"\b(?:serious|severe|major)\b", re.I)


def _rank(d: _Doc, h: _Hit) -> int:
    """Between safety cues over the same words, "no serious adverse event attributable to the
    cells" says first that none was serious."""
    serious = h.value == Direction.NO_SERIOUS_ADVERSE_EVENTS.value
    return 0 if serious and _SERIOUS.search(d.text, h.start, h.end) else 1


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Characters between two spans; 0 when they overlap (then the longer cue wins)."""
    return max(0, b_start - a_end, a_start - b_end)


_EMBEDDED = {
    Direction.NOT_ACCELERATED.value,
    Direction.NO_SERIOUS_ADVERSE_EVENTS.value,
    Direction.NO_TREATMENT_RELATED_ADVERSE_EVENTS.value,
    Direction.MILD_ADVERSE_EVENTS.value,
    Direction.NO_CHANGE.value,
}
_AE_ONLY = {
    Direction.NO_SERIOUS_ADVERSE_EVENTS.value,
    Direction.NO_TREATMENT_RELATED_ADVERSE_EVENTS.value,
    Direction.MILD_ADVERSE_EVENTS.value,
}


def _covered_arms(d: _Doc, s: Span, arms: list[dict[str, Any]]) -> list[str]:
    routes = {m.entry.id for m in _routes_in(d, s.start, s.end)}
    combined = bool(_COMBINED.search(s.text))
    if not routes and not combined:
        return []
    covered = []
    for arm in arms:
        ids = {r["id"] for r in arm["therapy"].get("routes", [])}
        if (ids & routes) or (combined and len(ids) > 1):
            covered.append(arm["label"])
    return [] if len(covered) == len(arms) else covered


_ANAPHOR = re.compile(r"\b(?:the|this|that) (?:test|scale|score|measure|rating|assessment)\b", re.I)


def _measures_in(d: _Doc, n: int, s: Span) -> list[Mention]:
    """Measures a sentence names, or the one it refers back to ("improved on the test")."""
    here = d.terms_in(Kind.MEASURE, s.start, s.end)
    if here or not _ANAPHOR.search(s.text):
        return here
    earlier = [
        m for m in d.terms(Kind.MEASURE) if d.sents[max(0, n - 2)].start <= m.start < s.start
    ]
    if not earlier:
        return []
    last = earlier[-1]
    anchor = _ANAPHOR.search(s.text)
    assert anchor is not None
    return [Mention(last.entry, s.start + anchor.start(), s.start + anchor.end(), "anaphora")]


def _modality(d: _Doc, s: Span, m: Mention, hit: _Hit | None) -> Modality:
    """NegEx/ConText over the finding; a direction that carries its own negation ("not
    accelerated", "no serious adverse events") can only be hedged, not negated."""
    spans = [(m.start, m.end)]
    if hit is not None:  # the finding as a whole, and its predicate: "X did not improve"
        spans += [(min(hit.start, m.start), max(hit.end, m.end)), (hit.start, hit.end)]
    found = {d.res.rules.modality(s.text, a - s.start, b - s.start) for a, b in spans}
    modality = next(
        (x for x in (Modality.NEGATED, Modality.HEDGED) if x in found), Modality.ASSERTED
    )
    if hit is not None and hit.value in _EMBEDDED and modality is Modality.NEGATED:
        return Modality.HEDGED if Modality.HEDGED in found else Modality.ASSERTED
    return modality


def _outcome(
    d: _Doc, s: Span, m: Mention, hit: _Hit | None, arms: list[dict[str, Any]]
) -> dict[str, Any]:
    outcome: dict[str, Any] = {"measure": d.term(m)}
    if hit is not None:
        outcome["direction"] = {
            "value": _as_clinical(d.res, m, hit.value),
            **d.ev(hit.start, hit.end, "direction-cue", 0.7),
        }
    modality = _modality(d, s, m, hit)
    outcome["modality"] = {"value": modality.value, **d.ev(s.start, s.end, "context-negex", 0.7)}
    _figures(d, s, outcome)
    covered = _covered_arms(d, s, arms)
    if covered:
        outcome["arms"] = covered
    return outcome


_BETTER_HIGHER = re.compile(
    r"\b(?:function|functioning|quality of life|acuity|strength|healing|closure|union|"
    r"regeneration|recovery|independence|remission|response|speed|distance)\s*$",
    re.I,
)


def _as_clinical(res: Resources, m: Mention, value: str) -> str:
    """A rise or fall on a scale with one clinical reading is an improvement or a worsening
    ("the EDSS fell": improved); elsewhere the text's own direction stands."""
    if value not in (Direction.INCREASED.value, Direction.REDUCED.value):
        return value
    better = res.polarity.get(m.entry.id)
    if better is None and m.method == "measure-phrase" and _BETTER_HIGHER.search(m.entry.label):
        better = "higher"
    if better is None:
        return value
    up = value == Direction.INCREASED.value
    return (Direction.IMPROVED if up == (better == "higher") else Direction.WORSENED).value


_CRITERIA = re.compile(
    r"\W*(?:(?:key|main|major)\s+)?(?:inclusion|exclusion|eligibility|entry)"
    r"(?:\s+(?:and|or|/)\s+exclusion)?\s+criteria\b",
    re.I,
)
"""A trial's criteria for taking part ("Key exclusion criteria: HbA1c above 10%; ... or
worse"): who may enrol, never a finding."""


def _outcomes(d: _Doc, arms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings: a measure with the nearest direction cue in its sentence, or a measure with
    figures and no direction (an incidence: "serious adverse events in 5 of 15")."""
    found: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    for n, s in enumerate(d.sents):
        if _CRITERIA.match(s.text):
            continue
        claimed: set[_Hit] = set()
        for m in _measures_in(d, n, s):
            hit = _direction(d, s, m)
            if hit is not None:
                claimed.add(hit)
            if hit is not None and hit.value in _AE_ONLY and m.entry.id != "NCIT:C41331":
                continue
            if hit is None and not (q.fractions(s.text) or q.percents(s.text)):
                continue
            outcome = _outcome(d, s, m, hit, arms)
            key = (m.entry.id, hit.value if hit else None, outcome["modality"]["value"])
            found.setdefault(key, outcome)
        for outcome in _endpoints(d, s):
            key = (outcome["measure"]["label"], "improved", outcome["modality"]["value"])
            found.setdefault(key, outcome)
        for m, hit in _safety(d, s):
            outcome = _outcome(d, s, m, hit, arms)
            found.setdefault((m.entry.id, hit.value, outcome["modality"]["value"]), outcome)
        for hit in _unclaimed(d, s, claimed):
            phrase = _measure_phrase(d, s, hit)
            if phrase is not None:
                m = phrase
                outcome = _outcome(d, s, m, hit, arms)
                key = (m.entry.id, hit.value, outcome["modality"]["value"])
                found.setdefault(key, outcome)
    return list(found.values())


_RESULTY = re.compile(
    r"\d|\bsignifican|\bp\s*[<=]|\b(?:versus|compared|than|placebo|control|sham|group|arm|"
    r"baseline)\b",
    re.I,
)
_SUBJECTS = re.compile(
    r"\b(?:patients|participants|subjects|mice|rats|animals|monkeys|primates|pigs|dogs|sheep|"
    r"rabbits|children|men|women|people|"
    r"treated|recipients|those who|cultures|cells)\b"
    r"|\b(?:\d+|[a-z]+(?:-[a-z]+)?) (?:of|out of) (?:the|all|these|those) (?:\d+|[a-z]+)\b",
    re.I,
)
"""Words for those studied, or a share of them ("thirteen of the 14 healed")."""


def _safety(d: _Doc, s: Span) -> list[tuple[Mention, _Hit]]:
    """A safety statement that names no adverse-event term ("no safety concerns"): the
    outcome is adverse events, the cue its evidence."""
    entry = d.res.lexicon.get(_ADVERSE_EVENT)
    if entry is None or any(
        m.entry.id == _ADVERSE_EVENT for m in d.terms_in(Kind.MEASURE, s.start, s.end)
    ):
        return []
    hits = [h for h in d.cues("direction") if s.start <= h.start < s.end and h.value in _AE_ONLY]
    return [(Mention(entry, h.start, h.end, "safety-cue"), h) for h in hits[:1]]


_ADVERSE_EVENT = "NCIT:C41331"


_ENDPOINT = re.compile(
    r"\b(?P<verb>missed|failed to (?:meet|reach|hit|achieve)|did not (?:meet|reach|hit|achieve)|"
    r"met|reached|achieved|hit)\s+(?:its|their|the)\s+(?P<what>(?:(?:primary|main|co-?primary|"
    r"secondary|key secondary|prespecified|pre-specified)\s+)+(?:efficacy\s+)?"
    r"(?:end\s?points?|outcomes?(?: measures?)?|goals?))",
    re.I,
)
"""A trial's verdict on its endpoint: "missed its primary endpoint" (improved, negated)."""


def _endpoints(d: _Doc, s: Span) -> list[dict[str, Any]]:
    """Outcomes a sentence states as an endpoint met or missed."""
    found = []
    for m in _ENDPOINT.finditer(d.text, s.start, s.end):
        start, end = m.start("what"), m.end("what")
        label = " ".join(m.group("what").split())
        measure = {"label": label, "unmapped": True, **d.ev(start, end, "endpoint-pattern", 0.6)}
        missed = bool(re.match(r"missed|failed|did not", m.group("verb"), re.I))
        said = d.res.rules.modality(s.text, m.start() - s.start, m.end() - s.start)
        if missed or said is Modality.NEGATED:  # "neither met its main goal"
            said = Modality.NEGATED
        found.append(
            {
                "measure": measure,
                "direction": {
                    "value": "improved",
                    **d.ev(m.start(), m.end(), "endpoint-pattern", 0.7),
                },
                "modality": {
                    "value": said.value,
                    **d.ev(m.start(), m.end(), "endpoint-pattern", 0.7),
                },
            }
        )
    return found


def _unclaimed(d: _Doc, s: Span, claimed: set[_Hit]) -> list[_Hit]:
    """Direction cues of a sentence reporting a result that no measure term took: a figure or
    a comparison, or a past-tense change in the treated subjects ("EDSS fell and [walking
    speed] improved")."""
    measures = d.terms_in(Kind.MEASURE, s.start, s.end)
    hits = [
        h
        for h in d.cues("direction")
        if s.start <= h.start < s.end
        and h.value not in _AE_ONLY
        and not any(_gap(h.start, h.end, c.start, c.end) == 0 for c in claimed)
        and not any(m.start <= h.start < m.end for m in measures)
    ]
    if not hits or _FUTURE.search(s.text):
        return []
    if d.sents and s.start == d.sents[0].start:  # the headline sums up; the body says what
        return []
    result = measures or _RESULTY.search(s.text) or _SUBJECTS.search(s.text)
    return hits if result else []


_TOKEN_RE = re.compile(r"[\w'’/+.-]*\w|[^\w\s]")
_BOUNDARY = frozenset(
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
_AUXILIARY = frozenset(
    (
        "was",
        "were",
        "had",
        "has",
        "have",
        "is",
        "are",
        "did",
        "does",
        "do",
        "not",
        "been",
        "be",
        "being",
        "also",
        "further",
        "significantly",
        "markedly",
        "substantially",
        "slightly",
        "clearly",
        "then",
        "both",
        "all",
        "more",
        "less",
        "much",
        "greatly",
        "still",
        "only",
        "largely",
        "modestly",
        "statistically",
        "numerically",
    )
)
_DETERMINERS = frozenset(["the", "their", "a", "an", "its", "his", "her", "our", "your", "of"])
_VAGUE = frozenset(
    (
        "patients",
        "patient",
        "people",
        "participants",
        "group",
        "groups",
        "cells",
        "cell",
        "treatment",
        "therapy",
        "study",
        "trial",
        "researchers",
        "it",
        "they",
        "this",
        "that",
        "these",
        "those",
        "results",
        "result",
        "scores",
        "score",
        "outcomes",
        "outcome",
        "condition",
        "disease",
        "symptoms",
        "animals",
        "mice",
        "rats",
        "children",
        "adults",
        "team",
        "data",
        "findings",
        "effect",
        "effects",
        "benefit",
        "benefits",
        "most",
        "some",
        "many",
        "all",
        "none",
        "each",
        "both",
        "odds",
        "ratio",
        "ratios",
        "measures",
        "measure",
        "arm",
        "arms",
        "dose",
        "doses",
        "infusion",
        "injection",
        "injections",
        "participant",
        "volunteers",
    )
)


def _tokens(text: str, offset: int) -> list[tuple[int, int, str]]:
    return [(offset + m.start(), offset + m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]


def _words_before(d: _Doc, s: Span, hit: _Hit) -> tuple[int, int] | None:
    """The noun phrase right before a cue: "hand function [improved]"."""
    tokens = _tokens(d.text[s.start : hit.start], s.start)
    while tokens and tokens[-1][2].casefold() in _AUXILIARY:
        tokens.pop()
    phrase: list[tuple[int, int, str]] = []
    while tokens and len(phrase) < 6:
        word = tokens[-1][2]
        if not re.match(r"\w", word) or word.casefold() in _BOUNDARY:
            break
        phrase.insert(0, tokens.pop())
    return (phrase[0][0], phrase[-1][1]) if phrase else None


def _words_after(d: _Doc, s: Span, hit: _Hit) -> tuple[int, int] | None:
    """The noun phrase a nominal or transitive cue governs: "an improvement in [walking
    speed]", "[the cells] reduced [apoptosis]"."""
    tokens = _tokens(d.text[hit.end : s.end], hit.end)
    if tokens and tokens[0][2].casefold() in ("in", "of", "on"):
        tokens = tokens[1:]
    elif not re.search(r"(?:ed|es|s)$", d.text[hit.start : hit.end]) and (
        d.text[hit.start : hit.end].casefold() not in _COMPARATIVES | _ADJECTIVES
    ):
        return None
    while tokens and tokens[0][2].casefold() in _DETERMINERS:
        tokens = tokens[1:]
    phrase: list[tuple[int, int, str]] = []
    for token in tokens[:6]:
        word = token[2].casefold()
        keep_of = word == "of" and 0 < len(phrase) <= 2
        if not keep_of and (not re.match(r"\w", token[2]) or word in _BOUNDARY):
            break
        phrase.append(token)
    while phrase and phrase[-1][2].casefold() == "of":
        phrase.pop()
    return (phrase[0][0], phrase[-1][1]) if phrase else None


_ADJECTIVAL = re.compile(r"^\w+(?:ical|ive|ous|ful|able|ible|ant|ent)$", re.I)
_NOMINAL = re.compile(r"(?:ment|ments|tion|tions|ion|ions|ease|eases|ine|ines)$", re.I)


def _measure_phrase(d: _Doc, s: Span, hit: _Hit) -> Mention | None:
    """The words a direction cue governs when no table names them: "an improvement in walking
    speed", "cells reduced apoptosis", "hand function improved" (an unmapped measure)."""
    cue = d.text[hit.start : hit.end]
    after = d.text[hit.end : s.end].lstrip()
    readings = []
    if cue.casefold() in _COMPARATIVES | _ADJECTIVES and re.match(r"[^\W\d]", after):
        readings.append(_words_after)  # "more collagen", "fewer hospital stays"
    if _NOMINAL.search(cue) or re.match(r"(?:in|of|on)\b", after, re.I):
        readings.append(_words_after)
    readings.append(_words_before)
    if cue.casefold().endswith("ed"):
        readings.append(_words_after)
    for reading in readings:  # "increased in 6 of 8 patients": the words before, then
        span = reading(d, s, hit)
        if span and any(span[0] <= h.start < span[1] for h in d.cues("direction")):
            continue  # "the protection grew": a change, not what changed
        if span and reading is _words_after and _ADJECTIVAL.search(d.text[span[0] : span[1]]):
            continue  # "far more practical": a comparative adjective
        mention = _phrase_mention(d, *span) if span else None
        if mention is not None:
            return mention
    return None


_THERAPY_WORDS = re.compile(
    r"\b(?:cells?|stem|infusions?|injections?|transplant\w*|grafts?|doses?|placebo|"
    r"received|given|babies|group)\b",
    re.I,
)


def _measure_like(words: list[str]) -> bool:
    """Words that can name what was measured: a content word, no verb at the end, not the
    therapy or the group itself."""
    folded = [w.casefold().strip("'’.,") for w in words]
    content = [w for w in folded if len(w) >= 4 and w not in _VAGUE and w not in _AUXILIARY]
    last = folded[-1]
    if not content or last in _VAGUE or re.search(r"(?:ed|ing|ly)$", last):
        return False
    if any(w in _NOT_MEASURES or q.number(w) is not None for w in folded):
        return False  # "four", "first 24 weeks", "far more often"
    return not _THERAPY_WORDS.search(" ".join(folded))


_NOT_MEASURES = frozenset(
    (
        "first", "second", "third", "often", "far", "such", "done", "read", "much", "well",
        "soon", "efficacy", "weeks", "months", "days", "years", "week", "month", "day", "year",
        "hopes", "hope", "standard", "question", "questions", "idea", "ideas", "approach",
        "lost", "made", "got", "took", "gave", "saw", "grew", "led", "kept", "left", "felt",
        "became", "began", "came", "went", "ran", "held", "brought",
    )
)  # fmt: skip
"""Words that never name what was measured: ordinals, times, adverbs, irregular verbs."""


def _phrase_mention(d: _Doc, start: int, end: int) -> Mention | None:
    text = d.text[start:end]
    lead = re.match(r"(?:(?:the|their|a|an|its|his|her|our)\s+)+", text, re.I)
    if lead:
        start, text = start + lead.end(), text[lead.end() :]
    words = text.split()
    if not words or not _measure_like(words):
        return None
    if _SUBJECTS.fullmatch(words[-1]) or q.people_noun(words[-1]):
        return None  # "the gerbils [improved]": who changed, not what
    for kind in (Kind.TISSUE, Kind.CELL_TYPE, Kind.CONDITION, Kind.ROUTE, Kind.SPECIES):
        for m in d.terms_in(kind, start - 200, end):
            whole = m.start <= start and m.end >= end
            inside = m.end > start and kind in (Kind.CELL_TYPE, Kind.ROUTE, Kind.SPECIES)
            place_of = m.start <= start < m.end and re.match(r"\s+of\b", d.text[m.end : end])
            if whole or inside or place_of:
                return None  # a place, the cells or the disease, not what was measured
    label = " ".join(words)
    try:
        entry = d.res.lexicon.resolve(Kind.MEASURE, label)
        return Mention(entry, start, end, "measure-name")
    except ValueError:
        unmapped = LexEntry(f"unmapped:{label.casefold()}", Kind.MEASURE, label)
        return Mention(unmapped, start, end, "measure-phrase")


def _figures(d: _Doc, s: Span, outcome: dict[str, Any]) -> None:
    value: dict[str, Any] = {}
    fractions = q.fractions(s.text, s.start)
    if fractions:
        f = fractions[0]
        if f.denominator is not None:
            value["denominator"] = f.denominator
        value.update(
            numerator=f.numerator,
            **d.ev(f.start, f.end, "fraction-pattern"),
        )
    percents = q.percents(s.text, s.start)
    if percents:
        pct, start, end = percents[0]
        value["percent"] = pct
        value.setdefault("quote", d.text[start:end])
        value.setdefault("start", start)
        value.setdefault("end", end)
        value.setdefault("method", "percent-pattern")
    if value:
        outcome["value"] = value
    for dur in q.durations(s.text, s.start):
        if "apart" not in d.text[dur.end : dur.end + 8]:
            outcome["timepoint"] = {
                "value": dur.iso,
                **d.ev(dur.start, dur.end, "duration-timepoint", 0.7),
            }
            break


def _venue(d: _Doc) -> tuple[str | None, int | None]:
    m = d.search(_VENUE)
    if m:
        return m.group(1).strip(), int(m.group(2))
    return None, None


def _target_cells(d: _Doc, therapy_cell: Mention | None) -> list[dict[str, Any]]:
    seen: dict[str, Mention] = {}
    for m in d.terms(Kind.CELL_TYPE):
        if not _stemlike(m.entry, d.res) and (
            therapy_cell is None or m.entry.id != therapy_cell.entry.id
        ):
            seen.setdefault(m.entry.id, m)
    broader = {a for term in seen for a in _ancestors(d.res, term)}
    return [d.term(m, 0.7) for term, m in seen.items() if term not in broader]


_PMID_FORM = re.compile(r"[0-9]{1,9}")
_DOI_FORM = re.compile(r"10\.[0-9]{4,9}/\S+")
_NCT_FORM = re.compile(r"NCT[0-9]{8}")


def _checked(value: str | None, form: re.Pattern[str]) -> str | None:
    """An identifier a reader found, if it has the right form (a page's meta tag may not)."""
    return value if value and form.fullmatch(value) else None


def _study_ref(doc: Document, title: str) -> dict[str, Any]:
    ref: dict[str, Any] = {"title": title}
    ncts = [n for n in doc.nct if _checked(n, _NCT_FORM)]
    if ncts:
        ref["nct"] = ncts
    if pmid := _checked(doc.pmid, _PMID_FORM):
        ref["pmid"] = pmid
    if doi := _checked(doc.doi, _DOI_FORM):
        ref["doi"] = doi
    return ref


_REVIEW = re.compile(
    r"\b(?:meta[- ]?analys[ie]s|systematic review|pooled (?:analysis|data|results)|"
    r"review of (?:\d+|two|three|four|five|six|seven|eight|nine|ten|dozens of|many) "
    r"(?:studies|trials|papers)|"
    r"(?:a|an|this|the|new|recent|latest) (?:new |recent |narrative |scoping |literature |"
    r"critical |comprehensive |updated |systematic )*review(?! board)(?: article)?\b"
    r"(?= (?:published|in|of|by|from|looks?|looked|finds?|found|concludes?|concluded|"
    r"summari[sz]es?|summari[sz]ed|covers?|covered|gathers?|gathered|examines?|examined)\b)|"
    r"the reviewers|(?:we|they|the authors) reviewed)\b",
    re.I,
)
"""What a review or meta-analysis says about itself: it reports no study of its own."""


def _is_review(d: _Doc) -> bool:
    """A text whose headline or opening presents it as a review or a meta-analysis."""
    opening = " ".join(s.text for s in d.sents[:3])
    return bool(_REVIEW.search(opening))


def _result(d: _Doc, outcomes: list[Any]) -> bool:
    """Something came out: an outcome, or a direction said in a sentence about the study."""
    if outcomes:
        return True
    return any(
        _STUDYLIKE.search(text) or _SUBJECTS.search(text)
        for text in (d.sentence_of(h.start).text for h in d.cues("direction"))
    )


def _reports_a_study(
    d: _Doc, doc: Document, cell: Mention | None, subjects: Any, outcomes: list[Any]
) -> bool:
    """A study: cells given to someone (people, animals or cells, or a design or phase that
    says so) with a result, or a registered trial described by its design."""
    if cell is None or not d.search(_STUDYLIKE):
        return False
    designed = bool(d.cues("design")) or bool(_phases(d))
    done = bool(subjects) or (designed and _particular(d, doc))
    registered = bool(doc.nct) or bool(d.search(_NCT_IN_TEXT))
    return (done and _result(d, outcomes)) or (registered and (done or bool(outcomes)))


_NCT_IN_TEXT = re.compile(r"\bNCT\d{8}\b")
_PARTICULAR = re.compile(
    r"\b(?:(?:the|this|our|that) (?:\w+ ){0,3}(?:trial|study|experiment|team|researchers|"
    r"investigators|authors)|(?:19|20)\d\d|[A-Z][A-Z0-9-]{2,} (?:trial|study))\b"
)
"""Words that point at one study: "the trial", "the researchers", a year, a named trial."""


def _particular(d: _Doc, doc: Document) -> bool:
    """Whether a text speaks of one study rather than of research in general (an explainer
    says "early randomised trials reported small improvements")."""
    return bool(doc.pmid or doc.doi or doc.nct or d.search(_PARTICULAR) or _venue(d)[0])


_DONE = re.compile(
    r"\b(?:(?:were|was|had been)\s+(?:\w+\s+)?(?:treated|exposed|cultured|grown|given|added|"
    r"incubated|injected|transplanted|infused|implanted|tested|compared|randomi[sz]ed)|"
    r"found|showed|shown|reported|observed|demonstrated|published|measured)\b",
    re.I,
)
"""Past-tense experimental work: what an explainer's general present tense lacks."""


def _inferred(d: _Doc, design: dict[str, Any]) -> bool:
    """A design read from what the text describes (cells on target cells, an animal model),
    where the text also says work was done."""
    method = design.get("method")
    if method == "inferred-cells-only" and not d.search(_EXPERIMENT):
        return False
    return method in ("inferred-from-species", "inferred-cells-only") and bool(d.search(_DONE))


_EXPERIMENT = re.compile(r"\b(?:experiment(?:s|al)?|cultures?|culture dish(?:es)?)\b", re.I)


def extract_record(doc: Document, res: Resources) -> dict[str, Any]:
    """The record (as a plain mapping in the curated-record format) of one document."""
    d = _analyse(doc, res)
    venue, year = _venue(d)
    venue = venue or doc.venue  # what the text says, else what the page's metadata says
    if year is None and doc.date and re.match(r"(?:19|20)[0-9]{2}\b", doc.date):
        year = int(doc.date[:4])
    source: dict[str, Any] = {"kind": doc.kind.value, "title": doc.title}
    for key, value in (
        ("venue", venue),
        ("year", year),
        ("url", doc.url),
        ("date", doc.date),
        ("pmid", _checked(doc.pmid, _PMID_FORM)),
        ("doi", _checked(doc.doi, _DOI_FORM)),
    ):
        if value:
            source[key] = value
    ncts = [n for n in doc.nct if _checked(n, _NCT_FORM)]
    if ncts:
        source["nct"] = ncts
    record: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "source": source, "reports": []}
    record["reports"] = _reports(doc, d)
    return record


def _reports(doc: Document, d: _Doc) -> list[dict[str, Any]]:
    """One report per study the document reports: per region where its regions report
    distinct studies, else one for the whole text."""
    regions = segment(d)
    if len(regions) > 1:
        found = []
        for lo, hi in regions:
            part = d.region(lo, hi)
            if _SUMMING_UP.search(part.body) and not part.search(_IDS):
                continue  # a closing comment on the studies above, not one of them
            report = _report(doc, part, _region_ref(part))
            if report is not None:
                found.append(report)
        if len(found) > 1 and _all_distinct(found):
            return found
    report = _report(doc, d)
    return [report] if report is not None else []


_PARAGRAPH = re.compile(r"\S(?:[^\n]|\n(?![ \t]*\n))*")
_SECTION = re.compile(
    r"^\W*(?:background|introduction|objectives?|aims?|purpose|methods?|design|setting|"
    r"participants|patients|interventions?|main outcomes?(?: measures?)?|outcomes?|results?|"
    r"findings|conclusions?|interpretation|funding|discussion|limitations|significance|"
    r"summary|abstract|trial registration|registration|sources?|references?|keywords?)\W*$",
    re.I,
)
_INTRO = re.compile(
    r"^\W*(?:\d+[.)]\s*)?(?:(?:in|at|from|for)\s+)?(?:a|an|the|another|one|two|three|"
    r"a second|a third|the second|the third|the first|the last|a separate|a different|a newer|"
    r"a larger|a smaller|an earlier|a later|meanwhile|elsewhere|separately|finally|next|also|"
    r"similarly|by contrast|in contrast|on the other hand)\b[^.\n]{0,120}?\b(?:trial|study|"
    r"experiment|team|researchers|investigators|group|programme|program)\b",
    re.I,
)
_ORDINAL = re.compile(
    r"\b(?:another|second|third|fourth|separate|different|other|meanwhile|elsewhere|"
    r"separately|by contrast|in contrast)\b",
    re.I,
)
_IDS = re.compile(r"\bNCT\d{8}\b|\bPMID:?\s*\d{5,9}\b|\b10\.\d{4,9}/[^\s,;)]+", re.I)


def segment(d: _Doc) -> list[tuple[int, int]]:
    """Regions of the text, one per study it reports in turn: a new region starts at a
    paragraph that brings a registry id or publication id of its own, or that introduces
    another study ("In a second trial", "Meanwhile, a team in ..."), or at a heading, once
    the current region has described a study. Section headings of an abstract never split."""
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(d.text, d.lo, d.hi)]
    if len(paragraphs) < 2:
        return [(d.lo, d.hi)]
    regions: list[tuple[int, int]] = []
    start, described = paragraphs[0][0], False
    seen_ids: set[str] = set()
    for lo, hi in paragraphs:
        text = d.text[lo:hi]
        ids = {m.group().casefold() for m in _IDS.finditer(text)}
        heading = (
            "\n" not in text.strip()
            and len(text.split()) <= 14
            and not re.search(r"[.!?:]$", text.strip())
        )
        citing = bool(_CITING.match(text)) or bool(_ANAPHOR_STUDY.match(text))
        new_ids = bool(ids) and not (ids & seen_ids) and bool(seen_ids) and not citing
        intro = bool(_INTRO.match(text)) and bool(_ORDINAL.search(text[:160]))
        if (
            described
            and lo > start
            and (new_ids or intro or (heading and not _SECTION.match(text)))
        ):
            regions.append((start, lo))
            start, seen_ids, described = lo, set(), False
        seen_ids |= ids
        described = described or _describes_a_study(d.region(start, hi))
    regions.append((start, d.hi))
    return regions


_CITING = re.compile(
    r"^\W*(?:references?|sources?|citation|cited|journal reference|published in|read more|"
    r"further reading|study|paper)\s*[:\-–]",
    re.I,
)
"""A paragraph that cites the study the text is about (its identifiers are that study's)."""
_ANAPHOR_STUDY = re.compile(
    r"^\W*(?:the|this|that|these|its|their)\s+(?:\w+\s+){0,2}?(?:study|trial|team|researchers|"
    r"investigators|work|results|findings|paper|authors)\b",
    re.I,
)
"""A paragraph that goes on about the study already named ("The trial, funded by ...")."""
_SUMMING_UP = re.compile(
    r"\b(?:these|both|all|the two|the three|the four|neither|none of the)\s+(?:\w+\s+)?"
    r"(?:studies|trials|experiments|results)\b",
    re.I,
)
"""Words that sum up several studies: a roundup's lede or its closing comment."""


def _describes_a_study(d: _Doc) -> bool:
    """A stretch of text that describes one study concretely: the cells, and who or how
    many received them, or the study's identifier or phase."""
    cells = any(_stemlike(m.entry, d.res) for m in d.terms(Kind.CELL_TYPE))
    concrete = bool(_people(d)) or bool(d.search(_IDS)) or bool(_phases(d))
    return cells and concrete and bool(d.search(_STUDYLIKE))


def _region_ref(d: _Doc) -> dict[str, Any]:
    """How a region names its study: the identifiers it gives, and its opening words."""
    ref: dict[str, Any] = {}
    opening = d.sents[0].text if d.sents else d.body
    ref["title"] = " ".join(opening.split()[:14])
    ncts = sorted({m.group() for m in _NCT_IN_TEXT.finditer(d.text, d.lo, d.hi)})
    if ncts:
        ref["nct"] = ncts
    pmid = re.compile(r"\bPMID:?\s*(\d{5,9})\b").search(d.text, d.lo, d.hi)
    if pmid:
        ref["pmid"] = pmid.group(1)
    doi = re.compile(r"\b10\.\d{4,9}/[^\s,;)]+").search(d.text, d.lo, d.hi)
    if doi:
        ref["doi"] = doi.group().rstrip(".")
    return ref


def _signature(report: dict[str, Any]) -> tuple[Any, ...]:
    conditions = tuple(c.get("id") or c.get("label") for c in report.get("conditions", [])[:1])
    cells = tuple(
        sorted(
            {
                a["therapy"]["cell_type"].get("id", "")
                for a in report["arms"]
                if a.get("therapy", {}).get("cell_type")
            }
        )
    )
    return conditions, cells, report["design"]["study_type"]["value"]


def _all_distinct(reports: list[dict[str, Any]]) -> bool:
    """Reports of regions are separate studies when each has identifiers of its own or a
    different condition, cell type or kind of study."""
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            ids_a = set(a["study"].get("nct", [])) | {a["study"].get("pmid"), a["study"].get("doi")}
            ids_b = set(b["study"].get("nct", [])) | {b["study"].get("pmid"), b["study"].get("doi")}
            ids_a.discard(None)
            ids_b.discard(None)
            if ids_a & ids_b:
                return False
            if not (ids_a and ids_b) and _signature(a) == _signature(b):
                return False
    return True


_ANIMAL_NOUNS = {
    "rats",
    "rat",
    "mice",
    "animals",
    "animal",
    "dogs",
    "dog",
    "pigs",
    "pig",
    "piglets",
    "sheep",
    "rabbits",
    "gerbils",
    "hamsters",
    "monkeys",
    "macaques",
    "primates",
    "marmosets",
    "goats",
    "horses",
    "cats",
    "zebrafish",
    "n",
}
_PRECLINICAL = (Design.IN_VITRO.value, Design.ANIMAL.value)


def _design_or_default(
    d: _Doc, species: dict[str, Any] | None, humans: list[q.Count]
) -> dict[str, Any] | None:
    """The stated design; a clinical text that states none is taken as uncontrolled
    (open label, confidence 0.3), since a control would have been named."""
    design = _design(d, species["id"] if species else None, bool(humans))
    if design is None and (humans or _phases(d)):
        first = humans[0] if humans else _phases(d)[0]
        design = {
            "value": Design.OPEN_LABEL.value,
            **d.ev(first.start, first.end, "default-uncontrolled", 0.3),
        }
    return design


def _age_range(d: _Doc) -> dict[str, Any] | None:
    ages = d.search(_AGES)
    if not ages:
        return None
    return {
        bound: {"value": int(ages.group(g)), **d.ev(ages.start(g), ages.end(g), "age-pattern", 0.8)}
        for bound, g in (("min", 1), ("max", 2))
    }


_SEVERAL_GROUPS = re.compile(
    r"\b(?:two|three|four|five|2|3|4|5) (?:\w+ )?(?:doses|groups|arms|cohorts)\b|"
    r"\bdose[- ](?:groups?|cohorts?)\b|\beach (?:group|cohort|arm)\b",
    re.I,
)
"""Words that a study had more than one treated group (no single-group allocation then)."""


def _details(d: _Doc, design: str, cell: Mention | None) -> dict[str, Any]:
    """The report's optional fields: phase, blinding, control, ages, follow-up, targets."""
    details: dict[str, Any] = {}
    phases = _phases(d)
    if phases and design not in _PRECLINICAL:
        details["phase"] = d.term(phases[0])
    blinded = [h for h in d.cues("blinding") if h.value != "open"]
    if blinded:  # "double-blind" wins over an "open-label extension" said earlier
        h = blinded[0]
        details["blinding"] = {"value": h.value, **d.ev(h.start, h.end, "blinding-cue")}
    for key in ("blinding", "control", "allocation", "model"):
        if key in details:
            continue
        value = _first_cue(d, key, f"{key}-cue")
        if value:
            details[key] = value
    control = details.get("control")
    if (
        control
        and control["value"] == "none"
        and "allocation" not in details
        and not d.search(_SEVERAL_GROUPS)
    ):
        # "there was no control group": one treated group, so allocation single group
        details["allocation"] = {
            **control,
            "value": "single_group",
            "method": "inferred-no-control",
        }
    ages = _age_range(d)
    if ages:
        details["age_range"] = ages
    follow = _follow_up(d)
    if follow:
        details["follow_up"] = follow
    targets = _target_cells(d, cell) if design == Design.IN_VITRO.value else []
    if targets:
        details["target_cells"] = targets
    return details


def _report(doc: Document, d: _Doc, ref: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The study report of a document (or of one study's region of it), or None when it
    reports no study."""
    condition = _most_frequent(d.terms(Kind.CONDITION))
    cell, tissue = _therapy_cell(d)
    if d.parent is not None:  # a study of a roundup may name its cells or disease only above
        if cell is None:
            cell, tissue = _therapy_cell(d.parent)
        if condition is None:
            condition = _most_frequent(d.parent.terms(Kind.CONDITION))
    generic = cell is None or cell.entry.id in _GENERIC_CELLS
    given_tissue = next((m for m in d.terms(Kind.TISSUE) if m.entry.id in _GIVEN_TISSUES), None)
    if generic and tissue is None and given_tissue is not None:
        cell, tissue = None, given_tissue  # "an infusion of their own cord blood": a tissue given
    people = _people(d)
    humans = [c for c in people if c.noun not in _ANIMAL_NOUNS]
    species = _species(d, humans)
    design = _design_or_default(d, species, humans)
    if design is None or _is_review(d):
        return None
    therapy = _therapy(d, cell, tissue)
    group_arms = (
        []
        if design["value"] == Design.IN_VITRO.value
        else _table_arms(d, therapy) or _group_arms(d, people, therapy)
    )
    participants = _participants(d, people, group_arms)
    arms = group_arms or _arms(d, design["value"], therapy, participants)
    if arms and all(a.get("comparator") for a in arms):  # the cells' own arm went unsaid
        arms = _arms(d, design["value"], therapy, {}) + arms
    outcomes = _outcomes(d, arms)
    given = cell or (tissue if tissue is not None and tissue.entry.id in _GIVEN_TISSUES else None)
    if not _reports_a_study(d, doc, given, people or species or _inferred(d, design), outcomes):
        return None
    details = _details(d, design["value"], cell)
    report: dict[str, Any] = {
        "study": ref if ref is not None else _study_ref(doc, doc.title),
        "design": _axes(
            design,
            details.pop("blinding", None),
            details.pop("control", None),
            details.pop("allocation", None),
            details.pop("model", None),
        ),
    }
    if condition is not None:
        report["conditions"] = [d.term(m) for m in _conditions(d, condition)]
    else:
        report["not_stated"] = ["conditions"]
    if species:
        report["species"] = species
    if participants:
        report["participants"] = participants
    report.update(details)
    report["arms"] = [_unstated(arm, design["value"]) for arm in arms]
    report["outcomes"] = _distinct(outcomes)
    return report


def _axes(
    design: dict[str, Any],
    blinding: dict[str, Any] | None,
    control: dict[str, Any] | None,
    allocation: dict[str, Any] | None = None,
    model: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The design a cue gave, on the model's axes, each with the evidence that states it; an
    axis a cue of its own states ("single-arm", "crossover") is added where the design left it."""
    evidence = {k: v for k, v in design.items() if k != "value"}
    stated = V1_DESIGN[design["value"]]
    if design.get("method") == "default-uncontrolled":  # no cue said so: the study type only
        stated = {"study_type": stated["study_type"]}
    axes: dict[str, Any] = {k: {"value": v, **evidence} for k, v in stated.items()}
    preclinical = design["value"] in _PRECLINICAL
    if blinding is not None:
        axes["masking"] = {**blinding, "value": _MASKING[blinding["value"]]}
    if control is not None:
        axes["control"] = control
    if allocation is not None and "allocation" not in axes and not preclinical:
        axes["allocation"] = allocation
    if model is not None and not preclinical:
        axes["intervention_model"] = model
    return axes


def _unstated(arm: dict[str, Any], design: str) -> dict[str, Any]:
    """An arm says which of the values the shapes expect its text does not state."""
    if arm.get("comparator"):
        return arm
    therapy = arm.setdefault("therapy", {})
    wanted = ("cell_type", "exposure") if design == Design.IN_VITRO.value else ("cell_type",)
    missing = [f for f in wanted if not therapy.get(f)]
    if design != Design.IN_VITRO.value and not therapy.get("routes"):
        missing.append("routes")
    if missing:
        therapy["not_stated"] = missing
    return arm


def _distinct(outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One outcome per measure, arms, timepoint and figures (the model's identity of an
    outcome). Two findings on one such outcome that go different ways (the text compares
    groups the extractor cannot tell apart) are both kept, the later one keyed by its
    direction; a repeated finding is kept once."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for o in outcomes:
        value = o.get("value", {})
        key: tuple[Any, ...] = (
            o["measure"].get("id") or o["measure"]["label"].casefold(),
            tuple(sorted(o.get("arms", []))),
            o.get("timepoint", {}).get("value"),
            *(value.get(k) for k in ("numerator", "denominator", "percent")),
        )
        if key in seen and "direction" in o:
            direction = o["direction"]["value"]
            if seen[key].get("direction", {}).get("value") != direction:
                o = {**o, "key": direction}
                key = (*key, direction)
        seen.setdefault(key, o)
    return list(seen.values())


def explain(doc: Document, res: Resources) -> str:
    """Why a document gives no study, in one line: what was found and what was missing."""
    d = _analyse(doc, res)
    condition = _most_frequent(d.terms(Kind.CONDITION))
    cell, _ = _therapy_cell(d)
    people = _people(d)
    found: list[str] = []
    missing: list[str] = []
    humans = [c for c in people if c.noun not in _ANIMAL_NOUNS]
    design = _design_or_default(d, _species(d, humans), humans)
    for what, value in (
        ("a design", design["value"].replace("_", " ") if design else None),
        ("a condition", condition.entry.label if condition else None),
        ("the cells given", cell.entry.label if cell else None),
        ("participants, animals or cells studied", f"{len(people)} counts" if people else None),
        ("a result", "a direction" if d.cues("direction") else None),
        ("study words (trial, study, patients ...)", "yes" if d.search(_STUDYLIKE) else None),
    ):
        (found if value else missing).append(f"{what}: {value}" if value else what)
    review = " It presents itself as a review or meta-analysis." if _is_review(d) else ""
    shown = "; ".join(found) or "nothing"
    lacks = "; ".join(missing) or "nothing (the parts did not make a study together)"
    return f"found {shown}. Missing: {lacks}.{review}"
