"""Patient-level facts: demographics, primary cancer, receptors, performance status, survival, therapy."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fhir_mapping_helpers import (
    AS_OF,
    ICD,
    INTERP,
    LOCAL,
    LOINC,
    SNOMED,
    UCUM,
    V2_0074,
    V3,
    bone_met,
    cc,
    condition,
    has_warning,
    local_answer,
    local_obs,
    observation,
    patient,
    ref,
    state_of,
)

from fhir_mappings.mapper import map_record
from fhir_mappings.reader import read_bytes

# ------------------------------------------------------------------ demographics


def test_age_in_completed_years_and_sex() -> None:
    state = state_of()
    assert state.age is not None and state.age.value == 64  # born 1960-06-15, as of 2025-01-01
    assert state.age.derived and state.age.sources == ("Patient/p1",)
    assert state.sex is not None and state.sex.value == "female" and not state.sex.derived


def test_age_on_birthday() -> None:
    state = state_of(as_of=datetime(2025, 6, 15, 9, 0))  # naive as_of: read as UTC
    assert state.age is not None and state.age.value == 65


def test_partial_birth_date_warns() -> None:
    import json

    records = read_bytes(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": patient(birth="1960")}]}).encode(), "b.json")
    state = map_record(records[0], AS_OF)
    assert state.age is not None and state.age.value == 65
    assert has_warning(state, "partial")


def test_no_patient_resource_leaves_age_unknown() -> None:
    state = state_of(bone_met(), with_patient=False)
    assert state.age is None and state.sex is None


# ------------------------------------------------------------------ primary cancer


@pytest.mark.parametrize(("system", "code", "histology"), [
    (ICD, "C50.811", "breast"),
    (ICD, "C61", "prostate"),
    (ICD, "C34.90", "lung"),
    (ICD, "C64.1", "kidney"),
    (ICD, "C65.9", "kidney"),
    (ICD, "C43.9", "melanoma"),
    (ICD, "C73", "thyroid"),
    (ICD, "C22.0", "liver"),
    (ICD, "C18.7", "colorectal"),
    (ICD, "C20", "colorectal"),
    (ICD, "C16.9", "gi-other"),
    (ICD, "C25.0", "gi-other"),
    (ICD, "C41.2", "sarcoma"),
    (ICD, "C49.9", "sarcoma"),
    (ICD, "C90.00", "myeloma"),
    (ICD, "C83.30", "lymphoma"),
    (ICD, "C62.90", "germ-cell"),
    (ICD, "C56.1", "ovary"),
    (ICD, "C5091", "breast"),  # without the dot
    (SNOMED, "254837009", "breast"),
    (SNOMED, "399068003", "prostate"),
    (SNOMED, "93880001", "lung"),
    (SNOMED, "254637007", "lung-nsclc"),
    (SNOMED, "254632001", "lung-sclc"),
    (SNOMED, "408643008", "breast"),
])
def test_histology_from_code_lists(system: str, code: str, histology: str) -> None:
    state = state_of(condition("prim", system, code, onset="2020-02-03", verification="confirmed"))
    assert state.histology is not None and state.histology.value == histology
    assert state.histology.sources == ("Condition/prim",)
    assert state.primary_diagnosis_date is not None and state.primary_diagnosis_date.value == date(2020, 2, 3)
    assert state.histologically_confirmed is not None and state.histologically_confirmed.value is True


def test_longest_icd_prefix_wins() -> None:
    # C90.0 (myeloma) and C90.1 (plasma cell leukaemia) are listed under different groups.
    assert state_of(condition("p", ICD, "C90.01")).histology.value == "myeloma"  # type: ignore[union-attr]
    state = state_of(condition("p", ICD, "C90.10"))
    assert state.histology is not None and state.histology.value == "leukaemia"


def test_unknown_primary_code_is_unknown_histology_not_a_guess() -> None:
    state = state_of(condition("p", ICD, "C80.1"))
    assert state.histology is not None and state.histology.value == "unknown" and not state.histology.derived
    assert has_warning(state, "ICD-10-CM C80.1")


def test_histology_extension_does_not_change_site_and_confirms() -> None:
    ext = [{"url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior",
            "valueCodeableConcept": cc(SNOMED, "35917007")}]  # adenocarcinoma morphology
    state = state_of(condition("p", SNOMED, "399068003", extension=ext, verification="provisional"))
    assert state.histology.value == "prostate"  # type: ignore[union-attr]
    assert state.histologically_confirmed is not None and state.histologically_confirmed.value is True


def test_unconfirmed_primary_without_pathology_leaves_confirmation_unknown() -> None:
    state = state_of(condition("p", ICD, "C61", verification="provisional"))
    assert state.histologically_confirmed is None


def test_pathology_report_confirms_histology() -> None:
    report = {"resourceType": "DiagnosticReport", "id": "path", "status": "final", "subject": ref("Patient/p1"),
              "category": [cc(V2_0074, "SP")], "code": cc(LOINC, "22637-3"), "effectiveDateTime": "2020-01-01"}
    state = state_of(condition("p", ICD, "C61"), report)
    assert state.histologically_confirmed is not None
    assert state.histologically_confirmed.sources == ("DiagnosticReport/path",)


def test_several_primaries_most_recent_wins_with_warning() -> None:
    state = state_of(condition("lung", SNOMED, "254637007", onset="2010-01-01"),
                     condition("breast", ICD, "C50.9", onset="2019-01-01"))
    assert state.histology.value == "breast"  # type: ignore[union-attr]
    assert has_warning(state, "several primary cancer Conditions", "lung-nsclc")


def test_several_primaries_related_primary_of_the_metastasis_wins() -> None:
    met = bone_met("m1", extension=[{"url": "http://hl7.org/fhir/StructureDefinition/condition-related",
                                     "valueReference": ref("Condition/lung")}])
    state = state_of(condition("lung", SNOMED, "254637007", onset="2010-01-01"),
                     condition("breast", ICD, "C50.9", onset="2019-01-01"), met)
    assert state.histology.value == "lung-nsclc"  # type: ignore[union-attr]
    assert has_warning(state, "related primary")


def test_refuted_primary_is_not_the_primary() -> None:
    state = state_of(condition("p", ICD, "C61", verification="refuted"))
    assert state.histology is None


def test_entered_in_error_condition_is_ignored() -> None:
    state = state_of(condition("p", ICD, "C61", verification="entered-in-error"))
    assert state.histology is None


# ------------------------------------------------------------------ receptors


@pytest.mark.parametrize(("code", "value", "expected"), [
    ("85337-4", {"valueCodeableConcept": cc(SNOMED, "10828004")}, ("er_status", "positive")),
    ("40556-3", {"valueCodeableConcept": cc(SNOMED, "260385009")}, ("er_status", "negative")),
    ("85339-0", {"valueCodeableConcept": cc(LOINC, "LA6576-8")}, ("pr_status", "positive")),
    ("40557-1", {"valueCodeableConcept": cc(LOINC, "LA6577-6")}, ("pr_status", "negative")),
    ("48676-1", {"interpretation": [cc(INTERP, "POS")]}, ("her2_status", "positive")),
    ("85319-2", {"interpretation": [cc(INTERP, "NEG")]}, ("her2_status", "negative")),
    ("85318-4", {"valueCodeableConcept": cc(SNOMED, "10828004")}, ("her2_status", "positive")),
    ("18474-7", {"valueCodeableConcept": cc(SNOMED, "260385009")}, ("her2_status", "negative")),
])
def test_receptor_codes_and_values(code: str, value: dict[str, Any], expected: tuple[str, str]) -> None:
    state = state_of(observation("r", LOINC, code, **value))
    field, result = expected
    assert getattr(state, field).value == result


def test_receptor_latest_wins() -> None:
    state = state_of(observation("old", LOINC, "85337-4", effective="2020-01-01",
                                 valueCodeableConcept=cc(SNOMED, "10828004")),
                     observation("new", LOINC, "85337-4", effective="2023-01-01",
                                 valueCodeableConcept=cc(SNOMED, "260385009")))
    assert state.er_status.value == "negative" and state.er_status.sources == ("Observation/new",)  # type: ignore


# ------------------------------------------------------------------ performance status


@pytest.mark.parametrize(("value", "expected"), [
    ({"valueInteger": 2}, 2),
    ({"valueCodeableConcept": cc(LOINC, "LA9624-3")}, 2),
    ({"interpretation": [cc(LOINC, "LA9627-6")]}, 5),
    ({"valueQuantity": {"value": 3}}, 3),
])
def test_ecog_shapes(value: dict[str, Any], expected: int) -> None:
    state = state_of(observation("e", LOINC, "89247-1", **value))
    assert state.ecog is not None and state.ecog.value == expected
    assert state.ecog.effective == date(2024, 12, 1)


def test_ecog_latest_wins_and_out_of_range_is_ignored() -> None:
    state = state_of(observation("a", LOINC, "89247-1", effective="2024-01-01", valueInteger=1),
                     observation("b", LOINC, "89247-1", effective="2024-06-01T08:00:00Z", valueInteger=3),
                     observation("c", LOINC, "89247-1", effective="2024-09-01", valueInteger=7))
    assert state.ecog.value == 3  # type: ignore[union-attr]
    assert has_warning(state, "outside 0–5")


def test_ecog_disagreeing_answer_warns() -> None:
    state = state_of(observation("e", LOINC, "89247-1", valueInteger=1, interpretation=[cc(LOINC, "LA9625-0")]))
    assert state.ecog.value == 1 and has_warning(state, "disagrees")  # type: ignore[union-attr]


def test_equal_time_conflict_warns() -> None:
    state = state_of(observation("a", LOINC, "89247-1", valueInteger=1),
                     observation("b", LOINC, "89247-1", valueInteger=2))
    assert state.ecog.value == 2 and has_warning(state, "ECOG", "says 1")  # type: ignore[union-attr]


def test_kps_documented_and_no_ecog_from_kps() -> None:
    state = state_of(observation("k", LOINC, "89243-0", valueInteger=70))
    assert state.kps is not None and state.kps.value == 70 and state.ecog is None


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_retracted_observations_are_ignored(status: str) -> None:
    state = state_of(observation("e", LOINC, "89247-1", valueInteger=2, status=status))
    assert state.ecog is None


def test_observation_after_as_of_is_ignored_with_warning() -> None:
    state = state_of(observation("a", LOINC, "89247-1", effective="2024-01-01", valueInteger=1),
                     observation("b", LOINC, "89247-1", effective="2025-03-01", valueInteger=4))
    assert state.ecog.value == 1 and has_warning(state, "Observation/b", "after the evaluation time")  # type: ignore


def test_effective_period_uses_its_end() -> None:
    state = state_of(observation("a", LOINC, "89247-1", effective=None, valueInteger=1,
                                 effectivePeriod={"start": "2024-01-01", "end": "2024-11-01"}),
                     observation("b", LOINC, "89247-1", effective="2024-06-01", valueInteger=2))
    assert state.ecog.value == 1  # type: ignore[union-attr]


# ------------------------------------------------------------------ survival, status, LOCAL facts


@pytest.mark.parametrize(("value", "unit", "months"), [
    (6, "mo", 6.0),
    (12, "wk", 12 * 7 / 30.4375),
    (2, "a", 24.0),
    (61, "d", 61 / 30.4375),
])
def test_expected_survival_units(value: float, unit: str, months: float) -> None:
    q = {"value": value, "system": UCUM, "code": unit}
    state = state_of(observation("s", LOINC, "75327-7", valueQuantity=q))
    assert state.expected_survival_months is not None
    assert state.expected_survival_months.value == pytest.approx(months)


def test_expected_survival_local_code_and_bad_unit() -> None:
    ok = state_of(local_obs("s", "estimated-survival", valueQuantity={"value": 3, "code": "mo"}))
    assert ok.expected_survival_months.value == 3  # type: ignore[union-attr]
    bad = state_of(local_obs("s", "estimated-survival", valueQuantity={"value": 3, "code": "h"}))
    assert bad.expected_survival_months is None and has_warning(bad, "unit")


@pytest.mark.parametrize(("code", "status"), [("271299001", "progressing"), ("359746009", "stable"),
                                              ("268910001", "improving")])
def test_disease_status(code: str, status: str) -> None:
    state = state_of(observation("d", LOINC, "97509-4", valueCodeableConcept=cc(SNOMED, code)))
    assert state.disease_status.value == status  # type: ignore[union-attr]


@pytest.mark.parametrize(("code", "field"), [
    ("medically-operable", "medically_operable"),
    ("primary-controlled", "primary_controlled"),
    ("history-of-polymetastatic-disease", "history_polymetastatic"),
    ("history-of-treated-omd", "history_treated_omd"),
])
def test_local_booleans(code: str, field: str) -> None:
    state = state_of(local_obs("o", code, valueBoolean=False))
    fact = getattr(state, field)
    assert fact is not None and fact.value is False and fact.sources == ("Observation/o",)


def test_unknown_facts_stay_none_not_false() -> None:
    state = state_of(bone_met())
    for field in ("medically_operable", "primary_controlled", "history_polymetastatic", "active_systemic_therapy",
                  "hospitalised_last_3_months", "visceral_metastases", "expected_survival_months", "ecog"):
        assert getattr(state, field) is None, field


def test_prior_palliative_chemo_courses() -> None:
    state = state_of(local_obs("c", "prior-palliative-chemotherapy-courses", valueInteger=2))
    assert state.prior_palliative_chemo_courses.value == 2  # type: ignore[union-attr]


# ------------------------------------------------------------------ systemic therapy


def _med(mid: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "id": mid, "status": status, "intent": "order",
            "subject": ref("Patient/p1"), "medicationCodeableConcept": cc("http://www.nlm.nih.gov/research/umls/rxnorm",
                                                                         "84857"),
            "authoredOn": "2024-10-01", **extra}


def test_local_on_active_systemic_therapy_wins() -> None:
    state = state_of(condition("p", ICD, "C50.9"), _med("m", "active", reasonReference=[ref("Condition/p")]),
                     local_obs("o", "on-active-systemic-therapy", valueBoolean=False))
    assert state.active_systemic_therapy.value is False and not state.active_systemic_therapy.derived  # type: ignore


def test_active_medication_with_reason_reference_to_cancer() -> None:
    state = state_of(condition("p", ICD, "C50.9"), _med("m", "active", reasonReference=[ref("Condition/p")]))
    fact = state.active_systemic_therapy
    assert fact is not None and fact.value is True and fact.derived and fact.sources == ("MedicationRequest/m",)


def test_active_medication_with_reason_reference_to_metastasis() -> None:
    state = state_of(bone_met("m1"), _med("m", "active", reasonReference=[ref("Condition/m1")]))
    assert state.active_systemic_therapy is not None


def test_active_medication_with_cancer_reason_code() -> None:
    state = state_of(_med("m", "active", reasonCode=[cc(SNOMED, "254837009")]))
    assert state.active_systemic_therapy is not None


def test_profile_alone_or_stopped_medication_is_not_enough() -> None:
    profiled = _med("m", "active", meta={"profile": [
        "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-cancer-related-medication-request"]})
    stopped = _med("s", "stopped", reasonCode=[cc(SNOMED, "254837009")])
    assert state_of(profiled, stopped).active_systemic_therapy is None


def test_stu1_cancer_related_medication_statement_active() -> None:
    statement = {"resourceType": "MedicationStatement", "id": "ms", "status": "active",
                 "subject": ref("Patient/p1"), "effectiveDateTime": "2024-10-01",
                 "medicationCodeableConcept": cc("http://www.nlm.nih.gov/research/umls/rxnorm", "1946828"),
                 "meta": {"profile": ["http://hl7.org/fhir/us/mcode/StructureDefinition/"
                                      "mcode-cancer-related-medication-statement"]}}
    state = state_of(statement)
    assert state.active_systemic_therapy is not None and state.active_systemic_therapy.value is True
    completed = dict(statement, status="completed")
    assert state_of(completed).active_systemic_therapy is None


# ------------------------------------------------------------------ hospitalisation and imaging


def _encounter(eid: str, start: str, end: str | None = None, cls: str = "IMP", status: str = "finished") -> dict:
    period = {"start": start} | ({"end": end} if end else {})
    return {"resourceType": "Encounter", "id": eid, "status": status, "class": {"system": V3, "code": cls},
            "subject": ref("Patient/p1"), "period": period}


def test_inpatient_stay_within_90_days() -> None:
    start = (AS_OF - timedelta(days=30)).date().isoformat()
    state = state_of(_encounter("e", start))
    assert state.hospitalised_last_3_months is not None and state.hospitalised_last_3_months.value is True


def test_old_or_outpatient_encounters_leave_it_unknown() -> None:
    old = (AS_OF - timedelta(days=200)).date().isoformat()
    recent = (AS_OF - timedelta(days=10)).date().isoformat()
    state = state_of(_encounter("old", old, old), _encounter("amb", recent, cls="AMB"))
    assert state.hospitalised_last_3_months is None


def test_restaging_imaging_latest_and_age() -> None:
    study = {"resourceType": "ImagingStudy", "id": "ct", "status": "available", "subject": ref("Patient/p1"),
             "started": "2024-11-01T10:00:00Z"}
    report = {"resourceType": "DiagnosticReport", "id": "mri", "status": "final", "subject": ref("Patient/p1"),
              "category": [cc(LOINC, "LP29684-5")], "code": cc(LOINC, "24590-2"),
              "effectiveDateTime": "2024-12-02"}
    other = {"resourceType": "DiagnosticReport", "id": "lab", "status": "final", "subject": ref("Patient/p1"),
             "category": [cc(V2_0074, "LAB")], "code": cc(LOINC, "1-1"), "effectiveDateTime": "2024-12-20"}
    state = state_of(study, report, other)
    assert state.last_restaging_imaging is not None and state.last_restaging_imaging.value == date(2024, 12, 2)
    assert state.last_restaging_imaging.sources == ("DiagnosticReport/mri",)
    assert state.restaging_imaging_age_days is not None and state.restaging_imaging_age_days.value == 30
    rad = dict(report, id="rad", category=[cc(V2_0074, "RAD")], effectiveDateTime="2024-12-11")
    assert state_of(study, rad).restaging_imaging_age_days.value == 21  # type: ignore[union-attr]


def test_local_code_only_in_local_system() -> None:
    # The LOCAL code string in another system is not the LOCAL fact.
    obs = observation("o", "http://example.org/other", "medically-operable", valueBoolean=True)
    assert state_of(obs).medically_operable is None
    assert LOCAL.endswith("bone-mets") and local_answer("x")["valueCodeableConcept"]["coding"][0]["code"] == "x"
