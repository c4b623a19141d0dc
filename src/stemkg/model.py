"""The evidence model: frozen, typed records shared by every stage (no I/O, no RDF).

A record file (curated YAML/JSON, or what ``extract`` drafts) is one ``Source`` and the
``Report``s it gives, one per study. Every value is an object that can carry its evidence
(quote and offsets, locator, method, confidence); in files a value may be written as a bare
scalar, which the validators wrap. Terms are resolved through the lexicon passed in the
validation context (``{"lexicon": Lexicon}``).
"""

from __future__ import annotations

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

from stemkg.lexicon import Kind, Lexicon, UnknownTermError

__all__ = [
    "MAX_ARMS",
    "MAX_OUTCOMES",
    "SCHEMA_VERSION",
    "AgeRange",
    "Arm",
    "Blinding",
    "Choice",
    "Control",
    "Count",
    "Design",
    "Direction",
    "Donor",
    "Dose",
    "Duration",
    "Evidence",
    "Exposure",
    "Modality",
    "Outcome",
    "OutcomeValue",
    "Participants",
    "RecordFile",
    "Report",
    "Schedule",
    "Source",
    "SourceKind",
    "StudyRef",
    "Term",
    "Text",
    "Therapy",
    "record_json_schema",
]

SCHEMA_VERSION = 1
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


class Design(StrEnum):
    """Study design, from bench to randomised trial."""

    IN_VITRO = "in_vitro"
    ANIMAL = "animal"
    CASE_REPORT = "case_report"
    CASE_SERIES = "case_series"
    OPEN_LABEL = "open_label"
    NON_RANDOMISED_CONTROLLED = "non_randomised_controlled"
    RANDOMISED_CONTROLLED = "randomised_controlled"
    OBSERVATIONAL = "observational"

    @property
    def is_preclinical(self) -> bool:
        """In vitro and animal work: no trial phase, no patients."""
        return self in (Design.IN_VITRO, Design.ANIMAL)


class Blinding(StrEnum):
    """Who was masked to the assignment."""

    OPEN = "open"
    SINGLE = "single"
    DOUBLE = "double"
    TRIPLE = "triple"


class Control(StrEnum):
    """What the treated group was compared with."""

    NONE = "none"
    PLACEBO = "placebo"
    SHAM = "sham"
    STANDARD_OF_CARE = "standard_of_care"
    HISTORICAL = "historical"
    UNTREATED = "untreated"
    DOSE_COMPARISON = "dose_comparison"


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


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_enum_values=False, str_max_length=20_000
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


class Duration(Evidence):
    """A length of time as an ISO 8601 duration (P6M, P12M, P26D)."""

    value: IsoDuration


E = TypeVar("E", bound=StrEnum)


class Choice(Evidence, Generic[E]):
    """A value from a closed vocabulary, with its evidence."""

    value: E


class Term(Evidence):
    """An ontology term: CURIE and label, resolved through the lexicon."""

    id: str
    label: str


def _term(kind: Kind) -> Any:
    def resolve(value: Any, info: ValidationInfo) -> Any:
        lexicon: Lexicon | None = (info.context or {}).get("lexicon")
        if isinstance(value, Term):
            return value
        if isinstance(value, str):
            value = {"id": value}
        if not isinstance(value, dict):
            raise ValueError(f"a {kind.value.replace('_', ' ')} is a CURIE or a lexicon name")
        if lexicon is None:
            return value
        name = value.get("id") or value.get("label")
        if not isinstance(name, str):
            raise ValueError("a term needs an id (CURIE) or a label")
        try:
            entry = lexicon.resolve(kind, name)
        except UnknownTermError as exc:
            raise ValueError(str(exc)) from None
        return {**value, "id": entry.id, "label": entry.label}

    return BeforeValidator(resolve)


def _term_schema(kind: Kind) -> WithJsonSchema:
    scalar = {"type": "string", "description": f"CURIE or lexicon name of a {kind.value}"}
    schema = _value_schema(scalar, key="id")
    obj = schema["anyOf"][1]
    obj["properties"]["label"] = {"type": "string"}
    obj["x-stemkg-kind"] = kind.value
    schema["x-stemkg-kind"] = kind.value
    return WithJsonSchema(schema)


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


