"""The evidence model and the JSON Schema generated from it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from stemkg.lexicon import Lexicon
from stemkg.model import Direction, Modality, RecordFile, record_json_schema
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
    assert report.condition.label == "amyotrophic lateral sclerosis"
    assert report.arms[0].therapy.cell_type is not None
    assert report.arms[0].therapy.cell_type.label == "mesenchymal stem cell of the bone marrow"


def test_defaults(record: dict[str, Any], lexicon: Lexicon) -> None:
    del record["reports"][0]["outcomes"][0]["modality"]
    outcome = _parse(record, lexicon).reports[0].outcomes[0]
    assert outcome.modality.value is Modality.ASSERTED
    assert outcome.direction is not None
    assert outcome.direction.value is Direction.NO_SERIOUS_ADVERSE_EVENTS


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
        (lambda r: r["reports"][0].update(design="trial"), "Input should be"),
        (lambda r: r["source"].update(pmid="PMID123"), "pattern"),
    ],
)
def test_invalid_records(
    change: Any, message: str, record: dict[str, Any], lexicon: Lexicon
) -> None:
    change(record)
    with pytest.raises(ValidationError, match=message):
        _parse(record, lexicon)


def test_records_are_frozen(record: dict[str, Any], lexicon: Lexicon) -> None:
    parsed = _parse(record, lexicon)
    with pytest.raises(ValidationError):
        parsed.source.title = "changed"  # type: ignore[misc]


def test_schema_accepts_every_shipped_record(lexicon: Lexicon) -> None:
    schema = record_json_schema(lexicon)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(RECORDS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (path.name, errors[:3])


def test_schema_rejects_what_the_model_rejects(record: dict[str, Any], lexicon: Lexicon) -> None:
    validator = jsonschema.Draft202012Validator(record_json_schema(lexicon))
    assert not list(validator.iter_errors(record))
    record["reports"][0]["participants"]["enrolled"] = -1
    record["reports"][0]["arms"][0]["therapy"]["routes"] = ["intrathecl"]
    del record["reports"][0]["condition"]
    assert len(list(validator.iter_errors(record))) == 3
