"""Hand-built evaluations for the view tests: the contract's newer fields (assumptions, criteria read
from a silence, stale and unrecognised data gaps, death, urgent timing, what to confirm) without
depending on which rules fill them in yet."""

from __future__ import annotations

from typing import Any

from cds.output import (
    Assumption,
    Citation,
    CriterionResult,
    DataGap,
    Eligibility,
    Evaluation,
    Lesion,
    PatientSummary,
    Recommendation,
    RegimenOut,
    RulesetInfo,
)

CITE = Citation(key="patchell2005", label="Patchell 2005, Lancet", url="https://doi.org/10.1016/S0140-6736(05)66954-1")
L3 = "Condition/met-l3"
RIB = "Condition/met-rib"
NOSITE = "Condition/met-unknown"


def fact(value: Any, origin: str = "documented", **extra: Any) -> dict[str, Any]:
    return {"value": value, "origin": origin, "sources": ["Observation/x"], **extra}


def lesion(lesion_id: str = L3, site: str = "L3", region: str = "spine", *, not_recorded: bool = False) -> Lesion:
    basis = "not-recorded" if not_recorded else "documented"
    return Lesion(id=lesion_id, site=site, region=region, levels=("L3",) if region == "spine" else (), eligibility={
        "sbrt": Eligibility(status="eligible", criteria=(
            CriterionResult(id="no-prior-rt-at-site", status="met", detail="no radiotherapy course to the site",
                            basis=basis),
            CriterionResult(id="ecog-0-2", status="met", detail="ECOG 1", basis="documented"),
        )),
        "sib-imrt": Eligibility(status="undetermined", criteria=(
            CriterionResult(id="breast-cancer", status="unknown", detail="primary histology not documented"),
        )),
    })


def urgent_referral(lesion_id: str = L3, site: str = "L3", timing: str | None = "within 24 h") -> Recommendation:
    return Recommendation(
        code="surgical-referral", reason="mescc-decompression", lesion=lesion_id, priority="urgent",
        summary=f"Refer urgently for decompressive surgery at {site}, then 30 Gy in 10 fractions",
        rationale=f"Cord compression at {site} with leg weakness; ECOG 1; expected survival 18 months.",
        regimens=(RegimenOut(dose_gy=30, fractions=10, bed10=39.0, role="postoperative"),),
        rules=("mescc.surgical-candidate",), citations=(CITE,), evidence_status="reviewed", timing=timing,
        confirm=("no radiotherapy to L3 elsewhere",),
    )


def avoid_single(lesion_id: str = L3, site: str = "L3") -> Recommendation:
    return Recommendation(
        code="avoid", reason="8 Gy × 1 for cord compression with expected survival over 6 months", lesion=lesion_id,
        priority="preferred", summary=f"Avoid 8 Gy × 1 at {site}: expected survival over 6 months",
        rationale="SCORAD III: a single fraction only for very limited life expectancy.",
        regimens=(RegimenOut(dose_gy=8, fractions=1, bed10=14.4, role="avoid"),),
        rules=("mescc.avoid-single-fraction",), citations=(CITE,), evidence_status="reviewed",
    )


def pain_rt(lesion_id: str = RIB, site: str = "right rib") -> Recommendation:
    return Recommendation(
        code="ebrt-8gy-1fx", reason="uncomplicated-pain", lesion=lesion_id, priority="preferred",
        summary=f"8 Gy in 1 fraction to {site} for pain", rationale="Painful uncomplicated metastasis.",
        regimens=(RegimenOut(dose_gy=8, fractions=1, bed10=14.4, role="definitive"),),
        rules=("pain.single-fraction",), citations=(CITE,), evidence_status="needs-clinical-review",
    )


def evaluation(*, patient_id: str = "pt-hand", deceased: bool = False, lesions: tuple[Lesion, ...] | None = None,
               recommendations: tuple[Recommendation, ...] | None = None, gaps: tuple[DataGap, ...] | None = None,
               assumptions: tuple[Assumption, ...] | None = None) -> Evaluation:
    lesions = (lesion(not_recorded=True), lesion(RIB, "right rib", "rib")) if lesions is None else lesions
    recommendations = ((urgent_referral(), avoid_single(), pain_rt()) if recommendations is None
                       else recommendations)
    default_gaps = (DataGap(fact="performance-status", needed_for=("sbrt",), message="Document ECOG performance status",
                            status="stale", last_documented="2023-02-01"),
                    DataGap(fact="primary-histology", needed_for=("sib-imrt",), message="Document primary histology",
                            status="not-recognised"),
                    DataGap(fact="sins", lesion=L3, needed_for=("sbrt",), message="Document SINS for L3"))
    gaps = default_gaps if gaps is None else gaps
    assumptions = (Assumption(fact="prior-radiotherapy", lesion=L3, searched=("Procedure",),
                              confirm="no radiotherapy to L3 elsewhere", needed_for=("sbrt",)),
                   ) if assumptions is None else assumptions
    state = {
        "histology": fact("breast"), "ecog": fact(1), "kps": fact(80, "derived", method="from ECOG 1"),
        "expected_survival_months": fact(18.0, "derived", method="TEACHH group B"),
        "lesions": [
            {"id": L3, "site": "L3", "region": "spine", "cord_compression": fact(True), "bilsky_grade": fact("2"),
             "sins": {"name": "SINS", "minimum": 9, "maximum": 13, "missing": ["pain"], "origin": "derived"}},
            {"id": RIB, "site": "right rib", "region": "rib", "painful": fact(True)},
        ],
    }
    return Evaluation(
        patient=PatientSummary(id=patient_id, age=62, sex="female", deceased=True if deceased else None,
                               deceased_date="2026-10-01" if deceased else None),
        evaluated_at="2026-11-20T00:00:00Z", ruleset=RulesetInfo(version="test", sha256="0" * 64),
        state=state, lesions=lesions, recommendations=() if deceased else recommendations,
        data_gaps=gaps, warnings=(), assumptions=assumptions,
    )


def no_site_evaluation() -> Evaluation:
    only = lesion(NOSITE, "unspecified", "unspecified")
    return evaluation(lesions=(only,), recommendations=(), assumptions=(),
                      gaps=(DataGap(fact="lesion-site", lesion=NOSITE, needed_for=("sbrt",),
                                    message="Document skeletal region for the lesion with no documented site"),))
