"""The typed drafts that assembly builds: each value with the evidence that states it, in the
shape of the curated-record format, so ``RecordFile.model_validate`` reads them unchanged.

They are TypedDicts rather than the model's classes because a draft is built up field by
field (an arm gets its participants, then its routes, then the therapy shared by all arms);
the model validates the whole once assembly is done.
"""

from __future__ import annotations

from typing import Any, NotRequired, Required, TypedDict


class Evidence(TypedDict):
    """Where the text says it: the quote, its offsets, the rule that read it, how sure."""

    quote: str
    start: int
    end: int
    method: str
    confidence: float


class Value(Evidence):
    """A scalar (a count, a closed-vocabulary value, a duration, a name) with its evidence."""

    value: Any


class Term(Evidence):
    """A term by its identifier, or by its words where no table knows it (``unmapped``)."""

    id: NotRequired[str]
    label: NotRequired[str]
    unmapped: NotRequired[bool]


class Schedule(Evidence):
    text: str
    administrations: NotRequired[int]
    interval: NotRequired[str]


class Dose(Evidence):
    value: float
    unit: str


class Therapy(TypedDict, total=False):
    """What an arm was given; fields the text does not state are left out or named in
    ``not_stated``."""

    cell_type: Term
    source_tissue: Term
    donor: Value
    name: Value
    modification: Value
    dose: Dose
    schedule: Schedule
    routes: list[Term]
    exposure: Value
    not_stated: list[str]


class Arm(TypedDict):
    label: str
    therapy: NotRequired[Therapy]
    participants: NotRequired[Value]
    comparator: NotRequired[bool]
    phase: NotRequired[Term]


class Participants(TypedDict, total=False):
    enrolled: Value
    treated: Value


class Figures(TypedDict, total=False):
    """An outcome's figures: a fraction, a percentage, and where they are said."""

    numerator: int
    denominator: int
    percent: float
    quote: str
    start: int
    end: int
    method: str
    confidence: float


class Outcome(TypedDict):
    measure: Term
    modality: Value
    direction: NotRequired[Value]
    value: NotRequired[Figures]
    timepoint: NotRequired[Value]
    arms: NotRequired[list[str]]
    description: NotRequired[str]
    key: NotRequired[str]


Axes = dict[str, Value]
"""A report's design: one value per axis (study_type, allocation, masking, control, ...)."""


class Details(TypedDict, total=False):
    """A report's optional fields, before the design ones move onto the design's axes."""

    phase: Term
    blinding: Value
    control: Value
    allocation: Value
    model: Value
    age_range: dict[str, Value]
    follow_up: Value
    target_cells: list[Term]


class StudyRef(TypedDict):
    """How a report names its study: a title, and the identifiers the text gives."""

    title: str
    nct: NotRequired[list[str]]
    pmid: NotRequired[str]
    doi: NotRequired[str]


class Report(Details, total=False):
    """One study's report: the design on its axes, what was studied, arms and outcomes."""

    study: Required[StudyRef]
    design: Required[Axes]
    conditions: list[Term]
    not_stated: list[str]
    species: Term
    participants: Participants
    arms: Required[list[Arm]]
    outcomes: Required[list[Outcome]]
