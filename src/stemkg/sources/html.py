"""Web pages: the main text found by trafilatura, its title, date and URL, and citation metas.

trafilatura runs offline with fixed settings (precision over recall, no deduplication
across calls, no date guessing from the text); its paragraphs, headings, list items and
table rows become the Document's paragraphs, and what it keeps of navigation, link lists
and repeated boxes is dropped by the cues in ``textutil``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol

import trafilatura
from trafilatura.settings import Document as Extracted

from stemkg.errors import InputError
from stemkg.ids import slug
from stemkg.model import SourceKind
from stemkg.sources.document import Document, ReadResult
from stemkg.sources.textutil import (
    Block,
    document,
    find_ids,
    humanise,
    keep_blocks,
    kind_of,
    load,
    norm,
    single,
    word_count,
)

__all__ = ["MIN_WORDS", "parse_html", "read_html"]

MIN_WORDS = 30
"""Fewer words of main text than this is a navigation or index page, not an article."""
_HIDDEN = frozenset({"script", "style", "template", "noscript", "svg"})
_BREAKS = re.compile(r"[ \t\r\n]+")


class _Node(Protocol):
    """The part of an lxml element the walk uses (lxml ships no type hints)."""

    tag: str
    text: str | None
    tail: str | None

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def __iter__(self) -> Iterator[_Node]: ...


@dataclass(slots=True)
class _Inline:
    """Text gathered from an element and how much of it is link text."""

    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    links: int = 0

    @property
    def text(self) -> str:
        """The gathered text, one line per ``<lb/>``, spaces collapsed."""
        lines = (" ".join(x.split()) for x in "".join(self.parts).split("\n"))
        return "\n".join(x for x in lines if x)


class _PageScan(HTMLParser):
    """The page's ``<meta name=… content=…>`` values and visible text lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.metas: dict[str, str] = {}
        self.lines: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note metas; count entry into elements whose text is not shown."""
        if tag in _HIDDEN:
            self._hidden += 1
        if tag == "meta":
            values = {k.casefold(): v or "" for k, v in attrs}
            name = values.get("name", "").casefold()
            if name and name not in self.metas:
                self.metas[name] = " ".join(values.get("content", "").split())

    def handle_endtag(self, tag: str) -> None:
        """Count leaving elements whose text is not shown."""
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        """Keep shown text, one stripped line per text node."""
        line = " ".join(data.split())
        if line and not self._hidden:
            self.lines.append(line)


def read_html(path: Path) -> ReadResult:
    """The article of a web page, with the warnings met decoding it."""
    text, warnings = load(path)
    return ReadResult((parse_html(text, path),), tuple(warnings))


def parse_html(html: str, path: Path) -> Document:
    """A page's article; ``path`` names the file in the id and in errors."""
    extracted = _extract(html, path)
    blocks = _blocks(extracted.body)
    title = extracted.title or next((b.text for b in blocks if b.heading), None)
    if title is not None:
        first = next((b for b in blocks if b.heading and norm(b.text) == norm(title)), None)
        blocks = [b for b in blocks if b is not first]
    kept = keep_blocks(blocks)
    words = sum(word_count(b.text) for b in kept if not b.heading)
    if words < MIN_WORDS:
        raise InputError(
            path,
            f"no main text found ({words} words once navigation and boilerplate are removed);"
            " is it an index or navigation page?",
        )
    return _document(path, html, title, kept, extracted)


