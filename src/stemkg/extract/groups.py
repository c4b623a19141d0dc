"""Assemble, the arms and participants: the therapy given, group sizes with their routes,
tables of groups, comparators, and the enrolled and treated counts.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from typing import Literal

from stemkg.extract import quantities as q
from stemkg.extract.annotate import AnnotatedDoc
from stemkg.extract.cells import earlier_transplant
from stemkg.extract.design import Design, first_cue, phase_mentions
from stemkg.extract.drafts import Arm, Dose, Participants, Schedule, Therapy
from stemkg.extract.grounding import Mention
from stemkg.extract.text import Span
from stemkg.lexicon import Kind

_ENROLLED = re.compile(
    r"\b(enrol+(ed|ment|s)?|recruit(ed|s)?|includ(ed|es)|took part|participat(ed|es)|"
    r"randomi[sz]ed|(?:randomly )?assigned|allocated|signed up|used)\b",
    re.I,
)


_TREATED = re.compile(
    r"\b(treated|receiv(ed|e|ing)|given|injected|infused|transplanted|implanted|underwent|dosed|"
    r"had (?:the |their )?(?:[\w-]+ ){0,3}(?:injections?|infusions?|transplants?|treatment))\b",
    re.I,
)


_MODIFIED = re.compile(
    r"\b((?:induced?|engineered|(?:genetically )?modified|programmed|primed|stimulated)"
    r"(?: them| the cells)? to (?:secrete|express|produce|release)\b[^.;,()]{3,60})",
    re.I,
)


_NAMED = re.compile(r"\b(?:called|named|known as|dubbed)\s+([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)")


_POPULATION = re.compile(
    r"\b(?:(?:one|1|two|three) in (?:\w+ )?(?:\d[\d,]*|ten|five|four|three|a hundred|a thousand|"
    r"every)|(?:a|each|every|per) year|annually|worldwide|around the world|in the (?:US|UK|"
    r"United States|world|country)|(?:millions|thousands|hundreds of thousands) of people|"
    r"are (?:thought|estimated|believed) to|prevalen\w+|incidence)\b",
    re.I,
)
"""Words of a population statistic ("one in ten people", "200,000 people a year"): the
people it counts took part in no study."""


def people_counts(d: AnnotatedDoc) -> list[q.Count]:
    """Counts of those studied, sentence by sentence (not those of a population statistic);
    counted once for the document, a region takes those within it."""
    if d.parent is not None:
        return [c for c in people_counts(d.parent) if d.lo <= c.start < d.hi]
    if "people" not in d.memo:
        d.memo["people"] = _count_people(d)
    found: list[q.Count] = d.memo["people"]
    return found


def _count_people(d: AnnotatedDoc) -> list[q.Count]:
    found = []
    for s in d.sents:
        if _POPULATION.search(s.text) and not (_ENROLLED.search(s.text) or _TREATED.search(s.text)):
            continue
        here = _reached(d, s, q.counts(s.text, s.start)) + _treated_of(s)
        found += [c for i, c in enumerate(here) if not _breakdown(d, c, here[:i])]
        for m in re.finditer(r"\(n\s*=\s*(\d+)\)", s.text):
            found.append(q.Count(s.start + m.start(), s.start + m.end(), int(m.group(1)), "n"))
    return sorted(found, key=lambda c: c.start)


def _near(counts: list[q.Count], verb: re.Match[str], offset: int) -> q.Count:
    centre = offset + verb.start()
    return min(counts, key=lambda c: min(abs(c.start - centre), abs(c.end - centre)))


def _per_sentence(d: AnnotatedDoc, people: list[q.Count]) -> list[tuple[Span, list[q.Count]]]:
    """Each sentence with the counts in it (not the table-style "(n=6)" ones, unless they
    size a group the sentence names: "an observation group, given cells (n = 11)"), in one
    pass."""
    by_start: dict[int, list[q.Count]] = {}
    for c in people:
        if c.noun != "n" or _GROUP_SIZED.search(d.text, max(d.lo, c.start - 100), c.start):
            by_start.setdefault(d.sentence_of(c.start).start, []).append(c)
    return [(s, by_start.get(s.start, [])) for s in d.sents]


_GROUP_SIZED = re.compile(r"\b(?:group|arm|cohort)\b[^().;]{0,90}$", re.I)
"""A group named, then its size in brackets."""


ONE_PERSON = re.compile(
    r"\b(?:a|one|the) (?:single |sole )?(?:(?:\d{1,3}|[a-z]+(?:-[a-z]+)?)-(?:year|month)-old |"
    r"young |teenage |"
    r"middle-aged |elderly )?(?:(?:male|female) )?(?:patient|man|woman|boy|girl|child|infant|"
    r"baby|toddler|teenager)\b",
    re.I,
)
"""One person, said as such, where the text counts no one: a case report's patient."""


