"""Assemble, the therapy's terms: which cells were given, from which tissue, for which
condition, and (in vitro) which cells they were given to.

The cells a text names most are not always the ones given ("motor neurons" in an ALS trial
of stem cells); these rules prefer stem-like cells, cells named as a product, cells derived
from something, then cells no table knows as the text names them.
"""

from __future__ import annotations

import re
from collections import Counter

from stemkg.extract.annotate import AnnotatedDoc, Resources
from stemkg.extract.drafts import Term
from stemkg.extract.grounding import Mention
from stemkg.lexicon import Kind, LexEntry

_STEMLIKE = re.compile(r"stem|progenitor|stromal|mononuclear|precursor|pluripotent", re.I)


def study_conditions(d: AnnotatedDoc, primary: Mention) -> list[Mention]:
    """The study's conditions: the most named one first, then one other the text
    names where it says who was studied ("patients with X", the headline), none of them a
    broader or narrower form of another."""
    chosen = [primary]
    nested = _nested_condition(d, primary)
    if nested is not None:
        chosen.append(nested)
    for m in d.terms(Kind.CONDITION):
        if len(chosen) == 2:
            break
        if any(m.entry.id == c.entry.id for c in chosen):
            continue
        related = any(
            m.entry.id in _ancestors(d.res, c.entry.id)
            or c.entry.id in _ancestors(d.res, m.entry.id)
            for c in chosen
        )
        if related:
            continue
        before = d.text[max(d.lo, m.start - 60) : m.start]
        in_headline = bool(d.sents) and d.sents[0].start <= m.start < d.sents[0].end
        if in_headline or _WHO.search(before):
            chosen.append(m)
    return chosen


def _nested_condition(d: AnnotatedDoc, m: Mention) -> Mention | None:
    """A condition named inside another's words as what it comes of: "COVID-19 ARDS" is
    ARDS (the words after) of COVID-19 (the words before), so both are studied; "lupus
    nephritis" or "retinitis pigmentosa" are not, as their last words alone name another
    thing or nothing."""
    words = d.text[m.start : m.end].split()
    for n in range(len(words) - 1, 0, -1):
        head, rest = " ".join(words[:n]), " ".join(words[n:])
        cause = re.sub(r"[- ](?:associated|related|induced|caused|linked)$", "", head, flags=re.I)
        try:  # "COVID-19-associated ARDS": ARDS of COVID-19
            entry = d.res.lexicon.resolve(Kind.CONDITION, cause)
            whole = d.res.lexicon.resolve(Kind.CONDITION, rest)
        except ValueError:
            continue
        if whole.id == m.entry.id and entry.id != m.entry.id:
            return Mention(entry, m.start, m.start + len(cause), "nested-condition")
    return None


_WHO = re.compile(
    r"\b(?:patients|people|adults|children|men|women|participants|volunteers|infants|babies|"
    r"members|those|subjects|cases|mice|rats|dogs|pigs|monkeys|sheep|rabbits|horses|animals)\s+"
    r"(?:[\w'-]+\s+){0,3}?(?:with|who (?:had|have)|(?:bred|engineered) to (?:have|develop))\s+"
    r"(?:[\w'-]+\s+){0,4}$"
    r"|\b(?:mouse|rat|dog|pig|animal|monkey|sheep|rabbit|canine|murine|rodent)\s+models?\s+of\s+"
    r"(?:[\w'-]+\s+){0,3}$",
    re.I,
)


_EVENT_OF = re.compile(
    r"\b(?:developed|develop|developing|prevent|preventing|prevention of|risk of|incidence of|"
    r"rates? of|cases of|episodes of|free (?:of|from)|freedom from|destroyed by|damaged by)"
    r"\s+(?:[\w'-]+\s+){0,2}$",
    re.I,
)
"""Words before a condition that make it an event counted ("developed acute GVHD", "to
prevent GVHD") or a cause ("destroyed by a burn"), not the disease of those studied."""


def studied_condition(d: AnnotatedDoc) -> Mention | None:
    """The condition studied: the most named, where naming it as who was studied ("566 people
    with heart failure", "mice bred to have X", "a rat model of X") counts three times (and
    breaks a tie), so the events a trial counted ("fewer heart attacks", "fewer fractures")
    do not outvote the disease its patients or animals had."""
    mentions = d.terms(Kind.CONDITION)
    if not mentions:
        return None
    who: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for m in mentions:
        before = d.text[max(d.lo, m.start - 40) : m.start]
        named[m.entry.id] += not _EVENT_OF.search(before)
        who[m.entry.id] += bool(_WHO.search(before))
    score = {k: (named[k] + 2 * who[k], who[k]) for k in named}
    best = max(score.values())
    return next(m for m in mentions if score[m.entry.id] == best)


