"""Record files from schema version 1 to 2: a pure function over a parsed record mapping.

It changes the mapping in place and keeps the order of its keys, so a YAML round-trip loader
(``ruamel.yaml``) keeps the curator's comments. What changes:

- ``condition: X`` becomes ``conditions: [X]``;
- ``design`` (one value), ``blinding`` and ``control`` become the design axes
  ``design: {study_type, allocation, masking, control}``: ``randomised_controlled`` is an
  interventional, randomised study; ``non_randomised_controlled`` interventional and
  non-randomised; ``open_label`` interventional with open-label masking; ``case_series`` and
  ``case_report`` observational; ``in_vitro``, ``animal`` and ``observational`` keep their
  name. Blinding ``open`` is masking ``open_label``. Nothing is inferred that v1 did not say.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

__all__ = ["V1_DESIGN", "MigrationError", "migrate_record"]


class MigrationError(ValueError):
    """A version 1 record that cannot be converted (a value version 1 did not have)."""


V1_DESIGN: dict[str, dict[str, str]] = {
    "in_vitro": {"study_type": "in_vitro"},
    "animal": {"study_type": "animal"},
    "case_report": {"study_type": "observational"},
    "case_series": {"study_type": "observational"},
    "observational": {"study_type": "observational"},
    "open_label": {"study_type": "interventional", "masking": "open_label"},
    "non_randomised_controlled": {"study_type": "interventional", "allocation": "non_randomised"},
    "randomised_controlled": {"study_type": "interventional", "allocation": "randomised"},
}
"""Each v1 design as the v2 axes it states."""

_V1_BLINDING = {"open": "open_label", "single": "single", "double": "double", "triple": "triple"}
_AXES = ("study_type", "allocation", "masking", "intervention_model", "control")


def _split(value: Any) -> tuple[Any, dict[str, Any]]:
    """A value written bare or as ``{value: ..., quote: ..., ...}``: the value and its evidence."""
    if isinstance(value, MutableMapping):
        evidence = {k: v for k, v in value.items() if k != "value"}
        return value.get("value"), evidence
    return value, {}


def _with(value: str, evidence: dict[str, Any]) -> Any:
    return {"value": value, **evidence} if evidence else value


def _take_comment(mapping: MutableMapping[str, Any], key: str) -> Any:
    """The comment a round-trip loader attached to ``key`` (none for a plain dict)."""
    ca = getattr(mapping, "ca", None)
    return ca.items.pop(key, None) if ca is not None else None


def _put_comment(mapping: MutableMapping[str, Any], key: str, comment: Any) -> None:
    ca = getattr(mapping, "ca", None)
    if comment is not None and ca is not None:
        ca.items[key] = comment


def _rename(mapping: MutableMapping[str, Any], old: str, new: str, value: Any) -> None:
    """Replace ``old`` by ``new`` at the same place among the keys, with its comment."""
    keys = list(mapping)
    position = keys.index(old)
    insert = getattr(mapping, "insert", None)
    if insert is not None:  # ruamel's CommentedMap: keeps the comments of the other keys
        comment = _take_comment(mapping, old)
        del mapping[old]
        insert(position, new, value)
        _put_comment(mapping, new, comment)
        return
    items = list(mapping.items())
    items[position] = (new, value)
    mapping.clear()
    mapping.update(items)


def _design(report: MutableMapping[str, Any], where: str) -> list[str]:
    value, evidence = _split(report.get("design"))
    if value is None:
        return []  # left for the v2 reader to report ("design" is required)
    if not isinstance(value, str) or value not in V1_DESIGN:
        raise MigrationError(
            f"{where}.design: {value!r} is not a version 1 design ({', '.join(V1_DESIGN)})"
        )
    stated = V1_DESIGN[value]
    axes: dict[str, Any] = {k: _with(v, evidence) for k, v in stated.items()}
    comments = {"study_type": _take_comment(report, "design")}
    notes = [f"{where}.design: {value} -> {', '.join(f'{k} {v}' for k, v in stated.items())}"]
    if "blinding" in report:
        blind, blind_ev = _split(report["blinding"])
        comments["masking"] = _take_comment(report, "blinding")
        del report["blinding"]
        if isinstance(blind, str):
            axes["masking"] = _with(_V1_BLINDING.get(blind, blind), blind_ev)
            notes.append(f"{where}.blinding: {blind} -> design.masking")
    if "control" in report:
        axes["control"] = report["control"]
        comments["control"] = _take_comment(report, "control")
        del report["control"]
        notes.append(f"{where}.control -> design.control")
    ordered = type(report)()  # a round-trip mapping keeps the comments moved onto it
    for key in _AXES:
        if key in axes:
            ordered[key] = axes[key]
            _put_comment(ordered, key, comments.get(key))
    _rename(report, "design", "design", ordered)
    return notes


def migrate_record(data: MutableMapping[str, Any]) -> list[str]:
    """Turn one schema-version-1 record mapping into version 2, in place; the changes made."""
    if data.get("schema_version") != 1:
        return []
    notes = ["schema_version: 1 -> 2"]
    for n, report in enumerate(data.get("reports") or []):
        if not isinstance(report, MutableMapping):
            continue
        where = f"reports[{n}]"
        if "condition" in report:
            _rename(report, "condition", "conditions", [report["condition"]])
            notes.append(f"{where}.condition -> conditions")
        notes += _design(report, where)
    data["schema_version"] = 2
    return notes
