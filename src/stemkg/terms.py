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
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from stemkg.lexicon import Kind, normalise
from stemkg.resources import ontology_file

__all__ = [
    "TABLES",
    "TableTerm",
    "TermIndex",
    "extension",
    "load_mesh_map",
    "load_term_index",
    "token_key",
]

_FORMAT = "6"
"""Bumped when the cache's layout changes."""
_TOKEN = re.compile(r"[^\W_]+")
_GENERIC = frozenset(
    {
        "disease",
        "diseases",
        "disorder",
        "disorders",
        "syndrome",
        "condition",
        "conditions",
        "injury",
        "injuries",
        "cancer",
        "cancers",
        "tumor",
        "tumour",
        "tumors",
        "neoplasm",
        "infection",
        "lesion",
        "lesions",
        "cell",
        "cells",
        "tissue",
        "organ",
        "body",
        "measurement",
        "death",
        "age",
        "weight",
        "response",
        "level",
        "levels",
        "rate",
        "time",
        "trial",
        "test",
        "quality",
        "function",
        "process",
        "system",
        "structure",
        "stage",
        "grade",
        "mass",
        "size",
        "volume",
        "length",
        "area",
        "unit",
        "count",
        "score",
        "scale",
        "index",
        "pain",
        "fever",
        "fatigue",
        "can",
        "may",
        "is",
        "in",
        "as",
        "the",
        "and",
        "or",
        "of",
    }
)
"""Single words that name a table term but say nothing specific in running text."""
_ROOTS = frozenset(
    {
        "MONDO:0000001",
        "MONDO:0021178",
        "CL:0000000",
        "CL:0000003",
        "EFO:0001444",
        "UBERON:0000061",
        "UBERON:0001062",
        "UBERON:0000465",
        "UBERON:0000468",
    }
)


_KINDS = {k.value: k for k in Kind}


_BRITISH = (
    (re.compile(r"^(an|le[uo]k|isch|sept|hyp|hyperglyc|hypoglyc|bacter|tox|ur)aem"), r"\1em"),
    (re.compile(r"^haem"), "hem"),
    (re.compile(r"^oe(?=dem|soph|str)"), "e"),
    (re.compile(r"^foet"), "fet"),
    (re.compile(r"^paed"), "ped"),
    (re.compile(r"^coeli"), "celi"),
    (re.compile(r"^faec"), "fec"),
    (re.compile(r"our(s?)$"), r"or\1"),
    (re.compile(r"isation(s?)$"), r"ization\1"),
)
"""British spellings a name or a text may use, and the American form tables mostly hold."""
_NOT_OUR = frozenset({"four", "hour", "hours", "your", "our", "ours", "pour", "tour", "flour"})


@lru_cache(maxsize=65_536)
def american(word: str) -> str:
    """A lower-case word in American spelling ("haematopoietic" gives "hematopoietic");
    cached, since the matcher asks for every token of every text."""
    if word in _NOT_OUR:
        return word
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return word


def token_key(text: str) -> str:
    """A name as the matcher compares it: lower-case words in American spelling, one space
    apart ("Alzheimer's disease" and "alzheimer’s  disease" give "alzheimer s disease")."""
    return " ".join(american(w) for w in _TOKEN.findall(text.casefold()))


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

    def __init__(
        self,
        terms: _Terms,
        names: _Names,
        abbreviations: _Names,
        keys: _Names,
        prefixes: frozenset[str] | None = None,
    ) -> None:
        self._terms = terms
        self._names = names
        self._abbreviations = abbreviations
        self._keys = keys
        self._prefixes = _prefixes(keys) if prefixes is None else prefixes
        self._ancestors: dict[str, frozenset[str]] = {}

    def matches(self, text: str) -> Iterator[tuple[int, int, tuple[TableTerm, ...]]]:
        """Every name of a table term in ``text`` as (start, end, terms), the longest at each
        start; plural forms and any case or spacing match, single generic words do not."""
        tokens = [
            (m.start(), m.end(), american(m.group().casefold())) for m in _TOKEN.finditer(text)
        ]
        prefixes, keys = self._prefixes, self._keys
        for i, (start, _, word) in enumerate(tokens):
            key, best = word, None
            j = i
            while key in prefixes:
                if key in keys:
                    best = (j, key)
                j += 1
                if j == len(tokens):
                    break
                key = f"{key} {tokens[j][2]}"
            if best is not None:
                found = tuple(t for t in (self.get(c) for c in keys[best[1]]) if t is not None)
                yield start, tokens[best[0]][1], found

    def __len__(self) -> int:
        return len(self._terms)

    def get(self, curie: str) -> TableTerm | None:
        """The term with this CURIE, if a table holds it."""
        found = self._terms.get(curie)
        if found is None:
            return None
        kind, label, parents = found
        return TableTerm(curie, _KINDS[kind], label, parents)

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


