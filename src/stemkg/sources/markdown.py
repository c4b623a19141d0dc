"""Markdown articles: YAML front matter, then the body rendered to plain text, one per file.

Headings become paragraphs of their own, list items lines, tables lines of cells between
`` | ``; links keep their text, emphasis and code marks and images are dropped. Navigation
lines, link lists and italic taglines are dropped by the cues in ``textutil``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from stemkg.errors import InputError
from stemkg.ids import slug
from stemkg.model import SourceKind
from stemkg.sources.document import Document, ReadResult
from stemkg.sources.textutil import (
    Block,
    document,
    humanise,
    keep_blocks,
    kind_of,
    load,
    norm,
    word_count,
)

__all__ = ["parse_markdown", "read_markdown"]

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_BYLINE = re.compile(r"^(?:posted|published|written)\b|^by\s+[A-Z]", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]+")


@dataclass(slots=True)
class _Inline:
    """Rendered inline text and how much of it is links or outside italics."""

    text: str = ""
    link_chars: int = 0
    links: int = 0
    plain: bool = False
    """Some text lies outside italics."""


@dataclass(slots=True)
class _Walk:
    """State while turning tokens into blocks: open lists and tables."""

    blocks: list[Block] = field(default_factory=list)
    depth: int = 0
    items: list[_Inline] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def read_markdown(path: Path) -> ReadResult:
    """The article of a Markdown file, with the warnings met reading it."""
    text, warnings = load(path)
    doc, more = parse_markdown(text, path)
    return ReadResult((doc,), tuple([*warnings, *more]))


def parse_markdown(source: str, path: Path) -> tuple[Document, list[str]]:
    """A Markdown text's article and warnings; ``path`` names the file in ids and errors."""
    meta, body, warnings = _front_matter(source)
    blocks = _render(body)
    title = _text(meta.get("title"))
    first = next((b for b in blocks if b.heading == 1), None)
    if title is None and first is None:
        first = next((b for b in blocks if b.heading), None)
    if title is None and first is not None:
        title = first.text
    if first is not None and title is not None and norm(first.text) == norm(title):
        blocks = [b for b in blocks if b is not first]
    kept = keep_blocks(blocks)
    if not any(word_count(b.text) for b in kept if not b.heading):
        raise InputError(path, "no text found (only headings, links or front matter)")
    rendered = "\n\n".join(b.text for b in blocks)
    kind = kind_of(source, rendered, SourceKind.BLOG if _blog(meta, blocks) else SourceKind.NEWS)
    doc = document(
        slug(path.stem),
        title or humanise(path.stem),
        [b.text for b in kept],
        kind=kind,
        url=_text(meta.get("url")),
        date=_date(meta.get("date")),
        venue=_text(meta.get("venue") or meta.get("journal")),
        pmid=_text(meta.get("pmid")),
        doi=_text(meta.get("doi")),
        headline=title is not None,
    )
    return doc, warnings


def _front_matter(source: str) -> tuple[dict[str, Any], str, list[str]]:
    """YAML front matter (title, date, url, layout …) and the body after it."""
    match = _FRONT.match(source)
    if match is None:
        return {}, source, []
    body = source[match.end() :]
    try:
        meta = yaml.safe_load(match.group(1) or "")
    except (yaml.YAMLError, ValueError):  # ValueError: a date that does not exist
        return {}, body, ["front matter is not valid YAML; ignored"]
    if meta is None:
        return {}, body, []
    if not isinstance(meta, dict):
        return {}, body, ["front matter is not a mapping of fields; ignored"]
    return {str(k).casefold(): v for k, v in meta.items()}, body, []


def _text(value: object) -> str | None:
    """A front-matter value as one line of text, or nothing."""
    if value is None or isinstance(value, dict | list):
        return None
    text = " ".join(str(value).split())
    return text or None


