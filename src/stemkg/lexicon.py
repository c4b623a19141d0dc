"""The term lexicon: labels, synonyms and abbreviations of every term stemkg grounds to.

Pure data structure; ``vocab.load_lexicon`` reads it from ``ontology/lexicon.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["CURIE_FORM", "Kind", "LexEntry", "Lexicon", "UnknownTermError", "normalise"]

CURIE_FORM = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_.\-]+$")
"""What a CURIE looks like (prefix, colon, local id)."""
_CURIE = CURIE_FORM


class Kind(StrEnum):
    """The kinds of term the lexicon holds, one per field family of the model."""

    CELL_TYPE = "cell_type"
    TISSUE = "tissue"
    CONDITION = "condition"
    ROUTE = "route"
    PHASE = "phase"
    SPECIES = "species"
    MEASURE = "measure"


class UnknownTermError(ValueError):
    """A term written in a record is neither a lexicon CURIE nor a lexicon name of its kind."""


def normalise(text: str) -> str:
    """Case-folded, whitespace-collapsed form used to compare names."""
    return " ".join(text.replace("\u2019", "'").casefold().split())


@dataclass(frozen=True, slots=True)
class LexEntry:
    """One term: its CURIE, kind, preferred label and the other names writers use."""

    id: str
    kind: Kind
    label: str
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Every name of the term: label, synonyms, abbreviations."""
        return (self.label, *self.synonyms, *self.abbreviations)


class _Found(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def label(self) -> str: ...


class TermSource(Protocol):
    """What the lexicon asks of the ontology-scale term index behind it."""

    def get(self, curie: str) -> _Found | None: ...
    def lookup(self, kind: Kind, name: str) -> tuple[_Found, ...]: ...


class Lexicon:
    """Look terms up by CURIE or by any of their names within a kind.

    The curated entries come first; a name or CURIE they do not hold is looked up in the
    ``fallback`` term index (loaded on the first such miss), so a record may name any
    condition, cell type, tissue or measure of the shipped ontology tables. Iterating a
    lexicon gives the curated entries only.
    """

    def __init__(
        self, entries: Iterable[LexEntry], fallback: Callable[[], TermSource] | None = None
    ) -> None:
        self._fallback = fallback
        self._by_id: dict[str, LexEntry] = {}
        self._by_name: dict[tuple[Kind, str], LexEntry] = {}
        self._any_name: dict[str, LexEntry] = {}
        for entry in entries:
            if entry.id in self._by_id:
                raise ValueError(f"lexicon lists {entry.id} twice")
            self._by_id[entry.id] = entry
            for name in entry.names():
                self._by_name.setdefault((entry.kind, normalise(name)), entry)
                self._any_name.setdefault(normalise(name), entry)

    def __iter__(self) -> Iterator[LexEntry]:
        return iter(sorted(self._by_id.values(), key=lambda e: (e.kind, e.id)))

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, curie: str) -> LexEntry | None:
        """The entry with this CURIE, if the lexicon has it."""
        return self._by_id.get(curie)

    def of_kind(self, kind: Kind) -> list[LexEntry]:
        """Every entry of a kind, sorted by CURIE."""
        return [e for e in self if e.kind is kind]

    def _from_tables(self, kind: Kind, text: str) -> LexEntry | None:
        """A term of the ontology tables, by CURIE or by a name that names one term only."""
        if self._fallback is None:
            return None
        tables = self._fallback()
        if _CURIE.match(text):
            found = tables.get(text)
            return LexEntry(found.id, found.kind, found.label) if found else None
        matches = tables.lookup(kind, text)
        if len(matches) > 1:
            options = " or ".join(f"{m.id} ({m.label})" for m in matches[:4])
            raise UnknownTermError(
                f"ambiguous {kind.value.replace('_', ' ')} name {text!r}: {options}; "
                f"write the CURIE"
            )
        return LexEntry(matches[0].id, kind, matches[0].label) if matches else None

    def knows(self, kind: Kind, name: str) -> bool:
        """Whether ``resolve`` finds a term of this kind by this CURIE or name."""
        try:
            self.resolve(kind, name)
        except ValueError:
            return False
        return True

    def resolve(self, kind: Kind, text: str) -> LexEntry:
        """The term of ``kind`` that ``text`` names: a CURIE, label, synonym or abbreviation."""
        text = text.strip()
        entry = self._by_id.get(text) if _CURIE.match(text) else None
        if entry is None:
            key = normalise(text)
            entry = self._by_name.get((kind, key)) or self._any_name.get(key)
        if entry is None:
            entry = self._from_tables(kind, text)
        if entry is None:
            what = "CURIE" if _CURIE.match(text) else "name"
            raise UnknownTermError(f"unknown {kind.value.replace('_', ' ')} {what} {text!r}")
        if entry.kind is not kind:
            raise UnknownTermError(
                f"{text!r} is a {entry.kind.value.replace('_', ' ')}, not a "
                f"{kind.value.replace('_', ' ')}"
            )
        return entry
