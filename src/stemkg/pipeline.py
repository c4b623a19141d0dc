"""The only module that knows the order of the stages: read, link, map, validate, store, write."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import ValidationError
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse

from stemkg import ids
from stemkg.corrections import Corrections, apply_corrections
from stemkg.dataset import DATASET_GRAPH, describe
from stemkg.errors import InputError, MappingError, StemkgError
from stemkg.evalset import EvalReport, load_gold_dir, score
from stemkg.extract import explain, extract
from stemkg.extract.registry import registry_record
from stemkg.grading import GRADES_GRAPH, GradedReport, ReportDesign, grade_quads, load_table
from stemkg.link import Ambiguity, Conflict, Profile, ReportRef, link_studies, normalise_venue
from stemkg.model import RecordFile, Report
from stemkg.rdf import SourceInput, map_source
from stemkg.sources import Document, FileContents, Loaded, Trial, discover, read_file
from stemkg.sources.common import content_hash
from stemkg.sources.pubmed import matching
from stemkg.sources.textutil import MIN_ARTICLE_WORDS
from stemkg.store import (
    STORE_DIR,
    atomic_write,
    build_lock,
    load_ontology,
    open_store,
    replace_dir,
    sorted_quads,
    write_trig,
    write_turtle,
)
from stemkg.terms import extension, load_term_index
from stemkg.validate import ValidationReport, validate_graphs
from stemkg.vocab import (
    ONTOLOGY_GRAPH,
    RDFS,
    P,
    load_ancestors,
    load_lexicon,
    load_resources,
    shipped_terms,
)

__all__ = [
    "BuildResult",
    "Extracted",
    "FileProblem",
    "NothingToBuildError",
    "SourceSummary",
    "build",
    "evaluate_folder",
    "extract_paths",
    "software_version",
    "validate_build",
    "validate_file",
]

TRIG = "stemkg.trig"
TURTLE = "stemkg.ttl"
MANIFEST = "manifest.json"
OUTPUT_FILES = (TRIG, TURTLE, MANIFEST)

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total) as work advances."""


class NothingToBuildError(StemkgError):
    """No input file could be read, so there is nothing to build."""


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file left out of the build, and why."""

    path: Path
    message: str


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """What one source contributed."""

    key: str
    path: Path
    graph: str
    content_hash: str
    reports: int
    triples: int


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build made, what it left out, and whether the graph conforms."""

    out_dir: Path
    sources: tuple[SourceSummary, ...]
    studies: int
    triples: int
    """Triples in the source, grades and dataset graphs (the data; what ``validate`` and ``stats``
    count too)."""
    validation: ValidationReport
    problems: tuple[FileProblem, ...]
    ambiguous: tuple[Ambiguity, ...]
    warnings: tuple[FileProblem, ...] = ()
    no_study: tuple[str, ...] = ()
    """Articles that report no study (they add nothing to the graph)."""
    ontology_triples: int = 0
    """Triples of the vocabulary and term extracts, stored beside the data."""


def software_version() -> str:
    """The installed stemkg version, recorded in every graph."""
    try:
        return version("stemkg")
    except PackageNotFoundError:
        return "0+unknown"


def _remove(folder: Path, tries: int = 5) -> None:
    """Remove a folder whole; the store's background threads may still be closing files in
    it, so a failed removal is tried again (a killed build must leave no staging behind)."""
    for attempt in range(tries):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.05 * (attempt + 1))


def _noop(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Extracted:
    """What ``extract_paths`` found: one record per article, and what went wrong."""

    records: tuple[tuple[Path, RecordFile], ...]
    no_study: tuple[str, ...]
    warnings: tuple[FileProblem, ...]
    problems: tuple[FileProblem, ...]
    reasons: tuple[tuple[str, str], ...] = ()
    """For each article that gives no study: its id and why (what was found, what missing)."""


def _invalid(path: Path, what: str, exc: ValidationError) -> InputError:
    """A record extraction made that the model refuses: a bug, not bad input; say so plainly."""
    first = exc.errors()[0]
    where = ".".join(str(x) for x in first["loc"])
    return InputError(
        path, f"{what} made an invalid record at {where}: {first['msg']} (please report this)"
    )


def _extract_document(path: Path, doc: Document) -> Loaded:
    try:
        record = extract(doc, load_resources())
    except ValidationError as exc:
        raise _invalid(path, f"{doc.id}: extraction", exc) from None
    return Loaded(ids.source_key(record.source), path, content_hash(doc.text.encode()), record)


def _registry_unit(path: Path, trial: Trial) -> Loaded:
    """A registry trial's record, hashed by the fields read (one file may hold many trials)."""
    try:
        record = registry_record(trial, load_resources())
    except ValidationError as exc:
        raise _invalid(path, f"{trial.nct}: the registry mapping", exc) from None
    data = json.dumps(dataclasses.asdict(trial), sort_keys=True).encode()
    return Loaded(ids.source_key(record.source), path, content_hash(data), record)


_NO_ARTICLE = (
    f"no article found: too little prose (an article has at least {MIN_ARTICLE_WORDS} words "
    f"of text besides its headline and page furniture)"
)


@dataclass
class _Reading:
    loaded: list[Loaded] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)
    no_study: list[str] = field(default_factory=list)
    reasons: list[tuple[str, str]] = field(default_factory=list)
    corrections: list[Corrections] = field(default_factory=list)