def most_frequent(mentions: list[Mention]) -> Mention | None:
    if not mentions:
        return None
    counts = Counter(m.entry.id for m in mentions)
    best = max(counts.values())
    return next(m for m in mentions if counts[m.entry.id] == best)


def _ancestors(res: Resources, curie: str) -> frozenset[str]:
    """A term's ancestors: from the shipped extracts, else from the ontology tables."""
    found = res.ancestors.get(curie)
    if found is None and res.grounder.tables is not None:
        found = res.grounder.tables.ancestors(curie)
    return found or frozenset()


def stemlike(entry: LexEntry, res: Resources) -> bool:
    if entry.id == "EFO:0004905" or _STEMLIKE.search(entry.label):
        return True
    return "CL:0000034" in _ancestors(res, entry.id)


def _marker_cell(d: AnnotatedDoc) -> Mention | None:
    """Cells no table names, as the text names them: by a marker ("CD34+ cells"), else by
    words that say they are a therapy's cells ("cardiosphere-derived cells")."""
    found = d.search(_MARKER_CELLS)
    if found is not None:
        hsc = d.res.lexicon.get(_HSC) if _CD34.match(found.group("label")) else None
        if hsc is not None:  # CD34 is the marker CL defines haematopoietic stem cells by
            return Mention(hsc, found.start(), found.end(), "marker-cd34")
        return _unmapped_cell(found.group("label"), found.start(), found.end())
    for m in _CELL_PHRASE.finditer(d.text, d.lo, d.hi):
        tokens = list(re.finditer(r"\S+", m.group("words")))
        words = _name_words([t.group() for t in tokens])
        if words and _THERAPY_CELL.search(" ".join(words)):
            start = m.start("words") + tokens[-len(words)].start()
            return _unmapped_cell(" ".join([*words, "cell"]), start, m.end())
    return None


def _name_words(words: list[str]) -> list[str]:
    """The words just before "cells" that name them, read backwards to the first word that
    does not ("infusion of [cardiopoietic] cells", "the patients' own [heart-derived] cells")."""
    kept: list[str] = []
    for word in reversed(words):
        low = word.casefold()
        verbish = low.endswith(("ed", "ing")) and "-" not in low
        if low in _NOT_CELL_WORDS or verbish or low[:1].isdigit() or len(kept) == 3:
            break
        kept.insert(0, word)
    return kept


_HSC = "CL:0000037"
_CD34 = re.compile(
    r"CD34(?:\+|-positive| positive)\s+(?:stem\s+|progenitor\s+|stem/progenitor\s+)?cell"
)


def _unmapped_cell(label: str, start: int, end: int) -> Mention:
    entry = LexEntry(f"unmapped:{label.casefold()}", Kind.CELL_TYPE, label)
    return Mention(entry, start, end, "unmapped-cell")


_CELL_PHRASE = re.compile(r"(?P<words>(?:[A-Za-z'][\w'/+-]*\s+){1,5})cells\b")


_THERAPY_CELL = re.compile(
    r"(?:stem|progenitor|precursor|stromal|derived|poietic|sphere|regenerative|repair|"
    r"mononuclear)\b",
    re.I,
)
"""Words that make a phrase ending in "cells" the cells a therapy gives."""


_NOT_CELL_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "with",
        "and",
        "or",
        "their",
        "his",
        "her",
        "its",
        "own",
        "these",
        "those",
        "such",
        "into",
        "from",
        "by",
        "to",
        "in",
        "autologous",
        "allogeneic",
        "allogenic",
        "donor",
        "donated",
        "patients'",
        "patient's",
        "human",
        "cultured",
        "million",
        "billion",
        "thousand",
    ]
)


def _specialise(d: AnnotatedDoc, cell: Mention) -> tuple[Mention, Mention | None]:
    """A generic cell type said to come from a tissue becomes the tissue-specific type
    where the lexicon has one ("MSCs ... from each patient's bone marrow")."""
    sentence = d.sentence_of(cell.start)
    for tissue in d.terms_in(Kind.TISSUE, sentence.start, sentence.end):
        if not _source_of(d, cell, tissue):
            continue
        special = _compose(d, cell, tissue)
        if special is not None:
            span = (min(cell.start, tissue.start), max(cell.end, tissue.end))
            return Mention(special, span[0], span[1], "tissue-composition"), tissue
        return cell, tissue
    return cell, None