_GAVE_ONE = re.compile(rf"{_TREATED.pattern}|\b(?:grafted|operated|gave|covered)\b", re.I)
"""A past treatment of the one person (an explainer's "a patient receives" is no case)."""


def one_person(d: AnnotatedDoc) -> re.Match[str] | None:
    """Where the text speaks of one person it treated ("a 45-year-old man ... received",
    "transplanted ... into a woman in her seventies"), not of "a patient's own marrow"."""
    if d.search(ONE_PERSON) is None:
        return None
    for one in ONE_PERSON.finditer(d.text, d.lo, d.hi):
        possessive = d.text.startswith(("'s", "’s"), one.end())
        if not possessive and _GAVE_ONE.search(d.sentence_of(one.start()).text):
            return one
    return None


_VERSUS = re.compile(r"\s*(?:versus|vs\.?|compared with|against)\s+\d", re.I)
_AMONG = re.compile(r"\b(?:in|among)\s+$", re.I)
_EVENTFUL = re.compile(
    r"\s+(?:(?:also|later|then)\s+)?(?:had|experienced|developed|suffered)\b"
    r"(?!\s+(?:the |their |an? )?(?:[\w-]+ ){0,3}(?:injections?|infusions?|transplants?|"
    r"transplantation|treatment|surgery|cells)\b)",
    re.I,
)
"""Those a count says had an event ("two participants had allergic reactions"): a share of
those treated, not how many were treated or took part."""
_Counted = Literal["enrolled", "treated"]
_COUNTED: tuple[tuple[_Counted, re.Pattern[str]], ...] = (
    ("enrolled", _ENROLLED),
    ("treated", _TREATED),
)


_PLANNED = re.compile(
    r"\b(?:planned|target(?:ed)?|intended|anticipated|expected|aim(?:s|ed)? to (?:enrol+|recruit))"
    r"(?:\s+(?:of|total|enrolment|enrollment|sample))?\s+(?:of\s+)?(?:about\s+|up to\s+)?$",
    re.I,
)
"""A count the study meant to reach ("halted at 222 of a planned 300"), not who took part."""


_OF_THE_TREATED = re.compile(
    rf"\b{q.NUMBER} (?:of|out of) (?:the|all) (?P<n>{q.NUMBER}) (?P<noun>[a-z]+) (?:that|who) "
    r"(?:received|were given|were treated|got|had been given|were injected)\b",
    re.I,
)
"""The denominator of a share of those treated ("in 12 of the 30 mice that received the
cells"): how many were treated, which a fraction otherwise hides."""


def _treated_of(s: Span) -> list[q.Count]:
    found = []
    for m in _OF_THE_TREATED.finditer(s.text):
        n = q.number(m.group("n"))
        if n is not None and q.people_noun(m.group("noun")):
            found.append(
                q.Count(s.start + m.start("n"), s.start + m.end("noun"), n, m.group("noun"))
            )
    return found


_REACHED = re.compile(r"\b(\d{1,6}) (?:of|out of) (?:a|the|an)\s+$", re.I)


def _reached(d: AnnotatedDoc, s: Span, found: list[q.Count]) -> list[q.Count]:
    """A planned count is not who took part; "222 of a planned 300 patients" counts 222."""
    kept = []
    for c in found:
        before = d.text[max(s.start, c.start - 40) : c.start]
        planned = _PLANNED.search(before)
        if not planned:
            kept.append(c)
            continue
        reached = _REACHED.search(
            d.text, max(s.start, c.start - 40), c.start - len(planned.group())
        )
        if reached:
            kept.append(q.Count(reached.start(1), reached.end(1), int(reached.group(1)), c.noun))
    return kept


