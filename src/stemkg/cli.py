"""The command line: parse arguments, call one library function, render, map errors to exits.

Exit codes: 0 success (or conforms), 1 ran but the data does not conform, 2 bad input or usage.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stemkg import evalset, export_formats, pipeline, query
from stemkg import export as export_mod
from stemkg import fetch as fetch_mod
from stemkg import html as html_mod
from stemkg.errors import StemkgError
from stemkg.extract.summary import summarise
from stemkg.ids import compress
from stemkg.kgx import write_kgx
from stemkg.model import RecordFile, record_json_schema
from stemkg.sources.migration import migrate_file
from stemkg.store import atomic_write, open_store
from stemkg.validate import ValidationReport, report_graph
from stemkg.vocab import ID, load_lexicon

app = typer.Typer(
    name="stemkg",
    help="Build, validate, query and export a knowledge graph of stem-cell therapy evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"stemkg {pipeline.software_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Build, validate, query and export a knowledge graph of stem-cell therapy evidence."""


F = TypeVar("F", bound=Callable[..., Any])

BuildDir = Annotated[
    Path, typer.Option("--build", "-b", help="Folder of a finished build.", show_default=True)
]


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handles_errors(func: F) -> F:
    """Turn stemkg's own errors into one line on stderr and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StemkgError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted; the previous outputs are unchanged", 130)

    return wrapper  # type: ignore[return-value]


def _show_report(report: ValidationReport, limit: int = 50) -> None:
    """One line per SHACL result: source graph, focus node, path, message."""
    for v in report.violations[:limit]:
        path = f" {compress(v.path)}" if v.path else ""
        err.print(
            f"[red]{v.severity.lower()}:[/] {compress(v.graph)} {compress(v.focus)}{path}: "
            f"{v.message}",
            highlight=False,
            soft_wrap=True,
        )
    if len(report.violations) > limit:
        err.print(f"... and {len(report.violations) - limit} more")


@contextmanager
def _progress() -> Iterator[pipeline.Progress]:
    bars = Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total)
        if stage == "validate":
            bars.advance(tasks[stage], done)
        else:
            bars.update(tasks[stage], completed=done, total=total or None)

    with bars:
        yield update


_MATCH = typer.Option(
    "--match",
    "-m",
    help="Read only the articles and citations whose text or MeSH headings name this word "
    "(repeat for any of several), e.g. to keep the stem-cell citations of a MEDLINE baseline file.",
)


@app.command()
@handles_errors
def build(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files and folders of articles and records (default: data/)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("build"),
    match: Annotated[list[str] | None, _MATCH] = None,
) -> None:
    """Build the graph from articles and records into OUT (store, TriG, Turtle, manifest)."""
    with _progress() as progress:
        result = pipeline.build(paths or [Path("data")], out_dir, progress, tuple(match or ()))
    for problem in (*result.warnings, *result.problems):
        err.print(f"[yellow]warning:[/] {escape(problem.message)}", highlight=False, soft_wrap=True)
    for amb in result.ambiguous:
        names = ", ".join(amb.candidates)
        err.print(
            f"[yellow]ambiguous:[/] source {amb.source_key} reports[{amb.index}] could be {names}",
            highlight=False,
        )
    _show_report(result.validation)
    table = Table(title=f"stemkg build → {result.out_dir}")
    table.add_column("what")
    table.add_column("count", justify="right")
    reports = sum(s.reports for s in result.sources)
    violations = len(result.validation.violations)
    shacl = "conforms" if result.validation.conforms else f"{violations} violation(s)"
    for what, count in (
        ("sources", str(len(result.sources))),
        ("study reports", str(reports)),
        ("studies", str(result.studies)),
        ("triples in source graphs", str(result.triples)),
        ("ontology triples", str(result.ontology_triples)),
        ("articles reporting no study", str(len(result.no_study))),
        ("ambiguous matches kept apart", str(len(result.ambiguous))),
        ("files left out", str(len(result.problems))),
        ("SHACL", shacl),
    ):
        table.add_row(what, count)
    out.print(table)
    if not result.validation.conforms:
        raise typer.Exit(1)


class ReportFormat(StrEnum):
    """Output formats of ``stemkg validate``."""

    text = "text"
    ttl = "ttl"
    nt = "nt"


@app.command()
@handles_errors
def validate(
    file: Annotated[
        Path | None,
        typer.Argument(help="RDF file (.trig .ttl .nt .nq .jsonld); default: the build"),
    ] = None,
    build_dir: BuildDir = Path("build"),
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="text, or the SHACL report graph as ttl or nt."),
    ] = ReportFormat.text,
) -> None:
    """Validate with the SHACL shapes; exit 0 conforms, 1 does not, 2 bad input."""
    report = pipeline.validate_file(file) if file else pipeline.validate_build(build_dir)
    if fmt is not ReportFormat.text:
        graph = report_graph(report)
        sys.stdout.write(graph.serialize(format="turtle" if fmt is ReportFormat.ttl else "nt"))
        sys.stdout.flush()
        raise typer.Exit(0 if report.conforms else 1)
    _show_report(report)
    verdict = "conforms" if report.conforms else f"{len(report.violations)} violation(s)"
    out.print(f"{report.graphs} source graph(s), {report.triples} triples: {verdict}")
    if not report.conforms:
        raise typer.Exit(1)


@app.command("queries")
@handles_errors
def list_queries() -> None:
    """List the named queries with their parameters."""
    table = Table(title="named queries (stemkg query NAME --param name=value)")
    table.add_column("name", no_wrap=True)  # a name to copy, never cut
    table.add_column("title")
    table.add_column("parameters")
    for q in query.list_queries():
        params = ", ".join(f"{p.name} ({p.kind})" for p in q.params)
        table.add_row(q.name, q.title, params)
    out.print(table)


Fmt = query.OutputFormat


def _params(values: list[str]) -> dict[str, str]:
    parsed = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name:
            _fail(f"--param {value!r}: write it as name=value")
        if name.strip() in parsed:
            _fail(f"--param {name.strip()} is given twice; a parameter takes one value")
        parsed[name.strip()] = rest.strip()
    return parsed


def _the_query(name: str | None, text: str | None) -> query.NamedQuery:
    """A named query, a .rq file, ``-`` (standard input) or ``--query TEXT``."""
    if (name is None) == (text is None):
        _fail("give a query: a name (stemkg queries), a .rq file, - for standard input, or --query")
    if text is not None:
        return query.query_from_text(text, "--query")
    if name == "-":
        return query.query_from_text(sys.stdin.read(), "<stdin>")
    return query.load_query(str(name))


def _shown(result: query.QueryResult, columns: str | None) -> list[int]:
    """The columns a table shows: those asked for, else all that fit the terminal, leaving out
    an IRI column whose label column is beside it ("route" when "routeLabel" is shown)."""
    names = list(result.variables)
    if columns:
        wanted = [c.strip().lstrip("?") for c in columns.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in names]
        if unknown:
            _fail(f"--columns: no column {', '.join(unknown)}; the query gives {', '.join(names)}")
        return [names.index(c) for c in wanted]
    keep = list(range(len(names)))
    widths = [max([len(n)] + [len(r[i] or "") for r in result.rows]) for i, n in enumerate(names)]
    for i, name in enumerate(names):
        if sum(min(widths[k], 30) + 3 for k in keep) <= out.width:
            break
        if f"{name}Label" in names or f"{name}Name" in names:
            keep.remove(i)
    return keep


def _fits(result: query.QueryResult, shown: list[int]) -> bool:
    """Whether the columns fit the terminal without breaking an identifier or a short word."""
    need = 0
    for i in shown:
        cells = [row[i] or "" for row in result.rows] + [result.variables[i]]
        word = max((len(w) for c in cells for w in c.split()), default=0)
        need += min(max(word, 8), 24) + 3
    return need <= out.width


def _records(result: query.QueryResult, shown: list[int], title: str) -> None:
    """Rows too wide for the terminal, one block per row: ``name: value`` lines."""
    out.print(f"[bold]{escape(title)}[/]")
    width = max(len(result.variables[i]) for i in shown)
    for n, row in enumerate(result.rows, 1):
        out.print(f"[dim]── row {n} ──[/]")
        for i in shown:
            if row[i]:
                out.print(
                    f"{result.variables[i]:>{width}}  {escape(row[i] or '')}", highlight=False
                )
    out.print(f"{len(result.rows)} row(s), one block each (too wide for a table here; --columns)")


@app.command("query")
@handles_errors
def run_query(
    name: Annotated[
        str | None,
        typer.Argument(help="Named query (`stemkg queries`), a .rq file, or - for standard input."),
    ] = None,
    text: Annotated[str | None, typer.Option("--query", "-q", help="The query text.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="name=value; repeatable.")
    ] = None,
    fmt: Annotated[
        Fmt,
        typer.Option(
            "--format",
            "-f",
            help="table; SPARQL 1.1 results json, csv, tsv, xml (SELECT, ASK); ttl or nt "
            "(CONSTRUCT, DESCRIBE).",
        ),
    ] = Fmt.TABLE,
    columns: Annotated[
        str | None, typer.Option("--columns", "-c", help="Table columns to show: a,b,c.")
    ] = None,
    build_dir: BuildDir = Path("build"),
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) against the build, with parameters
    bound as RDF terms."""
    named = _the_query(name, text)
    store = open_store(build_dir)
    bound = query.bind(named, _params(param or []), load_lexicon(), store=store)
    if fmt is not Fmt.TABLE:
        data = query.serialize_query(store, named, bound, fmt)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    result = query.run_query(store, named, bound)
    if result.boolean is not None:
        out.print("yes" if result.boolean else "no")
        return
    shown = _shown(result, columns)
    table = Table(title=named.title)
    if columns is None and not _fits(result, shown):
        _records(result, list(range(len(result.variables))), named.title)
        return
    for i in shown:
        table.add_column(result.variables[i], overflow="fold")
    for row in result.rows:
        table.add_row(*(escape(row[i] or "") for i in shown))
    out.print(table)
    hidden = [] if columns else [v for i, v in enumerate(result.variables) if i not in shown]
    note = f"; not shown: {', '.join(hidden)} (--columns, or --format csv)" if hidden else ""
    out.print(f"{len(result.rows)} row(s){note}")


