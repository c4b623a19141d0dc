"""Network projections of the graph (networkx) and their writers.

The projection keeps the evidence chain: sources, studies, reports, arms, therapies,
outcomes, and the terms they point to (cell types, tissues, conditions, routes, measures).
Nodes are keyed by their stable IRIs and carry a readable ``label``, a ``kind`` and typed
attributes; a property with several values becomes one ``|``-delimited string. Every edge has
a unique GraphML ``id`` (yEd and Gephi drop edges whose ids repeat; networkx would give
MultiDiGraph edges their per-pair key) and the predicate's label.

Besides the full evidence network there are two summary views, both built from the full one:
``cell-condition`` (cell type <-> condition, weighted by the studies that tested the pair) and
``routes`` (each route linked to the cell types it delivered, the conditions it was used for and
the studies that used it). Filters pick study arms by condition, cell type and route, each
hierarchy-aware over ``rdfs:subClassOf*`` in the build's ontology graph.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter
from pyoxigraph import Literal, NamedNode, Quad, Store

from stemkg import ids
from stemkg.errors import QueryError
from stemkg.store import atomic_write
from stemkg.vocab import ONTOLOGY_GRAPH, PROV, RDF, RDFS, XSD, C, P

__all__ = [
    "DELIMITER",
    "Filters",
    "View",
    "network",
    "project",
    "write_cyjs",
    "write_graphml",
]

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


_Y = "http://www.yworks.com/xml/graphml"
_KIND_ORDER = (
    "source",
    "report",
    "study",
    "arm",
    "therapy",
    "outcome",
    "planned_measure",
    "cell_type",
    "tissue",
    "condition",
    "route",
    "measure",
)


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    """GraphML with typed attributes and unique edge ids, written atomically. Besides the plain
    ``label`` key (Gephi, Cytoscape, igraph) it carries yEd's own ``nodegraphics`` and
    ``edgegraphics`` keys: yEd shows a label only from a ``y:NodeLabel``."""
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(graph)
    _add_yed_graphics(writer.xml, graph)
    with atomic_write(path) as handle:
        writer.dump(handle)


def _add_yed_graphics(root: Element, graph: nx.MultiDiGraph) -> None:
    """yEd's label data, with nodes placed in one column per kind so the file opens readable."""
    root.set("xmlns:y", _Y)
    at = next(i for i, child in enumerate(root) if child.tag.endswith("graph"))
    root.insert(at, Element("key", {"for": "edge", "id": "yedge", "yfiles.type": "edgegraphics"}))
    root.insert(at, Element("key", {"for": "node", "id": "ynode", "yfiles.type": "nodegraphics"}))
    rows: dict[str, int] = defaultdict(int)
    for element in root[at + 2].iter():
        if element.tag.endswith("node") and element.get("id") is not None:
            data = graph.nodes[element.get("id")]
            kind = str(data.get("kind", ""))
            column = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
            shape = SubElement(SubElement(element, "data", key="ynode"), "y:ShapeNode")
            label = str(data.get("label", element.get("id")))
            SubElement(
                shape,
                "y:Geometry",
                x=str(column * 320),
                y=str(rows[kind] * 40),
                width=str(min(300, 20 + 7 * len(label))),
                height="30",
            )
            SubElement(shape, "y:NodeLabel").text = label
            rows[kind] += 1
        elif element.tag.endswith("edge"):
            u, v, k = element.get("source"), element.get("target"), element.get("id")
            line = SubElement(SubElement(element, "data", key="yedge"), "y:PolyLineEdge")
            SubElement(line, "y:Arrows", source="none", target="standard")
            SubElement(line, "y:EdgeLabel").text = str(graph.edges[u, v, k].get("label", ""))


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


class View(StrEnum):
    """The networks ``stemkg export`` writes."""

    full = "full"
    cell_condition = "cell-condition"
    routes = "routes"


@dataclass(frozen=True)
class Filters:
    """Terms that select study arms (label, synonym, CURIE or IRI); ``None`` selects all."""

    condition: str | None = None
    cell_type: str | None = None
    route: str | None = None

    def given(self) -> dict[str, str]:
        """The filters set, by the kind of term they name."""
        named = {"condition": self.condition, "cell_type": self.cell_type, "route": self.route}
        return {kind: text for kind, text in named.items() if text}


@dataclass(frozen=True)
class _Arm:
    """One study arm with what the views group by: its report's study and conditions, its
    therapy's cell types and routes."""

    iri: str
    report: str
    study: str
    terms: dict[str, tuple[str, ...]]