@cache
def load_mesh_map() -> dict[str, str]:
    """MeSH descriptor UI → the MONDO disease MONDO maps it to exactly (``mesh-mondo.tsv.gz``,
    built by ``scripts/build_mesh_map.py``); a descriptor mapped to two diseases is left out."""
    found: dict[str, set[str]] = {}
    with gzip.open(ontology_file("tables") / "mesh-mondo.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith(("#", "mesh\t")):
                continue
            mesh, _, mondo = line.rstrip("\n").partition("\t")
            found.setdefault(mesh, set()).add(mondo)
    return {mesh: next(iter(ids)) for mesh, ids in found.items() if len(ids) == 1}


def _table_paths() -> list[Path]:
    return [ontology_file("tables") / f"{name}.tsv.gz" for name in TABLES]


def _prefixes(keys: _Names) -> frozenset[str]:
    """Every word-level prefix of every key (the keys themselves included)."""
    found: set[str] = set()
    for key in keys:
        words = key.split(" ")
        for n in range(1, len(words) + 1):
            found.add(" ".join(words[:n]))
    return frozenset(found)


def _keys_of(name: str, kind: Kind) -> Iterator[str]:
    """The matcher's keys for a name: its token key and its plural. A single word names a
    measure too loosely ("dose", "weight") to match in running text, and a single word of
    fewer than five letters is too often an ordinary one ("dish", "mad")."""
    key = token_key(name)
    single = " " not in key
    if not key or (single and (key in _GENERIC or len(key) < 5 or kind is Kind.MEASURE)):
        return
    yield key
    if key.endswith("y") and not key.endswith(("ay", "ey", "oy")):
        yield key[:-1] + "ies"
    elif not key.endswith("s"):
        yield key + "s"


_Data = tuple[_Terms, _Names, _Names, _Names, frozenset[str]]


def _parse() -> _Data:
    terms: _Terms = {}
    names: dict[str, list[str]] = {}
    abbreviations: dict[str, list[str]] = {}
    keys: dict[str, list[str]] = {}
    for path, kind in zip(_table_paths(), TABLES.values(), strict=True):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(("#", "id\t")):
                    continue
                curie, label, synonyms, abbrevs, parents = line.rstrip("\n").split("\t")
                terms[curie] = (kind.value, label, tuple(parents.split("|")) if parents else ())
                for name in (label, *(synonyms.split("|") if synonyms else ())):
                    names.setdefault(normalise(name), []).append(curie)
                    if curie not in _ROOTS:
                        for key in _keys_of(name, kind):
                            keys.setdefault(key, []).append(curie)
                for abbreviation in abbrevs.split("|") if abbrevs else ():
                    abbreviations.setdefault(abbreviation, []).append(curie)
    key_ids = {k: tuple(dict.fromkeys(v)) for k, v in keys.items()}
    return (
        terms,
        {k: tuple(dict.fromkeys(v)) for k, v in names.items()},
        {k: tuple(dict.fromkeys(v)) for k, v in abbreviations.items()},
        key_ids,
        _prefixes(key_ids),
    )


def _cache_file() -> Path:
    digest = hashlib.sha256()
    for path in _table_paths():
        digest.update(path.read_bytes())
    digest.update(sys.version.encode() + _FORMAT.encode())
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stemkg" / f"terms-{digest.hexdigest()[:16]}.marshal"


def _write_cache(path: Path, data: _Data) -> None:
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
    terms, names, abbreviations, keys, prefixes = data
    return TermIndex(terms, names, abbreviations, keys, prefixes)


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
