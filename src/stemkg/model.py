"""The evidence model, v2: frozen, typed records shared by every stage (no I/O, no RDF).

A record file (curated YAML/JSON, or what ``extract`` drafts) is one ``Source`` and the
``Report``s it gives, one per study. Every value is an object that can carry its evidence
(quote and offsets, locator, method, confidence); in files a value may be written as a bare
scalar, which the validators wrap. Records are read strictly: ``participants: true`` or
``dose: {value: "1e6"}`` are errors, not conversions. Terms are resolved through the lexicon
passed in the validation context (``{"lexicon": Lexicon}``); a term no table knows is written
``{label: ..., unmapped: true}`` and kept as an unmapped term. A field the source does not
state is left out and may be named in ``not_stated``.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeAlias, TypeVar

import isodate
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from stemkg.lexicon import CURIE_FORM, Kind, Lexicon, UnknownTermError, normalise

__all__ = [
    "MAX_ARMS",
    "MAX_OUTCOMES",
    "SCHEMA_VERSION",
    "AgeRange",
    "Allocation",
    "Arm",
    "ArmField",
    "Choice",
    "Control",
    "Count",
    "Design",
    "Direction",
    "Donor",
    "Dose",
    "Duration",
    "EnrollmentType",
    "Evidence",
    "Exposure",
    "InterventionModel",
    "Masking",
    "MeasurePriority",
    "Modality",
    "Outcome",
    "OutcomeValue",
    "PartialDate",
    "Participants",
    "PlannedMeasure",
    "RecordFile",
    "Report",
    "ReportField",
    "Schedule",
    "Source",
    "SourceKind",
    "StudyRef",
    "StudyType",
    "Term",
    "Text",
    "Therapy",
    "TherapyField",
    "TrialStatus",
    "outcome_key",
    "record_json_schema",
]

SCHEMA_VERSION = 2
MAX_ARMS = 100
"""More arms than this are not one study's."""
MAX_OUTCOMES = 1_000


class SourceKind(StrEnum):
    """What kind of document a source is."""

    JOURNAL_ARTICLE = "journal_article"
    ABSTRACT = "abstract"
    REGISTRY_RECORD = "registry_record"
    NEWS = "news"
    PRESS_RELEASE = "press_release"
    BLOG = "blog"
    CLINIC_PAGE = "clinic_page"
    CURATED_RECORD = "curated_record"
    EXAMPLE = "example"

    @property
    def is_primary(self) -> bool:
        """A publication, registry record or curated record; the other kinds (news, press
        releases, blogs, clinic pages, examples) are author statements about a study."""
        return self in _PRIMARY_KINDS


_PRIMARY_KINDS = frozenset(
    {
        SourceKind.JOURNAL_ARTICLE,
        SourceKind.ABSTRACT,
        SourceKind.REGISTRY_RECORD,
        SourceKind.CURATED_RECORD,
    }
)


class StudyType(StrEnum):
    """What kind of study: with patients (assigned or observed), with animals, or in vitro."""

    INTERVENTIONAL = "interventional"
    OBSERVATIONAL = "observational"
    ANIMAL = "animal"
    IN_VITRO = "in_vitro"

    @property
    def is_preclinical(self) -> bool:
        """In vitro and animal work: no trial phase, no patients."""
        return self in (StudyType.IN_VITRO, StudyType.ANIMAL)


class Allocation(StrEnum):
    """How participants were assigned to arms."""

    RANDOMISED = "randomised"
    NON_RANDOMISED = "non_randomised"
    SINGLE_GROUP = "single_group"


class Masking(StrEnum):
    """Who was masked to the assignment (ClinicalTrials.gov counts the masked roles)."""

    OPEN_LABEL = "open_label"
    SINGLE = "single"
    DOUBLE = "double"
    TRIPLE = "triple"
    QUADRUPLE = "quadruple"


class InterventionModel(StrEnum):
    """How the arms relate over time."""

    SINGLE_GROUP = "single_group"
    PARALLEL = "parallel"
    CROSSOVER = "crossover"
    FACTORIAL = "factorial"
    SEQUENTIAL = "sequential"