def _read_all(
    files: list[Path],
    progress: Progress,
    *,
    named: frozenset[Path] = frozenset(),
    records: bool = True,
    match: tuple[str, ...] = (),
) -> _Reading:
    """Read every file, extract every article; a bad file in a folder becomes a problem, a bad
    file named on the command line (in ``named``) is fatal. With ``records=False`` record
    files are read (and checked) but their sources left out."""
    lexicon = load_lexicon()
    keep = matching(match) if match else None
    reading = _Reading()
    seen: dict[str, Loaded] = {}
    for n, path in enumerate(files, 1):
        try:
            contents = read_file(path, lexicon)
            units = list(contents.records) if records else []
            if contents.records and not records:
                reading.warnings.append(
                    FileProblem(path, f"{path}: a record file, not an article; nothing to extract")
                )
            reading.corrections += contents.corrections
            more, found = _units_of(path, contents, keep, progress)
            units += more
            quiet = contents.records or contents.corrections or keep is not None
            if not units and not found.no_study and not quiet:
                found.no_study.append(path.stem)
                found.warnings.append(FileProblem(path, f"{path}: {_NO_ARTICLE}"))
            reading.loaded += _new_sources(path, units, seen, reading)
            reading.no_study += found.no_study
            reading.reasons += found.reasons
            reading.warnings += found.warnings
            reading.warnings += [FileProblem(path, f"{path}: {w}") for w in contents.warnings]
        except InputError as exc:
            if path in named:
                raise
            reading.problems.append(FileProblem(path, str(exc)))
        progress("read", n, len(files))
    if reading.corrections:
        reading.loaded, stale = apply_corrections(reading.loaded, reading.corrections, lexicon)
        reading.warnings += [FileProblem(path, message) for path, message in stale]
    return reading


def _units_of(
    path: Path, contents: FileContents, keep: Callable[[Document], bool] | None, progress: Progress
) -> tuple[list[Loaded], _Reading]:
    """The sources a file's trials and articles give (those ``keep`` keeps), and the
    articles among them that report no study, with why."""
    found = _Reading()
    trials = [t for t in contents.trials if keep is None or keep(t.as_document())]
    units = [_registry_unit(path, trial) for trial in trials]
    found.warnings += [
        FileProblem(path, f"{path}: {t.nct}: could not read its {', '.join(t.unread)}; left out")
        for t in trials
        if t.unread
    ]
    skipped = len(contents.trials) - len(trials)
    for k, doc in enumerate(contents.documents, 1):
        if k % 200 == 0:
            progress("articles", k, 0)  # a baseline file holds tens of thousands
        if keep is not None and not keep(doc):
            skipped += 1
            continue
        unit = _extract_document(path, doc)
        if unit.record.reports:
            units.append(unit)
        else:
            found.no_study.append(doc.id)
            found.reasons.append((doc.id, explain(doc, load_resources())))
    if skipped:
        found.warnings.append(
            FileProblem(path, f"{path}: {skipped} left out: they name none of the --match words")
        )
    return units, found


def _new_sources(
    path: Path, units: list[Loaded], seen: dict[str, Loaded], reading: _Reading
) -> list[Loaded]:
    """The sources not read before; a source met twice is read once (same content) or
    refused (different content under one key)."""
    fresh = []
    for unit in units:
        other = seen.get(unit.key)
        if other is None:
            seen[unit.key] = unit
            fresh.append(unit)
        elif other.content_hash == unit.content_hash:
            reading.warnings.append(
                FileProblem(
                    path, f"{path}: the same source as {other.path} ({unit.key}); read once"
                )
            )
        else:  # this source is left out; the file's others still build
            reading.problems.append(
                FileProblem(
                    path,
                    f"{path}: {unit.record.source.title[:60]!r} left out: another source in "
                    f"{other.path} has the key {unit.key!r} (an article or abstract is keyed by "
                    f"its PMID or DOI, a registry record by its NCT id, a news page by its URL, "
                    f"else by its title); if one is the draft `stemkg extract` wrote from the "
                    f"other, build only one of them, else give one a `key:` in its source",
                )
            )
    return fresh


