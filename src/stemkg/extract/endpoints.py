"""Assemble, a trial's verdict on its endpoints: "met its primary endpoint", "the primary
endpoint was not met", read as a finding on the measure the text names as that endpoint.

A verdict names its endpoint by role, not by what was measured; the measure is where the
text defines the role ("The primary endpoint was the change in X", "the primary efficacy
endpoint of reducing X"). A verdict whose endpoint the text never defines keeps the role as
its (unmapped) measure, since that is all the text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stemkg.extract import quantities as q
from stemkg.extract.annotate import AnnotatedDoc, Hit
from stemkg.extract.drafts import Outcome
from stemkg.extract.grounding import Mention
from stemkg.extract.text import Span
from stemkg.lexicon import Kind, LexEntry
from stemkg.model import Modality

_ROLE = (
    r"(?:(?:primary|main|co-?primary|secondary|key secondary|prespecified|pre-specified)\s+)+"
    r"(?:(?:efficacy|safety)\s+)?(?:end\s?points?|outcomes?(?: measures?)?|goals?|aims?)"
)
_VERDICT = re.compile(
    r"\b(?P<verb>missed|failed to (?:meet|reach|hit|achieve)|did not (?:meet|reach|hit|achieve)|"
    rf"met|reached|achieved|hit)\s+(?:its|their|the)\s+(?P<what>{_ROLE})"
    r"|\b(?:its|their|the)\s+(?P<what2>" + _ROLE + r")\s+(?:was|were)\s+(?P<verb2>(?:not\s+)?"
    r"(?:met|reached|achieved|missed))\b",
    re.I,
)
"""A trial's verdict on its endpoint: "missed its primary endpoint" (improved, negated)."""
_DEFINITION = re.compile(
    rf"\b(?P<what>{_ROLE})(?:\s+(?:was|were|is|are)\s+|\s*:\s*|\s+of\s+|"
    r"\s*,\s*(?:which\s+(?:was|were)\s+|(?=(?:the|a|an)\s))|"  # an apposition
    r"\s*:?[ \t]*\n\s*(?:[-*\u2022]\s+)?)"  # a registry's field, its value below
    r"(?P<measure>[^.;:()]{3,160})",
    re.I,
)
"""Where a text says what an endpoint measured: "The primary endpoint was all-cause death"."""
_NOT_A_MEASURE = re.compile(
    r"^(?:not\b|met\b|reached\b|achieved\b|missed\b|assessed\b|defined\b|measured\b|"
    r"analy[sz]ed\b|evaluated\b|similar\b|the same\b|\d)",
    re.I,
)
_END = re.compile(
    r",|\s+(?:at|after|over|by|during|in each|between|compared|versus|vs\.?|relative|and the|"
    r"and was|was|were|which|that|when|as measured|measured|assessed)\b|"
    r"\s+(?:\d+|one|two|three|four|six|eight|nine|twelve|fifteen|eighteen|24|52)"
    r"[- ](?:days?|weeks?|months?|years?)\b",
    re.I,
)
_LEAD = re.compile(
    r"^(?:(?:the|a|an|its|their)\s+)?(?:(?:cumulative\s+)?(?:proportion|percentage|share|"
    r"number|rate|incidence)\s+of\s+(?:(?:patients|participants|subjects|people)\s+"
    r"(?:with|who had|achieving|reaching)\s+)?)?(?:(?:the|a|an)\s+)?",
    re.I,
)
_GERUND = {"reducing": "reduced", "improving": "improved", "increasing": "increased"}
_SAFETY = re.compile(r"^(?:safety|tolerability|adverse|side effects|serious)", re.I)


@dataclass(frozen=True, slots=True)
class Definition:
    """An endpoint's role ("primary efficacy endpoint") and what it measured."""

    role: str
    measure: Mention
    direction: str = "improved"


def _role(words: str) -> frozenset[str]:
    """The words of a role that tell one endpoint from another (main is primary)."""
    found = set(re.findall(r"primary|secondary|efficacy|safety", words.casefold()))
    if "main" in words.casefold():
        found.add("primary")
    return frozenset(found)


