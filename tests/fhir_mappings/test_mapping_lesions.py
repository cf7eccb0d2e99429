"""Lesions: sites from bodySite, lesion observations by focus or bodySite, compression, fractures, surgery."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fhir_mapping_helpers import (
    FEMORAL_NECK,
    FEMUR,
    HUMERUS,
    ICD,
    L2,
    L3,
    LEFT,
    LOCAL,
    LOINC,
    PELVIS,
    SNOMED,
    T7,
    T8,
    T9,
    T10,
    bone_met,
    cc,
    condition,
    has_warning,
    local_answer,
    local_obs,
    observation,
    ref,
    state_of,
)

from cds.state import LesionState, PatientState


def lesion(state: PatientState, lesion_id: str = "Condition/met1") -> LesionState:
    return state.lesion(lesion_id)


# ------------------------------------------------------------------ sites


def test_single_level() -> None:
    found = lesion(state_of(bone_met("met1", T8)))
    assert (found.site, found.region, found.levels, found.bone) == ("T8", "spine", ("T8",), None)
    assert found.site_codes == (T8,)


def test_several_codings_are_contiguous_levels_of_one_lesion() -> None:
    state = state_of(bone_met("met1", T9, T8))
    assert len(state.lesions) == 1
    assert lesion(state).levels == ("T8", "T9") and lesion(state).site == "T8–T9"


def test_non_contiguous_levels_warn() -> None:
    state = state_of(bone_met("met1", T8, L2))
    assert lesion(state).site == "T8, L2" and has_warning(state, "not contiguous")


def test_region_code_without_levels() -> None:
    found = lesion(state_of(bone_met("met1", "122496007")))
    assert (found.site, found.region, found.levels) == ("lumbar spine", "spine", ())


def test_bone_with_laterality_qualifier_extension() -> None:
    met = bone_met("met1")
    met["bodySite"] = [{"coding": [{"system": SNOMED, "code": FEMORAL_NECK}], "extension": [
        {"url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier",
         "valueCodeableConcept": cc(SNOMED, LEFT)}]}]
    found = lesion(state_of(met))
    assert (found.site, found.bone, found.laterality, found.region) == (
        "left femoral neck", "left femoral neck", "left", "long-bone")


def test_laterality_from_the_code_itself() -> None:
    found = lesion(state_of(bone_met("met1", "719537008")))
    assert (found.bone, found.laterality, found.region) == ("right acetabulum", "right", "pelvis")


@pytest.mark.parametrize(("code", "region"), [("113197003", "rib"), ("79601000", "shoulder-girdle"),
                                              ("89546000", "skull"), (PELVIS, "pelvis"), (HUMERUS, "long-bone")])
def test_bone_regions(code: str, region: str) -> None:
    assert lesion(state_of(bone_met("met1", code))).region == region


def test_no_body_site_is_still_a_lesion() -> None:
    state = state_of(bone_met("met1"))
    assert (lesion(state).site, lesion(state).region) == ("unspecified", "unspecified")
    assert has_warning(state, "without bodySite")


def test_unknown_body_site_code_keeps_label_region_unspecified() -> None:
    met = bone_met("met1")
    met["bodySite"] = [{"coding": [{"system": SNOMED, "code": "56459004", "display": "Sternum (body structure)"}]}]
    state = state_of(met)
    assert lesion(state).site == "Sternum" and lesion(state).region == "unspecified"
    assert has_warning(state, "not in the anatomy code lists")


@pytest.mark.parametrize(("system", "code"), [(SNOMED, "94602001"), (ICD, "C79.51"), (ICD, "C79.52"),
                                              (ICD, "C7B.03")])
def test_bone_metastasis_codes(system: str, code: str) -> None:
    state = state_of(condition("met1", system, code, sites=[T8]))
    assert len(state.lesions) == 1
    assert state.bone_lesion_count is not None and state.bone_lesion_count.inputs == {
        "lower_bound": True, "conditions": 1}


def test_refuted_or_resolved_bone_metastasis_is_not_a_lesion() -> None:
    state = state_of(bone_met("a", T8, verification="refuted"), bone_met("b", T9, clinical="resolved"))
    assert state.lesions == () and state.bone_lesion_count is None


def test_tumour_body_structure_at_a_bone_is_a_lesion() -> None:
    tumour = {"resourceType": "BodyStructure", "id": "tum", "patient": ref("Patient/p1"),
              "meta": {"profile": ["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor"]},
              "location": cc(SNOMED, FEMUR), "locationQualifier": [cc(SNOMED, LEFT)]}
    state = state_of(tumour)
    (found,) = state.lesions
    assert found.id == "BodyStructure/tum" and found.bone == "left femur"


def test_tumour_body_structure_gives_site_to_its_condition() -> None:
    tumour = {"resourceType": "BodyStructure", "id": "tum", "patient": ref("Patient/p1"),
              "extension": [{"url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-condition",
                             "valueReference": ref("Condition/met1")}], "location": cc(SNOMED, T10)}
    state = state_of(bone_met("met1"), tumour)
    (found,) = state.lesions
    assert found.id == "Condition/met1" and found.site == "T10" and "BodyStructure/tum" in found.sources


def test_treatment_volume_is_not_a_lesion() -> None:
    volume = {"resourceType": "BodyStructure", "id": "ptv", "patient": ref("Patient/p1"),
              "morphology": cc(SNOMED, "228793007"), "location": cc(SNOMED, T8),
              "meta": {"profile": ["http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor"]}}
    assert state_of(volume).lesions == ()


def test_count_without_condition_creates_no_lesion() -> None:
    state = state_of(local_obs("n", "bone-lesion-count", valueInteger=3),
                     local_obs("s", "sins", sites=[T8], valueInteger=9))
    assert state.lesions == ()
    assert state.bone_lesion_count is not None and state.bone_lesion_count.value == 3
    assert not state.bone_lesion_count.derived
    assert has_warning(state, "no bone-metastasis Condition")


def test_documented_counts_override_condition_counts() -> None:
    state = state_of(bone_met("met1", T8), local_obs("n", "metastatic-lesion-count", valueInteger=7))
    assert state.metastatic_lesion_count.value == 7 and not state.metastatic_lesion_count.derived  # type: ignore


# ------------------------------------------------------------------ lesion observations


def sins_component(code: str, answer: str) -> dict[str, Any]:
    return {"code": cc(LOCAL, code), **local_answer(answer)}


def test_sins_total_and_components_by_focus() -> None:
    sins = local_obs("s", "sins", focus="Condition/met1", valueInteger=11, component=[
        sins_component("sins-location", "junctional"), sins_component("sins-pain", "mechanical"),
        sins_component("sins-bone-lesion", "lytic"), sins_component("sins-alignment", "normal"),
        sins_component("sins-collapse", "none"), sins_component("sins-posterolateral", "unilateral"),
        sins_component("sins-pain", "not-an-answer")])
    state = state_of(bone_met("met1", T8), bone_met("met2", L2), sins)
    found = lesion(state)
    assert found.sins_total is not None and found.sins_total.value == 11
    assert {k: v.value for k, v in found.sins_components.items()} == {
        "location": "junctional", "pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
        "collapse": "none", "posterolateral": "unilateral"}
    assert lesion(state, "Condition/met2").sins_total is None
    assert has_warning(state, "no answer among")


def test_focus_is_preferred_over_body_site() -> None:
    obs = local_obs("b", "bilsky-grade", focus="Condition/met2", sites=[T8], **local_answer("escc-1b"))
    state = state_of(bone_met("met1", T8), bone_met("met2", L2), obs)
    assert lesion(state, "Condition/met2").bilsky_grade.value == "1b"  # type: ignore[union-attr]
    assert lesion(state).bilsky_grade is None


@pytest.mark.parametrize(("code", "grade"), [("escc-0", "0"), ("escc-1a", "1a"), ("escc-1c", "1c"),
                                             ("escc-2", "2"), ("escc-3", "3")])
def test_bilsky_grades_are_strings(code: str, grade: str) -> None:
    state = state_of(bone_met("met1", T8), local_obs("b", "bilsky-grade", sites=[T8], **local_answer(code)))
    assert lesion(state).bilsky_grade.value == grade  # type: ignore[union-attr]


def test_body_site_matching_by_level_and_by_bone() -> None:
    state = state_of(bone_met("met1", T8, T9), bone_met("met2", FEMORAL_NECK),
                     local_obs("t", "lesion-type", sites=[T9], **local_answer("blastic")),
                     local_obs("c", "cortical-involvement", sites=[FEMUR], **local_answer("over-two-thirds")))
    assert lesion(state).lesion_type.value == "blastic"  # type: ignore[union-attr]
    assert lesion(state, "Condition/met2").cortical_involvement.value == "over-two-thirds"  # type: ignore


def test_ambiguous_or_unmatched_body_site_warns() -> None:
    state = state_of(bone_met("met1", T8), local_obs("x", "lesion-type", sites=[L3], **local_answer("lytic")))
    assert lesion(state).lesion_type is None and has_warning(state, "matches no bone lesion")


def test_observation_without_focus_or_site_and_one_lesion() -> None:
    state = state_of(bone_met("met1", T8), local_obs("x", "impending-fracture", valueBoolean=True))
    assert lesion(state).impending_fracture.value is True  # type: ignore[union-attr]
    assert has_warning(state, "only lesion")
    several = state_of(bone_met("met1", T8), bone_met("met2", L2),
                       local_obs("x", "impending-fracture", valueBoolean=True))
    assert all(lesion.impending_fracture is None for lesion in several.lesions)
    assert has_warning(several, "several lesions")


@pytest.mark.parametrize(("value", "cm"), [({"value": 25, "code": "mm"}, 2.5), ({"value": 3.1, "code": "cm"}, 3.1)])
def test_lesion_size_units(value: dict[str, Any], cm: float) -> None:
    state = state_of(bone_met("met1", T8), local_obs("z", "lesion-size", focus="Condition/met1", valueQuantity=value))
    assert lesion(state).size_cm.value == pytest.approx(cm)  # type: ignore[union-attr]


def test_mirels_total_and_components() -> None:
    mirels = local_obs("m", "mirels", focus="Condition/met1", valueInteger=9, component=[
        sins_component("mirels-site", "peritrochanteric"), sins_component("mirels-pain", "moderate"),
        sins_component("mirels-lesion", "lytic"), sins_component("mirels-size", "one-to-two-thirds")])
    found = lesion(state_of(bone_met("met1", FEMORAL_NECK), mirels))
    assert found.mirels_total.value == 9  # type: ignore[union-attr]
    assert {k: v.value for k, v in found.mirels_components.items()} == {
        "site": "peritrochanteric", "pain": "moderate", "lesion": "lytic", "size": "one-to-two-thirds"}


def test_standalone_component_observation() -> None:
    state = state_of(bone_met("met1", T8), local_obs("c", "sins-collapse", focus="Condition/met1",
                                                     **local_answer("collapse-under-50")))
    assert lesion(state).sins_components["collapse"].value == "collapse-under-50"


@pytest.mark.parametrize("code", ["72514-3", "38208-5"])
def test_pain_score(code: str) -> None:
    state = state_of(bone_met("met1", T8), observation("p", LOINC, code, focus="Condition/met1", valueInteger=7))
    assert lesion(state).pain_score.value == 7  # type: ignore[union-attr]


def test_pain_latest_wins() -> None:
    state = state_of(bone_met("met1", T8),
                     observation("p1", LOINC, "72514-3", focus="Condition/met1", effective="2024-11-01",
                                 valueInteger=8),
                     observation("p2", LOINC, "72514-3", focus="Condition/met1", effective="2024-12-15",
                                 valueInteger=3))
    assert lesion(state).pain_score.value == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(("code", "field"), [("posterior-element-involvement", "posterior_elements"),
                                             ("extraosseous-extension", "extraosseous_extension"),
                                             ("impending-fracture", "impending_fracture")])
def test_lesion_booleans(code: str, field: str) -> None:
    state = state_of(bone_met("met1", T8), local_obs("o", code, focus="Condition/met1", valueBoolean=False))
    assert getattr(lesion(state), field).value is False


def test_contiguous_compartments_documented() -> None:
    state = state_of(bone_met("met1", T8), local_obs("o", "contiguous-compartments", focus="Condition/met1",
                                                     valueInteger=2))
    assert lesion(state).contiguous_compartments.value == 2  # type: ignore[union-attr]


def test_prior_radiotherapy_at_site_only_with_focus() -> None:
    state = state_of(bone_met("met1", T8),
                     local_obs("at", "prior-radiotherapy", focus="Condition/met1", valueBoolean=False),
                     local_obs("any", "prior-radiotherapy", valueBoolean=True))
    found = lesion(state)
    assert found.prior_rt is not None and found.prior_rt.at_site.value is False
    assert state.any_prior_radiotherapy is not None and state.any_prior_radiotherapy.value is True
    assert state.any_prior_radiotherapy.sources == ("Observation/any",)


def test_patient_level_prior_radiotherapy_false() -> None:
    state = state_of(bone_met("met1", T8), local_obs("any", "prior-radiotherapy", valueBoolean=False))
    assert state.any_prior_radiotherapy.value is False and lesion(state).prior_rt is None  # type: ignore


# ------------------------------------------------------------------ fractures


def test_pathological_fracture_local_observation() -> None:
    state = state_of(bone_met("met1", T8), local_obs("f", "pathological-fracture", focus="Condition/met1",
                                                     valueBoolean=True))
    assert lesion(state).pathological_fracture.value is True  # type: ignore[union-attr]


def test_fracture_condition_with_body_site() -> None:
    state = state_of(bone_met("met1", FEMORAL_NECK), bone_met("met2", T8),
                     condition("fx", SNOMED, "268029009", sites=[FEMUR]))
    assert lesion(state).pathological_fracture.value is True  # type: ignore[union-attr]
    assert lesion(state, "Condition/met2").pathological_fracture is None


@pytest.mark.parametrize(("icd", "hit", "miss"), [
    ("M84.58XA", T8, HUMERUS),
    ("M84.552A", FEMORAL_NECK, HUMERUS),
    ("M84.550A", PELVIS, T8),
    ("M84.521A", HUMERUS, T8),
])
def test_fracture_site_from_icd_code_without_seventh_character(icd: str, hit: str, miss: str) -> None:
    state = state_of(bone_met("met1", hit), bone_met("met2", miss), condition("fx", ICD, icd))
    assert lesion(state).pathological_fracture.value is True  # type: ignore[union-attr]
    assert lesion(state, "Condition/met2").pathological_fracture is None


def test_refuted_fracture_documents_absence() -> None:
    state = state_of(bone_met("met1", T8), condition("fx", SNOMED, "268029009", sites=[T8], verification="refuted"))
    assert lesion(state).pathological_fracture.value is False  # type: ignore[union-attr]


# ------------------------------------------------------------------ surgery


def _service_request(sid: str, status: str, site: str | None, code: str = "387713003") -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "ServiceRequest", "id": sid, "status": status, "intent": "order",
                           "subject": ref("Patient/p1"), "code": cc(SNOMED, code), "authoredOn": "2024-12-20"}
    if site:
        out["bodySite"] = [cc(SNOMED, site)]
    return out


def _procedure(pid: str, status: str, site: str | None, code: str = "387713003", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Procedure", "id": pid, "status": status, "subject": ref("Patient/p1"),
                           "code": cc(SNOMED, code), **extra}
    if site:
        out["bodySite"] = [cc(SNOMED, site)]
    return out


def test_planned_surgery_from_active_service_request() -> None:
    state = state_of(bone_met("met1", T8), bone_met("met2", L2), _service_request("sr", "active", T8),
                     _service_request("draft", "draft", L2))
    assert lesion(state).planned_surgery.value is True  # type: ignore[union-attr]
    assert lesion(state, "Condition/met2").planned_surgery is None


def test_planned_surgery_category_and_procedure_in_preparation() -> None:
    request = _service_request("sr", "active", T8, code="23697004")
    request["category"] = [cc(SNOMED, "387713003")]
    assert lesion(state_of(bone_met("met1", T8), request)).planned_surgery is not None
    prep = _procedure("pp", "preparation", T8, code="447764006")
    assert lesion(state_of(bone_met("met1", T8), prep)).planned_surgery.value is True  # type: ignore[union-attr]


def test_planned_surgery_local_observation_and_surgery_elsewhere() -> None:
    state = state_of(bone_met("met1", T8), _service_request("sr", "active", "76752008"),
                     local_obs("ps", "planned-surgery", focus="Condition/met1", valueBoolean=False))
    assert lesion(state).planned_surgery.value is False  # type: ignore[union-attr]


def test_postoperative_from_completed_surgery_at_site() -> None:
    state = state_of(bone_met("met1", T8), _procedure("op", "completed", T8, performedDateTime="2024-10-01"),
                     _procedure("op2", "completed", None, performedDateTime="2024-10-01"))
    found = lesion(state)
    assert found.postoperative is not None and found.postoperative.value is True
    assert found.postoperative.sources == ("Procedure/op",)


# ------------------------------------------------------------------ cord compression


def test_cord_compression_touching_levels_with_onset() -> None:
    state = state_of(bone_met("met1", T8), bone_met("met2", L3),
                     condition("cc", SNOMED, "71286001", sites=[T9], onset="2024-12-30T06:00:00Z"))
    found = lesion(state)
    assert found.cord_compression is not None and found.cord_compression.value is True
    assert found.cord_compression_onset is not None and found.cord_compression_onset.value == date(2024, 12, 30)
    assert found.compression_areas is not None and found.compression_areas.value == 1
    assert lesion(state, "Condition/met2").cord_compression is None


@pytest.mark.parametrize(("system", "code"), [(ICD, "G95.20"), (ICD, "G95.29"), (LOCAL, "mescc")])
def test_cord_compression_codes(system: str, code: str) -> None:
    state = state_of(bone_met("met1", T8), condition("cc", system, code, sites=[T8]))
    assert lesion(state).cord_compression.value is True  # type: ignore[union-attr]


def test_compression_areas_count_non_contiguous_groups() -> None:
    state = state_of(bone_met("met1", T7, T8), bone_met("met2", L2),
                     condition("c1", SNOMED, "71286001", sites=[T7, T8]),
                     condition("c2", SNOMED, "71286001", sites=[L2]))
    for found in state.lesions:
        assert found.compression_areas is not None and found.compression_areas.value == 2
        assert found.compression_areas.derived


def test_compression_without_site_and_one_spinal_lesion() -> None:
    state = state_of(bone_met("met1", T8), bone_met("met2", FEMUR), condition("cc", SNOMED, "71286001"))
    assert lesion(state).cord_compression.value is True  # type: ignore[union-attr]
    assert lesion(state, "Condition/met2").cord_compression is None
    assert has_warning(state, "only candidate lesion")
    several = state_of(bone_met("met1", T8), bone_met("met2", L2), condition("cc", SNOMED, "71286001"))
    assert all(found.cord_compression is None for found in several.lesions)
    assert has_warning(several, "2 candidate lesions")
    # It may concern either lesion: at neither is the absence of compression a silence.
    assert all("cord_compression" in found.undecidable for found in several.lesions)


def test_refuted_compression_documents_absence() -> None:
    state = state_of(bone_met("met1", T8), condition("cc", SNOMED, "71286001", sites=[T8], verification="refuted"))
    assert lesion(state).cord_compression.value is False  # type: ignore[union-attr]
    assert lesion(state).compression_areas is None


def test_mescc_observation_with_focus() -> None:
    state = state_of(bone_met("met1", T8, T9), local_obs("m", "mescc", focus="Condition/met1", valueBoolean=True))
    found = lesion(state)
    assert found.cord_compression.value is True and found.compression_areas.value == 1  # type: ignore


def test_cauda_equina_only() -> None:
    state = state_of(bone_met("met1", L3), condition("ce", SNOMED, "192970008", sites=[L3]))
    assert lesion(state).cauda_equina_only.value is True  # type: ignore[union-attr]
    both = state_of(bone_met("met1", L2), condition("ce", ICD, "G83.4", sites=[L2]),
                    condition("cc", SNOMED, "71286001", sites=[L2]))
    assert lesion(both).cauda_equina_only.value is False  # type: ignore[union-attr]