_FILTER_PREDICATE = {"condition": P.condition, "cell_type": P.cellType, "route": P.route}


def network(
    store: Store, view: View = View.full, filters: Filters | None = None
) -> nx.MultiDiGraph:
    """The network of a view of a build, restricted to the study arms the filters select."""
    full = project(store)
    filters = filters or Filters()
    wanted = {kind: _narrower(store, kind, text) for kind, text in filters.given().items()}
    arms = [a for a in _arms(full) if all(set(a.terms[k]) & wanted[k] for k in wanted)]
    if view is View.cell_condition:
        graph = _cell_condition(full, arms)
    elif view is View.routes:
        graph = _routes(full, arms)
    else:
        graph = full if not wanted else _evidence_of(full, {a.report for a in arms})
    _uniform_types(graph)
    return graph


def _out(graph: nx.MultiDiGraph, node: str, predicate: str) -> tuple[str, ...]:
    """The targets of a node's edges with this predicate CURIE, sorted."""
    return tuple(
        sorted(v for _, v, d in graph.out_edges(node, data=True) if d["predicate"] == predicate)
    )


def _arms(full: nx.MultiDiGraph) -> list[_Arm]:
    """Every arm of the full network with its study, conditions, cell types and routes."""
    arms = []
    for node, data in sorted(full.nodes(data=True)):
        if data["kind"] != "arm":
            continue
        for report in _out(full, node, "stemkg:armOf"):
            therapies = _out(full, node, "stemkg:therapy")
            terms = {
                "condition": _out(full, report, "stemkg:condition"),
                "cell_type": tuple(t for x in therapies for t in _out(full, x, "stemkg:cellType")),
                "route": tuple(t for x in therapies for t in _out(full, x, "stemkg:route")),
            }
            for study in _out(full, report, "stemkg:aboutStudy"):
                arms.append(_Arm(node, report, study, terms))
    return arms


def _evidence_of(full: nx.MultiDiGraph, reports: set[str]) -> nx.MultiDiGraph:
    """The part of the full network that belongs to these reports: what points at them (arms,
    outcomes, planned measures) and everything reachable from there."""
    seeds = set(reports)
    for report in reports:
        seeds.update(full.predecessors(report))
    keep, todo = set(seeds), list(seeds)
    while todo:  # one walk from all seeds: linear in the part kept
        for target in full.successors(todo.pop()):
            if target not in keep:
                keep.add(target)
                todo.append(target)
    return nx.MultiDiGraph(full.subgraph(keep))


def _study_ids(studies: Iterable[str]) -> str:
    """Study ids as tables show them (the tail of the IRI), sorted and ``|``-joined."""
    return DELIMITER.join(sorted(s.rsplit("/study/", 1)[-1] for s in studies))


def _summary(
    full: nx.MultiDiGraph, pairs: dict[tuple[str, str, str], list[_Arm]]
) -> nx.MultiDiGraph:
    """A weighted network from (source, label, target) -> the arms behind it: nodes keep the
    full network's label, kind, IRI and CURIE and count their studies; each edge counts its
    studies and arms and lists the study ids."""
    graph = nx.MultiDiGraph()
    studies: dict[str, set[str]] = defaultdict(set)
    for (u, _, v), arms in pairs.items():
        for node in (u, v):
            studies[node].update(a.study for a in arms)
    for node in sorted(studies):
        data = full.nodes[node]
        graph.add_node(
            node,
            label=data["label"],
            kind=data["kind"],
            iri=node,
            curie=data["curie"],
            studies=len(studies[node]),
        )
    for (u, label, v), arms in sorted(pairs.items()):
        ids_ = {a.study for a in arms}
        key = "e" + hashlib.sha256(f"{u} {label} {v}".encode()).hexdigest()[:16]
        graph.add_edge(
            u,
            v,
            key=key,
            label=label,
            studies=len(ids_),
            weight=len(ids_),
            arms=len({a.iri for a in arms}),
            study_ids=_study_ids(ids_),
        )
    return graph


def _cell_condition(full: nx.MultiDiGraph, arms: list[_Arm]) -> nx.MultiDiGraph:
    """Cell type -> condition, one edge per pair some arm tested."""
    pairs: dict[tuple[str, str, str], list[_Arm]] = defaultdict(list)
    for arm in arms:
        for cell in arm.terms["cell_type"]:
            for condition in arm.terms["condition"]:
                pairs[(cell, "tested for", condition)].append(arm)
    return _summary(full, pairs)


