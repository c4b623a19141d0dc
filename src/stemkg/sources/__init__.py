"""Readers: one module per input format, chosen by one table (``Format``).

A record reader yields ``Loaded`` sources (curated or drafted records, ready to map); a text
reader yields ``Document``s (articles, for ``extract``). Both come back in ``FileContents``
with the warnings met on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from stemkg.errors import InputError
from stemkg.lexicon import Lexicon
from stemkg.sources.common import Loaded
from stemkg.sources.document import Document, ReadResult

__all__ = ["Document", "FileContents", "Format", "Loaded", "discover", "read_file"]


@dataclass(frozen=True, slots=True)
class FileContents:
    """What one file holds: record sources, article documents, and reading warnings."""

    path: Path
    records: tuple[Loaded, ...] = ()
    documents: tuple[Document, ...] = ()
    warnings: tuple[str, ...] = ()


Reader = Callable[[Path, Lexicon], FileContents]


def _records(path: Path, lexicon: Lexicon) -> FileContents:
    from stemkg.sources.records import read_records

    loaded, notes = read_records(path, lexicon)
    return FileContents(path, records=tuple(loaded), warnings=tuple(notes))


def _articles(read: Callable[[Path], ReadResult]) -> Reader:
    def reader(path: Path, lexicon: Lexicon) -> FileContents:
        result = read(path)
        return FileContents(path, documents=result.documents, warnings=result.warnings)

    return reader


def _text(path: Path) -> ReadResult:
    from stemkg.sources.text import read_text

    return read_text(path)


def _markdown(path: Path) -> ReadResult:
    from stemkg.sources.markdown import read_markdown

    return read_markdown(path)


def _html(path: Path) -> ReadResult:
    from stemkg.sources.html import read_html

    return read_html(path)


@dataclass(frozen=True, slots=True)
class _Spec:
    name: str
    suffixes: tuple[str, ...]
    media_type: str
    reader: Reader | None


class Format(Enum):
    """Every input format stemkg knows, with its suffixes, media type and reader."""

    YAML_RECORD = _Spec("yaml record", (".yaml", ".yml"), "application/yaml", _records)
    JSON_RECORD = _Spec("json record", (".json",), "application/json", _records)
    TEXT = _Spec("plain text", (".txt", ".text"), "text/plain", _articles(_text))
    MARKDOWN = _Spec("markdown", (".md", ".markdown"), "text/markdown", _articles(_markdown))
    HTML = _Spec("html", (".html", ".htm"), "text/html", _articles(_html))
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


def read_file(path: Path, lexicon: Lexicon) -> FileContents:
    """Every source or article in one file; raises ``InputError`` naming file and problem."""
    spec = Format.from_path(path).value
    if spec.reader is None:
        raise InputError(path, f"unsupported format: stemkg has no {spec.name} reader yet")
    if not path.is_file():
        raise InputError(path, "no such file")
    return spec.reader(path, lexicon)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def discover(paths: list[Path]) -> Iterator[Path]:
    """Files under the given files and folders, sorted, hidden ones skipped, each once."""
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise InputError(path, "no such file or folder")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
        else:
            found = [path]
        for file in found:
            if file.resolve() not in seen:  # a file named twice, or inside a named folder
                seen.add(file.resolve())
                yield file