def participant_counts(d: AnnotatedDoc, people: list[q.Count], arms: list[Arm]) -> Participants:
    """Enrolled and treated counts, from sentences that are not about one group's route."""
    grouped = {d.sentence_of(a["participants"]["start"]).start for a in arms if "participants" in a}
    result: Participants = {}
    for s, here in _per_sentence(d, people):
        total = next((c for c, n in pairwise(here) if _enclosed(d, n)), None)
        if total is not None and "enrolled" not in result and _ENROLLED.search(s.text):
            # "randomly assigned 206 people to cells (104 patients) or placebo (102)"
            result["enrolled"] = d.value(total.value, total.start, total.end, "count-enrolled", 0.8)
        if not here or s.start in grouped:
            continue
        actual = [
            c
            for c in here
            if not _PLANNED.search(d.text, max(s.start, c.start - 30), c.start)
            and not _EVENTFUL.match(d.text, c.end)
        ]
        for key, verb in _COUNTED:
            m = verb.search(s.text)
            if key in result or not m or not actual:
                continue
            c = _near(actual, m, s.start)
            if _VERSUS.match(d.text, c.end):
                continue  # "(2 patients versus 8)": figures compared, not who took part
            enrolled = result.get("enrolled")
            split = bool(_ENROLLED.search(s.text) and COMPARATOR.search(s.text))
            if key == "treated" and split and (enrolled is None or enrolled["start"] == c.start):
                continue  # "212 were randomised to cells or placebo": enrolled, not treated
            among = _AMONG.search(d.text, max(s.start, c.start - 8), c.start)
            if key == "treated" and among and 0 <= s.start + m.start() - c.end < 20:
                continue  # "encephalopathy in three patients given cells": a share, not a count
            result[key] = d.value(c.value, c.start, c.end, f"count-{key}", 0.8)
    field = d.search(_ENROLLMENT_FIELD)
    if "enrolled" not in result and field:  # a registry's "Enrollment: 150 (anticipated)"
        value = int(field.group(1))
        result["enrolled"] = d.value(value, field.start(1), field.end(1), "count-field")
    sized = [a for a in arms if "participants" in a]
    if not result and not sized:
        lone = _lone_count(d, people)
        if lone is not None:  # "**Who:** 17 men with erectile dysfunction after surgery"
            result["enrolled"] = d.value(lone.value, lone.start, lone.end, "count-only", 0.6)
    one = one_person(d) if not result and not sized and not people else None
    if one is not None:  # "a 45-year-old man", "a single patient": a case of one
        result["enrolled"] = d.value(1, *one.span(), "count-case-of-one", 0.6)
        result["treated"] = d.value(1, *one.span(), "count-case-of-one", 0.6)
    if not result and len(arms) == 1 and sized:  # one group: its size is the study's
        size = sized[0]["participants"]
        result["enrolled"] = {**size, "method": "count-enrolled"}
        if not sized[0].get("comparator") and _TREATED.search(d.sentence_of(size["start"]).text):
            result["treated"] = {**size, "method": "count-treated"}  # "14 patients received"
    stages = {a.get("phase", {}).get("id") for a in arms}
    if not result and len(sized) > 1 and len(sized) == len(arms) and len(stages) == 1:
        # every group sized, all of one stage (stages of a paper are enrolled apart)
        first = sized[0]["participants"]
        total = sum(a["participants"]["value"] for a in sized)
        result["enrolled"] = {**first, "value": total, "method": "sum-of-arms", "confidence": 0.6}
    treated = result.get("treated")
    if treated is not None and "enrolled" not in result:
        # one count of those who received the cells: they are also those who took part
        result = {"enrolled": {**treated, "method": "count-enrolled"}, "treated": treated}
    return result


_ENROLLMENT_FIELD = re.compile(
    r"^\W*(?:actual |anticipated |estimated )?enrol?lment:\s*(\d{1,6})\b", re.I | re.M
)


