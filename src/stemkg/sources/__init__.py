"""Readers: one module per input format, chosen by one table (``Format``).

A record reader yields ``Loaded`` sources (curated or drafted records, ready to map); a text
reader yields ``Document``s (articles, for ``extract``). Both come back in ``FileContents``
with the warnings met on the way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from stemkg.errors import InputError
from stemkg.lexicon import Lexicon
from stemkg.sources import xmlread
from stemkg.sources.common import Loaded
from stemkg.sources.document import Document, ReadResult
from stemkg.sources.registry import Trial
from stemkg.sources.xmlread import head, root_name

if TYPE_CHECKING:
    from stemkg.corrections import Corrections

__all__ = [
    "Document",
    "FileContents",
    "Format",
    "Loaded",
    "Trial",
    "detect",
    "discover",
    "read_file",
]


@dataclass(frozen=True, slots=True)
class FileContents:
    """What one file holds: record sources, article documents, registry trials (mapped to
    records by extraction) and reading warnings. ``documents`` may be a stream (a MEDLINE
    baseline file holds tens of thousands): iterate it once."""

    path: Path
    records: tuple[Loaded, ...] = ()
    documents: Iterable[Document] = ()
    warnings: tuple[str, ...] = ()
    trials: tuple[Trial, ...] = ()
    corrections: tuple[Corrections, ...] = ()


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


def _corrections(path: Path, lexicon: Lexicon) -> FileContents:
    from stemkg.corrections import read_corrections

    return FileContents(path, corrections=(read_corrections(path),))


def _pubmed(path: Path, lexicon: Lexicon) -> FileContents:
    from stemkg.sources.pubmed import citations

    root = root_name(head(path)) or ""
    return FileContents(path, documents=citations(path, root))


def _ris(path: Path) -> ReadResult:
    from stemkg.sources.citations import read_ris

    return read_ris(path)


def _medline(path: Path) -> ReadResult:
    from stemkg.sources.citations import read_medline

    return read_medline(path)


def _registry_json(path: Path, lexicon: Lexicon) -> FileContents:
    from stemkg.sources.registry import read_json

    return FileContents(path, trials=read_json(path))


def _registry_xml(path: Path, lexicon: Lexicon) -> FileContents:
    from stemkg.sources.registry import read_classic_xml

    return FileContents(path, trials=read_classic_xml(path))


@dataclass(frozen=True, slots=True)
class _Spec:
    name: str
    suffixes: tuple[str, ...]
    media_type: str
    reader: Reader


class Format(Enum):
    """Every input format stemkg knows, with its suffixes, media type and reader."""

    YAML_RECORD = _Spec("yaml record", (".yaml", ".yml"), "application/yaml", _records)
    JSON_RECORD = _Spec("json record", (".json",), "application/json", _records)
    TEXT = _Spec("plain text", (".txt", ".text"), "text/plain", _articles(_text))
    MARKDOWN = _Spec("markdown", (".md", ".markdown"), "text/markdown", _articles(_markdown))
    HTML = _Spec("html", (".html", ".htm"), "text/html", _articles(_html))
    PUBMED_XML = _Spec("PubMed XML", (".xml",), "application/xml", _pubmed)
    REGISTRY_JSON = _Spec("ClinicalTrials.gov JSON", (".json",), "application/json", _registry_json)
    REGISTRY_XML = _Spec("ClinicalTrials.gov XML", (".xml",), "application/xml", _registry_xml)
    RIS = _Spec("RIS citations", (".ris",), "application/x-research-info-systems", _articles(_ris))
    CORRECTIONS = _Spec("curator corrections", (".yaml", ".yml"), "application/yaml", _corrections)
    MEDLINE = _Spec(
        "MEDLINE citations", (".nbib", ".medline"), "application/nbib", _articles(_medline)
    )

    @classmethod
    def from_path(cls, path: Path) -> Format:
        """The format a file's name says (``.gz`` looked through), before its content is
        seen; unknown suffixes are an ``InputError``."""
        suffix = _suffix(path)
        for member in cls:
            if suffix in member.value.suffixes:
                return member
        known = ", ".join(dict.fromkeys(s for m in cls for s in m.value.suffixes))
        shown = suffix or "(no suffix)"
        raise InputError(
            path, f"unsupported format {shown!r}; stemkg reads {known} (and .gz of .xml, .json)"
        )


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        return suffixes[-2] if len(suffixes) > 1 else ""
    return path.suffix.lower()


_XML_ROOTS = {
    "PubmedArticleSet": Format.PUBMED_XML,
    "MedlineCitationSet": Format.PUBMED_XML,
    "clinical_study": Format.REGISTRY_XML,
}
_REGISTRY_KEYS = re.compile(
    rb'"(?:protocolSection|FullStudiesResponse|ProtocolSection|studies)"\s*:'
)
_CORRECTIONS = re.compile(rb"(?m)^corrections:")
"""A YAML file with a top-level ``corrections:`` key is a corrections file, not a record."""
_MEDLINE_START = re.compile(rb"^\s*PMID-\s*\d")
_RIS_START = re.compile(rb"^\s*TY  - ")


def detect(path: Path) -> Format:
    """The format of a file, by its name and, where a suffix is shared, its first bytes:
    ``.xml`` by its root element, ``.json`` by its top-level keys (a registry record, else a
    curated record), ``.txt`` as MEDLINE or RIS citations when it starts as they do."""
    found = Format.from_path(path)
    if found in (Format.PUBMED_XML, Format.JSON_RECORD, Format.TEXT, Format.YAML_RECORD):
        found = _sniffed(path, found, xmlread.head(path))
    if xmlread.gzipped(path) and found not in _STREAMED:
        raise InputError(
            path, f"a gzipped {found.value.name} file; stemkg reads .xml.gz and .json.gz"
        )
    return found


_STREAMED = frozenset({Format.PUBMED_XML, Format.REGISTRY_XML, Format.REGISTRY_JSON})


def _sniffed(path: Path, named: Format, start: bytes) -> Format:
    if not start.strip():
        raise InputError(path, "empty file")
    if named is Format.PUBMED_XML:
        root = xmlread.root_name(start)
        if root in _XML_ROOTS:
            return _XML_ROOTS[root]
        raise InputError(path, _unknown_root(root))
    if named is Format.JSON_RECORD:
        return Format.REGISTRY_JSON if _REGISTRY_KEYS.search(start) else named
    if named is Format.YAML_RECORD:
        return Format.CORRECTIONS if _CORRECTIONS.search(start) else named
    if _MEDLINE_START.match(start):
        return Format.MEDLINE
    if _RIS_START.match(start):
        return Format.RIS
    return named


def _unknown_root(root: str | None) -> str:
    if root is None:
        return "no XML element found; is it XML?"
    if root.casefold() == "html":
        return "root <html>: is this a web page saved as .xml? Save it as .html"
    return (
        f"root <{root}>: not PubMed XML (<PubmedArticleSet>, <MedlineCitationSet>) or a "
        f"ClinicalTrials.gov record (<clinical_study>)"
    )


def read_file(path: Path, lexicon: Lexicon) -> FileContents:
    """Every source or article in one file; raises ``InputError`` naming file and problem."""
    Format.from_path(path)  # an unknown suffix is named before the file is looked for
    if not path.is_file():
        raise InputError(path, "no such file")
    return detect(path).value.reader(path, lexicon)


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