_TISSUE_BEFORE = re.compile(
    r"^[\s-]*(?:derived|origin|sourced)?[\s-]*(?:(?!(?:of|in|into|from|to|with|and|or|for|by|at|on|"
    r"the|their|through)\b)[\w+-]+\s+){0,2}$|"
    r"^(?:\s*\([A-Za-z]+\))?[\s,]*(?:(?:aspirate|concentrate|which|that|is|are)\s+){0,3}"
    r"(?:rich in|carrying|carries|contains?|containing|holds?|a source of)\s+(?:\w+\s+){0,2}$",
    re.I,
)
"""Tissue, then cells: "bone marrow mesenchymal stem cells", "adipose-derived stromal cells",
"bone marrow, rich in mesenchymal stem cells", "BMAC, which carries MSCs"; not a tissue a
preposition or a clause puts before them ("the colons of BM-MSC-treated mice", "through the
skin and injecting marrow")."""


_TISSUE_AFTER = re.compile(
    r"^[\s,]*(?:(?:were|was|are|is|which|that|had been|been|first|then|each)\s+){0,3}"
    r"(?:(?:derived|isolated|harvested|taken|obtained|collected|extracted|grown|expanded|"
    r"prepared|sourced|cultured|purified)\s+)?(?:from|of)\s+"
    r"(?:(?:the|a|each|their|his|her|its|own|patients?|patient's|patients'|donors?|donor's|"
    r"healthy|adult|human|newborn|infant|mouse|rat|autologous|allogeneic)\s+){0,3}$",
    re.I,
)
"""Cells, then where they came from: "MSCs isolated from each patient's bone marrow"."""


_ORIGIN_BEFORE = re.compile(
    r"(?:\b(?:cells?|taken|harvested|isolated|collected|extracted|obtained|derived|drawn|grown|"
    r"made|manufactured|produced|prepared|expanded)\s+(?:\w+\s+){0,3}?from|"
    r"\b(?:sample|aspirate|harvest|biopsy) of)\s+"
    r"(?:(?:the|a|each|their|his|her|own|patients?'?s?|donors?'?s?|healthy|newborn|human|"
    r"adult)\s+){0,3}$",
    re.I,
)


def _origin_of_cells(d: AnnotatedDoc, tissue: Mention) -> bool:
    """A tissue the text says cells came from, though it names them only as "cells":
    "cells taken from the patient's own bone marrow", "marrow-derived"."""
    before = d.text[max(d.lo, tissue.start - 80) : tissue.start]
    after = d.text[tissue.end : tissue.end + 12]
    return bool(_ORIGIN_BEFORE.search(before)) or bool(re.match(r"[\s-]*derived\b", after, re.I))


def _source_of(d: AnnotatedDoc, cell: Mention, tissue: Mention) -> bool:
    """Whether the text says the cells came from the tissue (not only that they went there)."""
    if tissue.end <= cell.start:
        return bool(_TISSUE_BEFORE.match(d.text[tissue.end : cell.start]))
    if tissue.start >= cell.end:
        return bool(_TISSUE_AFTER.match(d.text[cell.end : tissue.start]))
    return False


GENERIC_CELLS = frozenset({"CL:0000034"})
"""A bare "stem cells": where the text names a product, the product's type says more (a
text that says "mesenchymal stem cells" keeps what it says)."""


def _product(d: AnnotatedDoc) -> Mention | None:
    """The cell type of a stem-cell product the text names (NurOwn, remestemcel-L ...)."""
    for hit in d.cues("product"):
        curie = hit.value.split()[0]
        entry = d.res.lexicon.get(curie)
        if entry is None and d.res.grounder.tables is not None:
            found = d.res.grounder.tables.get(curie)
            entry = LexEntry(found.id, found.kind, found.label) if found else None
        if entry is not None:
            return Mention(entry, hit.start, hit.end, "product-name")
    return None


_DERIVED_AFTER = re.compile(
    r"^[\s-]*(?:derived|made|grown|generated|produced|differentiated|manufactured|created)\s+"
    r"(?:\w+\s+){0,3}?from\s+(?:(?:the|a|human|patient's|patients'|their|own|donated|donor|"
    r"embryonic|induced|pluripotent)\s+){0,3}$",
    re.I,
)


_DERIVED_BEFORE = re.compile(
    r"^[\s-]*(?:derived|made|grown|generated)[\s-]+(?:[\w-]+\s+){0,2}$", re.I
)


_HSCT = re.compile(
    r"\b(?:stem[- ]cell|bone[- ]marrow|marrow|HSC)\s+transplant\w*|\b(?:a|auto|allo)?HSCT\b",
    re.I,
)


