"""The term lexicon: labels, synonyms and abbreviations of every term stemkg grounds to.

Pure data structure; ``vocab.load_lexicon`` reads it from ``ontology/lexicon.tsv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

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


class Lexicon:
    """Look terms up by CURIE or by any of their names within a kind."""

    def __init__(self, entries: Iterable[LexEntry]) -> None:
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

    def resolve(self, kind: Kind, text: str) -> LexEntry:
        """The term of ``kind`` that ``text`` names: a CURIE, label, synonym or abbreviation."""
        text = text.strip()
        entry = self._by_id.get(text) if _CURIE.match(text) else None
        if entry is None:
            key = normalise(text)
            entry = self._by_name.get((kind, key)) or self._any_name.get(key)
        if entry is None:
            what = "CURIE" if _CURIE.match(text) else "name"
            raise UnknownTermError(f"unknown {kind.value.replace('_', ' ')} {what} {text!r}")
        if entry.kind is not kind:
            raise UnknownTermError(
                f"{text!r} is a {entry.kind.value.replace('_', ' ')}, not a "
                f"{kind.value.replace('_', ' ')}"
            )
        return entry