class RecordFormat(StrEnum):
    """Output formats of ``stemkg extract``."""

    json = "json"
    yaml = "yaml"


_FIRST = ("id", "label", "value")


def _readable(node: Any) -> Any:
    """Values before their evidence: ``{"id", "label", "quote", "start", ...}``."""
    if isinstance(node, dict):
        keys = sorted(node, key=lambda k: _FIRST.index(k) if k in _FIRST else len(_FIRST))
        return {k: _readable(node[k]) for k in keys}
    if isinstance(node, list):
        return [_readable(x) for x in node]
    return node


def _dump(record: RecordFile) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return dict(_readable(data))


@app.command("extract")
@handles_errors
def extract_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Articles: files or folders.")],
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.json,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Say what was read in each article (with the rule where it was inferred), "
            "and for each article with no study what was missing.",
        ),
    ] = False,
    match: Annotated[list[str] | None, _MATCH] = None,
) -> None:
    """Extract study records from articles, citations and registry records and print them
    (JSON list or YAML records)."""
    with _progress() as progress:
        result = pipeline.extract_paths(paths, progress, tuple(match or ()))
    if explain:
        for article, reason in result.reasons:
            said = escape(f"{article}: {reason}")
            err.print(f"[cyan]no study:[/] {said}", highlight=False, soft_wrap=True)
        for path, record in result.records:
            for line in summarise(record):
                err.print(
                    f"[cyan]found:[/] {escape(f'{path}: {line}')}", highlight=False, soft_wrap=True
                )
    fatal = bool(result.problems) and not result.records and not result.no_study
    for problem in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(problem.message)}", highlight=False, soft_wrap=True)
    for problem in result.problems:
        label = "[bold red]error:[/]" if fatal else "[yellow]warning:[/]"
        err.print(f"{label} {escape(problem.message)}", highlight=False, soft_wrap=True)
    if fatal:
        raise typer.Exit(2)
    records = [_dump(record) for _, record in result.records]
    if fmt is RecordFormat.json:
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    elif not records:
        sys.stdout.write("[]\n")
    else:
        sys.stdout.write(
            yaml.safe_dump_all(records, sort_keys=False, allow_unicode=True, width=100)
        )


