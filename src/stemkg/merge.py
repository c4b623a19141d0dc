"""Merge our build with other RDF graphs into one TriG file, identifiers normalised.

Each input keeps its own named graph, named after its content hash so that merging the same
bytes twice (or the merged output with an input again) changes nothing. Identifiers in the
forms integrators meet (identifiers.org, bioregistry.io, CURIE literals, local IRIs declared
``owl:sameAs`` a standard one) are rewritten to the IRIs stemkg mints. Conflicting study values
are reported, never overwritten: both values stay, each in its input's graph.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import curies
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
)

from stemkg import ids
from stemkg.errors import InputError
from stemkg.store import sorted_quads, write_trig
from stemkg.vocab import DCTERMS, ID, PROV, SKOS, VOCAB

__all__ = ["STUDY_PROPERTIES", "Conflict", "MergeResult", "merge", "normaliser"]

FORMATS = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".trig": RdfFormat.TRIG,
    ".nq": RdfFormat.N_QUADS,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
}
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
#: Predicates whose literal object, when it is a CURIE with a known prefix, is an identifier.
IDENTIFIER_PREDICATES = frozenset(
    [OWL_SAME_AS] + [SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")]
)
#: Links that make a local IRI an alias of a standard one.
ALIAS_PREDICATES = frozenset([OWL_SAME_AS, SKOS + "exactMatch"])
#: The study properties compared across inputs (as in queries/source-disagreements.rq).
STUDY_PROPERTIES = tuple(
    VOCAB + name
    for name in (
        "enrolled",
        "treated",
        "studyType",
        "allocation",
        "masking",
        "phase",
        "followUp",
        "trialStatus",
    )
)
MERGE_GRAPH = ID + "graph/merge"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_INT = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.]*):([A-Za-z0-9_.\-]+)$")


@dataclass(frozen=True)
class Conflict:
    """One value of a study property that another input gives differently."""

    study: str
    property: str
    value: str
    input: str


@dataclass
class MergeResult:
    """What a merge read and wrote."""

    out: Path
    triples_in: int = 0
    quads_out: int = 0
    inputs: list[str] = field(default_factory=list)
    rewritten: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    provenance: int = 0

    @property
    def duplicates(self) -> int:
        """Quads read that collapsed onto one already stored."""
        return max(self.triples_in + self.provenance - self.quads_out, 0)


@cache
def normaliser() -> curies.Converter:
    """Our prefixes, with the identifiers.org and bioregistry.io URI forms as synonyms."""
    records = []
    for record in ids.converter().records:
        p = record.prefix
        synonyms = [
            f"{scheme}://{host}/{path}{prefix}:"
            for scheme in ("http", "https")
            for host in ("identifiers.org", "bioregistry.io")
            for path in ("", f"{p.lower()}/")
            for prefix in {p, p.lower()}
        ]
        records.append(
            curies.Record(
                prefix=p,
                uri_prefix=record.uri_prefix,
                prefix_synonyms=sorted({p.lower(), p.upper()} - {p}),
                uri_prefix_synonyms=sorted(set(synonyms) - {record.uri_prefix}),
            )
        )
    return curies.Converter(records)


def _standard_iri(iri: str) -> str:
    return normaliser().standardize_uri(iri, passthrough=True) or iri


def _is_standard(iri: str) -> bool:
    return iri.startswith(ID) or normaliser().compress(iri) is not None


def _curie_iri(text: str) -> str | None:
    if not _CURIE.match(text):
        return None
    return normaliser().expand(text)


def _format(path: Path) -> RdfFormat:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, f"unknown suffix {path.suffix!r} (use {', '.join(sorted(FORMATS))})")
    return fmt


def _read(path: Path) -> Iterator[Quad]:
    """Every quad of ``path``; a parse error becomes a one-line ``InputError``."""
    fmt = _format(path)
    try:
        yield from parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except (SyntaxError, ValueError) as exc:
        message = " ".join(str(exc).split())
        raise InputError(path, f"not valid {fmt.name}: {message}") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None


def _aliases(paths: Iterable[Path]) -> dict[str, str]:
    """Local IRI → standard IRI from ``owl:sameAs`` / ``skos:exactMatch`` links."""
    aliases: dict[str, str] = {}
    for path in paths:
        for quad in _read(path):
            if quad.predicate.value not in ALIAS_PREDICATES:
                continue
            a, b = quad.subject, quad.object
            if isinstance(b, Literal):
                iri = _curie_iri(b.value)
                b = NamedNode(iri) if iri else b
            if not (isinstance(a, NamedNode) and isinstance(b, NamedNode)):
                continue
            sa, sb = _standard_iri(a.value), _standard_iri(b.value)
            if _is_standard(sa) and not _is_standard(sb):
                sa, sb = sb, sa
            if _is_standard(sb) and not _is_standard(sa):
                aliases.setdefault(sa, sb)
    return aliases


class _Rewriter:
    """Rewrites the terms of quads to canonical IRIs, counting what changed."""

    def __init__(self, aliases: dict[str, str]) -> None:
        self.aliases = aliases
        self.rewritten = 0

    def iri(self, node: NamedNode) -> NamedNode:
        standard = _standard_iri(node.value)
        standard = self.aliases.get(standard, standard)
        if standard == node.value:
            return node
        self.rewritten += 1
        return NamedNode(standard)

    def term(self, node: NamedNode | BlankNode | Literal, predicate: str) -> object:
        if isinstance(node, NamedNode):
            return self.iri(node)
        if isinstance(node, Literal) and predicate in IDENTIFIER_PREDICATES:
            iri = _curie_iri(node.value)
            if iri:
                self.rewritten += 1
                return self.iri(NamedNode(iri))
        return node

    def quad(self, quad: Quad, graph: NamedNode) -> Quad:
        predicate = quad.predicate.value
        subject: object = quad.subject
        if (
            predicate in ALIAS_PREDICATES
            and isinstance(quad.subject, NamedNode)
            and _standard_iri(quad.subject.value) in self.aliases
        ):
            subject = NamedNode(_standard_iri(quad.subject.value))  # the link is the provenance
        else:
            subject = self.term(quad.subject, predicate)  # type: ignore[arg-type]
        obj = self.term(quad.object, predicate)  # type: ignore[arg-type]
        name = graph if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name
        return Quad(subject, quad.predicate, obj, name)  # type: ignore[arg-type]


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _provenance(graph: NamedNode, path: Path, sha: str, count: int, named: set[str]) -> list[Quad]:
    """The input's record: file name, content hash, triple count, the graphs it brought."""
    meta = NamedNode(MERGE_GRAPH)
    quads = [
        Quad(graph, NamedNode(RDF_TYPE), NamedNode(PROV + "Entity"), meta),
        Quad(graph, NamedNode(DCTERMS + "source"), Literal(path.name), meta),
        Quad(graph, NamedNode(DCTERMS + "identifier"), Literal(f"sha256:{sha}"), meta),
        Quad(graph, NamedNode(VOID_TRIPLES), Literal(str(count), datatype=_INT), meta),
    ]
    derived = NamedNode(PROV + "wasDerivedFrom")
    quads += [Quad(NamedNode(g), derived, graph, meta) for g in sorted(named - {graph.value})]
    return quads