def _lone_count(d: AnnotatedDoc, people: list[q.Count]) -> q.Count | None:
    """The one number of people a text gives, where no verb says what they did: those who
    took part; or the largest, said again, with smaller ones (subgroups) beside it."""
    counts = [c for c in people if c.noun != "n" and not _in_fraction(d, c)]
    values = {c.value for c in counts}
    if len(values) == 1:
        return counts[0]
    largest = max(values, default=0)
    said = [c for c in counts if c.value == largest]
    return said[0] if len(said) > 1 else None  # "17 men ... 6 men ... 17 men": subgroups


def _in_fraction(d: AnnotatedDoc, c: q.Count) -> bool:
    """ "8 of the 17 men": a share of the group, not its size."""
    return bool(re.search(r"\b(?:of|of the|out of)\s*$", d.text[max(0, c.start - 12) : c.start]))


def therapy_draft(d: AnnotatedDoc, cell: Mention | None, tissue: Mention | None) -> Therapy:
    therapy: Therapy = {}
    if cell:
        therapy["cell_type"] = d.term(cell)
    if tissue:
        therapy["source_tissue"] = d.term(tissue, 0.8)
    donor = first_cue(d, "donor-explicit", "donor-cue") or first_cue(d, "donor", "donor-cue")
    products = d.cues("product")
    if donor is None and products and cell is not None and cell.method == "product-name":
        h = products[0]
        donor = d.value(h.value.split()[1], h.start, h.end, "product-name", 0.8)
    if donor:
        therapy["donor"] = donor
    if products and cell is not None and cell.method == "product-name":
        h = products[0]
        therapy["name"] = d.value(d.text[h.start : h.end], h.start, h.end, "product-name")
    mod = d.search(_MODIFIED)
    if mod:
        therapy["modification"] = d.value(
            mod.group(1).strip(), mod.start(1), mod.end(1), "modification-pattern", 0.7
        )
    name = d.search(_NAMED)
    if name and "name" not in therapy:
        therapy["name"] = d.value(name.group(1), name.start(1), name.end(1), "name-pattern", 0.7)
    for s in d.sents:
        doses = q.doses(s.text, s.start)
        if doses:
            dose = doses[0]
            therapy["dose"] = _dose(d, dose)
            break
    schedule = _schedule(d)
    if schedule:
        therapy["schedule"] = schedule
    return therapy


def _dose(d: AnnotatedDoc, dose: q.Dose) -> Dose:
    return {**d.ev(dose.start, dose.end, "dose-pattern"), "value": dose.value, "unit": dose.unit}


_GIVING = re.compile(r"injection|infusion|dose|administ|transplant|implant|given", re.I)


def _schedule(d: AnnotatedDoc) -> Schedule | None:
    """Administrations from the first sentence that counts them; the interval from that
    sentence, else from the first sentence about giving cells that says "N days apart"."""
    found = [(s, q.schedule(s.text)) for s in d.sents]
    found = [(s, f) for s, f in found if f[2]]
    if not found:
        return None
    s, (count, interval, span) = next(((s, f) for s, f in found if f[0]), found[0])
    if span is None:
        return None
    start, end = s.start + span[0], s.start + span[1]
    if interval is None:
        other = next(((t, f) for t, f in found if f[1] and _GIVING.search(t.text)), None)
        if other is not None and other[1][2] is not None:
            interval = other[1][1]
            end = max(end, other[0].start + other[1][2][1])
    ev = d.ev(start, end, "schedule-pattern", 0.8)
    sched: Schedule = {
        "quote": ev["quote"],
        "start": start,
        "end": end,
        "method": ev["method"],
        "confidence": ev["confidence"],
        "text": d.text[start:end],
    }
    if count:
        sched["administrations"] = count
    if interval:
        sched["interval"] = interval
    return sched


def _fallback_routes(d: AnnotatedDoc) -> list[Mention]:
    """Where no route is named, "infusion" of cells is taken to be intravenous (confidence
    0.4, method "route-fallback"): in cell therapy an unqualified infusion is into a vein."""
    for h in d.cues("route-fallback"):
        entry = d.res.lexicon.get(h.value)
        if entry is not None:
            return [Mention(entry, h.start, h.end, "route-fallback")]
    return []