def _fetch_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stemkg" / "fetch"


@app.command("fetch")
@handles_errors
def fetch_cmd(
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="pmid:26751635, nct:NCT01363401 (bare PMIDs and NCT ids too)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path(
        "fetched"
    ),
    pubmed: Annotated[
        str | None, typer.Option("--pubmed", help="A PubMed query (esearch); its hits are fetched.")
    ] = None,
    trials: Annotated[
        str | None, typer.Option("--trials", help="A ClinicalTrials.gov query (v2 query.term).")
    ] = None,
    limit: Annotated[int, typer.Option("--max", min=1, help="Most records per query.")] = 100,
    email: Annotated[
        str | None,
        typer.Option("--email", help="Your address, sent to NCBI as it asks (or NCBI_EMAIL)."),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ask again even if cached.")] = False,
) -> None:
    """Download PubMed XML and ClinicalTrials.gov v2 JSON into OUT, ready for build."""
    if not ids and not pubmed and not trials:
        _fail("nothing to fetch: give ids, --pubmed QUERY or --trials QUERY")
    with _progress() as progress:
        fetcher = fetch_mod.Fetcher(
            out_dir,
            email=email,
            cache_dir=None if no_cache else _fetch_cache(),
            progress=progress,
        )
        result = fetch_mod.fetch(
            fetcher, ids or [], pubmed_query=pubmed, trials_query=trials, limit=limit
        )
    out.print(
        f"fetched {result.pubmed} PubMed citation(s) and {result.trials} trial record(s) into "
        f"{len(result.files)} file(s) in {out_dir} ({result.requests} request(s), "
        f"{result.cached} from the cache)",
        highlight=False,
    )
    if result.missing:
        err.print(f"[yellow]warning:[/] {result.missing} PMID(s) have no PubMed record; skipped")