def _measure(d: AnnotatedDoc, start: int, end: int) -> tuple[Mention, str] | None:
    """The measure an endpoint's definition names, and the direction a gerund gives it
    ("of reducing lesions" is lesions reduced)."""
    text = d.text[start:end]
    direction = "improved"
    gerund = re.match(r"(reducing|improving|increasing)\s+", text, re.I)
    if gerund:
        direction = _GERUND[gerund.group(1).casefold()]
        start, text = start + gerund.end(), text[gerund.end() :]
    if _NOT_A_MEASURE.match(text) or _SAFETY.match(text):
        return None
    cut = _END.search(text)
    if cut:
        text = text[: cut.start()]
    lead = _LEAD.match(text)
    if lead:
        start, text = start + lead.end(), text[lead.end() :]
    text = text.rstrip()
    if len(re.findall(r"[^\W\d_]{3,}", text)) < 1:
        return None
    end = start + len(text)
    terms = d.terms_in(Kind.MEASURE, start, end)
    if terms:
        if terms[0].entry.id == "NCIT:C41331":
            return None  # adverse events: the safety findings say more than a verdict
        return terms[0], direction
    label = " ".join(text.split())
    entry = LexEntry(f"unmapped:{label.casefold()}", Kind.MEASURE, label)
    return Mention(entry, start, end, "endpoint-definition"), direction


def definitions(d: AnnotatedDoc) -> list[tuple[int, Definition]]:
    """Every endpoint the region defines, with where the definition starts (read once a
    region: each verdict and the ordering of outcomes ask for them)."""
    if "definitions" not in d.memo:
        d.memo["definitions"] = _definitions(d)
    found: list[tuple[int, Definition]] = d.memo["definitions"]
    return found


def _definitions(d: AnnotatedDoc) -> list[tuple[int, Definition]]:
    found = []
    for m in _DEFINITION.finditer(d.text, d.lo, d.hi):
        measured = _measure(d, m.start("measure"), m.end("measure"))
        if measured is not None:
            found.append((m.start(), Definition(m.group("what"), *measured)))
    return found


_STATED_AS = re.compile(rf"\b{_ROLE}\s+(?:was|were|is|are|included)\s+|\b{_ROLE}\s*:\s*", re.I)


def defining(d: AnnotatedDoc, s: Span) -> tuple[int, int] | None:
    """Where a sentence says what an endpoint was ("The primary endpoints were the number of
    adverse events and the proportion of patients who gained 15 letters"): what follows
    names a measure, and a change said there is the endpoint's, not a finding."""
    m = _STATED_AS.search(s.text)
    return None if m is None else (s.start + m.end(), s.end)


def _defined(
    defined: list[tuple[int, Definition]], role: str, at: int, end: int
) -> Definition | None:
    """The definition a verdict at ``at`` refers to: one in the verdict's own words ("did not
    meet the primary endpoint of reducing X", up to ``end``), else the nearest earlier (then
    later) one of its role."""
    inside = [x for pos, x in defined if at <= pos < end]
    if inside:
        return inside[0]
    wanted = _role(role)
    fits = [(pos, x) for pos, x in defined if wanted <= _role(x.role) or _role(x.role) <= wanted]
    fits = [(pos, x) for pos, x in fits if "safety" not in _role(x.role) - wanted]
    before = [x for pos, x in fits if pos < at]
    after = [x for pos, x in fits if pos >= at]
    return before[-1] if before else (after[0] if after else None)


_OF_SAFETY = re.compile(
    r"\s*(?:,\s*(?:which|that)\s+(?:was|were|is)|of|:|was|were)\s+(?:the\s+)?"
    r"(?:safety|tolerability)\b",
    re.I,
)
_SAFETY_ROLE = re.compile(r"\bsafety\b", re.I)
"""An endpoint of safety: met, it is what the safety findings say (no serious harm); it
names no measure of its own."""


_ROLE_ONLY = re.compile(rf"(?:(?:the|its|their|a)\s+)?{_ROLE}", re.I)


