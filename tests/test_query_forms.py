"""Query forms and result formats: SELECT, ASK, CONSTRUCT, DESCRIBE; SPARQL 1.1 JSON, CSV, TSV
and XML results as the W3C formats say; parameters the query does not project; the CLI's
ways to give a query and its tables at a narrow terminal."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import rdflib
from typer.testing import CliRunner

from stemkg import query
from stemkg.errors import QueryError
from stemkg.lexicon import Lexicon
from stemkg.pipeline import BuildResult
from stemkg.store import open_store
from stemkg.vocab import ID

S = "PREFIX s: <https://w3id.org/stemkg/vocab/>\n"
STUDIES = S + "SELECT DISTINCT ?study WHERE { ?study a s:Study } ORDER BY ?study"
ROUTED = S + (
    "SELECT DISTINCT ?study WHERE { ?arm s:therapy/s:route ?route ; s:armOf/s:aboutStudy ?study }"
    " ORDER BY ?study"
)
RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def _bytes(built: BuildResult, text: str, fmt: query.OutputFormat, **params: str) -> bytes:
    named = query.query_from_text(text)
    store = open_store(built.out_dir)
    from stemkg.vocab import load_lexicon

    bound = query.bind(named, params, load_lexicon(), store=store)
    return query.serialize_query(store, named, bound, fmt)


def _studies(built: BuildResult) -> list[str]:
    named = query.query_from_text(STUDIES)
    return [r[0] or "" for r in query.run_query(open_store(built.out_dir), named, {}).rows]


def test_csv_header_is_the_variable_names_and_tsv_writes_turtle_terms(built: BuildResult) -> None:
    text = (
        S + "SELECT DISTINCT ?study ?n WHERE { ?study a s:Study . BIND (1 AS ?n) } ORDER BY ?study"
    )
    rows = list(csv.reader(io.StringIO(_bytes(built, text, query.OutputFormat.CSV).decode())))
    assert rows[0] == ["study", "n"]
    assert rows[1][0].startswith("https://w3id.org/stemkg/id/study/")
    assert len(rows) - 1 == len(_studies(built))
    tsv = _bytes(built, text, query.OutputFormat.TSV).decode().splitlines()
    assert tsv[0] == "?study\t?n"
    iri, number = tsv[1].split("\t")
    assert iri.startswith("<https://w3id.org/stemkg/id/study/") and iri.endswith(">")
    assert number == "1"  # an xsd:integer in Turtle's short form


def test_xml_and_json_results(built: BuildResult) -> None:
    root = ET.fromstring(_bytes(built, STUDIES, query.OutputFormat.XML))
    assert [v.get("name") for v in root.iter(f"{RESULTS}variable")] == ["study"]
    uris = [u.text for u in root.iter(f"{RESULTS}uri")]
    data = json.loads(_bytes(built, STUDIES, query.OutputFormat.JSON))
    assert data["head"]["vars"] == ["study"]
    assert uris == [b["study"]["value"] for b in data["results"]["bindings"]]


def test_ask_answers_a_boolean(built: BuildResult) -> None:
    yes = S + "ASK { ?x a s:Study }"
    store = open_store(built.out_dir)
    assert query.run_query(store, query.query_from_text(yes), {}).boolean is True
    no = S + "ASK { ?x a s:NoSuchClass }"
    assert query.run_query(store, query.query_from_text(no), {}).boolean is False
    assert json.loads(_bytes(built, yes, query.OutputFormat.JSON))["boolean"] is True
    root = ET.fromstring(_bytes(built, no, query.OutputFormat.XML))
    assert root.find(f"{RESULTS}boolean") is not None
    with pytest.raises(QueryError, match="json or xml"):
        _bytes(built, yes, query.OutputFormat.CSV)


@pytest.mark.parametrize(("fmt", "syntax"), [("ttl", "turtle"), ("nt", "nt")])
def test_construct_and_describe_write_a_graph(built: BuildResult, fmt: str, syntax: str) -> None:
    construct = S + "CONSTRUCT { ?x a s:Study } WHERE { ?x a s:Study }"
    data = _bytes(built, construct, query.OutputFormat(fmt))
    graph = rdflib.Graph().parse(data=data.decode(), format=syntax)
    assert len(graph) == len(_studies(built))
    study = _studies(built)[0]
    described = _bytes(built, f"DESCRIBE <{ID}{study}>", query.OutputFormat(fmt))
    assert len(rdflib.Graph().parse(data=described.decode(), format=syntax)) > 3
    with pytest.raises(QueryError, match="CONSTRUCT and DESCRIBE"):
        _bytes(built, STUDIES, query.OutputFormat(fmt))
    with pytest.raises(QueryError, match="ttl or nt"):
        _bytes(built, construct, query.OutputFormat.JSON)


def test_a_parameter_need_not_be_projected(built: BuildResult, lexicon: Lexicon) -> None:
    """A user's own query binds ?route without selecting it; the columns stay its own."""
    named = query.query_from_text(ROUTED)
    (param,) = [query.Param("route", "term:route", "")]
    named = query.NamedQuery(named.name, named.path, "", "", (param,), named.text)
    store = open_store(built.out_dir)
    bound = query.bind(named, {"route": "intrathecal"}, lexicon)
    result = query.run_query(store, named, bound)
    assert result.variables == ("study",)
    direct = ROUTED.replace("?route ;", "<http://purl.obolibrary.org/obo/NCIT_C38267> ;")
    expected = query.run_query(store, query.query_from_text(direct), {})
    assert result.rows == expected.rows and "study/NCT01363401-phase-1" in {
        r[0] for r in result.rows
    }
    tsv = query.serialize_query(store, named, bound, query.OutputFormat.TSV).decode()
    assert tsv.splitlines()[0] == "?study" and len(tsv.splitlines()) == len(result.rows) + 1


