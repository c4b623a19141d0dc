"""End to end over data/records: outputs, determinism, linking, locks, bad files, crashes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import QuerySolutions

from stemkg import pipeline
from stemkg.errors import BuildLockedError, InputError
from stemkg.pipeline import NothingToBuildError, build
from stemkg.store import build_lock, open_store
from tests.conftest import RECORDS, write_record

SEED = """PREFIX s: <https://w3id.org/stemkg/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _rows(out: Path, text: str) -> list[dict[str, str]]:
    result = open_store(out).query(SEED + text, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: r[n].value for n in names if r[n] is not None} for r in result]  # type: ignore[union-attr]


def test_build_writes_every_output(built: pipeline.BuildResult) -> None:
    out = built.out_dir
    for name in ("stemkg.trig", "stemkg.ttl", "manifest.json", "store"):
        assert (out / name).exists(), name
    assert built.validation.conforms, built.validation.violations[:3]
    assert not built.problems
    registry = list((RECORDS.parent / "registry").glob("*.json"))
    assert len(built.sources) == len(list(RECORDS.glob("*.yaml"))) + len(registry)
    assert built.triples > 1000


def test_seed_study_c_facts_are_connected(built: pipeline.BuildResult) -> None:
    rows = _rows(
        built.out_dir,
        """SELECT DISTINCT ?enrolled ?treated ?cell ?tissue ?route ?dose ?interval WHERE {
          ?study s:nct "NCT01363401" . ?report s:aboutStudy ?study ;
            s:condition/rdfs:label "amyotrophic lateral sclerosis" ;
            s:enrolled ?enrolled ; s:treated ?treated .
          ?arm s:armOf ?report ; s:therapy ?t .
          ?t s:cellType/rdfs:label ?cell ; s:sourceTissue/rdfs:label ?tissue ;
             s:route/rdfs:label ?route ; s:doseValue ?dose ; s:interval ?interval .
        }""",
    )
    assert rows == [
        {
            "enrolled": "8",
            "treated": "7",
            "cell": "mesenchymal stem cell of the bone marrow",
            "tissue": "bone marrow",
            "route": "Intrathecal Route of Administration",
            "dose": "1000000",
            "interval": "P26D",
        }
    ]


def test_seed_study_b_has_three_arms_and_responders(built: pipeline.BuildResult) -> None:
    arms = _rows(
        built.out_dir,
        """SELECT ?arm ?n ?phase WHERE { ?study s:pmid "26751635" . ?r s:aboutStudy ?study .
          ?a s:armOf ?r ; rdfs:label ?arm ; s:participants ?n ; s:phase/rdfs:label ?phase }""",
    )
    assert sorted(int(a["n"]) for a in arms) == [6, 6, 14]
    figures = _rows(
        built.out_dir,
        """SELECT ?num ?den ?pct (COUNT(?arm) AS ?arms) WHERE { ?study s:pmid "26751635" .
          ?o s:outcomeOf/s:aboutStudy ?study ; s:numerator ?num ; s:denominator ?den ;
             s:percent ?pct ; s:coversArm ?arm } GROUP BY ?num ?den ?pct""",
    )
    assert {"num": "13", "den": "15", "pct": "87", "arms": "2"} in figures


def test_seed_study_a_is_in_vitro(built: pipeline.BuildResult) -> None:
    rows = _rows(
        built.out_dir,
        """SELECT ?exposure ?direction WHERE { ?r s:studyType s:study-type-in-vitro ;
             s:condition/rdfs:label "amyotrophic lateral sclerosis" .
          ?a s:armOf ?r ; s:therapy/s:exposure ?exposure .
          ?o s:outcomeOf ?r ; s:measure <http://purl.obolibrary.org/obo/GO_0006915> ;
             s:direction ?direction }""",
    )
    assert rows and all(r["direction"].endswith("direction-reduced") for r in rows)


def test_two_builds_are_byte_identical(built: pipeline.BuildResult, tmp_path: Path) -> None:
    again = build([RECORDS, RECORDS.parent / "registry"], tmp_path / "again")
    for name in ("stemkg.trig", "stemkg.ttl", "manifest.json"):
        assert (built.out_dir / name).read_bytes() == (again.out_dir / name).read_bytes(), name


