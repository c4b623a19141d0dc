"""The vocabulary, the lexicon and the ontology extracts agree with each other."""

from __future__ import annotations

import json

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from stemkg import ids
from stemkg.lexicon import Kind, Lexicon
from stemkg.model import (
    Allocation,
    Control,
    Direction,
    Donor,
    EnrollmentType,
    Exposure,
    InterventionModel,
    Masking,
    MeasurePriority,
    Modality,
    SourceKind,
    StudyType,
    TrialStatus,
    record_json_schema,
)
from stemkg.resources import ontology_file
from stemkg.vocab import VOCAB, C, P, enum_iri


def _graph(*names: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in names:
        graph.parse(ontology_file(name))
    return graph


def test_every_vocab_constant_is_declared_with_label_and_comment() -> None:
    onto = _graph("stemkg.ttl")
    constants = [v for k, v in vars(C).items() if not k.startswith("_")]
    constants += [v for k, v in vars(P).items() if not k.startswith("_")]
    for iri in constants:
        node = rdflib.URIRef(iri)
        assert (node, RDF.type, None) in onto, iri
        assert onto.value(node, RDFS.label), iri
        assert onto.value(node, RDFS.comment), iri


def test_every_declared_term_has_label_and_comment() -> None:
    onto = _graph("stemkg.ttl")
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual):
        for node in onto.subjects(RDF.type, kind):
            if str(node).startswith(VOCAB):
                assert onto.value(node, RDFS.label) and onto.value(node, RDFS.comment), node


def test_every_enum_value_is_an_individual() -> None:
    onto = _graph("stemkg.ttl")
    enums = (
        StudyType,
        Allocation,
        Masking,
        InterventionModel,
        Control,
        TrialStatus,
        EnrollmentType,
        MeasurePriority,
        Donor,
        Exposure,
        Direction,
        Modality,
        SourceKind,
        Kind,
    )
    for enum in enums:
        for member in enum:
            node = rdflib.URIRef(enum_iri(member))
            assert (node, RDF.type, OWL.NamedIndividual) in onto, node


def test_every_lexicon_id_is_in_the_extracts(lexicon: Lexicon) -> None:
    """A lexicon id must be a term of a real ontology file (terms.ttl) or a local term."""
    extracts = _graph("terms.ttl", "local-terms.ttl")
    for entry in lexicon:
        node = rdflib.URIRef(ids.expand(entry.id))
        label = extracts.value(node, RDFS.label)
        assert label is not None, f"{entry.id} is not in ontology/terms.ttl or local-terms.ttl"
        assert str(label) == entry.label, f"{entry.id}: lexicon says {entry.label!r}, not {label!r}"


def test_lexicon_sizes(lexicon: Lexicon) -> None:
    sizes = {kind: len(lexicon.of_kind(kind)) for kind in Kind}
    assert sizes[Kind.CELL_TYPE] >= 25
    assert sizes[Kind.TISSUE] >= 12
    assert sizes[Kind.CONDITION] >= 40
    assert sizes[Kind.ROUTE] >= 15


def test_routes_sit_under_route_of_administration(lexicon: Lexicon) -> None:
    extracts = _graph("terms.ttl")
    root = rdflib.URIRef(ids.expand("NCIT:C38114"))
    for entry in lexicon.of_kind(Kind.ROUTE):
        node = rdflib.URIRef(ids.expand(entry.id))
        assert root in set(extracts.transitive_objects(node, RDFS.subClassOf)), entry.id
    assert lexicon.resolve(Kind.ROUTE, "intrathecal").id == "NCIT:C38267"


def test_phases_match_the_shapes(lexicon: Lexicon) -> None:
    shapes = ontology_file("shapes.ttl").read_text(encoding="utf-8")
    for entry in lexicon.of_kind(Kind.PHASE):
        assert f"obo:NCIT_{entry.id.split(':')[1]}" in shapes, entry.id


def test_schema_file_is_current() -> None:
    shipped = json.loads(ontology_file("record.schema.json").read_text(encoding="utf-8"))
    assert shipped == json.loads(json.dumps(record_json_schema())), "run `make schema`"


def test_schema_does_not_list_term_names(lexicon: Lexicon) -> None:
    """Term tables will grow to ontology scale: the schema checks a name's form only."""
    text = ontology_file("record.schema.json").read_text(encoding="utf-8")
    assert "amyotrophic lateral sclerosis" not in text
    assert "intrathecal" not in text


def test_local_mappings_are_current_and_cover_every_local_term() -> None:
    """ontology/local-mappings.sssom.tsv is generated from the vocabulary (run
    scripts/write_sssom.py after changing a closed vocabulary or a local term)."""
    import csv
    import subprocess
    import sys

    from tests.conftest import ROOT

    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "write_sssom.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    lines = [
        line
        for line in ontology_file("local-mappings.sssom.tsv").read_text().splitlines()
        if not line.startswith("#")
    ]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    subjects = {r["subject_id"] for r in rows}
    onto = _graph("stemkg.ttl", "local-terms.ttl")
    local = {
        ids.compress(str(s))
        for s in onto.subjects(RDF.type, None)
        if str(s).startswith(VOCAB) and (s, RDF.type, OWL.NamedIndividual) in onto
    }
    assert local <= subjects
    assert ("stemkg:masking-double", "NCIT:C15228") in {
        (r["subject_id"], r["object_id"]) for r in rows
    }
    assert all(r["mapping_justification"] == "semapv:ManualMappingCuration" for r in rows)


def test_shapes_list_every_closed_vocabulary_value() -> None:
    """A value added to an enum must also be allowed by its shape (and the other way round)."""
    shapes = ontology_file("shapes.ttl").read_text(encoding="utf-8")
    for enum, shape in (
        (StudyType, "report-study-type"),
        (Allocation, "report-allocation"),
        (Masking, "report-masking"),
        (InterventionModel, "report-intervention-model"),
        (Control, "report-control"),
        (TrialStatus, "report-status"),
        (EnrollmentType, "report-enrollment-type"),
        (MeasurePriority, "planned-priority"),
        (Direction, "outcome-direction"),
        (Donor, "therapy-donor"),
    ):
        block = shapes[shapes.index(f"shape:{shape} a sh:PropertyShape") :]
        listed = block[block.index("sh:in (") + 7 : block.index(")")].split()
        expected = [enum_iri(m).replace(VOCAB, "stemkg:") for m in enum]
        assert listed == expected, shape


def test_ontology_scale_term_tables_ship_with_their_sources() -> None:
    import gzip

    expected = {
        "mondo": ("MONDO:0019037", "progressive supranuclear palsy"),
        "cl": ("CL:0000134", "mesenchymal stem cell"),
        "uberon": ("UBERON:0002371", "bone marrow"),
        "efo": ("EFO:0004312", "vital capacity"),
    }
    for name, (term, label) in expected.items():
        path = ontology_file("tables") / f"{name}.tsv.gz"
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        assert lines[0].startswith("# source: ") and " @ " in lines[0], name
        rows = {line.split("\t")[0]: line.split("\t") for line in lines if line[0] != "#"}
        assert rows[term][1] == label, name
    assert len(rows) > 5000
