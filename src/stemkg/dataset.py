"""A VoID and DCAT description of a build, in its own named graph: title, licence, version,
the sources it was built from and its size, so a harvester (or a SPARQL user) can tell what a
build is without reading it. No time is recorded: the same inputs give the same description.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, metadata

from pyoxigraph import Literal, NamedNode, Quad

from stemkg import ids
from stemkg.vocab import DCTERMS, ID, PROV, RDF, VOCAB, XSD, C

__all__ = ["DATASET", "DATASET_GRAPH", "DCAT", "VOID", "describe"]

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DATASET = ID + "dataset"
DATASET_GRAPH = ID + "graph/dataset"
TITLE = "stemkg: stem-cell therapy evidence knowledge graph"
_SPDX = "https://spdx.org/licenses/"
_PARTITIONS = (C.Study, C.StudyReport, C.Source, C.GradeAssignment)


def _package() -> tuple[str | None, str | None]:
    """The licence (SPDX id) and summary the installed package declares."""
    try:
        meta = metadata("stemkg")
    except PackageNotFoundError:
        return None, None
    return meta["License-Expression"] or meta["License"], meta["Summary"]


def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(XSD + "integer"))


def _count(graphs: Mapping[str, Sequence[Quad]]) -> tuple[int, int, dict[str, int]]:
    """Triples, entities (IRIs minted by stemkg in subject position) and instances per class."""
    triples = 0
    entities: set[str] = set()
    members: dict[str, set[str]] = {c: set() for c in _PARTITIONS}
    type_ = NamedNode(RDF + "type")
    for quads in graphs.values():
        triples += len({q.triple for q in quads})
        for q in quads:
            if isinstance(q.subject, NamedNode) and q.subject.value.startswith(ID):
                entities.add(q.subject.value)
                obj = q.object
                if q.predicate == type_ and isinstance(obj, NamedNode) and obj.value in members:
                    members[obj.value].add(q.subject.value)
    return triples, len(entities), {c: len(m) for c, m in members.items()}


def describe(
    graphs: Mapping[str, Sequence[Quad]], source_keys: Iterable[str], version: str
) -> list[Quad]:
    """The dataset graph of a build whose data graphs (source and grades graphs) are ``graphs``;
    ``void:triples`` counts their distinct triples per graph, summed."""
    graph, node = NamedNode(DATASET_GRAPH), NamedNode(DATASET)
    licence, summary = _package()
    triples, entities, partitions = _count(graphs)
    values: list[tuple[str, NamedNode | Literal]] = [
        (RDF + "type", NamedNode(VOID + "Dataset")),
        (RDF + "type", NamedNode(DCAT + "Dataset")),
        (DCTERMS + "title", Literal(TITLE)),
        (DCAT + "version", Literal(version)),
        (VOID + "triples", _integer(triples)),
        (VOID + "entities", _integer(entities)),
        (VOID + "uriSpace", Literal(ID)),
        (VOID + "vocabulary", NamedNode(VOCAB)),
        (PROV + "wasGeneratedBy", NamedNode(ids.software_iri(version))),
    ]
    if licence:
        values.append((DCTERMS + "license", NamedNode(_SPDX + licence)))
    if summary:
        values.append((DCTERMS + "description", Literal(summary)))
    values += [(DCTERMS + "source", NamedNode(ids.source_iri(k))) for k in sorted(source_keys)]
    quads = [Quad(node, NamedNode(p), o, graph) for p, o in values]
    for cls, count in sorted(partitions.items()):
        part = NamedNode(f"{DATASET}/class/{cls.rsplit('/', 1)[-1]}")
        quads += [
            Quad(node, NamedNode(VOID + "classPartition"), part, graph),
            Quad(part, NamedNode(VOID + "class"), NamedNode(cls), graph),
            Quad(part, NamedNode(VOID + "entities"), _integer(count), graph),
        ]
    return quads