class ExportFormat(StrEnum):
    """Formats of ``stemkg export``: networks of a view, or the whole build as RDF."""

    graphml = "graphml"
    gexf = "gexf"
    cyjs = "cyjs"
    csv = "csv"
    kgx = "kgx"
    html = "html"
    jsonld = "jsonld"
    nt = "nt"
    nq = "nq"
    trig = "trig"
    ttl = "ttl"


_NETWORK_WRITERS: dict[str, Callable[[Any, Path], None]] = {
    ExportFormat.graphml: export_mod.write_graphml,
    ExportFormat.gexf: export_formats.write_gexf,
    ExportFormat.cyjs: export_mod.write_cyjs,
    ExportFormat.csv: export_formats.write_csv,
}


def _choice(enum: type[StrEnum], option: str, value: str) -> Any:
    """An enum member by value, or a one-line error listing the choices."""
    try:
        return enum(value)
    except ValueError:
        _fail(f"{option}: unknown value {value!r}; one of {', '.join(enum)}")


def _export_whole(store: Any, fmt: ExportFormat, out_file: Path) -> None:
    """KGX TSV or the HTML evidence browser, both of the full network."""
    if fmt is ExportFormat.kgx:
        nodes_tsv, edges_tsv, kgx_rows = write_kgx(store, out_file)
        nodes, edges = len(kgx_rows.nodes), len(kgx_rows.edges)
        out.print(f"wrote {nodes_tsv} ({nodes} nodes) and {edges_tsv} ({edges} edges)")
        return
    s = html_mod.write_html(store, out_file)  # an offline evidence browser, not a network file
    out.print(f"wrote {out_file}: {s.studies} studies, {s.terms} terms, {s.quotes} quotes")


