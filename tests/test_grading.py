"""Evidence grading: the rule table, report and study grades, and the grades of the data/ build."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode

from stemkg.errors import InputError
from stemkg.grading import (
    GRADES_GRAPH,
    GradedReport,
    ReportDesign,
    Tier,
    grade_quads,
    grade_report,
    grade_study,
    load_table,
    read_table,
    rule_iri,
)
from stemkg.lexicon import Lexicon
from stemkg.model import Allocation, Control, Masking, RecordFile, StudyType
from stemkg.pipeline import BuildResult
from stemkg.resources import ontology_file
from stemkg.store import open_store
from stemkg.validate import validate_graphs
from stemkg.vocab import P

TABLE = load_table()
RCT_120 = ReportDesign(
    StudyType.INTERVENTIONAL, Allocation.RANDOMISED, Masking.DOUBLE, Control.PLACEBO, 120
)
SINGLE_ARM_10 = ReportDesign(
    StudyType.INTERVENTIONAL, Allocation.SINGLE_GROUP, Masking.OPEN_LABEL, Control.NONE, 10
)
IN_VITRO = ReportDesign(StudyType.IN_VITRO)
ANIMAL = ReportDesign(StudyType.ANIMAL, control=Control.UNTREATED, participants=32)


def _level(design: ReportDesign) -> int:
    return grade_report(design, TABLE).level


def test_a_large_blinded_rct_is_top_and_in_vitro_lowest() -> None:
    assert grade_report(RCT_120, TABLE).id == "rct-blinded-100"
    assert _level(RCT_120) == min(r.level for r in TABLE.rules) == 1
    assert grade_report(IN_VITRO, TABLE).id == "in-vitro"
    assert _level(IN_VITRO) == max(r.level for r in TABLE.rules)


def test_size_blinding_and_control_each_lower_the_grade() -> None:
    open_label = ReportDesign(**{**_fields(RCT_120), "masking": Masking.OPEN_LABEL})
    small = ReportDesign(**{**_fields(RCT_120), "participants": 40})
    unstated_size = ReportDesign(**{**_fields(RCT_120), "participants": None})
    uncontrolled = ReportDesign(**{**_fields(RCT_120), "control": Control.NONE})
    assert _level(RCT_120) < _level(open_label) < _level(uncontrolled)
    assert _level(RCT_120) < _level(small) == _level(unstated_size)
    assert grade_report(uncontrolled, TABLE).id == "uncontrolled-20"  # 120 in one arm


def test_a_single_arm_of_ten_is_below_trials_and_above_animals() -> None:
    assert grade_report(SINGLE_ARM_10, TABLE).id == "uncontrolled"
    assert _level(RCT_120) < _level(SINGLE_ARM_10) < _level(ANIMAL) < _level(IN_VITRO)


def _fields(design: ReportDesign) -> dict[str, Any]:
    return {name: getattr(design, name) for name in ReportDesign.__slots__}


def _news(design: ReportDesign) -> ReportDesign:
    return ReportDesign(**{**_fields(design), "tier": Tier.AUTHOR_STATEMENT})


def test_news_does_not_raise_a_study_grade() -> None:
    grade = grade_study([("report/paper", SINGLE_ARM_10), ("report/news", _news(RCT_120))], TABLE)
    assert grade.rule.id == "uncontrolled"
    assert grade.reports == ("report/paper",) and grade.tier is Tier.RESULTS


def test_news_alone_grades_no_higher_than_it_supports() -> None:
    grade = grade_study([("a", _news(RCT_120)), ("b", _news(SINGLE_ARM_10))], TABLE)
    assert grade.rule.id == "uncontrolled" and grade.tier is Tier.AUTHOR_STATEMENT
    assert grade_study([("a", _news(RCT_120))], TABLE).rule.id == "rct-blinded-100"


def test_results_outrank_the_registry_protocol() -> None:
    registry = ReportDesign(**{**_fields(RCT_120), "tier": Tier.REGISTRY})
    assert grade_study([("p", SINGLE_ARM_10), ("r", registry)], TABLE).rule.id == "uncontrolled"
    assert grade_study([("r", registry)], TABLE).rule.id == "rct-blinded-100"
    fuller = ReportDesign(**{**_fields(SINGLE_ARM_10), "participants": 26})
    grade = grade_study([("a", SINGLE_ARM_10), ("b", fuller)], TABLE)
    assert grade.rule.id == "uncontrolled-20" and grade.reports == ("b",)


def test_designs_from_records(record: dict[str, Any], lexicon: Lexicon) -> None:
    parsed = RecordFile.model_validate(record, context={"lexicon": lexicon})
    design = ReportDesign.of(parsed.reports[0], parsed.source)
    assert design.tier is Tier.RESULTS and design.study_type is StudyType.INTERVENTIONAL
    news = copy.deepcopy(record)
    news["source"]["kind"] = "news"
    parsed = RecordFile.model_validate(news, context={"lexicon": lexicon})
    assert ReportDesign.of(parsed.reports[0], parsed.source).tier is Tier.AUTHOR_STATEMENT
    retracted = copy.deepcopy(record)
    retracted["source"]["retracted"] = True
    parsed = RecordFile.model_validate(retracted, context={"lexicon": lexicon})
    assert ReportDesign.of(parsed.reports[0], parsed.source).tier is Tier.AUTHOR_STATEMENT


def test_planned_enrolment_is_not_a_size(record: dict[str, Any], lexicon: Lexicon) -> None:
    record["reports"][0]["participants"] = {"enrolled": 150, "enrollment_type": "anticipated"}
    parsed = RecordFile.model_validate(record, context={"lexicon": lexicon})
    arms = [a.participants.value for a in parsed.reports[0].arms if a.participants]
    assert ReportDesign.of(parsed.reports[0], parsed.source).participants == (sum(arms) or None)


def _table(tmp_path: Path, old: str, new: str) -> Path:
    text = ontology_file("grading.tsv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "grading.tsv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("masking=single,", "masking=blind,", "line 21: 'blind' is not a masking"),
        ("participants>=100", "participants>100", "line 21: 'participants>100' is not a condition"),
        ("# version: 1\n", "", "exactly one '# version: N' line"),
        ("9\tin-vitro\tin vitro study\tstudy_type=in_vitro\n", "", "no rule grades a in_vitro"),
        ("2\trct-100", "1\trct-100", "levels must rise"),
    ],
)
def test_a_bad_table_is_refused_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_table(_table(tmp_path, old, new))


def test_the_shipped_table_is_versioned_and_its_rules_have_iris() -> None:
    assert TABLE.version == "1" and len(TABLE.rules) == 9
    assert (
        rule_iri(TABLE, TABLE.rules[0]) == "https://w3id.org/stemkg/id/grading/v1/rct-blinded-100"
    )


def test_grade_quads_are_stable_and_one_per_study() -> None:
    reports = [
        GradedReport("urn:study:a", "urn:report:1", SINGLE_ARM_10),
        GradedReport("urn:study:a", "urn:report:2", _news(RCT_120)),
        GradedReport("urn:study:b", "urn:report:3", IN_VITRO),
    ]
    quads = grade_quads(reports, TABLE)
    assert quads == grade_quads(list(reversed(reports)), TABLE)
    grades = [q for q in quads if q.predicate == NamedNode(P.evidenceGrade)]
    assert sorted(q.subject.value for q in grades) == ["urn:study:a", "urn:study:b"]
    assert all(q.graph_name == NamedNode(GRADES_GRAPH) for q in quads)


GRADES = """PREFIX s: <https://w3id.org/stemkg/vocab/>
SELECT ?study (COUNT(DISTINCT ?grade) AS ?n) (SAMPLE(?level) AS ?l) (SAMPLE(?rule) AS ?r)
WHERE { ?study s:studyKey ?key .
        OPTIONAL { ?study s:evidenceGrade ?grade . ?grade s:gradeLevel ?level ;
                   s:gradingRule ?rule } }
