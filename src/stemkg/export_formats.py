"""More writers for ``stemkg export``: GEXF and CSV for a network, JSON-LD and the RDF syntaxes
for the whole build.

Network writers take a projection from ``stemkg.export.network``; build writers read the store.
Every writer sorts what it writes, so the same build gives the same bytes, and writes
atomically (a temporary file or folder renamed into place).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import rdflib
from networkx.readwrite.gexf import GEXFWriter
from pyoxigraph import DefaultGraph, Quad, RdfFormat, Store, serialize

from stemkg.errors import OutputError
from stemkg.resources import ontology_file
from stemkg.store import atomic_write, sorted_quads, write_trig, write_turtle

__all__ = ["CSV_FILES", "RDF_FORMATS", "write_csv", "write_gexf", "write_rdf"]

CSV_FILES = ("nodes.csv", "edges.csv", "csv-metadata.json")
"""What ``write_csv`` puts in its folder: two tables and their CSVW column types."""

RDF_FORMATS = ("jsonld", "nt", "nq", "trig", "ttl")
"""The serialisations of the whole build (not of a network view)."""

_CSVW_TYPES = {bool: "boolean", int: "integer", float: "double", str: "string"}


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> None:
    """GEXF 1.2 (Gephi's own format): each attribute declared once with its type (integers as
    ``long``, decimals as ``double``), the edge id our unique key, no date stamp."""
    copy = nx.MultiDiGraph()
    copy.add_nodes_from(graph.nodes(data=True))
    for u, v, key, data in graph.edges(keys=True, data=True):
        copy.add_edge(u, v, key=key, id=key, **data)
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(copy)
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)  # a date would make two exports differ
    _drop_networkx_key(writer)
    with atomic_write(path) as handle:
        writer.write(handle)


def _drop_networkx_key(writer: GEXFWriter) -> None:
    """networkx copies a multigraph's edge key into a ``networkx_key`` attribute; ours is the
    edge id already."""
    attr_id = writer.attr["edge"]["static"].get("networkx_key")
    for attributes in writer.xml.iter("attributes"):
        for declared in [a for a in attributes if a.get("id") == attr_id]:
            attributes.remove(declared)
    for values in writer.xml.iter("attvalues"):
        for value in [v for v in values if v.get("for") == attr_id]:
            values.remove(value)


def _columns(items: list[dict[str, Any]], first: tuple[str, ...]) -> list[tuple[str, str]]:
    """Column names (the fixed ones first, then the rest sorted) with their CSVW datatypes."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            types.setdefault(name, _CSVW_TYPES.get(type(value), "string"))
    rest = sorted(set(types) - set(first))
    return [(name, types.get(name, "string")) for name in (*first, *rest)]


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name, _ in columns])
    return text.getvalue().encode("utf-8")


def _csv_tables(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """nodes.csv, edges.csv and a CSVW ``csv-metadata.json`` that types every column."""
    nodes = [{"id": n, **d} for n, d in sorted(graph.nodes(data=True))]
    edges = [
        {"id": k, "source": u, "target": v, **d}
        for u, v, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: e[2])
    ]
    node_columns = _columns(nodes, ("id", "label", "kind"))
    edge_columns = _columns(edges, ("id", "source", "target", "label"))
    tables = []
    for name, columns, key in (
        ("nodes.csv", node_columns, ["id"]),
        ("edges.csv", edge_columns, ["id"]),
    ):
        schema: dict[str, Any] = {
            "columns": [{"name": c, "titles": c, "datatype": t} for c, t in columns],
            "primaryKey": key,
        }
        if name == "edges.csv":
            schema["foreignKeys"] = [
                {
                    "columnReference": end,
                    "reference": {"resource": "nodes.csv", "columnReference": "id"},
                }
                for end in ("source", "target")
            ]
        tables.append({"url": name, "tableSchema": schema})
    meta = {"@context": "http://www.w3.org/ns/csvw", "tables": tables}
    return {
        "nodes.csv": _table(nodes, node_columns),
        "edges.csv": _table(edges, edge_columns),
        "csv-metadata.json": (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode(),
    }


def write_csv(graph: nx.MultiDiGraph, folder: Path) -> None:
    """A folder of nodes.csv and edges.csv (one row per node or edge, one column per attribute)
    with a CSV on the Web ``csv-metadata.json`` declaring each column's type. The folder is
    built beside ``folder`` and swapped in whole; a folder holding other files is refused."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "is a file; CSV export writes a folder (nodes.csv, edges.csv)")
    if folder.is_dir() and any(p.name not in CSV_FILES for p in folder.iterdir()):
        raise OutputError(folder, f"holds other files than {', '.join(CSV_FILES)}; not replaced")
    with _new_folder(folder) as tmp:
        for name, data in _csv_tables(graph).items():
            (tmp / name).write_bytes(data)


@contextlib.contextmanager
def _new_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target`` that replaces it on success and is removed on
    failure, so a reader never sees half an export."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    except OSError as exc:
        raise OutputError(target, f"cannot be written ({exc.strerror})") from None
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        yield tmp
        old = target.with_name(f".{target.name}.old")
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise OutputError(target, f"cannot be written ({exc.strerror})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _triples(store: Store) -> Iterator[Quad]:
    """Every triple of the build once (the union of its graphs), sorted."""
    unique = {Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in sorted_quads(store)}
    yield from sorted(unique, key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))


def _canonical(value: Any, key: str = "") -> Any:
    """JSON-LD with every unordered array sorted (an ``@list`` keeps its order)."""
    if isinstance(value, dict):
        return {k: _canonical(v, k) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return items if key == "@list" else sorted(items, key=lambda v: json.dumps(v))
    return value


def _jsonld(store: Store) -> bytes:
    """The build's named graphs as JSON-LD compacted with ``ontology/context.jsonld``."""
    nquads = io.BytesIO()
    serialize(sorted_quads(store), nquads, RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads.getvalue().decode("utf-8"), format="nquads")
    context = json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))
    text = dataset.serialize(format="json-ld", context=context["@context"], auto_compact=True)
    document = _canonical(json.loads(text))
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_rdf(store: Store, fmt: str, path: Path) -> None:
    """The whole build as JSON-LD, N-Triples (the union of the graphs), N-Quads, TriG or Turtle
    (the union), sorted, atomically."""
    if fmt not in RDF_FORMATS:
        raise ValueError(f"not an RDF format: {fmt!r}; one of {', '.join(RDF_FORMATS)}")
    if fmt == "trig":
        write_trig(sorted_quads(store), path)
    elif fmt == "ttl":
        write_turtle(sorted_quads(store), path)
    elif fmt == "jsonld":
        data = _jsonld(store)
        with atomic_write(path) as handle:
            handle.write(data)
    elif fmt == "nq":
        with atomic_write(path) as handle:
            serialize(sorted_quads(store), handle, RdfFormat.N_QUADS)
    else:
        with atomic_write(path) as handle:
            serialize((q.triple for q in _triples(store)), handle, RdfFormat.N_TRIPLES)