@app.command()
@handles_errors
def export(
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="File to write (a folder for csv).")
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(ExportFormat)}.")
    ] = "graphml",
    view: Annotated[
        str, typer.Option("--view", help=f"Network: {', '.join(export_mod.View)}.")
    ] = "full",
    condition: Annotated[
        str | None, typer.Option(help="Only arms for this condition or a narrower one.")
    ] = None,
    cell_type: Annotated[
        str | None, typer.Option(help="Only arms given this cell type or a narrower one.")
    ] = None,
    route: Annotated[
        str | None, typer.Option(help="Only arms given cells by this route or a narrower one.")
    ] = None,
    build_dir: BuildDir = Path("build"),
) -> None:
    """Export a network view (GraphML, GEXF, Cytoscape.js, CSV), the build's RDF, KGX TSV (--out
    is a prefix: OUT_nodes.tsv and OUT_edges.tsv, or a folder to get stemkg_*.tsv) or an offline
    HTML evidence browser."""
    chosen = _choice(ExportFormat, "--format", fmt)
    shown = _choice(export_mod.View, "--view", view)
    filters = export_mod.Filters(condition=condition, cell_type=cell_type, route=route)
    store = open_store(build_dir)
    if chosen in (ExportFormat.kgx, ExportFormat.html):
        if shown is not export_mod.View.full or filters.given():
            _fail(
                f"--view and filters choose a network view; --format {chosen} writes the full one"
            )
        _export_whole(store, chosen, out_file)
        return
    writer = _NETWORK_WRITERS.get(chosen)
    if writer is None and chosen not in export_formats.RDF_FORMATS:
        _fail(f"--format {chosen} has no writer yet")
    if writer is None:
        if shown is not export_mod.View.full or filters.given():
            _fail(f"--view and filters choose a network; --format {chosen} writes the whole build")
        export_formats.write_rdf(store, chosen, out_file)
        out.print(f"wrote {out_file}: the whole build as {chosen}", highlight=False)
        return
    graph = export_mod.network(store, shown, filters)
    writer(graph, out_file)
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    out.print(f"wrote {out_file}: {nodes} nodes, {edges} edges", highlight=False)


@app.command()
@handles_errors
def stats(build_dir: BuildDir = Path("build")) -> None:
    """Studies by condition, route and study type; unmapped terms; the counts of the build."""
    s = query.stats(open_store(build_dir))
    out.print(
        f"{s.sources} sources, {s.reports} study reports, {s.studies} studies, "
        f"{s.triples} triples in source graphs (+ {s.ontology_triples} ontology triples)"
    )
    for title, rows in (
        ("studies by condition", s.by_condition),
        ("studies by route", s.by_route),
        ("studies by study type", s.by_study_type),
    ):
        table = Table(title=title)
        table.add_column("term")
        table.add_column("studies", justify="right")
        for label, count in rows:
            table.add_row(label, str(count))
        out.print(table)
    table = Table(title="unmapped terms (no shipped term fits)")
    for column in ("term", "kind"):
        table.add_column(column)
    table.add_column("used by", justify="right")
    for label, kind, count in s.unmapped:
        table.add_row(label, kind, str(count))
    out.print(table if s.unmapped else "unmapped terms: none")