GROUP BY ?study"""


def test_every_study_of_data_has_one_grade(built_data: BuildResult) -> None:
    store = open_store(built_data.out_dir)
    rows = {
        r["study"].value.rsplit("/", 1)[-1]: (int(r["n"].value), int(r["l"].value), r["r"].value)  # type: ignore[index, union-attr]
        for r in store.query(GRADES, use_default_graph_as_union=True)  # type: ignore[union-attr]
    }
    assert len(rows) == built_data.studies == 13 and built_data.validation.conforms
    assert {n for n, _, _ in rows.values()} == {1}
    rule = "https://w3id.org/stemkg/id/grading/v1/"
    assert rows["key-plos-one-2013-als-msc-in-vitro"][1:] == (9, rule + "in-vitro")
    assert rows["pmid-11283404"][1:] == (8, rule + "animal")
    # the registry's randomised protocol does not lift the single-arm phase 1 stage (8 enrolled)
    assert rows["NCT01363401-phase-1"][1:] == (7, rule + "uncontrolled")
    assert rows["NCT02123368"][1:] == (4, rule + "rct")
    # a news story of a blinded trial of 24 (no other report): graded from it, flagged
    assert rows["doi-10-1002-sctm-18-0122"][1:] == (3, rule + "rct-blinded")


def test_a_study_without_its_grade_violates(built: BuildResult) -> None:
    store = open_store(built.out_dir)
    graph = next(s.graph for s in built.sources if s.key == "curated:pmid:25934946")
    quads = list(store.quads_for_pattern(None, None, None, NamedNode(graph)))
    assert validate_graphs([(graph, quads)]).conforms is False  # no grades given
    grades = store.quads_for_pattern(None, None, None, NamedNode(GRADES_GRAPH))
    assert validate_graphs([(graph, quads)], grades=grades).conforms
