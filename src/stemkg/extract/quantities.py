"""Numbers in text: counts of participants, durations, doses, schedules, fractions.

Number words are read with text2num ("eight", "twenty-six"); every finding keeps its span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import isodate
from text_to_num import text2num

__all__ = [
    "Count",
    "Dose",
    "Found",
    "Fraction",
    "counts",
    "doses",
    "durations",
    "fractions",
    "months",
    "number",
    "people_noun",
    "percents",
    "schedule",
]

_UNITS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen"
)
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_WORDS = (
    rf"(?:(?:{_TENS})(?:[- ](?:{_UNITS}))?|(?:a|two|three|four) dozen|{_UNITS}|"
    r"a hundred|one hundred)"
)
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{_WORDS})"
_PEOPLE = (
    r"patients?|participants?|people|persons?|subjects?|volunteers?|individuals?|men|women|"
    r"children|adults|recipients?|babies|infants|boys|girls|newborns|neonates|adolescents|"
    r"teenagers|toddlers|players|athletes|veterans|survivors|rats?|mice|animals?|dogs?|pigs?|"
    r"piglets?|sheep|rabbits?|gerbils?|hamsters?|monkeys?|macaques?|primates?|marmosets?|"
    r"goats?|horses?|cats?|zebrafish"
)
_COUNT = re.compile(
    rf"\b({NUMBER})\b((?:\s+[\w'’/-]+){{0,3}}?)\s+({_PEOPLE}|of them|of whom|of these|of those)\b"
    r"(?!\s+(?:stud|model|experiment|work|research|data|trial))",
    re.I,
)
_PEOPLE_WORD = re.compile(_PEOPLE, re.I)
_ACTING = re.compile(
    rf"(?<!\bor )(?<!\bto )(?<!-)(?<!grade )(?<!stage )(?<!class )(?<!type )"
    rf"\b({NUMBER})\s+(received|got|were given|were treated|were randomi[sz]ed|underwent|"
    r"were enrolled|were included|were recruited|were assigned|took part)\b",
    re.I,
)
""""Twelve received ...", but not "grade 2 or 3 received" (a scale's value, not a count)."""
_DURATION = re.compile(rf"\b({NUMBER}|a|one)[- ](day|week|month|year)s?\b", re.I)
_STUDY_TIME = re.compile(
    r"\b(?:at|on|by|from|until|through|to)\s+(day|week|month|year)\s+(\d{1,3})\b", re.I
)
_FRACTION = re.compile(rf"\b({NUMBER})\s+(?:of|out of)\s+(?:the\s+)?({NUMBER})\b", re.I)
_SHARE = re.compile(rf"\b({NUMBER})\s+of\s+the\s+(?:{_PEOPLE})\b", re.I)
_PERCENT = re.compile(r"\b([0-9]{1,3}(?:\.[0-9]{1,3})?)\s?(?:%|per ?cent)", re.I)
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_DOSE = re.compile(
    r"\b([0-9]{1,4}(?:\.[0-9]{1,4})?)\s*(?:×|x|\*)\s*10\s*"
    r"(?:\^\s*([0-9]{1,2})\b|([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})(?![⁰¹²³⁴⁵⁶⁷⁸⁹])|<sup>([0-9]{1,2})</sup>)"
    r"|\b([0-9]{1,4}(?:\.[0-9]{1,4})?)\s+(million|billion)\b",
    re.I,
)
_LIST_BEFORE = re.compile(r"\d\s*(?:million|billion)?\s*(?:,|\bor|\band)\s*$", re.I)
_OF_CELLS = re.compile(r"^\s*(?:[\w'-]+\s+){0,5}?(?:cells?|MSCs?)\b", re.I)
"""A dose's cells, named after up to five words ("150 million autologous bone marrow
mononuclear cells")."""
_PER_KG = re.compile(r"^\s*(?:cells?\s*)?(?:per\s+kilogram|per\s+kg|/\s*kg)\b", re.I)
_ADMINISTRATIONS = re.compile(
    rf"\b({NUMBER}|single|a single|repeated)\s+(?:\w+\s+){{0,2}}?"
    r"(injections?|doses?|infusions?|administrations?|transplantations?|treatments?)\b"
    r"(?!\s+(?:levels?|groups?|cohorts?|a (?:day|week|month)|per (?:day|week|month)))",
    re.I,
)
_APART = re.compile(rf"\b({NUMBER})\s+(day|week|month)s?\s+apart\b", re.I)


@dataclass(frozen=True, slots=True)
class Found:
    """A value read from the text and the span that states it."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Count(Found):
    """A number of people or animals: ``six patients``."""

    value: int
    noun: str


@dataclass(frozen=True, slots=True)
class Duration(Found):
    """A length of time as ISO 8601: ``P6M``."""

    iso: str


@dataclass(frozen=True, slots=True)
class Dose(Found):
    """Cells per administration: value and unit (cells or cells/kg)."""

    value: float
    unit: str


@dataclass(frozen=True, slots=True)
class Fraction(Found):
    """``13 of 15`` (numerator and denominator) or ``13 of the patients`` (numerator only)."""

    numerator: int
    denominator: int | None


MAX_NUMBER = 1_000_000_000
"""Larger "counts" are identifiers or noise."""
MAX_MONTHS = 1_200
"""A hundred years: no follow-up, timepoint or interval is longer."""


def months(iso: str) -> float:
    """An ISO 8601 duration in months (30.44 days), to compare P12M with P1Y or P52W."""
    d = isodate.parse_duration(iso)
    days = float(getattr(d, "days", 0))
    return round(
        days / 30.44 + float(getattr(d, "months", 0)) + 12 * float(getattr(d, "years", 0)), 1
    )


def people_noun(word: str) -> bool:
    """Whether a word names those a count counts ("patients", "gerbils")."""
    return bool(_PEOPLE_WORD.fullmatch(word))


def number(text: str) -> int | None:
    """An integer written in digits or English words; None for anything else."""
    cleaned = text.strip().lower().replace(",", "")
    if cleaned in ("a", "one", "a single", "single"):
        return 1
    dozen = re.fullmatch(r"(a|two|three|four) dozen", cleaned)
    if dozen:
        return 12 * ("a", "two", "three", "four").index(dozen.group(1)) + 12
    if re.fullmatch(r"\d{1,10}", cleaned):
        value = int(cleaned)
    elif re.fullmatch(r"\d+", cleaned):
        return None  # a number this long is an identifier or noise, not a count
    else:
        try:
            value = int(text2num(cleaned.replace("-", " "), "en"))
        except ValueError:
            return None
    return value if value <= MAX_NUMBER else None


def counts(text: str, offset: int = 0) -> list[Count]:
    """``N <people>`` mentions (``eight patients``, ``6 patients with early-stage disease``)."""
    found = []
    pos = 0
    while m := _COUNT.search(text, pos):
        between = m.group(2).lower().split()
        if between[:1] in (["percent"], ["per"], ["pc"]):  # "50 percent of patients": a share
            pos = m.end()
            continue
        if any(number(w) is not None for w in between if w not in ("a", "one")):
            # "13 of 15 patients" is a fraction: skip it whole; "in 2020 enrolled eight
            # patients" holds a count further on: look again from the next word
            pos = m.end() if between[:1] == ["of"] else m.start(2)
            continue
        pos = m.end()
        value = number(m.group(1))
        if value is not None and "." not in m.group(1):
            found.append(Count(offset + m.start(), offset + m.end(), value, m.group(3).lower()))
    for m in _ACTING.finditer(text):  # "Twelve received ...", "the other twelve got ..."
        value = number(m.group(1))
        taken = any(c.start <= offset + m.start() < c.end for c in found)
        if value == 1:
            continue  # "one group received saline, one received the cells": a group
        if value is not None and "." not in m.group(1) and not taken:
            found.append(
                Count(
                    offset + m.start(), offset + m.start() + len(m.group(1)), value, "participants"
                )
            )
    return sorted(found, key=lambda c: c.start)


def durations(text: str, offset: int = 0) -> list[Duration]:
    """Lengths of time (``6 months``, ``one year``, ``12-month``, ``at week 24``) as ISO 8601
    durations."""
    found = []
    for m in _DURATION.finditer(text):
        value = number(m.group(1))
        if value:
            iso = f"P{value}{m.group(2).lower()[0].upper()}"
            if months(iso) <= MAX_MONTHS:
                found.append(Duration(offset + m.start(), offset + m.end(), iso))
    for m in _STUDY_TIME.finditer(text):  # "at week 24": 24 weeks into the study
        iso = f"P{int(m.group(2))}{m.group(1).lower()[0].upper()}"
        if int(m.group(2)) and months(iso) <= MAX_MONTHS:
            found.append(Duration(offset + m.start(1), offset + m.end(), iso))
    return sorted(found, key=lambda f: f.start)


def fractions(text: str, offset: int = 0) -> list[Fraction]:
    """``13 of 15`` and ``13 out of 15`` where the first is not larger than the second."""
    found = []
    for m in _FRACTION.finditer(text):
        num, den = number(m.group(1)), number(m.group(2))
        if num is not None and den and num <= den:
            found.append(Fraction(offset + m.start(), offset + m.end(), num, den))
    if not found:
        for m in _SHARE.finditer(text):
            num = number(m.group(1))
            if num is not None:
                found.append(Fraction(offset + m.start(), offset + m.end(), num, None))
    return found


def percents(text: str, offset: int = 0) -> list[tuple[float, int, int]]:
    """``87%``, ``87 percent`` as (value, start, end); none above 100."""
    found = [
        (float(m.group(1)), offset + m.start(), offset + m.end()) for m in _PERCENT.finditer(text)
    ]
    return [f for f in found if f[0] <= 100]


def doses(text: str, offset: int = 0) -> list[Dose]:
    """``1 × 10⁶ cells per kilogram``, ``1x10^6 cells/kg``, ``100 million cells``."""
    found = []
    for m in _DOSE.finditer(text):
        if m.group(1):
            exponent = m.group(2) or (m.group(3) or "").translate(_SUPERSCRIPT) or m.group(4)
            value = float(m.group(1)) * 10 ** int(exponent)
        else:
            value = float(m.group(5)) * (1e6 if m.group(6).lower() == "million" else 1e9)
        if _LIST_BEFORE.search(text[max(0, m.start() - 25) : m.start()]):
            continue  # one of several dose levels ("2, 5, 10 or 20 million cells")
        rest = text[m.end() : m.end() + 70]
        per_kg = _PER_KG.match(rest)
        if not per_kg and not _OF_CELLS.match(rest):
            continue
        if not 0 < value < 1e13:
            continue
        end = m.end() + (per_kg.end() if per_kg else 0)
        found.append(
            Dose(offset + m.start(), offset + end, value, "cells/kg" if per_kg else "cells")
        )
    return found


def schedule(text: str) -> tuple[int | None, str | None, tuple[int, int] | None]:
    """How many administrations and how far apart, and the span that says so."""
    count, interval, spans = None, None, []
    for m in _ADMINISTRATIONS.finditer(text):
        word = m.group(1).lower()
        value = None if word == "repeated" else number(word)
        if value and value < 20:
            count = value
            spans.append((m.start(), m.end()))
            break
    apart = _APART.search(text)
    if apart:
        value = number(apart.group(1))
        if value and value < 10_000:
            interval = f"P{value}{apart.group(2)[0].upper()}"
            spans.append((apart.start(), apart.end()))
    if not spans:
        return None, None, None
    return count, interval, (min(s for s, _ in spans), max(e for _, e in spans))
