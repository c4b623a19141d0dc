"""SHACL validation with pyshacl, per source graph in bounded chunks, into a typed report.

pyshacl runs on rdflib graphs (on an oxigraph-backed graph it reports false ``sh:in``
violations), so each chunk of source graphs is handed over as N-Triples and parsed by rdflib.
The ontology extracts are mixed in so shapes can walk ``rdfs:subClassOf``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from stemkg.grading import GRADES_GRAPH
from stemkg.resources import ontology_file
from stemkg.store import ONTOLOGY_FILES
from stemkg.vocab import ONTOLOGY_GRAPH, VOCAB, C, P

__all__ = ["CHUNK", "ValidationReport", "Violation", "report_graph", "validate_graphs"]

CHUNK = 50
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: where, what, and which source graph it came from."""

    graph: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    """The property shape or SPARQL constraint that failed."""
    severity: str


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every violation found, and how much was checked."""

    violations: tuple[Violation, ...]
    graphs: int
    triples: int

    @property
    def conforms(self) -> bool:
        """True when no result has Violation severity."""
        return not any(v.severity == "Violation" for v in self.violations)


@cache
def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_file("shapes.ttl"), format="turtle")


@cache
def _ontology() -> rdflib.Graph:
    """What the shapes read from the ontology: subclass chains (a condition under disease, a
    route under route of administration, sh:class through subclasses) and which properties
    carry evidence. Only these are mixed into each data graph: copying the whole vocabulary
    and term extracts (3,700 triples) into every chunk cost more than validating it."""
    full = rdflib.Graph()
    for name in ONTOLOGY_FILES:
        path = ontology_file(name)
        if path.is_file():
            full.parse(path, format="turtle")
    graph = rdflib.Graph()
    graph += full.triples((None, rdflib.RDFS.subClassOf, None))
    graph += full.triples((None, rdflib.RDF.type, rdflib.URIRef(C.ValueProperty)))
    return graph


def _text(node: rdflib.term.Node | None) -> str | None:
    return None if node is None else str(node)


def _results(results: rdflib.Graph, owners: dict[str, list[str]]) -> list[Violation]:
    found = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = str(results.value(result, SH.focusNode))
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        for graph in owners.get(focus, ["(unknown graph)"]):
            found.append(
                Violation(
                    graph=graph,
                    focus=focus,
                    path=_text(results.value(result, SH.resultPath)),
                    value=_text(results.value(result, SH.value)),
                    message=str(results.value(result, SH.resultMessage) or ""),
                    shape=str(
                        results.value(result, SH.sourceConstraint)
                        or results.value(result, SH.sourceShape)
                    ),
                    severity=severity,
                )
            )
    return found


def _iri(term: object) -> str:
    return term.value if isinstance(term, NamedNode) else str(term)


@cache
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _DataGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once.

    pyshacl runs a SPARQL constraint once per focus node with the same text; rdflib would parse
    it every time (60 ms each), which dominated validation.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


_SUBCLASS = NamedNode(str(rdflib.RDFS.subClassOf))


_GRADE = NamedNode(P.evidenceGrade)
Grades = dict[str, list[Quad]]


def _grade_index(quads: Iterable[Quad]) -> Grades:
    """Each study's grade triple with its assignment's triples, to mix into the source graphs
    that describe the study (a study's grade is in the grades graph, not in its sources)."""
    found = list(quads)
    by_subject: dict[str, list[Quad]] = defaultdict(list)
    for q in found:
        by_subject[_iri(q.subject)].append(q)
    index: Grades = defaultdict(list)
    for q in found:
        if q.predicate == _GRADE:
            index[_iri(q.subject)] += [q, *by_subject[_iri(q.object)]]
    return index


def _mixed_grades(chunk: list[tuple[str, list[Quad]]], grades: Grades) -> list[Quad]:
    subjects = {_iri(q.subject) for name, quads in chunk if name != GRADES_GRAPH for q in quads}
    return [q for s in sorted(subjects & grades.keys()) for q in grades[s]]


def _check(
    chunk: list[tuple[str, list[Quad]]], ontology: list[Quad], grades: Grades | None = None
) -> list[Violation]:
    owners: dict[str, list[str]] = defaultdict(list)
    data = _DataGraph()
    data += _ontology()
    chains = [q.triple for q in ontology if q.predicate == _SUBCLASS]
    if chains:
        data.parse(data=serialize(chains, format=RdfFormat.N_TRIPLES), format="nt")
    for name, quads in chunk:
        for subject in dict.fromkeys(_iri(q.subject) for q in quads):
            owners[subject].append(name)
        triples = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES)
        data.parse(data=triples, format="nt")
    mixed = _mixed_grades(chunk, grades or {})
    if mixed:
        for subject in {_iri(q.subject) for q in mixed} - owners.keys():
            owners[subject].append(GRADES_GRAPH)
        data.parse(
            data=serialize((q.triple for q in mixed), format=RdfFormat.N_TRIPLES), format="nt"
        )
    _, results, _ = shacl_validate(
        data,
        shacl_graph=_shapes(),
        inference="none",
        inplace=True,
        abort_on_first=False,
        allow_warnings=True,
    )
    if not isinstance(results, rdflib.Graph):
        raise RuntimeError(f"the SHACL shapes are broken: {results}")
    return _results(results, owners)


