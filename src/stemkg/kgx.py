"""KGX TSV export: the evidence network as Biolink-typed ``PREFIX_nodes.tsv``/``PREFIX_edges.tsv``.

The network is the same projection GraphML gets (``export.project``), so the two exports
agree node for node. Categories and predicates come from ``ontology/biolink-map.tsv``; our own
predicate stays in ``original_predicate``. Every edge says who asserted it (``agent_type``):
decided from the evidence behind the triple in its source's named graph (a curator, a
registry record read field by field, or text mining), because that is what a consumer of
Biolink data weighs. Ids are CURIEs a Biolink prefix map knows (CL, MONDO, PMID, ...), except
the ids stemkg mints, which get the one local prefix ``STEMKG`` (Biolink has none for them).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
from pyoxigraph import NamedNode, Store

from stemkg import ids
from stemkg.errors import InputError
from stemkg.export import _KINDS, DELIMITER, project
from stemkg.resources import ontology_file
from stemkg.store import atomic_write
from stemkg.vocab import ONTOLOGY_GRAPH, VOCAB

__all__ = [
    "EDGE_COLUMNS",
    "LOCAL_BASE",
    "LOCAL_PREFIX",
    "NODE_COLUMNS",
    "BiolinkMap",
    "KgxTables",
    "biolink_map",
    "kgx_paths",
    "tables",
    "write_kgx",
]

LOCAL_PREFIX = "STEMKG"
LOCAL_BASE = "https://w3id.org/stemkg/"  # holds both ID and VOCAB
MAP_FILE = "biolink-map.tsv"
NODE_COLUMNS = ("id", "category", "name", "iri", "xref")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "knowledge_level",
    "agent_type",
    "original_predicate",
    "publications",
)
_ROLES = ("class", "object", "predicate", "prefix")
_XREFS = (("nct", "CLINICALTRIALS"), ("pmid", "PMID"), ("doi", "doi"))
# How a value came into the graph (ValueEvidence ``method``) -> Biolink AgentTypeEnum.
# Anything not named here is one of the extractor's rules: text mining.
_AGENTS = {
    "curation": "manual_agent",
    "curator-correction": "manual_validation_of_automated_agent",
    "record": "automated_agent",
}
_TEXT_MINING = "text_mining_agent"
# When sources disagree on who asserted an edge, the most trusted agent is named.
_AGENT_RANK = (
    "manual_agent",
    "manual_validation_of_automated_agent",
    "automated_agent",
    _TEXT_MINING,
)
# An edge with no evidence of its own (armOf, aboutStudy, ...) is made by the mapping of the
# source: it is as trusted as the source's kind of record.
_KIND_AGENTS = {"kind-curated-record": "manual_agent", "kind-registry-record": "automated_agent"}


@dataclass(frozen=True)
class BiolinkMap:
    """The rows of ``biolink-map.tsv`` by role: our CURIE -> Biolink CURIE (or prefix)."""

    classes: dict[str, str]
    objects: dict[str, str]
    predicates: dict[str, str]
    prefixes: dict[str, str]
    fit: dict[tuple[str, str], str]


@cache
def biolink_map(path: Path | None = None) -> BiolinkMap:
    """Read the mapping table; a malformed row is an error naming the file and line."""
    path = path or ontology_file(MAP_FILE)
    rows: dict[str, dict[str, str]] = {role: {} for role in _ROLES}
    fit: dict[tuple[str, str], str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    body = [(n, line) for n, line in enumerate(lines, 1) if line and not line.startswith("#")]
    for n, line in body[1:]:  # the first is the header
        cells = line.split("\t")
        if len(cells) != 5 or cells[1] not in _ROLES or not cells[2]:
            raise InputError(path, f"line {n}: expected stemkg, role, biolink, fit, comment")
        rows[cells[1]][cells[0]] = cells[2]
        fit[(cells[1], cells[0])] = cells[3]
    return BiolinkMap(rows["class"], rows["object"], rows["predicate"], rows["prefix"], fit)


def _curie(iri: str, mapping: BiolinkMap) -> str:
    """A CURIE kgx accepts: our minted ids and local terms under STEMKG (kgx refuses ``/`` in a
    CURIE's reference, and our slugs never hold ``.``, so ``.`` stands for it: ``STEMKG:id.arm.x``,
    ``STEMKG:vocab.NIHSS``); other IRIs by the context's prefixes, in Biolink's spelling."""
    if iri.startswith(LOCAL_BASE):
        return f"{LOCAL_PREFIX}:{iri.removeprefix(LOCAL_BASE).replace('/', '.')}"
    curie = ids.compress(iri)
    prefix, sep, local = curie.partition(":")
    if not sep or "/" in local:
        raise InputError(iri, "has no CURIE in ontology/context.jsonld for a KGX id")
    return f"{mapping.prefixes.get(prefix, prefix)}:{local}"


def _split(value: object) -> list[str]:
    return [part for part in str(value).split(DELIMITER) if part] if value is not None else []


def _clean(text: str) -> str:
    """A TSV cell: tabs and line breaks would split rows; ``|`` would split values."""
    return " ".join(text.replace(DELIMITER, "/").split())


@dataclass(frozen=True)
class _Provenance:
    """Per triple: evidence methods; per graph: its source and the source's kind."""

    methods: dict[tuple[str, str, str], set[str]]
    graphs: dict[tuple[str, str, str], set[str]]
    kinds: dict[str, str]
    sources: dict[str, str]


_EVIDENCE = f"""PREFIX v: <{VOCAB}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?s ?p ?o ?m WHERE {{ GRAPH ?g {{
  ?e a v:ValueEvidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; v:method ?m }} }}"""
