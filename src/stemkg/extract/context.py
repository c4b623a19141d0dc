"""Modality with the NegEx/ConText algorithm: is a finding asserted, negated or hedged?

A trigger term (negation or hedge) opens a scope that runs forward (or backward) over the
sentence until a termination term, another trigger, or the sentence's end; pseudo-triggers
("no change", "not only") look like triggers but open nothing. The trigger lists are data
(``ontology/context-triggers.tsv``) taken from the published NegEx and ConText lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from stemkg.model import Modality

__all__ = ["ContextRules", "Trigger"]

_MAX_SCOPE_WORDS = 8
"""ConText's default scope: a trigger reaches this many words at most."""


_BUT = re.compile(r"\bbut\s+$", re.I)
_ASIDE = re.compile(r"[^,;.]{1,60},")
"""The phrase a contrastive "but not" negates when a comma closes it ("but not allogeneic
cells,"), so that the rest of the sentence keeps its own modality."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """A trigger term, what it signals and which way its scope runs."""

    term: str
    category: str  # negation | hedge | pseudo | termination
    direction: str  # forward | backward | both | backward-across | backward-sentence


class ContextRules:
    """The compiled trigger list."""

    def __init__(self, triggers: Iterable[Trigger]) -> None:
        ordered = sorted(triggers, key=lambda t: -len(t.term))
        self._by_term = {t.term.lower(): t for t in ordered}
        alternatives = "|".join(re.escape(t.term) for t in ordered)
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)

    def _hits(self, sentence: str) -> list[tuple[int, int, Trigger]]:
        return [
            (m.start(), m.end(), self._by_term[m.group().lower()])
            for m in self._pattern.finditer(sentence)
        ]

    def modality(self, sentence: str, start: int, end: int, change: bool = True) -> Modality:
        """The modality of the finding at ``sentence[start:end]``; a figure that is no
        ``change`` (an incidence, "events in 5 of 15") is not hedged by what the sentence
        says of a comparison ("a difference that was not significant")."""
        hits = self._hits(sentence)
        if not change:
            hits = [h for h in hits if h[2].direction != "backward-sentence"]
        for kind in ("negation", "hedge"):
            for t_start, t_end, trigger in hits:
                if trigger.category == kind and self._covers(
                    hits, (t_start, t_end), trigger, (start, end), sentence
                ):
                    return Modality.NEGATED if kind == "negation" else Modality.HEDGED
        return Modality.ASSERTED

    def _covers(
        self,
        hits: list[tuple[int, int, Trigger]],
        at: tuple[int, int],
        trigger: Trigger,
        target: tuple[int, int],
        sentence: str,
    ) -> bool:
        """Whether a trigger's scope reaches the target span (pseudo-triggers match as
        wholes first, so the trigger inside "no change" is never seen on its own)."""
        (t_start, t_end), (start, end) = at, target
        aside = _ASIDE.match(sentence, t_end) if _BUT.search(sentence, 0, t_start) else None
        if aside is not None and start >= aside.end():
            return False  # "A, but not B, improved": the negation ends with its phrase
        if trigger.direction in ("forward", "both") and t_start < start and t_end <= end:
            return self._clear(hits, min(t_end, start), start, sentence)  # "[may be] safe"
        if trigger.direction in ("backward", "both") and end <= t_start:
            return self._clear(hits, end, t_start, sentence)
        if trigger.direction == "backward-across" and end <= t_start:
            return len(sentence[end:t_start].split()) <= _MAX_SCOPE_WORDS
        if trigger.direction == "backward-sentence":  # "..., a difference that was not
            return end <= t_start  # significant": of everything the sentence said before
        return False

    def _clear(
        self, hits: list[tuple[int, int, Trigger]], left: int, right: int, sentence: str
    ) -> bool:
        """No termination term and not too many words between ``left`` and ``right``."""
        if len(sentence[left:right].split()) > _MAX_SCOPE_WORDS:
            return False
        return not any(left <= s and e <= right and h.category == "termination" for s, e, h in hits)
