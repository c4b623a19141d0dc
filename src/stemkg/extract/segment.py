"""Segment: regions of a document, one per study it reports.

A roundup of three trials gives three regions; an earlier study named in passing, or a
closing comment on the studies above, gives none of its own. No other stage assumes that a
document reports one study.
"""

from __future__ import annotations

import re
from typing import Any

from stemkg.extract.annotate import AnnotatedDoc
from stemkg.extract.cells import stemlike
from stemkg.extract.design import phase_mentions
from stemkg.extract.drafts import Report, StudyRef
from stemkg.extract.groups import people_counts
from stemkg.lexicon import Kind

__all__ = ["describes_a_study", "segment"]


STUDYLIKE = re.compile(
    r"\b(trial|study|studies|experiments?|researchers|investigators|team|group|authors|"
    r"surgeons|doctors|physicians|clinicians|scientists|"
    r"published|reported|patients|participants|mice|rats|animals)\b",
    re.I,
)


NCT_IN_TEXT = re.compile(r"\bNCT\d{8}\b")


_PARAGRAPH = re.compile(r"\S(?:[^\n]|\n(?![ \t]*\n))*")


_SECTION = re.compile(
    r"^\W*(?:background|introduction|objectives?|aims?|purpose|methods?|design|setting|"
    r"participants|patients|interventions?|main outcomes?(?: measures?)?|outcomes?|results?|"
    r"findings|conclusions?|interpretation|funding|discussion|limitations|significance|"
    r"summary|abstract|trial registration|registration|sources?|references?|keywords?)\W*$",
    re.I,
)


_INTRO = re.compile(
    r"^\W*(?:\d+[.)]\s*)?(?:(?:in|at|from|for)\s+)?(?:a|an|the|another|one|two|three|"
    r"a second|a third|the second|the third|the first|the last|a separate|a different|a newer|"
    r"a larger|a smaller|an earlier|a later|meanwhile|elsewhere|separately|finally|next|also|"
    r"similarly|by contrast|in contrast|on the other hand)\b[^.\n]{0,120}?\b(?:trial|study|"
    r"experiment|team|researchers|investigators|group|programme|program)\b",
    re.I,
)


_ORDINAL = re.compile(
    r"\b(?:another|second|third|fourth|separate|different|other|meanwhile|elsewhere|"
    r"separately|by contrast|in contrast)\b",
    re.I,
)


IDS = re.compile(r"\bNCT\d{8}\b|\bPMID:?\s*\d{5,9}\b|\b10\.\d{4,9}/[^\s,;)]+", re.I)


def segment(d: AnnotatedDoc) -> list[tuple[int, int]]:
    """Regions of the text, one per study it reports in turn: a new region starts at a
    paragraph that brings a registry id or publication id of its own, or that introduces
    another study ("In a second trial", "Meanwhile, a team in ..."), or at a heading that
    can name a study of its own, once the current region has described a study. Section
    headings of an abstract or a news story never split."""
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(d.text, d.lo, d.hi)]
    if len(paragraphs) < 2:
        return [(d.lo, d.hi)]
    regions: list[tuple[int, int]] = []
    start, described = paragraphs[0][0], False
    seen_ids: set[str] = set()
    for lo, hi in paragraphs:
        text = d.text[lo:hi]
        ids = {m.group().casefold() for m in IDS.finditer(text)}
        heading = _heading(text) and _names_a_study(d, lo, text)
        citing = bool(_CITING.match(text)) or bool(_ANAPHOR_STUDY.match(text))
        new_ids = bool(ids) and not (ids & seen_ids) and bool(seen_ids) and not citing
        intro = bool(_INTRO.match(text)) and bool(_ORDINAL.search(text[:160]))
        numbered = heading and bool(_NUMBERED.match(text))
        if (
            lo > start
            and (described or (numbered and _has_cells(d.region(start, lo))))
            and (new_ids or intro or heading)
        ):
            regions.append((start, lo))
            start, seen_ids, described = lo, set(), False
        seen_ids |= ids
        described = described or describes_a_study(d.region(start, hi))
    regions.append((start, d.hi))
    return regions


_HEADING_KINDS = (Kind.CELL_TYPE, Kind.CONDITION, Kind.TISSUE, Kind.SPECIES)


def _names_a_study(d: AnnotatedDoc, lo: int, paragraph: str) -> bool:
    """A heading that can open a study of its own: it names cells, a disease, a tissue or a
    species, or is led by a name ("Miami: a small trial", "France: no gain") or a number. A
    news story's own section heads ("Who took part", "Trial design") name none and go on
    with the same study; a registry's field ("Condition: ...") is no heading."""
    first = paragraph.lstrip()
    line = first.split("\n", 1)[0]
    start = lo + len(paragraph) - len(first)
    end = start + len(line)
    if _FIELD.match(line):
        return False
    if _NUMBERED.match(line) or _NAMED.match(line):
        return True
    return any(d.terms_in(kind, start, end) for kind in _HEADING_KINDS)