_SOURCES = f"""PREFIX v: <{VOCAB}> PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?g ?src ?kind WHERE {{ GRAPH ?g {{
  ?g a v:SourceGraph ; prov:wasDerivedFrom ?src . OPTIONAL {{ ?src v:sourceKind ?kind }} }} }}"""


def _provenance(store: Store, graph: nx.MultiDiGraph) -> _Provenance:
    methods: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in store.query(_EVIDENCE):  # type: ignore[union-attr]
        methods[(row["s"].value, row["p"].value, row["o"].value)].add(row["m"].value)
    kinds: dict[str, str] = {}
    sources: dict[str, str] = {}
    for row in store.query(_SOURCES):  # type: ignore[union-attr]
        g = row["g"].value
        sources[g] = row["src"].value
        kinds[g] = row["kind"].value.removeprefix(VOCAB) if row["kind"] is not None else ""
    graphs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for s, o, data in graph.edges(data=True):
        p = ids.expand(data["predicate"])
        for quad in store.quads_for_pattern(NamedNode(s), NamedNode(p), NamedNode(o), None):
            name = quad.graph_name
            if isinstance(name, NamedNode) and name.value != ONTOLOGY_GRAPH:
                graphs[(s, p, o)].add(name.value)
    return _Provenance(methods, graphs, kinds, sources)


def _agent(triple: tuple[str, str, str], prov: _Provenance) -> str:
    agents = {_AGENTS.get(m, _TEXT_MINING) for m in prov.methods.get(triple, ())}
    if not agents:
        graphs = prov.graphs.get(triple, set())
        agents = {_KIND_AGENTS.get(prov.kinds.get(g, ""), _TEXT_MINING) for g in graphs}
    return min(agents or {_TEXT_MINING}, key=_AGENT_RANK.index)


def _xrefs(data: dict[str, object]) -> list[str]:
    return [f"{prefix}:{v}" for key, prefix in _XREFS for v in _split(data.get(key))]


@dataclass(frozen=True)
class KgxTables:
    """The two KGX tables as rows of strings, sorted by id: what is written, byte for byte."""

    nodes: list[dict[str, str]]
    edges: list[dict[str, str]]


def _categories(graph: nx.MultiDiGraph, node: str, mapping: BiolinkMap) -> list[str]:
    data = graph.nodes[node]
    classes = {kind: ids.compress(cls) for cls, kind in _KINDS.items()}
    if data["kind"] in classes:
        found = {mapping.classes.get(classes[data["kind"]], "")}
    else:  # a term: typed by the predicates that point at it
        found = {mapping.objects.get(d["predicate"], "") for _, _, d in graph.in_edges(node, True)}
    if "" in found or not found:
        raise InputError(ids.compress(node), f"has no Biolink category in ontology/{MAP_FILE}")
    return sorted(found)


def tables(store: Store, mapping: BiolinkMap | None = None) -> KgxTables:
    """The KGX node and edge rows of a build."""
    mapping = mapping or biolink_map()
    graph = project(store)
    prov = _provenance(store, graph)
    curies = {node: _curie(node, mapping) for node in graph.nodes}
    nodes = [
        {
            "id": curies[node],
            "category": DELIMITER.join(_categories(graph, node, mapping)),
            "name": _clean(str(data["label"])),
            "iri": node,
            "xref": DELIMITER.join(_xrefs(data)),
        }
        for node, data in graph.nodes(data=True)
    ]
    # The source's PMID/DOI/NCT; a source with none (a web page, a press release) by its node.
    publications = {
        g: DELIMITER.join(_xrefs(graph.nodes[src]) or [curies[src]])
        for g, src in prov.sources.items()
        if src in graph
    }
    edges = []
    for s, o, key, data in graph.edges(keys=True, data=True):
        ours = data["predicate"]
        if ours not in mapping.predicates:
            raise InputError(ours, f"has no Biolink predicate in ontology/{MAP_FILE}")
        triple = (s, ids.expand(ours), o)
        pubs = {p for g in prov.graphs.get(triple, ()) for p in _split(publications.get(g))}
        edges.append(
            {
                "id": f"{LOCAL_PREFIX}:edge.{key}",
                "subject": curies[s],
                "predicate": mapping.predicates[ours],
                "object": curies[o],
                "knowledge_level": "knowledge_assertion",
                "agent_type": _agent(triple, prov),
                "original_predicate": ours,
                "publications": DELIMITER.join(sorted(pubs)),
            }
        )
    return KgxTables(sorted(nodes, key=lambda r: r["id"]), sorted(edges, key=lambda r: r["id"]))


def _tsv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, columns, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def kgx_paths(out: Path) -> tuple[Path, Path]:
    """``--out`` is a prefix (``out/stemkg`` -> ``out/stemkg_nodes.tsv``); an existing folder
    (or one named with a trailing ``/``) gets ``stemkg_nodes.tsv`` and ``stemkg_edges.tsv``."""
    if out.is_dir() or str(out).endswith("/"):
        out = out / "stemkg"
    return out.with_name(f"{out.name}_nodes.tsv"), out.with_name(f"{out.name}_edges.tsv")


def write_kgx(store: Store, out: Path) -> tuple[Path, Path, KgxTables]:
    """Write both TSV files, each atomically; both are composed before either is written."""
    result = tables(store)
    nodes_path, edges_path = kgx_paths(out)
    node_bytes, edge_bytes = _tsv(result.nodes, NODE_COLUMNS), _tsv(result.edges, EDGE_COLUMNS)
    with atomic_write(nodes_path) as handle:
        handle.write(node_bytes)
    with atomic_write(edges_path) as handle:
        handle.write(edge_bytes)
    return nodes_path, edges_path, result
