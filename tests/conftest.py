"""Shared fixtures: the repository's data, tiny records, and one build of data/records and
data/registry."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stemkg.lexicon import Lexicon
from stemkg.pipeline import BuildResult, build
from stemkg.vocab import load_lexicon

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "data" / "records"

MINIMAL: dict[str, Any] = {
    "schema_version": 2,
    "source": {
        "kind": "curated_record",
        "title": "Test record",
        "citation": "Doe J. A trial. J Test. 2020;1:1-2.",
        "venue": "Journal of Tests",
        "year": 2020,
        "pmid": "123456",
    },
    "reports": [
        {
            "study": {"title": "A test trial", "nct": "NCT00000001"},
            "design": {
                "study_type": "interventional",
                "allocation": "single_group",
                "masking": "open_label",
                "intervention_model": "single_group",
                "control": "none",
            },
            "phase": "phase 1",
            "species": "human",
            "conditions": ["amyotrophic lateral sclerosis"],
            "participants": {"enrolled": 8, "treated": 7, "enrollment_type": "actual"},
            "follow_up": "P12M",
            "status": "completed",
            "start_date": "2011-03",
            "completion_date": "2013-05-31",
            "sponsor": "Test University Hospital",
            "arms": [
                {
                    "label": "intrathecal",
                    "participants": 7,
                    "therapy": {
                        "cell_type": "CL:0002540",
                        "source_tissue": "bone marrow",
                        "donor": "autologous",
                        "routes": ["intrathecal"],
                        "dose": {"value": 1000000, "unit": "cells/kg"},
                        "schedule": {"administrations": 2, "interval": "P26D"},
                    },
                }
            ],
            "outcomes": [
                {
                    "measure": "adverse event",
                    "direction": "no_serious_adverse_events",
                    "modality": "asserted",
                    "value": {"numerator": 0, "denominator": 7},
                },
                {
                    "measure": {"label": "pinch strength", "unmapped": True},
                    "direction": "no_change",
                    "timepoint": "P6M",
                },
            ],
            "planned_measures": [
                {"title": "Adverse events", "priority": "primary", "time_frame": "12 months"},
                {"title": "Change in ALSFRS-R", "priority": "secondary", "time_frame": "6 months"},
            ],
        }
    ],
}


@pytest.fixture
def record() -> dict[str, Any]:
    """A fresh copy of a small valid record, to change in a test."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return load_lexicon()


def write_record(folder: Path, name: str, data: dict[str, Any]) -> Path:
    """Write a record dict as YAML and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of data/records and data/registry, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("build")
    return build([RECORDS, RECORDS.parent / "registry"], out)


@pytest.fixture(scope="session")
def built_data(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of the whole data/ folder (articles, PubMed and corrections too: 23 sources,
    13 studies), for the tests that need every study; about 25 s."""
    out = tmp_path_factory.mktemp("build-data")
    return build([RECORDS.parent], out)
