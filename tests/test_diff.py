"""Diff of two builds of data/, one curated participant count changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from stemkg.diff import diff_builds
from stemkg.pipeline import BuildResult, build

ROOT = Path(__file__).resolve().parents[1]


def test_diff_names_changed_count(built: BuildResult, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "records", data / "records")
    shutil.copytree(ROOT / "data" / "registry", data / "registry")
    record = data / "records" / "oh-2015-stem-cells-transl-med.yaml"
    text = record.read_text()
    assert "enrolled: 8" in text
    record.write_text(text.replace("enrolled: 8", "enrolled: 11", 1))
    other = build([data / "records", data / "registry"], tmp_path / "build")
    result = diff_builds(built.out_dir, other.out_dir)
    changed = [v for v in result.values if v.predicate.endswith("/enrolled")]
    assert changed and changed[0].change == "changed"
    assert any("11" in v.new[0] for v in changed)
    assert diff_builds(built.out_dir, built.out_dir).values == []
