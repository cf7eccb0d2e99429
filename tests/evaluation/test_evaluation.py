"""Evaluation internals: data gaps, merging, demotion, caveats, the safety check, the contract."""

from __future__ import annotations

from datetime import UTC, datetime

from cds import safety
from cds.derived_facts import derive
from cds.evaluation import evaluate_state, merge_duplicates
from cds.output import Citation, Recommendation
from cds.state import LesionState, PatientState, documented

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def evaluate(**kwargs: object) -> object:
    return evaluate_state(derive(PatientState(patient_id="p", as_of=AS_OF, **kwargs)))  # type: ignore[arg-type]


def rec(code: str, reason: str, priority: str, rule: str, rationale: str = "r") -> Recommendation:
    return Recommendation(code=code, reason=reason, lesion="Condition/m", priority=priority,  # type: ignore[arg-type]
                          summary="s", rationale=rationale, rules=(rule,), evidence_status="reviewed",
                          citations=(Citation(key="k", label="K"),))


def test_a_patient_without_bone_metastasis_is_reported_not_failed() -> None:
    out = evaluate()
    assert out.lesions == () and out.recommendations == ()  # type: ignore[attr-defined]
    assert any("no bone metastasis" in w.message for w in out.warnings)  # type: ignore[attr-defined]


def test_gaps_name_missing_facts_with_how_to_document_and_patient_level_gaps_have_no_lesion() -> None:
    out = evaluate(lesions=(LesionState(id="Condition/m", site="T8", region="spine", levels=("T8",)),))
    gaps = {(g.fact, g.lesion): g for g in out.data_gaps}  # type: ignore[attr-defined]
    assert ("sins", "Condition/m") in gaps
    assert ("performance-status", None) in gaps
    assert gaps[("performance-status", None)].how_to_document
    assert gaps[("sins", "Condition/m")].message == "Document SINS for T8"


def test_no_gaps_for_an_assessment_that_is_already_ineligible() -> None:
    rib = LesionState(id="Condition/r", site="right rib", region="rib", bone="right rib")
    out = evaluate(histology=documented("prostate", "Condition/p"), lesions=(rib,))
    sib = out.lesion("Condition/r").eligibility["sib-imrt"]  # type: ignore[attr-defined]
    assert sib.status == "ineligible"
    assert not any("sib-imrt" in g.needed_for and g.fact == "restaging-imaging"
                   for g in out.data_gaps)  # type: ignore[attr-defined]


def test_duplicates_merge_into_one_recommendation_with_both_rules() -> None:
    merged = merge_duplicates([rec("sbrt", "postoperative", "alternative", "a", "one."),
                               rec("sbrt", "postoperative", "preferred", "b", "two.")])
    (only,) = merged
    assert only.priority == "preferred" and only.rules == ("b", "a") and "one." in only.rationale


def test_safety_check_withholds_ablative_rt_at_an_unstable_lesion() -> None:
    lesion = LesionState(id="Condition/m", site="T8", region="spine", levels=("T8",),
                         cord_compression=documented(True, "Condition/c"))
    state = PatientState(patient_id="p", as_of=AS_OF, lesions=(lesion,))
    kept, _, warnings = safety.enforce(state, [], [rec("sbrt", "spine-painful", "preferred", "x")])
    assert kept == [] and "safety precedence withheld sbrt" in warnings[0].message
    operated = lesion.model_copy(update={"postoperative": documented(True, "Procedure/op")})
    state = state.model_copy(update={"lesions": (operated,)})
    kept, _, warnings = safety.enforce(state, [], [rec("sbrt", "postoperative", "preferred", "x")])
    assert len(kept) == 1 and not warnings
