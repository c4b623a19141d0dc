"""What the text readers share: decoding, identifier mentions, and the shape of page furniture."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from charset_normalizer import CharsetMatch, from_bytes

from stemkg.errors import InputError
from stemkg.ids import slug
from stemkg.model import SourceKind
from stemkg.sources.common import read_bytes
from stemkg.sources.document import Document

__all__ = [
    "ARTICLE_WORDS",
    "FIELD",
    "MIN_ARTICLE_WORDS",
    "Block",
    "FoundIds",
    "bullet_free",
    "decode",
    "document",
    "find_ids",
    "furniture_keys",
    "headline_shaped",
    "humanise",
    "is_end_mark",
    "is_example",
    "is_marker",
    "is_separator_line",
    "keep_blocks",
    "kind_of",
    "load",
    "markup_furniture",
    "norm",
    "press_release",
    "single",
    "title_case",
    "unique_ids",
    "word_count",
]

ARTICLE_WORDS = 60
"""Prose under a headline that makes it an article's start in a page of several (less is a
deck line, a box or a subheading)."""

MIN_ARTICLE_WORDS = 25
"""Less prose than this is a teaser or a box, not an article; a 40-word news brief is one."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WORD = re.compile(r"\w+")
_PMID = re.compile(
    r"\bPMID[: ]{0,3}(\d{1,9})\b|"
    r"\bpubmed\.ncbi\.nlm\.nih\.gov/(\d{1,9})\b|"
    r"\bncbi\.nlm\.nih\.gov/pubmed/(\d{1,9})\b",
    re.IGNORECASE,
)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+")
_NCT = re.compile(r"\bNCT\d{8}\b")
_MARKER = re.compile(r"\bwritten\s+for\s+stemkg\b[^\n.]{0,40}\bexample\b", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*[|·•›»]\s*|\s+>\s+")
_BULLET = re.compile(r"^(?:[-*+•▪◦]|\d{1,3}[.)])\s+")
_CLOSING = ".,;:!"
_SMALL = re.compile(
    r"a|an|and|as|at|but|by|for|from|in|into|nor|of|on|or|per|so|the|than|that|to|up|via|vs"
    r"|with|is|are|be|was|were|it|its"
)
"""Words a title-case headline leaves in lower case."""
_FIR = re.compile(r"^\s*(?:for immediate release|embargoed (?:until|till))\b", re.I | re.M)
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}(?:,[A-Za-z0-9., ]{1,40})?\s*"
    r"(?:\(\w[^)\n]{0,30}\)\s*|/[^/\n]{1,30}/\s*)?(?:--|—|–)\s",
    re.MULTILINE,
)
_ABOUT = re.compile(r"^About [A-Z][^\n]{0,80}\n\n?[^\n]{80}", re.MULTILINE)
_CONTACT = re.compile(r"^(?:media|press) (?:contacts?|enquiries|inquiries)\s*:", re.I | re.M)
_END_MARK = re.compile(r"^\s*(?:#{3}|-\s?30\s?-|-?ends-?)\s*$", re.I | re.M)


class FoundIds(NamedTuple):
    """Distinct identifiers mentioned in a text, in order of first mention."""

    pmids: tuple[str, ...]
    dois: tuple[str, ...]
    ncts: tuple[str, ...]


def load(path: Path) -> tuple[str, list[str]]:
    """A file's decoded text and warnings, bounded in size."""
    return decode(path, read_bytes(path))


_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " "})
"""No-break and thin spaces read as plain spaces, so "stem\u00a0cells" is found."""


def decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Text and warnings from bytes: UTF-8 first, else a detected charset; binary is refused."""
    if not data.strip():
        raise InputError(path, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise InputError(path, "binary file (it holds NUL bytes), not text")
    warnings: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text, encoding = _detect(path, data)
        warnings.append(f"decoded as {encoding} (not UTF-8)")
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_SPACES)
    text, removed = _CONTROL.subn("", text)
    if removed * 10 > len(text) + removed and removed >= 8:
        raise InputError(path, "binary file (mostly control characters), not text")
    if removed:
        warnings.append(f"removed {removed} control character{'s' if removed != 1 else ''}")
    if not text.strip():
        raise InputError(path, "empty file (nothing left after removing control characters)")
    return text, warnings


def _detect(path: Path, data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes, preferring Windows-1252 (the web's legacy default) on a tie."""
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    best = next((m for m in from_bytes(data) if not m.encoding.startswith("utf_")), None)
    match: CharsetMatch | None = best
    if western is not None and (best is None or _as_good(western, best)):
        match = western
    if match is None:
        raise InputError(
            path, "binary file: not UTF-8 and no plausible text encoding; save it as UTF-8 text"
        )
    return str(match), match.encoding


def _as_good(candidate: CharsetMatch, best: CharsetMatch) -> bool:
    """Whether a candidate decoding is about as clean and as coherent as the best one."""
    return candidate.chaos <= best.chaos + 0.02 and candidate.coherence >= best.coherence - 0.05


def find_ids(text: str) -> FoundIds:
    """PMIDs, DOIs and NCT numbers mentioned in a text (DOIs without trailing punctuation)."""
    pmids = (next(g for g in m.groups() if g) for m in _PMID.finditer(text))
    dois = (_trim_doi(m.group()) for m in _DOI.finditer(text))
    ncts = (m.group() for m in _NCT.finditer(text))
    return FoundIds(_distinct(pmids), _distinct(dois), _distinct(ncts))


def _trim_doi(doi: str) -> str:
    """A DOI without the punctuation or unbalanced bracket that ends the sentence around it."""
    while doi:
        last = doi[-1]
        if last in ".,;:!?'\"" or (
            last in ")]}" and doi.count(last) > doi.count({")": "(", "]": "[", "}": "{"}[last])
        ):
            doi = doi[:-1]
        else:
            break
    return doi


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    """Values without repeats (case-insensitively, as DOIs compare), first spelling kept."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def word_count(text: str, cap: int | None = None) -> int:
    """Words in a text, counted without building a list (stops at ``cap`` when given)."""
    count = 0
    for _ in _WORD.finditer(text):
        count += 1
        if cap is not None and count >= cap:
            break
    return count


def norm(text: str) -> str:
    """A block's comparison key: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def furniture_keys(blocks: Iterable[str], times: int = 3) -> frozenset[str]:
    """Keys of blocks printed ``times`` or more on one page: sign-up boxes, share bars."""
    counts = Counter(norm(block) for block in blocks if len(block) < 2000)
    return frozenset(key for key, count in counts.items() if count >= times and key)


FIELD = re.compile(r"[A-Z][\w .,()/'-]{0,40}:\s+\S")
"""A registry's field ("Phase: Phase 2", "Last update posted: September 17, 2020")."""


def is_separator_line(line: str) -> bool:
    """A navigation, breadcrumb or share line: short items between ``|``, ``·``, ``>``."""
    if len(line) > 300:
        return False
    parts = [p for p in _SEPARATOR.split(line.strip()) if p.strip()]
    if len(parts) < 2 or all(FIELD.match(p.strip()) for p in parts):
        return False  # "First posted: February 7, 2014 | Last update posted: ...": fields
    return all(word_count(p) <= 6 for p in parts) and line.rstrip()[-1:] not in ".!;"


def headline_shaped(line: str) -> bool:
    """A line of 3-40 words (a paper's title runs long) without closing punctuation and not
    a list item."""
    line = line.strip()
    if not line or len(line) > 200 or _BULLET.match(line) or is_separator_line(line):
        return False
    words = word_count(line)
    return 3 <= words <= 40 and line.rstrip("\"'”’)]")[-1:] not in _CLOSING


