"""Grounding: find lexicon terms in text, with plurals, hyphenation, abbreviations the text
defines ("mesenchymal stem cells (MSCs)") and indirect cues ("via lumbar puncture")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import ahocorasick

from stemkg.lexicon import Kind, LexEntry, Lexicon
from stemkg.terms import TableTerm, TermIndex

__all__ = ["Cue", "Grounder", "Mention", "defined_abbreviations", "fold", "long_form"]

_WORD = re.compile(r"\w", re.UNICODE)
_ABBREV = re.compile(r"\(([A-Za-z][A-Za-z0-9\-]{1,9}s?)\)")


def fold(text: str) -> str:
    """Lower-cased text with hyphens and curly quotes as plain characters, same length."""
    out = text.lower()
    if len(out) != len(text):  # a character whose lower case is longer (rare): keep it
        out = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return out.replace("-", " ").replace("\u2019", "'").replace("\u2010", " ")


@dataclass(frozen=True, slots=True)
class Mention:
    """A term found in the text: which, where, and how it was found."""

    entry: LexEntry
    start: int
    end: int
    method: str

    @property
    def kind(self) -> Kind:
        return self.entry.kind


@dataclass(frozen=True, slots=True)
class Cue:
    """An indirect way of saying something (a regular expression and what it means)."""

    kind: str
    pattern: re.Pattern[str]
    value: str
    needs: frozenset[str] | None = None
    """Words one of which every match contains (``prefilter.needs``): absent, it is not run."""


_AMERICAN = (
    (re.compile(r"\b(an|le[uo]k|isch|sept)em"), r"\1aem"),
    (re.compile(r"\bhem(?=at|or|oglob|olys|ophil|odial)"), "haem"),
    (re.compile(r"\bede(?=ma)"), "oede"),
    (re.compile(r"\besoph"), "oesoph"),
    (re.compile(r"\bfet(?=al|us)"), "foet"),
    (re.compile(r"\bped(?=iatric)"), "paed"),
    (re.compile(r"\btumor"), "tumour"),
)
"""American spellings and their British forms, so a curated name matches either."""


def _variants(name: str) -> set[str]:
    base = " ".join(fold(name).split())
    british = base
    for pattern, replacement in _AMERICAN:
        british = pattern.sub(replacement, british)
    forms = {base, british}
    for form in (base, british):
        if form.endswith("y") and not form.endswith(("ay", "ey", "oy")):
            forms.add(form[:-1] + "ies")
        elif not form.endswith("s"):
            forms.add(form + "s")
    return forms


_SOURCES = re.compile(
    r"^(bone marrow|marrow|adipose tissue|adipose|fat|umbilical cord blood|umbilical cord|"
    r"cord blood|cord|placenta|placental|amniotic fluid|amnion|dental pulp|peripheral blood|"
    r"menstrual blood|skin|muscle|wharton's jelly|synovial|synovium|bone|blood) (?=\w)"
)


def _derived(name: str) -> list[str]:
    """A cell name with its source said the way papers add "-derived": "bone marrow stromal
    cells" is also "bone marrow-derived stromal cells" and "bone marrow derived ...";
    "adipose stem cells", "adipose-derived stem cells"."""
    m = _SOURCES.match(fold(name))
    if m is None:
        return []
    source, rest = m.group(1), fold(name)[m.end() :]
    return [f"{source}-derived {rest}", f"{source} derived {rest}"]


_COMMON_WORDS = {"ALL", "CAN", "AND", "NOT", "FOR", "OR", "IN", "ON", "AT", "AS", "IT", "IS"}


def _trusted(abbr: str) -> bool:
    """Very short abbreviations and ones spelled like words count only where the text
    defines them ("multiple sclerosis (MS)")."""
    return len(abbr.rstrip("s")) > 2 and abbr.upper() not in _COMMON_WORDS


def _bounded(text: str, start: int, end: int) -> bool:
    before = start == 0 or not _WORD.match(text[start - 1])
    after = end >= len(text) or not _WORD.match(text[end])
    return before and after


_KIND_ORDER = (Kind.CONDITION, Kind.CELL_TYPE, Kind.MEASURE, Kind.TISSUE)
"""Which reading a name of several table terms gets (the curated lexicon decides first)."""


def _pick(terms: tuple[TableTerm, ...]) -> TableTerm | None:
    ordered = sorted(terms, key=lambda t: (_KIND_ORDER.index(t.kind), t.id))
    return ordered[0] if ordered else None


class Grounder:
    """Leftmost-longest matching of every lexicon name over a text (Aho-Corasick), and of
    every name of the ontology tables behind it (a curated name wins where both match)."""

    def __init__(self, lexicon: Lexicon, tables: TermIndex | None = None) -> None:
        self.lexicon = lexicon
        self.tables = tables
        self._names = ahocorasick.Automaton()
        self._abbrevs = ahocorasick.Automaton()
        for entry in lexicon:
            names = (entry.label, *entry.synonyms)
            if entry.kind is Kind.CELL_TYPE:
                names = (*names, *(d for n in names for d in _derived(n)))
            for name in names:
                for form in _variants(name):
                    if len(form) > 2:
                        self._names.add_word(form, (form, entry))
            for abbr in entry.abbreviations:
                if _trusted(abbr):
                    self._abbrevs.add_word(abbr, (abbr, entry))
        self._names.make_automaton()
        self._abbrevs.make_automaton()

    def _scan(self, automaton: ahocorasick.Automaton, text: str, method: str) -> Iterable[Mention]:
        for end, (word, entry) in automaton.iter(text):
            start = end - len(word) + 1
            if _bounded(text, start, end + 1):
                yield Mention(entry, start, end + 1, method)

    def _abbreviated_inside(self, text: str) -> list[Mention]:
        """Cell types named around a bracketed abbreviation, by the longest run of the words
        before it that names one with "cells"."""
        found = []
        for m in _INSIDE.finditer(text):  # the bracket first: a scan that seldom matches
            lo = max(0, m.start() - 80)
            cut = max(text.rfind(c, lo, m.start()) for c in ".,;:()")
            lo = cut + 1 if cut >= 0 else lo  # the words of this clause only
            words = list(re.finditer(r"[A-Za-z][\w-]*", text[lo : m.start()]))[-5:]
            for k in range(len(words), 0, -1):
                name = " ".join(w.group() for w in words[-k:]) + " " + m.group(1)
                try:
                    entry = self.lexicon.resolve(Kind.CELL_TYPE, name)
                except ValueError:
                    continue
                found.append(Mention(entry, lo + words[-k].start(), m.end(), "lexicon-match"))
                break
        return found

    def find(self, text: str, extra: dict[str, LexEntry] | None = None) -> list[Mention]:
        """Every term mention, longest first where they overlap, in text order; an
        abbreviation the text defines wins over the lexicon's reading of it."""
        found = []
        for abbr, entry in (extra or {}).items():
            for m in re.finditer(rf"(?<!\w){re.escape(abbr)}s?(?!\w)", text):
                found.append(Mention(entry, m.start(), m.end(), "defined-abbreviation"))
        found += self._scan(self._names, fold(text), "lexicon-match")
        found += self._abbreviated_inside(text)
        if self._abbrevs.kind != ahocorasick.EMPTY:
            found += self._scan(self._abbrevs, text, "lexicon-abbreviation")
        curated = _longest(found)
        if self.tables is None:
            return curated
        table = []
        for start, end, terms in self.tables.matches(text):
            term = _pick(terms)
            if term is not None and "\n\n" not in text[start:end]:  # not across paragraphs
                entry = self.lexicon.get(term.id) or LexEntry(term.id, term.kind, term.label)
                table.append(Mention(entry, start, end, "table-match"))
        return _longest(curated + table, prefer=len(curated))


