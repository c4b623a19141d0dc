"""Assemble, the outcomes: each finding as a measure, a direction and a modality (asserted,
negated, hedged), with the arms it covers, its timepoint and figures; safety findings and
verdicts on endpoints (``endpoints``).

A measure is a term the lexicon knows near a direction cue, else the words before or after
the cue when they read as a measure ("hand grip strength improved"), kept as unmapped.
"""

from __future__ import annotations

import re
from typing import Any

from stemkg.extract import quantities as q
from stemkg.extract.annotate import COMPARATIVES, AnnotatedDoc, Hit, Resources
from stemkg.extract.conjuncts import BOUNDARY as _BOUNDARY
from stemkg.extract.conjuncts import conjuncts
from stemkg.extract.design import FUTURE
from stemkg.extract.drafts import Arm, Figures, Outcome
from stemkg.extract.endpoints import defining, goal_reached, role_measure, verdicts
from stemkg.extract.grounding import Mention, long_form
from stemkg.extract.groups import CELLS_WORD, COMPARATOR, routes_in
from stemkg.extract.text import Span
from stemkg.lexicon import Kind, LexEntry
from stemkg.model import Direction, Modality

_COMBINED = re.compile(r"\bcombined|both routes|both\b", re.I)


_ADJECTIVES = frozenset(("better", "worse"))


def _hits(d: AnnotatedDoc, s: Span) -> list[Hit]:
    """The direction cues of a sentence that say a finding: not a bound ("no better than
    20/400"), a question the study asks, or what an endpoint is defined as (read once a
    sentence: every measure of it asks)."""
    memo: dict[int, list[Hit]] = d.memo.setdefault("finding-cues", {})
    if s.start not in memo:
        memo[s.start] = _finding_cues(d, s)
    return memo[s.start]


def _finding_cues(d: AnnotatedDoc, s: Span) -> list[Hit]:
    hits = [h for h in d.cues("direction") if s.start <= h.start < s.end]
    if not hits:
        return hits
    hits = [h for h in hits if not _THRESHOLD.match(d.text, h.end)]
    asked = _WHETHER.search(s.text)
    if asked is not None:  # "The trial tests whether the cells are safe": a question
        hits = [h for h in hits if h.start < s.start + asked.start()]
    span = defining(d, s)
    if span is None:
        return hits
    return [h for h in hits if not span[0] < h.start < span[1]]


_THRESHOLD = re.compile(r"\s+than\s+\d")
"""A comparative against a number ("vision no better than 20/400"): a bound, not a change."""


_WHETHER = re.compile(
    r"(?<!, )\b(?:whether|if (?:the|they|it|these|this))\b"
    r"|\b(?:at|on|measured|recorded|assessed|tracked|examined) how (?:fast|quickly|well|much|many|"
    r"long|often|far|soon)\b",
    re.I,
)
"""A question the study asks ("tests whether the cells are safe", "looked at how fast the
burns healed"); ", whether on day 1 or on day 7" gives alternatives, not a question."""


def _listed_after(d: AnnotatedDoc, m: Mention, hit: Hit) -> bool:
    """A measure that is not the last of the list its cue follows ("grip strength (dynamometry)
    and balance improved"): the cue is still to be read for the rest of the list."""
    between = d.text[m.end : hit.start]
    return m.end <= hit.start and bool(re.search(r",|\b(?:and|or)\b", between))


def _direction(d: AnnotatedDoc, s: Span, m: Mention) -> Hit | None:
    hits = _hits(d, s)
    if not hits:
        return None
    if m.entry.id == ADVERSE_EVENT:
        pool = [h for h in hits if h.value in _AE_ONLY] or hits
    else:
        pool = [
            h
            for h in hits
            if h.value not in _AE_ONLY
            and not (_FREE.search(d.text, h.start, h.end) and not _governed(d, h, m))
        ]
        near = [
            h for h in pool if h.value in _EMBEDDED and _gap(h.start, h.end, m.start, m.end) < 40
        ]
        pool = near or pool
    if not pool:
        return None
    return min(
        pool, key=lambda h: (_gap(h.start, h.end, m.start, m.end), _rank(d, h), h.start - h.end)
    )


_SERIOUS = re.compile(r"\b(?:serious|severe|major)\b", re.I)


