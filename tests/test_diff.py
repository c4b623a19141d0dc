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


def test_merge_and_diff_commands(built: BuildResult, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from stemkg.cli import app

    runner = CliRunner()
    out = tmp_path / "merged.trig"
    external = ROOT / "tests" / "merge" / "external.ttl"
    merged = runner.invoke(
        app, ["merge", str(external), "--build", str(built.out_dir), "-o", str(out)]
    )
    assert merged.exit_code == 0, merged.output
    assert "identifiers rewritten" in merged.stdout and out.stat().st_size > 0
    again = runner.invoke(
        app, ["merge", str(external), "--build", str(built.out_dir), "-o", str(out)]
    )
    assert again.exit_code == 0 and again.stdout == merged.stdout
    same = runner.invoke(app, ["diff", str(built.out_dir), str(built.out_dir), "-f", "json"])
    assert same.exit_code == 0 and json.loads(same.stdout)["values"] == []
    bad = runner.invoke(app, ["diff", str(built.out_dir), str(built.out_dir), "-f", "xml"])
    assert bad.exit_code == 2
    broken = runner.invoke(
        app, ["merge", str(ROOT / "tests" / "merge" / "broken.ttl"), "-o", str(tmp_path / "x.trig")]
    )
    assert (
        broken.exit_code == 2
        and "broken.ttl" in broken.stderr
        and not (tmp_path / "x.trig").exists()
    )