_INSIDE = re.compile(r"\s\([A-Za-z0-9-]{2,8}\)\s+(cells?)\b")
"""A cell type whose abbreviation the text puts inside its name: "retinal pigment epithelium
(RPE) cells"."""


def _longest(mentions: list[Mention], prefer: int = 0) -> list[Mention]:
    """Keep the longest mention wherever mentions overlap (linear in the text covered); of
    two equally long, one of the first ``prefer`` mentions wins."""
    if not mentions:
        return []
    taken = bytearray(max(m.end for m in mentions) + 1)
    chosen: list[Mention] = []
    ranked = sorted(
        enumerate(mentions),
        key=lambda im: (-(im[1].end - im[1].start), im[0] >= prefer, im[1].start),
    )
    for _, m in ranked:
        if not any(taken[m.start : m.end]):
            chosen.append(m)
            taken[m.start : m.end] = b"\x01" * (m.end - m.start)
    return sorted(chosen, key=lambda m: m.start)


def _initials_fit(short: str, long: str) -> bool:
    """Schwartz & Hearst (2003): the short form's letters occur in order in the long form,
    the first one at the start of a word."""
    s, l_ = short.lower().rstrip("s"), long.lower()
    i, j = len(s) - 1, len(l_) - 1
    while i >= 0:
        c = s[i]
        if not c.isalnum():
            i -= 1
            continue
        while j >= 0 and (l_[j] != c or (i == 0 and j > 0 and l_[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return False
        i -= 1
        j -= 1
    return True


def long_form(text: str, short: str) -> str | None:
    """The words a text defines an abbreviation by, where no term is named ("rheumatoid
    factor (RF)"): Schwartz & Hearst's shortest window of words before the bracket, of at
    most min(|short| + 5, 2 |short|) words, that starts with the short form's first letter
    and holds its letters in order."""
    m = re.search(rf"([^()]{{1,160}})\(\s*{re.escape(short)}s?\s*[),;]", text)
    if m is None:
        return None
    words = m.group(1).split()
    for k in range(1, min(len(words), len(short) + 5, 2 * len(short)) + 1):
        candidate = " ".join(words[-k:]).strip(",;:")
        if candidate[:1].casefold() == short[:1].casefold() and _initials_fit(short, candidate):
            return candidate
    return None


def defined_abbreviations(text: str, grounder: Grounder) -> dict[str, LexEntry]:
    """Abbreviations the text defines after a term it names: ``... stem cells (MSCs)``."""
    defined: dict[str, LexEntry] = {}
    for m in _ABBREV.finditer(text):
        short = m.group(1)
        window = text[max(0, m.start() - 120) : m.start()]
        terms = [t for t in grounder.find(window) if t.end >= len(window.rstrip()) - 1]
        if terms and _initials_fit(short, window[terms[-1].start :]):
            key = short[:-1] if short.endswith("s") and len(short) > 2 else short
            defined.setdefault(key, terms[-1].entry)
    return defined


@cache
def grounder_for(lexicon: Lexicon, tables: TermIndex | None = None) -> Grounder:
    """One automaton per lexicon (building it takes ~50 ms)."""
    return Grounder(lexicon, tables)
