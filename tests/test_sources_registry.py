"""ClinicalTrials.gov records (v2 JSON, v2 search pages, legacy v1 JSON, classic XML) as records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stemkg.errors import InputError, StemkgError
from stemkg.extract.registry import registry_record
from stemkg.lexicon import Lexicon
from stemkg.model import RecordFile
from stemkg.pipeline import build, extract_paths
from stemkg.sources import Format, detect, read_file
from stemkg.store import open_store
from stemkg.vocab import load_lexicon, load_resources

V2 = Path(__file__).resolve().parents[1] / "data" / "registry" / "nct01363401-ctgov-v2.json"


def _records(path: Path, lexicon: Lexicon) -> list[RecordFile]:
    return [registry_record(t, load_resources()) for t in read_file(path, lexicon).trials]


def _v2() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(V2.read_text(encoding="utf-8"))
    return data


def test_v2_record_maps_fields_and_grounds_free_text(lexicon: Lexicon) -> None:
    assert detect(V2) is Format.REGISTRY_JSON
    [record] = _records(V2, lexicon)
    [report] = record.reports
    assert record.source.kind.value == "registry_record" and record.source.nct == ("NCT01363401",)
    assert record.source.url == "https://clinicaltrials.gov/study/NCT01363401"
    d = report.design
    assert (
        d.study_type.value,
        d.allocation and d.allocation.value,
        d.masking and d.masking.value,
    ) == (
        "interventional",
        "randomised",
        "open_label",
    )
    assert d.control is not None and d.control.value == "active"  # an ACTIVE_COMPARATOR arm
    assert report.phase is not None and report.phase.id == "NCIT:C15693"  # PHASE1 + PHASE2
    assert report.participants is not None and report.participants.enrolled is not None
    assert report.participants.enrolled.value == 72
    assert report.participants.enrollment_type is not None
    assert report.participants.enrollment_type.value == "actual"
    assert [c.id for c in report.conditions] == ["MONDO:0004976"]
    assert report.status is not None and report.status.value == "completed"
    assert report.start_date is not None and report.start_date.value == "2011-05"
    cells, combined, riluzole = report.arms
    assert riluzole.comparator and not cells.comparator
    therapy = cells.therapy
    assert therapy.cell_type is not None and therapy.cell_type.id == "CL:0002540"
    assert therapy.donor is not None and therapy.donor.value == "autologous"
    assert [r.id for r in therapy.routes] == ["NCIT:C38267"]
    assert therapy.schedule is not None and therapy.schedule.interval == "P26D"
    assert therapy.cell_type.locator and "arm 'Stage 1" in therapy.cell_type.locator
    assert combined.therapy.routes  # "by lumbar puncture" in the intervention's description
    [primary, secondary] = report.planned_measures
    assert primary.priority.value == "primary" and primary.measure is not None
    assert primary.measure.id == "NCIT:C41331"
    assert secondary.time_frame is not None and secondary.time_frame.value == "6 months"
    assert report.outcomes == []  # a registry record without posted results


def test_search_page_gives_each_study_and_an_empty_page_is_named(
    tmp_path: Path, lexicon: Lexicon
) -> None:
    second = _v2()
    second["protocolSection"]["identificationModule"]["nctId"] = "NCT09999999"
    second["protocolSection"]["conditionsModule"]["conditions"] = [
        "Ischemic Stroke",
        "Rare Thing Syndrome",
    ]
    page = tmp_path / "search.json"
    page.write_text(
        json.dumps({"studies": [_v2(), second], "nextPageToken": "abc"}), encoding="utf-8"
    )
    first, other = _records(page, lexicon)
    assert first.source.nct == ("NCT01363401",) and other.source.nct == ("NCT09999999",)
    stroke, rare = other.reports[0].conditions
    assert stroke.id is not None and rare.unmapped and rare.label == "Rare Thing Syndrome"
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"studies": [], "totalCount": 0}), encoding="utf-8")
    with pytest.raises(InputError, match="search page with no studies"):
        read_file(empty, lexicon)


def test_renamed_fields_are_named_not_guessed(tmp_path: Path, lexicon: Lexicon) -> None:
    data = _v2()
    ident = data["protocolSection"]["identificationModule"]
    ident["nct_id"] = ident.pop("nctId")
    path = tmp_path / "renamed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"renamed.json: study 1: no NCT id"):
        read_file(path, lexicon)


KNEE_CELLS = "Allogeneic adipose-derived mesenchymal stem cells injected into the knee joint."
V1 = {
    "FullStudiesResponse": {
        "APIVrs": "1.01.05",
        "NStudiesFound": 1,
        "FullStudies": [
            {
                "Rank": 1,
                "Study": {
                    "ProtocolSection": {
                        "IdentificationModule": {
                            "NCTId": "NCT01234567",
                            "BriefTitle": "MSCs in knee OA",
                        },
                        "StatusModule": {
                            "OverallStatus": "Completed",
                            "StartDateStruct": {"StartDate": "March 2014"},
                        },
                        "ConditionsModule": {
                            "ConditionList": {"Condition": ["Knee Osteoarthritis"]}
                        },
                        "DesignModule": {
                            "StudyType": "Interventional",
                            "PhaseList": {"Phase": ["Phase 2"]},
                            "DesignInfo": {
                                "DesignAllocation": "Randomized",
                                "DesignInterventionModel": "Parallel Assignment",
                                "DesignMaskingInfo": {"DesignMasking": "Double"},
                            },
                            "EnrollmentInfo": {"EnrollmentCount": "30", "EnrollmentType": "Actual"},
                        },
                        "ArmsInterventionsModule": {
                            "ArmGroupList": {
                                "ArmGroup": [
                                    {
                                        "ArmGroupLabel": "MSC",
                                        "ArmGroupType": "Experimental",
                                        "ArmGroupInterventionList": {
                                            "ArmGroupInterventionName": ["Biological: MSC"]
                                        },
                                    },
                                    {
                                        "ArmGroupLabel": "Hyaluronic acid",
                                        "ArmGroupType": "Active Comparator",
                                    },
                                ]
                            },
                            "InterventionList": {
                                "Intervention": [
                                    {
                                        "InterventionType": "Drug",
                                        "InterventionName": "MSC",
                                        "InterventionDescription": KNEE_CELLS,
                                        "InterventionArmGroupLabelList": {
                                            "InterventionArmGroupLabel": ["MSC"]
                                        },
                                    }
                                ]
                            },
                        },
                    }
                },
            }
        ],
    }
}


def test_legacy_v1_json_is_read_with_its_spellings(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(V1), encoding="utf-8")
    [record] = _records(path, lexicon)
    [report] = record.reports
    assert report.phase is not None and report.phase.id == "NCIT:C15601"
    assert report.design.masking is not None and report.design.masking.value == "double"
    assert report.design.intervention_model is not None
    assert report.design.intervention_model.value == "parallel"
    assert report.participants is not None and report.participants.enrolled is not None
    assert report.participants.enrolled.value == 30  # a string in v1
    assert report.start_date is not None and report.start_date.value == "2014-03"
    therapy = report.arms[0].therapy  # typed "Drug", but its words name cells
    assert therapy.cell_type is not None and therapy.cell_type.id == "CL:0002570"
    assert therapy.donor is not None and therapy.donor.value == "allogeneic"
    assert [r.id for r in therapy.routes] == ["NCIT:C38223"]  # "into the knee joint"


CLASSIC = """<?xml version="1.0" encoding="UTF-8"?>
<clinical_study rank="1">
  <id_info><org_study_id>X-1</org_study_id><nct_id>NCT07654321</nct_id></id_info>
  <brief_title>Cord Blood for Cerebral Palsy</brief_title>
  <sponsors><lead_sponsor><agency>Test University</agency></lead_sponsor></sponsors>
  <overall_status>Recruiting</overall_status>
  <start_date type="Actual">January 5, 2017</start_date>
  <phase>Phase 1/Phase 2</phase>
  <study_type>Interventional</study_type>
  <study_design_info>
    <allocation>N/A</allocation>
    <intervention_model>Single Group Assignment</intervention_model>
    <masking>None (Open Label)</masking>
  </study_design_info>
  <primary_outcome>
    <measure>Gross Motor Function Measure</measure><time_frame>12 months</time_frame>
  </primary_outcome>
  <enrollment type="Anticipated">40</enrollment>
  <condition>Cerebral Palsy</condition>
  <arm_group>
    <arm_group_label>Cord blood</arm_group_label><arm_group_type>Experimental</arm_group_type>
  </arm_group>
  <intervention>
    <intervention_type>Biological</intervention_type>
    <intervention_name>Autologous umbilical cord blood</intervention_name>
    <description>A single intravenous infusion of the child's own cord blood cells.</description>
    <arm_group_label>Cord blood</arm_group_label>
  </intervention>
  <eligibility><minimum_age>1 Year</minimum_age><maximum_age>6 Years</maximum_age></eligibility>
