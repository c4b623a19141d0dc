"""The ontology-scale term index: every live term of the shipped tables (``ontology/tables/``).

MONDO diseases, CL cell types, UBERON anatomy and EFO measurements, with labels, synonyms,
abbreviations and direct parents, as ``scripts/build_term_tables.py`` extracted them from
pinned releases. The curated lexicon (``ontology/lexicon.tsv``) stays the layer of overrides
in front of it. Reading the gzipped tables takes seconds, so the parsed index is kept in a
cache file (``$XDG_CACHE_HOME/stemkg``, else ``~/.cache/stemkg``, else a temporary folder)
named by the tables' hash and the Python version; a missing or stale cache is rebuilt.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import marshal
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from stemkg.lexicon import Kind, normalise
from stemkg.resources import ontology_file

__all__ = ["TABLES", "TableTerm", "TermIndex", "extension", "load_term_index"]

TABLES = {"mondo": Kind.CONDITION, "cl": Kind.CELL_TYPE, "uberon": Kind.TISSUE, "efo": Kind.MEASURE}
"""Each table and the kind of term it holds."""


@dataclass(frozen=True, slots=True)
class TableTerm:
    """One term of the tables: CURIE, kind, label and direct parents."""

    id: str
    kind: Kind
    label: str
    parents: tuple[str, ...]


_Terms = dict[str, tuple[str, str, tuple[str, ...]]]
_Names = dict[str, tuple[str, ...]]


class TermIndex:
    """Terms by CURIE, by normalised name and by abbreviation (case-sensitive)."""

    def __init__(self, terms: _Terms, names: _Names, abbreviations: _Names) -> None:
        self._terms = terms
        self._names = names
        self._abbreviations = abbreviations
        self._ancestors: dict[str, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self._terms)

    def get(self, curie: str) -> TableTerm | None:
        """The term with this CURIE, if a table holds it."""
        found = self._terms.get(curie)
        if found is None:
            return None
        kind, label, parents = found
        return TableTerm(curie, Kind(kind), label, parents)

    def lookup(self, kind: Kind, name: str) -> tuple[TableTerm, ...]:
        """Terms of ``kind`` whose label or synonym is ``name`` (case and spacing ignored), or
        whose abbreviation is ``name`` exactly; several when the name is ambiguous."""
        ids = self._names.get(normalise(name), ()) or self._abbreviations.get(name.strip(), ())
        terms = (self.get(i) for i in ids)
        return tuple(t for t in terms if t is not None and t.kind is kind)

    def ancestors(self, curie: str) -> frozenset[str]:
        """Every ancestor of a term, through the tables' direct parents."""
        if curie not in self._ancestors:
            found: set[str] = set()
            todo = list(self._terms.get(curie, ("", "", ()))[2])
            while todo:
                parent = todo.pop()
                if parent not in found:
                    found.add(parent)
                    todo.extend(self._terms.get(parent, ("", "", ()))[2])
            self._ancestors[curie] = frozenset(found)
        return self._ancestors[curie]


def _table_paths() -> list[Path]:
    return [ontology_file("tables") / f"{name}.tsv.gz" for name in TABLES]


def _parse() -> tuple[_Terms, _Names, _Names]:
    terms: _Terms = {}
    names: dict[str, list[str]] = {}
    abbreviations: dict[str, list[str]] = {}
    for path, kind in zip(_table_paths(), TABLES.values(), strict=True):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(("#", "id\t")):
                    continue
                curie, label, synonyms, abbrevs, parents = line.rstrip("\n").split("\t")
                terms[curie] = (kind.value, label, tuple(parents.split("|")) if parents else ())
                for name in (label, *(synonyms.split("|") if synonyms else ())):
                    names.setdefault(normalise(name), []).append(curie)
                for abbreviation in abbrevs.split("|") if abbrevs else ():
                    abbreviations.setdefault(abbreviation, []).append(curie)
    return (
        terms,
        {k: tuple(dict.fromkeys(v)) for k, v in names.items()},
        {k: tuple(dict.fromkeys(v)) for k, v in abbreviations.items()},
    )


def _cache_file() -> Path:
    digest = hashlib.sha256()
    for path in _table_paths():
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stemkg" / f"terms-{digest.hexdigest()[:16]}.marshal"


def _write_cache(path: Path, data: tuple[_Terms, _Names, _Names]) -> None:
    """Write the parsed index next to where it will be read, atomically; a cache that cannot
    be written (a read-only home) only costs the next start the parse again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(marshal.dumps(data))
        os.replace(handle.name, path)
    except OSError:
        return


@cache
def load_term_index() -> TermIndex:
    """The term index of the shipped tables (read once per process, from the cache file when
    it is current)."""
    path = _cache_file()
    gc.disable()  # building 200,000 small objects: the collector would only slow it down
    try:
        try:
            data = marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            data = _parse()
            _write_cache(path, data)
    finally:
        gc.enable()
    terms, names, abbreviations = data
    return TermIndex(terms, names, abbreviations)


def extension(
    curies: set[str], known: frozenset[str], index: TermIndex
) -> list[tuple[str, str, str]]:
    """What the build's ontology graph needs for terms the shipped extracts lack: each term's
    label and its subclass chain up to a term the extracts hold (or the root), as
    (term, "label" | "parent", value) rows. ``known`` holds the CURIEs already labelled."""
    rows: list[tuple[str, str, str]] = []
    todo = sorted(c for c in curies if c not in known)
    seen = set(todo)
    while todo:
        curie = todo.pop()
        term = index.get(curie)
        if term is None:
            continue
        rows.append((curie, "label", term.label))
        for parent in term.parents:
            rows.append((curie, "parent", parent))
            if parent not in known and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return sorted(rows)
