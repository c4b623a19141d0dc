"""Named SPARQL queries: the ``queries/*.rq`` library, parameter binding, results, statistics.

Parameters are bound through the store's own substitution (SEP-0007) as RDF terms; the query
text is never edited. A parameter of kind ``term:<kind>`` accepts an IRI, a CURIE or any
lexicon name of that kind (``route=intrathecal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    Triple,
    Variable,
)

from stemkg import ids
from stemkg.errors import QueryError
from stemkg.lexicon import Kind, Lexicon, UnknownTermError
from stemkg.model import (
    Allocation,
    Control,
    Direction,
    Donor,
    EnrollmentType,
    Exposure,
    InterventionModel,
    Masking,
    MeasurePriority,
    Modality,
    StudyType,
    TrialStatus,
)
from stemkg.resources import queries_dir
from stemkg.vocab import ID, ONTOLOGY_GRAPH, XSD, enum_iri

__all__ = [
    "NamedQuery",
    "OutputFormat",
    "Param",
    "QueryResult",
    "Stats",
    "bind",
    "list_queries",
    "load_query",
    "run_query",
    "serialize_query",
    "stats",
]

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s+(\S+)\s*(.*)$")
_CHOICES: dict[str, type[StrEnum]] = {
    "modality": Modality,
    "study_type": StudyType,
    "allocation": Allocation,
    "masking": Masking,
    "intervention_model": InterventionModel,
    "control": Control,
    "status": TrialStatus,
    "enrollment_type": EnrollmentType,
    "priority": MeasurePriority,
    "direction": Direction,
    "donor": Donor,
    "exposure": Exposure,
}
_KINDS = (
    {"iri", "string", "integer", "study"}
    | {f"term:{k.value}" for k in Kind}
    | {f"choice:{name}" for name in _CHOICES}
)
Term = NamedNode | Literal


class OutputFormat(StrEnum):
    """How query results are written."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class Param:
    """A query parameter: its variable name, kind and meaning."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A ``.rq`` file with its header."""

    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A SELECT result as text cells (IRIs shortened to CURIEs where a prefix fits)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]


def _parse(path: Path) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot be read ({exc})") from None
    fields: dict[str, str] = {}
    params = []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip() and not line.lstrip().startswith("#"):
                break
            continue
        key, value = match.groups()
        if key != "param":
            fields[key] = (fields.get(key, "") + " " + value).strip()
            continue
        pmatch = _PARAM.match(value)
        if not pmatch or pmatch.group(2) not in _KINDS:
            raise QueryError(f"{path}: bad param line {value!r} (name kind description)")
        params.append(Param(*pmatch.groups()))
    return NamedQuery(
        name=path.stem,
        path=path,
        title=fields.get("title", path.stem),
        description=fields.get("description", ""),
        params=tuple(params),
        text=text,
    )


def list_queries() -> list[NamedQuery]:
    """Every named query shipped with stemkg, sorted by name."""
    return [_parse(p) for p in sorted(queries_dir().glob("*.rq"))]


def load_query(name_or_file: str) -> NamedQuery:
    """A named query (``studies-by-route``) or a ``.rq`` file path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return _parse(path)
    named = queries_dir() / f"{name_or_file}.rq"
    if named.is_file():
        return _parse(named)
    if path.suffix == ".rq":
        raise QueryError(f"{path}: no such query file")
    known = ", ".join(q.name for q in list_queries())
    raise QueryError(f"unknown query {name_or_file!r}; named queries: {known}")


def _choice(param: Param, enum: type[StrEnum], value: str) -> NamedNode:
    """A closed-vocabulary value by name (``negated``) or CURIE (``stemkg:modality-negated``)."""
    for member in enum:
        iri = enum_iri(member)
        if value.replace("-", "_").casefold() == member.value or value in (iri, ids.compress(iri)):
            return NamedNode(iri)
    names = ", ".join(m.value for m in enum)
    raise QueryError(f"parameter {param.name} takes one of {names}, not {value!r}")


def _unmapped_node(kind: Kind, value: str, store: Store | None) -> NamedNode | None:
    """The build's unmapped term of this kind and label, if it has one."""
    if store is None:
        return None
    node = NamedNode(ids.unmapped_iri(kind, value))
    return node if next(store.quads_for_pattern(node, None, None), None) is not None else None


def _term_value(param: Param, value: str, lexicon: Lexicon, store: Store | None) -> Term:
    kind = param.kind
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise QueryError(f"parameter {param.name} takes an integer, not {value!r}")
        return Literal(value, datatype=NamedNode(XSD + "integer"))
    if kind == "string":
        return Literal(value)
    value = value.strip().removeprefix("<").removesuffix(">")
    if re.match(r"^https?://", value):
        return NamedNode(value)
    if kind.startswith("choice:"):
        return _choice(param, _CHOICES[kind[7:]], value)
    if kind == "study":  # the tail of a study IRI, as tables show it: NCT01363401-phase-1
        return NamedNode(f"{ID}study/{value.removeprefix('study/')}")
    if kind.startswith("term:"):
        term_kind = Kind(kind[5:])
        try:
            return NamedNode(ids.expand(lexicon.resolve(term_kind, value).id))
        except UnknownTermError as exc:
            unmapped = _unmapped_node(term_kind, value, store)
            if unmapped is not None:
                return unmapped
            hint = ", nor an unmapped term of this build" if store is not None else ""
            raise QueryError(f"parameter {param.name}: {exc}{hint}") from None
    try:
        return NamedNode(ids.expand(value))
    except ValueError:
        raise QueryError(f"parameter {param.name} takes an IRI or a CURIE, not {value!r}") from None


