"""Readers: one module per input format, chosen by one table (``Format``).

A reader turns a file into ``Loaded`` units: one per source (a curated record file, or one
article of a multi-article page), each with its key, content hash and parsed records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from stemkg.errors import InputError
from stemkg.lexicon import Lexicon
from stemkg.sources.common import Loaded

__all__ = ["Format", "Loaded", "discover", "read_file"]


@dataclass(frozen=True, slots=True)
class _Spec:
    name: str
    suffixes: tuple[str, ...]
    media_type: str
    reader: Callable[[Path, Lexicon], list[Loaded]] | None


def _records(path: Path, lexicon: Lexicon) -> list[Loaded]:
    from stemkg.sources.records import read_records

    return read_records(path, lexicon)


class Format(Enum):
    """Every input format stemkg knows, with its suffixes, media type and reader."""

    YAML_RECORD = _Spec("yaml record", (".yaml", ".yml"), "application/yaml", _records)
    JSON_RECORD = _Spec("json record", (".json",), "application/json", _records)
    XML = _Spec("xml", (".xml",), "application/xml", None)

    @classmethod
    def from_path(cls, path: Path) -> Format:
        """The format a file's suffix names; unknown suffixes are an ``InputError``."""
        suffix = path.suffix.lower()
        for member in cls:
            if suffix in member.value.suffixes:
                return member
        known = ", ".join(s for m in cls if m.value.reader for s in m.value.suffixes)
        shown = suffix or "(no suffix)"
        raise InputError(path, f"unsupported format {shown!r}; stemkg reads {known}")


def read_file(path: Path, lexicon: Lexicon) -> list[Loaded]:
    """Every source in one file; raises ``InputError`` naming the file and the problem."""
    spec = Format.from_path(path).value
    if spec.reader is None:
        raise InputError(path, f"unsupported format: stemkg has no {spec.name} reader yet")
    if not path.is_file():
        raise InputError(path, "no such file")
    return spec.reader(path, lexicon)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files under the given files and folders, sorted, hidden ones skipped."""
    for path in paths:
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
        else:
            yield path