def _routes(full: nx.MultiDiGraph, arms: list[_Arm]) -> nx.MultiDiGraph:
    """Route -> the cell types it delivered, the conditions it was used for, the studies that
    used it."""
    pairs: dict[tuple[str, str, str], list[_Arm]] = defaultdict(list)
    for arm in arms:
        for route in arm.terms["route"]:
            for cell in arm.terms["cell_type"]:
                pairs[(route, "delivered", cell)].append(arm)
            for condition in arm.terms["condition"]:
                pairs[(route, "used for", condition)].append(arm)
            pairs[(route, "used in", arm.study)].append(arm)
    return _summary(full, pairs)


def _uniform_types(graph: nx.MultiDiGraph) -> None:
    """One type per attribute name, so that GraphML and GEXF declare it truly: a name whose
    values mix integers and doubles becomes double, one mixing numbers and text becomes text."""
    for items in (
        [d for _, d in graph.nodes(data=True)],
        [d for *_, d in graph.edges(data=True)],
    ):
        types: dict[str, set[type]] = defaultdict(set)
        for data in items:
            for name, value in data.items():
                types[name].add(type(value))
        for name, found in types.items():
            if len(found) < 2:
                continue
            cast: type = float if found <= {int, float} else str
            for data in items:
                if name in data:
                    data[name] = cast(data[name])


def _candidates(store: Store, kind: str) -> dict[str, str]:
    """Label -> IRI of every term the build's data uses as this kind, and of their ancestors:
    the values a filter can name."""
    rows = store.query(
        f"""SELECT DISTINCT ?term ?label WHERE {{
              ?x <{_FILTER_PREDICATE[kind]}> ?used . ?used <{RDFS}subClassOf>* ?term .
              ?term <{RDFS}label> ?label }}""",
        use_default_graph_as_union=True,
    )
    found: dict[str, str] = {}
    for row in rows:  # type: ignore[union-attr]
        found.setdefault(str(row["label"].value), str(row["term"].value))
    return dict(sorted(found.items()))


def _term(store: Store, kind: str, text: str) -> str:
    """The IRI a filter value names: an IRI, a CURIE, a label of the build or a lexicon name."""
    what = kind.replace("_", " ")
    value = text.strip().removeprefix("<").removesuffix(">")
    if re.match(r"^https?://", value):
        return value
    candidates = _candidates(store, kind)
    by_label = {label.casefold(): iri for label, iri in candidates.items()}
    if value.casefold() in by_label:
        return by_label[value.casefold()]
    from stemkg.lexicon import CURIE_FORM, Kind, UnknownTermError
    from stemkg.vocab import load_lexicon

    if CURIE_FORM.match(value):
        try:
            return ids.expand(value)
        except ValueError:
            raise QueryError(f"--{kind.replace('_', '-')}: unknown prefix in {value!r}") from None
    lexicon = load_lexicon()
    try:
        return ids.expand(lexicon.resolve(Kind(kind), value).id)
    except UnknownTermError as exc:
        if not str(exc).startswith("unknown"):  # ambiguous, or a term of another kind
            raise QueryError(f"--{kind.replace('_', '-')}: {exc}") from None
        used = set(candidates.values())
        names = {label.casefold(): label for label in candidates}
        for entry in lexicon.of_kind(Kind(kind)):
            if ids.expand(entry.id) in used:
                names.update({name.casefold(): name for name in entry.names()})
        close = difflib.get_close_matches(value.casefold(), sorted(names), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(names[c]) for c in close)}?" if close else ""
        raise QueryError(f"unknown {what} {text!r} in this build{hint}") from None


def _narrower(store: Store, kind: str, text: str) -> set[str]:
    """The term a filter names and every term under it (``rdfs:subClassOf*``)."""
    iri = _term(store, kind, text)
    if next(store.quads_for_pattern(NamedNode(iri), None, None), None) is None:
        raise QueryError(
            f"{kind.replace('_', ' ')} {text!r} ({ids.compress(iri)}) is not in this build"
        )
    rows = store.query(
        f"SELECT ?x WHERE {{ ?x <{RDFS}subClassOf>* <{iri}> }}", use_default_graph_as_union=True
    )
    return {iri} | {str(row["x"].value) for row in rows}  # type: ignore[union-attr]