def routes_in(d: AnnotatedDoc, start: int, end: int) -> list[Mention]:
    seen: dict[str, Mention] = {}
    for m in d.terms_in(Kind.ROUTE, start, end):
        seen.setdefault(m.entry.id, m)
    return list(seen.values())


def _arm_label(routes: list[Mention], phase: Mention | None, n: int) -> str:
    names = " + ".join(r.entry.synonyms[0] if r.entry.synonyms else r.entry.label for r in routes)
    label = names or f"group {n}"
    return f"{label} ({phase.entry.synonyms[0]})" if phase and phase.entry.synonyms else label


_EACH = re.compile(
    r"\beach\b.{0,80}?\b(two|three|four)\s+(?:different\s+)?(?:types|kinds|ways|routes|methods)\b",
    re.I,
)


COMPARATOR = re.compile(
    r"\b(placebo|(?:normal )?saline|sham(?: procedure| surgery| injection)?|vehicle|"
    r"hyaluronic acid alone|(?:standard|usual|conventional|best medical) (?:care|treatment|therapy)"
    r"(?: alone)?|(?:surgery|the same (?:\w+ )?(?:surgery|repair|operation|procedure)) (?:alone|"
    r"without (?:the |any )?(?:\w+ )?(?:cells|stem cells|marrow))|no cells)\b",
    re.I,
)


_GIVEN_CELLS = re.compile(
    r"\s*(?:\w+\s+){0,2}?(?:received|got|were given|were treated with|had)\s+(?:the\s+|their\s+)?"
    r"(?:\w+\s+){0,3}?(?:cells?|MSCs?|transplants?|grafts?|infusions?|injections?)\b",
    re.I,
)


CELLS_WORD = re.compile(r"\b(?:cells?|MSCs?|grafts?|transplant\w*)\b", re.I)


_COMBINATION = re.compile(r"\b(?:a |the )?combination\b|\bboth (?:routes|ways|methods)\b", re.I)


def _enclosed(d: AnnotatedDoc, c: q.Count | None) -> bool:
    """A count in brackets, which sizes what the text names just before it."""
    if c is None:
        return False
    if d.text[c.start : c.start + 1] == "(" and d.text[c.end - 1 : c.end] == ")":
        return True  # "(n = 11)"
    if d.text[c.end : c.end + 1] != ")":
        return False
    before = d.text[max(0, c.start - 40) : c.start]
    opening = before.rfind("(")
    return opening >= 0 and ")" not in before[opening:]  # "(20 million cells; 15 people)"


_JOINT = re.compile(r"\s(?:or|and|versus|vs\.?)\s|,\s|;\s|\bto\s")


def _joints(d: AnnotatedDoc, s: Span, c: q.Count) -> list[int]:
    """Where the words a bracketed count sizes can start: after the last "or", "and", comma."""
    return [m.end() for m in _JOINT.finditer(d.text, s.start, c.start)][-1:]


_NO_GROUP = re.compile(
    r"^\W*(?:\w+\s+){0,2}?(?:died|developed|experienced|worsened|relapsed|withdrew|dropped out|"
    r"were lost|had (?:a |an )?(?:serious |severe )?(?:adverse|side)|reported)\b",
    re.I,
)
"""What befell some of those studied ("Two patients died"): an outcome, not a group."""


_RECEIVED = re.compile(
    r"\b(?:had|received|receiving|got|were given|given|underwent|undergoing|treated with|"
    r"assigned to|allocated to|randomi[sz]ed to|to|on)\b",
    re.I,
)


def _received(before: str, several: bool) -> bool:
    """Words between a count and a comparator that say the group got it ("45 people who
    had the same repair without the cells"), not that all were enrolled and then split."""
    if not _RECEIVED.search(before):
        return False
    return several or not _ENROLLED.search(before)


