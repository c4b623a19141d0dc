"""Curator corrections: applied after extraction on every build, anchored by the quote they
replace, recorded in the graph's provenance, reported when they no longer apply."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stemkg.errors import InputError
from stemkg.lexicon import Lexicon
from stemkg.pipeline import build, extract_paths
from stemkg.sources import Format, detect, read_file

DATA = Path(__file__).resolve().parents[1] / "data"
EFETCH = DATA / "pubmed" / "seed-trials-efetch.xml"
SHIPPED = DATA / "corrections" / "seed-pubmed-abstracts.yaml"


def _write(folder: Path, *patches: dict[str, object]) -> Path:
    path = folder / "fixes.yaml"
    body = {"curator": "A. Curator", "date": "2026-12-02", "corrections": list(patches)}
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def _petrou(paths: list[Path]) -> tuple[dict[str, object], list[str]]:
    result = extract_paths(paths)
    [record] = [r for _, r in result.records if r.source.pmid == "26751635"]
    report = record.model_dump(mode="json", exclude_none=True)["reports"][0]
    return report, [w.message for w in result.warnings]


def test_shipped_corrections_fix_the_abstract_and_leave_provenance() -> None:
    assert detect(SHIPPED) is Format.CORRECTIONS
    before = extract_paths([EFETCH])
    after = extract_paths([EFETCH, SHIPPED])
    [old] = [r for _, r in before.records if r.source.pmid == "25934946"]
    [new] = [r for _, r in after.records if r.source.pmid == "25934946"]
    was, now = old.reports[0].participants, new.reports[0].participants
    assert was is not None and was.enrolled is not None and was.enrolled.value == 7  # misread
    assert now is not None and now.enrolled is not None and now.enrolled.locator
    assert "corrected by stemkg team on 2026-12-02" in now.enrolled.locator
    assert "replaced 'seven'" in now.enrolled.locator
    assert not after.warnings
    assert new.reports[0].arms == old.reports[0].arms  # nothing else changed


def test_a_count_is_corrected_by_its_quote() -> None:
    result = extract_paths([EFETCH, SHIPPED])
    [oh] = [r for _, r in result.records if r.source.pmid == "25934946"]
    participants = oh.reports[0].participants
    assert participants is not None and participants.enrolled is not None
    assert participants.enrolled.value == 8 and participants.enrolled.method == "curator-correction"
    assert participants.treated is not None and participants.treated.value == 7


def test_corrections_reach_the_graph(tmp_path: Path) -> None:
    result = build([EFETCH, SHIPPED], tmp_path / "out")
    assert result.validation.conforms
    turtle = (result.out_dir / "stemkg.ttl").read_text(encoding="utf-8")
    assert turtle.count('stemkg:method "curator-correction"') == 1


def test_a_patch_whose_quote_is_gone_is_reported_not_applied(tmp_path: Path) -> None:
    fixes = _write(
        tmp_path,
        {
            "source": "pmid:26751635",
            "study": "NCT01051882",
            "field": "design.masking",
            "quote": "double-blind",
            "value": "double",
        },
        {"source": "pmid:12345678", "field": "phase", "value": "NCIT:C15600"},
        {"source": "pmid:26751635", "field": "design.masking", "value": "open_label"},
    )
    report, warnings = _petrou([EFETCH, fixes])
    assert any("correction 1" in w and "is not 'double-blind' any more" in w for w in warnings)
    assert any(
        "correction 2" in w and "no source pmid:12345678 in this build" in w for w in warnings
    )
    assert not any("correction 3" in w for w in warnings)
    assert report["design"]["masking"]["value"] == "open_label"  # one report: no study needed


def test_list_items_are_chosen_by_label_or_quote_and_can_be_removed(tmp_path: Path) -> None:
    before, _ = _petrou([EFETCH])
    arm = before["arms"][0]["label"]
    labels = [o["measure"]["label"] for o in before["outcomes"]]
    outcome = next(label for label in labels if labels.count(label) == 1)
    fixes = _write(
        tmp_path,
        {
            "source": "pmid:26751635",
            "field": f"arms[{arm}].therapy.donor",
            "was": "autologous",
            "value": "allogeneic",
        },
        {"source": "pmid:26751635", "field": f"outcomes[{outcome}]", "value": None},
        {
            "source": "pmid:26751635",
            "field": "conditions",
            "was": "MONDO:0004976",
            "value": "multiple sclerosis",
        },
    )
    after, warnings = _petrou([EFETCH, fixes])
    assert not warnings, warnings
    assert after["arms"][0]["therapy"]["donor"]["value"] == "allogeneic"
    assert len(after["outcomes"]) == len(before["outcomes"]) - 1
    assert after["conditions"][0]["id"] == "MONDO:0005301"


def test_a_value_the_record_format_refuses_is_not_applied(tmp_path: Path) -> None:
    fixes = _write(
        tmp_path,
        {"source": "pmid:26751635", "field": "phase", "value": "phase seven"},
    )
    report, warnings = _petrou([EFETCH, fixes])
    assert report["phase"]["id"] == "NCIT:C15693"
    assert any("not applied" in w and "phase" in w for w in warnings)


def test_a_broken_corrections_file_is_one_clear_line(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "fixes.yaml"
    path.write_text("corrections:\n  - source: pmid:1\n    field: phase\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"fixes.yaml: curator: Field required \(a corrections file\)"
    ):
        read_file(path, lexicon)


def test_anchored_removal_misspelled_paths_and_ambiguous_items_are_told_apart(
    tmp_path: Path,
) -> None:
    before, _ = _petrou([EFETCH])
    labels = [o["measure"]["label"] for o in before["outcomes"]]
    outcome = next(o for o in before["outcomes"] if labels.count(o["measure"]["label"]) == 1)
    repeated = next(label for label in labels if labels.count(label) > 1)
    fixes = _write(
        tmp_path,
        {
            "source": "pmid:26751635",
            "field": f"outcomes[{outcome['measure']['label']}]",
            "quote": outcome["direction"]["quote"],
            "value": None,
        },
        {
            "source": "pmid:26751635",
            "field": "design.allocaton",
            "quote": "randomised",
            "value": "single_group",
        },
        {
            "source": "pmid:26751635",
            "field": f"outcomes[{repeated}].direction",
            "value": "improved",
        },
    )
    after, warnings = _petrou([EFETCH, fixes])
    assert len(after["outcomes"]) == len(before["outcomes"]) - 1  # anchored by its quote
    assert any(
        "correction 2" in w and "has no value (is the field path right?" in w for w in warnings
    )
    assert any("correction 3" in w and "names 2 items" in w for w in warnings)


def test_the_manifest_names_each_corrections_file(tmp_path: Path) -> None:
    import json

    result = build([EFETCH, SHIPPED], tmp_path / "out")
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    [entry] = manifest["corrections"]
    assert entry["file"].endswith("seed-pubmed-abstracts.yaml")
    assert entry["content_hash"].startswith("sha256:") and entry["curator"] == "stemkg team"
    assert (entry["patches"], entry["not_applied"]) == (1, 0)
