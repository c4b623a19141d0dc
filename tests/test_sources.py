"""Readers: curated records in YAML and JSON, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from stemkg.errors import InputError
from stemkg.lexicon import Lexicon
from stemkg.sources import Format, discover, read_file
from tests.conftest import write_record


def _error(path: Path, lexicon: Lexicon) -> str:
    with pytest.raises(InputError) as info:
        read_file(path, lexicon)
    message = str(info.value)
    assert str(path) in message
    assert "\n" not in message
    return message


def test_yaml_record_reads(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    path = write_record(tmp_path, "trial.yaml", record)
    [loaded] = read_file(path, lexicon).records
    assert loaded.key == "curated:pmid:123456"  # keyed by what it curates, not the file name
    assert loaded.content_hash.startswith("sha256:")
    report = loaded.record.reports[0]
    assert report.conditions[0].id == "MONDO:0004976"
    assert report.arms[0].therapy.routes[0].id == "NCIT:C38267"
    assert report.participants is not None and report.participants.enrolled is not None
    assert report.participants.enrolled.value == 8


def test_json_record_reads(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    path = tmp_path / "trial.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    [loaded] = read_file(path, lexicon).records
    assert loaded.record.source.pmid == "123456"


def test_yaml_stream_gives_one_source_per_record(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    second = json.loads(json.dumps(record))
    second["source"].update(kind="news", title="Second article", pmid=None)
    path = tmp_path / "drafts.yaml"
    path.write_text(yaml.safe_dump_all([record, second]), encoding="utf-8")
    keys = [u.key for u in read_file(path, lexicon).records]
    assert keys == ["curated:pmid:123456", "title:second article"]


def test_every_shipped_record_reads(lexicon: Lexicon) -> None:
    files = list(discover([Path(__file__).parents[1] / "data" / "records"]))
    assert len(files) >= 6
    for path in files:
        assert read_file(path, lexicon).records


def test_broken_yaml(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 2\nsource: {kind: [unclosed\n", encoding="utf-8")
    assert "YAML does not parse" in _error(path, lexicon)


def test_broken_json(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": 1,', encoding="utf-8")
    message = _error(path, lexicon)
    assert "JSON does not parse" in message and "line 1" in message


def test_negative_count_names_record_and_field(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["reports"][0]["participants"]["enrolled"] = -3
    message = _error(write_record(tmp_path, "neg.yaml", record), lexicon)
    assert "reports[0].participants.enrolled" in message
    assert "-3" in message


def test_unknown_route_label(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["arms"][0]["therapy"]["routes"] = ["intrathecl"]
    message = _error(write_record(tmp_path, "route.yaml", record), lexicon)
    assert "reports[0].arms[0].therapy.routes[0]" in message
    assert "unknown route name 'intrathecl'" in message


def test_term_of_the_wrong_kind(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["arms"][0]["therapy"]["routes"] = ["bone marrow"]
    message = _error(write_record(tmp_path, "kind.yaml", record), lexicon)
    assert "is a tissue, not a route" in message


def test_missing_condition(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    del record["reports"][0]["conditions"]
    message = _error(write_record(tmp_path, "nocond.yaml", record), lexicon)
    assert "reports[0]: a report needs a condition, or not_stated: [conditions]" in message


def test_unmapped_term_hint(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["conditions"] = ["chronic venous leg wound"]
    message = _error(write_record(tmp_path, "sca.yaml", record), lexicon)
    assert "reports[0].conditions[0]: unknown condition name" in message
    assert "{label: ..., unmapped: true}" in message


def test_strict_types_name_the_field(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["reports"][0]["arms"][0]["participants"] = True
    message = _error(write_record(tmp_path, "bool.yaml", record), lexicon)
    assert "reports[0].arms[0].participants: input should be a valid integer (got True)" in message
    record["reports"][0]["arms"][0]["participants"] = 7
    record["reports"][0]["arms"][0]["therapy"]["dose"]["value"] = "1e6"
    message = _error(write_record(tmp_path, "dose.yaml", record), lexicon)
    assert "reports[0].arms[0].therapy.dose: input should be a valid number (got '1e6')" in message


@pytest.mark.parametrize(
    ("field", "value", "hint"),
    [
        ("condition", "ALS", "renamed in schema_version 2: write conditions: [...]"),
        ("blinding", "open", "moved in schema_version 2: write it as design.masking"),
        ("control", "none", "moved in schema_version 2: write it as design.control"),
        ("design", "open_label", "in schema_version 2 design is a mapping of axes"),
    ],
)
def test_v1_fields_in_a_v2_record(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon, field: str, value: str, hint: str
) -> None:
    record["reports"][0][field] = value
    message = _error(write_record(tmp_path, f"{field}.yaml", record), lexicon)
    assert f"reports[0].{field}: {hint}" in message


def test_unknown_axis_value(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["design"]["masking"] = "quintuple"
    message = _error(write_record(tmp_path, "axis.yaml", record), lexicon)
    assert "reports[0].design.masking: 'quintuple' is not one of open_label, single" in message


def test_alike_outcomes_are_named(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    outcomes = record["reports"][0]["outcomes"]
    outcomes.append({**outcomes[0], "direction": "mild_adverse_events"})
    message = _error(write_record(tmp_path, "twins.yaml", record), lexicon)
    assert (
        "reports[0]: outcomes[2] has the measure, arms, timepoint and figures of outcomes[0]"
        in (message)
    )


def test_conflicting_registry_ids_in_a_file(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["source"]["nct"] = ["NCT00000009"]
    message = _error(write_record(tmp_path, "nct.yaml", record), lexicon)
    assert "nct.yaml: reports[0].study.nct: NCT00000001 is not among the source's registry" in (
        message
    )


def test_unmapped_phase_is_refused(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["reports"][0]["phase"] = {"label": "phase 1", "unmapped": True}
    message = _error(write_record(tmp_path, "phase.yaml", record), lexicon)
    assert "reports[0].phase: a phase must be a CURIE or lexicon name" in message


def test_version_1_record_is_converted_with_a_note(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    report = record["reports"][0]
    report["condition"] = report.pop("conditions")[0]
    report.update(design="open_label", blinding="open", control="none")
    record["schema_version"] = 1
    contents = read_file(write_record(tmp_path, "old.yaml", record), lexicon)
    [loaded] = contents.records
    converted = loaded.record.reports[0]
    assert converted.conditions[0].id == "MONDO:0004976"
    assert converted.design.study_type.value.value == "interventional"
    assert converted.design.masking is not None
    assert converted.design.masking.value.value == "open_label"
    assert any("stemkg migrate FILE --write" in w for w in contents.warnings)


def test_outcome_naming_an_unknown_arm(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["reports"][0]["outcomes"][0]["arms"] = ["no such arm"]
    message = _error(write_record(tmp_path, "arm.yaml", record), lexicon)
    assert "reports[0]: outcomes[0] names unknown arms: no such arm" in message


def test_wrong_schema_version(tmp_path: Path, record: dict[str, Any], lexicon: Lexicon) -> None:
    record["schema_version"] = 7
    assert "schema_version is 7" in _error(write_record(tmp_path, "v.yaml", record), lexicon)


def test_not_a_mapping(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    assert "not a record file" in _error(path, lexicon)


def test_empty_file(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("  \n", encoding="utf-8")
    assert "empty file" in _error(path, lexicon)


def test_binary_file(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "random.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    assert "binary file" in _error(path, lexicon)


def test_not_utf8(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("schema_version: 1\ntitle: Caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in _error(path, lexicon)


def test_a_bad_record_in_a_stream_is_named(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    bad = json.loads(json.dumps(record))
    bad["reports"][0]["conditions"] = ["no such disease"]
    path = tmp_path / "drafts.yaml"
    path.write_text(yaml.safe_dump_all([record, bad]), encoding="utf-8")
    assert "record 2: reports[0].conditions[0]" in _error(path, lexicon)


def test_xml_of_another_kind_is_named(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "page.xml"
    path.write_text("<?xml version='1.0'?>\n<!-- saved -->\n<html><body/></html>", encoding="utf-8")
    assert "root <html>: is this a web page saved as .xml?" in _error(path, lexicon)


def test_unknown_suffix(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("x", encoding="utf-8")
    assert "unsupported format '.docx'" in _error(path, lexicon)


def test_missing_path() -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        list(discover([Path("/no/such/place")]))


def test_discover_skips_hidden_and_sorts(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yaml", ".hidden.yaml", ".git/x.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.name for p in discover([tmp_path])] == ["a.yaml", "b.yaml"]


def test_format_table() -> None:
    assert Format.from_path(Path("x.yml")) is Format.YAML_RECORD
    assert Format.from_path(Path("X.JSON")) is Format.JSON_RECORD


def test_yaml_alias_bomb_is_refused_without_expanding(tmp_path: Path, lexicon: Lexicon) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        refs = ",".join([f"*a{n - 1}"] * 9)
        lines.append(f"a{n}: &a{n} [{refs}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "YAML expands to" in _error(path, lexicon)


def test_deeply_nested_yaml_and_json_are_refused(tmp_path: Path, lexicon: Lexicon) -> None:
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("a: " + "[" * 20_000 + "]" * 20_000 + "\n", encoding="utf-8")
    assert "nested too deeply" in _error(deep_yaml, lexicon)
    deep_json = tmp_path / "deep.json"
    deep_json.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "nested too deeply" in _error(deep_json, lexicon)


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        (
            "date.yaml",
            "schema_version: 1\nsource: {kind: news, title: x, date: 2015-13-45}\n",
            "impossible value",
        ),
        ("bigint.json", '{"schema_version": ' + "9" * 5000 + "}", "JSON does not parse"),
        (
            "long.yaml",
            "schema_version: 1\nsource: {kind: news, title: " + "A" * 30_000 + "}\n",
            "source.title",
        ),
        (
            "duration.yaml",
            "schema_version: 1\nsource: {kind: news, title: x}\nreports:\n"
            "  - {design: open_label, condition: ALS, follow_up: P999999999999D}\n",
            "ISO 8601",
        ),
    ],
)
def test_hostile_records_are_one_line_errors(
    tmp_path: Path, name: str, content: str, needle: str, lexicon: Lexicon
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert needle in _error(path, lexicon)


def test_impossible_front_matter_date_is_ignored_with_a_warning(
    tmp_path: Path, lexicon: Lexicon
) -> None:
    path = tmp_path / "x.md"
    body = " ".join(["Stem cells were studied in people with ALS."] * 12)
    path.write_text(f"---\ndate: 2015-13-45\n---\n# A title here\n\n{body}\n", encoding="utf-8")
    contents = read_file(path, lexicon)
    assert contents.documents and any("front matter" in w for w in contents.warnings)


def test_misspelt_version_1_design_is_named(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    report = record["reports"][0]
    report["condition"] = report.pop("conditions")[0]
    report["design"] = "case_seriez"
    record["schema_version"] = 1
    message = _error(write_record(tmp_path, "old.yaml", record), lexicon)
    assert "reports[0].design: 'case_seriez' is not a version 1 design (in_vitro, animal" in message


def test_a_mapping_field_given_a_scalar(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["reports"][0]["participants"] = True
    message = _error(write_record(tmp_path, "p.yaml", record), lexicon)
    assert "reports[0].participants: expected a mapping of fields (got True)" in message


def test_any_table_term_by_name_or_curie(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["reports"][0]["conditions"] = ["progressive supranuclear palsy", "MONDO:0005314"]
    [loaded] = read_file(write_record(tmp_path, "psp.yaml", record), lexicon).records
    psp, rrms = loaded.record.reports[0].conditions
    assert (psp.id, rrms.label) == ("MONDO:0019037", "relapsing-remitting multiple sclerosis")


def test_a_name_two_table_terms_share_asks_for_the_curie(
    tmp_path: Path, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["reports"][0]["conditions"] = ["spinal muscular atrophy"]
    message = _error(write_record(tmp_path, "sma.yaml", record), lexicon)
    assert "ambiguous condition name 'spinal muscular atrophy': MONDO:" in message
    assert "write the CURIE" in message