def _named(paths: list[Path]) -> frozenset[Path]:
    """The files named on the command line (not found in a folder)."""
    return frozenset(p for p in paths if p.is_file())


def extract_paths(
    paths: list[Path], progress: Progress = _noop, match: tuple[str, ...] = ()
) -> Extracted:
    """Read articles and extract their records without building anything; with ``match``,
    only the articles and citations whose text or MeSH headings name one of its words."""
    files = list(discover(paths))
    reading = _read_all(files, progress, named=_named(paths), records=False, match=match)
    return Extracted(
        tuple((u.path, u.record) for u in reading.loaded),
        tuple(reading.no_study),
        tuple(reading.warnings),
        tuple(reading.problems),
        tuple(reading.reasons),
    )


def evaluate_folder(folder: Path, progress: Progress = _noop) -> EvalReport:
    """Extract every article of an evaluation set and score it against the gold records."""
    golds = load_gold_dir(folder, load_lexicon())
    results = []
    for n, gold in enumerate(golds, 1):
        try:
            extracted = extract_paths([gold.article])
        except InputError:
            extracted = Extracted((), (), (), ())
        reports = [r for _, record in extracted.records for r in record.reports]
        results.append((gold, reports))
        progress("extract", n, len(golds))
    return score(results)


def _profile(unit: Loaded, report: Report) -> Profile:
    ancestors = load_ancestors()
    given = frozenset(
        arm.therapy.cell_type.key for arm in report.arms if arm.therapy.cell_type is not None
    )
    cells = given | frozenset(a for c in given for a in ancestors.get(c, frozenset()))
    source = unit.record.source
    condition = report.conditions[0].key if report.conditions else None
    return Profile(normalise_venue(source.venue), source.year, condition, cells, given)


def _local(record: RecordFile, report: Report) -> str:
    """Tells apart the unidentified studies of one source: by study title, else by what the
    report is about (conditions and arms), never by position."""
    if len(record.reports) == 1:
        return ""
    if report.study.title:
        return ids.title_key(report.study.title)
    about = [c.key for c in report.conditions] + sorted(a.label for a in report.arms)
    return ids.title_key(" ".join(about)) or "report"


def _conflict_problems(conflicts: tuple[Conflict, ...], loaded: list[Loaded]) -> list[FileProblem]:
    paths = {unit.key: unit.path for unit in loaded}
    found = []
    for c in conflicts:
        (first, n), *rest = c.reports
        others = ", ".join(f"{paths[k]} reports[{i}]" for k, i in rest)
        found.append(
            FileProblem(
                paths[first],
                f"{paths[first]}: reports[{n}].study: {c.token} is given to "
                f"{' and '.join(c.studies)} by different sources ({others}); sources that share "
                f"a PMID or DOI should agree on the registry id (list both ids in one report if "
                f"it pools the trials); the studies are kept apart",
            )
        )
    return found


def _graded(unit: Loaded, keys: tuple[str, ...]) -> list[GradedReport]:
    """The reports of one mapped source, ready for grading."""
    return [
        GradedReport(
            ids.study_iri(key),
            ids.report_iri(unit.key, key),
            ReportDesign.of(report, unit.record.source),
        )
        for key, report in zip(keys, unit.record.reports, strict=True)
    ]


def _map_all(
    loaded: list[Loaded], problems: list[FileProblem], warnings: list[FileProblem]
) -> tuple[dict[str, list[Quad]], dict[str, Loaded], tuple[Ambiguity, ...]]:
    """Link and map every source; the grades graph is added as one graph more."""
    refs = [
        ReportRef(unit.key, n, report.study, _profile(unit, report), _local(unit.record, report))
        for unit in loaded
        for n, report in enumerate(unit.record.reports)
    ]
    linking = link_studies(refs)
    warnings += _conflict_problems(linking.conflicts, loaded)
    graphs: dict[str, list[Quad]] = {}
    units: dict[str, Loaded] = {}
    graded: list[GradedReport] = []
    for unit in loaded:
        keys = tuple(linking.keys[(unit.key, n)] for n in range(len(unit.record.reports)))
        src = SourceInput(
            unit.key, unit.path.name, unit.content_hash, unit.record, keys, software_version()
        )
        try:
            quads = map_source(src)
        except MappingError as exc:
            problems.append(FileProblem(unit.path, f"{unit.path}: {exc}"))
            continue
        graphs[ids.graph_iri(unit.key)] = quads
        units[ids.graph_iri(unit.key)] = unit
        graded += _graded(unit, keys)
    if graphs:
        graphs[GRADES_GRAPH] = grade_quads(graded, load_table())
    return graphs, units, linking.ambiguous