def test_sources_meet_on_one_study(tmp_path: Path, record: dict[str, Any]) -> None:
    other = {**record, "source": {"kind": "news", "title": "Second source"}}
    other["reports"] = [{**record["reports"][0], "participants": {"enrolled": 9}}]
    other["reports"][0]["study"] = {"nct": "NCT00000001"}
    write_record(tmp_path / "in", "one.yaml", record)
    write_record(tmp_path / "in", "two.yaml", other)
    result = build([tmp_path / "in"], tmp_path / "out")
    assert result.studies == 1
    rows = _rows(result.out_dir, "SELECT ?n WHERE { ?r s:aboutStudy ?s ; s:enrolled ?n }")
    assert sorted(r["n"] for r in rows) == ["8", "9"]  # both reports stand


def test_build_replaces_outputs_with_exactly_its_inputs(
    tmp_path: Path, record: dict[str, Any]
) -> None:
    first = write_record(tmp_path / "a", "first.yaml", record)
    build([first], tmp_path / "out")
    second = {**record, "reports": [{**record["reports"][0], "study": {"nct": "NCT00000002"}}]}
    result = build([write_record(tmp_path / "b", "second.yaml", second)], tmp_path / "out")
    assert [s.key for s in result.sources] == ["curated:pmid:123456"]
    trig = (tmp_path / "out" / "stemkg.trig").read_text()
    assert "first.yaml" not in trig and "NCT00000001" not in trig


def test_bad_files_are_named_and_good_ones_build(tmp_path: Path, record: dict[str, Any]) -> None:
    folder = tmp_path / "in"
    write_record(folder, "good.yaml", record)
    (folder / "broken.yaml").write_text("schema_version: [", encoding="utf-8")
    (folder / "empty.json").write_text("", encoding="utf-8")
    result = build([folder], tmp_path / "out")
    assert [s.path.name for s in result.sources] == ["good.yaml"]
    assert sorted(p.path.name for p in result.problems) == ["broken.yaml", "empty.json"]


