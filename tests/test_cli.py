"""The command line: exit codes, one-line errors, help and README coverage for every command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import rdflib
from typer.testing import CliRunner

from stemkg.cli import app
from stemkg.pipeline import BuildResult
from tests.conftest import ROOT, write_record

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _one_line_error(result: Any, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_build_exit_0_and_summary(tmp_path: Path, record: dict[str, Any]) -> None:
    path = write_record(tmp_path, "trial.yaml", record)
    result = invoke("build", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout and "studies" in result.stdout


def test_build_exit_1_with_violations(tmp_path: Path, record: dict[str, Any]) -> None:
    del record["reports"][0]["arms"][0]["therapy"]["routes"]
    path = write_record(tmp_path, "trial.yaml", record)
    result = invoke("build", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert "needs a cell type and at least one route" in result.stderr
    assert (tmp_path / "out" / "stemkg.trig").exists()


def test_build_exit_2_when_nothing_builds(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_bytes(b"\x00\x01\x02")
    result = invoke("build", str(tmp_path / "x.yaml"), "--out", str(tmp_path / "out"))
    _one_line_error(result, "x.yaml", "binary file")


def test_build_warns_for_bad_files(tmp_path: Path, record: dict[str, Any]) -> None:
    write_record(tmp_path / "in", "good.yaml", record)
    (tmp_path / "in" / "bad.yaml").write_text("reports: [", encoding="utf-8")
    result = invoke("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "bad.yaml" in result.stderr


def test_missing_path(tmp_path: Path) -> None:
    result = invoke("build", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    _one_line_error(result, "nope", "no such file or folder")


def test_unwritable_out(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    result = invoke("build", str(ROOT / "data" / "records"), "--out", str(tmp_path / "f" / "o"))
    _one_line_error(result, "cannot be written")


def test_validate_build_and_files(built: BuildResult, tmp_path: Path) -> None:
    ok = invoke("validate", "--build", str(built.out_dir))
    assert ok.exit_code == 0 and "conforms" in ok.stdout
    bad = tmp_path / "bad.trig"
    bad.write_text("this is not RDF", encoding="utf-8")
    _one_line_error(invoke("validate", str(bad)), "bad.trig", "RDF does not parse")
    _one_line_error(invoke("validate", "--build", str(tmp_path / "none")), "no build here")


def test_validate_exit_1(tmp_path: Path, built: BuildResult) -> None:
    text = (built.out_dir / "stemkg.trig").read_text(encoding="utf-8")
    broken = tmp_path / "broken.trig"
    broken.write_text(text.replace("stemkg:enrolled 8", "stemkg:enrolled -8"), encoding="utf-8")
    result = invoke("validate", str(broken))
    assert result.exit_code == 1
    assert "enrolled is one non-negative integer" in result.stderr
    as_rdf = invoke("validate", str(broken), "--format", "ttl")
    assert as_rdf.exit_code == 1
    report = rdflib.Graph().parse(data=as_rdf.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in report
    assert "-8" in {str(v) for v in report.objects(None, sh.value)}
    assert as_rdf.stdout == invoke("validate", str(broken), "--format", "ttl").stdout
    ok = invoke("validate", "--build", str(built.out_dir), "-f", "nt")
    assert ok.exit_code == 0 and "<http://www.w3.org/ns/shacl#conforms>" in ok.stdout


def test_query_formats_and_errors(built: BuildResult) -> None:
    b = ("--build", str(built.out_dir))
    table = invoke("query", "studies-by-route", "--param", "route=intrathecal", *b)
    assert table.exit_code == 0 and "row(s)" in table.stdout
    data = json.loads(
        invoke("query", "evidence-chain", "-p", "condition=ALS", "-f", "json", *b).stdout
    )
    assert data["results"]["bindings"]
    _one_line_error(
        invoke("query", "studies-by-route", "-p", "colour=red", *b), "unknown parameter"
    )
    _one_line_error(invoke("query", "studies-by-route", "-p", "route", *b), "name=value")


def test_queries_lists_the_library() -> None:
    result = invoke("queries")
    assert result.exit_code == 0 and "evidence-chain" in result.stdout


def test_export_and_stats(built: BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    result = invoke(
        "export", "--format", "graphml", "--out", str(out), "--build", str(built.out_dir)
    )
    assert result.exit_code == 0 and out.read_text().startswith("<?xml")
    stats = invoke("stats", "--build", str(built.out_dir))
    assert stats.exit_code == 0 and "amyotrophic lateral sclerosis" in stats.stdout


def test_writing_onto_a_folder_is_a_clear_error(built: BuildResult, tmp_path: Path) -> None:
    b = ("--build", str(built.out_dir))
    _one_line_error(invoke("export", "--out", str(tmp_path), *b), "is a folder")
    _one_line_error(invoke("schema", "--out", str(tmp_path)), "is a folder")


def test_schema_command(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert invoke("schema", "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["title"] == "RecordFile"


COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_readme_docs(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Usage" in result.stdout
    assert f"stemkg {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


ARTICLES = ROOT / "data" / "articles"


def test_extract_json_shows_curies_labels_and_quotes() -> None:
    result = invoke("extract", str(ARTICLES / "als-roundup.txt"))
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 3
    cell = records[2]["reports"][0]["arms"][0]["therapy"]["cell_type"]
    assert cell["id"] == "CL:0002540"
    assert cell["label"] == "mesenchymal stem cell of the bone marrow"
    assert {"quote", "start", "end", "method"} <= set(cell)


def test_extract_no_study_is_an_empty_list() -> None:
    result = invoke("extract", str(ARTICLES / "what-are-stem-cells.md"))
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_extract_yaml_is_a_valid_record_that_builds(tmp_path: Path, lexicon: Any) -> None:
    import jsonschema
    import yaml

    from stemkg.model import record_json_schema

    result = invoke("extract", str(ARTICLES / "als-roundup.txt"), "--format", "yaml")
    assert result.exit_code == 0, result.output
    drafts = tmp_path / "drafts.yaml"
    drafts.write_text(result.stdout, encoding="utf-8")
    validator = jsonschema.Draft202012Validator(record_json_schema())
    for record in yaml.safe_load_all(result.stdout):
        assert not [e.message for e in validator.iter_errors(record)]
    built = invoke("build", str(drafts), "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    assert "conforms" in built.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty file"),
        (bytes(range(256)) * 8, "binary"),
        (b"<?xml version='1.0'?><a/>", "root <a>: not PubMed XML"),
    ],
)
def test_extract_bad_input(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / ("bad.xml" if content.startswith(b"<?xml") else "bad.txt")
    path.write_bytes(content)
    _one_line_error(invoke("extract", str(path)), "bad.", needle)


def test_extract_missing_path(tmp_path: Path) -> None:
    _one_line_error(invoke("extract", str(tmp_path / "nope.txt")), "no such file or folder")


def test_extract_warns_for_latin1_and_control_characters(tmp_path: Path) -> None:
    text = (ARTICLES / "als-roundup.txt").read_text(encoding="utf-8")
    path = tmp_path / "latin.txt"
    body = text.replace("’", "'").replace("×", "x").replace("⁶", "6").replace("—", "-")
    path.write_bytes(
        body.replace("Eight patients", "Eight\x07 patients").encode("cp1252", "replace")
    )
    result = invoke("extract", str(path))
    assert result.exit_code == 0, result.output
    assert "not UTF-8" in result.stderr and "control character" in result.stderr
    assert len(json.loads(result.stdout)) == 3


V1_RECORD = """# a curator's note at the top
schema_version: 1
source:
  kind: curated_record
  title: Old-style record
  pmid: "999"