CountField: TypeAlias = Annotated[Count, _WRAP, _scalar_schema({"type": "integer", "minimum": 0})]
TextField: TypeAlias = Annotated[Text, _WRAP, _scalar_schema({"type": "string", "minLength": 1})]
DurationField: TypeAlias = Annotated[
    Duration, _WRAP, _scalar_schema({"type": "string", "description": "ISO 8601 duration"})
]
DesignField: TypeAlias = Annotated[Choice[Design], _WRAP, _enum_schema(Design)]
BlindingField: TypeAlias = Annotated[Choice[Blinding], _WRAP, _enum_schema(Blinding)]
ControlField: TypeAlias = Annotated[Choice[Control], _WRAP, _enum_schema(Control)]
DonorField: TypeAlias = Annotated[Choice[Donor], _WRAP, _enum_schema(Donor)]
ExposureField: TypeAlias = Annotated[Choice[Exposure], _WRAP, _enum_schema(Exposure)]
DirectionField: TypeAlias = Annotated[Choice[Direction], _WRAP, _enum_schema(Direction)]
ModalityField: TypeAlias = Annotated[Choice[Modality], _WRAP, _enum_schema(Modality)]


class Participants(_Frozen):
    """How many people (or animals) were enrolled and how many treated."""

    enrolled: CountField | None = None
    treated: CountField | None = None


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
    return [value] if isinstance(value, str) else value


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
    nct: NctIds = Field(default=(), description="registry ids; the first one keys the study")
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
    evidence: Locator | None = None


class Arm(_Frozen):
    """One group of a study and the therapy it received."""

    label: Annotated[str, Field(min_length=1)]
    comparator: bool = Field(False, description="a control arm (placebo, sham, standard care)")
    participants: CountField | None = None
    phase: Phase | None = None
    therapy: Therapy = Field(default_factory=Therapy)
    evidence: Locator | None = None


class Outcome(_Frozen):
    """A finding: what was measured, which way it went, the figure, and how firmly it is said."""

    measure: Measure
    direction: DirectionField | None = None
    value: OutcomeValue | None = None
    timepoint: DurationField | None = None
    modality: ModalityField = Field(
        default_factory=lambda: Choice[Modality](value=Modality.ASSERTED)
    )
    arms: list[str] = Field(default_factory=list, description="labels of the arms it covers")
    description: str | None = None
    evidence: Locator | None = None


class Report(_Frozen):
    """What one source says about one study."""

    study: StudyRef = Field(default_factory=StudyRef)
    design: DesignField
    phase: Phase | None = None
    species: Species | None = None
    blinding: BlindingField | None = None
    control: ControlField | None = None
    condition: Condition
    participants: Participants | None = None
    age_range: AgeRange | None = None
    follow_up: DurationField | None = None
    target_cells: list[CellType] = Field(default_factory=list)
    arms: list[Arm] = Field(default_factory=list, max_length=MAX_ARMS)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=MAX_OUTCOMES)
    evidence: Locator | None = None

    @model_validator(mode="after")
    def _arms_consistent(self) -> Report:
        labels = {arm.label for arm in self.arms}
        if len(labels) < len(self.arms):
            seen = [arm.label for arm in self.arms]
            dupes = sorted({x for x in seen if seen.count(x) > 1})
            raise ValueError(f"arm labels repeat: {', '.join(dupes)}")
        for outcome in self.outcomes:
            unknown = [a for a in outcome.arms if a not in labels]
            if unknown:
                raise ValueError(f"outcome names unknown arms: {', '.join(unknown)}")
        return self


class Source(_Frozen):
    """The document the reports come from."""

    kind: SourceKind
    title: Annotated[str, Field(min_length=1)]
    citation: str | None = None
    venue: str | None = None
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    date: str | None = Field(None, description="publication date, ISO 8601")
    pmid: Annotated[str, Field(pattern=_PMID)] | None = None
    doi: Annotated[str, Field(pattern=_DOI)] | None = None
    nct: NctIds = ()
    url: str | None = None
    curator: str | None = None
    checked_against: str | None = None


class RecordFile(_Frozen):
    """A curated or drafted record file: one source and its study reports."""

    schema_version: Literal[1]
    source: Source
    reports: list[Report] = Field(default_factory=list)


def _add_term_enums(node: Any, lexicon: Lexicon) -> None:
    if isinstance(node, dict):
        kind = node.get("x-stemkg-kind")
        if kind and "anyOf" in node:
            names = {name for e in lexicon.of_kind(Kind(kind)) for name in (e.id, *e.names())}
            names |= {name.casefold() for name in names}  # matching ignores case
            node["anyOf"][0]["enum"] = sorted(names)
        for value in node.values():
            _add_term_enums(value, lexicon)
    elif isinstance(node, list):
        for item in node:
            _add_term_enums(item, lexicon)


def record_json_schema(lexicon: Lexicon | None = None) -> dict[str, Any]:
    """JSON Schema of a record file; with a lexicon, term fields list every accepted name."""
    schema = RecordFile.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://w3id.org/stemkg/record.schema.json",
        **schema,
    }
    if lexicon is not None:
        _add_term_enums(schema, lexicon)
    return schema
