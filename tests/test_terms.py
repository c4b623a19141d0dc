"""The ontology-scale term index and its cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemkg import terms
from stemkg.lexicon import Kind


def test_lookup_by_name_abbreviation_and_curie() -> None:
    index = terms.load_term_index()
    assert len(index) > 50_000
    [als] = index.lookup(Kind.CONDITION, "Lou Gehrig  disease")
    assert als.id == "MONDO:0004976"
    assert [t.id for t in index.lookup(Kind.CELL_TYPE, "MSC")] == ["CL:0000134"]
    assert index.lookup(Kind.CELL_TYPE, "msc") == ()  # abbreviations are case-sensitive
    assert index.lookup(Kind.TISSUE, "amyotrophic lateral sclerosis") == ()
    psp = index.get("MONDO:0019037")
    assert psp is not None and psp.label == "progressive supranuclear palsy"
    assert "MONDO:0000001" in index.ancestors("MONDO:0019037")


def test_the_cache_is_rebuilt_when_missing_or_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    terms.load_term_index.cache_clear()
    try:
        first = terms.load_term_index()
        [cached] = (tmp_path / "stemkg").glob("terms-*.marshal")
        cached.write_bytes(b"not marshal data")
        terms.load_term_index.cache_clear()
        again = terms.load_term_index()
        assert len(again) == len(first)
        assert cached.stat().st_size > 1_000_000
    finally:
        terms.load_term_index.cache_clear()
