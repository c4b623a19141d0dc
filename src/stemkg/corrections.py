"""Curator corrections that survive re-extraction.

A corrections file (YAML with a top-level ``corrections:`` list; e.g.
``data/corrections/*.yaml``) patches what extraction got wrong without editing generated
files. Each patch names what stays stable when sources are added or re-extracted: the
source (``pmid:``, ``doi:``, ``nct:``, ``url:``, ``key:`` or its ``sha256:`` content hash),
the report's study (an NCT id, PMID, DOI or title; may be left out when the source reports
one study), and the field, with list items chosen by their label or quote, never by
position (``arms[intrathecal BM-MSC].therapy.donor``, ``outcomes[ALSFRS-R].direction``).
It is anchored by the quote (or the value, ``was:``) it replaces, so a patch whose text has
changed is reported instead of being applied to something else. The new value carries its
provenance: method ``curator-correction``, confidence 1, and a locator naming the curator,
the date stated in the file, the file, and what was replaced.

    curator: Jane Doe
    date: 2026-12-02
    corrections:
      - source: pmid:26751635
        study: NCT01051882
        field: design.allocation
        quote: randomised          # the extracted value's quote (or was: randomised)
        value: non_randomised      # null removes the value (or the list item)
        note: the conclusions speak of a later trial
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stemkg.errors import InputError
from stemkg.ids import canonical_url
from stemkg.lexicon import CURIE_FORM, Lexicon
from stemkg.model import RecordFile
from stemkg.sources.common import Loaded, read_text
from stemkg.sources.records import describe_error

__all__ = [
    "Correction",
    "CorrectionFile",
    "Corrections",
    "apply_corrections",
    "read_corrections",
]

_SEGMENT = re.compile(r"(?P<name>[a-z_]+)(?:\[(?P<pick>[^\]]+)\])?")
_TERMS = frozenset(
    {"conditions", "phase", "species", "cell_type", "source_tissue", "routes", "measure",
     "target_cells"}
)  # fmt: skip
"""Fields whose values are terms (a CURIE or a name), not plain values."""


class Correction(BaseModel):
    """One patch: where, what it replaces, and the new value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=3, description="pmid:…, doi:…, nct:…, url:…, key:… or sha256:…")
    study: str | None = None
    field: str = Field(min_length=1)
    quote: str | None = None
    was: str | int | float | None = None
    value: Any = None
    note: str | None = None


