"""Gillespie high-risk sites: any criterion met suffices; unknown only when nothing is met."""

from __future__ import annotations

import pytest

from cds import anatomy
from cds.high_risk_site import high_risk_criteria, is_high_risk_site
from cds.state import LesionState, documented


def test_hip_is_high_risk() -> None:
    neck = LesionState(id="c", site="left femoral neck", region="long-bone", bone="left femoral neck")
    assert is_high_risk_site(neck) is True


def test_junctional_spine_is_high_risk() -> None:
    assert is_high_risk_site(LesionState(id="c", site="L5–S1", region="spine", levels=("L5", "S1"))) is True


def test_small_rib_lesion_is_not_high_risk_when_every_criterion_is_known() -> None:
    rib = LesionState(id="c", site="right rib", region="rib", bone="right rib", size_cm=documented(1.5, "O/s"))
    assert is_high_risk_site(rib) is False


def test_unknown_size_leaves_a_rib_lesion_unknown() -> None:
    assert is_high_risk_site(LesionState(id="c", site="right rib", region="rib", bone="right rib")) is None


def test_mid_thoracic_lesion_needs_posterior_elements_and_size() -> None:
    t7 = LesionState(id="c", site="T7", region="spine", levels=("T7",), size_cm=documented(1.0, "O/s"))
    assert is_high_risk_site(t7) is None
    known = t7.model_copy(update={"posterior_elements": documented(False, "O/p")})
    assert is_high_risk_site(known) is False
    assert is_high_risk_site(t7.model_copy(update={"posterior_elements": documented(True, "O/p")})) is True


def _bone(name: str, cm: float = 1.0) -> LesionState:
    return LesionState(id="c", site=name, region=anatomy.region_of_bone(name), bone=name,
                       size_cm=documented(cm, "O/s"))


@pytest.mark.parametrize("bone", ["right humeral head", "left humeral neck", "left glenoid", "right acromion",
                                  "left sacroiliac joint", "sacroiliac joint"])
def test_shoulder_and_sacroiliac_joint_are_high_risk(bone: str) -> None:
    lesion = _bone(bone)
    assert high_risk_criteria(lesion)["hip-shoulder-or-si-joint"] is True
    assert is_high_risk_site(lesion) is True


@pytest.mark.parametrize("bone", ["left femur", "humerus", "right proximal humerus", "left scapula", "pelvis"])
def test_a_whole_bone_leaves_the_site_criterion_unknown(bone: str) -> None:
    # The lesion may or may not sit at the femoral neck, the humeral head, the glenoid or the SI joint.
    lesion = _bone(bone)
    assert high_risk_criteria(lesion)["hip-shoulder-or-si-joint"] is None
    assert is_high_risk_site(lesion) is None


@pytest.mark.parametrize("bone", ["left femoral shaft", "left ilium", "clavicle", "right rib"])
def test_a_named_part_outside_the_high_risk_sites_does_not_meet_the_site_criterion(bone: str) -> None:
    lesion = _bone(bone)
    assert high_risk_criteria(lesion)["hip-shoulder-or-si-joint"] is False


def test_a_large_lesion_of_a_whole_bone_is_high_risk_whatever_its_site() -> None:
    assert is_high_risk_site(_bone("left scapula", cm=2.8)) is True


def test_anatomy_places_the_new_sites() -> None:
    assert anatomy.region_of_bone("right humeral head") == "long-bone"
    assert anatomy.region_of_bone("left glenoid") == "shoulder-girdle"
    assert anatomy.region_of_bone("acromion") == "shoulder-girdle"
    assert anatomy.region_of_bone("left sacroiliac joint") == "pelvis"
    assert anatomy.base_bone("left humeral neck") == "humeral neck"


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ("left humeral head", "left humerus", True),
    ("left humeral head", "left proximal humerus", True),
    ("left humeral head", "right humerus", False),
    ("left glenoid", "left scapula", True),
    ("left glenoid", "left acromion", False),
    ("right sacroiliac joint", "right ilium", True),
    ("right sacroiliac joint", "pelvis", True),
    ("femoral head", "femoral neck", False),
    ("left femoral neck", "femur", True),
])
def test_parts_overlap_the_bone_they_lie_in(a: str, b: str, overlap: bool) -> None:
    assert anatomy.bones_overlap(a, b) is overlap
    assert anatomy.bones_overlap(b, a) is overlap


def test_the_mapper_recognises_the_sacroiliac_joint_and_proximal_humerus() -> None:
    from fhir_mappings.body_sites import site_from
    from fhir_mappings.codes import SNOMED

    si = site_from([{"coding": [{"system": SNOMED, "code": "39723000"}]}], [{"coding": [
        {"system": SNOMED, "code": "7771000"}]}])
    assert si.bones == ("left sacroiliac joint",) and si.region == "pelvis"
    humerus = site_from([{"coding": [{"system": SNOMED, "code": "119524001"}]}])
    assert humerus.bones == ("proximal humerus",) and humerus.region == "long-bone"
