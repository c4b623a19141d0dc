"""Where the package's data lives: ontology, shapes, lexicon and named queries.

An installed wheel carries them under ``stemkg/_data``; a development checkout reads them
from the repository's top level, so both work from any working directory.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

__all__ = ["data_dir", "ontology_file", "queries_dir"]


@cache
def data_dir() -> Path:
    """The folder holding ``ontology/`` and ``queries/``."""
    packaged = Path(str(files("stemkg"))) / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


def ontology_file(name: str) -> Path:
    """A file in ``ontology/`` (``stemkg.ttl``, ``shapes.ttl``, ``lexicon.tsv``, ...)."""
    return data_dir() / "ontology" / name


def queries_dir() -> Path:
    """The folder of named ``.rq`` queries."""
    return data_dir() / "queries"
