"""Codes as EHRs and mCODE send them: ValueSets, generic codes with bodySite, other system URIs,
disease status and stage, conflicting performance status, and what was not recognised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir_mapping_helpers import (
    ICD,
    L2,
    LOINC,
    SNOMED,
    cc,
    condition,
    has_warning,
    observation,
    patient,
    ref,
    state_of,
)

from cds.evaluation import evaluate_state
from fhir_mappings import terminology
from fhir_mappings.resources import parse_resource

ICD_OID = "urn:oid:2.16.840.1.113883.6.90"
WHO = "http://hl7.org/fhir/sid/icd-10"


def test_generic_metastasis_code_with_vertebral_body_site_is_a_bone_lesion() -> None:
    state = state_of(condition("m", SNOMED, "128462008", sites=[L2]))
    (lesion,) = state.lesions
    assert lesion.levels == ("L2",) and lesion.region == "spine"


def test_generic_metastasis_code_without_site_is_a_metastasis_of_unknown_site() -> None:
    state = state_of(condition("m", SNOMED, "128462008"))
    assert state.lesions == ()
    assert state.metastatic_lesion_count is not None and state.metastatic_lesion_count.value == 1
    assert has_warning(state, "128462008", "unknown site", "bone not excluded")


@pytest.mark.parametrize(("system", "code"), [(ICD_OID, "C79.51"), (ICD, "C7951"), (WHO, "C79.5"), (WHO, "C79.51")])
def test_bone_metastasis_under_every_icd_system(system: str, code: str) -> None:
    assert len(state_of(condition("m", system, code, sites=[L2])).lesions) == 1


def test_who_icd10_has_its_own_bone_code() -> None:
    # ICD-10-CM has no C79.5 on its own; WHO ICD-10 C79.52 does not exist, its C79.5 covers bone and marrow.
    assert terminology.TERMINOLOGY.lookup(terminology.ICD10, "C79.5") == ("metastasis-bone",)
    assert terminology.TERMINOLOGY.lookup(terminology.ICD10CM, "C79.5") == ()


def test_lung_metastasis_counts_in_the_burden() -> None:
    state = state_of(condition("b", SNOMED, "94222008", sites=[L2]), condition("l", SNOMED, "94391008"))
    assert state.metastatic_lesion_count is not None and state.metastatic_lesion_count.value == 2
    assert state.visceral_metastases is not None and state.visceral_metastases.value is True


@pytest.mark.parametrize(("code", "histology"), [
    ("188152004", "breast"), ("372137005", "breast"), ("93761005", "colorectal"), ("363406005", "colorectal"),
    ("109838007", "colorectal"), ("254637007", "lung-nsclc"), ("424132000", "lung-nsclc"),
    ("254632001", "lung-sclc"), ("109989006", "myeloma"),
])
def test_snomed_descendants_give_the_histology(code: str, histology: str) -> None:
    state = state_of(condition("p", SNOMED, code))
    assert state.histology is not None and state.histology.value == histology
    assert state.histology.origin == "documented"


def test_metastasis_code_naming_its_primary_gives_the_histology() -> None:
    state = state_of(condition("m", SNOMED, "314994000"))  # Metastasis from malignant tumor of prostate
    assert state.histology is not None and state.histology.value == "prostate"
    assert state.metastatic_lesion_count is not None and state.metastatic_lesion_count.value == 1


def test_neoplasm_of_prostate_gives_a_derived_histology() -> None:
    state = state_of(condition("p", SNOMED, "126906006"))  # Neoplasm of prostate (Synthea's prostate cancer)
    assert state.histology is not None and state.histology.value == "prostate" and state.histology.derived
    assert has_warning(state, "126906006", "does not say the neoplasm is malignant")


def test_generic_primary_takes_group_from_icdo3_topography_and_morphology() -> None:
    icdo3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
    site = condition("p", SNOMED, "363346000", bodySite=[cc(icdo3, "C34.1")])
    assert state_of(site).histology.value == "lung"  # type: ignore[union-attr]
    morph = {"url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior",
             "valueCodeableConcept": cc(icdo3, "8041/3")}
    small_cell = condition("p", SNOMED, "363346000", bodySite=[cc(icdo3, "C34.1")], extension=[morph])
    assert state_of(small_cell).histology.value == "lung-sclc"  # type: ignore[union-attr]


def _unknown_primary() -> dict[str, Any]:
    out = condition("p", SNOMED, "999999991", meta={"profile": [
        "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition"]})
    out["code"] = {"coding": [{"system": SNOMED, "code": "999999991", "display": "Local malignant neoplasm"}]}
    return out


def test_unrecognised_coded_primary_is_unknown_said_as_not_recognised() -> None:
    state = state_of(_unknown_primary(), condition("m", SNOMED, "94222008", sites=[L2]))
    assert state.histology is not None and state.histology.value == "unknown"
    assert state.histology.method == "coded primary not recognised: SNOMED 999999991 (Local malignant neoplasm)"
    assert has_warning(state, "Condition/p", "SNOMED 999999991", "not recognised", "primary-<group>")
    gaps = [g for g in evaluate_state(state, engine="python").data_gaps if g.fact == "histology"]
    assert gaps and all(g.status == "not-recognised" and "999999991" in g.message for g in gaps)


def test_unrecognised_oncology_codes_share_one_warning() -> None:
    sessions = [{"resourceType": "Procedure", "id": f"s{i}", "status": "completed", "subject": ref("Patient/p1"),
                 "code": {"coding": [{"system": "http://example.org/local", "code": "RT1",
                                      "display": "Radiation therapy session"}]},
                 "performedDateTime": f"2024-10-0{i}"} for i in range(1, 4)]
    state = state_of(*sessions)
    msgs = [w for w in state.warnings if "not recognised" in w.message]
    assert len(msgs) == 1 and "and 2 more" in msgs[0].message and msgs[0].resource == "Procedure/s1"


def test_ordinary_conditions_give_no_oncology_warning() -> None:
    state = state_of(condition("h", SNOMED, "38341003"), condition("s", SNOMED, "444814009"))
    assert not [w for w in state.warnings if "not recognised" in w.message]


@pytest.mark.parametrize(("loinc", "value", "expected"), [
    ("88040-1", "385633008", "improving"), ("88040-1", "268910001", "improving"),
    ("97509-4", "550991000124107", "complete-remission"), ("97509-4", "230993007", "progressing"),
    ("97509-4", "359746009", "stable"),
])
def test_disease_status_stu1_and_stu4(loinc: str, value: str, expected: str) -> None:
    state = state_of(observation("d", LOINC, loinc, valueCodeableConcept=cc(SNOMED, value)))
    assert state.disease_status is not None and state.disease_status.value == expected


def test_undetermined_latest_disease_status_is_no_status() -> None:
    state = state_of(observation("a", LOINC, "97509-4", effective="2024-01-01",
                                 valueCodeableConcept=cc(SNOMED, "271299001")),
                     observation("b", LOINC, "97509-4", effective="2024-06-01",
                                 valueCodeableConcept=cc(SNOMED, "709137006")))
    assert state.disease_status is None and has_warning(state, "undetermined")


def test_stage_iv_without_metastasis_condition_warns_and_counts_one() -> None:
    stage = observation("s", SNOMED, "399537006", valueCodeableConcept=cc(SNOMED, "1222837003"))
    state = state_of(stage)
    assert state.distant_metastasis_staged is not None and state.distant_metastasis_staged.value is True
    assert has_warning(state, "stage IV / M1", "bone metastasis is not excluded")
    count = state.metastatic_lesion_count
    assert count is not None and count.value == 1 and count.derived and count.inputs == {"lower_bound": True,
                                                                                           "staged": True}


def test_m1_from_ajcc_code_system_and_condition_stage_summary() -> None:
    m1 = observation("m", LOINC, "21907-1", valueCodeableConcept=cc("http://cancerstaging.org", "M1"))
    assert state_of(m1).distant_metastasis_staged is not None
    primary = condition("p", SNOMED, "254837009", stage=[{"summary": cc("http://cancerstaging.org", "IV")}])
    assert state_of(primary).distant_metastasis_staged is not None
    m0 = observation("m", SNOMED, "399387003", valueCodeableConcept=cc(SNOMED, "1229901006"))
    assert state_of(m0).distant_metastasis_staged is None  # M0 is not read as absence


def test_conflicting_performance_status_uses_the_worse() -> None:
    state = state_of(observation("e", LOINC, "89247-1", effective="2024-12-01T10:00:00Z", valueInteger=3),
                     observation("k", LOINC, "89243-0", effective="2024-12-01T11:00:00Z", valueInteger=90))
    assert state.ecog is not None and state.ecog.value == 3 and state.kps is None
    assert has_warning(state, "ECOG 3", "KPS 90", "the worse, ECOG 3, is used")
    worse_kps = state_of(observation("e", LOINC, "89247-1", effective="2024-12-01", valueInteger=0),
                         observation("k", LOINC, "89243-0", effective="2024-12-01", valueInteger=50))
    assert worse_kps.ecog is None and worse_kps.kps is not None and worse_kps.kps.value == 50


def test_performance_status_on_different_days_is_no_conflict() -> None:
    state = state_of(observation("e", LOINC, "89247-1", effective="2024-11-01", valueInteger=3),
                     observation("k", LOINC, "89243-0", effective="2024-12-01", valueInteger=90))
    assert state.ecog is not None and state.kps is not None


def test_invalid_gender_is_warned_and_primitive_extensions_are_valid() -> None:
    bad = parse_resource({**patient(), "gender": "F"}, validate=True)
    assert bad.warnings and "gender 'F'" in bad.warnings[0].message and "gender" not in bad.data
    race = {"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", "extension": [
        {"url": "text", "_valueString": {"extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "masked"}]}}]}
    assert parse_resource({**patient(), "extension": [race]}, validate=True).warnings == []


def test_radiotherapy_sessions_with_a_body_site_make_one_course() -> None:
    sessions = [{"resourceType": "Procedure", "id": f"s{i}", "status": "completed", "subject": ref("Patient/p1"),
                 "code": cc(SNOMED, "33195004"), "bodySite": [cc(SNOMED, L2)],
                 "performedPeriod": {"start": f"2024-10-{i:02d}T09:00:00Z", "end": f"2024-10-{i:02d}T09:20:00Z"}}
                for i in range(1, 6)]
    later = {**sessions[0], "id": "late", "performedPeriod": {"start": "2024-12-01T09:00:00Z",
                                                             "end": "2024-12-01T09:20:00Z"}}
    state = state_of(*sessions, later)
    first, second = sorted(state.radiotherapy_courses, key=lambda c: c.performed or c.started)
    assert first.sessions == 5 and first.levels == ("L2",) and first.started.isoformat() == "2024-10-01"
    assert second.sessions is None and second.performed.isoformat() == "2024-12-01"


def test_valueset_override_folder_replaces_by_url(tmp_path: Path) -> None:
    shipped = json.loads((terminology.VALUESETS_DIR / "ValueSet-primary-thyroid.json").read_text())
    shipped["expansion"]["contains"].append({"system": SNOMED, "code": "999999992", "display": "Local thyroid ca"})
    (tmp_path / "thyroid.json").write_text(json.dumps(shipped))
    loaded = terminology.load(tmp_path)
    assert loaded.lookup(SNOMED, "999999992") == ("primary-thyroid",)
    assert terminology.TERMINOLOGY.lookup(SNOMED, "999999992") == ()
    (tmp_path / "other.json").write_text(json.dumps({**shipped, "url": "http://example.org/ValueSet/x"}))
    with pytest.raises(terminology.TerminologyError, match="not one the mapper uses"):
        terminology.load(tmp_path)