def test_nothing_to_build(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.yaml").write_text("", encoding="utf-8")
    with pytest.raises(NothingToBuildError, match=r"bad\.yaml: empty file"):
        build([tmp_path / "in"], tmp_path / "out")
    assert not (tmp_path / "out" / "stemkg.trig").exists()


def test_a_bad_file_named_on_the_command_line_is_fatal(
    tmp_path: Path, record: dict[str, Any]
) -> None:
    good = write_record(tmp_path, "good.yaml", record)
    record["reports"][0]["participants"]["enrolled"] = -1
    bad = write_record(tmp_path, "bad.yaml", record)
    with pytest.raises(InputError, match=r"bad\.yaml: reports\[0\]\.participants\.enrolled"):
        build([good, bad], tmp_path / "out")
    assert not (tmp_path / "out" / "stemkg.trig").exists()


def test_a_file_named_twice_is_read_once(tmp_path: Path, record: dict[str, Any]) -> None:
    path = write_record(tmp_path, "trial.yaml", record)
    result = build([path, path, tmp_path], tmp_path / "out")
    assert [s.path.name for s in result.sources] == ["trial.yaml"] and not result.problems


def test_a_renamed_file_keeps_its_iris(tmp_path: Path, record: dict[str, Any]) -> None:
    one = build([write_record(tmp_path / "a", "trial.yaml", record)], tmp_path / "one")
    two = build([write_record(tmp_path / "b", "renamed.yaml", record)], tmp_path / "two")
    first = (one.out_dir / "stemkg.trig").read_text(encoding="utf-8")
    second = (two.out_dir / "stemkg.trig").read_text(encoding="utf-8")
    assert first.replace('"trial.yaml"', '"renamed.yaml"') == second


def test_one_source_in_two_files(tmp_path: Path, record: dict[str, Any]) -> None:
    write_record(tmp_path / "in", "a.yaml", record)
    write_record(tmp_path / "in", "copy.yaml", record)
    result = build([tmp_path / "in"], tmp_path / "out")
    assert len(result.sources) == 1 and not result.problems
    assert any("the same source as" in w.message for w in result.warnings)
    record["reports"][0]["participants"]["enrolled"] = 9
    write_record(tmp_path / "in", "copy.yaml", record)
    result = build([tmp_path / "in"], tmp_path / "out")
    [problem] = result.problems
    assert "has the key 'curated:pmid:123456'" in problem.message
    assert "give one a `key:`" in problem.message


def test_a_documented_key_tells_two_curations_apart(tmp_path: Path, record: dict[str, Any]) -> None:
    write_record(tmp_path / "in", "a.yaml", record)
    record["source"]["key"] = "second curator"
    write_record(tmp_path / "in", "b.yaml", record)
    result = build([tmp_path / "in"], tmp_path / "out")
    assert sorted(s.key for s in result.sources) == ["curated:pmid:123456", "key:second curator"]
    assert result.studies == 1


def test_conflicting_registry_ids_are_named(tmp_path: Path, record: dict[str, Any]) -> None:
    write_record(tmp_path / "in", "a.yaml", record)
    other = {**record, "source": {"kind": "news", "title": "A news story"}}
    other["reports"] = [{**record["reports"][0], "study": {"nct": "NCT00000002", "pmid": "9"}}]
    record["reports"][0]["study"]["pmid"] = "9"
    write_record(tmp_path / "in", "a.yaml", record)
    write_record(tmp_path / "in", "b.yaml", other)
    result = build([tmp_path / "in"], tmp_path / "out")
    assert result.studies == 2 and result.validation.conforms
    [warning] = [w for w in result.warnings if "pmid:9" in w.message]
    assert "a.yaml: reports[0].study: pmid:9 is given to nct:NCT00000001 and" in warning.message
    assert "b.yaml reports[0]" in warning.message


def test_counts_agree_across_commands(built: pipeline.BuildResult) -> None:
    from stemkg.query import stats

    assert pipeline.validate_build(built.out_dir).triples == built.triples
    assert stats(open_store(built.out_dir)).triples == built.triples


def test_outputs_are_readable_by_others(built: pipeline.BuildResult) -> None:
    for name in ("stemkg.trig", "stemkg.ttl", "manifest.json"):
        assert (built.out_dir / name).stat().st_mode & 0o044, name


def test_missing_input_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        build([tmp_path / "nope"], tmp_path / "out")


def test_second_build_is_refused_while_one_runs(tmp_path: Path) -> None:
    with build_lock(tmp_path / "out"), pytest.raises(BuildLockedError, match="another build"):
        build([RECORDS], tmp_path / "out")


def test_a_build_killed_midway_leaves_previous_outputs_whole(
    tmp_path: Path, record: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_record(tmp_path / "in", "trial.yaml", record)
    out = tmp_path / "out"
    build([path], out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "write_turtle", killed)
    record["reports"][0]["participants"]["enrolled"] = 80
    write_record(tmp_path / "in", "trial.yaml", record)
    with pytest.raises(KeyboardInterrupt):
        build([path], out)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".build-")]
    rows = _rows(out, "SELECT ?n WHERE { ?r s:enrolled ?n }")
    assert rows == [{"n": "8"}]