def _group(
    d: AnnotatedDoc,
    s: Span,
    c: q.Count,
    stop: int,
    n: int,
    several: bool,
    start: int | None = None,
) -> list[Arm]:
    """The arms one group mention gives: with its routes, or as one of "N patients each
    ... two different types of injection" (k groups of N) or "a combination" of them. A
    bracketed count sizes the words from ``start`` to it."""
    before = start is not None
    lo, hi = (start, c.start) if start is not None else (c.end, stop)
    if not before and _NO_GROUP.match(d.text, c.end, stop):
        return []
    routes = routes_in(d, lo, hi)
    window = d.text[lo:hi]
    phase = next((p for p in reversed(phase_mentions(d)) if s.start <= p.start < c.start), None)
    size = d.value(c.value, c.start, c.end, "group-count", 0.7)
    donor = next(
        (
            h
            for h in d.cues("donor")
            if c.end <= h.start < stop and not earlier_transplant(d, h.start, h.end)
        ),
        None,
    )
    comparator = COMPARATOR.search(window)
    if before:
        pass  # the bracket sizes one thing
    elif comparator and not several and _ENROLLED.search(window, 0, comparator.start()):
        return []  # "81 patients were randomised: 27 to standard care, ...": all of them
    elif comparator and (
        CELLS_WORD.search(window, 0, comparator.start())
        or d.terms_in(Kind.CELL_TYPE, c.end, c.end + comparator.start())
    ):
        return []  # "167 patients randomised to cells or placebo": all of them, not a group
    if routes:
        labels = [_arm_label(routes, phase, n)]
    elif (several and donor) or (
        comparator and (before or _received(window[: comparator.start()], several))
    ):
        labels = [f"{donor.value if donor else 'control'} group {n}"]
    elif several and (_GIVEN_CELLS.match(window) or (before and CELLS_WORD.search(window))):
        labels = ["cells"]  # "107 patients received the cells and 105 received placebo"
    elif each := _EACH.search(window):
        k = q.number(each.group(1)) or 1
        labels = [f"group {n + i}" for i in range(k)]
    elif _COMBINATION.search(window) and n > 1:
        labels = [f"group {n} (combined)"]
    else:
        return []
    arms = []
    for label in labels:
        arm: Arm = {"label": label, "participants": size}
        arm["therapy"] = {"routes": [d.term(r) for r in routes]}
        if comparator:
            start, end = lo + comparator.start(), lo + comparator.end()
            arm["label"] = f"{comparator.group().lower()} control"
            arm["comparator"] = True
            arm["therapy"]["name"] = d.value(comparator.group(), start, end, "comparator-cue", 0.7)
        elif donor:
            arm["therapy"]["donor"] = d.value(donor.value, donor.start, donor.end, "donor-cue")
        if phase:
            arm["phase"] = d.term(phase)
        arms.append(arm)
    return arms


_TABLE_LINE = re.compile(r"^[^\n|]*(?:\|[^\n|]*){2,}$", re.M)


_PEOPLE_HEADER = re.compile(
    r"^\s*(?:n|patients?|participants?|subjects?|animals?|rats?|mice|dogs?|pigs?|sheep)\s*$", re.I
)


_NO_TREATMENT = re.compile(r"^\s*(?:none|untreated|no (?:treatment|cells)|control)\s*$", re.I)


def _cells(line: str, offset: int) -> list[Span]:
    spans, start = [], 0
    for part in line.split("|"):
        spans.append(Span(offset + start, offset + start + len(part), part.strip()))
        start += len(part) + 1
    return spans


def _tables(d: AnnotatedDoc) -> list[list[list[Span]]]:
    """Tables as rows of cells (with offsets): runs of lines of ``a | b | c``."""
    tables: list[list[list[Span]]] = []
    last_end = -2
    for m in _TABLE_LINE.finditer(d.text, d.lo, d.hi):
        row = _cells(m.group(), m.start())
        if m.start() != last_end + 1 or not tables or len(row) != len(tables[-1][0]):
            tables.append([])
        tables[-1].append(row)
        last_end = m.end()
    return [t for t in tables if len(t) > 1]