@app.command()
@handles_errors
def schema(
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of curated record files (for editors and CI checks)."""
    text = json.dumps(record_json_schema(), indent=2, sort_keys=True) + "\n"
    if out_file is None:
        sys.stdout.write(text)
        return
    with atomic_write(out_file) as handle:
        handle.write(text.encode())
    out.print(f"wrote {out_file}")


@app.command()
@handles_errors
def migrate(
    files: Annotated[list[Path], typer.Argument(help="Record files (.yaml, .yml, .json).")],
    write: Annotated[
        bool, typer.Option("--write", "-w", help="Rewrite the files (default: only show).")
    ] = False,
) -> None:
    """Convert schema_version 1 record files to version 2, keeping comments."""
    lexicon = load_lexicon()
    results = [migrate_file(path, lexicon) for path in files]  # all checked before any write
    for result in results:
        if not result.changed:
            out.print(f"{result.path}: already schema_version 2", highlight=False, soft_wrap=True)
            continue
        for note in result.notes:
            out.print(f"{result.path}: {note}", highlight=False, soft_wrap=True)
        if write:
            with atomic_write(result.path) as handle:
                handle.write(result.text.encode("utf-8"))
            out.print(
                f"{result.path}: rewritten as schema_version 2", highlight=False, soft_wrap=True
            )
    if not write and any(r.changed for r in results):
        out.print("nothing written; add --write to rewrite the files")


@app.command("merge")
@handles_errors
def merge_cmd(
    graphs: Annotated[list[Path], typer.Argument(help="Graphs: .ttl .nt .trig .nq .jsonld .rdf")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="The merged TriG file.")],
    build: Annotated[Path | None, typer.Option("--build", "-b", help="Add this build.")] = None,
) -> None:
    """Merge graphs (and a build) into one TriG file, identifiers normalised."""
    from stemkg.merge import merge

    result = merge(graphs, out_file, build=build)
    out.print(
        f"{result.triples_in} triples in from {len(result.inputs)} inputs, "
        f"{result.duplicates} duplicates collapsed, {result.rewritten} identifiers rewritten, "
        f"{result.quads_out} quads written to {out_file}",
        highlight=False,
        soft_wrap=True,
    )
    if result.conflicts:
        table = Table("study", "property", "value", "input", title="conflicting study values")
        for c in result.conflicts:
            study = c.study.removeprefix(ID)  # the study's stable end, as query tables show it
            table.add_row(study, compress(c.property), compress(c.value), c.input)
        out.print(table)


class DiffFormat(StrEnum):
    """Output formats of ``stemkg diff``."""

    table = "table"
    json = "json"


@app.command("diff")
@handles_errors
def diff_cmd(
    build_a: Annotated[Path, typer.Argument(help="The earlier build.")],
    build_b: Annotated[Path, typer.Argument(help="The later build.")],
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="table or json.")
    ] = DiffFormat.table,
) -> None:
    """What changed between two builds: studies, reports and values."""
    from stemkg.diff import diff_builds

    result = diff_builds(build_a, build_b)
    if fmt == DiffFormat.json:
        out.print_json(json.dumps(result.to_json()))
        return
    for kind in sorted(result.added):
        for iri in result.added[kind]:
            out.print(f"+ {kind} {compress(iri)}", highlight=False)
        for iri in result.removed[kind]:
            out.print(f"- {kind} {compress(iri)}", highlight=False)
    table = Table("node", "property", "change", "old", "new", title="values")
    for v in result.values:
        table.add_row(
            compress(v.node), compress(v.predicate), v.change, ", ".join(v.old), ", ".join(v.new)
        )
    out.print(table)


def _stop(signum: int, frame: object) -> None:
    """SIGTERM stops the endpoint as Ctrl+C does, so the engine child is stopped too."""
    raise KeyboardInterrupt


@app.command("serve")
@handles_errors
def serve_cmd(
    build_dir: BuildDir = Path("build"),
    port: Annotated[
        int, typer.Option("--port", "-p", help="Port to listen on (0: any free).")
    ] = 7878,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    timeout: Annotated[
        int, typer.Option("--timeout", min=1, help="Time limit of one query, in seconds.")
    ] = 30,
    allow_service: Annotated[
        list[str] | None,
        typer.Option("--allow-service", help="A host queries may call with SERVICE (repeatable)."),
    ] = None,
) -> None:
    """Serve the build read-only as a SPARQL 1.1 endpoint (the Oxigraph server behind a front
    that refuses updates, malformed queries and SERVICE calls to other hosts)."""
    from stemkg.serve import Endpoint, ServeConfig

    allowed = frozenset(h.lower() for h in allow_service or [])
    endpoint = Endpoint(ServeConfig(build_dir, host, port, timeout, allowed))
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        endpoint.start()
        root = endpoint.url.removesuffix("/sparql") + "/"
        out.print(
            f"SPARQL endpoint {endpoint.url} (named queries: {root})\n"
            f"serving {build_dir} read-only; press Ctrl+C to stop",
            highlight=False,
            soft_wrap=True,
        )
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.close()
        signal.signal(signal.SIGTERM, previous)
    err.print("stopped")


@app.command("eval")
@handles_errors
def eval_cmd(
    folder: Annotated[Path, typer.Argument(help="An evaluation set: articles/ and gold/.")],
    check: Annotated[
        bool, typer.Option("--check", help="Only check the gold files (no extraction).")
    ] = False,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the scores and misses as JSON.")
    ] = None,
    misses: Annotated[bool, typer.Option("--misses", help="List every disagreement.")] = False,
) -> None:
    """Score extraction against an evaluation set's gold records (per-field P/R/F1)."""
    if check:
        golds, outside = evalset.check_gold_dir(folder, load_lexicon())
        reports = sum(len(g.record.reports) for g in golds)
        out.print(f"{len(golds)} gold files, {reports} study reports: the gold is well formed")
        if outside:
            shown = ", ".join(outside[:12]) + (", ..." if len(outside) > 12 else "")
            out.print(
                f"note: {len(outside)} identifier(s) stemkg's lexicon and term tables do not hold "
                f"(check each in its ontology; an obsolete or mistyped id shows here): {shown}"
            )
        return
    with _progress() as progress:
        report = pipeline.evaluate_folder(folder, progress)
    _show_eval(report, misses)
    if json_file is not None:
        with atomic_write(json_file) as handle:
            handle.write(json.dumps(evalset.as_json(report), indent=2).encode() + b"\n")


def _show_eval(report: evalset.EvalReport, misses: bool) -> None:
    table = Table(title=f"stemkg eval: {report.articles} articles")
    for column in ("field", "precision", "recall", "F1", "right", "wrong", "missed"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for s in (*report.fields, report.micro):
        table.add_row(
            s.field,
            f"{s.precision:.2f}",
            f"{s.recall:.2f}",
            f"{s.f1:.2f}",
            str(s.tp),
            str(s.fp),
            str(s.fn),
        )
    out.print(table)
    out.print(
        f"studies: {report.gold_studies} in the gold, {report.found_studies} extracted, "
        f"{report.paired_studies} paired, {report.missed_studies} missed, "
        f"{len(report.invented)} invented; {len(report.flipped)} findings flipped"
    )
    for m in report.flipped:
        out.print(f"flipped: {m.article}: gold {m.expected}, found {m.found}", highlight=False)
    for name in report.invented:
        out.print(f"invented: {name}", highlight=False)
    if misses:
        for m in report.misses:
            out.print(
                f"{m.article} {m.field}: expected {m.expected or '-'}, found {m.found or '-'}",
                highlight=False,
                soft_wrap=True,
            )


def main() -> None:
    """Entry point for ``python -m stemkg``."""
    app()
