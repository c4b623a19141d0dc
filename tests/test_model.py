"""The evidence model (v2) and the JSON Schema generated from it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from stemkg.lexicon import Lexicon
from stemkg.model import (
    Direction,
    Masking,
    Modality,
    RecordFile,
    StudyType,
    outcome_key,
    record_json_schema,
)
from tests.conftest import RECORDS


def _parse(record: dict[str, Any], lexicon: Lexicon) -> RecordFile:
    return RecordFile.model_validate(record, context={"lexicon": lexicon})


def test_scalars_and_mappings_are_the_same_value(record: dict[str, Any], lexicon: Lexicon) -> None:
    plain = _parse(record, lexicon)
    record["reports"][0]["participants"]["enrolled"] = {"value": 8, "locator": "Table 1"}
    rich = _parse(record, lexicon)
    assert plain.reports[0].participants.enrolled.value == 8  # type: ignore[union-attr]
    assert rich.reports[0].participants.enrolled.locator == "Table 1"  # type: ignore[union-attr]


def test_terms_resolve_to_canonical_labels(record: dict[str, Any], lexicon: Lexicon) -> None:
    report = _parse(record, lexicon).reports[0]
    assert report.conditions[0].label == "amyotrophic lateral sclerosis"
    assert report.conditions[0].id == "MONDO:0004976"
    assert report.arms[0].therapy.cell_type is not None
    assert report.arms[0].therapy.cell_type.label == "mesenchymal stem cell of the bone marrow"


def test_design_on_its_axes(record: dict[str, Any], lexicon: Lexicon) -> None:
    design = _parse(record, lexicon).reports[0].design
    assert design.study_type.value is StudyType.INTERVENTIONAL
    assert design.masking is not None and design.masking.value is Masking.OPEN_LABEL


def test_defaults(record: dict[str, Any], lexicon: Lexicon) -> None:
    del record["reports"][0]["outcomes"][0]["modality"]
    outcome = _parse(record, lexicon).reports[0].outcomes[0]
    assert outcome.modality.value is Modality.ASSERTED
    assert outcome.direction is not None
    assert outcome.direction.value is Direction.NO_SERIOUS_ADVERSE_EVENTS


def test_unmapped_term_keeps_its_label(record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["conditions"] = [
        {"label": "chronic  venous leg wound", "unmapped": True},
        "ALS",
    ]
    report = _parse(record, lexicon).reports[0]
    first, second = report.conditions
    assert (first.id, first.label, first.unmapped) == (None, "chronic venous leg wound", True)
    assert first.key == "unmapped:chronic venous leg wound"
    assert second.id == "MONDO:0004976"


def test_unmapped_term_the_table_knows_is_mapped(record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["conditions"] = [{"label": "ALS", "unmapped": True}]
    condition = _parse(record, lexicon).reports[0].conditions[0]
    assert (condition.id, condition.unmapped) == ("MONDO:0004976", False)


def test_not_stated_fields(record: dict[str, Any], lexicon: Lexicon) -> None:
    therapy = record["reports"][0]["arms"][0]["therapy"]
    del therapy["routes"]
    therapy["not_stated"] = ["routes"]
    del record["reports"][0]["conditions"]
    record["reports"][0]["not_stated"] = ["conditions"]
    report = _parse(record, lexicon).reports[0]
    assert report.conditions == []
    assert [f.value for f in report.arms[0].therapy.not_stated] == ["routes"]


def test_outcome_identity_ignores_direction(record: dict[str, Any], lexicon: Lexicon) -> None:
    a = _parse(record, lexicon).reports[0].outcomes[0]
    record["reports"][0]["outcomes"][0]["direction"] = "mild_adverse_events"
    b = _parse(record, lexicon).reports[0].outcomes[0]
    assert outcome_key(a) == outcome_key(b)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["reports"][0].update(follow_up="a year"), "ISO 8601"),
        (
            lambda r: r["reports"][0]["outcomes"][0].update(
                value={"numerator": 9, "denominator": 7}
            ),
            "larger than",
        ),
        (lambda r: r["reports"][0].update(colour="red"), "Extra inputs"),
        (lambda r: r["reports"][0].update(design="trial"), "valid dictionary"),
        (lambda r: r["source"].update(pmid="PMID123"), "pattern"),
        # strict types: no silent conversion
        (lambda r: r["reports"][0]["arms"][0].update(participants=True), "valid integer"),
        (
            lambda r: r["reports"][0]["arms"][0]["therapy"]["dose"].update(value="1e6"),
            "valid number",
        ),
        (lambda r: r["source"].update(year="2016"), "valid integer"),
        # design axes are closed vocabularies
        (lambda r: r["reports"][0]["design"].update(masking="quintuple"), "not one of"),
        (lambda r: r["reports"][0]["design"].update(allocation="random"), "not one of"),
        # phases are a closed NCIT list: no unmapped phase
        (
            lambda r: r["reports"][0].update(phase={"label": "phase 7", "unmapped": True}),
            "unmapped terms are not allowed",
        ),
        (lambda r: r["reports"][0].update(phase="phase 7"), "unknown phase"),
        # a typo is an error, not an unmapped term
        (
            lambda r: r["reports"][0]["arms"][0]["therapy"].update(routes=["intrathecl"]),
            "unmapped: true",
        ),
        (lambda r: r["reports"][0].update(conditions=[]), "not_stated: \\[conditions\\]"),
        (
            lambda r: r["reports"][0]["arms"][0]["therapy"].update(not_stated=["routes"]),
            "routes is given and also marked not stated",
        ),
        (lambda r: r["reports"][0].update(not_stated=["colour"]), "not one of"),
        (lambda r: r["reports"][0].update(start_date="2011-13"), "not a date that exists"),
        (lambda r: r["reports"][0].update(status="finished"), "not one of"),
        (
            lambda r: r["reports"][0]["outcomes"].append(
                {**r["reports"][0]["outcomes"][0], "direction": "improved"}
            ),
            "are one outcome",
        ),
        (
            lambda r: r["reports"][0]["study"].update(nct="NCT00000002"),
            "not among the source's registry ids",
        ),
    ],
)
def test_invalid_records(
    change: Any, message: str, record: dict[str, Any], lexicon: Lexicon
) -> None:
    record["source"]["nct"] = ["NCT00000001"]
    change(record)
    with pytest.raises(ValidationError, match=message):
        _parse(record, lexicon)


def test_a_key_tells_alike_outcomes_apart(record: dict[str, Any], lexicon: Lexicon) -> None:
    twin = {**record["reports"][0]["outcomes"][0], "direction": "improved", "key": "second"}
    record["reports"][0]["outcomes"].append(twin)
    assert len(_parse(record, lexicon).reports[0].outcomes) == 3


def test_yaml_dates_are_read_as_text(record: dict[str, Any], lexicon: Lexicon) -> None:
    text = yaml.safe_dump(record).replace("start_date: 2011-03", "start_date: 2011-03-02")
    report = _parse(yaml.safe_load(text), lexicon).reports[0]
    assert report.start_date is not None and report.start_date.value == "2011-03-02"


def test_records_are_frozen(record: dict[str, Any], lexicon: Lexicon) -> None:
    parsed = _parse(record, lexicon)
    with pytest.raises(ValidationError):
        parsed.source.title = "changed"  # type: ignore[misc]


def test_schema_accepts_every_shipped_record() -> None:
    """As an editor sees them: YAML 1.2 reads 2011-06-30 as text, so the records quote dates
    for PyYAML (YAML 1.1) to agree."""
    validator = jsonschema.Draft202012Validator(record_json_schema())
    for path in sorted(RECORDS.glob("*.yaml")):
        for data in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            errors = [e.message for e in validator.iter_errors(data)]
            assert not errors, (path.name, errors[:3])


def test_schema_rejects_what_the_model_rejects(record: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(record_json_schema())
    assert not list(validator.iter_errors(record))
    record["reports"][0]["participants"]["enrolled"] = -1
    record["reports"][0]["arms"][0]["therapy"]["routes"] = [" intrathecal"]
    record["reports"][0]["design"]["masking"] = "quintuple"
    record["reports"][0]["condition"] = "ALS"
    assert len(list(validator.iter_errors(record))) == 4


def test_the_documented_example_is_a_valid_record(lexicon: Lexicon) -> None:
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    record = _parse(yaml.safe_load(example), lexicon)
    assert record.reports[0].planned_measures[0].priority.value.value == "primary"
    assert not list(
        jsonschema.Draft202012Validator(record_json_schema()).iter_errors(yaml.safe_load(example))
    )


def test_a_repeated_outcome_is_one(record: dict[str, Any], lexicon: Lexicon) -> None:
    outcomes = record["reports"][0]["outcomes"]
    outcomes.append(dict(outcomes[0]))
    assert len(_parse(record, lexicon).reports[0].outcomes) == 3  # kept, and mapped once
