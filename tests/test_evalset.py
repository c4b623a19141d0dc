"""The evaluation set's gold files and the scoring of extraction against them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from stemkg.errors import InputError
from stemkg.evalset import _compare, _Item, load_gold_dir, score
from stemkg.lexicon import Lexicon
from stemkg.pipeline import evaluate_folder
from tests.conftest import ROOT

ARTICLES = ROOT / "data" / "articles"
DEV_GOLD = ROOT / "tests" / "gold"


def _set(tmp_path: Path, names: list[str], change: Any = None) -> Path:
    """An evaluation folder of shipped articles with their development gold records."""
    folder = tmp_path / "eval"
    (folder / "articles").mkdir(parents=True)
    (folder / "gold").mkdir()
    for name in names:
        shutil.copy(ARTICLES / name, folder / "articles" / name)
        stem = Path(name).stem
        record = yaml.safe_load((DEV_GOLD / f"{stem}.yaml").read_text(encoding="utf-8"))
        gold = {"article": name, "facts": "development gold", "record": record}
        if change:
            change(stem, gold)
        (folder / "gold" / f"{stem}.yaml").write_text(yaml.safe_dump(gold), encoding="utf-8")
    return folder


def test_gold_terms_may_be_any_ontology_curie(tmp_path: Path, lexicon: Lexicon) -> None:
    def rare(stem: str, gold: dict[str, Any]) -> None:
        gold["record"]["reports"][0]["conditions"] = ["MONDO:0019037"]

    [gold] = load_gold_dir(_set(tmp_path, ["stroke-rat-msc-classic.md"], rare), lexicon)
    assert gold.record.reports[0].conditions[0].id == "MONDO:0019037"


def test_gold_files_are_checked(tmp_path: Path, lexicon: Lexicon) -> None:
    folder = _set(tmp_path, ["stroke-rat-msc-classic.md"])
    shutil.copy(ARTICLES / "what-are-stem-cells.md", folder / "articles")
    with pytest.raises(InputError, match=r"what-are-stem-cells\.md: an article without a gold"):
        load_gold_dir(folder, lexicon)
    (folder / "articles" / "what-are-stem-cells.md").unlink()
    (folder / "gold" / "stroke-rat-msc-classic.yaml").write_text("article: x.txt\nrecord: {}\n")
    with pytest.raises(InputError, match="article: no file"):
        load_gold_dir(folder, lexicon)


def test_scores_a_right_extraction_fully(tmp_path: Path) -> None:
    report = evaluate_folder(_set(tmp_path, ["stroke-rat-msc-classic.md"]))
    scores = {s.field: s for s in report.fields}
    assert scores["condition"].f1 == 1.0 and scores["routes"].f1 == 1.0
    assert (report.gold_studies, report.paired_studies, report.invented) == (1, 1, ())


def test_a_study_the_gold_lacks_is_invented(tmp_path: Path) -> None:
    def none(stem: str, gold: dict[str, Any]) -> None:
        gold["record"]["reports"] = []

    report = evaluate_folder(_set(tmp_path, ["stroke-rat-msc-classic.md"], none))
    assert report.invented == ("stroke-rat-msc-classic.md",)
    assert {s.field: s for s in report.fields}["condition"].fp == 1


def test_wrong_and_accepted_answers(tmp_path: Path) -> None:
    def other(stem: str, gold: dict[str, Any]) -> None:
        gold["record"]["reports"][0]["conditions"] = ["MONDO:0005252"]  # heart failure: wrong

    wrong = evaluate_folder(_set(tmp_path / "a", ["stroke-rat-msc-classic.md"], other))
    condition = {s.field: s for s in wrong.fields}["condition"]
    assert (condition.tp, condition.fp, condition.fn) == (0, 1, 1)

    def accepted(stem: str, gold: dict[str, Any]) -> None:
        other(stem, gold)
        gold["accept"] = {"reports[0].conditions[0]": ["MONDO:0005098"]}

    right = evaluate_folder(_set(tmp_path / "b", ["stroke-rat-msc-classic.md"], accepted))
    assert {s.field: s for s in right.fields}["condition"].f1 == 1.0


def test_a_benefit_the_gold_denies_is_flipped(tmp_path: Path) -> None:
    def denied(stem: str, gold: dict[str, Any]) -> None:
        for outcome in gold["record"]["reports"][0]["outcomes"]:
            if outcome.get("direction") == "improved":
                outcome["modality"] = "negated"

    report = evaluate_folder(_set(tmp_path, ["stroke-rat-msc-classic.md"], denied))
    assert report.flipped and report.flipped[0].field == "flipped"


def test_score_of_nothing() -> None:
    report = score([])
    assert report.articles == 0 and report.micro.f1 == 1.0  # nothing to get wrong


def test_cli_writes_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from stemkg.cli import app

    folder = _set(tmp_path, ["stroke-rat-msc-classic.md", "what-are-stem-cells.md"])
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(app, ["eval", str(folder), "--json", str(out), "--misses"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["articles"] == 2 and "condition" in data["fields"]
    assert "micro" in result.stdout
    checked = CliRunner().invoke(app, ["eval", str(folder), "--check"])
    assert "2 gold files, 1 study reports" in checked.stdout


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("eval", 60),
        ("eval2", 24),
        ("eval3", 24),
        ("holdout", 24),
        ("holdout2", 24),
        ("holdout3", 24),
        ("holdout4", 24),
    ],
)
def test_the_blind_sets_are_well_formed_and_unedited(
    lexicon: Lexicon, name: str, size: int
) -> None:
    """The blind sets are committed once: texts fixed by SHA256SUMS, gold files load."""
    import hashlib

    folder = ROOT / name
    golds = load_gold_dir(folder, lexicon)
    assert len(golds) >= size
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        data = (folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name} was edited"
    listed = {
        line.split(maxsplit=1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()
    }
    assert listed == {f"articles/{g.article.name}" for g in golds}


def test_an_accepted_alternative_does_not_take_a_value_another_gold_value_names() -> None:
    """Gold [COVID-19 (or ARDS accepted), ARDS], found [ARDS, COVID-19]: both right."""
    gold = [
        _Item(("MONDO:0100096",), frozenset({"MONDO:0006502"})),
        _Item(("MONDO:0006502",)),
    ]
    found = [_Item(("MONDO:0006502",)), _Item(("MONDO:0100096",))]
    score, misses = _compare("a.txt", gold, found, "condition")
    assert (score.tp, score.fp, score.fn) == (2, 0, 0) and not misses


def test_an_unmapped_gold_condition_is_matched_by_a_term_of_that_very_name() -> None:
    """A writer who found no term wrote "periodontitis" unmapped: the term named so is right;
    a term that only shares a word ("chronic periodontitis") is not."""
    gold = [_Item(("unmapped:periodontitis",), label="Periodontitis")]
    same = [_Item(("MONDO:0005076",), label="periodontitis")]
    score_same, _ = _compare("a.txt", gold, same, "condition")
    other = [_Item(("MONDO:0005593",), label="chronic periodontitis")]
    score_other, _ = _compare("a.txt", gold, other, "condition")
    assert (score_same.tp, score_same.fp, score_same.fn) == (1, 0, 0)
    assert (score_other.tp, score_other.fp, score_other.fn) == (0, 1, 1)


def test_the_check_names_identifiers_no_table_holds(tmp_path: Path) -> None:
    """A mistyped or obsolete id loads (the writer may have checked it in the ontology), and
    the check says which ids stemkg's lexicon and term tables do not hold."""
    from typer.testing import CliRunner

    from stemkg.cli import app

    def mistyped(stem: str, gold: dict[str, Any]) -> None:
        gold["record"]["reports"][0]["conditions"] = ["MONDO:9999999"]

    folder = _set(tmp_path, ["stroke-rat-msc-classic.md"], mistyped)
    checked = CliRunner().invoke(app, ["eval", str(folder), "--check"])
    assert checked.exit_code == 0, checked.output
    assert "1 identifier(s)" in checked.stdout and "MONDO:9999999" in checked.stdout
    clean = CliRunner().invoke(
        app, ["eval", str(_set(tmp_path / "b", ["stroke-rat-msc-classic.md"])), "--check"]
    )
    assert "note:" not in clean.stdout
