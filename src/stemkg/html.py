"""An offline evidence browser: one self-contained HTML file from a finished build.

The page shows the evidence network (studies and the conditions, cell types, routes and
outcome measures their reports name) as an SVG drawn by a few lines of inline JavaScript,
and, for a clicked study, its reports side by side with the quoted sentences (source and
character offsets) that support each value, and its evidence grade when the build has one.
Nothing is fetched: the script, the style and the data (JSON in a
``<script type="application/json">``) are inline, and a Content-Security-Policy with the
hashes of the inline script and style forbids every other load. The layout is a
Fruchterman-Reingold force layout computed here in plain Python from a fixed start, so the
same build gives the same bytes (networkx's layouts need numpy, which stemkg does not use).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from stemkg import ids
from stemkg.store import atomic_write
from stemkg.vocab import DCTERMS, PROV, RDF, RDFS, VOCAB

__all__ = ["KINDS", "BrowserSummary", "browser_data", "render_html", "write_html"]

KINDS = ("study", "condition", "cell_type", "route", "outcome")
"""The node kinds of the network, in the order of the legend."""

_PREFIX = (
    f"PREFIX stemkg: <{VOCAB}>\nPREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\n"
    f"PREFIX prov: <{PROV}>\nPREFIX dcterms: <{DCTERMS}>\n"
)
_STUDIES = """SELECT ?study ?key ?title WHERE {
  ?study a stemkg:Study . OPTIONAL { ?study stemkg:studyKey ?key }
  OPTIONAL { ?study dcterms:title ?title } }"""
_EDGES = """SELECT DISTINCT ?study ?kind ?term WHERE {
  ?report a stemkg:StudyReport ; stemkg:aboutStudy ?study .
  { ?report stemkg:condition ?term . BIND("condition" AS ?kind) }
  UNION { ?arm stemkg:armOf ?report ; stemkg:therapy/stemkg:cellType ?term .
          BIND("cell_type" AS ?kind) }
  UNION { ?arm stemkg:armOf ?report ; stemkg:therapy/stemkg:route ?term .
          BIND("route" AS ?kind) }
  UNION { ?outcome stemkg:outcomeOf ?report ; stemkg:measure ?term .
          BIND("outcome" AS ?kind) } }"""
_REPORTS = """SELECT ?study ?report ?source ?title ?kind ?year ?venue ?url WHERE {
  ?report a stemkg:StudyReport ; stemkg:aboutStudy ?study ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?source dcterms:title ?title } OPTIONAL { ?source stemkg:sourceKind ?kind }
  OPTIONAL { ?source stemkg:year ?year } OPTIONAL { ?source stemkg:venue ?venue }
  OPTIONAL { ?source stemkg:url ?url } }"""
_EVIDENCE = """SELECT ?report ?subject ?predicate ?object ?quote ?start ?end ?locator WHERE {
  ?ev a stemkg:ValueEvidence ; rdf:subject ?subject ; rdf:predicate ?predicate ;
      rdf:object ?object .
  { ?subject a stemkg:StudyReport . BIND(?subject AS ?report) }
  UNION { ?subject stemkg:armOf ?report }
  UNION { ?arm stemkg:armOf ?report ; stemkg:therapy ?subject }
  UNION { ?subject stemkg:outcomeOf ?report }
  UNION { ?subject stemkg:plannedMeasureOf ?report }
  OPTIONAL { ?ev stemkg:quote ?quote } OPTIONAL { ?ev stemkg:start ?start }
  OPTIONAL { ?ev stemkg:end ?end } OPTIONAL { ?ev stemkg:locator ?locator } }"""
_GRADES = """SELECT ?study ?level ?rule WHERE {
  ?study stemkg:evidenceGrade ?grade . ?grade stemkg:gradeLevel ?level .
  OPTIONAL { ?grade stemkg:gradingRule ?rule } }"""
_LABELS = "SELECT ?s ?label WHERE { ?s rdfs:label ?label }"

_WIDTH, _HEIGHT, _MARGIN, _LABEL = 1000.0, 700.0, 30.0, 150.0  # room for labels on the right


@dataclass(frozen=True)
class BrowserSummary:
    """What a written page holds, for the CLI's one-line report."""

    studies: int
    terms: int
    edges: int
    quotes: int
    size: int


def _rows(store: Store, text: str) -> list[dict[str, object]]:
    result = store.query(_PREFIX + text, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in result]