def _date(value: object) -> str | None:
    """A front-matter date in ISO form (YAML may already have parsed it)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _blog(meta: dict[str, Any], blocks: Sequence[Block]) -> bool:
    """A blog post: front matter says ``layout: post`` or names an author, or a byline does."""
    if str(meta.get("layout", "")).casefold() == "post" or meta.get("author"):
        return True
    return any(_BYLINE.match(b.text) and word_count(b.text, 15) < 15 for b in blocks)


def _render(body: str) -> list[Block]:
    """The body as blocks: headings, paragraphs, lists, tables and code."""
    tokens = MarkdownIt("commonmark", {"html": True}).enable("table").parse(body)
    walk = _Walk()
    for i, token in enumerate(tokens):
        _step(walk, token, tokens[i + 1] if i + 1 < len(tokens) else None)
    return walk.blocks


def _step(walk: _Walk, token: Token, following: Token | None) -> None:
    """Advance the walk by one block-level token."""
    kind = token.type
    if kind in ("bullet_list_open", "ordered_list_open"):
        walk.depth += 1
    elif kind in ("bullet_list_close", "ordered_list_close"):
        walk.depth -= 1
        if walk.depth == 0:
            walk.blocks.append(_list_block(walk.items))
            walk.items = []
    elif kind == "list_item_open":
        walk.items.append(_Inline())
    elif kind == "tr_open":
        walk.rows.append([])
    elif kind == "table_close":
        lines = tuple(" | ".join(cells) for cells in walk.rows)
        walk.blocks.append(Block(lines, verbatim=True))
        walk.rows = []
    elif kind in ("fence", "code_block"):
        lines = tuple(x.rstrip() for x in token.content.strip("\n").split("\n"))
        walk.blocks.append(Block(lines, verbatim=True))
    elif kind == "inline":
        _place(walk, _inline(token), following)
    elif kind == "heading_open" and following is not None:
        rendered = _inline(following)
        walk.blocks.append(Block((rendered.text,), heading=int(token.tag[1:])))


def _place(walk: _Walk, rendered: _Inline, following: Token | None) -> None:
    """Put inline text where it belongs: a table cell, a list item or a paragraph."""
    closing = following.type if following is not None else ""
    if closing in ("th_close", "td_close") and walk.rows:
        walk.rows[-1].append(rendered.text)
    elif closing == "heading_close":
        return
    elif walk.depth and walk.items:
        item = walk.items[-1]
        item.text = f"{item.text} {rendered.text}".strip()
        item.link_chars += rendered.link_chars
        item.links += rendered.links
    elif rendered.text:
        lines = tuple(x.strip() for x in rendered.text.split("\n") if x.strip())
        walk.blocks.append(
            Block(
                lines,
                link_chars=rendered.link_chars,
                links=rendered.links,
                emphasised=not rendered.plain,
            )
        )


def _list_block(items: Sequence[_Inline]) -> Block:
    """A list as one block of item lines, counting the items that are only a link."""
    kept = [item for item in items if item.text]
    whole = sum(1 for item in kept if item.links and item.link_chars >= _visible(item.text))
    return Block(tuple(item.text for item in kept), link_lines=whole)


def _visible(text: str) -> int:
    """Characters that are not whitespace."""
    return len("".join(text.split()))


def _inline(token: Token) -> _Inline:
    """Inline markup as plain text: link text kept, marks, images and raw HTML dropped."""
    out = _Inline()
    parts: list[str] = []
    in_link = in_em = 0
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
            if in_link:
                out.link_chars += _visible(child.content)
            out.plain = out.plain or (not in_em and bool(child.content.strip()))
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" " if kind == "softbreak" else "\n")
        elif kind == "link_open":
            in_link += 1
            out.links += 1
        elif kind == "link_close":
            in_link -= 1
        elif kind in ("em_open", "em_close"):
            in_em += 1 if kind == "em_open" else -1
    lines = (_SPACES.sub(" ", x).strip() for x in "".join(parts).split("\n"))
    out.text = "\n".join(x for x in lines if x)
    return out
