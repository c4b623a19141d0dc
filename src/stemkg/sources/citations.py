"""Citation exports: RIS (Zotero, EndNote, Mendeley) and PubMed's MEDLINE text (``.nbib``).

Each reference becomes a Document of its title and abstract, as PubMed XML does. RIS is
parsed by ``rispy``. The MEDLINE text format ("PMID- 123", "TI  - ...", six-space continuation
lines) is parsed here: it is NLM's documented tag-line format, and the one PyPI parser for
it (``nbib``) is unmaintained; twenty lines read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import rispy

from stemkg.errors import InputError
from stemkg.ids import slug
from stemkg.model import SourceKind
from stemkg.sources.common import read_bytes
from stemkg.sources.document import Document, ReadResult
from stemkg.sources.pubmed import iso_date, no_study_reason
from stemkg.sources.textutil import SECTION_KINDS, decode, find_ids, single

__all__ = ["parse_medline", "parse_ris", "read_medline", "read_ris"]

_DP = re.compile(r"\s*((?:19|20)\d\d)(?:\s+([A-Za-z]{3})[a-z]*(?:\s+(\d{1,2})\b)?)?")
_RIS_DATE = re.compile(r"\s*((?:19|20)\d\d)(?:[/-](\d{1,2}))?(?:[/-](\d{1,2}))?")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *- ?(.*)$")
_CONTINUATION = re.compile(r"^ {2,}\S")
_LABELS = "|".join(
    sorted((re.escape(x) for ls in SECTION_KINDS.values() for x in ls), key=len, reverse=True)
)
_SECTION = re.compile(rf"(?<=[.!?])\s+(?=(?:{_LABELS}):\s)", re.I)
"""Where a one-paragraph structured abstract starts its next labelled section ("... were
enrolled. Findings: ..." or "... RESULTS: ...")."""


def read_ris(path: Path) -> ReadResult:
    """The references of a RIS file, each with an abstract as one Document."""
    text, warnings = decode(path, read_bytes(path))
    docs, more = parse_ris(text, path)
    return ReadResult(docs, (*warnings, *more))


def read_medline(path: Path) -> ReadResult:
    """The citations of a MEDLINE-format text file (PubMed's "Save as PubMed format")."""
    text, warnings = decode(path, read_bytes(path))
    docs, more = parse_medline(text, path)
    return ReadResult(docs, (*warnings, *more))


def parse_ris(text: str, path: Path) -> tuple[tuple[Document, ...], tuple[str, ...]]:
    """Documents and warnings from RIS text; a file with no ``TY  -`` reference is refused."""
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except Exception as exc:  # rispy raises bare exceptions on a broken tag sequence
        raise InputError(path, f"not a RIS file ({exc})") from None
    if not entries:
        raise InputError(path, "no RIS reference found (a reference starts with 'TY  - ')")
    docs: list[Document] = []
    warnings: list[str] = []
    for n, entry in enumerate(entries, 1):
        doc = _ris_document(entry, n, path)
        if doc is None:
            warnings.append(f"reference {n} has no title; skipped")
        else:
            docs.append(doc)
    return tuple(docs), tuple(warnings)


def _first(entry: dict[str, object], *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _ris_document(entry: dict[str, object], n: int, path: Path) -> Document | None:
    title = _first(entry, "title", "primary_title", "translated_title")
    if not title:
        return None
    abstract = _first(entry, "abstract", "notes_abstract")
    date = _RIS_DATE.match(_first(entry, "date", "publication_year", "year"))
    doi = _first(entry, "doi").removeprefix("https://doi.org/") or None
    pmid = _ris_pmid(entry)
    kind = _first(entry, "type_of_reference")
    keywords = entry.get("keywords")
    return _citation(
        key=f"pmid-{pmid}" if pmid else f"{slug(path.stem)}-{n}",
        title=title,
        abstract=abstract,
        venue=_first(
            entry, "journal_name", "secondary_title", "alternate_title3", "alternate_title1"
        )
        or None,
        date=iso_date(*date.groups()) if date else None,
        pmid=pmid,
        doi=doi,
        types=(kind,) if kind else (),
        keywords=tuple(k for k in keywords if isinstance(k, str))
        if isinstance(keywords, list)
        else (),
    )


def _ris_pmid(entry: dict[str, object]) -> str | None:
    """A PMID from a PubMed-exported RIS (``AN``) or a PubMed URL."""
    accession = _first(entry, "accession_number")
    if accession.isdigit():
        return accession
    urls = entry.get("urls")
    text = " ".join(u for u in urls if isinstance(u, str)) if isinstance(urls, list) else ""
    return single(find_ids(text).pmids)


def parse_medline(text: str, path: Path) -> tuple[tuple[Document, ...], tuple[str, ...]]:
    """Documents from MEDLINE text; a line that is neither a tag nor a continuation names
    its line number."""
    docs: list[Document] = []
    for fields in _medline_records(text, path):
        pmid = _one(fields, "PMID")
        title = _one(fields, "TI") or _one(fields, "BTI")
        if not pmid.isdigit() or not title:
            raise InputError(path, f"a citation without PMID or TI (PMID {pmid or 'missing'})")
        ids = " ".join(fields.get("AID", []) + fields.get("LID", []))
        doi = next((m.group(1) for m in re.finditer(r"(\S+) \[doi\]", ids)), None)
        nct = tuple(v.split("/")[-1] for v in fields.get("SI", []) if "NCT" in v)
        docs.append(
            _citation(
                key=f"pmid-{pmid}",
                title=title,
                abstract=_one(fields, "AB"),
                venue=_one(fields, "JT") or _one(fields, "TA") or None,
                date=_medline_date(_one(fields, "DP")),
                pmid=pmid,
                doi=doi,
                types=tuple(fields.get("PT", [])),
                keywords=tuple(fields.get("MH", [])),
                nct=nct,
            )
        )
    if not docs:
        raise InputError(path, "no MEDLINE citation found (a citation starts with 'PMID- ')")
    return tuple(docs), ()


def _medline_records(text: str, path: Path) -> Iterator[dict[str, list[str]]]:
    fields: dict[str, list[str]] = {}
    last: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        tag = _TAG_LINE.match(line)
        if tag and line[:4].rstrip() == tag.group(1):
            if tag.group(1) == "PMID" and fields:
                yield fields
                fields = {}
            last = tag.group(1)
            fields.setdefault(last, []).append(tag.group(2).strip())
        elif _CONTINUATION.match(line) and last is not None:
            fields[last][-1] += " " + line.strip()
        else:
            raise InputError(
                path, f"line {number} is not a MEDLINE tag line ('TAG - value'): {line[:40]!r}"
            )
    if fields:
        yield fields


def _medline_date(text: str) -> str | None:
    """``DP  - 2018 Jun 5`` (or "2018 Jun-Jul", "2018") as ISO 8601, as far as it goes."""
    m = _DP.match(text)
    return iso_date(*m.groups()) if m else None


def _one(fields: dict[str, list[str]], tag: str) -> str:
    values = fields.get(tag)
    return " ".join(values[0].split()) if values else ""


def _citation(
    *,
    key: str,
    title: str,
    abstract: str,
    venue: str | None,
    date: str | None,
    pmid: str | None,
    doi: str | None,
    types: tuple[str, ...],
    keywords: tuple[str, ...],
    nct: tuple[str, ...] = (),
) -> Document:
    """A reference's Document: its title and abstract, the abstract split at its labels."""
    paragraphs = [p for p in _SECTION.split(abstract) if p.strip()] if abstract else []
    text = "\n\n".join([title, *paragraphs])
    found = (*nct, *find_ids(text).ncts)
    return Document(
        id=key,
        title=title,
        text=text,
        kind=SourceKind.ABSTRACT,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}" if pmid else None,
        date=date,
        venue=venue,
        pmid=pmid,
        doi=doi,
        nct=tuple(dict.fromkeys(n for n in found if re.fullmatch(r"NCT\d{8}", n))),
        retracted=any(t.casefold() == "retracted publication" for t in types),
        not_a_study=no_study_reason(types, bool(paragraphs)),
        keywords=keywords,
    )