class Control(StrEnum):
    """What the treated group was compared with."""

    NONE = "none"
    PLACEBO = "placebo"
    SHAM = "sham"
    STANDARD_OF_CARE = "standard_of_care"
    ACTIVE = "active"
    HISTORICAL = "historical"
    UNTREATED = "untreated"
    DOSE_COMPARISON = "dose_comparison"


class TrialStatus(StrEnum):
    """Overall recruitment status of a registered trial (ClinicalTrials.gov's values)."""

    NOT_YET_RECRUITING = "not_yet_recruiting"
    RECRUITING = "recruiting"
    ENROLLING_BY_INVITATION = "enrolling_by_invitation"
    ACTIVE_NOT_RECRUITING = "active_not_recruiting"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"


class EnrollmentType(StrEnum):
    """Whether an enrolment figure is the count reached or the count planned."""

    ACTUAL = "actual"
    ANTICIPATED = "anticipated"


class MeasurePriority(StrEnum):
    """Where a planned measure stands in the protocol."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    OTHER = "other"


class Donor(StrEnum):
    """Whose cells were given."""

    AUTOLOGOUS = "autologous"
    ALLOGENEIC = "allogeneic"


class Exposure(StrEnum):
    """How cells act on their targets in vitro (instead of a route of administration)."""

    CO_CULTURE = "co_culture"
    CONDITIONED_MEDIUM = "conditioned_medium"
    DIRECT_CONTACT = "direct_contact"


class Direction(StrEnum):
    """Which way an outcome went."""

    IMPROVED = "improved"
    WORSENED = "worsened"
    NO_CHANGE = "no_change"
    SLOWED = "slowed"
    NOT_ACCELERATED = "not_accelerated"
    REDUCED = "reduced"
    INCREASED = "increased"
    NO_SERIOUS_ADVERSE_EVENTS = "no_serious_adverse_events"
    NO_TREATMENT_RELATED_ADVERSE_EVENTS = "no_treatment_related_adverse_events"
    MILD_ADVERSE_EVENTS = "mild_adverse_events"


class Modality(StrEnum):
    """Whether the source asserts, denies or hedges a finding."""

    ASSERTED = "asserted"
    NEGATED = "negated"
    HEDGED = "hedged"


class ReportField(StrEnum):
    """Fields of a report that may be marked as not stated by the source."""

    CONDITIONS = "conditions"
    PHASE = "phase"
    SPECIES = "species"
    ENROLLED = "enrolled"
    TREATED = "treated"
    FOLLOW_UP = "follow_up"
    ALLOCATION = "allocation"
    MASKING = "masking"
    INTERVENTION_MODEL = "intervention_model"
    CONTROL = "control"


class ArmField(StrEnum):
    """Fields of an arm that may be marked as not stated."""

    PARTICIPANTS = "participants"
    PHASE = "phase"


class TherapyField(StrEnum):
    """Fields of a therapy that may be marked as not stated."""

    CELL_TYPE = "cell_type"
    SOURCE_TISSUE = "source_tissue"
    DONOR = "donor"
    ROUTES = "routes"
    EXPOSURE = "exposure"
    DOSE = "dose"
    SCHEDULE = "schedule"


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_enum_values=False, str_max_length=20_000, strict=True
    )


class Evidence(_Frozen):
    """What supports a value: a quote with offsets (text), a locator (curated), how, how sure."""

    quote: str | None = None
    start: NonNegativeInt | None = None
    end: NonNegativeInt | None = None
    locator: str | None = Field(None, description="page, section or table the value came from")
    method: str | None = Field(None, description="what produced the value, e.g. lexicon-match")
    confidence: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _span_in_order(self) -> Evidence:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


_EVIDENCE_PROPS: dict[str, Any] = Evidence.model_json_schema()["properties"]


def _value_schema(scalar: dict[str, Any], key: str = "value") -> dict[str, Any]:
    """JSON Schema of a value written bare or as a mapping with evidence."""
    obj = {
        "type": "object",
        "properties": {key: scalar, **_EVIDENCE_PROPS},
        "required": [key],
        "additionalProperties": False,
    }
    return {"anyOf": [scalar, obj]}


def _wrap(value: Any) -> Any:
    """A bare scalar becomes ``{"value": scalar}``."""
    return value if isinstance(value, dict | BaseModel) else {"value": value}


class Count(Evidence):
    """A non-negative whole number (participants, administrations)."""

    value: NonNegativeInt


class Text(Evidence):
    """Free text stated by the source (a product name, a modification)."""

    value: Annotated[str, Field(min_length=1)]


_DURATION = re.compile(
    r"^P(?=[0-9T])(?:[0-9]{1,4}Y)?(?:[0-9]{1,5}M)?(?:[0-9]{1,5}W)?(?:[0-9]{1,6}D)?"
    r"(?:T(?=[0-9])(?:[0-9]{1,6}H)?(?:[0-9]{1,6}M)?(?:[0-9]{1,6}S)?)?$"
)


def _iso_duration(text: str) -> str:
    """An ISO 8601 duration of whole units (P6M, P26D, P1Y6M, PT12H), as xsd:duration types it."""
    if not _DURATION.match(text):
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P6M or P26D")
    try:
        isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError, OverflowError) as exc:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P6M or P26D") from exc
    return text


IsoDuration = Annotated[str, AfterValidator(_iso_duration)]

_PARTIAL_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


def _date_text(value: Any) -> Any:
    """YAML reads ``2016-03-01`` as a date; the model keeps dates as ISO text."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else value


