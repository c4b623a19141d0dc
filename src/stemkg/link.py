"""The linking rule: which reports, from which sources, describe the same study.

1. **Registry ids pool.** A report's registry ids (with its stage, where one registry id covers
   several stages: ``nct:NCT01363401/phase-1``) name its study; a report listing several ids
   says they are one study (a paper pooling two registered trials), so every report naming any
   of them meets on it, transitively. An id given without a stage joins the only staged study
   of that id, if there is just one. The study is keyed by its smallest registry id.
2. **Publications join registered studies.** Reports without a registry id that share a PMID,
   DOI or documented key meet (transitively); the group joins the registered study whose
   reports share one of those identifiers, when exactly one does. When several do, it stays
   apart and is listed as ambiguous; when none does, it is a study keyed by its strongest
   identifier (PMID, then DOI, then key). Two registered studies never meet through a PMID or
   DOI: a paper may report several trials. When two sources give one PMID or DOI to different
   registered studies (and no single source splits them), the build lists it as a conflict.
3. **Descriptions meet identified studies.** A report with no identifier at all (an article
   that names none) joins the one study whose reports agree with it on venue, condition and
   cell type (one given type, or a narrower or broader one) and contradict nothing stated (the
   year); with several such studies it stays apart and is listed as ambiguous; with none it is
   a study of its own (``source:<source key>``).
The keys depend only on the set of reports, never on their order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stemkg.ids import slug
from stemkg.model import StudyRef

__all__ = [
    "Ambiguity",
    "Conflict",
    "Linking",
    "Profile",
    "ReportRef",
    "link_studies",
    "normalise_venue",
]


@dataclass(frozen=True, slots=True)
class Profile:
    """What rule 3 compares: venue (normalised), year, condition, cell types with ancestors."""

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
    what it says about it (for rule 3). ``local`` tells apart the unidentified studies of
    one source (empty when the source reports one study)."""

    source_key: str
    index: int
    study: StudyRef
    profile: Profile = Profile()
    local: str = ""


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """A report that could belong to several studies and was kept apart."""

    source_key: str
    index: int
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """A PMID, DOI or key that sources give to different registered studies."""

    token: str
    studies: tuple[str, ...]
    reports: tuple[tuple[str, int], ...]
    """(source key, report index) of each report that carries the token."""


@dataclass(frozen=True, slots=True)
class Linking:
    """The study key of every report, and the matches left apart or in conflict."""

    keys: dict[tuple[str, int], str]
    ambiguous: tuple[Ambiguity, ...]
    conflicts: tuple[Conflict, ...] = ()


def normalise_venue(venue: str | None) -> str | None:
    """Venue names compared without case, punctuation or a leading "The"."""
    if not venue:
        return None
    words = re.sub(r"[^\w\s]", " ", venue.casefold()).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words) or None


def _weak(study: StudyRef) -> list[str]:
    """Identifiers that are not registry ids: PMID, DOI, documented key."""
    tokens = []
    if study.pmid:
        tokens.append(f"pmid:{study.pmid}")
    if study.doi:
        tokens.append(f"doi:{study.doi.casefold()}")
    if study.key:
        tokens.append(f"key:{slug(study.key).casefold()}")
    return tokens


def _registry(study: StudyRef) -> list[str]:
    stage = f"/{slug(study.stage).casefold()}" if study.stage else ""
    return [f"nct:{nct}{stage}" for nct in study.nct]


class _Union:
    """Union-find over tokens; each component is named by its best token."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        while self.parent.setdefault(x, x) != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        for other in tokens[1:]:
            a, b = self.find(tokens[0]), self.find(other)
            if a != b:
                self.parent[max(a, b, key=_rank)] = min(a, b, key=_rank)
        if tokens:
            self.find(tokens[0])


def _rank(token: str) -> tuple[int, str]:
    order = {"nct": 0, "pmid": 1, "doi": 2, "key": 3}
    return order[token.split(":", 1)[0]], token


def _resolve_stages(refs: Sequence[ReportRef]) -> dict[ReportRef, list[str]]:
    """Each report's registry tokens, an unstaged id resolved to its only staged study."""
    staged: dict[str, set[str]] = defaultdict(set)
    for ref in refs:
        for token in _registry(ref.study):
            if "/" in token:
                staged[token.split("/", 1)[0]].add(token)
    resolved = {}
    for ref in refs:
        tokens = [
            next(iter(staged[t])) if "/" not in t and len(staged[t]) == 1 else t
            for t in _registry(ref.study)
        ]
        if tokens:
            resolved[ref] = tokens
    return resolved


