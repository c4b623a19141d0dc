"""Named SPARQL queries: the ``queries/*.rq`` library, parameter binding, results, statistics.

Parameters are bound through the store's own substitution (SEP-0007) as RDF terms; the query
text is never edited. A parameter of kind ``term:<kind>`` accepts an IRI, a CURIE or any
lexicon name of that kind (``route=intrathecal``).
"""

from __future__ import annotations

import difflib
import io
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse_query_results,
    serialize,
)
from rdflib.plugins.sparql import prepareQuery

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
from stemkg.store import PREFIXES
from stemkg.vocab import ID, ONTOLOGY_GRAPH, XSD, enum_iri, route_groups

__all__ = [
    "NamedQuery",
    "OutputFormat",
    "Param",
    "QueryResult",
    "Stats",
    "bind",
    "list_queries",
    "load_query",
    "query_from_text",
    "run_query",
    "serialize_query",
    "stats",
]

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
_CONTINUED = re.compile(r"^#\s{2,}(\S.*)$")
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
    """How query results are written: a table, SPARQL 1.1 results (JSON, CSV, TSV, XML) for
    SELECT and ASK, Turtle or N-Triples for the graph of CONSTRUCT and DESCRIBE."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    XML = "xml"
    TTL = "ttl"
    NT = "nt"


_RESULTS = {
    OutputFormat.JSON: QueryResultsFormat.JSON,
    OutputFormat.CSV: QueryResultsFormat.CSV,
    OutputFormat.TSV: QueryResultsFormat.TSV,
    OutputFormat.XML: QueryResultsFormat.XML,
}
_GRAPHS = {OutputFormat.TTL: RdfFormat.TURTLE, OutputFormat.NT: RdfFormat.N_TRIPLES}


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
    """A result as text cells (IRIs shortened to CURIEs where a prefix fits): a SELECT's rows,
    an ASK's answer (``boolean``), or a graph's triples as subject, predicate, object rows."""

    variables: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    boolean: bool | None = None


def _parse(path: Path) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot be read ({exc})") from None
    return _parse_text(text, path)


def query_from_text(text: str, name: str = "query") -> NamedQuery:
    """A query given as text (``--query``, standard input); a header is read as in a file."""
    if not text.strip():
        raise QueryError(f"{name}: the query is empty")
    return _parse_text(text, Path(name))


def _parse_text(text: str, path: Path) -> NamedQuery:
    fields: dict[str, str] = {}
    params = []
    last = ""
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            if line.strip() and not line.lstrip().startswith("#"):
                break
            more = _CONTINUED.match(line.strip())
            if more and last in fields:  # an indented comment line goes on the field above
                fields[last] += " " + more.group(1)
            last = last if more else ""
            continue
        key, value = match.groups()
        last = key
        if key != "param":
            fields[key] = (fields.get(key, "") + " " + value).strip()
            continue
        pmatch = _PARAM.match(value)
        if not pmatch or pmatch.group(2) not in _KINDS:
            raise QueryError(f"{path}: bad param line {value!r} (name kind description)")
        params.append(Param(*pmatch.groups()))
    return NamedQuery(
        name=path.stem if path.suffix == ".rq" else path.name,
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
    names = [q.name for q in list_queries()]
    close = difflib.get_close_matches(name_or_file, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise QueryError(f"unknown query {name_or_file!r}; {hint}named queries: {', '.join(names)}")


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
        return Literal(value.strip().removeprefix('"').removesuffix('"'))
    value = value.strip().removeprefix("<").removesuffix(">")
    if re.match(r"^https?://", value):
        try:
            return NamedNode(value)
        except ValueError:
            raise QueryError(f"parameter {param.name}: {value!r} is not a valid IRI") from None
    if kind.startswith("choice:"):
        return _choice(param, _CHOICES[kind[7:]], value)
    if kind == "study":  # the tail of a study IRI, as tables show it: NCT01363401-phase-1
        return NamedNode(f"{ID}study/{value.removeprefix('study/')}")
    if kind.startswith("term:"):
        term_kind = Kind(kind[5:])
        try:
            return NamedNode(ids.expand(lexicon.resolve(term_kind, value).id))
        except UnknownTermError as exc:
            group = route_groups().get(value.casefold()) if term_kind is Kind.ROUTE else None
            if group is not None:  # a local route group: route=cns
                return NamedNode(group)
            unmapped = _unmapped_node(term_kind, value, store)
            if unmapped is not None:
                return unmapped
            hint = ", nor an unmapped term of this build" if store is not None else ""
            raise QueryError(
                f"parameter {param.name}: {exc}{hint}{_near(lexicon, term_kind, value)}"
            ) from None
    try:
        return NamedNode(ids.expand(value))
    except ValueError:
        raise QueryError(f"parameter {param.name} takes an IRI or a CURIE, not {value!r}") from None


def _near(lexicon: Lexicon, kind: Kind, value: str) -> str:
    """ "; did you mean ..." with the lexicon names of this kind closest to ``value``."""
    names = {n.casefold(): n for e in lexicon.of_kind(kind) for n in e.names()}
    close = difflib.get_close_matches(value.casefold(), names, n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(repr(names[c]) for c in close)}?" if close else ""


def _undeclared_kind(value: str, lexicon: Lexicon) -> str:
    """The kind of a parameter a query's header does not declare: a quoted value is a string,
    an IRI or CURIE an IRI, the name of one lexicon term that term, anything else a string."""
    if re.fullmatch(r'"[^"]*"', value.strip()):
        return "string"
    if ":" in value:
        return "iri"
    kinds = [k for k in Kind if lexicon.knows(k, value)]
    return f"term:{kinds[0].value}" if len(kinds) == 1 else "string"


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
            param = Param(name, _undeclared_kind(value, lexicon), "")
        if param is None:
            takes = ", ".join(declared) or "no parameters"
            raise QueryError(f"{query.name}: unknown parameter {name!r} (it takes {takes})")
        bound[Variable(name)] = _term_value(param, value, lexicon, store)
    return bound


_SELECT = re.compile(r"\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?(?!\*)", re.I)


_GROUP_BY = re.compile(r"\bGROUP\s+BY\s+", re.I)


def _projected(text: str, names: list[str]) -> str:
    """The query with parameters it binds but does not project added to its SELECT list (and
    to its last GROUP BY, which a variable bound to one value does not change): the store
    substitutes only projected variables (the added columns are dropped again)."""
    added = "".join(f"?{n} " for n in names)
    groups = list(_GROUP_BY.finditer(text))
    if groups:
        at = groups[-1].end()
        text = text[:at] + added + text[at:]
    for match in _SELECT.finditer(text):
        line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        if "#" not in line:
            return text[: match.end()] + added + text[match.end() :]
    return text


def _execute(
    store: Store, query: NamedQuery, bound: dict[Variable, Term]
) -> tuple[object, set[str]]:
    """The store's answer, and the parameter columns added to let the store bind them."""
    subs: dict[Variable, NamedNode | BlankNode | Literal | Triple] = dict(bound)
    text, added = query.text, set[str]()
    for _ in range(2):
        try:
            return store.query(text, use_default_graph_as_union=True, substitutions=subs), added
        except SyntaxError as exc:
            raise QueryError(f"{query.path}: SPARQL syntax error: {exc}") from None
        except RuntimeError as exc:  # a parameter the query does not project
            missing = re.findall(r"variable \?(\w+) in its SELECT projection", str(exc))
            if added or not missing:
                raise QueryError(f"{query.path}: {exc}") from None
            added = {v.value for v in bound} - set(_projection(query.text))
            text = _projected(query.text, sorted(added))
    raise QueryError(f"{query.path}: parameters {', '.join(sorted(added))} cannot be bound here")