def _extract(html: str, path: Path) -> Extracted:
    """trafilatura's main text and metadata, with settings that give the same result each run."""
    result = trafilatura.bare_extraction(
        _with_main(html),
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=True,
        deduplicate=False,
        with_metadata=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not isinstance(result, Extracted):
        raise InputError(path, "no main text found (no article body in the page)")
    return result


_SEMANTIC = re.compile(r"<(?:article|main)\b", re.I)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_BODY_CLOSE = re.compile(r"</body\s*>", re.I)


def _with_main(html: str) -> str:
    """A page with no ``<article>`` or ``<main>`` has its body marked as the main content:
    without one, trafilatura falls back to gathering ``<p>`` elements only, and a plain page's
    headings and lists (often where the results are) are lost."""
    if _SEMANTIC.search(html):
        return html
    opened = _BODY_OPEN.search(html)
    closed = _BODY_CLOSE.search(html, opened.end()) if opened else None
    if opened is None or closed is None:
        return html
    body = html[opened.end() : closed.start()]
    return f"{html[: opened.end()]}<main>{body}</main>{html[closed.start() :]}"


def _document(
    path: Path, html: str, title: str | None, kept: list[Block], extracted: Extracted
) -> Document:
    """The Document of a page, its identifiers preferring the page's citation metas."""
    scan = _PageScan()
    scan.feed(html)
    scan.close()
    doi_meta = scan.metas.get("citation_doi", "")
    pmid_meta = scan.metas.get("citation_pmid", "")
    journal = scan.metas.get("citation_journal_title") or None
    scholarly = journal is not None or bool(doi_meta)
    fallback = SourceKind.JOURNAL_ARTICLE if scholarly else SourceKind.NEWS
    return document(
        slug(path.stem),
        title or humanise(path.stem),
        [b.text for b in kept],
        kind=kind_of(html, "\n".join(scan.lines), fallback),
        url=extracted.url,
        date=extracted.date,
        venue=journal or extracted.sitename,
        pmid=pmid_meta if pmid_meta.isdigit() else None,
        doi=single(find_ids(doi_meta).dois),
        headline=title is not None,
    )


def _blocks(body: _Node) -> list[Block]:
    """trafilatura's body as blocks: headings, paragraphs, lists and tables."""
    blocks: list[Block] = []
    for element in body:
        if element.tag == "list":
            items = _items(element)
            whole = sum(
                1 for item in items if item.links and item.link_chars >= _visible(item.text)
            )
            blocks.append(Block(tuple(i.text for i in items if i.text), link_lines=whole))
        elif element.tag == "table":
            blocks.append(Block(_rows(element), verbatim=True))
        else:
            blocks.extend(_paragraph(element))
        tail = " ".join((element.tail or "").split())
        if tail:
            blocks.append(Block((tail,)))
    return [b for b in blocks if b.lines]


def _paragraph(element: _Node) -> list[Block]:
    """A heading or paragraph element as a block (none when it holds no text)."""
    inline = _inline(element)
    lines = tuple(inline.text.split("\n")) if inline.text else ()
    if not lines:
        return []
    if element.tag == "head":
        level = (element.get("rend") or "h2").removeprefix("h")
        return [Block((" ".join(lines),), heading=int(level) if level.isdigit() else 2)]
    return [Block(lines, link_chars=inline.link_chars, links=inline.links)]


def _items(element: _Node) -> list[_Inline]:
    """The items of a list, nested lists flattened into further items."""
    items: list[_Inline] = []
    for item in element:
        if item.tag == "list":
            items.extend(_items(item))
            continue
        items.append(_inline(item, skip="list"))
        for child in item:
            if child.tag == "list":
                items.extend(_items(child))
    return items


def _rows(element: _Node) -> tuple[str, ...]:
    """A table's rows as lines of cells between `` | ``."""
    rows = []
    for row in _descendants(element, "row"):
        cells = [_inline(cell).text.replace("\n", " ") for cell in row if cell.tag == "cell"]
        if any(cells):
            rows.append(" | ".join(cells))
    return tuple(rows)


def _descendants(element: _Node, tag: str) -> Iterator[_Node]:
    """Elements with a tag below an element, in document order, not inside each other."""
    for child in element:
        if child.tag == tag:
            yield child
        else:
            yield from _descendants(child, tag)


def _inline(element: _Node, skip: str = "") -> _Inline:
    """An element's text with line breaks kept and link text counted."""
    out = _Inline()
    _gather(element, out, in_link=element.tag == "ref", skip=skip)
    return out


def _gather(element: _Node, out: _Inline, *, in_link: bool, skip: str) -> None:
    """Add an element's own text and its children's (not ``skip`` ones) to ``out``."""
    _add(out, element.text, in_link)
    for child in element:
        if child.tag == "lb":
            out.parts.append("\n")
        elif child.tag != skip:
            if child.tag == "ref":
                out.links += 1
            _gather(child, out, in_link=in_link or child.tag == "ref", skip=skip)
        _add(out, child.tail, in_link)


def _add(out: _Inline, text: str | None, in_link: bool) -> None:
    """Add a piece of text, spaces collapsed, counting it as link text when inside a link."""
    if not text:
        return
    out.parts.append(_BREAKS.sub(" ", text))
    if in_link:
        out.link_chars += _visible(text)


def _visible(text: str) -> int:
    """Characters that are not whitespace."""
    return len("".join(text.split()))