def title_case(line: str) -> bool:
    """Whether most words that carry meaning start with a capital, as headlines do."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if not _SMALL.fullmatch(w.casefold())]
    if len(words) < 2:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised >= 0.75 * len(words)


def bullet_free(line: str) -> str:
    """A line without its list marker."""
    return _BULLET.sub("", line.strip(), count=1)


def is_example(text: str) -> bool:
    """Whether a page says it was written for stemkg as an example (anywhere, comments too)."""
    return _MARKER.search(text) is not None


def is_marker(paragraph: str) -> bool:
    """A paragraph that is only the example marker, which is about the page, not the study."""
    return is_example(paragraph) and word_count(paragraph, 30) < 30


def press_release(text: str) -> bool:
    """Press-release structure: a release line, or two of dateline, end mark, About, contact."""
    if _FIR.search(text):
        return True
    cues = (_DATELINE, _ABOUT, _CONTACT, _END_MARK)
    return sum(1 for cue in cues if cue.search(text)) >= 2


def is_end_mark(line: str) -> bool:
    """The ``###`` or ``-30-`` line that ends the body of a press release."""
    return _END_MARK.fullmatch(line.strip()) is not None


SECTION_KINDS = {
    "background": ("background", "introduction", "objective", "objectives", "aim", "aims",
                   "purpose", "rationale", "context", "importance"),
    "methods": ("methods", "method", "design", "setting", "participants", "patients",
                "interventions", "intervention", "materials and methods", "study design",
                "main outcome measures", "main outcomes and measures", "outcome measures"),
    "results": ("results", "findings", "result"),
    "conclusions": ("conclusions", "conclusion", "interpretation", "discussion",
                    "conclusions and relevance", "significance", "implications"),
}  # fmt: skip
"""The labels an abstract's sections go by, by kind (PubMed's NlmCategory names the kinds)."""
_KIND_OF = {label: kind for kind, labels in SECTION_KINDS.items() for label in labels}
_SECTION_LABEL = re.compile(
    r"^[ \t]*(?P<label>[A-Za-z][A-Za-z ]{2,40}?)[ \t]*(?::[ \t]*|\.[ \t]+|[ \t]*$)", re.M
)


_INLINE_LABEL = re.compile(r"(?<=[.!?])[ \t]+(?P<label>[A-Z][A-Za-z ]{2,40}?):[ \t]")
"""A label that starts a section inside a paragraph: "… were enrolled. Findings: …" (a
structured abstract exported as one paragraph, as RIS and MEDLINE text often hold it)."""


def labelled_sections(text: str) -> list[tuple[int, str]]:
    """The labelled sections of a structured abstract: a line that is only a label
    ("BACKGROUND") or starts with one and a colon or full stop ("Results: ..."), or a known
    label and a colon after a sentence inside a paragraph ("... enrolled. Findings: ...")."""
    found = []
    for pattern in (_SECTION_LABEL, _INLINE_LABEL):
        for m in pattern.finditer(text):
            kind = _KIND_OF.get(" ".join(m.group("label").split()).casefold())
            if kind is not None:
                found.append((m.start("label"), kind))
    return sorted(found)


def kind_of(page: str, text: str, fallback: SourceKind = SourceKind.NEWS) -> SourceKind:
    """EXAMPLE when the page is marked, PRESS_RELEASE by structure, ABSTRACT when it has an
    abstract's labelled sections (three of background, methods, results, conclusions), else
    the reader's guess."""
    if is_example(page):
        return SourceKind.EXAMPLE
    if press_release(text):
        return SourceKind.PRESS_RELEASE
    if len({kind for _, kind in labelled_sections(text)}) >= 3:
        return SourceKind.ABSTRACT
    return fallback


def humanise(stem: str) -> str:
    """A title from a file name, for text that has no headline."""
    return " ".join(re.split(r"[-_\s]+", stem)).strip() or stem


def single(values: Sequence[str]) -> str | None:
    """The one value mentioned, or nothing when none or several are."""
    return values[0] if len(values) == 1 else None