def _is_merge_output(path: Path) -> bool:
    """A TriG file we wrote: its graphs carry their own provenance, so it adds no record."""
    if _format(path) is not RdfFormat.TRIG:
        return False
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    return f"<{MERGE_GRAPH}>".encode() in head


def _load(store: Store, path: Path, rewriter: _Rewriter, result: MergeResult) -> dict[str, str]:
    """Load one input; returns graph IRI → input name for the graphs it brought."""
    sha = _digest(path)
    graph = NamedNode(f"{ID}graph/merge/{sha}")
    graphs: dict[str, str] = {}
    count = 0
    batch: list[Quad] = []
    for quad in _read(path):
        count += 1
        new = rewriter.quad(quad, graph)
        graphs.setdefault(new.graph_name.value, path.name)  # type: ignore[union-attr]
        batch.append(new)
        if len(batch) >= 50_000:
            store.bulk_extend(batch)
            batch = []
    store.bulk_extend(batch)
    result.triples_in += count
    if not _is_merge_output(path):
        record = _provenance(graph, path, sha, count, set(graphs))
        store.bulk_extend(record)
        result.provenance += len(record)
        result.inputs.append(path.name)
    return graphs


_STUDY_VALUES = """
PREFIX stemkg: <https://w3id.org/stemkg/vocab/>
SELECT DISTINCT ?study ?p ?v ?g WHERE {
  GRAPH ?g { ?x ?p ?v }
  VALUES ?p { %s }
  OPTIONAL { ?x stemkg:aboutStudy ?s }
  BIND (COALESCE(?s, ?x) AS ?study)
}
"""


def _conflicts(store: Store, graph_inputs: dict[str, str]) -> list[Conflict]:
    """Study values that differ between inputs, every value of such a property listed."""
    query = _STUDY_VALUES % " ".join(f"<{p}>" for p in STUDY_PROPERTIES)
    values: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for row in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
        source = graph_inputs.get(row["g"].value, row["g"].value)
        values[(row["study"].value, row["p"].value)].add((row["v"].value, source))
    conflicts = []
    for (study, prop), rows in sorted(values.items()):
        if len({v for v, _ in rows}) > 1 and len({s for _, s in rows}) > 1:
            conflicts += [Conflict(study, prop, v, s) for v, s in sorted(rows)]
    return conflicts


def merge(paths: list[Path], out: Path, build: Path | None = None) -> MergeResult:
    """Merge the graphs in ``paths`` (and ``build``'s ``stemkg.trig``) into ``out`` as TriG."""
    inputs = list(paths)
    if build is not None:
        trig = build / "stemkg.trig"
        if not trig.is_file():
            raise InputError(build, "no build here (run `stemkg build` first)")
        inputs.insert(0, trig)
    for path in inputs:
        _format(path)
        if not path.is_file():
            raise InputError(path, "no such file")
    result = MergeResult(out=out)
    rewriter = _Rewriter(_aliases(inputs))
    graph_inputs: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="stemkg-merge-") as tmp:
        store = Store(tmp)
        for path in inputs:
            for g, name in _load(store, path, rewriter, result).items():
                graph_inputs.setdefault(g, name)
        result.rewritten = rewriter.rewritten
        result.conflicts = _conflicts(store, graph_inputs)
        quads = sorted_quads(store)
        result.quads_out = len(quads)
        write_trig(quads, out)
        del store
    return result
