"""Radiotherapy courses, metastatic burden and neurology."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fhir_mapping_helpers import (
    AS_OF,
    ICD,
    L2,
    LOCAL,
    SNOMED,
    T8,
    T9,
    UCUM,
    bone_met,
    cc,
    condition,
    has_warning,
    local_obs,
    ref,
    state_of,
)

DOSE_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-dose-delivered-to-volume"
REIRR_URL = ("http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"
             "codexrt-radiotherapy-course-involves-reirradiation")


def dose(cgy: float | None, fractions: int | None, volume: str | None = None, unit: str = "cGy") -> dict[str, Any]:
    subs: list[dict[str, Any]] = []
    if volume:
        subs.append({"url": "volume", "valueReference": ref(volume)})
    if cgy is not None:
        subs.append({"url": "totalDoseDelivered", "valueQuantity": {"value": cgy, "system": UCUM, "code": unit}})
    if fractions is not None:
        subs.append({"url": "fractionsDelivered", "valueUnsignedInt": fractions})
    return {"url": DOSE_URL, "extension": subs}


def course(cid: str, *, code: str = "1217123003", status: str = "completed", sites: list[str] | None = None,
           extensions: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Procedure", "id": cid, "status": status, "subject": ref("Patient/p1"),
                           "code": cc(SNOMED, code), "performedDateTime": "2023-03-01", **extra}
    if sites:
        out["bodySite"] = [cc(SNOMED, *sites)]
    if extensions:
        out["extension"] = extensions
    return out


def volume(vid: str, *sites: str) -> dict[str, Any]:
    return {"resourceType": "BodyStructure", "id": vid, "patient": ref("Patient/p1"),
            "morphology": cc(SNOMED, "228793007"), "location": cc(SNOMED, *sites)}


def test_course_with_body_site_levels_and_dose() -> None:
    state = state_of(course("rt", sites=[T8, T9], extensions=[dose(800, 1)]))
    (found,) = state.radiotherapy_courses
    assert (found.levels, found.site, found.total_dose_gy, found.fractions) == (("T8", "T9"), "T8–T9", 8.0, 1)
    assert found.performed == date(2023, 3, 1) and found.status == "completed"
    assert state.any_prior_radiotherapy is not None and state.any_prior_radiotherapy.sources == ("Procedure/rt",)


def test_course_site_from_treatment_volume_and_gy_unit() -> None:
    state = state_of(course("rt", extensions=[dose(20, 5, "BodyStructure/ptv", unit="Gy")]), volume("ptv", L2))
    (found,) = state.radiotherapy_courses
    assert found.levels == ("L2",) and found.site == "L2" and found.total_dose_gy == 20.0
    assert found.sources == ("Procedure/rt", "BodyStructure/ptv")


def test_course_volume_by_urn_uuid() -> None:
    import json

    from fhir_mappings.mapper import map_record
    from fhir_mappings.reader import read_bytes

    vol = volume("ignored", T8)
    del vol["id"]
    data = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "id": "p1"}},
        {"fullUrl": "urn:uuid:v", "resource": vol},
        {"fullUrl": "urn:uuid:c", "resource": course("rt", extensions=[dose(3000, 10, "urn:uuid:v")])}]}
    (record,) = read_bytes(json.dumps(data).encode(), "b.json")
    (found,) = map_record(record, AS_OF).radiotherapy_courses
    assert found.levels == ("T8",) and "urn:uuid:v" in found.sources


def test_several_volumes_keep_the_maximum_and_warn() -> None:
    state = state_of(course("rt", extensions=[dose(5000, 25), dose(6000, 30), dose(None, None)]))
    (found,) = state.radiotherapy_courses
    assert (found.total_dose_gy, found.fractions) == (60.0, 30)
    assert has_warning(state, "volumes with different doses")


def test_course_category_code_stereotactic_and_reirradiation_flag() -> None:
    sbrt = course("sbrt", code="395096001", extensions=[{"url": REIRR_URL, "valueBoolean": True}])
    by_category = course("cat", code="000000", category=cc(SNOMED, "1287742003"))
    state = state_of(sbrt, by_category)
    courses = {c.id: c for c in state.radiotherapy_courses}
    assert courses["Procedure/sbrt"].stereotactic is True and courses["Procedure/sbrt"].involves_reirradiation
    assert courses["Procedure/cat"].stereotactic is None


@pytest.mark.parametrize(("status", "counted"), [("completed", True), ("in-progress", True), ("stopped", True),
                                                 ("not-done", False), ("preparation", False),
                                                 ("entered-in-error", False)])
def test_course_statuses(status: str, counted: bool) -> None:
    assert bool(state_of(course("rt", status=status)).radiotherapy_courses) is counted


def test_performed_period_end_is_used() -> None:
    rt = course("rt", performedPeriod={"start": "2023-01-02", "end": "2023-01-20T10:00:00+01:00"})
    del rt["performedDateTime"]
    assert state_of(rt).radiotherapy_courses[0].performed == date(2023, 1, 20)


def test_course_after_as_of_is_ignored() -> None:
    state = state_of(course("rt", performedDateTime="2025-02-01"))
    assert state.radiotherapy_courses == () and has_warning(state, "after the evaluation time")


def test_z92_3_history_condition_is_a_course_without_site_or_dose() -> None:
    state = state_of(condition("hx", ICD, "Z92.3", onset="2015-05-01"))
    (found,) = state.radiotherapy_courses
    assert (found.id, found.site, found.total_dose_gy, found.performed) == (
        "Condition/hx", None, None, date(2015, 5, 1))
    assert state.any_prior_radiotherapy is not None and state.any_prior_radiotherapy.value is True


def test_documented_no_prior_rt_against_a_course_warns() -> None:
    state = state_of(course("rt"), local_obs("n", "prior-radiotherapy", valueBoolean=False))
    assert state.any_prior_radiotherapy.value is True and has_warning(state, "says no prior radiotherapy")  # type: ignore


# ------------------------------------------------------------------ metastatic burden


@pytest.mark.parametrize(("system", "code", "visceral", "hepatic", "brain"), [
    (ICD, "C78.7", True, True, None),
    (ICD, "C78.00", True, None, None),
    (ICD, "C79.31", True, None, True),
    (ICD, "C79.11", True, None, None),
    (ICD, "C79.70", True, None, None),
    (ICD, "C79.9", True, None, None),
    (SNOMED, "94381002", True, True, None),
    (SNOMED, "94225005", True, None, True),
    (ICD, "C77.3", None, None, None),
])
def test_visceral_metastasis_codes(system: str, code: str, visceral: bool | None, hepatic: bool | None,
                                   brain: bool | None) -> None:
    state = state_of(condition("m", system, code))
    assert (state.visceral_metastases.value if state.visceral_metastases else None) is visceral
    assert (state.hepatic_metastases.value if state.hepatic_metastases else None) is hepatic
    assert (state.brain_metastases.value if state.brain_metastases else None) is brain


def test_refuted_liver_metastasis_documents_absence_only_for_liver() -> None:
    state = state_of(condition("m", SNOMED, "94381002", verification="refuted"))
    assert state.hepatic_metastases is not None and state.hepatic_metastases.value is False
    assert state.visceral_metastases is None


def test_metastatic_count_lower_bound_includes_nodal_and_visceral() -> None:
    state = state_of(bone_met("b1", T8), bone_met("b2", L2), condition("n", ICD, "C77.3"),
                     condition("l", ICD, "C78.01"))
    assert state.bone_lesion_count.value == 2 and state.bone_lesion_count.derived  # type: ignore[union-attr]
    count = state.metastatic_lesion_count
    assert count is not None and count.value == 4 and count.inputs == {"lower_bound": True, "conditions": 4}
    assert count.method == "lower bound: counted from 4 metastasis Conditions"


# ------------------------------------------------------------------ neurology


def test_neurological_deficit_and_ambulatory() -> None:
    state = state_of(local_obs("d", "neurological-deficit", valueBoolean=True),
                     local_obs("a", "ambulatory", valueBoolean=True))
    neuro = state.neurology
    assert neuro.neurological_deficit.value is True and neuro.ambulatory.value is True  # type: ignore[union-attr]
    assert neuro.paraplegic is not None and neuro.paraplegic.value is False and neuro.paraplegic.derived


@pytest.mark.parametrize(("system", "code"), [(SNOMED, "60389000"), (ICD, "G82.21")])
def test_paraplegia_condition_and_hours(system: str, code: str) -> None:
    onset = (AS_OF - timedelta(hours=30)).isoformat().replace("+00:00", "Z")
    state = state_of(condition("para", system, code, onset=onset))
    neuro = state.neurology
    assert neuro.paraplegic is not None and neuro.paraplegic.value is True and not neuro.paraplegic.derived
    assert neuro.paraplegia_hours is not None and neuro.paraplegia_hours.value == pytest.approx(30)


def test_motor_deficit_days() -> None:
    state = state_of(local_obs("m", "motor-deficit-onset", valueDateTime="2024-12-29T12:00:00Z"))
    assert state.neurology.motor_deficit_days is not None
    assert state.neurology.motor_deficit_days.value == pytest.approx(3)


def test_unknown_neurology_stays_unknown() -> None:
    neuro = state_of(bone_met("b", T8)).neurology
    assert neuro.paraplegic is None and neuro.ambulatory is None and neuro.neurological_deficit is None
    assert LOCAL
