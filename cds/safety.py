"""The last line of defence for the safety precedence of the decision criteria (§1).

A lesion that needs a surgeon first — unstable (SINS ≥ 13) or indeterminate (SINS 7–12) without a
surgeon's judgement of stability, high-grade ESCC without decompression, cord or cauda equina
compression, a pathological or documented impending fracture, a long bone with Mirels ≥ 9 — or a
spinal lesion with a neurological deficit, or one previously irradiated at or next to the site
without a cord-dose check, is never offered SBRT or SIB-IMRT as it is; an ablative course after
surgery is a postoperative regimen of the surgical referral. The rules
already encode this; the property tests show they never break it. If a rule change ever did,
the offending recommendation is withheld here and the output says so, instead of reaching a
clinician.
"""

from __future__ import annotations

from cds.output import CriterionResult, Lesion, Recommendation, WarningOut
from cds.state import LesionState, PatientState

ABLATIVE = frozenset({"sbrt", "sib-imrt"})


def unsafe_reasons(lesion: LesionState, state: PatientState | None = None) -> list[str]:
    """Why ablative RT must not be offered at this lesion as it is."""
    reasons = []
    prior = lesion.prior_rt
    if prior is not None and prior.at_site.value and (lesion.region != "spine" or prior.cord_eqd2 is None):
        reasons.append("previous radiotherapy at or next to the site without a cord-dose check")
    if lesion.postoperative is not None and lesion.postoperative.value:
        return reasons  # decompressed, stabilised or fixed: postoperative RT is the next step
    if lesion.sins is not None and lesion.sins.minimum >= 13:
        reasons.append(f"unstable spine (SINS ≥ {lesion.sins.minimum})")
    elif lesion.sins is not None and lesion.sins.minimum >= 12:
        reasons.append("SINS 12 (SC24 enrolled SINS < 12)")
    elif lesion.sins is not None and lesion.sins.minimum >= 7 and not (
            lesion.surgeon_judged_stable is not None and lesion.surgeon_judged_stable.value):
        reasons.append(f"indeterminate spine (SINS ≥ {lesion.sins.minimum}) without a surgeon's judgement of stability")
    grade = lesion.bilsky_grade.value if lesion.bilsky_grade else None
    if grade in ("2", "3"):
        reasons.append(f"high-grade ESCC (Bilsky {grade}) without decompression")
    if lesion.pathological_fracture is not None and lesion.pathological_fracture.value:
        reasons.append("pathological fracture")
    if lesion.impending_fracture is not None and lesion.impending_fracture.value:
        reasons.append("documented impending fracture")
    if lesion.region == "long-bone" and lesion.mirels is not None and lesion.mirels.minimum >= 9:
        reasons.append(f"Mirels ≥ {lesion.mirels.minimum}")
    if lesion.cord_compression is not None and lesion.cord_compression.value:
        reasons.append("spinal cord compression")
    if lesion.cauda_equina_only is not None and lesion.cauda_equina_only.value:
        reasons.append("cauda equina compression")
    deficit = state.neurology.neurological_deficit if state is not None else None
    if lesion.region == "spine" and deficit is not None and deficit.value:
        reasons.append("neurological deficit")
    return reasons


def enforce(state: PatientState, lesions: list[Lesion], recommendations: list[Recommendation],
            ) -> tuple[list[Recommendation], list[Lesion], list[WarningOut]]:
    warnings: list[WarningOut] = []
    kept: list[Recommendation] = []
    by_id = {lesion.id: lesion for lesion in state.lesions}
    for rec in recommendations:
        lesion = by_id.get(rec.lesion)
        reasons = unsafe_reasons(lesion, state) if lesion else []
        if rec.code in ABLATIVE and reasons:
            warnings.append(WarningOut(resource=rec.lesion, message=(
                f"safety precedence withheld {rec.code} ({', '.join(rec.rules)}) at {lesion.site}: "  # type: ignore[union-attr]
                f"{'; '.join(reasons)}. Please report this rule conflict.")))
            continue
        kept.append(rec)
    checked: list[Lesion] = []
    for lesion_out in lesions:
        lesion = by_id.get(lesion_out.id)
        reasons = unsafe_reasons(lesion, state) if lesion else []
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
