"""Network projections of the graph (networkx) and their writers.

The projection keeps the evidence chain: sources, studies, reports, arms, therapies,
outcomes, and the terms they point to (cell types, tissues, conditions, routes, measures).
Nodes are keyed by their stable IRIs and carry a readable ``label``, a ``kind`` and typed
attributes; a property with several values becomes one ``|``-delimited string. Every edge has
a unique GraphML ``id`` (yEd and Gephi drop edges whose ids repeat; networkx would give
MultiDiGraph edges their per-pair key) and the predicate's label.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from pyoxigraph import Literal, NamedNode, Quad, Store

from stemkg import ids
from stemkg.store import atomic_write
from stemkg.vocab import ONTOLOGY_GRAPH, PROV, RDF, RDFS, XSD, C, P

__all__ = ["DELIMITER", "project", "write_cyjs", "write_graphml"]

DELIMITER = "|"

_KINDS = {
    C.Study: "study",
    C.StudyReport: "report",
    C.Arm: "arm",
    C.Therapy: "therapy",
    C.Outcome: "outcome",
    C.Source: "source",
    C.PlannedMeasure: "planned_measure",
}
_TERM_EDGES = {
    P.cellType: "cell_type",
    P.targetCell: "cell_type",
    P.sourceTissue: "tissue",
    P.condition: "condition",
    P.route: "route",
    P.measure: "measure",
}
_EDGES = {
    P.aboutStudy,
    PROV + "wasDerivedFrom",
    P.armOf,
    P.therapy,
    P.outcomeOf,
    P.plannedMeasureOf,
    P.coversArm,
    *_TERM_EDGES,
}
_SKIP = {
    RDF + "type",
    P.studyKey,
    P.sourceKey,
    P.contentHash,
    RDFS + "seeAlso",
    PROV + "wasGeneratedBy",
    P.primaryCondition,
}
_NUMERIC: dict[str, Any] = {
    XSD + "integer": int,
    XSD + "decimal": float,
    XSD + "boolean": lambda text: text == "true",
}


@dataclass
class _Node:
    kind: str
    attrs: dict[str, list[object]] = field(default_factory=lambda: defaultdict(list))


def _labels(store: Store) -> dict[str, str]:
    """Labels of the vocabulary and term extracts, and of the unmapped terms in the data."""
    graph = NamedNode(ONTOLOGY_GRAPH)
    labels: dict[str, str] = {}
    for quad in store.quads_for_pattern(None, NamedNode(RDFS + "label"), None, graph):
        if isinstance(quad.object, Literal):
            labels.setdefault(_iri(quad.subject), quad.object.value)
    unmapped = NamedNode(C.UnmappedTerm)
    for typed in store.quads_for_pattern(None, NamedNode(RDF + "type"), unmapped, None):
        for quad in store.quads_for_pattern(typed.subject, NamedNode(RDFS + "label"), None, None):
            if isinstance(quad.object, Literal):
                labels.setdefault(_iri(quad.subject), quad.object.value)
    return labels


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _value(obj: Literal) -> object:
    convert = _NUMERIC.get(obj.datatype.value)
    try:
        return convert(obj.value) if convert else obj.value
    except ValueError:
        return obj.value


Edges = set[tuple[str, str, str]]


def _iri(term: object) -> str:
    return term.value if isinstance(term, NamedNode) else str(term)


def _collect(quads: Iterable[Quad], labels: dict[str, str]) -> tuple[dict[str, _Node], Edges]:
    nodes: dict[str, _Node] = {}
    facts: list[tuple[str, str, object]] = []
    edges: Edges = set()
    for q in quads:
        s, p, o = _iri(q.subject), q.predicate.value, q.object
        if p == RDF + "type" and isinstance(o, NamedNode) and o.value in _KINDS:
            nodes.setdefault(s, _Node(_KINDS[o.value]))
        elif p in _EDGES and isinstance(o, NamedNode):
            edges.add((s, p, o.value))
            if p in _TERM_EDGES:
                nodes.setdefault(o.value, _Node(_TERM_EDGES[p]))
                facts.append((s, p, labels.get(o.value, ids.compress(o.value))))
        elif isinstance(o, Literal):
            facts.append((s, p, _value(o)))
        elif p not in _SKIP:
            facts.append((s, p, labels.get(_iri(o), ids.compress(_iri(o)))))
    for s, p, value in facts:
        if s in nodes and p not in _SKIP:
            nodes[s].attrs[_local(p)].append(value)
    return nodes, {e for e in edges if e[0] in nodes and e[2] in nodes}


def _flatten(values: list[object]) -> object:
    unique = sorted(set(values), key=str)
    if len(unique) == 1:
        return unique[0]
    return DELIMITER.join(str(v) for v in unique)


def _label(iri: str, node: _Node, labels: dict[str, str], arms: dict[str, _Node]) -> str:
    attrs = node.attrs
    for key in ("label", "title", "reportOf", "therapyName"):
        if attrs.get(key):
            return str(sorted(map(str, attrs[key]))[0])
    if node.kind == "outcome" and attrs.get("measure"):
        return _outcome_label(attrs)
    if node.kind == "therapy" and attrs.get("cellType"):
        return str(attrs["cellType"][0])
    arm = arms.get(iri.removesuffix("/therapy")) if node.kind == "therapy" else None
    if arm is not None and arm.attrs.get("label"):  # a comparator's therapy: its arm says
        return f"therapy of {sorted(map(str, arm.attrs['label']))[0]}"
    return labels.get(iri, ids.compress(iri))


def _outcome_label(attrs: dict[str, list[object]]) -> str:
    """ "Adverse Event: increased (negated)": a label read alone in Gephi says the modality
    too, so that a denied finding never reads as one the source asserts."""
    label = str(attrs["measure"][0])
    direction = attrs.get("direction")
    if direction:
        label += f": {direction[0]}"
    modality = attrs.get("modality")
    if modality and str(modality[0]).rsplit("-", 1)[-1] not in ("asserted", ""):
        label += f" ({str(modality[0]).rsplit('-', 1)[-1]})"
    return label


def _name_reports(nodes: dict[str, _Node], edges: Edges) -> None:
    """A report is named after its source: "report of <source title>"."""
    for s, p, o in edges:
        if p == PROV + "wasDerivedFrom" and nodes[s].kind == "report":
            title = nodes[o].attrs.get("title")
            if title:
                nodes[s].attrs["reportOf"] = [f"report of {sorted(map(str, title))[0]}"]


def project(store: Store) -> nx.MultiDiGraph:
    """The evidence network of a build: nodes keyed by IRI, edges keyed by a unique id."""
    labels = _labels(store)
    data = (
        q
        for q in store.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, NamedNode) and q.graph_name.value == ONTOLOGY_GRAPH)
    )
    nodes, edges = _collect(data, labels)
    _name_reports(nodes, edges)
    graph = nx.MultiDiGraph()
    for iri in sorted(nodes):
        node = nodes[iri]
        attrs = {key: _flatten(values) for key, values in sorted(node.attrs.items())}
        attrs.pop("label", None)
        attrs.pop("title", None)
        graph.add_node(
            iri,
            label=_label(iri, node, labels, nodes),
            kind=node.kind,
            iri=iri,
            curie=ids.compress(iri),
            **attrs,
        )
    for s, p, o in sorted(edges):
        key = "e" + hashlib.sha256(f"{s} {p} {o}".encode()).hexdigest()[:16]
        graph.add_edge(s, o, key=key, label=labels.get(p, _local(p)), predicate=ids.compress(p))
    return graph


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """GraphML with typed attributes and unique edge ids, written atomically."""
    with atomic_write(path) as handle:
        nx.write_graphml_xml(graph, handle, encoding="utf-8", prettyprint=True)


def cyjs(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape.js elements, sorted by id so that two exports are byte-identical."""
    nodes = [{"data": {"id": n, **d}} for n, d in sorted(graph.nodes(data=True))]
    edges = [
        {"data": {"id": k, "source": s, "target": t, **d}}
        for s, t, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: e[2])
    ]
    return {"elements": {"nodes": nodes, "edges": edges}}


def write_cyjs(graph: nx.MultiDiGraph, path: Path) -> None:
    """Cytoscape.js JSON (a JSON developer reads it without a graph library), atomically."""
    text = json.dumps(cyjs(graph), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    with atomic_write(path) as handle:
        handle.write(text.encode("utf-8"))