def _partial_date(text: str) -> str:
    """A calendar date, or a month or year where the source gives no more (2015, 2015-03)."""
    match = _PARTIAL_DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date such as 2015, 2015-03 or 2015-03-31")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year or 0, month or 1, day or 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a date that exists") from None
    return text


PartialDate = Annotated[str, BeforeValidator(_date_text), AfterValidator(_partial_date)]


class Duration(Evidence):
    """A length of time as an ISO 8601 duration (P6M, P12M, P26D)."""

    value: IsoDuration


class Date(Evidence):
    """A date as ISO text: a day, a month or a year."""

    value: PartialDate


E = TypeVar("E", bound=StrEnum)


class Choice(Evidence, Generic[E]):
    """A value from a closed vocabulary, with its evidence."""

    value: E

    @model_validator(mode="before")
    @classmethod
    def _member(cls, data: Any) -> Any:
        """Names in files become members (strict mode takes no strings for enums)."""
        enum = cls.model_fields["value"].annotation
        if not (isinstance(data, dict) and isinstance(enum, type) and issubclass(enum, StrEnum)):
            return data
        value = data.get("value")
        if isinstance(value, str) and not isinstance(value, StrEnum):
            allowed = [m.value for m in enum]
            if value not in allowed:
                raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
            return {**data, "value": enum(value)}
        return data


class Term(Evidence):
    """An ontology term (CURIE and label, resolved through the lexicon), or an unmapped term:
    a value no shipped table knows, kept with its label (``id`` is then ``None``)."""

    id: str | None = None
    label: Annotated[str, Field(min_length=1, max_length=300)]
    unmapped: bool = False

    @model_validator(mode="after")
    def _mapped_or_not(self) -> Term:
        if self.unmapped == (self.id is not None):
            raise ValueError("a term has a CURIE, or is unmapped with a label, not both")
        return self

    @property
    def key(self) -> str:
        """What identifies the term: its CURIE, else ``unmapped:<normalised label>``."""
        return self.id if self.id is not None else f"unmapped:{normalise(self.label)}"


_NO_UNMAPPED = frozenset({Kind.PHASE})
"""Kinds that must name a shipped term: trial phases are a closed NCIT list."""


def _term_kind(kind: Kind) -> str:
    return kind.value.replace("_", " ")


