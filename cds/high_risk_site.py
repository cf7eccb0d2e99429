"""High-risk asymptomatic bone metastases (Gillespie 2024 trial population; list ○, needs review).

High risk: ≥ 2 cm; hip (acetabulum, femoral head/neck), shoulder (acromion, glenoid, humeral
head/neck) or sacroiliac joint; a long bone with 1/3–2/3 cortical involvement; junctional spine
(C7–T1, T12–L1, L5–S1); spinal posterior elements. Any one suffices; the answer is unknown only
when none is present and at least one could not be checked.

A whole bone that contains one of those sites (a bare 'femur', 'humerus', 'proximal humerus',
'scapula' or 'pelvis') leaves the site criterion unknown: the lesion may or may not be at the
femoral neck, the humeral head, the glenoid or the SI joint. A named part that is not one of them
(femoral shaft, ilium, clavicle) does not meet it; the ilium next to the SI joint is not told apart
by the anatomy, so it is not guessed.
"""

from __future__ import annotations

from cds import anatomy
from cds.state import LesionState

JUNCTIONAL_LEVELS = frozenset({"C7", "T1", "T12", "L1", "L5", "S1"})
HIGH_RISK_BONES = frozenset({
    "acetabulum", "femoral head", "femoral neck",               # hip
    "humeral head", "humeral neck", "glenoid", "acromion",      # shoulder
    "sacroiliac joint",
})
# Whole bones (or regions of one) that contain a high-risk site without saying whether the lesion is there.
CONTAINS_HIGH_RISK_SITE = frozenset({"femur", "humerus", "proximal humerus", "scapula", "pelvis"})


def _hip_shoulder_or_si_joint(bone: str) -> bool | None:
    if bone in HIGH_RISK_BONES:
        return True
    if bone in CONTAINS_HIGH_RISK_SITE:
        return None
    return False


def high_risk_criteria(lesion: LesionState) -> dict[str, bool | None]:
    """Each Gillespie criterion: True, False or None (unknown)."""
    site_known = lesion.region != "unspecified"
    bone = anatomy.base_bone(lesion.bone) if lesion.bone else None
    criteria: dict[str, bool | None] = {
        "size-2cm-or-more": lesion.size_cm.value >= 2 if lesion.size_cm else None,
        "hip-shoulder-or-si-joint": _hip_shoulder_or_si_joint(bone) if bone else (
            False if site_known and lesion.region == "spine" else None),
        "junctional-spine": (bool(set(lesion.levels) & JUNCTIONAL_LEVELS) if lesion.levels
                             else (False if site_known and lesion.region != "spine" else None)),
    }
    if lesion.region == "long-bone":
        # Mirels' size component is the same measurement (fraction of the cortex involved).
        size = lesion.cortical_involvement or lesion.mirels_components.get("size")
        cortical = size.value if size else None
        criteria["long-bone-one-to-two-thirds-cortex"] = (
            cortical in ("one-to-two-thirds", "over-two-thirds") if cortical else None)
    if lesion.region == "spine":
        criteria["posterior-elements"] = lesion.posterior_elements.value if lesion.posterior_elements else None
    if not site_known:
        criteria["hip-shoulder-or-si-joint"] = None
    return criteria


def is_high_risk_site(lesion: LesionState) -> bool | None:
    values = high_risk_criteria(lesion).values()
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None