def test_unwritable_output(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(Exception, match="cannot be written"):
        build([RECORDS], blocker / "out")


def test_validate_file_and_bad_rdf(built: pipeline.BuildResult, tmp_path: Path) -> None:
    report = pipeline.validate_file(built.out_dir / "stemkg.trig")
    assert report.conforms and report.graphs == len(built.sources) + 2  # grades, dataset
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.ttl: RDF does not parse"):
        pipeline.validate_file(bad)


def test_copy_of_build_validates(built: pipeline.BuildResult, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built.out_dir, copy)
    assert pipeline.validate_build(copy).conforms


def test_articles_and_records_meet_on_one_study(tmp_path: Path) -> None:
    """Seed studies A (venue, condition, cell type), B (PMID) and C (NCT) from an article and
    from a curated record hang off one study node each, side by side; B's two registry records
    join it too, because B's paper pools their two registry ids."""
    data = RECORDS.parent
    registry = [data / "registry" / f"nct0{n}-ctgov-v2.json" for n in ("1051882", "1777646")]
    result = build([data / "articles" / "als-roundup.txt", RECORDS, *registry], tmp_path / "out")
    assert result.validation.conforms
    rows = _rows(
        result.out_dir,
        """SELECT ?study (COUNT(DISTINCT ?report) AS ?reports) WHERE {
          ?report s:aboutStudy ?study ; s:condition/rdfs:label "amyotrophic lateral sclerosis" }
          GROUP BY ?study""",
    )
    assert sorted(int(r["reports"]) for r in rows) == [2, 2, 4]


def test_articles_build_with_their_facts(tmp_path: Path) -> None:
    result = build([RECORDS.parent / "articles"], tmp_path / "out")
    assert result.validation.conforms, result.validation.violations[:3]
    assert {"what-are-stem-cells", "regen-clinic-advert"} <= set(result.no_study)
    rows = _rows(
        result.out_dir,
        """SELECT ?quote WHERE { ?e s:quote ?quote ; s:start ?s ; s:end ?e2 ;
           <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> s:treated }""",
    )
    assert {"7 people"} <= {r["quote"] for r in rows}


def test_mixed_folder_names_bad_articles_and_builds_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(RECORDS.parent / "articles" / "als-roundup.txt", folder)
    shutil.copy(RECORDS / "oh-2015-stem-cells-transl-med.yaml", folder)
    (folder / "noise.txt").write_bytes(bytes(range(256)) * 16)
    (folder / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (folder / "empty.md").write_text("", encoding="utf-8")
    result = build([folder], tmp_path / "out")
    assert sorted(p.path.name for p in result.problems) == ["empty.md", "feed.xml", "noise.txt"]
    assert len(result.sources) == 4 and result.validation.conforms


def test_a_five_megabyte_line_is_read_in_bounded_time(tmp_path: Path) -> None:
    import time

    from stemkg.pipeline import extract_paths

    path = tmp_path / "line.txt"
    path.write_text("stem cells " * 500_000, encoding="utf-8")
    start = time.perf_counter()
    result = extract_paths([path])
    assert time.perf_counter() - start < 120  # bounded, not a benchmark (about 4 s here)
    assert result.records == ()


def test_articles_and_records_build_byte_identically(tmp_path: Path) -> None:
    data = RECORDS.parent
    first = build([data], tmp_path / "one")
    second = build([data], tmp_path / "two")
    for name in ("stemkg.trig", "stemkg.ttl", "manifest.json"):
        assert (first.out_dir / name).read_bytes() == (second.out_dir / name).read_bytes(), name
    readme = (RECORDS.parents[1] / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"│ triples in source graphs\s+│\s+(\d+) │", readme)
    assert shown and int(shown.group(1)) == first.triples, "update the README's build example"
    assert f"│ sources                      │ {len(first.sources):>8} │" in readme


def test_articles_that_report_no_study_build_nothing(tmp_path: Path) -> None:
    explainer = RECORDS.parent / "articles" / "what-are-stem-cells.md"
    with pytest.raises(NothingToBuildError, match=r"the 1 article\(s\) report no study"):
        build([explainer], tmp_path / "out")


def test_stale_staging_and_output_inside_input(tmp_path: Path, record: dict[str, Any]) -> None:
    folder = tmp_path / "in"
    write_record(folder, "trial.yaml", record)
    out = folder / "build"
    build([folder], out)
    (out / ".build-killed").mkdir()
    again = build([folder], out)  # must not read its own outputs back
    assert not again.problems and len(again.sources) == 1
    assert not (out / ".build-killed").exists()


def test_arm_labels_sharing_an_identifier_are_named(tmp_path: Path, record: dict[str, Any]) -> None:
    arm = record["reports"][0]["arms"][0]
    record["reports"][0]["arms"] = [arm, {**arm, "label": "intrathecal!"}]
    write_record(tmp_path / "in", "clash.yaml", record)
    fine = {"schema_version": 2, "source": {"kind": "news", "title": "Fine"}, "reports": []}
    write_record(tmp_path / "in", "fine.yaml", fine)
    result = build([tmp_path / "in"], tmp_path / "out")
    [problem] = result.problems
    assert "give one identifier" in problem.message and "clash.yaml" in problem.message


def test_seed_b_paper_and_both_registry_records_meet(built: pipeline.BuildResult) -> None:
    """Petrou et al. pool NCT01051882 and NCT01777646; each trial's registry record joins."""
    rows = _rows(
        built.out_dir,
        """SELECT DISTINCT ?study ?kind WHERE {
          ?report s:aboutStudy ?study ;
            <http://www.w3.org/ns/prov#wasDerivedFrom>/s:sourceKind ?kind .
          ?study s:nct "NCT01051882", "NCT01777646" }""",
    )
    assert {r["study"] for r in rows} == {"https://w3id.org/stemkg/id/study/NCT01051882"}
    assert {r["kind"].rsplit("/", 1)[-1] for r in rows} == {
        "kind-curated-record",
        "kind-registry-record",
    }
    reports = _rows(
        built.out_dir,
        """SELECT (COUNT(DISTINCT ?report) AS ?n) WHERE {
          ?report s:aboutStudy <https://w3id.org/stemkg/id/study/NCT01051882> }""",
    )
    assert reports == [{"n": "3"}]
    planned = _rows(
        built.out_dir,
        """SELECT ?title ?frame WHERE { ?m s:plannedMeasureOf/s:aboutStudy
             <https://w3id.org/stemkg/id/study/NCT01051882> ; s:priority s:priority-primary ;
             <http://purl.org/dc/terms/title> ?title ; s:timeFrame ?frame }""",
    )
    assert len(planned) == 2 and {"6 months"} <= {p["frame"] for p in planned}


def test_terms_beyond_the_curated_lexicon_build(built: pipeline.BuildResult) -> None:
    """Canesi et al.: a condition only the ontology tables hold (labelled, under disease in the
    ontology graph) and a measure no table holds (an unmapped term)."""
    assert built.validation.conforms
    rows = _rows(
        built.out_dir,
        """SELECT ?label ?kind WHERE { ?o s:measure ?m . ?m a s:UnmappedTerm ;
             rdfs:label ?label ; s:termKind ?kind }""",
    )
    assert rows == [
        {"label": "PSP Rating Scale", "kind": "https://w3id.org/stemkg/vocab/term-kind-measure"}
    ]
    psp = _rows(
        built.out_dir,
        """SELECT ?label WHERE { ?r s:primaryCondition ?c . ?c rdfs:label ?label ;
             rdfs:subClassOf+ <http://purl.obolibrary.org/obo/MONDO_0000001> }""",
    )
    assert {"label": "progressive supranuclear palsy"} in psp


def test_a_text_too_short_to_be_an_article_is_named(tmp_path: Path) -> None:
    short = tmp_path / "brief.txt"
    short.write_text("Stem cells help knees\n\nA phase 1 trial gave MSCs to 20 patients.\n")
    with pytest.raises(NothingToBuildError, match=r"the 1 article\(s\) report no study"):
        build([short], tmp_path / "out")
    extracted = pipeline.extract_paths([short])
    assert extracted.no_study == ("brief",)
    assert any("no article found: too little prose" in w.message for w in extracted.warnings)


def test_every_evidenced_property_is_a_value_property(built: pipeline.BuildResult) -> None:
    """The evidence shape checks the properties typed stemkg:ValueProperty in the vocabulary;
    every property the mapping gives evidence for must be one (or the check would skip it)."""
    rows = _rows(
        built.out_dir,
        """SELECT DISTINCT ?p WHERE { ?e a s:ValueEvidence ;
             <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p .
           FILTER NOT EXISTS { ?p a s:ValueProperty } }""",
    )
    assert [r["p"] for r in rows] == ["http://purl.org/dc/terms/title"]  # planned measures only


def test_the_manifest_names_articles_with_no_study(tmp_path: Path) -> None:
    import json

    result = build([RECORDS.parent / "articles"], tmp_path / "out")
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    named = {entry["article"]: entry["why"] for entry in manifest["no_study"]}
    assert set(named) == {"what-are-stem-cells", "regen-clinic-advert"}
    assert all("Missing:" in why for why in named.values())