def _registered(refs: Sequence[ReportRef]) -> dict[ReportRef, str]:
    """Rule 1: registry ids pool, transitively."""
    tokens = _resolve_stages(refs)
    union = _Union()
    for group in tokens.values():
        union.join(group)
    return {ref: union.find(group[0]) for ref, group in tokens.items()}


def _conflicts(refs: Sequence[ReportRef], keys: dict[ReportRef, str]) -> list[Conflict]:
    """Weak identifiers that sources give to different registered studies."""
    carriers: dict[str, list[ReportRef]] = defaultdict(list)
    for ref in keys:
        for token in _weak(ref.study):
            carriers[token].append(ref)
    found = []
    for token, group in sorted(carriers.items()):
        studies = {keys[r] for r in group}
        by_source: dict[str, set[str]] = defaultdict(set)
        for r in group:
            by_source[r.source_key].add(keys[r])
        if len(studies) > 1 and all(len(s) == 1 for s in by_source.values()):
            places = tuple(sorted((r.source_key, r.index) for r in group))
            found.append(Conflict(token, tuple(sorted(studies)), places))
    return found


def _publications(
    refs: Sequence[ReportRef], keys: dict[ReportRef, str]
) -> tuple[list[ReportRef], list[Ambiguity]]:
    """Rule 2: unregistered reports sharing identifiers meet, and join a registered study
    when exactly one shares an identifier with them. Returns the reports with none."""
    index: dict[str, set[str]] = defaultdict(set)
    for ref, key in keys.items():
        for token in _weak(ref.study):
            index[token].add(key)
    loose = [ref for ref in refs if ref not in keys and _weak(ref.study)]
    union = _Union()
    for ref in loose:
        union.join(_weak(ref.study))
    groups: dict[str, list[ReportRef]] = defaultdict(list)
    for ref in loose:
        groups[union.find(_weak(ref.study)[0])].append(ref)
    ambiguous = []
    for best, members in groups.items():
        tokens = {t for ref in members for t in _weak(ref.study)}
        candidates = set().union(*(index.get(t, set()) for t in tokens))
        key = candidates.pop() if len(candidates) == 1 else best
        for ref in members:
            keys[ref] = key
            if len(candidates) > 1:
                ambiguous.append(Ambiguity(ref.source_key, ref.index, tuple(sorted(candidates))))
    bare = [ref for ref in refs if ref not in keys]
    return bare, ambiguous


def _described(
    bare: list[ReportRef], keys: dict[ReportRef, str]
) -> tuple[dict[ReportRef, str], list[Ambiguity]]:
    """Rule 3: a report with no identifier joins the one study its description agrees with."""
    anchored = dict(keys)  # bare reports match identified studies only, so order cannot matter
    found: dict[ReportRef, str] = {}
    ambiguous = []
    for ref in bare:
        candidates = {k for other, k in anchored.items() if ref.profile.agrees(other.profile)}
        if len(candidates) == 1:
            found[ref] = candidates.pop()
            continue
        if candidates:
            ambiguous.append(Ambiguity(ref.source_key, ref.index, tuple(sorted(candidates))))
        local = f"/{ref.local}" if ref.local else ""
        found[ref] = f"source:{ref.source_key}{local}"
    return found, ambiguous


def link_studies(refs: Sequence[ReportRef]) -> Linking:
    """Apply the linking rule to every report of a build."""
    keys = _registered(refs)
    conflicts = _conflicts(refs, keys)
    bare, ambiguous = _publications(refs, keys)
    described, more = _described(bare, keys)
    keys.update(described)
    result = {(ref.source_key, ref.index): key for ref, key in keys.items()}
    ordered = sorted([*ambiguous, *more], key=lambda a: (a.source_key, a.index))
    return Linking(result, tuple(ordered), tuple(conflicts))