</clinical_study>
"""


def test_classic_xml_with_crlf_is_read(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "NCT07654321.xml"
    path.write_bytes(CLASSIC.replace("\n", "\r\n").encode())
    assert detect(path) is Format.REGISTRY_XML
    [record] = _records(path, lexicon)
    [report] = record.reports
    assert report.phase is not None and report.phase.id == "NCIT:C15693"
    assert report.design.allocation is not None and report.design.allocation.value == "single_group"
    assert report.design.masking is not None and report.design.masking.value == "open_label"
    assert report.participants is not None and report.participants.enrollment_type is not None
    assert report.participants.enrollment_type.value == "anticipated"
    assert report.start_date is not None and report.start_date.value == "2017-01-05"
    assert report.sponsor is not None and report.sponsor.value == "Test University"
    assert report.age_range is not None and report.age_range.max is not None
    assert report.age_range.max.value == 6
    therapy = report.arms[0].therapy
    assert therapy.donor is not None and therapy.donor.value == "autologous"
    assert [r.id for r in therapy.routes] == ["NCIT:C38276"]


def test_registry_abstract_and_curated_record_meet_on_one_study(tmp_path: Path) -> None:
    """Seed study C as a registry record, a PubMed abstract and a curated record: one study."""
    data = V2.parents[1]
    files = [
        V2,
        data / "pubmed" / "seed-trials-efetch.xml",
        data / "records" / "oh-2015-stem-cells-transl-med.yaml",
    ]
    result = build(files, tmp_path / "out")
    assert result.validation.conforms
    rows = open_store(result.out_dir).query(
        "PREFIX stemkg: <https://w3id.org/stemkg/vocab/> SELECT DISTINCT ?kind WHERE { "
        "GRAPH ?g { ?report stemkg:aboutStudy ?study } "
        "FILTER(?study = <https://w3id.org/stemkg/id/study/NCT01363401-phase-1>) "
        "GRAPH ?g { ?source stemkg:sourceKind ?kind } }"
    )
    kinds = sorted(str(row[0].value).rsplit("/", 1)[-1] for row in rows)  # type: ignore[index]
    assert kinds == ["kind-abstract", "kind-curated-record", "kind-registry-record"]


def test_match_keeps_only_the_citations_naming_a_word(tmp_path: Path) -> None:
    efetch = V2.parents[1] / "pubmed" / "seed-trials-efetch.xml"
    kept = extract_paths([efetch], match=("intrathecal injections",))
    assert [r.source.pmid for _, r in kept.records] == ["25934946"]
    assert len(extract_paths([efetch]).records) == 2


def test_match_reads_registry_records_too_and_says_what_it_left_out(tmp_path: Path) -> None:
    data = V2.parents[1]
    kept = extract_paths([V2, data / "pubmed"], match=("riluzole",))
    assert [r.source.nct for _, r in kept.records] == [("NCT01363401",)]  # only the registry's
    assert any(
        "2 left out: they name none of the --match words" in w.message for w in kept.warnings
    )
    none = extract_paths([V2], match=("knee",))
    assert not none.records and any("1 left out" in w.message for w in none.warnings)


def test_a_clashing_source_is_left_out_and_the_rest_of_its_file_builds(tmp_path: Path) -> None:
    efetch = V2.parents[1] / "pubmed" / "seed-trials-efetch.xml"
    drafts = extract_paths([efetch])
    [(_, oh)] = [(p, r) for p, r in drafts.records if r.source.pmid == "25934946"]
    draft = tmp_path / "oh-draft.json"
    edited = oh.model_dump(mode="json", exclude_none=True)
    edited["reports"][0]["participants"]["enrolled"]["value"] = 9  # a reviewed draft
    draft.write_text(json.dumps(edited), encoding="utf-8")
    result = build([draft, efetch], tmp_path / "out")
    assert {s.key for s in result.sources} == {"pmid:25934946", "pmid:26751635"}
    [problem] = result.problems
    assert "left out: another source in" in problem.message and "oh-draft.json" in problem.message


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("notes.json", '{"foo": 1, "bar": 2}', "neither a stemkg record (no schema_version) nor a"),
        ("page.json", '<?xml version="1.0"?><a/>', "(it starts with '<': XML saved as .json?)"),
        ("empty.xml", "", "empty file"),
    ],
)
def test_files_of_another_kind_are_named(
    tmp_path: Path, lexicon: Lexicon, name: str, content: str, needle: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_file(path, lexicon)
    assert needle in str(info.value)


OBSERVATIONAL = """<?xml version="1.0" encoding="UTF-8"?>
<clinical_study rank="1">
  <id_info><nct_id>NCT09999998</nct_id></id_info>
  <brief_title>Registry of Patients Treated With Stem Cells for Knee Osteoarthritis</brief_title>
  <overall_status>Unknown status</overall_status>
  <start_date>March 2015</start_date>
  <phase>N/A</phase>
  <study_type>Observational</study_type>
  <enrollment type="Anticipated">300</enrollment>
  <condition>Osteoarthritis, Knee</condition>
  <intervention><intervention_type>Procedure</intervention_type>
    <intervention_name>Adipose-derived mesenchymal stem cell injection</intervention_name>
  </intervention>
