"""Every FHIR file written by others (shared/fhir-examples) maps without error; known facts come out right."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from fhir_mapping_helpers import AS_OF

from cds.state import PatientState
from fhir_mappings.mapper import map_path


def _examples_dir() -> Path | None:
    env = os.environ.get("CDS_SHARED_DIR")
    candidates = []
    if env:
        candidates += [Path(env) / "fhir-examples", Path(env)]
    candidates.append(Path(__file__).resolve().parents[1] / "data" / "shared" / "fhir-examples")  # in-repo copy
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared" / "fhir-examples")
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.rglob("*.json")):
            return candidate
    return None


EXAMPLES = _examples_dir()
needs_examples = pytest.mark.skipif(
    EXAMPLES is None, reason="shared/fhir-examples not found (set CDS_SHARED_DIR to the shared/ folder)")
EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in {".json", ".ndjson"}) if EXAMPLES else []


def _one(relative: str) -> PatientState:
    assert EXAMPLES is not None
    states = map_path(EXAMPLES / relative, AS_OF)
    assert len(states) == 1
    return states[0]


def _no_internal_errors(state: PatientState) -> None:
    assert not [w for w in state.warnings if "internal mapping error" in w.message], state.warnings


@needs_examples
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)) if EXAMPLES else "")
def test_every_example_file_maps(path: Path) -> None:
    states = map_path(path, AS_OF)
    assert states, f"{path.name} produced no PatientState"
    for state in states:
        assert isinstance(state, PatientState)
        _no_internal_errors(state)


@needs_examples
def test_whole_examples_tree_maps_as_one_directory() -> None:
    assert EXAMPLES is not None
    states = map_path(EXAMPLES, AS_OF)
    ids = {s.patient_id for s in states}
    assert {"mCODETrialMatchingPatientExample01", "mCODETrialMatchingPatientExample02", "cancer-patient-jenny-m",
            "Patient-XRTS-05-22B", "129c6ac7-8d06-89de-ad63-0204a93e76c3"} <= ids
    for state in states:
        _no_internal_errors(state)


@needs_examples
def test_trial_matching_patient02_bone_mets_and_prior_rt() -> None:
    state = _one("mcode-ctm-legacy-stu1/TrialMatching_Patient02.json")
    assert state.histology is not None and state.histology.value == "breast"
    assert state.histologically_confirmed is not None and state.histologically_confirmed.value is True
    assert state.ecog is not None and state.ecog.value == 1
    assert [lesion.site for lesion in state.lesions] == ["unspecified"]
    assert state.lesions[0].region == "unspecified"
    assert state.lesions[0].id == "Condition/mCODETrialMatchingSecondaryCancerConditionPatientExample02"
    acetabulum = [c for c in state.radiotherapy_courses if "right acetabulum" in c.bones]
    assert len(acetabulum) == 1
    assert acetabulum[0].performed == date(2019, 5, 1)
    assert acetabulum[0].site == "right acetabulum"
    lumbar = [c for c in state.radiotherapy_courses if "122496007" in c.site_codes]
    assert len(lumbar) == 1 and lumbar[0].site == "lumbar spine" and lumbar[0].levels == ()
    for course in state.radiotherapy_courses:
        assert course.total_dose_gy is None and course.fractions is None
    assert state.any_prior_radiotherapy is not None and state.any_prior_radiotherapy.value is True
    assert state.er_status and state.er_status.value == "positive"
    assert state.her2_status and state.her2_status.value == "negative"
    # The Bundle's id is invalid R4 (underscore): reported, and every entry still mapped.
    assert any(w.resource and w.resource.startswith("Bundle/") for w in state.warnings)


@needs_examples
def test_trial_matching_patient01_liver_metastasis_is_visceral() -> None:
    state = _one("mcode-ctm-legacy-stu1/TrialMatching_Patient01.json")
    assert state.visceral_metastases is not None and state.visceral_metastases.value is True
    assert state.hepatic_metastases is not None and state.hepatic_metastases.value is True
    assert state.brain_metastases is None
    assert len(state.lesions) == 1
    count = state.metastatic_lesion_count
    assert count is not None and count.derived and count.inputs and count.inputs["lower_bound"] is True
    assert state.active_systemic_therapy is not None and state.active_systemic_therapy.value is True


@needs_examples
def test_jenny_m_bundle() -> None:
    state = _one("mcode-stu4/Bundle-mcode-patient-bundle-jenny-m.json")
    assert state.histology is not None and state.histology.value == "breast"
    assert state.primary_diagnosis_date is not None and state.primary_diagnosis_date.value == date(2018, 3, 16)
    assert state.ecog is not None and state.ecog.value == 0
    assert (state.er_status.value, state.pr_status.value, state.her2_status.value) == (  # type: ignore[union-attr]
        "positive", "negative", "negative")
    assert state.disease_status is not None and state.disease_status.value == "improving"
    (course,) = state.radiotherapy_courses
    assert course.id == "Procedure/radiotherapy-treatment-summary-chest-wall-jenny-m"
    assert (course.total_dose_gy, course.fractions) == (60.0, 30)
    assert course.performed == date(2018, 10, 25)
    assert any("volumes with different doses" in w.message for w in state.warnings)
    assert state.lesions == ()


@needs_examples
def test_karnofsky_example() -> None:
    state = _one("mcode-stu4/Observation-karnofsky-performance-status-normal-activity.json")
    assert state.patient_id == "cancer-patient-john-anyperson"
    assert state.kps is not None and state.kps.value == 90
    assert state.ecog is None  # no ECOG derived from KPS here


@needs_examples
def test_codexrt_brain_mets_two_courses() -> None:
    state = _one("codexrt-stu2-sushi/Bundle-XRTS-05-brainmets-two-courses-collection.json")
    courses = sorted(state.radiotherapy_courses, key=lambda c: c.performed or date.min)
    assert [(c.total_dose_gy, c.fractions) for c in courses] == [(25.0, 5), (20.0, 5)]
    assert [c.involves_reirradiation for c in courses] == [False, True]
    assert courses[0].site == "Brain structure"
    assert "BodyStructure/RadiotherapyVolume-XRTS-05-22B-01-BrainMets" in courses[0].sources


@needs_examples
def test_codexrt_multi_volume_course_keeps_highest_dose() -> None:
    state = _one("codexrt-stu2-sushi/Procedure-RadiotherapyCourseSummary-XRTS-03-22B-01-Prostate-1P-3V.json")
    (course,) = state.radiotherapy_courses
    assert course.total_dose_gy == 8.0 and course.fractions == 4


@needs_examples
def test_mcode_generic_primary_code_takes_histology_from_body_site() -> None:
    # SNOMED 363346000 "Malignant neoplastic disease" names no site; bodySite 80248007 left breast does.
    state = _one("mcode-stu4/Condition-primary-cancer-condition-breast.json")
    assert state.histology is not None and state.histology.value == "breast"
    assert state.histology.origin == "documented"
    assert state.histologically_confirmed is not None and state.histologically_confirmed.value is True


@needs_examples
def test_mcode_brain_metastasis_condition() -> None:
    state = _one("mcode-stu4/Condition-secondary-cancer-condition-brain-mets.json")
    assert state.brain_metastases is not None and state.brain_metastases.value is True
    assert state.visceral_metastases is not None and state.visceral_metastases.value is True


@needs_examples
def test_history_of_metastatic_cancer_is_noted_not_used() -> None:
    state = _one("mcode-stu4/Observation-history-of-cancer-metastatic-to-liver.json")
    assert state.visceral_metastases is None and state.hepatic_metastases is None
    assert any("history of metastatic cancer" in w.message for w in state.warnings)


@needs_examples
def test_synthea_real_ehr_shape() -> None:
    state = _one("synthea-bulk-10/synthea-patient-129c6ac7-nsclc-breast-collection.json")
    assert state.histology is not None and state.histology.value in {"breast", "lung-nsclc"}
    primaries = [w for w in state.warnings if "several primary cancer Conditions" in w.message]
    assert primaries and "lung-nsclc" in primaries[0].message and "breast" in primaries[0].message
    assert state.lesions == ()
    # 10 of Synthea's per-fraction sessions (33-minute Procedures) become courses by treated condition
    # and date; their site is derived from the NSCLC Condition they treat (no bodySite is recorded).
    courses = state.radiotherapy_courses
    assert len(courses) == 8 and sum(c.sessions or 1 for c in courses) == 10
    assert all(c.site_derived_from == "Condition/864227c1-ef70-0af7-711a-32e2d6bdbf1d" for c in courses)
    assert all(c.site and c.site.startswith("lung-nsclc") and not c.levels for c in courses)
    assert sum("radiotherapy session Procedures grouped" in w.message for w in state.warnings) == 1
    assert state.active_systemic_therapy is None  # the chemotherapy requests are all stopped
    _no_internal_errors(state)