def test_hostile_or_mistyped_values_are_clear_errors(lexicon: Lexicon) -> None:
    named = query.load_query("studies-by-route")
    with pytest.raises(QueryError, match="not a valid IRI"):
        query.bind(named, {"route": "<http://x> } ; DROP ALL #"}, lexicon)
    with pytest.raises(QueryError, match="did you mean 'intrathecal'"):
        query.bind(named, {"route": "intrathecl"}, lexicon)


runner = CliRunner()


def _cli(*args: str, stdin: str | None = None, width: int = 80) -> Any:
    from stemkg.cli import app, out

    out.width = width  # the width a terminal would report
    try:
        return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)
    finally:
        out.width = 80


def test_cli_takes_a_query_as_text_or_on_standard_input(built: BuildResult) -> None:
    b = ("--build", str(built.out_dir))
    ask = _cli("query", "-", *b, stdin=S + "ASK { ?x a s:Study }")
    assert ask.exit_code == 0 and ask.stdout.strip() == "yes"
    routed = S + "ASK { ?arm s:therapy/s:route ?route }"
    named = _cli("query", "-", "-p", "route=intrathecal", *b, stdin=routed)
    assert named.stdout.strip() == "yes"  # an undeclared parameter naming one lexicon term
    quoted = _cli("query", "-", "-p", 'route="intrathecal"', *b, stdin=routed)
    assert quoted.stdout.strip() == "no"  # a quoted value is a string, which no route is
    text = _cli("query", "--query", STUDIES, "-f", "csv", *b)
    assert text.stdout.splitlines()[0] == "study"
    both = _cli("query", "studies-by-route", "--query", STUDIES, *b)
    assert both.exit_code == 2 and "give a query" in both.stderr
    bad = _cli("query", "--query", "SELEC * WHERE {}", *b)
    assert bad.exit_code == 2 and "syntax error" in bad.stderr and "Traceback" not in bad.output


def test_a_wide_result_at_80_columns_is_one_block_per_row(built: BuildResult) -> None:
    b = ("--build", str(built.out_dir))
    narrow = _cli("query", "studies-by-route", "-p", "route=intrathecal", *b)
    assert narrow.exit_code == 0
    assert "── row 1 ──" in narrow.stdout and "study/NCT01051882" in narrow.stdout
    assert all(len(line) <= 80 for line in narrow.stdout.splitlines())
    picked = _cli("query", "studies-by-route", "-p", "route=intrathecal", "-c", "study,arm", *b)
    assert "┃ study" in picked.stdout and "routeLabel" not in picked.stdout
    assert "study/NCT01051882" in picked.stdout  # a study's IRI is shown by its stable tail
    wrong = _cli("query", "studies-by-route", "-c", "nope", *b)
    assert wrong.exit_code == 2 and "no column nope" in wrong.stderr


def test_user_query_file_with_unprojected_parameter(tmp_path: Path, built: BuildResult) -> None:
    mine = tmp_path / "mine.rq"
    mine.write_text(ROUTED, encoding="utf-8")
    found = _cli(
        "query", str(mine), "-p", "route=NCIT:C38267", "-f", "csv", "-b", str(built.out_dir)
    )
    assert found.exit_code == 0, found.output
    assert "https://w3id.org/stemkg/id/study/NCT01363401-phase-1" in found.stdout.splitlines()