def _projection(text: str) -> list[str]:
    """The variables a SELECT projects, read by rdflib's SPARQL parser."""
    try:
        algebra = prepareQuery(text).algebra
    except Exception:
        return []
    return [str(v) for v in algebra.get("PV") or []]


def _cell(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        if term.value.startswith(ID):  # a study or report of this build: its stable tail
            return term.value.removeprefix(ID)
        return ids.compress(term.value)
    if isinstance(term, Literal):
        return term.value
    return str(term)


def _without(result: QuerySolutions, added: set[str]) -> QuerySolutions:
    """The solutions without the columns added for binding."""
    data = json.loads(result.serialize(format=QueryResultsFormat.JSON) or b"{}")
    data["head"]["vars"] = [v for v in data["head"]["vars"] if v not in added]
    for row in data["results"]["bindings"]:
        for name in added:
            row.pop(name, None)
    rows = parse_query_results(json.dumps(data).encode(), QueryResultsFormat.JSON)
    if not isinstance(rows, QuerySolutions):
        raise QueryError("query results could not be re-read without the parameter columns")
    return rows


def _answer(store: Store, query: NamedQuery, bound: dict[Variable, Term]) -> object:
    result, added = _execute(store, query, bound)
    if added and isinstance(result, QuerySolutions):
        return _without(result, added)
    return result


def run_query(store: Store, query: NamedQuery, bound: dict[Variable, Term]) -> QueryResult:
    """Run a query and return its answer as text cells: rows, a boolean, or triples."""
    result = _answer(store, query, bound)
    if isinstance(result, QueryBoolean):
        return QueryResult(("answer",), ((str(bool(result)).lower(),),), bool(result))
    if isinstance(result, QueryTriples):
        spo = sorted(
            tuple(_cell(t) or "" for t in (x.subject, x.predicate, x.object)) for x in result
        )
        return QueryResult(("subject", "predicate", "object"), tuple(spo))
    if not isinstance(result, QuerySolutions):
        raise QueryError(f"{query.path.name}: the store gave no result")
    names = tuple(v.value for v in result.variables)
    rows = tuple(tuple(_cell(solution[n]) for n in names) for solution in result)
    return QueryResult(names, rows)


def serialize_query(
    store: Store, query: NamedQuery, bound: dict[Variable, Term], fmt: OutputFormat
) -> bytes:
    """Run a query and write its answer in ``fmt``: SPARQL 1.1 JSON, CSV, TSV or XML results
    for SELECT (and JSON or XML for ASK, which CSV and TSV do not define), Turtle or N-Triples
    for the graph of CONSTRUCT and DESCRIBE."""
    result = _answer(store, query, bound)
    if isinstance(result, QueryTriples):
        if fmt not in _GRAPHS:
            raise QueryError(
                f"{query.path.name}: a graph result is written as ttl or nt, not {fmt}"
            )
        out = io.BytesIO()
        serialize(sorted(result, key=str), out, _GRAPHS[fmt], prefixes=PREFIXES)
        return out.getvalue()
    if fmt in _GRAPHS:
        raise QueryError(f"{query.path.name}: {fmt} is for CONSTRUCT and DESCRIBE results")
    if isinstance(result, QueryBoolean) and fmt not in (OutputFormat.JSON, OutputFormat.XML):
        raise QueryError(f"{query.path.name}: SPARQL 1.1 writes ASK results in json or xml only")
    if not isinstance(result, QuerySolutions | QueryBoolean) or fmt not in _RESULTS:
        raise QueryError(f"{query.path.name}: cannot write this result as {fmt}")
    return result.serialize(format=_RESULTS[fmt]) or b""


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