def _text(term: object, labels: dict[str, str]) -> str:
    """A value as a reader sees it: a literal's text, a term's label or its CURIE."""
    if isinstance(term, Literal):
        return term.value
    iri = term.value if isinstance(term, NamedNode) else str(term)
    return labels.get(iri) or ids.compress(iri)


def _iri(term: object) -> str:
    return term.value if isinstance(term, NamedNode) else str(term)


def _labels(store: Store) -> dict[str, str]:
    """One label per IRI (the smallest, so a term labelled twice is stable)."""
    labels: dict[str, str] = {}
    for row in _rows(store, _LABELS):
        iri, label = _iri(row["s"]), _text(row["label"], {})
        if iri not in labels or label < labels[iri]:
            labels[iri] = label
    return labels


def _nodes(
    store: Store, labels: dict[str, str]
) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """Studies and the terms their reports name, each once, and study-term edges."""
    studies = {_iri(r["study"]): r for r in _rows(store, _STUDIES)}
    terms: dict[str, str] = {}
    pairs: set[tuple[str, str]] = set()
    for row in _rows(store, _EDGES):
        term, kind = _iri(row["term"]), _text(row["kind"], {})
        terms[term] = min(kind, terms.get(term, kind), key=KINDS.index)
        pairs.add((_iri(row["study"]), term))
    nodes: list[dict[str, Any]] = []
    for iri in sorted(studies):
        row = studies[iri]
        key = _text(row["key"], {}) if "key" in row else ids.compress(iri)
        title = _text(row["title"], {}) if "title" in row else key
        nodes.append({"id": iri, "kind": "study", "label": key, "title": title})
    for iri in sorted(terms, key=lambda t: (KINDS.index(terms[t]), t)):
        label = labels.get(iri) or ids.compress(iri)
        nodes.append({"id": iri, "kind": terms[iri], "label": label, "title": label})
    index = {node["id"]: i for i, node in enumerate(nodes)}
    edges = sorted((index[s], index[t]) for s, t in pairs if s in index)
    return nodes, edges