def _resolve_mapping(value: dict[str, Any], kind: Kind, lexicon: Lexicon) -> dict[str, Any]:
    """An explicit term mapping: ``{id: CURIE}``, ``{label: name}`` or ``{label, unmapped}``."""
    if value.get("unmapped") is True:
        if kind in _NO_UNMAPPED:
            raise ValueError(
                f"a {_term_kind(kind)} must be a CURIE or lexicon name; unmapped terms are "
                f"not allowed here"
            )
        if value.get("id") is not None:
            raise ValueError("an unmapped term has a label and no id")
        label = value.get("label")
        if not isinstance(label, str) or not label.strip():
            raise ValueError("an unmapped term needs its label")
        try:  # the table may have grown since the record was written
            entry = lexicon.resolve(kind, label)
        except UnknownTermError:
            return {**value, "label": " ".join(label.split())}
        return {**value, "id": entry.id, "label": entry.label, "unmapped": False}
    name = value.get("id") or value.get("label")
    if not isinstance(name, str):
        raise ValueError("a term needs an id (CURIE) or a label")
    try:
        entry = lexicon.resolve(kind, name)
    except UnknownTermError as exc:
        hint = "" if kind in _NO_UNMAPPED or CURIE_FORM.match(name.strip()) else _UNMAPPED_HINT
        raise ValueError(f"{exc}{hint}") from None
    return {**value, "id": entry.id, "label": entry.label}


_UNMAPPED_HINT = "; if no term fits, write it as {label: ..., unmapped: true}"


def _term(kind: Kind) -> Any:
    def resolve(value: Any, info: ValidationInfo) -> Any:
        lexicon: Lexicon | None = (info.context or {}).get("lexicon")
        if isinstance(value, Term):
            return value
        if isinstance(value, str):
            value = {"id": value}
        if not isinstance(value, dict):
            raise ValueError(f"a {_term_kind(kind)} is a CURIE or a lexicon name")
        if lexicon is None:
            return value
        return _resolve_mapping(value, kind, lexicon)

    return BeforeValidator(resolve)


_NAME_FORM = r"^\S(?:.*\S)?$"


def _term_schema(kind: Kind) -> WithJsonSchema:
    """A term is a CURIE or a name (checked against the term index when the record loads, so
    the schema does not list the names), or a mapping with evidence."""
    scalar = {
        "type": "string",
        "pattern": _NAME_FORM,
        "maxLength": 300,
        "description": f"CURIE or lexicon name of a {_term_kind(kind)}",
    }
    obj: dict[str, Any] = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": CURIE_FORM.pattern},
            "label": {"type": "string", "pattern": _NAME_FORM, "maxLength": 300},
            **_EVIDENCE_PROPS,
        },
        "anyOf": [{"required": ["id"]}, {"required": ["label"]}],
        "additionalProperties": False,
    }
    if kind not in _NO_UNMAPPED:
        obj["properties"]["unmapped"] = {
            "type": "boolean",
            "description": "true: no shipped term fits; the label is kept as an unmapped term",
        }
    return WithJsonSchema({"anyOf": [scalar, obj], "x-stemkg-kind": kind.value})


CellType: TypeAlias = Annotated[Term, _term(Kind.CELL_TYPE), _term_schema(Kind.CELL_TYPE)]
Tissue: TypeAlias = Annotated[Term, _term(Kind.TISSUE), _term_schema(Kind.TISSUE)]
Condition: TypeAlias = Annotated[Term, _term(Kind.CONDITION), _term_schema(Kind.CONDITION)]
Route: TypeAlias = Annotated[Term, _term(Kind.ROUTE), _term_schema(Kind.ROUTE)]
Phase: TypeAlias = Annotated[Term, _term(Kind.PHASE), _term_schema(Kind.PHASE)]
Species: TypeAlias = Annotated[Term, _term(Kind.SPECIES), _term_schema(Kind.SPECIES)]
Measure: TypeAlias = Annotated[Term, _term(Kind.MEASURE), _term_schema(Kind.MEASURE)]

_WRAP = BeforeValidator(_wrap)