def table_arms(d: AnnotatedDoc, therapy: Therapy) -> list[Arm]:
    """Arms from a table of groups whose header names the people or animals in each row
    ("group | treatment | rats"): one arm per row, a row with no treatment a control."""
    arms: list[Arm] = []
    for table in _tables(d):
        column = next((i for i, c in enumerate(table[0]) if _PEOPLE_HEADER.match(c.text)), None)
        if column is None:
            continue
        for row in table[1:]:
            size = q.number(row[column].text)
            if size is None:
                continue
            cell = row[column]
            arm: Arm = {
                "label": f"{table[0][0].text or 'group'} {row[0].text}".strip(),
                "participants": d.value(size, cell.start, cell.end, "table-count", 0.8),
            }
            if any(_NO_TREATMENT.match(c.text) for c in row):
                arm["comparator"] = True
                arm["therapy"] = {}
            else:
                start, end = row[0].start, row[-1].end
                doses = q.doses(d.text[start:end], start)
                arm["therapy"] = {
                    **therapy,
                    "routes": [d.term(r) for r in routes_in(d, start, end)],
                }
                if doses:
                    arm["therapy"]["dose"] = _dose(d, doses[0])
            arms.append(arm)
    return arms


_SEXES = frozenset(("women", "men", "males", "females", "boys", "girls", "woman", "man"))


def _breakdown(d: AnnotatedDoc, c: q.Count, earlier: list[q.Count]) -> bool:
    """A count of one sex after a larger count of the same sentence ("14 patients (9 women
    and 5 men)", "sixteen adults (six of them men)"): who they were, not a group or another
    count of those studied."""
    sex = c.noun.casefold() in _SEXES or bool(_OF_WHOM_SEX.match(d.text, c.end))
    return sex and any(e.value > c.value for e in earlier)


_OF_WHOM_SEX = re.compile(r"\s+(?:were\s+|was\s+)?(?:women|men|males?|females?|boys|girls)\b", re.I)


_MAX_ARMS = 12
"""More groups than this in one article are not arms of one study."""


def arms_of_groups(d: AnnotatedDoc, people: list[q.Count], therapy: Therapy) -> list[Arm]:
    """Arms from sentences that give a group's size with its route: "six patients ... into
    the muscles, and 6 patients ... intrathecally"."""
    arms: list[Arm] = []
    for s, here in _per_sentence(d, people):
        for i, c in enumerate(here):
            stop = here[i + 1].start if i + 1 < len(here) else s.end
            if _enclosed(d, c):  # "cells (104 patients)": the group is what precedes
                start = max([s.start, here[i - 1].end if i else s.start, *_joints(d, s, c)])
                arms += _group(d, s, c, c.start, len(arms) + 1, True, start)
                continue
            if _enclosed(d, here[i + 1] if i + 1 < len(here) else None):
                continue  # "206 people to cells (104 patients) or placebo": all of them
            arms += _group(d, s, c, stop, len(arms) + 1, len(here) > 1)
    if len(arms) > _MAX_ARMS:
        return []  # not a description of groups: a list, a table of results, or noise
    everywhere = routes_in(d, d.lo, d.hi) or _fallback_routes(d)
    for arm in arms:
        if not arm["therapy"]["routes"] and len({r.entry.id for r in everywhere}) == 1:
            arm["therapy"]["routes"] = [d.term(everywhere[0], 0.5)]  # the one route named
        if arm.get("comparator"):
            continue  # a control arm gets no cells
        arm["therapy"] = {**therapy, **arm["therapy"]}
    labels = Counter(a["label"] for a in arms)
    for n, arm in enumerate(arms, 1):
        if labels[arm["label"]] > 1:
            arm["label"] = f"{arm['label']} {n}"
    return arms


def default_arms(
    d: AnnotatedDoc, design: str, therapy: Therapy, participants: Participants
) -> list[Arm]:
    """Arms by exposure (in vitro), else one arm with every route the text names."""
    if design == Design.IN_VITRO.value:
        exposures = {h.value: h for h in d.cues("exposure")}
        if not exposures and therapy.get("cell_type"):
            return [{"label": "cells", "therapy": {**therapy}}]  # how, the text does not say
        return [
            {
                "label": h.value.replace("_", " "),
                "therapy": {
                    **therapy,
                    "exposure": d.value(h.value, h.start, h.end, "exposure-cue", 0.8),
                },
            }
            for h in exposures.values()
        ]
    routes = {m.entry.id: m for m in d.terms(Kind.ROUTE) or _fallback_routes(d)}
    if not therapy.get("cell_type") and not routes:
        return []
    arm: Arm = {
        "label": _arm_label(list(routes.values()), None, 1),
        "therapy": {**therapy, "routes": [d.term(r) for r in routes.values()]},
    }
    size = participants.get("treated") or participants.get("enrolled")
    if size:
        arm["participants"] = size
    return [arm]


