"""Curated evidence records in YAML or JSON (``data/records``).

Records are read strictly (a wrong type is an error naming file, record and field). A
schema-version-1 record is converted on read, with a note naming ``stemkg migrate``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from stemkg.errors import InputError
from stemkg.ids import source_key
from stemkg.lexicon import Lexicon
from stemkg.migrate import MigrationError, migrate_record
from stemkg.model import SCHEMA_VERSION, RecordFile
from stemkg.sources.common import Loaded, content_hash, read_text

__all__ = ["RENAMED", "describe_error", "parse_records", "read_records"]

RENAMED = {
    "condition": "renamed in schema_version 2: write conditions: [...]",
    "blinding": "moved in schema_version 2: write it as design.masking",
    "control": "moved in schema_version 2: write it as design.control",
}
"""Report fields of version 1 that version 2 renamed or moved, and what to write instead."""


MAX_NODES = 200_000
"""A record file is far smaller; YAML aliases can make a short file expand exponentially."""


def _expanded(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once its aliases are expanded (shared nodes are
    counted once per use, each computed once)."""
    if id(node) not in memo:
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        memo[id(node)] = 1 + sum(_expanded(child, memo) for child in children)
    return memo[id(node)]


def _bounded(path: Path, text: str) -> None:
    """Refuse YAML that would expand past ``MAX_NODES`` ("billion laughs") or nests too deep,
    before anything is built from it."""
    memo: dict[int, int] = {}
    try:
        size = sum(_expanded(node, memo) for node in yaml.compose_all(text) if node is not None)
    except RecursionError:
        raise InputError(path, "YAML nested too deeply to be a record") from None
    if size > MAX_NODES:
        raise InputError(
            path, f"YAML expands to {size:,} values (aliases?); a record is far smaller"
        )


def _load(path: Path, text: str) -> list[Any]:
    """The documents of a file: one JSON value, or every document of a YAML stream
    (``stemkg extract --format yaml`` writes one per article)."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = (
                " (it starts with '<': XML saved as .json?)"
                if text.lstrip().startswith("<")
                else ""
            )
            raise InputError(
                path, f"line {exc.lineno}: JSON does not parse: {exc.msg}{hint}"
            ) from None
        except RecursionError:
            raise InputError(path, "JSON nested too deeply to be a record") from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise InputError(path, f"JSON does not parse: {exc}") from None
        return data if isinstance(data, list) else [data]
    try:
        _bounded(path, text)
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.MarkedYAMLError as exc:
        line = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark else ""
        raise InputError(path, f"{line}YAML does not parse: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"YAML does not parse: {exc}") from None
    except ValueError as exc:  # a timestamp that does not exist: 2015-13-45
        raise InputError(path, f"YAML holds an impossible value: {exc}") from None


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a field path: ``reports[0].participants.enrolled``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1 if parts else 0 :] = [f"{parts[-1] if parts else ''}[{item}]"]
        elif item in ("value", "id") and parts:
            continue
        elif not item.startswith(("function-", "Choice[")):
            parts.append(item)
    return ".".join(parts) or "(top level)"


def _problem(error: Any) -> str:
    field = error["loc"][-1] if error["loc"] else None
    if error["type"] == "extra_forbidden" and field in RENAMED:
        return str(RENAMED[field])
    if error["type"] == "model_type" and error["loc"][-1:] == ("design",):
        return (
            "in schema_version 2 design is a mapping of axes (study_type, allocation, masking, "
            "intervention_model, control); `stemkg migrate FILE` converts a version 1 design"
        )
    if error["type"] == "model_type":
        return f"expected a mapping of fields (got {error.get('input')!r})"
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[0].lower() + message[1:] if message else message
    shown = repr(error.get("input"))
    if (
        error["type"] not in ("missing", "extra_forbidden")
        and not isinstance(error.get("input"), dict | list)
        and shown not in message
    ):
        message += f" (got {shown})"
    return message


def parse_records(
    path: Path, text: str, lexicon: Lexicon, notes: list[str] | None = None
) -> list[RecordFile]:
    """A record file's records, checked against the model; errors name file, record, field.
    A version 1 record is converted, and a note saying so is added to ``notes``."""
    documents = _load(path, text)
    if not documents:
        raise InputError(path, "holds no record")
    many = len(documents) > 1
    records = []
    converted = False
    for n, data in enumerate(documents):
        where = f"record {n + 1}: " if many else ""
        if isinstance(data, dict) and data.get("schema_version") == 1:
            try:
                migrate_record(data)
            except MigrationError as exc:
                raise InputError(path, f"{where}{exc} (a schema_version 1 record)") from None
            converted = True
        records.append(_parse_one(path, data, where, lexicon))
    if converted and notes is not None:
        notes.append(
            "schema_version 1 record converted on read; `stemkg migrate FILE --write` "
            "rewrites it as version 2"
        )
    return records


def _parse_one(path: Path, data: Any, where: str, lexicon: Lexicon) -> RecordFile:
    if not isinstance(data, dict):
        expected = "expected a mapping with schema_version, source, reports"
        raise InputError(path, f"{where}not a record file: {expected}")
    version = data.get("schema_version")
    if "schema_version" not in data and path.suffix.lower() == ".json":
        keys = ", ".join(list(data)[:5]) or "none"
        raise InputError(
            path,
            f"{where}neither a stemkg record (no schema_version) nor a ClinicalTrials.gov record "
            f"(no protocolSection, studies or FullStudiesResponse); its top-level keys: {keys}",
        )
    if version != SCHEMA_VERSION:
        reads = f"this stemkg reads schema_version {SCHEMA_VERSION} (and converts 1)"
        said = "has no schema_version" if version is None else f"schema_version is {version!r}"
        raise InputError(path, f"{where}{said}; {reads}")
    try:
        return RecordFile.model_validate(data, context={"lexicon": lexicon})
    except ValidationError as exc:
        raise InputError(path, f"{where}{describe_error(exc)}") from None


def describe_error(exc: ValidationError) -> str:
    """A record's first validation error as ``field.path: problem`` (with how many more)."""
    errors = exc.errors()
    first = errors[0]
    more = f" (and {len(errors) - 1} more in this record)" if len(errors) > 1 else ""
    at, problem = _where(first["loc"]), _problem(first)
    place = "" if at == "(top level)" and problem.startswith("reports[") else f"{at}: "
    return f"{place}{problem}{more}"


def read_records(path: Path, lexicon: Lexicon) -> tuple[list[Loaded], list[str]]:
    """A record file's sources (one, or one per document of a YAML stream), each keyed by its
    content (``ids.source_key``), and the notes met on the way."""
    text, data = read_text(path)
    notes: list[str] = []
    records = parse_records(path, text, lexicon, notes)
    if len(records) == 1:
        return [Loaded(source_key(records[0].source), path, content_hash(data), records[0])], notes
    loaded = [
        Loaded(source_key(r.source), path, content_hash(r.model_dump_json().encode()), r)
        for r in records
    ]
    return loaded, notes