def _layout(kinds: list[str], edges: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """Fruchterman-Reingold from a fixed start (studies inside, terms on a ring): the same
    graph always lands on the same coordinates, rounded so that floats print the same."""
    n = len(kinds)
    if n == 0:
        return []
    pos = [
        (
            (0.4 if kind == "study" else 1.0) * math.cos(2 * math.pi * i / n),
            (0.4 if kind == "study" else 1.0) * math.sin(2 * math.pi * i / n),
        )
        for i, kind in enumerate(kinds)
    ]
    k = 2.0 / math.sqrt(n)
    steps = max(2, min(150, 24_000_000 // (n * n)))  # O(n^2) a step: bound the whole work
    for step in range(steps):
        pos = _step(pos, edges, k, 0.1 * (1 - step / steps) + 0.002)
    xs, ys = [p[0] for p in pos], [p[1] for p in pos]
    sx = (_WIDTH - 2 * _MARGIN - _LABEL) / ((max(xs) - min(xs)) or 1.0)
    sy = (_HEIGHT - 2 * _MARGIN) / ((max(ys) - min(ys)) or 1.0)
    return [
        (round(_MARGIN + (x - min(xs)) * sx, 1), round(_MARGIN + (y - min(ys)) * sy, 1))
        for x, y in pos
    ]


def _step(
    pos: list[tuple[float, float]], edges: list[tuple[int, int]], k: float, limit: float
) -> list[tuple[float, float]]:
    """One move: every pair repels, every edge attracts, a weak pull keeps islands near."""
    n = len(pos)
    dx, dy = [0.0] * n, [0.0] * n
    for i in range(n):
        xi, yi = pos[i]
        for j in range(i + 1, n):
            ex, ey = xi - pos[j][0], yi - pos[j][1]
            d2 = max(ex * ex + ey * ey, 1e-6)
            f = k * k / d2
            dx[i] += ex * f
            dy[i] += ey * f
            dx[j] -= ex * f
            dy[j] -= ey * f
    for i, j in edges:
        ex, ey = pos[i][0] - pos[j][0], pos[i][1] - pos[j][1]
        f = math.sqrt(ex * ex + ey * ey) / k
        dx[i] -= ex * f
        dy[i] -= ey * f
        dx[j] += ex * f
        dy[j] += ey * f
    moved = []
    for i, (x, y) in enumerate(pos):
        gx, gy = dx[i] - 0.1 * x / k, dy[i] - 0.1 * y / k
        length = math.sqrt(gx * gx + gy * gy) or 1.0
        scale = min(length, limit) / length
        moved.append((x + gx * scale, y + gy * scale))
    return moved


def _reports(store: Store, labels: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Each study's reports with their source and the sentences that support their values."""
    evidence = _evidence(store, labels)
    by_study: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(store, _REPORTS):
        report = _iri(row["report"])
        quoted, unquoted = evidence.get(report, ({}, []))
        by_study[_iri(row["study"])].append(
            {
                "id": report,
                "source": _iri(row["source"]),
                **{
                    name: _text(row[name], labels)
                    for name in ("title", "kind", "year", "venue", "url")
                    if name in row
                },
                "quotes": [
                    {"quote": q, "start": s, "end": e, "locator": loc, "facts": sorted(facts)}
                    for (s, e, q, loc), facts in sorted(quoted.items(), key=_quote_order)
                ],
                "unquoted": sorted(unquoted),
            }
        )
    return {study: sorted(reps, key=lambda r: r["id"]) for study, reps in by_study.items()}


_Quoted = dict[tuple[int, int, str, str], set[tuple[str, str]]]


def _quote_order(item: tuple[tuple[int, int, str, str], set[tuple[str, str]]]) -> tuple[Any, ...]:
    start, end, quote, locator = item[0]
    return (start, end, quote, locator)


def _evidence(
    store: Store, labels: dict[str, str]
) -> dict[str, tuple[_Quoted, list[tuple[str, str, str]]]]:
    """Per report: quoted sentences with the facts each supports; facts with no quote."""
    out: dict[str, tuple[_Quoted, list[tuple[str, str, str]]]] = {}
    for row in _rows(store, _EVIDENCE):
        quoted, unquoted = out.setdefault(_iri(row["report"]), ({}, []))
        fact = (_text(row["predicate"], labels), _text(row["object"], labels))
        locator = _text(row["locator"], {}) if "locator" in row else ""
        if "quote" in row:
            start = int(_text(row["start"], {})) if "start" in row else -1
            end = int(_text(row["end"], {})) if "end" in row else -1
            key = (start, end, _text(row["quote"], {}), locator)
            quoted.setdefault(key, set()).add(fact)
        elif (*fact, locator) not in unquoted:
            unquoted.append((*fact, locator))
    return out


def _grades(store: Store, labels: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """Each graded study's grades (level and rule); an ungraded build gives none."""
    grades: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows(store, _GRADES):
        grade = {"level": _text(row["level"], labels)}
        if "rule" in row:
            grade["rule"] = _text(row["rule"], labels)
        grades[_iri(row["study"])].append(grade)
    return {study: sorted(g, key=lambda x: sorted(x.items())) for study, g in grades.items()}


def browser_data(store: Store) -> dict[str, Any]:
    """Everything the page shows, as plain JSON-ready data in a fixed order."""
    labels = _labels(store)
    nodes, edges = _nodes(store, labels)
    for node, (x, y) in zip(nodes, _layout([n["kind"] for n in nodes], edges), strict=True):
        node["x"], node["y"] = x, y
    reports, grades = _reports(store, labels), _grades(store, labels)
    studies = {
        node["id"]: {"reports": reports.get(node["id"], []), "grades": grades.get(node["id"], [])}
        for node in nodes
        if node["kind"] == "study"
    }
    return {"kinds": list(KINDS), "nodes": nodes, "edges": edges, "studies": studies}


def _asset(name: str) -> str:
    return files("stemkg").joinpath("browser", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def render_html(data: dict[str, Any]) -> str:
    """The page: template, style, script and data inline; a CSP allows only those."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c")  # no "</script>" can end the data early
    style, script = _asset("browser.css"), _asset("browser.js")
    csp = (
        f"default-src 'none'; script-src '{_sha256(script)}'; "
        f"style-src '{_sha256(style)}'; img-src data:"
    )
    page = _asset("browser.html")
    for marker, text in (
        ("@CSP@", csp),
        ("@STYLE@", style),
        ("@SCRIPT@", script),
        ("@DATA@", payload),  # last: the data is the only text we did not write
    ):
        page = page.replace(marker, text, 1)
    return page


def write_html(store: Store, path: Path) -> BrowserSummary:
    """Write the evidence browser of a build to ``path`` atomically."""
    data = browser_data(store)
    page = render_html(data).encode("utf-8")
    with atomic_write(path) as handle:
        handle.write(page)
    studies = len(data["studies"])
    quotes = sum(len(r["quotes"]) for s in data["studies"].values() for r in s["reports"])
    return BrowserSummary(
        studies=studies,
        terms=len(data["nodes"]) - studies,
        edges=len(data["edges"]),
        quotes=quotes,
        size=len(page),
    )