def document(
    doc_id: str,
    title: str,
    paragraphs: Sequence[str],
    *,
    kind: SourceKind,
    url: str | None = None,
    date: str | None = None,
    venue: str | None = None,
    pmid: str | None = None,
    doi: str | None = None,
    headline: bool = True,
) -> Document:
    """A Document whose text is the headline and paragraphs, with identifiers it names once.

    Without a ``headline`` the title (from the file name) is not part of the text."""
    text = "\n\n".join([title, *paragraphs] if headline else paragraphs)
    found = find_ids(text)
    nct = single(found.ncts)
    return Document(
        id=doc_id,
        title=title,
        text=text,
        kind=kind,
        url=url,
        date=date,
        venue=venue,
        pmid=pmid or single(found.pmids),
        doi=doi or single(found.dois),
        nct=(nct,) if nct else (),
    )


def unique_ids(stem: str, titles: Sequence[str]) -> list[str]:
    """Stable ids: the file's slug alone, or ``<file>--<headline>`` made unique by position."""
    base = slug(stem)
    if len(titles) == 1:
        return [base]
    ids: list[str] = []
    for title in titles:
        candidate = f"{base}--{slug(title, limit=40)}"
        n = 2
        while candidate in ids:
            candidate = f"{base}--{slug(title, limit=40)}-{n}"
            n += 1
        ids.append(candidate)
    return ids


@dataclass(frozen=True, slots=True)
class Block:
    """A rendered block of a marked-up page, with the markup facts furniture is judged by."""

    lines: tuple[str, ...]
    heading: int = 0
    """1-6 for a heading, 0 otherwise."""
    link_chars: int = 0
    """Characters of link text in the block."""
    links: int = 0
    link_lines: int = 0
    """Lines (list items) that are wholly a link."""
    emphasised: bool = False
    """The whole block is in italics, as taglines and bylines are."""
    verbatim: bool = False
    """A table or code block: kept as it is, never judged furniture."""

    @property
    def text(self) -> str:
        """The block's lines joined by newlines."""
        return "\n".join(self.lines)


def markup_furniture(block: Block, repeated: frozenset[str]) -> bool:
    """Navigation, link lists, taglines and repeated boxes, told by links and layout."""
    text = block.text
    if not text.strip():
        return True
    if block.verbatim:
        return False
    if (len(text) < 2000 and norm(text) in repeated) or is_marker(text):
        return True
    if block.heading:
        return False
    if block.link_lines and block.link_lines * 5 >= len(block.lines) * 3:
        return True
    if any(is_separator_line(line) for line in block.lines):
        return True
    return len(block.lines) == 1 and _link_or_tagline(block)


_REPORTS = re.compile(
    r"\b(?:trials?|phase\s+[0-9IV]+[ab]?)\b|\b\d+\s+(?:patients|participants|people|mice|rats)\b",
    re.I,
)
"""Words of a standfirst that reports a trial ("*A phase IIb trial found no benefit ...*"),
which an italic tagline ("*Posted by our volunteers*", "*Part of our series*") does not have."""


def _link_or_tagline(block: Block) -> bool:
    """A paragraph that is mostly links, a lone short link, or a short line all in italics."""
    text = block.text
    visible = len(_SEPARATOR.sub("", "".join(text.split())))
    if block.links >= 2 and block.link_chars * 5 >= visible * 3:
        return True
    if block.links == 1 and block.link_chars * 10 >= visible * 9 and word_count(text) <= 12:
        return True
    ids = find_ids(text)
    named = ids.pmids or ids.dois or ids.ncts
    return (
        block.emphasised and word_count(text, 30) < 30 and not named and not _REPORTS.search(text)
    )


def keep_blocks(blocks: Sequence[Block]) -> list[Block]:
    """The blocks that are article: furniture dropped, and headings left with nothing under them."""
    repeated = furniture_keys(b.text for b in blocks)
    drop = [markup_furniture(b, repeated) for b in blocks]
    kept: list[Block] = []
    for i, block in enumerate(blocks):
        if drop[i]:
            continue
        if block.heading and (i + 1 == len(blocks) or drop[i + 1]):
            continue
        kept.append(block)
    while kept and kept[-1].heading:
        kept.pop()
    return kept