class CorrectionFile(BaseModel):
    """A corrections file: who made them, when, and the patches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    curator: str = Field(min_length=1)
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    corrections: list[Correction] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Corrections:
    """A corrections file as read, with where it came from."""

    path: Path
    file: CorrectionFile


def read_corrections(path: Path) -> Corrections:
    """A corrections file, checked against its schema; errors name the file and the field."""
    text, _ = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(path, f"YAML does not parse: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("date"), datetime.date):
        data["date"] = data["date"].isoformat()  # YAML reads 2026-12-02 as a date
    try:
        return Corrections(path, CorrectionFile.model_validate(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise InputError(path, f"{where}: {first['msg']} (a corrections file)") from None


class _Stale(Exception):
    """A patch that no longer applies, and why."""


def apply_corrections(
    units: list[Loaded], files: list[Corrections], lexicon: Lexicon
) -> tuple[list[Loaded], list[tuple[Path, str]]]:
    """The units with every patch applied, and a warning (file, message) for each patch that
    does not apply: its source is not in this build, its anchor is gone, or its value is not
    one the record format takes."""
    patched = list(units)
    warnings: list[tuple[Path, str]] = []
    for found in files:
        for n, patch in enumerate(found.file.corrections, 1):
            where = f"{found.path}: correction {n} ({patch.source} {patch.field})"
            at = next((i for i, u in enumerate(patched) if _names(patch.source, u)), None)
            if at is None:
                warnings.append(
                    (found.path, f"{where}: no source {patch.source} in this build; not applied")
                )
                continue
            try:
                unit = patched[at]
                record = _patched(unit.record, patch, found, lexicon)
            except _Stale as exc:
                warnings.append((found.path, f"{where} no longer applies: {exc}"))
                continue
            except ValueError as exc:
                warnings.append((found.path, f"{where}: not applied: {exc}"))
                continue
            patched[at] = Loaded(unit.key, unit.path, unit.content_hash, record)
    return patched, warnings


def _names(selector: str, unit: Loaded) -> bool:
    """Whether a selector names a source: by its key as the build keys it (``pmid:123`` is
    the PubMed abstract, ``curated:pmid:123`` the curated record of the same paper), or by
    its content hash."""
    kind, _, value = selector.strip().partition(":")
    kind, value = kind.casefold(), value.strip()
    if kind == "sha256":
        return unit.content_hash == f"sha256:{value.casefold()}"
    wanted = {
        "doi": f"doi:{value.casefold()}",
        "nct": f"nct:{value.upper()}",
        "url": f"url:{canonical_url(value)}",
    }.get(kind, f"{kind}:{value}")
    return unit.key == wanted


def _patched(
    record: RecordFile, patch: Correction, found: Corrections, lexicon: Lexicon
) -> RecordFile:
    data = record.model_dump(mode="json", exclude_none=True)
    report = _report(data["reports"], patch.study)
    _apply(report, patch, _evidence(patch, found))
    try:
        return RecordFile.model_validate(data, context={"lexicon": lexicon})
    except ValidationError as exc:
        raise ValueError(describe_error(exc)) from None


def _report(reports: list[dict[str, Any]], study: str | None) -> dict[str, Any]:
    if study is None:
        if len(reports) != 1:
            raise _Stale(f"the source has {len(reports)} reports; name the study")
        return reports[0]
    wanted = study.strip().casefold()
    for report in reports:
        ref = report.get("study", {})
        names = [
            *ref.get("nct", []),
            ref.get("pmid"),
            ref.get("doi"),
            ref.get("title"),
            ref.get("stage"),
        ]
        if wanted in {str(n).casefold() for n in names if n}:
            return report
    raise _Stale(f"no report of study {study!r}")


def _evidence(patch: Correction, found: Corrections) -> dict[str, Any]:
    replaced = patch.quote if patch.quote is not None else patch.was
    what = f"; replaced {replaced!r}" if replaced is not None else ""
    why = f"; {patch.note}" if patch.note else ""
    return {
        "method": "curator-correction",
        "confidence": 1.0,
        "locator": f"corrected by {found.file.curator} on {found.file.date} in {found.path.name}"
        f"{what}{why}",
    }


def _apply(report: dict[str, Any], patch: Correction, evidence: dict[str, Any]) -> None:
    *path, last = patch.field.split(".")
    node: Any = report
    for segment in path:
        node = _step(node, segment)
    m = _SEGMENT.fullmatch(last)
    if m is None or not isinstance(node, dict):
        raise _Stale(f"{patch.field!r} is not a field path")
    name, pick = m.group("name"), m.group("pick")
    if pick is not None:  # an item of a list, replaced or removed whole
        items = node.get(name)
        if not isinstance(items, list):
            raise _Stale(f"{name} is not a list")
        _replace(items, _pick(items, pick), patch, name, evidence)
        return
    current = node.get(name)
    if isinstance(current, list):
        at = next((i for i, item in enumerate(current) if _anchored(item, patch)), None)
        if at is None:
            raise _Stale(f"{patch.field} has no item quoted {_anchor(patch)!r}")
        _replace(current, at, patch, name, evidence)
        return
    if current is None and _anchor(patch) is not None:
        raise _Stale(
            f"{patch.field} has no value (is the field path right? it names the record "
            f"format's fields, e.g. design.allocation, arms[LABEL].therapy.donor)"
        )
    if _anchor(patch) is not None and not _anchored(current, patch):
        raise _Stale(f"{patch.field} is not {_anchor(patch)!r} any more")
    if patch.value is None:
        node.pop(name, None)
    elif current is not None and not isinstance(current, dict):
        node[name] = patch.value  # a plain field (an arm's label): no evidence of its own
    else:
        node[name] = _value(name, patch.value, evidence)


def _step(node: Any, segment: str) -> Any:
    m = _SEGMENT.fullmatch(segment)
    if m is None or not isinstance(node, dict):
        raise _Stale(f"{segment!r} is not a field")
    child = node.get(m.group("name"))
    if m.group("pick") is not None:
        if not isinstance(child, list):
            raise _Stale(f"{m.group('name')} is not a list")
        return child[_pick(child, m.group("pick"))]
    if child is None:
        child = node[m.group("name")] = {}
    return child


def _pick(items: list[Any], pick: str) -> int:
    """The list item a selector names: by label, measure, quote or id (never by position)."""
    wanted = pick.strip().casefold()
    found = [
        i for i, item in enumerate(items) if isinstance(item, dict) and wanted in _names_of(item)
    ]
    if len(found) > 1:
        raise _Stale(f"{pick!r} names {len(found)} items; use a label or quote that names one")
    if not found:
        raise _Stale(f"no item {pick!r}")
    return found[0]


def _names_of(item: dict[str, Any]) -> set[str]:
    names = [item.get(k) for k in ("label", "quote", "id", "value")]
    measure = item.get("measure")
    if isinstance(measure, dict):
        names += [measure.get(k) for k in ("label", "quote", "id")]
    return {str(n).casefold() for n in names if n is not None}


def _quotes(item: dict[str, Any]) -> set[str]:
    """The quotes a value carries: its own and those of its parts (an outcome's measure,
    direction, value)."""
    found = {item["quote"]} if isinstance(item.get("quote"), str) else set()
    for part in item.values():
        if isinstance(part, dict) and isinstance(part.get("quote"), str):
            found.add(part["quote"])
    return found


def _anchored(current: Any, patch: Correction) -> bool:
    if patch.quote is not None:
        return isinstance(current, dict) and patch.quote in _quotes(current)
    if patch.was is None:
        return True
    if isinstance(current, dict):
        return str(patch.was).casefold() in _names_of(current)
    return str(current).casefold() == str(patch.was).casefold()


def _anchor(patch: Correction) -> object:
    return patch.quote if patch.quote is not None else patch.was


def _replace(
    items: list[Any], index: int, patch: Correction, name: str, evidence: dict[str, Any]
) -> None:
    anchored = patch.quote is not None or patch.was is not None
    if anchored and not _anchored(items[index], patch):
        raise _Stale(f"{patch.field} is not {_anchor(patch)!r} any more")
    if patch.value is None:
        del items[index]
    else:
        items[index] = _value(name, patch.value, evidence)


def _value(name: str, value: Any, evidence: dict[str, Any]) -> Any:
    """The new value in the record format, with the correction's evidence."""
    if isinstance(value, dict):
        return {**value, **evidence}
    if name in _TERMS:
        text = str(value).strip()
        return {"id" if CURIE_FORM.match(text) else "label": text, **evidence}
    return {"value": value, **evidence}