def _scalar_schema(scalar: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema(_value_schema(scalar))


def _enum_schema(enum: type[StrEnum]) -> WithJsonSchema:
    return _scalar_schema({"type": "string", "enum": [m.value for m in enum]})


def _enum_list(enum: type[StrEnum]) -> Any:
    """A list of closed-vocabulary names (``not_stated: [routes, dose]``)."""

    def members(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        allowed = [m.value for m in enum]
        bad = [v for v in value if v not in allowed]
        if bad:
            raise ValueError(f"{bad[0]!r} is not one of {', '.join(allowed)}")
        return [enum(v) for v in value]

    schema = {"type": "array", "items": {"type": "string", "enum": [m.value for m in enum]}}
    return Annotated[
        list[enum],  # type: ignore[valid-type]
        BeforeValidator(members),
        WithJsonSchema(schema),
        Field(description="fields the source does not state"),
    ]


CountField: TypeAlias = Annotated[Count, _WRAP, _scalar_schema({"type": "integer", "minimum": 0})]
TextField: TypeAlias = Annotated[Text, _WRAP, _scalar_schema({"type": "string", "minLength": 1})]
DurationField: TypeAlias = Annotated[
    Duration, _WRAP, _scalar_schema({"type": "string", "description": "ISO 8601 duration"})
]
DateField: TypeAlias = Annotated[
    Date,
    _WRAP,
    _scalar_schema({"type": "string", "pattern": _PARTIAL_DATE.pattern, "description": "date"}),
]
StudyTypeField: TypeAlias = Annotated[Choice[StudyType], _WRAP, _enum_schema(StudyType)]
AllocationField: TypeAlias = Annotated[Choice[Allocation], _WRAP, _enum_schema(Allocation)]
MaskingField: TypeAlias = Annotated[Choice[Masking], _WRAP, _enum_schema(Masking)]
ModelField: TypeAlias = Annotated[Choice[InterventionModel], _WRAP, _enum_schema(InterventionModel)]
ControlField: TypeAlias = Annotated[Choice[Control], _WRAP, _enum_schema(Control)]
StatusField: TypeAlias = Annotated[Choice[TrialStatus], _WRAP, _enum_schema(TrialStatus)]
EnrollmentField: TypeAlias = Annotated[Choice[EnrollmentType], _WRAP, _enum_schema(EnrollmentType)]
PriorityField: TypeAlias = Annotated[Choice[MeasurePriority], _WRAP, _enum_schema(MeasurePriority)]
DonorField: TypeAlias = Annotated[Choice[Donor], _WRAP, _enum_schema(Donor)]
ExposureField: TypeAlias = Annotated[Choice[Exposure], _WRAP, _enum_schema(Exposure)]
DirectionField: TypeAlias = Annotated[Choice[Direction], _WRAP, _enum_schema(Direction)]
ModalityField: TypeAlias = Annotated[Choice[Modality], _WRAP, _enum_schema(Modality)]


def _not_both(obj: BaseModel, fields: list[StrEnum]) -> None:
    """A field is stated or marked not stated, never both."""
    for name in fields:
        value = getattr(obj, name.value, None)
        if value is not None and value != []:
            raise ValueError(f"{name.value} is given and also marked not stated")


class Design(_Frozen):
    """A study's design on the axes a registry keeps apart."""

    study_type: StudyTypeField
    allocation: AllocationField | None = None
    masking: MaskingField | None = None
    intervention_model: ModelField | None = None
    control: ControlField | None = None


class Participants(_Frozen):
    """How many people (or animals) were enrolled and how many treated."""

    enrolled: CountField | None = None
    treated: CountField | None = None
    enrollment_type: EnrollmentField | None = Field(
        None, description="actual (reached) or anticipated (planned) enrolment"
    )


class AgeRange(_Frozen):
    """Youngest and oldest participant age, in years."""

    min: CountField | None = None
    max: CountField | None = None


class Dose(Evidence):
    """Amount of cells per administration, e.g. 1e6 cells/kg."""

    value: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    unit: Annotated[str, Field(min_length=1)]


class Schedule(Evidence):
    """How often cells were given: count, interval and the source's own words."""

    administrations: PositiveInt | None = None
    interval: IsoDuration | None = None
    text: str | None = None


class OutcomeValue(Evidence):
    """A figure: numerator of denominator and/or a percentage (13 of 15 = 87%)."""

    numerator: NonNegativeInt | None = None
    denominator: PositiveInt | None = None
    percent: Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _fraction(self) -> OutcomeValue:
        n, d = self.numerator, self.denominator
        if n is not None and d is not None and n > d:
            raise ValueError(f"numerator {n} is larger than denominator {d}")
        return self


class Locator(_Frozen):
    """A default locator for every value of the object it sits on."""

    locator: str


_NCT = r"^NCT[0-9]{8}$"
NctId: TypeAlias = Annotated[str, Field(pattern=_NCT)]


def _listify(value: Any) -> Any:
    """One registry id or several; files write lists, the model keeps tuples."""
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, list) else value


NctIds: TypeAlias = Annotated[
    tuple[NctId, ...],
    BeforeValidator(_listify),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _NCT},
                {"type": "array", "items": {"pattern": _NCT}},
            ]
        }
    ),
]
_PMID = r"^[0-9]{1,9}$"
_DOI = r"^10\.[0-9]{4,9}/\S+$"