</clinical_study>
"""


def test_an_observational_record_without_arm_groups_builds(tmp_path: Path) -> None:
    path = tmp_path / "NCT09999998.xml"
    path.write_text(OBSERVATIONAL, encoding="utf-8")
    result = build([path], tmp_path / "out")
    assert result.validation.conforms
    [record] = _records(path, load_lexicon())
    [report] = record.reports
    assert report.design.study_type.value == "observational" and report.phase is None
    assert report.status is not None and report.status.value == "unknown"
    [arm] = report.arms  # one per intervention where no arm groups are registered
    assert arm.therapy.cell_type is not None and arm.therapy.cell_type.id == "CL:0002570"


def _with_results() -> dict[str, Any]:
    data = _v2()
    data["hasResults"] = True
    groups = [
        {"id": "OG000", "title": "Stage 2: BM-MSC with riluzole"},
        {"id": "OG001", "title": "Stage 2: riluzole alone"},
    ]
    data["resultsSection"] = {
        "outcomeMeasuresModule": {
            "outcomeMeasures": [
                {
                    "type": "PRIMARY",
                    "title": "Change in ALSFRS-R score",
                    "timeFrame": "6 months",
                    "groups": groups,
                    "classes": [
                        {
                            "categories": [
                                {
                                    "measurements": [
                                        {"groupId": "OG000", "value": "-3.2"},
                                        {"groupId": "OG001", "value": "-5.9"},
                                    ]
                                }
                            ]
                        }
                    ],
                    "analyses": [{"groupIds": ["OG000", "OG001"], "pValue": "0.02"}],
                },
                {
                    "type": "SECONDARY",
                    "title": "Forced vital capacity",
                    "groups": groups,
                    "analyses": [{"groupIds": ["OG000", "OG001"], "pValue": "0.41"}],
                },
                {"type": "SECONDARY", "title": "Number of injections", "groups": groups},
            ]
        },
        "adverseEventsModule": {
            "eventGroups": [
                {
                    "id": "EG000",
                    "title": "Stage 1: autologous BM-MSC",
                    "seriousNumAffected": 0,
                    "seriousNumAtRisk": 8,
                },
                {
                    "id": "EG001",
                    "title": "Stage 2: BM-MSC with riluzole",
                    "seriousNumAffected": 3,
                    "seriousNumAtRisk": 33,
                },
            ]
        },
    }
    return data


def test_posted_results_are_outcomes(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(_with_results()), encoding="utf-8")
    [record] = _records(path, lexicon)
    outcomes = {o.measure.label: o for o in record.reports[0].outcomes}
    alsfrs = outcomes["ALS Functional Rating Scale-Revised"]
    assert alsfrs.direction is not None and alsfrs.direction.value == "improved"  # higher: better
    assert alsfrs.measure.locator and "posted results" in alsfrs.measure.locator
    fvc = next(o for label, o in outcomes.items() if "vital capacity" in label.casefold())
    assert fvc.direction is not None and fvc.direction.value == "no_change"  # p = 0.41
    assert not any("injections" in label.casefold() for label in outcomes)  # no analysis
    safety = [o for o in record.reports[0].outcomes if o.arms == ["Stage 1: autologous BM-MSC"]]
    [serious] = safety
    assert serious.direction is not None
    assert serious.direction.value == "no_serious_adverse_events"
    assert serious.value is not None and serious.value.denominator == 8
    assert build([path], tmp_path / "out").validation.conforms


def test_conditions_no_table_names_come_from_their_mesh_descriptors(
    tmp_path: Path, lexicon: Lexicon
) -> None:
    data = _v2()
    data["protocolSection"]["conditionsModule"]["conditions"] = ["Lou Gehrig Thing"]
    data["derivedSection"]["conditionBrowseModule"]["meshes"] = [{"id": "D000690", "term": "X"}]
    path = tmp_path / "mesh.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    [record] = _records(path, lexicon)
    [condition] = record.reports[0].conditions
    assert condition.id == "MONDO:0004976" and condition.method == "mesh-mapping"


CLASSIC_RESULTS = """
  <clinical_results>
    <outcome_list>
      <outcome>
        <type>Primary</type>
        <title>Gross Motor Function Measure</title>
        <time_frame>12 months</time_frame>
        <group_list>
          <group group_id="O1"><title>Cord blood</title></group>
          <group group_id="O2"><title>Placebo</title></group>
        </group_list>
        <measure>
          <title>Gross Motor Function Measure</title>
          <class_list><class><category_list><category><measurement_list>
            <measurement group_id="O1" value="12.1" spread="3.0"/>
            <measurement group_id="O2" value="11.8" spread="2.9"/>
          </measurement_list></category></category_list></class></class_list>
        </measure>
        <analysis_list><analysis>
          <group_id_list><group_id>O1</group_id><group_id>O2</group_id></group_id_list>
          <p_value>0.62</p_value>
        </analysis></analysis_list>
      </outcome>
    </outcome_list>
    <reported_events>
      <group_list><group group_id="E1"><title>Cord blood</title></group></group_list>
      <serious_events><category_list><category><title>Total</title><event_list><event>
        <sub_title>Total, serious adverse events</sub_title>
        <counts group_id="E1" subjects_affected="0" subjects_at_risk="20"/>
      </event></event_list></category></category_list></serious_events>
    </reported_events>
  </clinical_results>