_TERM_PREDICATES = frozenset(
    NamedNode(p)
    for p in (P.cellType, P.targetCell, P.sourceTissue, P.condition, P.route, P.species, P.measure)
)


def _term_extension(graphs: dict[str, list[Quad]]) -> list[Quad]:
    """Labels and subclass chains of the table terms the data uses that the shipped extracts
    lack, for the ontology graph (so queries show labels and the shapes walk to the roots)."""
    known = {ids.compress(iri) for iri in shipped_terms()}
    used = {
        ids.compress(q.object.value)
        for quads in graphs.values()
        for q in quads
        if q.predicate in _TERM_PREDICATES and isinstance(q.object, NamedNode)
    }
    used = {c for c in used if not c.startswith("http") and ":" in c}
    if not used - known:
        return []
    graph = NamedNode(ONTOLOGY_GRAPH)
    label, sub = NamedNode(RDFS + "label"), NamedNode(RDFS + "subClassOf")
    quads = []
    for curie, what, value in extension(used, frozenset(known), load_term_index()):
        subject = NamedNode(ids.expand(curie))
        if what == "label":
            quads.append(Quad(subject, label, Literal(value), graph))
        else:
            quads.append(Quad(subject, sub, NamedNode(ids.expand(value)), graph))
    return quads


