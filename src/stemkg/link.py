"""The linking rule: which reports, from which sources, describe the same study.

1. A report naming a registry id meets every report naming the same id and stage
   (key ``nct:NCT01363401/phase-1``; without a stage, ``nct:NCT01363401``). A report naming
   the id without a stage joins the only staged study of that id, if there is just one.
   Further registry ids of a study (a paper reporting two registered stages) are identifiers
   like its PMID.
2. A report without a registry id joins the registered study whose reports share its PMID,
   DOI, further registry id or documented key, when exactly one does; when several do, it
   stays apart and the match is reported as ambiguous.
3. Otherwise reports sharing a PMID, DOI or key meet on one study keyed by the strongest of
   them (PMID, then DOI, then key).
4. A report with no identifier at all (an article that names none) joins the one study whose
   reports agree with it on venue, condition and cell type (one given type, or a narrower or
   broader one) and contradict nothing stated (the year); with several such studies it stays
   apart and is listed as ambiguous; with none it is a study of its own
   (``source:<source>/<n>``).
The keys depend only on the set of reports, never on their order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stemkg.ids import slug
from stemkg.model import StudyRef

__all__ = ["Ambiguity", "Linking", "Profile", "ReportRef", "link_studies", "normalise_venue"]


@dataclass(frozen=True, slots=True)
class Profile:
    """What rule 4 compares: venue (normalised), year, condition, cell types with ancestors."""

    venue: str | None = None
    year: int | None = None
    condition: str | None = None
    cells: frozenset[str] = frozenset()
    """Cell types given, each with its ancestors, so "MSC" meets "bone-marrow MSC"."""
    given: frozenset[str] = frozenset()

    def agrees(self, other: Profile) -> bool:
        """Same venue and condition, related cell types, no contradicting year."""
        if not (self.venue and self.condition and self.given and other.given):
            return False
        if (self.venue, self.condition) != (other.venue, other.condition):
            return False
        if self.year and other.year and self.year != other.year:
            return False
        return bool(self.given & other.cells or other.given & self.cells)


@dataclass(frozen=True, slots=True)
class ReportRef:
    """A report's place (source key, index in that source), how it names its study, and
    what it says about it (for rule 4)."""

    source_key: str
    index: int
    study: StudyRef
    profile: Profile = Profile()


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """A report that could belong to several studies and was kept apart."""

    source_key: str
    index: int
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Linking:
    """The study key of every report, and the matches left apart as ambiguous."""

    keys: dict[tuple[str, int], str]
    ambiguous: tuple[Ambiguity, ...]


def normalise_venue(venue: str | None) -> str | None:
    """Venue names compared without case, punctuation or a leading "The"."""
    if not venue:
        return None
    words = re.sub(r"[^\w\s]", " ", venue.casefold()).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words) or None


def _secondary(study: StudyRef) -> list[str]:
    tokens = [f"nct:{nct}" for nct in study.nct[1:]]
    if study.pmid:
        tokens.append(f"pmid:{study.pmid}")
    if study.doi:
        tokens.append(f"doi:{study.doi.casefold()}")
    if study.key:
        tokens.append(f"key:{slug(study.key).casefold()}")
    return tokens


def _stage(stage: str) -> str:
    return slug(stage).casefold()


def _registry_keys(refs: Sequence[ReportRef]) -> dict[ReportRef, str]:
    """Rule 1: registry id and stage."""
    stages: dict[str, set[str]] = defaultdict(set)
    for ref in refs:
        if ref.study.nct and ref.study.stage:
            nct = ref.study.nct[0]
            stages[nct].add(f"nct:{nct}/{_stage(ref.study.stage)}")
    keys = {}
    for ref in refs:
        if not ref.study.nct:
            continue
        nct = ref.study.nct[0]
        if ref.study.stage:
            keys[ref] = f"nct:{nct}/{_stage(ref.study.stage)}"
        elif len(stages[nct]) == 1:
            keys[ref] = next(iter(stages[nct]))
        else:
            keys[ref] = f"nct:{nct}"
    return keys


def _union(groups: Iterable[list[str]]) -> dict[str, str]:
    """Union-find over tokens; each token maps to its component's best token."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for tokens in groups:
        if tokens:
            find(tokens[0])
        for other in tokens[1:]:
            a, b = find(tokens[0]), find(other)
            if a != b:
                parent[max(a, b, key=_rank)] = min(a, b, key=_rank)
    return {t: find(t) for t in parent}


def _rank(token: str) -> tuple[int, str]:
    order = {"nct": 0, "pmid": 1, "doi": 2, "key": 3}
    return order[token.split(":", 1)[0]], token


def link_studies(refs: Sequence[ReportRef]) -> Linking:
    """Apply the linking rule to every report of a build."""
    keys = _registry_keys(refs)
    index: dict[str, set[str]] = defaultdict(set)
    for ref, key in keys.items():
        for token in _secondary(ref.study):
            index[token].add(key)
    ambiguous = []
    loose: list[ReportRef] = []
    for ref in refs:
        if ref in keys:
            continue
        candidates = set().union(*(index.get(t, set()) for t in _secondary(ref.study)))
        if len(candidates) == 1:
            keys[ref] = candidates.pop()
            continue
        if candidates:
            ambiguous.append(Ambiguity(ref.source_key, ref.index, tuple(sorted(candidates))))
        loose.append(ref)
    best = _union(_secondary(ref.study) for ref in loose)
    bare = []
    for ref in loose:
        tokens = _secondary(ref.study)
        if tokens:
            keys[ref] = best[tokens[0]]
        else:
            bare.append(ref)
    anchored = dict(keys)  # bare reports match identified studies only, so order cannot matter
    for ref in bare:
        candidates = {k for other, k in anchored.items() if ref.profile.agrees(other.profile)}
        if len(candidates) == 1:
            keys[ref] = candidates.pop()
            continue
        if candidates:
            ambiguous.append(Ambiguity(ref.source_key, ref.index, tuple(sorted(candidates))))
        keys[ref] = f"source:{ref.source_key}/{ref.index}"
    result = {(ref.source_key, ref.index): key for ref, key in keys.items()}
    return Linking(result, tuple(sorted(ambiguous, key=lambda a: (a.source_key, a.index))))