</clinical_study>
"""


def test_classic_xml_posted_results_are_outcomes(tmp_path: Path, lexicon: Lexicon) -> None:
    path = tmp_path / "NCT07654321.xml"
    path.write_text(CLASSIC.replace("</clinical_study>\n", CLASSIC_RESULTS), encoding="utf-8")
    [record] = _records(path, lexicon)
    directions = sorted(
        o.direction.value for o in record.reports[0].outcomes if o.direction is not None
    )
    assert directions == ["no_change", "no_serious_adverse_events"]


def test_legacy_v1_posted_results_are_outcomes(tmp_path: Path, lexicon: Lexicon) -> None:
    v1 = json.loads(json.dumps(V1))
    study = v1["FullStudiesResponse"]["FullStudies"][0]["Study"]
    group = {"OutcomeGroupId": "OG000", "OutcomeGroupTitle": "MSC"}
    study["ResultsSection"] = {
        "OutcomeMeasuresModule": {
            "OutcomeMeasureList": {
                "OutcomeMeasure": [
                    {
                        "OutcomeMeasureType": "Primary",
                        "OutcomeMeasureTitle": "WOMAC pain score",
                        "OutcomeGroupList": {"OutcomeGroup": [group]},
                        "OutcomeAnalysisList": {
                            "OutcomeAnalysis": [{"OutcomeAnalysisPValue": "0.38"}]
                        },
                    }
                ]
            }
        },
        "AdverseEventsModule": {
            "EventGroupList": {
                "EventGroup": [
                    {
                        "EventGroupId": "EG000",
                        "EventGroupTitle": "MSC",
                        "EventGroupSeriousNumAffected": "0",
                        "EventGroupSeriousNumAtRisk": "15",
                    }
                ]
            }
        },
    }
    path = tmp_path / "v1-results.json"
    path.write_text(json.dumps(v1), encoding="utf-8")
    [record] = _records(path, lexicon)
    found = sorted(o.direction.value for o in record.reports[0].outcomes if o.direction)
    assert found == ["no_change", "no_serious_adverse_events"]


def test_two_posted_measures_on_one_scale_stay_two_outcomes(
    tmp_path: Path, lexicon: Lexicon
) -> None:
    data = _with_results()
    measures = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    second = json.loads(json.dumps(measures[0]))
    second.update(type="SECONDARY", title="ALSFRS-R at Week 52", timeFrame="Week 52")
    second["analyses"][0]["pValue"] = "0.30"
    measures.append(second)
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    [record] = _records(path, lexicon)
    alsfrs = [o for o in record.reports[0].outcomes if o.measure.id == "stemkg:ALSFRS-R"]
    assert sorted(
        (o.timepoint.value if o.timepoint else "", o.direction.value if o.direction else "")
        for o in alsfrs
    ) == [("P52W", "no_change"), ("P6M", "improved")]
    assert all(o.arms == ["Stage 2: BM-MSC with riluzole"] for o in alsfrs)
    assert build([path], tmp_path / "out").validation.conforms


def test_values_the_record_holds_but_stemkg_cannot_read_are_warned(tmp_path: Path) -> None:
    data = _v2()
    data["protocolSection"]["designModule"]["phases"] = ["PHASE5"]
    data["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "about two hundred"
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = extract_paths([path])
    [(_, record)] = result.records
    assert record.reports[0].phase is None and record.reports[0].participants is None
    [warning] = [w.message for w in result.warnings if "could not read" in w.message]
    assert (
        "NCT01363401: could not read its phase 'PHASE5', enrollment 'about two hundred'" in warning
    )


def test_a_match_that_keeps_nothing_says_so(tmp_path: Path) -> None:
    with pytest.raises(StemkgError, match=r"none of the 3 file\(s\) holds an article or record"):
        build([V2.parent], tmp_path / "out", match=("knee",))
