"""Annotate, trial phases: one pattern reads ranges and sub-phases into NCIT's classes."""

from __future__ import annotations

import pytest

from stemkg.extract.phases import phase_mentions, with_phases
from stemkg.vocab import load_lexicon


@pytest.mark.parametrize(
    ("said", "curie"),
    [
        ("phase I–IIa", "NCIT:C15693"),  # a range is the combined class, sub-phases and all
        ("phase Ib/IIa", "NCIT:C15693"),
        ("Phase 1–2", "NCIT:C15693"),
        ("phase II/III", "NCIT:C15694"),
        ("phase 1b", "NCIT:C15600"),  # no class of its own: the phase it belongs to
        ("phase 3b", "NCIT:C15602"),
        ("phase IIa", "NCIT:C49686"),
        ("phase 2b", "NCIT:C49688"),
        ("phase two", "NCIT:C15601"),
        ("phase 0", "NCIT:C54721"),
    ],
)
def test_phases_as_papers_write_them(said: str, curie: str) -> None:
    [found] = phase_mentions(f"In a {said} trial, 30 patients were treated.", load_lexicon())
    assert found.entry.id == curie
    assert found.end - found.start == len(said)


def test_no_phase_in_words_that_only_look_like_one() -> None:
    assert phase_mentions("The phases of the moon; phase-contrast imaging.", load_lexicon()) == []


def test_the_pattern_wins_only_where_it_reads_more() -> None:
    lexicon = load_lexicon()
    text = "a phase I–IIa trial"
    [pattern] = phase_mentions(text, lexicon)
    short = type(pattern)(lexicon.get("NCIT:C15600"), 2, 9, "lexicon-match")  # "phase I"
    assert with_phases([short], [pattern]) == [pattern]
    same = type(pattern)(pattern.entry, pattern.start, pattern.end, "lexicon-match")
    assert with_phases([same], [pattern]) == [same]