_THEN_TREATED = re.compile(
    r"\s*(?:\w+\s+){0,2}?(?:received|were given|were treated with|got|had)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+){0,3}?(?:cells|MSCs|[A-Z]{2,6}s|transplants?|infusions?|injections?)\b"
)
"""A group's size said as those who got the cells ("15 received MSCs and 12 placebo")."""


_SWAPPED = re.compile(r"\bcross[- ]?over\b|\bgroups? (?:swapped|switched|crossed)\b", re.I)


def treated_in_the_cells_arm(
    d: AnnotatedDoc, arms: list[Arm], participants: Participants
) -> Participants:
    """Those treated, where the one cells' arm beside a comparator is sized by a count said
    as those who received the cells: the text tells them from those enrolled."""
    cells = [a for a in arms if not a.get("comparator")]
    if "treated" in participants or len(cells) != 1 or len(cells) == len(arms):
        return participants
    size = cells[0].get("participants")
    enrolled = participants.get("enrolled")
    if size is None or enrolled is None or size["value"] >= enrolled["value"]:
        return participants
    if not _THEN_TREATED.match(d.text, size["end"]) or _SWAPPED.search(d.text, d.lo, d.hi):
        return participants  # after a crossover every group had the cells
    return {**participants, "treated": {**size, "method": "count-treated-arm"}}


def cells_arm_sized(arms: list[Arm], participants: Participants) -> Participants:
    """ "45 people ... were injected with the cells. They were compared with 45 people who had
    the repair without them": the treated count sizes the one cells' arm, and those enrolled
    are it and the sized comparators together."""
    cells = [a for a in arms if not a.get("comparator")]
    controls = [a for a in arms if a.get("comparator")]
    treated = participants.get("treated")
    if len(cells) != 1 or "participants" in cells[0] or treated is None or not controls:
        return participants
    sizes = [c.get("participants") for c in controls]
    if any(s is None or s["start"] == treated["start"] for s in sizes):
        return participants
    cells[0]["participants"] = {**treated, "method": "count-treated-arm"}
    enrolled = participants.get("enrolled")
    if enrolled is not None and enrolled["start"] != treated["start"]:
        return participants  # enrolled said on its own
    total = treated["value"] + sum(s["value"] for s in sizes if s is not None)
    return {**participants, "enrolled": {**treated, "value": total, "method": "sum-of-arms"}}


_EACH_GROUP = re.compile(
    rf"\b(?P<n>{q.NUMBER})\s+(?:\w+\s+)?(?:to|in|per)\s+each\s+(?:group|arm)\b", re.I
)


def each_group(d: AnnotatedDoc, arms: list[Arm]) -> list[Arm]:
    """One cells arm and a comparator the sentence names, "12 to each group": two arms of
    that size (the cells' arm otherwise gets everyone, the comparator none)."""
    if len(arms) != 1 or arms[0].get("comparator"):
        return arms
    m = d.search(_EACH_GROUP)
    n = q.number(m.group("n")) if m else None
    if m is None or n is None:
        return arms
    s = d.sentence_of(m.start())
    compared = COMPARATOR.search(s.text) or COMPARATOR.search(d.sentence_of(s.end + 1).text)
    if compared is None:
        return arms
    size = d.value(n, m.start("n"), m.end("n"), "count-each-group", 0.7)
    cells: Arm = {**arms[0], "participants": size}
    control: Arm = {
        "label": f"{compared.group().lower()} control",
        "comparator": True,
        "participants": size,
    }
    return [cells, control]


def unstated(arm: Arm, design: str) -> Arm:
    """An arm says which of the values the shapes expect its text does not state."""
    if arm.get("comparator"):
        return arm
    therapy = arm.setdefault("therapy", {})
    wanted = ("cell_type", "exposure") if design == Design.IN_VITRO.value else ("cell_type",)
    missing = [f for f in wanted if not therapy.get(f)]
    if design != Design.IN_VITRO.value and not therapy.get("routes"):
        missing.append("routes")
    if missing:
        therapy["not_stated"] = missing
    return arm
