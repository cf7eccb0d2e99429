"""The last line of defence for the safety precedence of the decision criteria (§1).

A lesion that is unstable (SINS ≥ 13), has high-grade ESCC without decompression, a
pathological fracture or cord compression is never offered SBRT or SIB-IMRT as it is; an
ablative course after surgery is a postoperative regimen of the surgical referral. The rules
already encode this; the property tests show they never break it. If a rule change ever did,
the offending recommendation is withheld here and the output says so, instead of reaching a
clinician.
"""

from __future__ import annotations

from cds.output import CriterionResult, Lesion, Recommendation, WarningOut
from cds.state import LesionState, PatientState

ABLATIVE = frozenset({"sbrt", "sib-imrt"})


def unsafe_reasons(lesion: LesionState) -> list[str]:
    """Why ablative RT must not be offered at this lesion as it is (none once it has been operated)."""
    if lesion.postoperative is not None and lesion.postoperative.value:
        return []  # decompressed, stabilised or fixed: postoperative RT is the next step
    reasons = []
    if lesion.sins is not None and lesion.sins.minimum >= 13:
        reasons.append(f"unstable spine (SINS ≥ {lesion.sins.minimum})")
    grade = lesion.bilsky_grade.value if lesion.bilsky_grade else None
    if grade in ("2", "3"):
        reasons.append(f"high-grade ESCC (Bilsky {grade}) without decompression")
    if lesion.pathological_fracture is not None and lesion.pathological_fracture.value:
        reasons.append("pathological fracture")
    if lesion.cord_compression is not None and lesion.cord_compression.value:
        reasons.append("spinal cord compression")
    return reasons


def enforce(state: PatientState, lesions: list[Lesion], recommendations: list[Recommendation],
            ) -> tuple[list[Recommendation], list[Lesion], list[WarningOut]]:
    warnings: list[WarningOut] = []
    kept: list[Recommendation] = []
    by_id = {lesion.id: lesion for lesion in state.lesions}
    for rec in recommendations:
        lesion = by_id.get(rec.lesion)
        reasons = unsafe_reasons(lesion) if lesion else []
        if rec.code in ABLATIVE and reasons:
            warnings.append(WarningOut(resource=rec.lesion, message=(
                f"safety precedence withheld {rec.code} ({', '.join(rec.rules)}) at {lesion.site}: "  # type: ignore[union-attr]
                f"{'; '.join(reasons)}. Please report this rule conflict.")))
            continue
        kept.append(rec)
    checked: list[Lesion] = []
    for lesion_out in lesions:
        lesion = by_id.get(lesion_out.id)
        reasons = unsafe_reasons(lesion) if lesion else []
        eligibility = dict(lesion_out.eligibility)
        for name in ABLATIVE:
            verdict = eligibility.get(name)
            if reasons and verdict is not None and verdict.status == "eligible":
                detail = "; ".join(reasons)
                warnings.append(WarningOut(resource=lesion_out.id, message=(
                    f"{name} came out eligible at {lesion_out.site} despite {detail}; shown as ineligible. "
                    "Please report this rule conflict.")))
                eligibility[name] = verdict.model_copy(update={
                    "status": "ineligible",
                    "criteria": (*verdict.criteria, CriterionResult(
                        id="safety-precedence", status="not-met", kind="safety", detail=detail,
                        title="Surgical problem first (decision criteria §1)")),
                })
        checked.append(lesion_out.model_copy(update={"eligibility": eligibility}))
    return kept, checked, warnings
