"""High-risk asymptomatic bone metastases (Gillespie 2024 trial population; list ○, needs review).

High risk: ≥ 2 cm; hip (acetabulum, femoral head/neck), shoulder (humeral head/neck) or
sacroiliac joint; a long bone with 1/3–2/3 cortical involvement; junctional spine (C7–T1,
T12–L1, L5–S1); spinal posterior elements. Any one suffices; the answer is unknown only when
none is present and at least one could not be checked.
"""

from __future__ import annotations

from cds import anatomy
from cds.state import LesionState

JUNCTIONAL_LEVELS = frozenset({"C7", "T1", "T12", "L1", "L5", "S1"})
HIGH_RISK_BONES = frozenset({"acetabulum", "femoral head", "femoral neck", "sacroiliac joint"})


def high_risk_criteria(lesion: LesionState) -> dict[str, bool | None]:
    """Each Gillespie criterion: True, False or None (unknown)."""
    site_known = lesion.region != "unspecified"
    bone = anatomy.base_bone(lesion.bone) if lesion.bone else None
    criteria: dict[str, bool | None] = {
        "size-2cm-or-more": lesion.size_cm.value >= 2 if lesion.size_cm else None,
        "hip-shoulder-or-si-joint": (bone in HIGH_RISK_BONES) if bone else (False if site_known and
                                                                           lesion.region == "spine" else None),
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
