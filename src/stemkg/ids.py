"""The one place IRIs are minted (from content keys) and CURIEs are converted.

Minted IRIs are readable slugs where a key is short and safe, a hash otherwise, so the same
input always gives the same IRIs and two builds merge cleanly.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache

import curies

from stemkg.resources import ontology_file
from stemkg.vocab import ID

__all__ = [
    "arm_iri",
    "compress",
    "converter",
    "evidence_iri",
    "expand",
    "graph_iri",
    "outcome_iri",
    "report_iri",
    "slug",
    "software_iri",
    "source_iri",
    "study_iri",
    "therapy_iri",
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


def source_iri(source_key: str) -> str:
    """The source document (file, or one article of a multi-article file)."""
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


def outcome_iri(report: str, index: int) -> str:
    """An outcome of a report, by its place in the report (1-based)."""
    return f"{report}/outcome/{index + 1}"


def evidence_iri(subject: str, predicate: str, obj: str) -> str:
    """The evidence node behind one value triple."""
    return f"{subject}/evidence/{_digest(predicate + ' ' + obj)}"


def software_iri(version: str) -> str:
    """The software release that built a graph."""
    return f"{ID}software/stemkg-{slug(version)}"
