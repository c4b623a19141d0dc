"""XML and gzip for the readers: streamed, no entity expansion, nothing fetched.

PubMed's efetch files open with a DOCTYPE naming NLM's external DTD; it is read (and never
fetched). An internal subset that declares entities (the "billion laughs", or an external
entity naming a local file) is refused before anything is expanded: defusedxml wraps the
standard library's expat parser to do exactly this.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from stemkg.errors import InputError

__all__ = ["HEAD_BYTES", "elements", "head", "opened", "root_name", "text_of"]

HEAD_BYTES = 4096
"""Enough of a file to see its DOCTYPE and root element."""
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_SKIP = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.S)
_SUPER = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def gzipped(path: Path) -> bool:
    """Whether a file is named as gzip (``.gz``), whatever it holds."""
    return path.suffix.lower() == ".gz"


@contextmanager
def opened(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream of the file, decompressed on the fly when it is named ``.gz``."""
    try:
        raw = cast(
            IO[bytes],
            gzip.open(path, "rb") if gzipped(path) else path.open("rb"),  # noqa: SIM115 (closed below)
        )
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    with raw:
        yield raw


def head(path: Path) -> bytes:
    """The first bytes of a file (decompressed when named ``.gz``); errors name the file."""
    with opened(path) as stream:
        try:
            return stream.read(HEAD_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(path, f"not a readable gzip file ({_reason(exc)})") from None


def root_name(data: bytes) -> str | None:
    """The name of the first element in an XML head, past declarations, comments, DOCTYPE."""
    body = _SKIP.sub(b"", data.lstrip(b"\xef\xbb\xbf"))
    found = _ROOT.search(body)
    return found.group(1).decode("ascii", "replace") if found else None


def elements(path: Path, tags: frozenset[str]) -> Iterator[Element]:
    """Each complete element named in ``tags``, in file order; it is cleared after use, so
    memory stays bounded by one element however large the file."""
    with opened(path) as stream:
        try:
            yield from _iterate(stream, tags)
        except (DefusedXmlException, ValueError) as exc:
            raise InputError(path, f"refused: {_refusal(exc)}") from None
        except ParseError as exc:
            raise InputError(path, f"not well-formed XML ({_parse_problem(exc)})") from None
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(path, f"cannot be read to the end ({_reason(exc)})") from None


def _iterate(stream: IO[bytes], tags: frozenset[str]) -> Iterator[Element]:
    events = iterparse(stream, events=("start", "end"), forbid_dtd=False, forbid_entities=True)
    root: Element | None = None
    for event, element in events:
        if root is None:
            root = element
        if event == "end" and element.tag in tags:
            yield element
            root.clear()  # the element and what came before it: memory stays one element


def _refusal(exc: Exception) -> str:
    name = getattr(exc, "name", None)
    what = f" ({name!r})" if name else ""
    return f"the file declares entities{what}, which stemkg never expands or fetches"


def _parse_problem(exc: ParseError) -> str:
    line, column = getattr(exc, "position", (0, 0))
    message = str(exc).split(":")[0]
    if "no element found" in message or "unclosed token" in message:
        return f"it ends at line {line} before its elements are closed; was it cut short?"
    return f"{message} at line {line}, column {column}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "it ends before the compressed data does; was it cut short?"
    if isinstance(exc, gzip.BadGzipFile):
        return "named .gz but not gzip data"
    return str(exc) or type(exc).__name__


def text_of(element: Element | None) -> str:
    """An element's text with its inline markup read as text: ``10<sup>6</sup>`` is 10⁶,
    other tags (``<i>``, ``<b>``, ``<sub>``) give their words; spaces collapsed."""
    if element is None:
        return ""
    parts: list[str] = []
    _gather(element, parts)
    return " ".join("".join(parts).split())


def _gather(element: Element, parts: list[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        if child.tag == "sup" and len(child) == 0:
            inner = child.text or ""
            sup = inner.strip()
            parts.append(
                sup.translate(_SUPER)
                if sup and all(c in "0123456789+-" for c in sup) and any(c.isdigit() for c in sup)
                else inner
            )
        else:
            _gather(child, parts)
        parts.append(child.tail or "")
