#!/usr/bin/env python3
"""Extract the ontology terms that ontology/lexicon.tsv names into ontology/terms.ttl.

For every non-local identifier in the lexicon this writes its rdfs:label and its
rdfs:subClassOf chain up to the root of its branch (every ancestor with its own
label and its own subClassOf links), as OBO PURL IRIs (EFO as www.ebi.ac.uk/efo).
Each term says which source file it was read from (dcterms:source), and each source
file is described as a dcat:Dataset pointing at the exact GitHub blob (repository,
commit, path) it was read from. The output is sorted and byte-identical for the same
inputs.

It is a development-time tool: the build reads the committed terms.ttl and never
runs this script. Python 3.11, stdlib and rdflib; it shells out to `git` (to read
blobs from bare mirrors) and `zstd` (cellxgene-ontology-guide ships .json.zst).

How to rerun
------------
1. Bring these public repositories onto the machine as bare git directories under
   one folder, named OWNER+NAME/repo (this is what the search tool's
   `fetch github:OWNER/NAME` produces under /work/.mirror):

     monarch-initiative/mondo                     UBERON and NCBITaxon import modules
     chanzuckerberg/cellxgene-ontology-guide      MONDO, CL and EFO releases as JSON
     EBISPOT/efo                                  GO import module
     monarch-initiative/vertebrate-breed-ontology NCBITaxon import module (domestic species)
     TheJacksonLaboratory/PhenopacketLab          NCIT module (route of administration,
                                                  adverse event)
     data4knowledge/usdm4                         CDISC SDTM controlled terminology (ROUTE, TPHASE)

2. From the repository root:

     python scripts/extract_terms.py --mirror /work/.mirror

   The commits read are pinned in SOURCES below. `--head` reads each mirror's HEAD
   instead and prints the commits it used, so that SOURCES can be updated.

The script exits non-zero, naming the identifier, when a lexicon identifier is not
found in any source, when the source label differs from the lexicon label (compared
case-insensitively, since the lexicon writes NCIT labels in lower case), when an
ancestor cannot be resolved, or when a chain ends anywhere but an expected root.
Local terms (stemkg:) are checked against ontology/local-terms.ttl instead.

How direct superclasses are read, per format
--------------------------------------------
obo         `is_a:` lines (relationship: lines are ignored).
ofn         `SubClassOf(<A> <B>)` axioms between named classes.
owl (RDF)   rdfs:subClassOf to named classes.
obographs   `is_a` edges.
cxg         cellxgene-ontology-guide JSON lists each term's ancestors with their
            distance; direct superclasses are the ancestors at distance 1. Where the
            nearest retained ancestor is further away (an intermediate class from
            another ontology was filtered out by the packager), the nearest ones are
            used: they are still superclasses, only not direct ones.
cdisc       CDISC codelists are flat lists, not hierarchies: members are given the
            declared parent named in SOURCES (routes: NCIT:C38114 route of
            administration; phases: the CDISC Trial Phase codelist NCIT:C66737).
Only parents with the same prefix as the child are kept (UBERON terms keep their
UBERON parents and drop CARO/BFO ones, and so on).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

OBO = "http://purl.obolibrary.org/obo/"
EFO_NS = "http://www.ebi.ac.uk/efo/"
STEMKG_VOCAB = "https://w3id.org/stemkg/vocab/"
EXTRACT_NS = "https://w3id.org/stemkg/extract/"

LEXICON_HEADER = ["id", "kind", "label", "synonyms", "abbreviations"]
KINDS = {"cell_type", "tissue", "condition", "route", "phase", "species", "measure"}
CURIE_RE = re.compile(r"^(CL|UBERON|MONDO|NCIT|EFO|NCBITaxon|GO):[A-Za-z0-9]+$")
LOCAL_RE = re.compile(r"^stemkg:[A-Za-z0-9][A-Za-z0-9-]*$")

# Where a chain may end, per prefix. Anything else is a broken chain.
EXPECTED_ROOTS = {
    "CL:0000000",  # cell
    "UBERON:0001062",  # anatomical entity
    "MONDO:0000001",  # disease
    "MONDO:0021178",  # injury (a MONDO top-level class beside disease)
    "EFO:0000001",  # experimental factor
    "GO:0008150",  # biological_process
    "NCBITaxon:1",  # root
    "NCIT:C20181",  # Conceptual Entity (route of administration lives here)
    "NCIT:C7057",  # Disease, Disorder or Finding (adverse event lives here)
    "NCIT:C66737",  # CDISC SDTM Trial Phase Terminology (declared parent of phases)
}


@dataclass(frozen=True)
class Source:
    key: str  # last segment of the extract IRI
    repo: str  # OWNER/NAME on GitHub
    path: str
    commit: str
    fmt: str  # obo | ofn | owl | obographs | cxg | cdisc
    prefixes: tuple[str, ...]
    label: str
    comment: str
    # cdisc only: codelist code -> declared parent CURIE (the codelist itself when
    # the parent is the codelist, which is then emitted as a root term)
    codelists: tuple[tuple[str, str], ...] = ()


# Order matters: for each prefix the first source that holds a term wins.
SOURCES: tuple[Source, ...] = (
    Source(
        key="mondo",
        repo="chanzuckerberg/cellxgene-ontology-guide",
        path="ontology-assets/MONDO-ontology-v2026-05-05.json.zst",
        commit="a2a31b73c9213c2afb01ce60e041d39b28ed2261",
        fmt="cxg",
        prefixes=("MONDO",),
        label="MONDO release v2026-05-05 as packaged by cellxgene-ontology-guide",
        comment="Labels and direct superclasses (ancestors at distance 1) of MONDO terms.",
    ),
    Source(
        key="cl",
        repo="chanzuckerberg/cellxgene-ontology-guide",
        path="ontology-assets/CL-ontology-v2026-03-26.json.zst",
        commit="a2a31b73c9213c2afb01ce60e041d39b28ed2261",
        fmt="cxg",
        prefixes=("CL",),
        label="Cell Ontology release v2026-03-26 as packaged by cellxgene-ontology-guide",
        comment="Labels and direct superclasses (ancestors at distance 1) of CL terms.",
    ),
    Source(
        key="efo",
        repo="chanzuckerberg/cellxgene-ontology-guide",
        path="ontology-assets/EFO-ontology-v3.90.0.json.zst",
        commit="a2a31b73c9213c2afb01ce60e041d39b28ed2261",
        fmt="cxg",
        prefixes=("EFO",),
        label="Experimental Factor Ontology v3.90.0 as packaged by cellxgene-ontology-guide",
        comment=(
            "Labels and superclasses of EFO terms. The package keeps only EFO ancestors, "
            "so where an intermediate class of another ontology was left out the nearest "
            "EFO ancestor is given as superclass."
        ),
    ),
    Source(
        key="uberon",
        repo="monarch-initiative/mondo",
        path="imports/uberon_import.obo",
        commit="fad2512b4845f483fc1268cdf0bf7a8ef43697cb",
        fmt="obo",
        prefixes=("UBERON",),
        label="UBERON import module of MONDO (mondo/releases/2021-08-03/imports/uberon_import.owl)",
        comment=(
            "Labels and is_a parents of UBERON terms; parents from other ontologies are dropped."
        ),
    ),
    Source(
        key="go",
        repo="EBISPOT/efo",
        path="src/ontology/imports/go_import.owl",
        commit="704cbf64e95ac374374b309691d86d95c84dfe17",
        fmt="owl",
        prefixes=("GO",),
        label="GO import module of EFO (EFO release 3.92.0 sources)",
        comment="Labels and rdfs:subClassOf links of GO terms.",
    ),
    Source(
        key="ncbitaxon-vbo",
        repo="monarch-initiative/vertebrate-breed-ontology",
        path="src/ontology/imports/ncbitaxon_import.owl",
        commit="8364a3ec538d529bdd3efcf3af8401b98f48fb4f",
        fmt="ofn",
        prefixes=("NCBITaxon",),
        label="NCBITaxon import module of the Vertebrate Breed Ontology (from taxslim 2025-12-03)",
        comment="Labels and SubClassOf links of NCBITaxon terms (domestic species).",
    ),
    Source(
        key="ncbitaxon-mondo",
        repo="monarch-initiative/mondo",
        path="imports/ncbitaxon_import.obo",
        commit="fad2512b4845f483fc1268cdf0bf7a8ef43697cb",
        fmt="obo",
        prefixes=("NCBITaxon",),
        label=(
            "NCBITaxon import module of MONDO "
            "(mondo/releases/2021-08-03/imports/ncbitaxon_import.owl)"
        ),
        comment="Labels and is_a parents of NCBITaxon terms (human and laboratory species).",
    ),
    Source(
        key="ncit",
        repo="TheJacksonLaboratory/PhenopacketLab",
        path="phenopacketlab-spring-boot-autoconfigure/src/test/resources/data/ncit.json",
        commit="12f7ae06252620287a3db0204a1a68382f1b64e6",
        fmt="obographs",
        prefixes=("NCIT",),
        label=(
            "NCIT module (ROBOT BOT extract of NCIT:C38114, NCIT:C41331 and others) "
            "in PhenopacketLab"
        ),
        comment=(
            "Labels and is_a parents of NCIT upper-level terms "
            "(route of administration, adverse event)."
        ),
    ),
    Source(
        key="cdisc-ct",
        repo="data4knowledge/usdm4",
        path="src/usdm4/ct/cdisc/library_cache/library_cache_usdm.yaml",
        commit="ba2080eb8707d877fe659ad12ea339df608a0419",
        fmt="cdisc",
        prefixes=("NCIT",),
        label=(
            "CDISC SDTM controlled terminology 2026-03-27 "
            "(codelists C66729 ROUTE and C66737 TPHASE) cached by usdm4"
        ),
        comment=(
            "NCI preferred terms of the members of two CDISC codelists. The codelists are "
            "flat lists, so the subclass links are declared: route codelist members are "
            "subclasses of NCIT:C38114 (Route of Administration); trial phase codelist "
            "members are subclasses of the codelist concept NCIT:C66737."
        ),
        codelists=(("C66729", "NCIT:C38114"), ("C66737", "NCIT:C66737")),
    ),
)


class ExtractError(Exception):
    """A fatal problem; the message names the identifier or file."""


@dataclass
class Term:
    curie: str
    label: str
    parents: tuple[str, ...]
    source: str  # Source.key
    deprecated: bool = False


@dataclass
class LoadedSource:
    source: Source
    commit: str
    terms: dict[str, Term] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def mirror_dir(mirror: Path, repo: str) -> Path:
    owner, name = repo.split("/", 1)
    d = mirror / f"{owner}+{name}" / "repo"
    if not d.is_dir():
        raise ExtractError(f"no mirror of {repo} at {d} (fetch github:{repo} first)")
    return d


def git(git_dir: Path, *args: str) -> bytes:
    res = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, check=False)
    if res.returncode != 0:
        raise ExtractError(
            f"git {' '.join(args)} failed in {git_dir}: "
            f"{res.stderr.decode(errors='replace').strip()}"
        )
    return res.stdout


def read_blob(mirror: Path, src: Source, use_head: bool) -> tuple[bytes, str]:
    d = mirror_dir(mirror, src.repo)
    commit = git(d, "rev-parse", "HEAD").decode().strip() if use_head else src.commit
    data = git(d, "show", f"{commit}:{src.path}")
    if src.path.endswith(".zst"):
        res = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=False)
        if res.returncode != 0:
            raise ExtractError(f"zstd could not decompress {src.repo}/{src.path}")
        data = res.stdout
    return data, commit


def curie_from_iri(iri: str) -> str | None:
    for ns in (OBO, EFO_NS):
        if iri.startswith(ns):
            local = iri[len(ns) :]
            if "_" in local:
                prefix, _, ident = local.partition("_")
                return f"{prefix}:{ident}"
    return None


def iri_from_curie(curie: str) -> str:
    prefix, _, ident = curie.partition(":")
    if prefix == "EFO":
        return f"{EFO_NS}EFO_{ident}"
    if prefix == "stemkg":
        return f"{STEMKG_VOCAB}{ident}"
    return f"{OBO}{prefix}_{ident}"


def same_prefix(child: str, parents: list[str]) -> tuple[str, ...]:
    prefix = child.split(":", 1)[0]
    return tuple(sorted({p for p in parents if p.split(":", 1)[0] == prefix and p != child}))


def parse_obo(text: str, key: str) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    stanza = None
    cur: dict[str, Any] | None = None

    def flush() -> None:
        if cur and cur.get("id") and cur.get("name") is not None:
            terms[cur["id"]] = Term(
                cur["id"], cur["name"], same_prefix(cur["id"], cur["is_a"]), key, cur["obsolete"]
            )

    for line in text.splitlines():
        if line.startswith("["):
            flush()
            stanza = line.strip()
            cur = {"is_a": [], "obsolete": False} if stanza == "[Term]" else None
            continue
        if cur is None:
            continue
        tag, _, value = line.partition(": ")
        if tag == "id":
            cur["id"] = value.strip()
        elif tag == "name":
            cur["name"] = value.strip()
        elif tag == "is_a":
            cur["is_a"].append(value.split("!")[0].split("{")[0].strip())
        elif tag == "is_obsolete" and value.strip() == "true":
            cur["obsolete"] = True
    flush()
    return terms


OFN_LABEL = re.compile(
    r'^AnnotationAssertion\((?:Annotation\(.*?\) )*rdfs:label <([^>]+)> "((?:[^"\\]|\\.)*)"'
)
OFN_SUB = re.compile(r"^SubClassOf\((?:Annotation\(.*?\) )*<([^>]+)> <([^>]+)>\)$")
OFN_DEPRECATED = re.compile(r'^AnnotationAssertion\(owl:deprecated <([^>]+)> "true"')


def unescape_ofn(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def parse_ofn(text: str, key: str) -> dict[str, Term]:
    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    deprecated: set[str] = set()
    for line in text.splitlines():
        if m := OFN_LABEL.match(line):
            c = curie_from_iri(m.group(1))
            if c:
                labels[c] = unescape_ofn(m.group(2))
        elif m := OFN_SUB.match(line):
            c, p = curie_from_iri(m.group(1)), curie_from_iri(m.group(2))
            if c and p:
                parents.setdefault(c, []).append(p)
        elif m := OFN_DEPRECATED.match(line):
            c = curie_from_iri(m.group(1))
            if c:
                deprecated.add(c)
    return {
        c: Term(c, lab, same_prefix(c, parents.get(c, [])), key, c in deprecated)
        for c, lab in labels.items()
    }


def parse_owl(data: bytes, key: str) -> dict[str, Term]:
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS

    g = rdflib.Graph()
    g.parse(data=data, format="xml")
    terms: dict[str, Term] = {}
    for s in set(g.subjects(RDF.type, OWL.Class)):
        if not isinstance(s, rdflib.URIRef):
            continue
        c = curie_from_iri(str(s))
        lab = g.value(s, RDFS.label)
        if not c or lab is None:
            continue
        ps = [
            curie_from_iri(str(o))
            for o in g.objects(s, RDFS.subClassOf)
            if isinstance(o, rdflib.URIRef)
        ]
        dep = str(g.value(s, OWL.deprecated) or "").lower() == "true"
        terms[c] = Term(c, str(lab), same_prefix(c, [p for p in ps if p]), key, dep)
    return terms


def parse_obographs(data: bytes, key: str) -> dict[str, Term]:
    doc = json.loads(data)
    terms: dict[str, Term] = {}
    for graph in doc.get("graphs", []):
        parents: dict[str, list[str]] = {}
        for e in graph.get("edges", []):
            if e.get("pred") == "is_a":
                c, p = curie_from_iri(e["sub"]), curie_from_iri(e["obj"])
                if c and p:
                    parents.setdefault(c, []).append(p)
        for n in graph.get("nodes", []):
            c = curie_from_iri(n.get("id", ""))
            if not c or not n.get("lbl") or n.get("type", "CLASS") != "CLASS":
                continue
            dep = bool(n.get("meta", {}).get("deprecated"))
            terms[c] = Term(c, n["lbl"], same_prefix(c, parents.get(c, [])), key, dep)
    return terms


def parse_cxg(data: bytes, key: str, prefixes: tuple[str, ...]) -> dict[str, Term]:
    doc = json.loads(data)
    terms: dict[str, Term] = {}
    for c, rec in doc.items():
        if c.split(":", 1)[0] not in prefixes:
            continue
        anc = {
            a: d
            for a, d in rec.get("ancestors", {}).items()
            if a.split(":", 1)[0] == c.split(":", 1)[0]
        }
        if anc:
            nearest = min(anc.values())
            ps = [a for a, d in anc.items() if d == nearest]
        else:
            ps = []
        terms[c] = Term(
            c, rec.get("label", ""), same_prefix(c, ps), key, bool(rec.get("deprecated"))
        )
    return terms


def _yaml_scalar(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        return str(json.loads(raw))
    return raw


def parse_cdisc_codelists(
    text: str, key: str, codelists: tuple[tuple[str, str], ...]
) -> dict[str, Term]:
    """Read conceptId/preferredTerm of given codelists from the usdm4 CT cache.

    A purpose-built reader for that file's layout (stdlib only): a top-level key per
    codelist, its own scalars indented by two spaces, and a `terms:` list whose items
    start with `  - conceptId:` and whose fields are indented by four spaces (long
    values continue on more deeply indented lines).
    """
    lines = text.splitlines()
    terms: dict[str, Term] = {}
    for code, parent in codelists:
        try:
            start = lines.index(f"{code}:")
        except ValueError:
            raise ExtractError(f"codelist {code} not found in {key}") from None
        end = start + 1
        while end < len(lines) and (not lines[end] or lines[end][0] == " "):
            end += 1
        block = lines[start + 1 : end]
        # Collect (indent, key, value) fields, joining continuation lines.
        items: list[dict[str, str]] = []
        top: dict[str, str] = {}
        target: dict[str, str] | None = top
        last_key: str | None = None
        last_indent = -1
        in_terms = False
        for ln in block:
            stripped = ln.lstrip(" ")
            indent = len(ln) - len(stripped)
            if not stripped:
                continue
            if indent == 2 and stripped == "terms:":
                in_terms, target, last_key = True, None, None
                continue
            if in_terms and indent == 2 and stripped.startswith("- "):
                target = {}
                items.append(target)
                stripped, indent = stripped[2:], 4
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$", stripped)
            if m and target is not None and indent == (4 if in_terms else 2):
                last_key, last_indent = m.group(1), indent
                target[last_key] = m.group(2) or ""
            elif (
                target is not None
                and last_key
                and indent > last_indent
                and not stripped.startswith("- ")
            ):
                target[last_key] = (target[last_key] + " " + stripped).strip()
            else:
                last_key = None  # list items (synonyms) and nested maps are not needed
        if top.get("conceptId") and _yaml_scalar(top["conceptId"]) != code:
            raise ExtractError(f"codelist block {code} in {key} has conceptId {top['conceptId']}")
        if parent == f"NCIT:{code}":
            terms[parent] = Term(parent, _yaml_scalar(top.get("preferredTerm", "")), (), key)
        for it in items:
            cid = _yaml_scalar(it.get("conceptId", ""))
            pt = _yaml_scalar(it.get("preferredTerm", ""))
            if not cid or not pt:
                raise ExtractError(
                    f"codelist {code} in {key}: item without conceptId/preferredTerm: {it}"
                )
            c = f"NCIT:{cid}"
            if c in terms and terms[c].parents != (parent,):
                raise ExtractError(f"{c} is in two codelists with different declared parents")
            terms[c] = Term(c, pt, (parent,), key)
    return terms


def load_source(mirror: Path, src: Source, use_head: bool) -> LoadedSource:
    data, commit = read_blob(mirror, src, use_head)
    if src.fmt == "obo":
        terms = parse_obo(data.decode("utf-8"), src.key)
    elif src.fmt == "ofn":
        terms = parse_ofn(data.decode("utf-8"), src.key)
    elif src.fmt == "owl":
        terms = parse_owl(data, src.key)
    elif src.fmt == "obographs":
        terms = parse_obographs(data, src.key)
    elif src.fmt == "cxg":
        terms = parse_cxg(data, src.key, src.prefixes)
    elif src.fmt == "cdisc":
        terms = parse_cdisc_codelists(data.decode("utf-8"), src.key, src.codelists)
    else:  # pragma: no cover - SOURCES is fixed
        raise ExtractError(f"unknown format {src.fmt}")
    terms = {c: t for c, t in terms.items() if c.split(":", 1)[0] in src.prefixes}
    if not terms:
        raise ExtractError(f"no terms read from {src.repo}/{src.path}")
    return LoadedSource(src, commit, terms)


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class LexRow:
    line: int
    curie: str
    kind: str
    label: str
    synonyms: tuple[str, ...]
    abbreviations: tuple[str, ...]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split("|") if x.strip())


def read_lexicon(path: Path) -> list[LexRow]:
    if not path.is_file():
        raise ExtractError(f"{path}: lexicon not found")
    rows: list[LexRow] = []
    with path.open(encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != LEXICON_HEADER:
        raise ExtractError(f"{path}: header must be {' / '.join(LEXICON_HEADER)} (tab-separated)")
    seen_ids: set[str] = set()
    for n, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        if len(cols) != 5:
            raise ExtractError(f"{path}:{n}: expected 5 tab-separated columns, got {len(cols)}")
        curie, kind, label, syn, abbr = (c.strip() for c in cols)
        if not (CURIE_RE.match(curie) or LOCAL_RE.match(curie)):
            raise ExtractError(f"{path}:{n}: {curie!r} is not a supported CURIE")
        if kind not in KINDS:
            raise ExtractError(f"{path}:{n}: {curie}: unknown kind {kind!r}")
        if not label:
            raise ExtractError(f"{path}:{n}: {curie}: empty label")
        if curie in seen_ids:
            raise ExtractError(f"{path}:{n}: {curie} is listed twice")
        seen_ids.add(curie)
        rows.append(LexRow(n, curie, kind, label, _split(syn), _split(abbr)))
    # The same surface string may not name two ids of one kind.
    owners: dict[tuple[str, str], str] = {}
    for r in rows:
        for s in (r.label, *r.synonyms, *r.abbreviations):
            k = (
                r.kind,
                " ".join(s.replace("\u2019", "'").casefold().split()),
            )  # as stemkg.lexicon.normalise
            if k in owners and owners[k] != r.curie:
                raise ExtractError(
                    f"{path}:{r.line}: {s!r} ({r.kind}) names both {owners[k]} and {r.curie}"
                )
            owners[k] = r.curie
    return rows


# --------------------------------------------------------------------------- local terms


def check_local_terms(path: Path, rows: list[LexRow], known: dict[str, Term]) -> None:
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    local_rows = [r for r in rows if r.curie.startswith("stemkg:")]
    if not local_rows:
        return
    if not path.is_file():
        raise ExtractError(f"{path}: local terms file not found")
    g = rdflib.Graph()
    g.parse(path, format="turtle")
    outcome = rdflib.URIRef(STEMKG_VOCAB + "OutcomeMeasure")
    for r in local_rows:
        s = rdflib.URIRef(iri_from_curie(r.curie))
        if (s, RDF.type, OWL.Class) not in g:
            raise ExtractError(f"{r.curie}: not declared as owl:Class in {path}")
        lab = g.value(s, RDFS.label)
        if lab is None or str(lab).casefold() != r.label.casefold():
            raise ExtractError(f"{r.curie}: label in {path} is {lab!r}, lexicon says {r.label!r}")
        if g.value(s, RDFS.comment) is None:
            raise ExtractError(f"{r.curie}: no rdfs:comment in {path}")
        if r.kind == "measure" and (s, RDFS.subClassOf, outcome) not in g:
            raise ExtractError(f"{r.curie}: not rdfs:subClassOf stemkg:OutcomeMeasure in {path}")
        for o in g.objects(s, RDFS.subClassOf):
            c = curie_from_iri(str(o)) if not str(o).startswith(STEMKG_VOCAB) else None
            if not str(o).startswith(STEMKG_VOCAB) and (c is None or c not in known):
                raise ExtractError(
                    f"{r.curie}: rdfs:subClassOf {o} is not a verified term of terms.ttl"
                )
        if r.kind != "measure" and not any(
            curie_from_iri(str(o)) in known for o in g.objects(s, RDFS.subClassOf)
        ):
            raise ExtractError(f"{r.curie}: a local {r.kind} needs rdfs:subClassOf a verified term")
        for o in g.objects(s, SKOS.closeMatch):
            c = curie_from_iri(str(o))
            if c is None or c not in known:
                raise ExtractError(f"{r.curie}: skos:closeMatch {o} is not a verified lexicon term")


# --------------------------------------------------------------------------- closure


def resolve(curie: str, by_prefix: dict[str, list[LoadedSource]]) -> Term | None:
    for ls in by_prefix.get(curie.split(":", 1)[0], []):
        t = ls.terms.get(curie)
        if t is not None:
            return t
    return None


def build_closure(rows: list[LexRow], loaded: list[LoadedSource]) -> dict[str, Term]:
    by_prefix: dict[str, list[LoadedSource]] = {}
    for ls in loaded:
        for p in ls.source.prefixes:
            by_prefix.setdefault(p, []).append(ls)
    out: dict[str, Term] = {}
    for r in rows:
        if r.curie.startswith("stemkg:"):
            continue
        t = resolve(r.curie, by_prefix)
        if t is None:
            raise ExtractError(f"{r.curie} ({r.label}): not found in any source file")
        if t.deprecated:
            raise ExtractError(f"{r.curie} ({r.label}): deprecated in {t.source}")
        if t.label.casefold() != r.label.casefold():
            raise ExtractError(
                f"{r.curie}: source label {t.label!r} ({t.source}) "
                f"differs from lexicon label {r.label!r}"
            )
    # Ancestors, breadth first; detect missing ancestors, cycles and odd roots.
    todo = sorted({r.curie for r in rows if not r.curie.startswith("stemkg:")})
    while todo:
        c = todo.pop()
        if c in out:
            continue
        t = resolve(c, by_prefix)
        if t is None:
            raise ExtractError(f"ancestor {c} not found in any source file")
        out[c] = t
        todo.extend(p for p in t.parents if p not in out)
    for c, t in out.items():
        if not t.parents and c not in EXPECTED_ROOTS:
            raise ExtractError(
                f"{c} ({t.label}, {t.source}): chain ends at a term that is not a known root"
            )
    # Cycle check: every chain must reach a root.
    state: dict[str, int] = {}

    def visit(c: str, stack: tuple[str, ...]) -> None:
        if state.get(c) == 2:
            return
        if state.get(c) == 1:
            raise ExtractError(f"subclass cycle: {' -> '.join((*stack, c))}")
        state[c] = 1
        for p in out[c].parents:
            visit(p, (*stack, c))
        state[c] = 2

    for c in sorted(out):
        visit(c, ())
    return out


# --------------------------------------------------------------------------- output


def turtle_literal(s: str) -> str:
    esc = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"'


def qname(curie: str) -> str:
    prefix, _, ident = curie.partition(":")
    if prefix == "EFO":
        return f"efo:EFO_{ident}"
    return f"obo:{prefix}_{ident}"


def blob_url(ls: LoadedSource) -> str:
    return f"https://github.com/{ls.source.repo}/blob/{ls.commit}/{ls.source.path}"


def render(terms: dict[str, Term], loaded: list[LoadedSource]) -> str:
    used = {t.source for t in terms.values()}
    out = [
        "# Generated by scripts/extract_terms.py from the source files described below;",
        "# do not edit. Labels and rdfs:subClassOf chains (to the root of each branch)",
        "# of the terms in ontology/lexicon.tsv.",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        f"@prefix efo: <{EFO_NS}> .",
        f"@prefix obo: <{OBO}> .",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "",
    ]
    for ls in sorted(loaded, key=lambda x: x.source.key):
        if ls.source.key not in used:
            continue
        out += [
            f"<{EXTRACT_NS}{ls.source.key}> a dcat:Dataset ;",
            f"    rdfs:label {turtle_literal(ls.source.label)} ;",
            f"    rdfs:comment {turtle_literal(ls.source.comment)} ;",
            f"    dcterms:source <{blob_url(ls)}> .",
            "",
        ]

    def sort_key(c: str) -> tuple[str, str]:
        prefix, _, ident = c.partition(":")
        return (prefix, ident.rjust(12, "0"))

    for c in sorted(terms, key=sort_key):
        t = terms[c]
        lines = [f"{qname(c)} a owl:Class ;", f"    rdfs:label {turtle_literal(t.label)} ;"]
        for p in sorted(t.parents, key=sort_key):
            lines.append(f"    rdfs:subClassOf {qname(p)} ;")
        lines.append(f"    dcterms:source <{EXTRACT_NS}{t.source}> .")
        out += [*lines, ""]
    return "\n".join(out)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_output(text: str, terms: dict[str, Term]) -> None:
    import rdflib
    from rdflib.namespace import RDFS

    g = rdflib.Graph()
    g.parse(data=text, format="turtle")
    for c, t in terms.items():
        s = rdflib.URIRef(iri_from_curie(c))
        if str(g.value(s, RDFS.label)) != t.label:
            raise ExtractError(f"{c}: label lost in output")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--mirror", type=Path, required=True, help="folder holding OWNER+NAME/repo bare git dirs"
    )
    ap.add_argument("--lexicon", type=Path, default=REPO_ROOT / "ontology" / "lexicon.tsv")
    ap.add_argument("--local-terms", type=Path, default=REPO_ROOT / "ontology" / "local-terms.ttl")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "ontology" / "terms.ttl")
    ap.add_argument(
        "--head", action="store_true", help="read each mirror's HEAD instead of the pinned commits"
    )
    args = ap.parse_args(argv)
    try:
        rows = read_lexicon(args.lexicon)
        loaded = [load_source(args.mirror, s, args.head) for s in SOURCES]
        terms = build_closure(rows, loaded)
        check_local_terms(args.local_terms, rows, terms)
        text = render(terms, loaded)
        check_output(text, terms)
        write_atomic(args.out, text)
    except ExtractError as exc:
        print(f"extract_terms: error: {exc}", file=sys.stderr)
        return 1
    if args.head:
        for ls in loaded:
            print(
                f"{ls.source.key}: {ls.source.repo} {ls.commit} {ls.source.path}", file=sys.stderr
            )
    lex_ids = {r.curie for r in rows if not r.curie.startswith("stemkg:")}
    print(
        f"extract_terms: wrote {args.out} ({len(lex_ids)} lexicon terms, "
        f"{len(terms) - len(lex_ids)} ancestors, "
        f"{len({t.source for t in terms.values()})} source files)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
