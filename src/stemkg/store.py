"""The embedded on-disk store (pyoxigraph), atomic file writes, and the build lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, serialize

from stemkg.errors import BuildLockedError, InputError, OutputError
from stemkg.resources import ontology_file
from stemkg.vocab import DCTERMS, OBO, ONTOLOGY_GRAPH, PROV, RDF, RDFS, SKOS, VOCAB, XSD

__all__ = [
    "ONTOLOGY_FILES",
    "PREFIXES",
    "STORE_DIR",
    "atomic_write",
    "build_lock",
    "load_ontology",
    "open_store",
    "sorted_quads",
    "write_trig",
    "write_turtle",
]

STORE_DIR = "store"
ONTOLOGY_FILES = ("stemkg.ttl", "local-terms.ttl", "terms.ttl", "route-groups.ttl")
PREFIXES = {
    "stemkg": VOCAB,
    "obo": OBO,
    "prov": PROV,
    "dcterms": DCTERMS,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "owl": "http://www.w3.org/2002/07/owl#",
}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[IO[bytes]]:
    """Write to a temporary file beside ``path`` and rename it into place only on success;
    the file gets the usual permissions (0666 less the umask), not a temporary file's 0600."""
    if path.is_dir():
        raise OutputError(path, "is a folder; give a file name to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise OutputError(path, f"cannot be written ({exc.strerror})") from None
    tmp = Path(handle.name)
    try:
        with handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(path, f"cannot be written ({exc.strerror})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir/.lock`` for the length of a build; a second build is refused."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = (out_dir / ".lock").open("a")
    except OSError as exc:
        raise OutputError(out_dir, f"cannot be written ({exc.strerror})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLockedError(
                f"{out_dir}: another build is running (it holds .lock)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_store(out_dir: Path) -> Store:
    """The store of a finished build, read-only."""
    path = out_dir / STORE_DIR
    if not path.is_dir():
        raise InputError(out_dir, "no build here (run `stemkg build` first)")
    try:
        return Store.read_only(str(path))
    except OSError as exc:
        raise InputError(path, f"store cannot be opened ({exc})") from None


def load_ontology(store: Store) -> None:
    """Load the vocabulary and the ontology extracts into their own named graph."""
    graph = NamedNode(ONTOLOGY_GRAPH)
    for name in ONTOLOGY_FILES:
        path = ontology_file(name)
        if path.is_file():
            store.load(path=str(path), format=RdfFormat.TURTLE, to_graph=graph)


def sorted_quads(store: Store) -> list[Quad]:
    """Every quad, sorted by graph, subject, predicate, object: the order of our outputs."""
    return sorted(
        store.quads_for_pattern(None, None, None, None),
        key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)),
    )


def write_trig(quads: Iterable[Quad], path: Path) -> None:
    """The named graphs as TriG, atomically."""
    with atomic_write(path) as out:
        serialize(quads, out, RdfFormat.TRIG, prefixes=PREFIXES)


def write_turtle(quads: Iterable[Quad], path: Path) -> None:
    """The union of the graphs as Turtle (each triple once), atomically."""
    triples = dict.fromkeys(Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads)
    with atomic_write(path) as out:
        serialize((q.triple for q in triples), out, RdfFormat.TURTLE, prefixes=PREFIXES)


def replace_dir(new: Path, target: Path) -> None:
    """Swap a freshly built folder into place; the old one is removed only after the swap."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
