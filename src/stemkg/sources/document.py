"""What a text reader yields: documents with their text and what is known of their source."""

from __future__ import annotations

from dataclasses import dataclass, field

from stemkg.model import SourceKind

__all__ = ["Document", "ReadResult"]


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its id (unique in the build), title, plain text and source metadata.

    Evidence offsets produced by extraction index into ``text``; ``title`` is also the first
    line of ``text`` when the article has a headline, so the headline can be quoted too.
    """

    id: str
    title: str
    text: str
    kind: SourceKind = SourceKind.NEWS
    url: str | None = None
    date: str | None = None
    venue: str | None = None
    pmid: str | None = None
    doi: str | None = None
    nct: tuple[str, ...] = ()
    retracted: bool = False
    not_a_study: str | None = None
    """Why the source reports no study of its own, when its metadata says so (a review)."""
    keywords: tuple[str, ...] = ()
    """Subject headings the source is indexed under (PubMed's MeSH), not part of ``text``."""
    mesh: tuple[tuple[str, str], ...] = ()
    """The MeSH descriptors among them: (UI, name), e.g. ("D000690", "Amyotrophic Lateral
    Sclerosis")."""


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The documents of one file and the warnings met while reading it (non-fatal)."""

    documents: tuple[Document, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