def role_measure(d: AnnotatedDoc, m: Mention, end: int) -> Mention | None:
    """The measure an endpoint named by its role stands for ("made no difference to the
    primary endpoint, the cumulative rate of X": X), where the text defines it."""
    if not _ROLE_ONLY.fullmatch(m.entry.label):
        return None
    definition = _defined(definitions(d), m.entry.label, m.start, end)
    if definition is None:
        return None
    return Mention(definition.measure.entry, m.start, m.end, "endpoint-definition")


def verdicts(d: AnnotatedDoc, s: Span) -> list[Outcome]:
    """Outcomes a sentence states as an endpoint met or missed, on the endpoint's measure."""
    found: list[Outcome] = []
    for m in _VERDICT.finditer(d.text, s.start, s.end):
        group = "what" if m.group("what") else "what2"
        verb = m.group("verb") or m.group("verb2")
        start, end = m.start(group), m.end(group)
        definition = _defined(definitions(d), m.group(group), m.start(), s.end)
        direction = "improved"
        if definition is not None:
            measure = d.term(definition.measure, 0.6)
            direction = definition.direction
        elif group == "what2":
            continue  # "The primary endpoint was not met", of an endpoint never said
        elif _OF_SAFETY.match(d.text, end) or _SAFETY_ROLE.search(m.group(group)):
            continue  # "met its primary endpoint, which was safety": the safety findings say it
        else:
            label = " ".join(m.group(group).split())
            measure = d.words(label, start, end, "endpoint-pattern", 0.6)
        missed = bool(re.match(r"missed|failed|did not|not", verb, re.I))
        said = d.res.rules.modality(s.text, m.start() - s.start, m.end() - s.start)
        if missed or said is Modality.NEGATED:  # "neither met its main goal"
            said = Modality.NEGATED
        at = (m.start(), m.end(), "endpoint-pattern", 0.7)
        outcome: Outcome = {
            "measure": measure,
            "direction": d.value(direction, *at),
            "modality": d.value(said.value, *at),
        }
        if definition is not None:  # what the trial called it
            outcome["description"] = f"the trial's {' '.join(definition.role.split()).lower()}"
        found.append(outcome)
    return found


_DID_IT = re.compile(
    r"\b(?:reached|achieved|attained)\s+(?:it|this|that|the goal|this goal|that goal)\b"
    rf"|\b{q.NUMBER}\s+(?:(?:of|out of)\s+(?:the\s+)?{q.NUMBER}\s+)?(?:did|had done)\s+so\b",
    re.I,
)
"""A verdict said of an endpoint by a pronoun ("20 of 22 reached it", "six of seven did so")."""


def goal_reached(d: AnnotatedDoc, n: int, s: Span) -> tuple[Mention, Hit] | None:
    """The endpoint a pronoun verdict refers to, where the two sentences before define it
    ("The main goal was transfusion independence ... 20 reached it"), and the direction the
    definition gives it, at the pronoun."""
    said = _DID_IT.search(s.text)
    if said is None:
        return None
    start, end = s.start + said.start(), s.start + said.end()
    lo = d.sents[max(0, n - 2)].start
    defined = [x for pos, x in definitions(d) if lo <= pos < start]
    if not defined:
        return None
    definition = defined[-1]
    mention = Mention(definition.measure.entry, start, end, "anaphora")
    return mention, Hit("direction", definition.direction, start, end)


def _same_measure(outcome: Outcome, measure: Mention) -> bool:
    """An outcome on the measure an endpoint names: the same term, or the same words."""
    found = outcome["measure"]
    if "id" in found:
        return found["id"] == measure.entry.id
    said, named = found.get("label", "").casefold(), measure.entry.label.casefold()
    return bool(said) and (said in named or named in said)


def primary_first(d: AnnotatedDoc, outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes with the primary endpoint's first: a finding on the measure the text
    names as the primary endpoint says so in its description."""
    primary = [x for _, x in definitions(d) if "primary" in _role(x.role)]
    for outcome in outcomes:
        if "description" in outcome:
            continue
        role = next((x.role for x in primary if _same_measure(outcome, x.measure)), None)
        if role is not None:
            outcome["description"] = f"the trial's {' '.join(role.split()).lower()}"
    first = [o for o in outcomes if "primary" in o.get("description", "")]
    return first + [o for o in outcomes if "primary" not in o.get("description", "")]