def _derived_cell(d: AnnotatedDoc) -> Mention | None:
    """The cell type made from stem cells that was given: "retinal pigment epithelium cells
    derived from embryonic stem cells", "iPSC-derived dopaminergic neurons"."""
    stem = [m for m in d.terms(Kind.CELL_TYPE) if stemlike(m.entry, d.res)]
    other = [m for m in d.terms(Kind.CELL_TYPE) if not stemlike(m.entry, d.res)]
    for made in other:
        for source in stem:
            if source.start >= made.end:
                between = d.text[made.end : source.start]
                if len(between) < 60 and _DERIVED_AFTER.match(between):
                    return Mention(made.entry, made.start, made.end, "derived-cell")
            elif source.end <= made.start:
                between = d.text[source.end : made.start]
                if len(between) < 40 and _DERIVED_BEFORE.match(between):
                    return Mention(made.entry, made.start, made.end, "derived-cell")
    return None


def therapy_cells(d: AnnotatedDoc) -> tuple[Mention | None, Mention | None]:
    """The cell type given: cells made from stem cells where the text says so, else the most
    specific stem-like type (a product's type, or haematopoietic stem cells for a "stem-cell
    transplant", where the text says only "stem cells"), and its source tissue."""
    derived = _derived_cell(d)
    if derived is not None:
        return derived, None
    product = _product(d)
    cell, tissue = _named_cell(d)
    if cell is not None and cell.entry.id in GENERIC_CELLS:
        marked = _marker_cell(d)  # "stem cells ... their own CD34-positive cells were infused"
        if marked is not None and marked.method == "marker-cd34":
            cell, tissue = _source_elsewhere(d, marked)
    if product is not None and (cell is None or cell.entry.id in GENERIC_CELLS):
        return product, _tissue_in_label(d, product)
    transplant = d.search(_HSCT)
    hsc = d.res.lexicon.get("CL:0000037")
    if transplant and hsc and cell is not None and cell.entry.id in GENERIC_CELLS:
        return Mention(hsc, transplant.start(), transplant.end(), "transplant-cue"), tissue
    return cell, tissue


_WHOLE_MARROW = frozenset({"CL:0002092"})
"""Marrow given as it is ("concentrated bone marrow"): the cells given where no stem-like
type is named."""


_MARKER_CELLS = re.compile(
    r"\b(?P<label>(?:CD\d{2,3}(?:/CD\d{2,3})?(?:\+|-positive| positive)|ALDH(?:br|-bright|\+))"
    r"(?:\s+(?:stem|progenitor|precursor|stem/progenitor))?\s+cell)s?\b"
)
"""Cells named by a surface marker ("CD34+ cells"), which no table names: an unmapped type."""


_GIVEN_BEFORE = re.compile(
    r"\b(?:received|receive|receiving|given|injected(?: with)?|transplanted|implanted|infused|"
    r"injections? of|infusions? of|transplant(?:s|ation)? of|implant(?:s|ation)? of|grafts? of)\s+"
    r"(?:[\w'-]+\s+){0,4}$",
    re.I,
)


def _given(d: AnnotatedDoc, cell: Mention) -> bool:
    """Cells a text says were given ("received autologous myoblasts", "injections of
    chondrocytes"): the therapy's cells where no stem-like cells are named."""
    sentence = d.sentence_of(cell.start)
    return bool(_GIVEN_BEFORE.search(d.text[max(sentence.start, cell.start - 80) : cell.start]))


_EARLIER = re.compile(
    r"\b(?:after|following|post|since|underwent|undergone|undergoing|recipients? of|"
    r"received|receiving|had)\s+(?:an?\s+|their\s+|prior\s+|previous\s+)?"
    r"(?:allogeneic\s+|allogenic\s+|autologous\s+)?$",
    re.I,
)
_TRANSPLANT = re.compile(
    r"^\s*(?:(?:haemato|hemato)poietic\s+|stem[- ]cell\s+|bone[- ]marrow\s+|cord[- ]blood\s+|"
    r"peripheral[- ]blood\s+|organ\s+|kidney\s+|liver\s+)*"
    r"(?:transplant|transplantation|HSCT|HCT|BMT|SCT|graft)s?\b",
    re.I,
)


def earlier_transplant(d: AnnotatedDoc, start: int, end: int) -> bool:
    """Words (a donor word, a cell name) that name an earlier transplant, not the cells
    given: "GVHD after allogeneic haematopoietic stem cell transplantation"."""
    return bool(
        _EARLIER.search(d.text[max(0, start - 50) : start])
        and _TRANSPLANT.match(d.text[end : end + 60])
    )


