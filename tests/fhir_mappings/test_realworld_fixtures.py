"""Real-world FHIR written by others (tests/data/realworld, sources in its README): each file maps to
the facts a clinician reading it would find."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from cds.state import PatientState
from fhir_mappings.mapper import map_path, map_record
from fhir_mappings.reader import read_bytes

DATA = Path(__file__).resolve().parents[1] / "data" / "realworld"
AS_OF = datetime(2025, 1, 1, tzinfo=UTC)


def _one(relative: str) -> PatientState:
    (state,) = map_path(DATA / relative, AS_OF)
    return state


def _together(*relatives: str) -> PatientState:
    """Several single-resource files of one patient, sent as one collection Bundle."""
    entries = [{"resource": json.loads((DATA / r).read_text(encoding="utf-8"))} for r in relatives]
    records = read_bytes(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode(),
                         "fixtures")
    (record,) = records
    return map_record(record, AS_OF)


def _messages(state: PatientState) -> list[str]:
    return [w.message for w in state.warnings]


def _no_internal_errors(state: PatientState) -> None:
    assert not [m for m in _messages(state) if "internal mapping error" in m]


# --------------------------------------------------------------------------- mCODE STU1 (one patient)


def test_mcode_stu1_example_folder_is_one_patient_with_its_facts() -> None:
    state = _one("mcode-stu1")
    assert state.patient_id == "mCODEPatientExample01"
    assert state.sex is not None and state.sex.value == "male"
    assert state.histology is not None and state.histology.value == "lung-nsclc"  # SNOMED 254637007
    assert state.brain_metastases is not None and state.brain_metastases.value is True  # 94225005
    assert state.disease_status is not None and state.disease_status.value == "improving"  # LOINC 88040-1
    assert state.ecog is not None and state.ecog.value == 0
    assert state.kps is not None and state.kps.value == 90  # KPS 90 is ECOG 0: no conflict
    assert state.distant_metastasis_staged is None  # stage 3C and cM0: not evidence, and not read as absence
    assert state.er_status is None  # the STU1 tumour marker example is not a breast receptor
    (course,) = state.radiotherapy_courses
    assert course.performed is not None and course.performed.isoformat() == "2019-03-01"
    assert course.total_dose_gy is None
    assert not [m for m in _messages(state) if "not recognised" in m]
    _no_internal_errors(state)


def test_mcode_stu1_generic_metastasis_code_with_l2_body_site_is_a_bone_lesion() -> None:
    state = _together("mcode-stu1/Patient-mCODEPatientExample01.json",
                      "mcode-stu1/Condition-mCODEPrimaryCancerConditionExample01.json",
                      "edited/mcode-stu1-secondary-metastatic-neoplasm-L2.json")
    (lesion,) = state.lesions
    assert lesion.levels == ("L2",) and lesion.region == "spine"
    assert state.histology is not None and state.histology.value == "lung-nsclc"
    assert state.bone_lesion_count is not None and state.bone_lesion_count.value == 1


def test_mcode_stu1_ecog_3_beside_kps_90_uses_the_worse() -> None:
    state = _together("mcode-stu1/Patient-mCODEPatientExample01.json", "edited/mcode-stu1-ecog-3.json",
                      "mcode-stu1/Observation-mCODEKarnofskyPerformanceStatusExample01.json")
    assert state.ecog is not None and state.ecog.value == 3 and state.kps is None
    assert any("ECOG 3" in m and "KPS 90" in m and "the worse" in m for m in _messages(state))


def test_mcode_stu1_stage_iv_without_metastasis_condition_warns() -> None:
    state = _together("mcode-stu1/Patient-mCODEPatientExample01.json",
                      "mcode-stu1/Condition-mCODEPrimaryCancerConditionExample01.json",
                      "edited/mcode-stu1-stage-group-IV.json")
    assert state.distant_metastasis_staged is not None and state.distant_metastasis_staged.value is True
    assert state.lesions == ()
    assert any("bone metastasis is not excluded" in m for m in _messages(state))
    assert state.metastatic_lesion_count is not None and state.metastatic_lesion_count.derived


# --------------------------------------------------------------------------- mCODE STU4 (folder of three patients)


def test_mcode_stu4_examples_grouped_by_patient() -> None:
    states = {s.patient_id: s for s in map_path(DATA / "mcode-stu4", AS_OF)}
    assert set(states) == {"cancer-patient-brian-l", "cancer-patient-adam-everyman", "cancer-patient-jenny-m"}
    brian = states["cancer-patient-brian-l"]
    assert brian.histology is not None and brian.histology.value == "leukaemia"  # B-ALL 277571004
    assert brian.disease_status is not None and brian.disease_status.value == "improving"
    adam = states["cancer-patient-adam-everyman"]
    assert adam.histology is not None and adam.histology.value == "leukaemia"  # CLL 92814006
    # The "nonspecific" primary is coded 128462008 Metastatic neoplasm without a site: counted, site unknown.
    assert adam.metastatic_lesion_count is not None and adam.metastatic_lesion_count.value == 1
    assert any("128462008" in m and "unknown site" in m for m in _messages(adam))
    jenny = states["cancer-patient-jenny-m"]
    assert jenny.histology is None  # only hypertension and staging: no cancer Condition in these files
    assert jenny.distant_metastasis_staged is None  # stage IIB, cM0
    for state in states.values():
        _no_internal_errors(state)


# --------------------------------------------------------------------------- mCODE Extraction Framework fixtures


def test_mef_condition_with_icd10_breast_is_breast() -> None:
    state = _one("mef/condition-with-icd10.json")  # ICD-9 174.2 + ICD-10-CM C50.211 + SNOMED 188152004
    assert state.histology is not None and state.histology.value == "breast"
    state = _one("mef/primary-cancer-condition.json")
    assert state.histology is not None and state.histology.value == "breast"


def test_mef_secondary_cancer_condition_is_a_visceral_metastasis() -> None:
    state = _one("mef/secondary-cancer-condition.json")  # ICD-10-CM C79.81 secondary of breast
    assert state.visceral_metastases is not None and state.visceral_metastases.value is True
    assert state.lesions == ()


def test_mef_disease_status_improving_qualifier() -> None:
    state = _one("mef/disease-status-resource.json")  # SNOMED 385633008 "Improving"
    assert state.disease_status is not None and state.disease_status.value == "improving"


def test_mef_cm0_is_not_evidence_of_metastasis() -> None:
    state = _one("mef/metastases-category-clinical-resource.json")
    assert state.distant_metastasis_staged is None and state.metastatic_lesion_count is None


def test_mef_masked_patient_primitive_extensions_are_valid() -> None:
    state = _one("mef/masked-patient-bundle.json")
    messages = _messages(state)
    assert not [m for m in messages if "_valueString" in m or "_valueCode" in m]
    assert any("link[0].other" in m for m in messages)  # the one real fault is still reported


# --------------------------------------------------------------------------- US Core


def test_us_core_examples_are_not_cancer_and_raise_no_oncology_warning() -> None:
    state = _one("us-core")
    assert state.patient_id == "example"
    assert state.age is not None and state.age.value == 37
    assert state.histology is None and state.lesions == () and state.metastatic_lesion_count is None
    assert not [m for m in _messages(state) if "not recognised" in m]


def test_bone_metastasis_under_the_icd10cm_oid_and_who_icd10() -> None:
    for name in ("icd10cm-oid-C7951", "who-icd10-C795"):
        state = _together("us-core/patient-example.json", f"edited/us-core-condition-{name}.json")
        (lesion,) = state.lesions
        assert lesion.bone == "femoral neck" and lesion.region == "long-bone", name


# --------------------------------------------------------------------------- SMART Bulk Data export sample


def test_bulk_export_folder_with_log_is_every_patient() -> None:
    states = {s.patient_id: s for s in map_path(DATA / "bulk-export-10", AS_OF)}
    assert len(states) == 3
    synthea = states["129c6ac7-8d06-89de-ad63-0204a93e76c3"]
    assert synthea.histology is not None and synthea.histology.value in {"breast", "lung-nsclc"}
    assert any("several primary cancer Conditions" in m for m in _messages(synthea))
    # 30 of Synthea's per-fraction sessions, daily in cycles about a month apart: one course per cycle.
    courses = synthea.radiotherapy_courses
    assert sum(c.sessions or 1 for c in courses) == 30 and len(courses) < 30
    first = min(courses, key=lambda c: c.started or c.performed)
    assert first.started is not None and first.started.isoformat()[:7] == "1984-11" and first.sessions == 4
    assert all(c.site_derived_from is not None and not c.levels for c in courses)
    assert sum("session Procedures grouped" in m for m in _messages(synthea)) == 1
    assert not [m for m in _messages(synthea) if "without documented dose" in m]
    for state in states.values():
        _no_internal_errors(state)


def _all_files() -> list[Path]:
    return sorted(p for p in DATA.rglob("*") if p.suffix in {".json", ".ndjson"} and p.name != "log.ndjson")


def test_every_fixture_maps_without_an_internal_error() -> None:
    for path in _all_files():
        for state in map_path(path, AS_OF):
            assert not [m for m in _messages(state) if "internal mapping error" in m], path
