"""Merging our build with external graphs: normalisation, graphs, conflicts, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemkg.errors import InputError
from stemkg.merge import merge
from stemkg.pipeline import BuildResult

FIX = Path(__file__).parent / "merge"
EXTERNAL = [FIX / n for n in ("external.ttl", "external.jsonld", "external.nq", "sameas.ttl")]


def test_identifiers_normalised(tmp_path: Path) -> None:
    out = tmp_path / "m.trig"
    merge(EXTERNAL, out)
    text = out.read_text()
    assert "identifiers.org" not in text and "bioregistry.io" not in text
    assert "obo:MONDO_0004976" in text and "obo:CL_0002540" in text
    assert "<http://example.org/kg/msc>" not in text.split("skos:exactMatch")[1]
    assert "<http://example.org/kg/graph/registry>" in text


def test_conflict_reported_and_kept(built: BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "m.trig"
    result = merge([FIX / "sameas.ttl"], out, build=built.out_dir)
    enrolled = {(c.value, c.input) for c in result.conflicts if c.property.endswith("enrolled")}
    assert ("9", "sameas.ttl") in enrolled
    assert any(source == "stemkg.trig" for _, source in enrolled)
    text = out.read_text()
    assert "stemkg:enrolled 9" in text


def test_idempotent_and_deterministic(tmp_path: Path) -> None:
    once, twice, again = tmp_path / "1.trig", tmp_path / "2.trig", tmp_path / "3.trig"
    merge(EXTERNAL, once)
    merge(EXTERNAL + EXTERNAL, twice)
    assert once.read_bytes() == twice.read_bytes()
    merge([once, *EXTERNAL], again)
    assert again.read_bytes() == once.read_bytes()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("broken.ttl", "not valid Turtle: .*line 3"),
        ("wrong.jsonld", "not valid JSON-LD"),
        ("table.csv", "unknown suffix"),
    ],
)
def test_bad_input(tmp_path: Path, name: str, problem: str) -> None:
    out = tmp_path / "m.trig"
    with pytest.raises(InputError, match=problem):
        merge([FIX / "external.ttl", FIX / name], out)
    assert not out.exists()