def bind(
    query: NamedQuery, values: dict[str, str], lexicon: Lexicon, *, store: Store | None = None
) -> dict[Variable, Term]:
    """Parameter values as RDF terms keyed by variable; unknown names raise ``QueryError``.
    With the build's ``store``, a term parameter also finds the build's unmapped terms by
    label (``measure="PSP Rating Scale"``)."""
    declared = {p.name: p for p in query.params}
    bound: dict[Variable, Term] = {}
    for name, value in values.items():
        param = declared.get(name)
        if param is None and re.search(rf"[?$]{re.escape(name)}\b", query.text):
            param = Param(name, "iri" if ":" in value else "string", "")
        if param is None:
            takes = ", ".join(declared) or "no parameters"
            raise QueryError(f"{query.name}: unknown parameter {name!r} (it takes {takes})")
        bound[Variable(name)] = _term_value(param, value, lexicon, store)
    return bound


def _execute(store: Store, query: NamedQuery, bound: dict[Variable, Term]) -> object:
    try:
        subs: dict[Variable, NamedNode | BlankNode | Literal | Triple] = dict(bound)
        return store.query(query.text, use_default_graph_as_union=True, substitutions=subs)
    except SyntaxError as exc:
        raise QueryError(f"{query.path}: SPARQL syntax error: {exc}") from None
    except RuntimeError as exc:  # e.g. a parameter the query does not project
        raise QueryError(f"{query.path}: {exc}") from None


def _cell(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return ids.compress(term.value)
    if isinstance(term, Literal):
        return term.value
    return str(term)


def run_query(store: Store, query: NamedQuery, bound: dict[Variable, Term]) -> QueryResult:
    """Run a SELECT query and return its rows as text."""
    result = _execute(store, query, bound)
    if not isinstance(result, QuerySolutions):
        raise QueryError(f"{query.path.name}: only SELECT queries can be shown as a table")
    names = tuple(v.value for v in result.variables)
    rows = tuple(tuple(_cell(solution[n]) for n in names) for solution in result)
    return QueryResult(names, rows)


def serialize_query(
    store: Store, query: NamedQuery, bound: dict[Variable, Term], fmt: OutputFormat
) -> bytes:
    """Run a SELECT query and write SPARQL 1.1 JSON or CSV results."""
    result = _execute(store, query, bound)
    if not isinstance(result, QuerySolutions):
        raise QueryError(f"{query.path.name}: only SELECT results can be written as {fmt.value}")
    target = QueryResultsFormat.JSON if fmt is OutputFormat.JSON else QueryResultsFormat.CSV
    data = result.serialize(format=target)
    return data or b""


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts a researcher checks first: what the graph covers."""

    triples: int
    """Triples in the source graphs (what ``build`` and ``validate`` count)."""
    ontology_triples: int
    """Triples of the vocabulary and term extracts (``id:graph/ontology``)."""
    sources: int
    reports: int
    studies: int
    by_condition: tuple[tuple[str, int], ...]
    by_route: tuple[tuple[str, int], ...]
    by_study_type: tuple[tuple[str, int], ...]
    unmapped: tuple[tuple[str, str, int], ...]
    """Unmapped terms: label, kind, and how many reports, therapies or outcomes use them."""


_PREFIX = (
    "PREFIX s: <https://w3id.org/stemkg/vocab/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
_BY = """SELECT ?label (COUNT(DISTINCT ?study) AS ?n) WHERE {{
  ?report s:aboutStudy ?study . {path}
  OPTIONAL {{ ?term rdfs:label ?name }}
  BIND (COALESCE(?name, STR(?term)) AS ?label)
}} GROUP BY ?label ORDER BY DESC(?n) ?label"""


def _select(store: Store, text: str) -> QuerySolutions:
    result = store.query(_PREFIX + text, use_default_graph_as_union=True)
    if not isinstance(result, QuerySolutions):
        raise QueryError("a statistics query did not return rows")
    return result


def _counts(store: Store, path: str) -> tuple[tuple[str, int], ...]:
    result = _select(store, _BY.format(path=path))
    return tuple((_cell(row["label"]) or "", int(_cell(row["n"]) or 0)) for row in result)


def _count(store: Store, pattern: str) -> int:
    result = _select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
    return int(_cell(next(iter(result))["n"]) or 0)


_UNMAPPED = """SELECT ?label ?kind (COUNT(DISTINCT ?user) AS ?n) WHERE {
  ?term a s:UnmappedTerm ; rdfs:label ?label ; s:termKind/rdfs:label ?kind .
  ?user ?p ?term . FILTER NOT EXISTS { ?user a s:ValueEvidence }
} GROUP BY ?label ?kind ORDER BY DESC(?n) ?kind ?label"""


def _unmapped_counts(store: Store) -> tuple[tuple[str, str, int], ...]:
    rows = _select(store, _UNMAPPED)
    return tuple(
        (_cell(r["label"]) or "", _cell(r["kind"]) or "", int(_cell(r["n"]) or 0)) for r in rows
    )


def stats(store: Store) -> Stats:
    """Studies by condition, route and study type; unmapped terms; the counts of the build."""
    ontology = sum(1 for _ in store.quads_for_pattern(None, None, None, NamedNode(ONTOLOGY_GRAPH)))
    return Stats(
        triples=len(store) - ontology,
        ontology_triples=ontology,
        sources=_count(store, "?x a s:Source"),
        reports=_count(store, "?x a s:StudyReport"),
        studies=_count(store, "?x a s:Study"),
        by_condition=_counts(store, "?report s:condition ?term ."),
        by_route=_counts(store, "?arm s:armOf ?report ; s:therapy/s:route ?term ."),
        by_study_type=_counts(store, "?report s:studyType ?term ."),
        unmapped=_unmapped_counts(store),
    )