def validate_graphs(
    graphs: Iterable[tuple[str, list[Quad]]],
    chunk: int = CHUNK,
    progress: Progress | None = None,
    ontology: Iterable[Quad] = (),
    grades: Iterable[Quad] = (),
) -> ValidationReport:
    """Validate named graphs (name, quads) in chunks of ``chunk`` graphs; ``ontology`` adds the
    subclass chains of terms beyond the shipped extracts (a build's ontology graph), ``grades``
    the build's grades graph, whose assignments are checked with the studies they grade."""
    extra = list(ontology)
    index = _grade_index(grades)
    violations: list[Violation] = []
    batch: list[tuple[str, list[Quad]]] = []
    count = triples = 0
    for name, quads in graphs:
        if name == ONTOLOGY_GRAPH:
            continue
        batch.append((name, quads))
        count += 1
        triples += len(quads)
        if len(batch) >= chunk:
            violations += _check(batch, extra, index)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        violations += _check(batch, extra, index)
        if progress:
            progress(len(batch))
    ordered = sorted(set(violations), key=lambda v: (v.graph, v.focus, v.path or "", v.message))
    return ValidationReport(tuple(ordered), count, triples)


_IN_GRAPH = rdflib.URIRef(f"{VOCAB}inGraph")


def _node(text: str) -> rdflib.term.Identifier:
    return (
        rdflib.URIRef(text)
        if text.startswith(("http://", "https://", "urn:"))
        else rdflib.Literal(text)
    )


def report_graph(report: ValidationReport) -> rdflib.Graph:
    """The report as a SHACL validation report graph (``sh:ValidationReport``, one
    ``sh:result`` per result, in the report's order), each result with the source graph it was
    found in (``stemkg:inGraph``); blank nodes are numbered so the same report gives the same
    bytes."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    graph.bind("stemkg", VOCAB)
    root = rdflib.BNode("report")
    graph.add((root, rdflib.RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, rdflib.Literal(report.conforms)))
    for n, v in enumerate(report.violations, 1):
        result = rdflib.BNode(f"result{n}")
        graph.add((root, SH.result, result))
        graph.add((result, rdflib.RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, _node(v.focus)))
        graph.add((result, SH.resultSeverity, SH[v.severity]))
        graph.add((result, SH.resultMessage, rdflib.Literal(v.message)))
        graph.add((result, SH.sourceShape, _node(v.shape)))
        graph.add((result, _IN_GRAPH, _node(v.graph)))
        if v.path:
            graph.add((result, SH.resultPath, rdflib.URIRef(v.path)))
        if v.value is not None:
            graph.add((result, SH.value, _node(v.value)))
    return graph
