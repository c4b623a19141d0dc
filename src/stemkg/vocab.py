"""Our vocabulary's terms in one place, the enum → IRI table, and the lexicon loader.

Every class and property the mapping uses is a constant here; a test checks that each is
declared in ``ontology/stemkg.ttl`` with a label and a comment.
"""

from __future__ import annotations

import csv
import re
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from stemkg.lexicon import Kind, LexEntry, Lexicon
from stemkg.resources import ontology_file

if TYPE_CHECKING:
    from stemkg.extract.annotate import Resources

__all__ = [
    "DCTERMS",
    "ECO",
    "ENUM_PREFIXES",
    "ID",
    "OBO",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "VOCAB",
    "XSD",
    "C",
    "P",
    "enum_iri",
    "load_ancestors",
    "load_lexicon",
    "load_resources",
    "route_groups",
    "shipped_terms",
]

VOCAB = "https://w3id.org/stemkg/vocab/"
ID = "https://w3id.org/stemkg/id/"
OBO = "http://purl.obolibrary.org/obo/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ECO = OBO + "ECO_"

ONTOLOGY_GRAPH = ID + "graph/ontology"


class C:
    """Classes of the stemkg vocabulary (full IRIs)."""

    Study = VOCAB + "Study"
    StudyReport = VOCAB + "StudyReport"
    Arm = VOCAB + "Arm"
    Therapy = VOCAB + "Therapy"
    Outcome = VOCAB + "Outcome"
    Source = VOCAB + "Source"
    ValueEvidence = VOCAB + "ValueEvidence"
    SourceGraph = VOCAB + "SourceGraph"
    Software = VOCAB + "Software"
    UnmappedTerm = VOCAB + "UnmappedTerm"
    PlannedMeasure = VOCAB + "PlannedMeasure"
    GradeAssignment = VOCAB + "GradeAssignment"
    GradingRule = VOCAB + "GradingRule"
    ValueProperty = VOCAB + "ValueProperty"


class P:
    """Properties of the stemkg vocabulary (full IRIs)."""

    # study identity
    nct = VOCAB + "nct"
    pmid = VOCAB + "pmid"
    doi = VOCAB + "doi"
    stage = VOCAB + "stage"
    studyKey = VOCAB + "studyKey"
    evidenceGrade = VOCAB + "evidenceGrade"
    gradeLevel = VOCAB + "gradeLevel"
    gradingRule = VOCAB + "gradingRule"
    authorStatementOnly = VOCAB + "authorStatementOnly"
    # report
    aboutStudy = VOCAB + "aboutStudy"
    studyType = VOCAB + "studyType"
    allocation = VOCAB + "allocation"
    masking = VOCAB + "masking"
    interventionModel = VOCAB + "interventionModel"
    control = VOCAB + "control"
    phase = VOCAB + "phase"
    species = VOCAB + "species"
    condition = VOCAB + "condition"
    primaryCondition = VOCAB + "primaryCondition"
    enrolled = VOCAB + "enrolled"
    treated = VOCAB + "treated"
    enrollmentType = VOCAB + "enrollmentType"
    trialStatus = VOCAB + "trialStatus"
    startDate = VOCAB + "startDate"
    completionDate = VOCAB + "completionDate"
    sponsor = VOCAB + "sponsor"
    notStated = VOCAB + "notStated"
    minAge = VOCAB + "minAge"
    maxAge = VOCAB + "maxAge"
    followUp = VOCAB + "followUp"
    targetCell = VOCAB + "targetCell"
    # arm and therapy
    armOf = VOCAB + "armOf"
    participants = VOCAB + "participants"
    comparator = VOCAB + "comparator"
    therapy = VOCAB + "therapy"
    therapyName = VOCAB + "therapyName"
    cellType = VOCAB + "cellType"
    sourceTissue = VOCAB + "sourceTissue"
    donor = VOCAB + "donor"
    modification = VOCAB + "modification"
    route = VOCAB + "route"
    exposure = VOCAB + "exposure"
    doseValue = VOCAB + "doseValue"
    doseUnit = VOCAB + "doseUnit"
    administrations = VOCAB + "administrations"
    interval = VOCAB + "interval"
    scheduleText = VOCAB + "scheduleText"
    # outcome
    outcomeOf = VOCAB + "outcomeOf"
    measure = VOCAB + "measure"
    direction = VOCAB + "direction"
    numerator = VOCAB + "numerator"
    denominator = VOCAB + "denominator"
    percent = VOCAB + "percent"
    timepoint = VOCAB + "timepoint"
    modality = VOCAB + "modality"
    coversArm = VOCAB + "coversArm"
    description = VOCAB + "description"
    # planned measures
    plannedMeasureOf = VOCAB + "plannedMeasureOf"
    priority = VOCAB + "priority"
    timeFrame = VOCAB + "timeFrame"
    # unmapped terms
    termKind = VOCAB + "termKind"
    # source and provenance
    sourceKind = VOCAB + "sourceKind"
    venue = VOCAB + "venue"
    year = VOCAB + "year"
    retracted = VOCAB + "retracted"
    url = VOCAB + "url"
    curator = VOCAB + "curator"
    checkedAgainst = VOCAB + "checkedAgainst"
    fileName = VOCAB + "fileName"
    sourceKey = VOCAB + "sourceKey"
    contentHash = VOCAB + "contentHash"
    softwareVersion = VOCAB + "softwareVersion"
    # evidence
    recordField = VOCAB + "recordField"
    locator = VOCAB + "locator"
    quote = VOCAB + "quote"
    start = VOCAB + "start"
    end = VOCAB + "end"
    method = VOCAB + "method"
    confidence = VOCAB + "confidence"
    evidenceCode = VOCAB + "evidenceCode"