def _named_cell(d: AnnotatedDoc) -> tuple[Mention | None, Mention | None]:
    mentions = [
        m for m in d.terms(Kind.CELL_TYPE) if not earlier_transplant(d, m.start, m.end)
    ]  # "after allogeneic haematopoietic stem cell transplantation": not the cells given
    cells = [m for m in mentions if stemlike(m.entry, d.res)]
    if not cells:
        cells = [m for m in mentions if m.entry.id in _WHOLE_MARROW]
    if not cells:
        cells = [m for m in mentions if _given(d, m)][:1]  # "received autologous myoblasts"
    if not cells:
        return _marker_cell(d), None
    composed = [_specialise(d, c) for c in cells]
    ids = {c.entry.id for c, _ in composed}
    specific = [
        (c, t)
        for c, t in composed
        if not any(c.entry.id in _ancestors(d.res, other) for other in ids)
    ]
    counts = Counter(c.entry.id for c, _ in specific)
    best = max(counts.values())
    cell, tissue = next((c, t) for c, t in specific if counts[c.entry.id] == best)
    if tissue is None:
        tissue = next((t for c, t in specific if c.entry.id == cell.entry.id and t), None)
    if tissue is None:
        tissue = _tissue_in_label(d, cell)
    if tissue is None:
        cell, tissue = _source_elsewhere(d, cell)
    return cell, tissue


def _source_elsewhere(d: AnnotatedDoc, cell: Mention) -> tuple[Mention, Mention | None]:
    """The one tissue the text says cells came from, in any sentence ("cells taken from the
    umbilical cord", "cord-derived"), composed with a generic cell type where CL has the
    specific class."""
    sources = {
        t.entry.id: t
        for c in d.terms(Kind.CELL_TYPE)
        for t in d.terms_in(Kind.TISSUE, d.sentence_of(c.start).start, d.sentence_of(c.start).end)
        if _source_of(d, c, t)
    }
    if not sources:
        sources = {t.entry.id: t for t in d.terms(Kind.TISSUE) if _origin_of_cells(d, t)}
    if len(sources) != 1:
        return cell, None
    tissue = next(iter(sources.values()))
    special = _compose(d, cell, tissue)
    if special is not None:
        return Mention(special, cell.start, cell.end, "tissue-composition"), tissue
    return cell, tissue


def _compose(d: AnnotatedDoc, cell: Mention, tissue: Mention) -> LexEntry | None:
    """The cell type of that tissue, where the lexicon has one ("mesenchymal stem cell" of
    "Wharton's jelly", "mononuclear leukocyte", said "mononuclear cells", of "bone marrow"),
    by the labels, the words the text says or any synonyms of both."""
    said = re.sub(r"s$", "", " ".join(d.text[cell.start : cell.end].split()))
    for kind in (cell.entry.label, said, *cell.entry.synonyms[:8]):
        for place in (tissue.entry.label, *tissue.entry.synonyms[:8]):
            for name in (f"{kind} of {place}", f"{kind} of the {place}"):
                try:
                    found = d.res.lexicon.resolve(Kind.CELL_TYPE, name)
                except ValueError:
                    continue
                if found.id != cell.entry.id:
                    return found
    return None


def _tissue_in_label(d: AnnotatedDoc, cell: Mention) -> Mention | None:
    """A tissue-specific cell type names its tissue: "... of the bone marrow", "bone marrow
    cell"."""
    if cell.entry.id.startswith("unmapped:"):
        return None
    said = " ".join(d.text[cell.start : cell.end].split())
    for match, method in (
        (re.search(r" of (?:the )?(.+)$", cell.entry.label), "implied-by-cell-type"),
        (re.match(r"(.+?) cells?$", cell.entry.label), "implied-by-cell-type"),
        (re.match(r"(.+?) (?:stem )?cells?$", said, re.I), "implied-by-name"),  # "blood stem cells"
    ):
        if match is None:
            continue
        try:
            entry = d.res.lexicon.resolve(Kind.TISSUE, match.group(1))
        except ValueError:
            continue
        return Mention(entry, cell.start, cell.end, method)
    return None


def target_cells(d: AnnotatedDoc, therapy_cell: Mention | None) -> list[Term]:
    seen: dict[str, Mention] = {}
    for m in d.terms(Kind.CELL_TYPE):
        if not stemlike(m.entry, d.res) and (
            therapy_cell is None or m.entry.id != therapy_cell.entry.id
        ):
            seen.setdefault(m.entry.id, m)
    broader = {a for term in seen for a in _ancestors(d.res, term)}
    return [d.term(m, 0.7) for term, m in seen.items() if term not in broader]
