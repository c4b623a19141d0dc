"""Sentences with their character offsets, in bounded time on any input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pysbd

__all__ = ["MAX_CHARS", "Span", "sentences"]

MAX_CHARS = 200_000
"""Only this much of a document is read: an article is far shorter; a 5 MB line is not one."""
_PARAGRAPH = re.compile(r"\S(?:.|\n(?!\s*\n))*", re.DOTALL)
"""A paragraph: text up to a blank line (a hard-wrapped paragraph spans several lines)."""
_WRAP = re.compile(r"(?<![.!?:])\n(?=[ \t]*[^\s\-*•|#>\d])")
"""A line break inside a sentence (hard wrapping), unless the next line starts a list item."""
_LONG = 3_000
"""pysbd is slow on very long paragraphs; longer ones are cut at '. ' boundaries first."""


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the document: its text and where it starts and ends."""

    start: int
    end: int
    text: str


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _pieces(text: str, offset: int) -> list[Span]:
    """Cut a long paragraph into pieces of at most ``_LONG`` characters at sentence ends."""
    pieces, start = [], 0
    while start < len(text):
        stop = min(len(text), start + _LONG)
        if stop < len(text):
            cut = text.rfind(". ", start, stop)
            stop = cut + 2 if cut > start else stop
        pieces.append(Span(offset + start, offset + stop, text[start:stop]))
        start = stop
    return pieces


def sentences(text: str) -> list[Span]:
    """Every sentence of ``text``; headlines and list items are sentences of their own."""
    found: list[Span] = []
    for para in _PARAGRAPH.finditer(text[:MAX_CHARS]):
        unwrapped = _WRAP.sub(" ", para.group())  # same length, so offsets still hold
        for piece in _pieces(unwrapped, para.start()):
            for s in _segmenter().segment(piece.text):
                body = s.sent.strip()
                if body:
                    start = piece.start + s.start + (len(s.sent) - len(s.sent.lstrip()))
                    found.append(Span(start, start + len(body), body))
    return found