reports:
  - study: {nct: NCT00000042}
    design: open_label   # no comparison group
    blinding: open
    condition: ALS       # the primary disease
    arms:
      - label: intrathecal
        therapy: {cell_type: MSC, routes: [intrathecal]}
"""


def test_migrate_shows_then_writes_keeping_comments(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(V1_RECORD, encoding="utf-8")
    shown = invoke("migrate", str(path))
    assert shown.exit_code == 0, shown.output
    assert "reports[0].condition -> conditions" in shown.stdout
    assert "nothing written" in shown.stdout
    assert path.read_text(encoding="utf-8") == V1_RECORD
    written = invoke("migrate", str(path), "--write")
    assert written.exit_code == 0, written.output
    text = path.read_text(encoding="utf-8")
    assert "schema_version: 2" in text and "conditions: [ALS]" in text
    for comment in ("# a curator's note at the top", "# no comparison group", "# the primary"):
        assert comment in text
    assert "masking: open_label" in text and "blinding" not in text
    again = invoke("migrate", str(path))
    assert "already schema_version 2" in again.stdout
    built = invoke("build", str(path), "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output


def test_migrate_writes_nothing_when_one_file_fails(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(V1_RECORD, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(V1_RECORD.replace("intrathecal]", "intrathecl]"), encoding="utf-8")
    result = invoke("migrate", str(good), str(bad), "--write")
    _one_line_error(result, "bad.yaml", "routes[0]", "unknown route name 'intrathecl'")
    assert good.read_text(encoding="utf-8") == V1_RECORD


def test_a_version_1_record_builds_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(V1_RECORD, encoding="utf-8")
    result = invoke("build", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "stemkg migrate FILE --write" in result.stderr


def test_stats_lists_unmapped_terms(tmp_path: Path, record: dict[str, Any]) -> None:
    record["reports"][0]["conditions"] = [{"label": "Machado-Joseph disease", "unmapped": True}]
    path = write_record(tmp_path, "trial.yaml", record)
    assert invoke("build", str(path), "--out", str(tmp_path / "out")).exit_code == 0
    result = invoke("stats", "--build", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "Machado-Joseph disease" in result.stdout and "condition" in result.stdout
    assert "pinch strength" in result.stdout  # the fixture's unmapped measure


def test_extract_explain_says_what_it_found_and_what_it_was_unsure_of() -> None:
    result = invoke("extract", str(ARTICLES / "knee-oa-adipose-msc.html"), "--explain")
    assert result.exit_code == 0 and json.loads(result.stdout)
    found = [line for line in result.stderr.splitlines() if line.startswith("found:")]
    assert found and ", report 1: condition" in found[0] and "outcomes" in found[0]
    assert "osteoarthritis" in found[0].lower()


def test_extract_explain_says_what_is_missing() -> None:
    result = invoke("extract", str(ARTICLES / "what-are-stem-cells.md"), "--explain")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert "no study: what-are-stem-cells: found" in result.stderr
    assert "Missing:" in result.stderr and "participants, animals or cells studied" in result.stderr


def test_extract_explain_says_a_text_does_not_read_as_english(tmp_path: Path) -> None:
    article = tmp_path / "de.txt"
    article.write_text(
        "Stammzellen bei Multipler Sklerose\n\nIn einer randomisierten, doppelblinden "
        "Phase-2-Studie erhielten 48 Patientinnen und Patienten mit progredienter Multipler "
        "Sklerose entweder autologe mesenchymale Stammzellen aus dem Knochenmark oder ein "
        "Placebo. Nach sechs Monaten hatte sich die Gehgeschwindigkeit verbessert.",
        encoding="utf-8",
    )
    result = invoke("extract", str(article), "--explain")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert "does not read as English" in result.stderr
    assert "open label (assumed: the text states none)" in result.stderr
