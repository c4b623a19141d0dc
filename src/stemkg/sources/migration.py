"""Rewrite a version 1 record file as version 2, keeping the curator's comments.

YAML goes through ruamel.yaml's round-trip loader (comments, key order and quoting kept;
long strings are re-wrapped at 100 columns), JSON through ``json``. The result is checked
by the v2 reader before it is returned, so a file is never rewritten into one that fails.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import YAMLError

from stemkg.errors import InputError
from stemkg.lexicon import Lexicon
from stemkg.migrate import MigrationError, migrate_record
from stemkg.sources.common import read_text
from stemkg.sources.records import parse_records

__all__ = ["Migrated", "migrate_file"]


@dataclass(frozen=True, slots=True)
class Migrated:
    """A record file as version 2, and what changed (nothing when it already was)."""

    path: Path
    text: str
    notes: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.notes)


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # no re-wrapping: flow mappings and long lines stay on their lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _flow_lists(data: Any) -> None:
    """``conditions: [X]`` on one line, as curators write term lists."""
    for report in data.get("reports") or []:
        if isinstance(report, dict) and isinstance(report.get("conditions"), list):
            seq = CommentedSeq(report["conditions"])
            seq.fa.set_flow_style()
            report["conditions"] = seq


def _migrate_yaml(path: Path, text: str) -> tuple[str, list[str]]:
    yaml = _yaml()
    try:
        documents = [d for d in yaml.load_all(text) if d is not None]
    except YAMLError as exc:
        raise InputError(path, f"YAML does not parse: {exc}") from None
    notes: list[str] = []
    for n, data in enumerate(documents):
        if not isinstance(data, dict):
            continue
        where = f"record {n + 1}: " if len(documents) > 1 else ""
        try:
            changes = migrate_record(data)
        except MigrationError as exc:
            raise InputError(path, f"{where}{exc}") from None
        if changes:
            _flow_lists(data)
        notes += [where + change for change in changes]
    if not notes:
        return text, []
    out = io.StringIO()
    yaml.dump_all(documents, out)
    return out.getvalue(), notes


def _migrate_json(path: Path, text: str) -> tuple[str, list[str]]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise InputError(path, f"JSON does not parse: {exc}") from None
    documents = data if isinstance(data, list) else [data]
    try:
        notes = [c for d in documents if isinstance(d, dict) for c in migrate_record(d)]
    except MigrationError as exc:
        raise InputError(path, str(exc)) from None
    if not notes:
        return text, []
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n", notes


def migrate_file(path: Path, lexicon: Lexicon) -> Migrated:
    """The text of ``path`` as a version 2 record file; raises ``InputError`` when the
    result would not load (it names the file, record and field, as a build would)."""
    text, _ = read_text(path)
    if path.suffix.lower() == ".json":
        new, notes = _migrate_json(path, text)
    else:
        new, notes = _migrate_yaml(path, text)
    parse_records(path, new, lexicon)
    return Migrated(path, new, tuple(notes))
