"""The one place IRIs are minted (from content keys) and CURIEs are converted.

Minted IRIs are readable slugs where a key is short and safe, a hash otherwise, so the same
input always gives the same IRIs and two builds merge cleanly. Nothing is keyed by a file name
or a position: sources by their identifiers (or normalised title), arms by label, outcomes by
a hash of what they found, unmapped terms by kind and normalised label.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import curies

from stemkg.lexicon import Kind, normalise
from stemkg.model import Outcome, PlannedMeasure, Source, SourceKind, outcome_key
from stemkg.resources import ontology_file
from stemkg.vocab import ID

__all__ = [
    "arm_iri",
    "canonical_url",
    "compress",
    "converter",
    "evidence_iri",
    "expand",
    "graph_iri",
    "outcome_iri",
    "planned_measure_iri",
    "report_iri",
    "slug",
    "software_iri",
    "source_iri",
    "source_key",
    "study_iri",
    "therapy_iri",
    "title_key",
    "unmapped_iri",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def _digest(text: str, size: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


def slug(text: str, limit: int = 60) -> str:
    """A hyphenated, IRI-safe form of ``text``; long keys end in a short hash."""
    cleaned = _UNSAFE.sub("-", text).strip("-") or "x"
    if len(cleaned) <= limit:
        return cleaned
    return f"{cleaned[: limit - 13].rstrip('-')}-{_digest(text)}"


@cache
def converter() -> curies.Converter:
    """CURIE ↔ IRI converter built from ``ontology/context.jsonld`` (bioregistry prefixes)."""
    context = json.loads(ontology_file("context.jsonld").read_text(encoding="utf-8"))
    return curies.Converter.from_prefix_map(context["@context"])


def expand(curie: str) -> str:
    """The IRI of a CURIE; raises ``ValueError`` for an unknown prefix."""
    iri = converter().expand(curie)
    if iri is None:
        raise ValueError(f"unknown prefix in CURIE {curie!r}")
    return str(iri)


def compress(iri: str) -> str:
    """The CURIE of an IRI, or the IRI itself when no prefix covers it."""
    return str(converter().compress(iri) or iri)


def canonical_url(url: str) -> str:
    """A URL as a key: scheme and host in lower case, no fragment, default port, trailing
    slash or tracking parameters (``utm_*``)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")])
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def title_key(title: str) -> str:
    """A title as a key: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^\w\s]", " ", normalise(title)).split())


_PUBLICATIONS = (SourceKind.JOURNAL_ARTICLE, SourceKind.ABSTRACT)


def source_key(source: Source) -> str:
    """The content key of a source, from its own identifiers (never its file name).

    A documented ``key`` wins; a journal article or abstract is keyed by PMID, then DOI; a
    registry record by its registry id; a curated record by the publication it curates
    (``curated:pmid:...``); pages and everything else by canonical URL, then normalised title.
    The PMID or DOI a news page cites names the study it is about, not the page.
    """
    if source.key:
        return f"key:{title_key(source.key)}"
    own: list[tuple[str, str | None]] = [("url", source.url and canonical_url(source.url))]
    if source.kind in _PUBLICATIONS or source.kind is SourceKind.CURATED_RECORD:
        own = [("pmid", source.pmid), ("doi", source.doi and source.doi.casefold()), *own]
    if source.kind in (SourceKind.REGISTRY_RECORD, SourceKind.CURATED_RECORD) and source.nct:
        own.insert(len(own) - 1, ("nct", source.nct[0]))
    found = next((f"{name}:{value}" for name, value in own if value), None)
    key = found or f"title:{title_key(source.title)}"
    return f"curated:{key}" if source.kind is SourceKind.CURATED_RECORD else key


def source_iri(source_key: str) -> str:
    """The source document (a file, or one article of a multi-article file)."""
    return f"{ID}source/{slug(source_key)}"


def graph_iri(source_key: str) -> str:
    """The named graph that holds one source's triples."""
    return f"{ID}graph/{slug(source_key)}"


def study_iri(study_key: str) -> str:
    """A study, from the key the linking rule chose: ``nct:NCT01363401/phase-1`` gives
    ``study/NCT01363401-phase-1``, ``pmid:26751635`` gives ``study/pmid-26751635``."""
    return f"{ID}study/{slug(study_key.removeprefix('nct:'), limit=80)}"


def report_iri(source_key: str, study_key: str) -> str:
    """What one source says about one study."""
    return f"{ID}report/{slug(source_key)}/{slug(study_key, limit=80)}"


def arm_iri(report: str, label: str) -> str:
    """An arm of a report, keyed by its label."""
    return f"{report}/arm/{slug(label)}"


def therapy_iri(arm: str) -> str:
    """The therapy an arm received."""
    return f"{arm}/therapy"


def outcome_iri(report: str, outcome: Outcome) -> str:
    """An outcome of a report, by a hash of its measure, arms, timepoint and figures: it keeps
    its IRI when other outcomes are added or its direction is corrected."""
    return f"{report}/outcome/{_digest(outcome_key(outcome))}"


def planned_measure_iri(report: str, measure: PlannedMeasure) -> str:
    """A planned measure of a report, by a hash of its priority, title and time frame."""
    frame = measure.time_frame.value if measure.time_frame else ""
    key = "\t".join(
        (measure.priority.value.value, title_key(measure.title.value), title_key(frame))
    )
    return f"{report}/planned/{_digest(key)}"


def unmapped_iri(kind: Kind, label: str) -> str:
    """A term no table knows: one node per kind and normalised label."""
    return f"{ID}term/{kind.value.replace('_', '-')}/{slug(title_key(label))}"


def evidence_iri(subject: str, predicate: str, obj: str) -> str:
    """The evidence node behind one value triple."""
    return f"{subject}/evidence/{_digest(predicate + ' ' + obj)}"


def software_iri(version: str) -> str:
    """The software release that built a graph."""
    return f"{ID}software/stemkg-{slug(version)}"