def _rank(d: AnnotatedDoc, h: Hit) -> int:
    """Between safety cues over the same words, "no serious adverse event attributable to the
    cells" says first that none was serious."""
    serious = h.value == Direction.NO_SERIOUS_ADVERSE_EVENTS.value
    return 0 if serious and _SERIOUS.search(d.text, h.start, h.end) else 1


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Characters between two spans; 0 when they overlap (then the longer cue wins)."""
    return max(0, b_start - a_end, a_start - b_end)


_EMBEDDED = {
    Direction.NOT_ACCELERATED.value,
    Direction.NO_SERIOUS_ADVERSE_EVENTS.value,
    Direction.NO_TREATMENT_RELATED_ADVERSE_EVENTS.value,
    Direction.MILD_ADVERSE_EVENTS.value,
    Direction.NO_CHANGE.value,
}


_AE_ONLY = {
    Direction.NO_SERIOUS_ADVERSE_EVENTS.value,
    Direction.NO_TREATMENT_RELATED_ADVERSE_EVENTS.value,
    Direction.MILD_ADVERSE_EVENTS.value,
}


def _covered_arms(d: AnnotatedDoc, s: Span, arms: list[Arm]) -> list[str]:
    routes = {m.entry.id for m in routes_in(d, s.start, s.end)}
    combined = bool(_COMBINED.search(s.text))
    if not routes and not combined:
        return []
    covered = []
    for arm in arms:
        ids = {r["id"] for r in arm["therapy"].get("routes", [])}
        if (ids & routes) or (combined and len(ids) > 1):
            covered.append(arm["label"])
    return [] if len(covered) == len(arms) else covered


_ANAPHOR = re.compile(r"\b(?:the|this|that) (?:test|scale|score|measure|rating|assessment)\b", re.I)


def _measures_in(d: AnnotatedDoc, n: int, s: Span) -> list[Mention]:
    """Measures a sentence names, or the one it refers back to ("improved on the test")."""
    here = d.terms_in(Kind.MEASURE, s.start, s.end)
    if here or not _ANAPHOR.search(s.text):
        return here
    earlier = [
        m for m in d.terms(Kind.MEASURE) if d.sents[max(0, n - 2)].start <= m.start < s.start
    ]
    if not earlier:
        return []
    last = earlier[-1]
    anchor = _ANAPHOR.search(s.text)
    assert anchor is not None
    return [Mention(last.entry, s.start + anchor.start(), s.start + anchor.end(), "anaphora")]


def _modality(d: AnnotatedDoc, s: Span, m: Mention, hit: Hit | None) -> Modality:
    """NegEx/ConText over the finding; a direction that carries its own negation ("not
    accelerated", "no serious adverse events") can only be hedged, not negated."""
    spans = [(m.start, m.end)]
    if hit is not None:  # the finding as a whole, and its predicate: "X did not improve"
        spans += [(min(hit.start, m.start), max(hit.end, m.end)), (hit.start, hit.end)]
    found = {
        d.res.rules.modality(s.text, a - s.start, b - s.start, hit is not None) for a, b in spans
    }
    if hit is not None and _HEDGED_CUE.search(d.text, hit.start, hit.end):
        found.add(Modality.HEDGED)  # "the cells appeared to be safe": the cue hedges itself
    modality = next(
        (x for x in (Modality.NEGATED, Modality.HEDGED) if x in found), Modality.ASSERTED
    )
    embedded = hit is not None and (
        hit.value in _EMBEDDED or _FREE.search(d.text, hit.start, hit.end)
    )
    if embedded and modality is Modality.NEGATED:
        return Modality.HEDGED if Modality.HEDGED in found else Modality.ASSERTED
    return modality


def _governed(d: AnnotatedDoc, h: Hit, m: Mention) -> bool:
    """Whether ``m`` is in the phrase right after cue ``h`` ("free of [X]", not "free of Y,
    had an X below 7%")."""
    between = d.text[h.end : m.start]
    return h.end <= m.start and len(between) < 40 and not re.search(r"[,;]|\band\b", between)


_HEDGED_CUE = re.compile(r"\b(?:appears?|appeared|seems?|seemed)\b", re.I)


_FREE = re.compile(r"\bfree$", re.I)
"""A cue that carries its own negation ("were free of severe hypos": reduced, asserted)."""


def _outcome(d: AnnotatedDoc, s: Span, m: Mention, hit: Hit | None, arms: list[Arm]) -> Outcome:
    modality = _modality(d, s, m, hit)
    outcome: Outcome = {
        "measure": d.term(m),
        "modality": d.value(modality.value, s.start, s.end, "context-negex", 0.7),
    }
    if hit is not None:
        method, sure = (
            ("figure-comparison", 0.6) if hit.kind == "figures" else ("direction-cue", 0.7)
        )
        outcome["direction"] = d.value(
            _as_clinical(d.res, m, hit.value), hit.start, hit.end, method, sure
        )
    _figures(d, s, outcome)
    covered = _covered_arms(d, s, arms)
    if covered:
        outcome["arms"] = covered
    return outcome


_BETTER_HIGHER = re.compile(
    r"\b(?:function|functioning|quality of life|acuity|strength|healing|closure|union|"
    r"regeneration|recovery|independence|remission|response|speed|distance)\s*$",
    re.I,
)


def _as_clinical(res: Resources, m: Mention, value: str) -> str:
    """A rise or fall on a scale with one clinical reading is an improvement or a worsening
    ("the EDSS fell": improved); elsewhere the text's own direction stands."""
    if value not in (Direction.INCREASED.value, Direction.REDUCED.value):
        return value
    better = res.polarity.get(m.entry.id)
    if better is None and m.method == "measure-phrase" and _BETTER_HIGHER.search(m.entry.label):
        better = "higher"
    if better is None:
        return value
    up = value == Direction.INCREASED.value
    return (Direction.IMPROVED if up == (better == "higher") else Direction.WORSENED).value


_CRITERIA = re.compile(
    r"\W*(?:(?:key|main|major)\s+)?(?:inclusion|exclusion|eligibility|entry)"
    r"(?:\s+(?:and|or|/)\s+exclusion)?(?:\s+criteria\b|\s*:)",
    re.I,
)
"""A trial's criteria for taking part ("Key exclusion criteria: HbA1c above 10%; ... or
worse"): who may enrol, never a finding."""


def find_outcomes(d: AnnotatedDoc, arms: list[Arm]) -> list[Outcome]:
    """Findings: a measure with the nearest direction cue in its sentence, or a measure with
    figures and no direction (an incidence: "serious adverse events in 5 of 15")."""
    found: dict[tuple[str, str | None, str], Outcome] = {}
    for n, s in enumerate(d.sents):
        if _CRITERIA.match(s.text) or d.section_of(s.start) == "background":
            continue  # eligibility criteria, or what was known before the study
        claimed: set[Hit] = set()
        compared = _compared(d, s)
        for m in _measures_in(d, n, s):
            hit = _direction(d, s, m)
            if hit is not None and not _listed_after(d, m, hit):
                claimed.add(hit)
            elif hit is None and compared is not None and _shares_of(d.res, m):
                hit = compared  # "50% with the cells against 34% with placebo (p=0.024)"
            if hit is not None and hit.value in _AE_ONLY and m.entry.id != "NCIT:C41331":
                continue
            if hit is None and (not (q.fractions(s.text) or q.percents(s.text)) or _bound(s)):
                continue  # no figure, or a figure that bounds who was eligible
            outcome = _outcome(d, s, m, hit, arms)
            key = (m.entry.id, hit.value if hit else None, outcome["modality"]["value"])
            found.setdefault(key, outcome)
            if hit is not None and hit.value not in _AE_ONLY:
                _add_conjuncts(d, s, m, hit, arms, found)
        for outcome in verdicts(d, s):
            measure = outcome["measure"].get("id") or outcome["measure"]["label"]
            key = (measure, outcome["direction"]["value"], outcome["modality"]["value"])
            found.setdefault(key, outcome)
        reached = goal_reached(d, n, s)
        if reached is not None:  # "The main goal was X. ... 20 of 22 reached it."
            claimed.add(reached[1])
            outcome = _outcome(d, s, *reached, arms)
            key = (reached[0].entry.id, reached[1].value, outcome["modality"]["value"])
            found.setdefault(key, outcome)
        for m, hit in _safety(d, s):
            outcome = _outcome(d, s, m, hit, arms)
            found.setdefault((m.entry.id, hit.value, outcome["modality"]["value"]), outcome)
        for m, hit in _events(d, s, claimed):
            outcome = _outcome(d, s, m, hit, arms)
            key = (m.entry.id, hit.value if hit else None, outcome["modality"]["value"])
            found.setdefault(key, outcome)
        before = len(found)
        for hit in _unclaimed(d, s, claimed):
            phrase = _measure_phrase(d, s, hit)
            if phrase is not None:
                m = phrase
                outcome = _outcome(d, s, m, hit, arms)
                key = (m.entry.id, hit.value, outcome["modality"]["value"])
                found.setdefault(key, outcome)
                _add_conjuncts(d, s, m, hit, arms, found)
        figure = _figure_subject(d, s) if len(found) == before and not claimed else None
        if figure is not None:  # "Survival at 28 days was 91% with the cells and 42% ..."
            outcome = _outcome(d, s, figure, None, arms)
            found.setdefault((figure.entry.id, None, outcome["modality"]["value"]), outcome)
    return list(found.values())


_PAIR = re.compile(
    r"(?P<a>\d+(?:\.\d+)?)\s*%(?P<mid>[^.;%]{0,200}?)\b(?:vs\.?|versus|compared with|compared to|"
    r"against)\s+(?P<b>\d+(?:\.\d+)?)\s*%(?P<tail>[^.;%]{0,50})",
    re.I,
)
_SIGNIFICANT = re.compile(r"\bp\s*(?:[<≤]\s*0?\.0[1-5]|=\s*0?\.0[0-4])\d*", re.I)
_TREATED_SIDE = re.compile(r"\b(?:treated|recipients|active)\b", re.I)
_CONTROL_SIDE = re.compile(r"\b(?:controls?|untreated)\b", re.I)
"""Words for either group beside the comparators and cells the groups stage names."""


def _shares_of(res: Resources, m: Mention) -> bool:
    """Whether shares of patients compared say which way ``m`` went: a rate or a state
    reached (remission, death), not a scale a lower score of which is better (a share on the
    NIHSS is of those reaching some score, not the score)."""
    return m.entry.id != ADVERSE_EVENT and res.polarity.get(m.entry.id) != "lower"


def _side(text: str) -> str | None:
    if COMPARATOR.search(text) or _CONTROL_SIDE.search(text):
        return "control"
    return "treated" if CELLS_WORD.search(text) or _TREATED_SIDE.search(text) else None


def _compared(d: AnnotatedDoc, s: Span) -> Hit | None:
    """A direction that two groups' figures state with a significant p value ("50% of those
    given the cells against 34% with placebo (p=0.024)": increased); without one, figures
    that differ state no direction (the text has not said the difference is real)."""
    if not _SIGNIFICANT.search(s.text):
        return None
    pair = _PAIR.search(s.text)
    if pair is None:
        return None
    first, second = _side(pair.group("mid")), _side(pair.group("tail"))
    a, b = float(pair.group("a")), float(pair.group("b"))
    if first == "treated" or second == "control":
        treated, control = a, b
    elif first == "control" or second == "treated":
        treated, control = b, a
    else:
        return None
    if treated == control:
        return None
    value = Direction.REDUCED if treated < control else Direction.INCREASED
    return Hit("figures", value.value, s.start + pair.start(), s.start + pair.end("b"))


_FIGURE_VERB = re.compile(
    r"\s+(?:was|were|reached|stood at)\s+(?:about |around |nearly |only )?\d+(?:\.\d+)?\s*%", re.I
)
_FIGURE_END = re.compile(r"\s(?:\d+|after|at|by|in|among|for|from|with|of the|on)\b", re.I)


def _figure_subject(d: AnnotatedDoc, s: Span) -> Mention | None:
    """What a sentence gives a percentage of, where no term or cue names it: the words before
    "was N%" up to a time or place ("Survival 28 days after the last infusion was 91%")."""
    if d.terms_in(Kind.MEASURE, s.start, s.end) or _bound(s):
        return None
    verb = _FIGURE_VERB.search(s.text)
    if verb is None:
        return None
    words = s.text[: verb.start()]
    start = max((words.rfind(sep) + 2 for sep in (". ", ", ", ": ") if sep in words), default=0)
    cut = _FIGURE_END.search(words, start)
    end = cut.start() if cut else len(words)
    if end - start < 4 or len(words[start:end].split()) > 5:
        return None
    return _phrase_mention(d, s.start + start, s.start + end)


_BOUND = re.compile(
    r"\d+(?:\.\d+)?\s*%\s+or\s+(?:less|more|lower|higher|above|below|greater)\b|"
    r"\b(?:less|more|lower|greater|higher) than\s+\d+(?:\.\d+)?\s*%|"
    r"\b(?:at least|at most|below|above|under|over|up to)\s+\d+(?:\.\d+)?\s*%|[<>≤≥]\s*\d",
    re.I,
)


def _bound(s: Span) -> bool:
    """A sentence whose percentage bounds a measure ("an ejection fraction of 45% or less")
    rather than reports it: who could take part, not what came of it."""
    return bool(_BOUND.search(s.text)) and not q.fractions(s.text)


def _add_conjuncts(
    d: AnnotatedDoc,
    s: Span,
    m: Mention,
    hit: Hit,
    arms: list[Arm],
    found: dict[tuple[str, str | None, str], Outcome],
) -> None:
    """The same finding on each other measure of the list ``m`` is in."""
    for c in conjuncts(d, s, m, hit, _conjunct):
        if c.entry.id == ADVERSE_EVENT:
            continue
        outcome = _outcome(d, s, c, hit, arms)
        found.setdefault((c.entry.id, hit.value, outcome["modality"]["value"]), outcome)


def _conjunct(d: AnnotatedDoc, start: int, end: int) -> Mention | None:
    """A conjunct as a measure: the measure term it is, else its words as a measure."""
    whole = [m for m in d.terms_in(Kind.MEASURE, start, end) if m.end <= end]
    if whole:
        return Mention(whole[0].entry, start, end, whole[0].method)
    return _phrase_mention(d, start, end)


_RESULTY = re.compile(
    r"\d|\bsignifican|\bp\s*[<=]|\b(?:versus|compared|than|placebo|controls?|sham|groups?|arms?|"
    r"baseline|showed|shown|revealed|observed|did not|didn't|failed to|no longer|"
    r"no (?:\w+ )?(?:difference|change)|appeared to|appears to|seemed to|may have)\b",
    re.I,
)


SUBJECTS = re.compile(
    r"\b(?:patients|participants|subjects|mice|rats|animals|monkeys|primates|pigs|dogs|sheep|"
    r"rabbits|children|men|women|people|"
    r"treated|recipients|those who|cultures|cells)\b"
    r"|\b(?:\d+|[a-z]+(?:-[a-z]+)?) (?:of|out of) (?:the|all|these|those) (?:\d+|[a-z]+)\b",
    re.I,
)
"""Words for those studied, or a share of them ("thirteen of the 14 healed")."""


def _safety(d: AnnotatedDoc, s: Span) -> list[tuple[Mention, Hit]]:
    """A safety statement that names no adverse-event term ("no safety concerns"): the
    outcome is adverse events, the cue its evidence."""
    entry = d.res.lexicon.get(ADVERSE_EVENT)
    if entry is None or any(
        m.entry.id == ADVERSE_EVENT for m in d.terms_in(Kind.MEASURE, s.start, s.end)
    ):
        return []
    hits = [h for h in _hits(d, s) if h.value in _AE_ONLY]
    return [(Mention(entry, h.start, h.end, "safety-cue"), h) for h in hits[:1]]


ADVERSE_EVENT = "NCIT:C41331"


_WHO_BEFORE = re.compile(
    rf"\b(?:no one|nobody|none|everyone|all|each|every)\b|\b{q.NUMBER}\b|\d", re.I
)


_AGAINST = re.compile(
    r"\b\d+(?:\.\d+)?\s*%?[^.;]{0,80}?\b(?:against|versus|vs\.?|compared with|compared to)\s+"
    r"(?:\w+\s+){0,2}\d",
    re.I,
)
"""A figure set against another group's ("10 of 11 ... against 5 of 11 in the controls")."""


_IN_WHOM = re.compile(rf"\s+in\s+(?:{q.NUMBER}|all|none|most|half|each)\b", re.I)
"""Those an event happened in, said after it ("had closed in 10 of 11 patients")."""


_RELATIVE = re.compile(
    r"\b(?:who|whose(?:\s+\w+){1,3}|that|which)\s+(?:(?:had|have|has|did|do|does|not|never|yet|previously|already|been)\s+)*$",
    re.I,
)


_BEFORE_TREATMENT = re.compile(r"\s+(?:before|prior to)\b", re.I)


_MODAL = re.compile(r"\b(?:would|could|might|may|should|will|can)\s+(?:\w+\s+){0,2}$", re.I)


def _events(d: AnnotatedDoc, s: Span, claimed: set[Hit]) -> list[tuple[Mention, Hit | None]]:
    """Findings said as what happened to those studied ("13 of the 14 healed", "160 of 239
    children were alive", "no one died"): the event names the measure ("healing",
    "survival"), prefixed by what it happened to ("the wounds closed": wound closure). The
    direction cues the event's words also are (``healed``) are claimed, read once."""
    if FUTURE.search(s.text) or (d.sents and s.start == d.sents[0].start):
        return []
    if s.text.rstrip().endswith("?") or d.terms_in(Kind.MEASURE, s.start, s.end):
        return []  # a question ("could the cells keep neurons alive?"), or a named measure
    out: list[tuple[Mention, Hit | None]] = []
    for ev in (h for h in d.cues("event") if s.start <= h.start < s.end):
        if _BEFORE_TREATMENT.match(d.text, ev.end):
            continue  # "one patient died before any cells could be given": who dropped out
        clause = re.split(r"[,;:]", d.text[s.start : ev.start])[-1]
        whom = _IN_WHOM.match(d.text, ev.end, s.end)  # "fistulas had closed in 10 of 11"
        if not (SUBJECTS.search(clause) or _WHO_BEFORE.search(clause) or whom):
            continue  # "the trial closed": not those studied
        if _RELATIVE.search(clause) or _MODAL.search(clause):
            continue  # "patients who had not responded to steroids", "would have closed"
        span = defining(d, s)
        if span is not None and span[0] <= ev.start < span[1]:
            continue  # what an endpoint is defined as ("meaning that all openings had closed")
        label, _, direction = ev.value.partition("|")
        noun = _event_noun(d, s, ev)
        label = f"{noun} {label}" if noun else label
        try:
            mention = Mention(d.res.lexicon.resolve(Kind.MEASURE, label), ev.start, ev.end, "event")
        except ValueError:
            unmapped = LexEntry(f"unmapped:{label.casefold()}", Kind.MEASURE, label)
            mention = Mention(unmapped, ev.start, ev.end, "event-cue")
        hit = Hit("direction", direction, ev.start, ev.end) if direction else _fewer(d, s, ev)
        if direction and _AGAINST.search(d.text, ev.end, s.end):
            hit = _compared(d, s)  # "closed in 10 of 11 given cells against 5 of 11": a rate
            # in each group, a finding only where a p value says the difference is real
        claimed.update(h for h in _hits(d, s) if _gap(h.start, h.end, ev.start, ev.end) == 0)
        if hit is not None:
            claimed.add(hit)
        out.append((mention, hit))
    return out


_COUNTED_WAYS = (Direction.REDUCED.value, Direction.INCREASED.value)


def _fewer(d: AnnotatedDoc, s: Span, ev: Hit) -> Hit | None:
    """The way an event of no direction of its own went, where a comparative says it right
    beside it ("Fewer people died", "treated mice died less often"); not one said of the
    comparators ("more of those given placebo died")."""
    near = [
        h
        for h in _hits(d, s)
        if h.value in _COUNTED_WAYS and _gap(h.start, h.end, ev.start, ev.end) <= 15
    ]
    for h in sorted(near, key=lambda h: _gap(h.start, h.end, ev.start, ev.end)):
        between = d.text[min(h.end, ev.end) : max(h.start, ev.start)]
        if not COMPARATOR.search(between) and not _CONTROL_SIDE.search(between):
            return h
    return None


def _event_noun(d: AnnotatedDoc, s: Span, ev: Hit) -> str | None:
    """The thing an event happened to, right before it ("the ulcers [closed]"): a noun, not
    those studied, a number or a bracket."""
    span = _words_before(d, s, ev)
    if span is None:
        return None
    word = d.text[span[0] : span[1]].split()[-1]
    folded = word.casefold()
    if not re.fullmatch(r"[^\W\d_]{4,}", word) or folded in _VAGUE or folded in _BOUNDARY:
        return None
    if re.search(r"(?:ing|ed|ly)$", folded):
        return None  # "the draining [closed]", "[completely] closed": not a thing
    if SUBJECTS.fullmatch(word) or q.people_noun(word) or _WHO_BEFORE.fullmatch(word):
        return None
    return folded[:-1] if folded.endswith("s") and not folded.endswith("ss") else folded


def _unclaimed(d: AnnotatedDoc, s: Span, claimed: set[Hit]) -> list[Hit]:
    """Direction cues of a sentence reporting a result that no measure term took: a figure or
    a comparison, or a past-tense change in the treated subjects ("EDSS fell and [walking
    speed] improved")."""
    measures = d.terms_in(Kind.MEASURE, s.start, s.end)
    hits = [
        h
        for h in _hits(d, s)
        if h.value not in _AE_ONLY
        and not any(_gap(h.start, h.end, c.start, c.end) == 0 for c in claimed)
        and not any(m.start <= h.start < m.end for m in measures)
    ]
    if not hits or FUTURE.search(s.text):
        return []
    if d.sents and s.start == d.sents[0].start:  # the headline sums up; the body says what
        return []
    result = measures or _RESULTY.search(s.text) or SUBJECTS.search(s.text)
    return hits if result else []


_TOKEN_RE = re.compile(r"[\w'’/+.-]*\w|[^\w\s]")


_AUXILIARY = frozenset(
    (
        "was",
        "were",
        "had",
        "has",
        "have",
        "is",
        "are",
        "did",
        "does",
        "do",
        "not",
        "been",
        "be",
        "being",
        "also",
        "further",
        "significantly",
        "markedly",
        "substantially",
        "slightly",
        "clearly",
        "then",
        "both",
        "all",
        "more",
        "less",
        "much",
        "greatly",
        "still",
        "only",
        "largely",
        "modestly",
        "statistically",
        "numerically",
        "showed",
        "revealed",
        "indicated",
        "trended",
    )
)


_RAISING = frozenset(
    ("seemed", "seems", "appeared", "appears", "tended", "tends", "continued", "began", "started")
)
"""Verbs that take the finding as "to" and a verb: "X seemed to improve"."""


_BEFORE_CUE = _AUXILIARY | frozenset(
    (
        "may",
        "might",
        "could",
        "no",
        "non-significant",
        "nonsignificant",
        "significant",
        "modest",
        "small",
        "slight",
        "marked",
        "large",
        "clear",
        "meaningful",
        "sustained",
        "lasting",
        "somewhat",
        "far",
        "even",
        "rather",
        "quite",
        "got",
        "get",
        "gets",
        "became",
        "become",
        "becomes",
        "grown",
    )
)
"""Words between a measure and its cue that are neither: "walking speed was no [better]",
"walking speed showed a non-significant [improvement]", "strain got [worse]"."""


_DETERMINERS = frozenset(
    ["the", "their", "a", "an", "its", "his", "her", "our", "your", "of", "some", "any", "much"]
)


_VAGUE = frozenset(
    (
        "them",
        "others",
        "several",
        "half",
        "everyone",
        "patients",
        "patient",
        "people",
        "participants",
        "group",
        "groups",
        "cells",
        "cell",
        "treatment",
        "therapy",
        "study",
        "trial",
        "researchers",
        "it",
        "they",
        "this",
        "that",
        "these",
        "those",
        "results",
        "result",
        "scores",
        "score",
        "outcomes",
        "outcome",
        "condition",
        "disease",
        "symptoms",
        "animals",
        "mice",
        "rats",
        "children",
        "adults",
        "team",
        "data",
        "findings",
        "effect",
        "effects",
        "benefit",
        "benefits",
        "most",
        "some",
        "many",
        "all",
        "none",
        "each",
        "both",
        "odds",
        "ratio",
        "ratios",
        "measures",
        "measure",
        "arm",
        "arms",
        "dose",
        "doses",
        "infusion",
        "injection",
        "injections",
        "participant",
        "controls",
        "volunteers",
        "enrolment",
        "enrollment",
        "recruitment",
    )
)


def _tokens(text: str, offset: int) -> list[tuple[int, int, str]]:
    return [(offset + m.start(), offset + m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]


def _between(word: str) -> bool:
    """A word between a measure and its cue that is neither: an auxiliary, a qualifier or an
    adverb ("seizures were consistently [suppressed]")."""
    folded = word.casefold()
    return folded in _BEFORE_CUE or (len(folded) > 5 and folded.endswith("ly"))


def _words_before(d: AnnotatedDoc, s: Span, hit: Hit) -> tuple[int, int] | None:
    """The noun phrase right before a cue: "hand function [improved]"."""
    tokens = _tokens(d.text[s.start : hit.start], s.start)
    while tokens and _between(tokens[-1][2]):
        tokens.pop()
    raised = len(tokens) > 1 and tokens[-1][2].casefold() == "to"
    if raised and tokens[-2][2].casefold() in _RAISING:  # "walking speed seemed to improve"
        del tokens[-2:]
        while tokens and _between(tokens[-1][2]):
            tokens.pop()
    article = len(tokens) > 1 and tokens[-1][2].casefold() in ("a", "an")
    if article and tokens[-2][2].casefold() in _AUXILIARY:  # "showed a [significant] rise"
        del tokens[-2:]
    if tokens and tokens[-1][2] == ")":  # "the 45 repairs (100%) had healed"
        _drop_bracket(tokens)
    _drop_apposition(tokens)
    phrase: list[tuple[int, int, str]] = []
    while tokens and len(phrase) < 6:
        word = tokens[-1][2]
        of_after = word == ")" and phrase and phrase[0][2].casefold() == "of"
        if of_after and _drop_bracket(tokens):
            continue  # "the elastic modulus (p = 0.001) [of the tissue]"
        if not re.match(r"\w", word) or word.casefold() in _BOUNDARY:
            break
        phrase.insert(0, tokens.pop())
    return (phrase[0][0], phrase[-1][1]) if phrase else None


def _drop_bracket(tokens: list[tuple[int, int, str]]) -> bool:
    """Drop the tokens from the last opening bracket on; whether there was one."""
    opening = max((i for i, t in enumerate(tokens) if t[2] == "("), default=None)
    if opening is not None:
        del tokens[opening:]
    return opening is not None


def _drop_apposition(tokens: list[tuple[int, int, str]]) -> None:
    """Drop a noun phrase set off by commas right before the cue, so that what it describes
    is read: "troponin T, a marker of heart injury, was [higher]"."""
    if len(tokens) < 4 or tokens[-1][2] != ",":
        return
    opening = max((i for i, t in enumerate(tokens[:-1]) if t[2] == ","), default=None)
    if opening is None or len(tokens) - opening > 10 or opening == 0:
        return
    if tokens[opening + 1][2].casefold() in ("a", "an", "the") and re.match(
        r"\w", tokens[opening - 1][2]
    ):
        del tokens[opening:]


_PEOPLE_THEN = re.compile(
    r"\s*(?:\w+\s+){0,2}?(?:patients|participants|people|children|recipients|subjects|mice|rats|"
    r"animals)\b[^.;:]{0,40}?\b(?:needed|required|had|developed|experienced|suffered|"
    r"achieved|reached|regained|underwent|went on to have)\s+",
    re.I,
)
"""Who changed, then what ("fewer patients in the cell group needed [a hip replacement]")."""


def _words_after(d: AnnotatedDoc, s: Span, hit: Hit) -> tuple[int, int] | None:
    """The noun phrase a nominal or transitive cue governs: "an improvement in [walking
    speed]", "[the cells] reduced [apoptosis]", "fewer patients needed [dialysis]"."""
    cue = d.text[hit.start : hit.end].casefold()
    who = _PEOPLE_THEN.match(d.text, hit.end, s.end) if cue in COMPARATIVES else None
    after = who.end() if who else hit.end
    tokens = _tokens(d.text[after : s.end], after)
    if tokens and tokens[0][2].casefold() in ("in", "of", "on"):
        tokens = tokens[1:]
    elif tokens and tokens[0][2].casefold() == "to" and cue.endswith(("difference", "differences")):
        tokens = tokens[1:]  # "made no difference to [walking speed]"
    elif (
        not re.search(r"(?:ed|es|s)$", cue)
        and cue not in COMPARATIVES | _ADJECTIVES
        and not _BASE_FORM.search(d.text, s.start, hit.start)
    ):
        return None
    while tokens and tokens[0][2].casefold() in _DETERMINERS:
        tokens = tokens[1:]
    phrase: list[tuple[int, int, str]] = []
    for token in tokens[:6]:
        word = token[2].casefold()
        keep_of = word == "of" and 0 < len(phrase) <= 2
        keep_of |= word == "in" and len(phrase) == 1 and phrase[0][2].casefold() in _SPELLS
        if not keep_of and (not re.match(r"\w", token[2]) or word in _BOUNDARY):
            break
        phrase.append(token)
    while phrase and phrase[-1][2].casefold() == "of":
        phrase.pop()
    return (phrase[0][0], phrase[-1][1]) if phrase else None


_SPELLS = frozenset(("time", "days", "nights", "weeks", "stay", "stays"))
"""A span of time measured where it was spent: "less [time in hospital]", "[time in range]"."""


_ADJECTIVAL = re.compile(r"^\w+(?:ical|ive|ous|ful|able|ible|ant|(?<!m)ent)$", re.I)


_NOMINAL = re.compile(r"(?:ment|ments|tion|tions|ion|ions|ease|eases|ine|ines)$", re.I)


def _measure_phrase(d: AnnotatedDoc, s: Span, hit: Hit) -> Mention | None:
    """The words a direction cue governs when no table names them: "an improvement in walking
    speed", "cells reduced apoptosis", "hand function improved" (an unmapped measure)."""
    cue = d.text[hit.start : hit.end]
    after = d.text[hit.end : s.end].lstrip()
    readings = []
    if _SHOWED.search(d.text, s.start, hit.start) and re.match(r"[^\W\d]", after):
        readings.append(_words_after)  # "the scans showed improved [brain connectivity]"
    if cue.casefold() in COMPARATIVES | _ADJECTIVES and re.match(r"[^\W\d]", after):
        readings.append(_words_after)  # "more collagen", "fewer hospital stays"
    difference = cue.casefold().endswith(("difference", "differences"))
    if _NOMINAL.search(cue) or re.match(r"(?:in|of|on)\b", after, re.I):
        readings.append(_words_after)
    elif difference and re.match(r"to\b", after, re.I):
        readings.append(_words_after)  # "made no difference to [walking speed]"
    readings.append(_words_before)
    if cue.casefold().endswith("ed") or _BASE_FORM.search(d.text, s.start, hit.start):
        readings.append(_words_after)  # "reduced lesions", "did not improve regional function"
    for reading in readings:  # "increased in 6 of 8 patients": the words before, then
        span = reading(d, s, hit)
        if span and any(span[0] <= h.start < span[1] for h in d.cues("direction")):
            continue  # "the protection grew": a change, not what changed
        if span and reading is _words_after and _ADJECTIVAL.search(d.text[span[0] : span[1]]):
            continue  # "far more practical": a comparative adjective
        mention = _phrase_mention(d, *span) if span else None
        if mention is not None:
            return role_measure(d, mention, s.end) or mention
    return None


_SHOWED = re.compile(r"\b(?:showed|shown|revealed|found|saw|demonstrated|with)\s+$", re.I)
"""A reporting verb right before a cue, which then qualifies what follows it."""


_BASE_FORM = re.compile(
    r"\b(?:(?:did|does|do|could|would) not|didn't|doesn't|failed to)\s+(?:\w+ly\s+)?$", re.I
)
"""A finding said as a verb in its base form after a negation ("did not improve regional
function"), which takes what it changed after it; "may improve X" is a hope, not read."""


_THERAPY_WORDS = re.compile(
    r"\b(?:stem|infusions?|injections?|transplant\w*|grafts?|doses?|placebo|"
    r"received|given|babies|group)\b",
    re.I,
)


_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,7}")
"""A measure said by its abbreviation ("ESR, CRP and RF were lower"): a content word."""


def _measure_like(words: list[str]) -> bool:
    """Words that can name what was measured: a content word, no verb at the end, not the
    therapy or the group itself."""
    folded = [w.casefold().strip("'’.,") for w in words]
    content = [w for w in folded if len(w) >= 4 and w not in _VAGUE and w not in _AUXILIARY]
    content += [w for w in words if _ACRONYM.fullmatch(w.strip("'’.,"))]  # "ESR", "DAS28"
    head = folded[: folded.index("of", 1)] if "of" in folded[1:] else folded
    last = head[-1]  # "the dispersion of granule cells": the head is "dispersion"
    scored = last in ("scores", "score") and len(content) > 0  # "skin scores", "pain score"
    if not content or (last in _VAGUE and not scored) or re.search(r"(?:(?<!e)ed|ing|ly)$", last):
        return False
    sided = [w for i, w in enumerate(folded) if w == "left" and i + 1 < len(folded)]
    if any((w in _NOT_MEASURES and w not in sided) or q.number(w) is not None for w in folded):
        return False  # "four", "first 24 weeks", "far more often" (not "left ventricular")
    return not _THERAPY_WORDS.search(" ".join(folded))


_NOT_MEASURES = frozenset(
    (
        "first", "second", "third", "often", "far", "such", "done", "read", "much", "well",
        "soon", "efficacy", "weeks", "months", "days", "years", "week", "month", "day", "year",
        "hopes", "hope", "standard", "question", "questions", "idea", "ideas", "approach",
        "lost", "made", "got", "took", "gave", "saw", "grew", "led", "kept", "left", "felt",
        "became", "began", "came", "went", "ran", "held", "brought", "faster", "slower", "sooner",
        "quicker", "earlier", "later", "longer", "again",
    )
)  # fmt: skip
"""Words that never name what was measured: ordinals, times, adverbs, irregular verbs."""


_BARE = frozenset(
    ("time", "rate", "rates", "level", "levels", "value", "values", "amount", "cases", "case")
)
"""Words that name a measure only with what they are of ("time to healing")."""
_BARE_OR_VAGUE = _BARE | _VAGUE


_SHARE_OF = re.compile(
    rf"(?:every one|each|all|most|many|some|none|half|both|{q.NUMBER})\s+(?:of|out of)\s+"
    r"(?:the|their|these|those)\s+(?:\d+\s+)?",
    re.I,
)
"""A share of those counted before what was measured: "every one of the 45 [repairs]"."""


_HEAD_OF = re.compile(r"\w{4,}(?:\s+\w+)?\s+of\s+(?:the\s+)?(?:\w+\s+){0,2}", re.I)
"""A head noun, then "of", before the cells or place it measures ("loss of motor neurons")."""


_FROM = re.compile(r"\b(?:from|out of)\s+$", re.I)
"""Before a tissue, where cells came from ("cells taken from [donated cord tissue]"): a place."""


def _phrase_mention(d: AnnotatedDoc, start: int, end: int) -> Mention | None:
    text = d.text[start:end]
    share = _SHARE_OF.match(text)
    if share and share.end() < len(text):
        start, text = start + share.end(), text[share.end() :]
    lead = re.match(r"(?:(?:the|their|a|an|its|his|her|our)\s+)+", text, re.I)
    if lead:
        start, text = start + lead.end(), text[lead.end() :]
    words = re.sub(r"\s*\([^()]*\)", "", text).split()  # "modulus (p = 0.001) of X"
    if not words or not _measure_like(words) or all(w.casefold() in _BEFORE_CUE for w in words):
        return None  # no measure, or only a qualifier ("healing was more [modest]")
    if all(w.casefold() in _BARE_OR_VAGUE for w in words) and words[-1].casefold() in _BARE:
        return None  # "over [time] favoured", "in [some cases] had risen": no measure alone
    head = words[: words.index("of", 1)] if "of" in words[1:] else words
    of_cells = head is not words and words[-1].casefold() in ("cells", "cell")
    who = [head[-1]] if of_cells else [head[-1], words[-1]]  # "dispersion of granule cells"
    if any(SUBJECTS.fullmatch(w) or q.people_noun(w) for w in who):
        return None  # "the gerbils [improved]": who changed, not what
    for kind in (Kind.TISSUE, Kind.CELL_TYPE, Kind.CONDITION, Kind.ROUTE, Kind.SPECIES):
        for m in d.terms_in(kind, start - 200, end):
            whole = m.start <= start and m.end >= end
            inside = m.end > start and kind in (Kind.CELL_TYPE, Kind.ROUTE, Kind.SPECIES)
            if inside and _HEAD_OF.fullmatch(d.text, start, max(start, m.start)):
                inside = False  # "the dispersion of [granule cells]": a measure of the cells
            place_of = m.start <= start < m.end and re.match(r"\s+of\b", d.text[m.end : end])
            place = kind is Kind.TISSUE and _FROM.search(d.text, max(0, start - 12), start)
            if whole or inside or place_of or place:
                return None  # a place, the cells or the disease, not what was measured
    spelled = [(w, _spelled_out(d, w)) for w in words]
    names = [" ".join(w for w, _ in spelled), " ".join(long or w for w, long in spelled)]
    of = _OF_THE.fullmatch(text.strip())
    if of:  # "the latency of the visual evoked response": "visual evoked response latency"
        names.append(f"{of.group(2)} {of.group(1)}")
    for name in names:
        try:
            entry = d.res.lexicon.resolve(Kind.MEASURE, name)
        except ValueError:
            continue
        return Mention(entry, start, end, "measure-name")
    label = " ".join(f"{long} ({w})" if long else w for w, long in spelled)
    unmapped = LexEntry(f"unmapped:{label.casefold()}", Kind.MEASURE, label)
    return Mention(unmapped, start, end, "measure-phrase")


_OF_THE = re.compile(r"(\w[\w-]*(?: \w[\w-]*)?) of (?:the )?(\w[\w\s-]*\w)", re.I)
"""A head noun and what it is of ("latency of the evoked response"), which a term list
writes the other way round ("evoked response latency")."""


def _spelled_out(d: AnnotatedDoc, word: str) -> str | None:
    """The words the text defines an abbreviation by ("rheumatoid factor" for "RF" where the
    text says "rheumatoid factor (RF)"): a measure unmapped is named by them as well as by
    its initials, and may be a term by them."""
    return long_form(d.text, word) if _ACRONYM.fullmatch(word) else None


def _figures(d: AnnotatedDoc, s: Span, outcome: Outcome) -> None:
    value: Figures = {}
    fractions = q.fractions(s.text, s.start)
    if fractions:
        f = fractions[0]
        if f.denominator is not None:
            value["denominator"] = f.denominator
        value["numerator"] = f.numerator
        value["quote"] = d.text[f.start : f.end]
        value["start"], value["end"] = f.start, f.end
        value["method"], value["confidence"] = "fraction-pattern", 0.9
    percents = q.percents(s.text, s.start)
    if percents:
        pct, start, end = percents[0]
        value["percent"] = pct
        value.setdefault("quote", d.text[start:end])
        value.setdefault("start", start)
        value.setdefault("end", end)
        value.setdefault("method", "percent-pattern")
    if value:
        outcome["value"] = value
    for dur in q.durations(s.text, s.start):
        if "apart" not in d.text[dur.end : dur.end + 8]:
            outcome["timepoint"] = d.value(dur.iso, dur.start, dur.end, "duration-timepoint", 0.7)
            break


def distinct(outcomes: list[Outcome]) -> list[Outcome]:
    """One outcome per measure, arms, timepoint and figures (the model's identity of an
    outcome). Two findings on one such outcome that go different ways (the text compares
    groups the extractor cannot tell apart) are both kept, the later one keyed by its
    direction; a repeated finding is kept once."""
    seen: dict[tuple[Any, ...], Outcome] = {}
    for o in outcomes:
        value = o.get("value", {})
        key: tuple[Any, ...] = (
            o["measure"].get("id") or o["measure"]["label"].casefold(),
            tuple(sorted(o.get("arms", []))),
            o.get("timepoint", {}).get("value"),
            *(value.get(k) for k in ("numerator", "denominator", "percent")),
        )
        if key in seen and "direction" in o:
            direction = o["direction"]["value"]
            if seen[key].get("direction", {}).get("value") != direction:
                o = {**o, "key": direction}
                key = (*key, direction)
        seen.setdefault(key, o)
    return list(seen.values())
