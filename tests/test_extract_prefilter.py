"""Annotate, the cue prefilter: the words a pattern needs are in every match, so skipping a
pattern whose words are absent never loses a hit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stemkg.extract.prefilter import may_match, needs
from stemkg.vocab import load_resources

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (
            r"via (a )?lumbar punctures?|by lumbar puncture",
            {"lumbar puncture", "by lumbar puncture"},
        ),
        (r"(inject\w*|implant\w*)\s+into", {"nject", "mplant"}),  # the parser shares the "i"
        (r"\d+ patients", {"patients"}),
        (r"(improv\w+|better)", {"improv", "better"}),
        (r"(a|an)? ?\w+", None),  # can match with no literal text
        (r"(?:more )?\w+ than placebo", {"than placebo"}),
    ],
)
def test_the_words_a_pattern_needs(pattern: str, words: set[str] | None) -> None:
    found = needs(re.compile(pattern, re.I))
    assert (None if found is None else set(found)) == words


def test_a_case_sensitive_pattern_has_no_prefilter() -> None:
    assert needs(re.compile(r"MSCs")) is None


def test_every_cue_match_holds_a_word_it_needs() -> None:
    """Over real articles, each match of each shipped cue contains one of its words."""
    texts = [p.read_text(errors="replace") for p in sorted((ROOT / "eval" / "articles").iterdir())]
    cues = load_resources().cues
    assert sum(c.needs is not None for c in cues) > 0.8 * len(cues)
    checked = 0
    for cue in cues:
        for text in texts:
            for m in cue.pattern.finditer(text):
                checked += 1
                assert may_match(cue.needs, m.group().casefold()), (cue.pattern.pattern, m.group())
    assert checked > 500


def test_one_scan_finds_the_words_present() -> None:
    from stemkg.extract.prefilter import CueWords

    words = CueWords([frozenset({"lumbar puncture"}), None, frozenset({"into the knee", "nject"})])
    assert words.present("given by lumbar puncture and injected") == {"lumbar puncture", "nject"}
    assert CueWords([None]).present("anything") == frozenset()
