"""Plain-text pages: one or several articles among page furniture, split by layout alone.

A page is cut into blocks at blank lines. Furniture is told by shape: lines of short items
between ``|`` or ``·``, runs of short link-like lines, blocks printed three or more times,
copyright lines. A headline is a short single line without closing punctuation; a headline
printed twice in a row, or a long title-case one with an article's worth of prose under it,
starts a new article. An article runs until the next headline of that kind, a press
release's ``###`` or the first furniture block after its prose (a byline or share bar right
under the headline does not end it), and counts only with ``ARTICLE_WORDS`` words of prose
under its headline (``MIN_ARTICLE_WORDS`` for a page of one). Prose with no headline at all
gives one article titled from the file name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stemkg.sources.document import Document, ReadResult
from stemkg.sources.textutil import (
    ARTICLE_WORDS,
    FIELD,
    MIN_ARTICLE_WORDS,
    bullet_free,
    document,
    find_ids,
    furniture_keys,
    headline_shaped,
    humanise,
    is_end_mark,
    is_marker,
    is_separator_line,
    kind_of,
    load,
    norm,
    title_case,
    unique_ids,
    word_count,
)

__all__ = ["parse_text", "read_text"]

_LONG_LINE = 120
"""A line longer than this is a paragraph of its own, never a hard-wrapped piece of one."""
_CLOSING = ".,;:!"
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE)
_CITATION = re.compile(r"^(?:sources?|references?|citation)\s*:", re.IGNORECASE)
_SHORT = 12
"""A closing paragraph under this many words, naming no identifier, is a call to action."""


@dataclass(slots=True)
class _Unit:
    """A block of the page and what its shape says it is."""

    text: str
    furniture: bool
    headline: bool
    end_mark: bool
    doubled: bool = False


@dataclass(slots=True)
class _Draft:
    """An article being gathered: its headline, deck lines and body paragraphs."""

    title: str
    start: int
    deck: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    words: int = 0
    interrupted: bool = False
    """Furniture (a byline, a share bar) came between the headline and any prose."""


def read_text(path: Path) -> ReadResult:
    """The articles of a plain-text page, with the warnings met decoding it."""
    text, warnings = load(path)
    return ReadResult(tuple(parse_text(text, path.stem)), tuple(warnings))


def parse_text(text: str, stem: str) -> list[Document]:
    """The articles of a page's text; ``stem`` (the file name) keys their ids."""
    units = _units(text)
    drafts = [d for d in (_finish(d) for d in _drafts(units)) if d is not None]
    prose = sum(word_count(u.text) for u in units if not u.furniture)
    if not drafts or sum(d.words for d in drafts) * 2 < prose:
        return _fallback(units, stem, text)  # most of the prose is under no headline
    ids = unique_ids(stem, [d.title for d in drafts])
    starts = [0, *(d.start for d in drafts[1:]), len(units)]
    documents = []
    for i, draft in enumerate(drafts):
        region = "\n\n".join(u.text for u in units[starts[i] : starts[i + 1]])
        kind = kind_of(text, text if len(drafts) == 1 else region)
        fields = _fields_before(units[: draft.start]) if len(drafts) == 1 else []
        paragraphs = [*draft.deck, *fields, *draft.body]
        documents.append(document(ids[i], draft.title, paragraphs, kind=kind))
    return documents


def _fields_before(units: Sequence[_Unit]) -> list[str]:
    """A registry page's field blocks above its title ("ClinicalTrials.gov Identifier:
    NCT05635409"): part of the one article, so its identifiers are read."""
    return [u.text for u in units if not u.furniture and _is_fields(u.text.split("\n"))]


def _is_fields(lines: Sequence[str]) -> bool:
    return sum(1 for x in lines if FIELD.match(x)) * 2 > len(lines)


def _blocks(text: str) -> list[tuple[str, ...]]:
    """Blocks of non-blank lines; a block holding a long line is split into its lines."""
    blocks: list[tuple[str, ...]] = []
    current: list[str] = []
    for raw in [*text.split("\n"), ""]:
        line = raw.strip()
        if line:
            current.append(line)
            continue
        if current and any(len(x) > _LONG_LINE for x in current):
            blocks.extend(_split(current))
        elif current:
            blocks.append(tuple(current))
        current = []
    return blocks