_NAMED = re.compile(r"^\W*[A-Z][\w'’ .&-]{0,30}:\s")
"""A roundup item's heading led by a name ("Miami: a small trial with a striking figure")."""


_FIELD = re.compile(
    r"^\W*(?:conditions?|diseases?|interventions?|(?:study )?phase|sponsors?|collaborators?|"
    r"study type|enrol?lment|status|recruitment status|allocation|masking|keywords?|"
    r"(?:primary |secondary )?outcomes?(?: measures?)?|locations?|countries|arms?)\s*:",
    re.I,
)
"""A registry's field ("Condition: Osteogenesis Imperfecta"): the record goes on."""


_LINE_END = re.compile(r"(?:[.!?:;,]|\b(?:the|of|and|or|a|an|to|in|with|for|on|by))$", re.I)


def _heading(paragraph: str) -> bool:
    """A paragraph that is a heading, or opens with one on a line of its own ("3. Embryonic
    stem cell-derived RPE in Stargardt disease" above its text): a short line with no closing
    punctuation, shorter than the line it heads (a hard-wrapped line is as long as the next),
    which is no section heading of an abstract."""
    lines = paragraph.strip().split("\n")
    first = lines[0].strip()
    if len(first.split()) > 14 or _LINE_END.search(first) or _SECTION.match(first):
        return False
    if len(lines) == 1:
        return True
    following = lines[1].strip()
    return bool(re.match(r"[A-Z0-9\"“(]", following)) and len(first) < 0.75 * len(following)


_CITING = re.compile(
    r"^\W*(?:references?|sources?|citation|cited|journal reference|published in|read more|"
    r"further reading|study|paper)\s*[:\-–]",
    re.I,
)
"""A paragraph that cites the study the text is about (its identifiers are that study's)."""


_ANAPHOR_STUDY = re.compile(
    r"^\W*(?:the|this|that|these|its|their)\s+(?:\w+\s+){0,2}?(?:study|trial|team|researchers|"
    r"investigators|work|results|findings|paper|authors)\b",
    re.I,
)
"""A paragraph that goes on about the study already named ("The trial, funded by ...")."""


_NUMBERED = re.compile(r"^\W*\d{1,2}[.)]\s+[A-Z]")
"""A numbered heading ("2. Retinal cells made from a patient's own skin"): a roundup's items."""


def _has_cells(d: AnnotatedDoc) -> bool:
    return any(stemlike(m.entry, d.res) for m in d.terms(Kind.CELL_TYPE))


def describes_a_study(d: AnnotatedDoc) -> bool:
    """A stretch of text that describes one study concretely: the cells, and who or how
    many received them, or the study's identifier or phase."""
    cells = _has_cells(d)
    concrete = bool(people_counts(d)) or bool(d.search(IDS)) or bool(phase_mentions(d))
    return cells and concrete and bool(d.search(STUDYLIKE))


def region_ref(d: AnnotatedDoc) -> StudyRef:
    """How a region names its study: the identifiers it gives, and its opening words."""
    opening = d.sents[0].text if d.sents else d.body
    ref: StudyRef = {"title": " ".join(opening.split()[:14])}
    ncts = sorted({m.group() for m in NCT_IN_TEXT.finditer(d.text, d.lo, d.hi)})
    if ncts:
        ref["nct"] = ncts
    pmid = re.compile(r"\bPMID:?\s*(\d{5,9})\b").search(d.text, d.lo, d.hi)
    if pmid:
        ref["pmid"] = pmid.group(1)
    doi = re.compile(r"\b10\.\d{4,9}/[^\s,;)]+").search(d.text, d.lo, d.hi)
    if doi:
        ref["doi"] = doi.group().rstrip(".")
    return ref


def _signature(report: Report) -> tuple[Any, ...]:
    conditions = tuple(c.get("id") or c.get("label") for c in report.get("conditions", [])[:1])
    cells = tuple(
        sorted(
            {
                a["therapy"]["cell_type"].get("id", "")
                for a in report["arms"]
                if a.get("therapy", {}).get("cell_type")
            }
        )
    )
    return conditions, cells, report["design"]["study_type"]["value"]


def all_distinct(reports: list[Report]) -> bool:
    """Reports of regions are separate studies when each has identifiers of its own or a
    different condition, cell type or kind of study."""
    for i, a in enumerate(reports):
        for b in reports[i + 1 :]:
            ids_a = set(a["study"].get("nct", [])) | {a["study"].get("pmid"), a["study"].get("doi")}
            ids_b = set(b["study"].get("nct", [])) | {b["study"].get("pmid"), b["study"].get("doi")}
            ids_a.discard(None)
            ids_b.discard(None)
            if ids_a & ids_b:
                return False
            if not (ids_a and ids_b) and _signature(a) == _signature(b):
                return False
    return True