def enum_iri(member: StrEnum) -> str:
    """The vocabulary individual for a closed-vocabulary value, e.g. ``design-open-label``."""
    return f"{VOCAB}{ENUM_PREFIXES[type(member).__name__]}-{member.value.replace('_', '-')}"


ENUM_PREFIXES = {
    "StudyType": "study-type",
    "Allocation": "allocation",
    "Masking": "masking",
    "InterventionModel": "intervention-model",
    "Control": "control",
    "TrialStatus": "status",
    "EnrollmentType": "enrollment",
    "MeasurePriority": "priority",
    "Donor": "donor",
    "Exposure": "exposure",
    "Direction": "direction",
    "Modality": "modality",
    "SourceKind": "kind",
    "Kind": "term-kind",
}
"""Each closed vocabulary's enum and the prefix of its individuals' names."""


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (cell or "").split("|") if x.strip())


@cache
def load_lexicon() -> Lexicon:
    """The shipped lexicon, ``ontology/lexicon.tsv`` (read once per process), in front of the
    ontology-scale term tables."""
    path = ontology_file("lexicon.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    from stemkg.terms import load_term_index

    return Lexicon(
        (
            LexEntry(
                id=row["id"].strip(),
                kind=Kind(row["kind"].strip()),
                label=row["label"].strip(),
                synonyms=_split(row.get("synonyms")),
                abbreviations=_split(row.get("abbreviations")),
            )
            for row in rows
        ),
        fallback=load_term_index,
    )


def _tsv(name: str) -> list[dict[str, str]]:
    path = ontology_file(name)
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@cache
def load_ancestors() -> dict[str, frozenset[str]]:
    """Every lexicon term's ancestors (CURIEs), from the shipped ontology extracts."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    from stemkg.ids import compress

    parents: dict[str, set[str]] = {}
    sub = NamedNode(RDFS + "subClassOf")
    for name in ("terms.ttl", "local-terms.ttl"):
        for quad in parse(path=str(ontology_file(name)), format=RdfFormat.TURTLE):
            if quad.predicate == sub and isinstance(quad.object, NamedNode):
                child = compress(str(quad.subject.value))
                parents.setdefault(child, set()).add(compress(quad.object.value))
    closed: dict[str, frozenset[str]] = {}

    def up(term: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if term not in closed:
            direct = parents.get(term, set()) - seen
            found = set(direct)
            for parent in direct:
                found |= up(parent, seen | {term})
            closed[term] = frozenset(found)
        return closed[term]

    for term in parents:
        up(term)
    return closed


@cache
def shipped_terms() -> frozenset[str]:
    """IRIs the shipped ontology files label (vocabulary, term extracts, local terms)."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    label = NamedNode(RDFS + "label")
    found: set[str] = set()
    for name in ("stemkg.ttl", "terms.ttl", "local-terms.ttl"):
        for quad in parse(path=str(ontology_file(name)), format=RdfFormat.TURTLE):
            if quad.predicate == label and isinstance(quad.subject, NamedNode):
                found.add(quad.subject.value)
    return frozenset(found)


ROUTE_GROUPS = "route-groups.ttl"


@cache
def route_groups() -> dict[str, str]:
    """The local route groups (``ontology/route-groups.ttl``) by short name, label and CURIE,
    case folded: ``cns``, ``central nervous system route`` and ``stemkg:route-group-cns``."""
    from pyoxigraph import Literal, NamedNode, RdfFormat, parse

    wanted = {SKOS + "notation", RDFS + "label"}
    found: dict[str, str] = {}
    for quad in parse(path=str(ontology_file(ROUTE_GROUPS)), format=RdfFormat.TURTLE):
        s, o = quad.subject, quad.object
        if quad.predicate.value in wanted and isinstance(s, NamedNode) and isinstance(o, Literal):
            found[o.value.casefold()] = s.value
            found[f"stemkg:{s.value.removeprefix(VOCAB)}".casefold()] = s.value
    return found


@cache
def load_resources() -> Resources:
    """Everything extraction reads besides the document (read once per process)."""
    from stemkg.extract.annotate import Resources
    from stemkg.extract.context import ContextRules, Trigger
    from stemkg.extract.grounding import Cue, grounder_for
    from stemkg.extract.prefilter import CueWords, needs

    lexicon = load_lexicon()
    triggers = [
        Trigger(r["trigger"], r["category"], r["direction"]) for r in _tsv("context-triggers.tsv")
    ]
    patterns = [
        (r, re.compile(rf"(?<!\w)(?:{r['pattern']})(?!\w)", re.I)) for r in _tsv("cues.tsv")
    ]
    cues = tuple(Cue(r["kind"], p, r["value"], needs(p)) for r, p in patterns)
    from stemkg.terms import load_mesh_map, load_term_index

    grounder = grounder_for(lexicon, load_term_index())
    polarity = {r["id"]: r["better"] for r in _tsv("measure-polarity.tsv")}
    rules = ContextRules(triggers)
    words = CueWords(c.needs for c in cues)
    return Resources(
        lexicon, grounder, rules, cues, load_ancestors(), polarity, words, load_mesh_map()
    )