def _write_outputs(store: Store, out_dir: Path, manifest: dict[str, object]) -> int:
    quads = sorted_quads(store)
    write_trig(quads, out_dir / TRIG)
    write_turtle(quads, out_dir / TURTLE)
    with atomic_write(out_dir / MANIFEST) as handle:
        handle.write(json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n")
    return len(quads)


def _shown(path: Path, roots: list[Path]) -> str:
    """A file as the manifest names it: relative to the folder given on the command line
    (``data/records/oh.yaml`` for ``build data``), so two files of one name stay apart and
    the name does not depend on the working directory."""
    for root in roots:
        if root.is_dir() and root.resolve() in path.resolve().parents:
            return f"{root.resolve().name}/{path.resolve().relative_to(root.resolve())}"
    return path.name


def _manifest(
    sources: list[SourceSummary],
    problems: list[FileProblem],
    roots: list[Path],
    no_study: list[tuple[str, str]] | None = None,
    corrections: tuple[list[Corrections], list[FileProblem]] = ([], []),
) -> dict[str, object]:
    files, warnings = corrections
    return {
        "corrections": [
            {
                "file": _shown(c.path, roots),
                "content_hash": content_hash(c.path.read_bytes()),
                "curator": c.file.curator,
                "date": c.file.date,
                "patches": len(c.file.corrections),
                "not_applied": sum(1 for w in warnings if w.path == c.path),
            }
            for c in files
        ],
        "no_study": [{"article": article, "why": why} for article, why in no_study or []],
        "stemkg_version": software_version(),
        "sources": [
            {
                "key": s.key,
                "file": _shown(s.path, roots),
                "graph": s.graph,
                "content_hash": s.content_hash,
                "reports": s.reports,
                "triples": s.triples,
            }
            for s in sources
        ],
        "left_out": [
            {"file": _shown(p.path, roots), "problem": p.message.split(": ", 1)[-1]}
            for p in problems
        ],
    }


def _nothing_read(
    reading: _Reading, paths: list[Path], files: list[Path], match: tuple[str, ...]
) -> str:
    """Why a build found nothing, when no file was bad."""
    if reading.no_study:
        return f"the {len(reading.no_study)} article(s) report no study"
    if files and match:
        words = ", ".join(repr(w) for w in match)
        return f"none of the {len(files)} file(s) holds an article or record naming {words}"
    return f"no input files in {', '.join(str(p) for p in paths)}"


def _commit(staging: Path, out_dir: Path) -> None:
    """Move a finished build into place: files first, the store last."""
    for name in OUTPUT_FILES:
        os.replace(staging / name, out_dir / name)
    replace_dir(staging / STORE_DIR, out_dir / STORE_DIR)


def build(
    paths: list[Path], out_dir: Path, progress: Progress = _noop, match: tuple[str, ...] = ()
) -> BuildResult:
    """Build the graph of exactly these inputs into ``out_dir``, replacing what was there
    (with ``match``, only the articles and citations naming one of its words).

    Everything is written into a staging folder inside ``out_dir`` and moved into place only
    when complete, so an interrupted build leaves the previous outputs as they were.
    """
    with build_lock(out_dir):
        for stale in out_dir.glob(".build-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        inside = out_dir.resolve()
        files = [f for f in discover(paths) if inside not in f.resolve().parents]
        reading = _read_all(files, progress, named=_named(paths), match=match)
        loaded, problems = reading.loaded, reading.problems
        if not loaded:
            named = "; ".join(p.message for p in problems)
            if not named:
                named = _nothing_read(reading, paths, files, match)
            raise NothingToBuildError(f"nothing could be built: {named}")
        graphs, units, ambiguous = _map_all(loaded, problems, reading.warnings)
        if not graphs:
            raise NothingToBuildError("nothing could be built: every source failed to map")
        keys = [u.key for u in units.values()]
        graphs[DATASET_GRAPH] = describe(graphs, keys, software_version())
        count = len(graphs)
        extension = _term_extension(graphs)
        report = validate_graphs(
            sorted(graphs.items()),
            progress=lambda n: progress("validate", n, count),
            ontology=extension,
            grades=graphs[GRADES_GRAPH],
        )
        sources = [
            SourceSummary(u.key, u.path, g, u.content_hash, len(u.record.reports), len(graphs[g]))
            for g, u in sorted(units.items())
        ]
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
        store: Store | None = None
        try:
            store = Store(str(staging / STORE_DIR))
            store.bulk_extend(q for g in sorted(graphs) for q in graphs[g])
            load_ontology(store)
            store.bulk_extend(extension)
            unapplied = [
                w for w in reading.warnings if any(w.path == c.path for c in reading.corrections)
            ]
            manifest = _manifest(
                sources, problems, paths, reading.reasons, (reading.corrections, unapplied)
            )
            total = _write_outputs(store, staging, manifest)
            ontology = sum(1 for _ in store.quads_for_pattern(None, None, None, _ONTOLOGY))
            store.flush()
            store = None  # closes the store before its files move
            _commit(staging, out_dir)
        finally:
            store = None  # a store still open can write files while they are removed
            _remove(staging)
        studies = len({q.subject for g in graphs.values() for q in g if _is_study(q)})
        return BuildResult(
            out_dir,
            tuple(sources),
            studies,
            total - ontology,
            report,
            tuple(problems),
            ambiguous,
            tuple(reading.warnings),
            tuple(reading.no_study),
            ontology,
        )


_STUDY_KEY = NamedNode(P.studyKey)
_ONTOLOGY = NamedNode(ONTOLOGY_GRAPH)


def _is_study(quad: Quad) -> bool:
    return quad.predicate == _STUDY_KEY


def _graphs_of(quads: Iterable[Quad]) -> Iterator[tuple[str, list[Quad]]]:
    grouped: dict[str, list[Quad]] = defaultdict(list)
    for quad in quads:
        graph = quad.graph_name
        grouped[graph.value if isinstance(graph, NamedNode) else "(default graph)"].append(quad)
    yield from sorted(grouped.items())


def validate_build(out_dir: Path) -> ValidationReport:
    """Validate every source graph of a finished build."""
    store = open_store(out_dir)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
    ontology = list(store.quads_for_pattern(None, None, None, NamedNode(ONTOLOGY_GRAPH)))
    grades = list(store.quads_for_pattern(None, None, None, NamedNode(GRADES_GRAPH)))
    return validate_graphs(
        (
            (name, list(store.quads_for_pattern(None, None, None, NamedNode(name))))
            for name in names
        ),
        ontology=ontology,
        grades=grades,
    )


_FORMATS = {
    ".trig": RdfFormat.TRIG,
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".jsonld": RdfFormat.JSON_LD,
}


def validate_file(path: Path) -> ValidationReport:
    """Validate an RDF file: each named graph on its own, the default graph as one."""
    if path.is_dir():
        raise InputError(path, "is a folder; to validate a build, use --build FOLDER")
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, f"not an RDF file stemkg reads ({', '.join(_FORMATS)})")
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        quads = list(parse(path=str(path), format=fmt))
    except SyntaxError as exc:
        raise InputError(path, f"RDF does not parse: {exc}") from None
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot be read: {exc}") from None
    if not quads:
        raise InputError(path, "holds no triples")
    ontology = [q for q in quads if q.graph_name == NamedNode(ONTOLOGY_GRAPH)]
    grades = [q for q in quads if q.graph_name == NamedNode(GRADES_GRAPH)]
    return validate_graphs(_graphs_of(quads), ontology=ontology, grades=grades)