class StudyRef(_Frozen):
    """How a report names its study; the linking rule turns this into one study node."""

    title: str | None = None
    nct: NctIds = Field(
        default=(), description="registry ids; a report listing several pools them into one study"
    )
    stage: str | None = Field(None, description="stage of a registered trial with several")
    pmid: Annotated[str, Field(pattern=_PMID)] | None = None
    doi: Annotated[str, Field(pattern=_DOI)] | None = None
    key: str | None = Field(None, description="documented key when there is no identifier")


class Therapy(_Frozen):
    """What an arm received: the cells, where from, how modified, how and how much given."""

    name: TextField | None = None
    cell_type: CellType | None = None
    source_tissue: Tissue | None = None
    donor: DonorField | None = None
    modification: TextField | None = None
    routes: list[Route] = Field(default_factory=list)
    exposure: ExposureField | None = None
    dose: Dose | None = None
    schedule: Schedule | None = None
    not_stated: _enum_list(TherapyField) = Field(default_factory=list)  # type: ignore[valid-type]
    evidence: Locator | None = None

    @model_validator(mode="after")
    def _stated_or_not(self) -> Therapy:
        _not_both(self, self.not_stated)
        return self


class Arm(_Frozen):
    """One group of a study and the therapy it received."""

    label: Annotated[str, Field(min_length=1)]
    comparator: bool = Field(False, description="a control arm (placebo, sham, standard care)")
    participants: CountField | None = None
    phase: Phase | None = None
    therapy: Therapy = Field(default_factory=Therapy)
    not_stated: _enum_list(ArmField) = Field(default_factory=list)  # type: ignore[valid-type]
    evidence: Locator | None = None

    @model_validator(mode="after")
    def _stated_or_not(self) -> Arm:
        _not_both(self, self.not_stated)
        return self


class Outcome(_Frozen):
    """A finding: what was measured, which way it went, the figure, and how firmly it is said.

    A figure without a direction is kept as it is. Its identity (``outcome_key``) is its
    measure, the arms it names, its timepoint and figures, so a corrected direction keeps the
    outcome's IRI; ``key`` tells apart two outcomes that would otherwise be one."""

    measure: Measure
    direction: DirectionField | None = None
    value: OutcomeValue | None = None
    timepoint: DurationField | None = None
    modality: ModalityField = Field(
        default_factory=lambda: Choice[Modality](value=Modality.ASSERTED)
    )
    arms: list[str] = Field(default_factory=list, description="labels of the arms it covers")
    description: str | None = None
    key: str | None = Field(None, description="tells apart outcomes that share every figure")
    evidence: Locator | None = None


def outcome_key(outcome: Outcome) -> str:
    """What identifies an outcome within its report (its IRI is minted from this)."""
    v = outcome.value
    figures = (v.numerator, v.denominator, v.percent) if v else (None, None, None)
    parts = [
        outcome.measure.key,
        "|".join(sorted(outcome.arms)),
        outcome.timepoint.value if outcome.timepoint else "",
        *("" if x is None else str(x) for x in figures),
        outcome.key or "",
    ]
    return "\t".join(parts)


class PlannedMeasure(_Frozen):
    """A registered trial's planned primary or secondary outcome measure (not a result)."""

    title: TextField
    priority: PriorityField
    time_frame: TextField | None = Field(None, description="as registered, e.g. '12 months'")
    measure: Measure | None = Field(None, description="the measure's term, where one is known")
    description: str | None = None
    evidence: Locator | None = None