def _top_lines(blocks: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The page's first block as lines of their own where each is headline-shaped: a
    masthead over the headline, or a headline over its deck, printed without a blank line."""
    if blocks and 2 <= len(blocks[0]) <= 3 and all(headline_shaped(x) for x in blocks[0]):
        return [(line,) for line in blocks[0]] + blocks[1:]
    return blocks


def _split(lines: Sequence[str]) -> list[tuple[str, ...]]:
    """A block's lines as blocks of their own, consecutive list items kept together."""
    parts: list[list[str]] = []
    for line in lines:
        if parts and _is_item(line) and _is_item(parts[-1][-1]):
            parts[-1].append(line)
        else:
            parts.append([line])
    return [tuple(part) for part in parts]


def _is_item(line: str) -> bool:
    """Whether a line is a list item."""
    return bullet_free(line) != line


def _collapse(blocks: list[tuple[str, ...]]) -> list[tuple[tuple[str, ...], int]]:
    """Blocks with consecutive repeats folded into one, and how many times each was printed."""
    folded: list[tuple[tuple[str, ...], int]] = []
    for block in blocks:
        if folded and len(block) == len(folded[-1][0]) and _same(block, folded[-1][0]):
            folded[-1] = (folded[-1][0], folded[-1][1] + 1)
        else:
            folded.append((block, 1))
    return folded


def _same(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two short blocks read the same (long ones are never compared)."""
    return sum(map(len, a)) < 2000 and norm("\n".join(a)) == norm("\n".join(b))


def _units(text: str) -> list[_Unit]:
    """The page's blocks, classified by shape, repeats folded."""
    folded = _collapse(_top_lines(_blocks(text)))
    repeated = furniture_keys("\n".join(b) for b, _ in folded)
    units = []
    for lines, times in folded:
        joined = "\n".join(lines)
        furniture = (
            (len(joined) < 2000 and norm(joined) in repeated)
            or _furniture(lines)
            or bool(_ABOUT.match(joined))
        )
        single = len(lines) == 1
        headline = not furniture and single and headline_shaped(lines[0])
        end_mark = single and is_end_mark(lines[0])
        units.append(_Unit(joined, furniture, headline, end_mark, doubled=headline and times > 1))
    return units


_ABOUT = re.compile(r"(?:About|Notes to editors|Media contacts?)(?:\s+[A-Z][\w&.,'-]*){0,8}\s*$")
"""A press release's boilerplate heading ("About Heart Repair News Service"): no article."""


def _furniture(lines: Sequence[str]) -> bool:
    """Navigation, share and link-list blocks and copyright lines, told by their shape."""
    if _COPYRIGHT.match(lines[0]) or any(is_separator_line(x) for x in lines):
        return True
    if len(lines) < 3 or _is_fields(lines):
        return False  # "Phase: Phase 2", "Enrollment: 150": a registry's fields, not a menu
    return sum(1 for x in lines if _link_like(x)) * 5 >= len(lines) * 3


def _link_like(line: str) -> bool:
    """A short capitalised line without closing punctuation, as menu items and link titles are."""
    item = bullet_free(line)
    if not item or len(item) > 100 or not (item[0].isupper() or item[0].isdigit()):
        return False
    return 1 <= word_count(item) <= _SHORT and item[-1] not in _CLOSING


def _prose_ahead(units: Sequence[_Unit]) -> list[int]:
    """For each block, the words of prose after it before the next headline or furniture."""
    ahead = [0] * len(units)
    running = 0
    for i in range(len(units) - 1, -1, -1):
        ahead[i] = running
        unit = units[i]
        stops = unit.headline or unit.furniture or unit.end_mark
        running = 0 if stops else running + word_count(unit.text)
    return ahead


def _drafts(units: Sequence[_Unit]) -> list[_Draft]:
    """Articles gathered from headline to the next article headline or furniture."""
    ahead = _prose_ahead(units)
    drafts: list[_Draft] = []
    current: _Draft | None = None
    for i, unit in enumerate(units):
        if unit.furniture and current is not None and not current.body:
            current.interrupted = True
        elif unit.furniture or unit.end_mark:
            current = None
        elif unit.headline and _starts_article(unit, current, ahead[i]):
            current = _Draft(unit.text, start=i)
            drafts.append(current)
        elif current is not None and unit.headline and not current.body:
            current.deck.append(unit.text)
        elif current is not None:
            current.body.append(unit.text)
            current.words += word_count(unit.text)
            current.interrupted = False
    return drafts


def _starts_article(unit: _Unit, current: _Draft | None, ahead: int) -> bool:
    """A headline opens an article after furniture, when doubled, or as a long title-case line
    over an article's worth of prose; otherwise it is a deck line or a subheading.

    Furniture right under a headline (a byline, a share bar) does not end its article."""
    if current is None or unit.doubled or current.interrupted:
        return True
    if current.words < ARTICLE_WORDS:
        return False
    return title_case(unit.text) and word_count(unit.text) >= 6 and ahead >= ARTICLE_WORDS


def _finish(draft: _Draft) -> _Draft | None:
    """The article without marker lines and closing calls to action, if prose enough remains."""
    draft.deck = [p for p in draft.deck if not is_marker(p)]
    if draft.deck and draft.title.isupper() and not draft.deck[0].isupper():
        draft.title, draft.deck[0] = draft.deck[0], draft.title  # a masthead over the headline
    draft.body = [p for p in draft.body if not is_marker(p)]
    while draft.body and _call_to_action(draft.body[-1]):
        draft.body.pop()
    words = sum(word_count(p) for p in draft.body)
    return draft if words >= MIN_ARTICLE_WORDS else None


def _call_to_action(paragraph: str) -> bool:
    """A short closing line that cites nothing: 'learn more' links, dangling subheadings."""
    if word_count(paragraph, _SHORT) >= _SHORT or _CITATION.match(paragraph):
        return False
    found = find_ids(paragraph)
    return not (found.pmids or found.dois or found.ncts)


def _fallback(units: Sequence[_Unit], stem: str, page: str) -> list[Document]:
    """Prose without a headline of its own: the longest run between furniture, if long enough."""
    best: list[_Unit] = []
    run: list[_Unit] = []
    for unit in [*units, None]:
        if unit is None or unit.furniture or unit.end_mark:
            if _words(run) > _words(best):
                best = run
            run = []
        elif not is_marker(unit.text):
            run.append(unit)
    if _words(best) < MIN_ARTICLE_WORDS:
        return []
    headline = best[0].headline
    title = best[0].text if headline else humanise(stem)
    paragraphs = [u.text for u in (best[1:] if headline else best)]
    [doc_id] = unique_ids(stem, [title])
    return [document(doc_id, title, paragraphs, kind=kind_of(page, page), headline=headline)]


def _words(units: Sequence[_Unit]) -> int:
    """Words in a run of blocks."""
    return sum(word_count(u.text) for u in units)