class Report(_Frozen):
    """What one source says about one study."""

    study: StudyRef = Field(default_factory=StudyRef)
    design: Design
    phase: Phase | None = None
    species: Species | None = None
    conditions: list[Condition] = Field(
        default_factory=list, description="one or more; the first is the primary condition"
    )
    participants: Participants | None = None
    age_range: AgeRange | None = None
    follow_up: DurationField | None = None
    status: StatusField | None = None
    start_date: DateField | None = None
    completion_date: DateField | None = None
    sponsor: TextField | None = None
    target_cells: list[CellType] = Field(default_factory=list)
    arms: list[Arm] = Field(default_factory=list, max_length=MAX_ARMS)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=MAX_OUTCOMES)
    planned_measures: list[PlannedMeasure] = Field(default_factory=list, max_length=MAX_OUTCOMES)
    not_stated: _enum_list(ReportField) = Field(default_factory=list)  # type: ignore[valid-type]
    evidence: Locator | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Report:
        self._check_stated()
        labels = {arm.label for arm in self.arms}
        if len(labels) < len(self.arms):
            seen = [arm.label for arm in self.arms]
            dupes = sorted({x for x in seen if seen.count(x) > 1})
            raise ValueError(f"arm labels repeat: {', '.join(dupes)}")
        for n, outcome in enumerate(self.outcomes):
            unknown = [a for a in outcome.arms if a not in labels]
            if unknown:
                raise ValueError(f"outcomes[{n}] names unknown arms: {', '.join(unknown)}")
        self._check_outcomes_differ()
        return self

    def _check_stated(self) -> None:
        if not self.conditions and ReportField.CONDITIONS not in self.not_stated:
            raise ValueError("a report needs a condition, or not_stated: [conditions]")
        where = {
            ReportField.ENROLLED: self.participants and self.participants.enrolled,
            ReportField.TREATED: self.participants and self.participants.treated,
            **{f: getattr(self.design, f.value) for f in _DESIGN_AXES},
        }
        for name in self.not_stated:
            value = where[name] if name in where else getattr(self, name.value)
            if value:
                raise ValueError(f"{name.value} is given and also marked not stated")

    def _check_outcomes_differ(self) -> None:
        """Outcomes that hash alike are one: a repeat of the same outcome is harmless (it maps
        to the same triples), two that differ under one identity are an error."""
        seen: dict[str, int] = {}
        for n, outcome in enumerate(self.outcomes):
            key = outcome_key(outcome)
            if key in seen and self.outcomes[seen[key]] != outcome:
                raise ValueError(
                    f"outcomes[{n}] has the measure, arms, timepoint and figures of "
                    f"outcomes[{seen[key]}], so the two are one outcome; merge them, or give "
                    f"one a key"
                )
            seen[key] = n


_DESIGN_AXES = (
    ReportField.ALLOCATION,
    ReportField.MASKING,
    ReportField.INTERVENTION_MODEL,
    ReportField.CONTROL,
)


class Source(_Frozen):
    """The document the reports come from."""

    kind: Annotated[SourceKind, Field(strict=False)]
    title: Annotated[str, Field(min_length=1)]
    key: str | None = Field(
        None, description="documented key, where two sources would otherwise share one"
    )
    citation: str | None = None
    venue: str | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    date: Annotated[PartialDate | None, Field(description="publication date, ISO 8601")] = None
    pmid: Annotated[str, Field(pattern=_PMID)] | None = None
    doi: Annotated[str, Field(pattern=_DOI)] | None = None
    nct: NctIds = ()
    url: str | None = None
    curator: str | None = None
    checked_against: str | None = None
    retracted: bool = Field(False, description="the publication has been retracted")


class RecordFile(_Frozen):
    """A curated or drafted record file: one source and its study reports."""

    schema_version: Literal[2]
    source: Source
    reports: list[Report] = Field(default_factory=list)

    @model_validator(mode="after")
    def _registry_ids_agree(self) -> RecordFile:
        """A report cannot name a registry id its own source contradicts."""
        if not self.source.nct:
            return self
        for n, report in enumerate(self.reports):
            extra = [nct for nct in report.study.nct if nct not in self.source.nct]
            if extra:
                raise ValueError(
                    f"reports[{n}].study.nct: {extra[0]} is not among the source's registry "
                    f"ids ({', '.join(self.source.nct)})"
                )
        return self


def record_json_schema() -> dict[str, Any]:
    """JSON Schema of a record file (term names are checked on load, not listed here)."""
    schema = RecordFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://w3id.org/stemkg/record.schema.json",
        **schema,
    }
