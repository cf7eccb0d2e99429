"""Cord-dose and urgency properties on generated spinal lesions (hypothesis; issue "Clinical trust II").

6. No radiotherapy recommendation at a spinal lesion irradiated before (at or next to its levels)
   exceeds the cumulative cord tolerance the rules cite: a conventional regimen keeps the
   cumulative cord BED2 (α/β 2) within Nieder's 135.5 Gy with ≥ 6 months between courses; an SBRT
   re-irradiation needs ≥ 25 Gy of cord EQD2 under Sahgal's ~70 Gy and ≥ 5 months; SIB-IMRT is
   never given there. Without a documented previous dose nothing is given at all.
7. Every recommendation at a lesion compressing the cord or the cauda equina is urgent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cds import anatomy
from cds.derived_facts import derive
from cds.evaluation import evaluate_state
from cds.prior_radiotherapy import NIEDER_CUMULATIVE_BED2_GY, SAHGAL_CUMULATIVE_EQD2_GY
from cds.scores.bed import bed2
from cds.state import LesionState, Neurology, PatientState, RadiotherapyCourse, documented

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONVENTIONAL = frozenset({"ebrt-8gy-1fx", "ebrt-20gy-5fx", "ebrt-30gy-10fx", "prophylactic-rt"})
DOSES = [None, (8.0, 1), (20.0, 5), (30.0, 10), (40.0, 20), (24.0, 2)]


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy.map(lambda v: documented(v, "Observation/gen")))


def mostly(value: Any, *others: Any) -> st.SearchStrategy[Any]:
    """Usually documented as ``value`` (so that the rules can fire), sometimes otherwise or unknown."""
    return st.sampled_from([value] * 6 + [*others, None]).map(
        lambda v: None if v is None else documented(v, "Observation/gen"))


@st.composite
def irradiated_spine(draw: st.DrawFn) -> PatientState:
    """One spinal lesion; up to two earlier courses at its level or the next one, any dose, any interval."""
    start = draw(st.integers(1, len(anatomy.VERTEBRAE) - 3))
    levels = anatomy.VERTEBRAE[start:start + draw(st.integers(1, 2))]
    courses = []
    for i in range(draw(st.integers(1, 2))):
        offset = draw(st.sampled_from([0, 0, -1, 1]))
        index = min(max(start + offset if offset <= 0 else start + len(levels), 0), len(anatomy.VERTEBRAE) - 1)
        level = anatomy.VERTEBRAE[index]
        dose = draw(st.sampled_from(DOSES))
        courses.append(RadiotherapyCourse(
            id=f"Procedure/rt-{i}", status="completed",
            performed=date(2026, 11, 20) - timedelta(days=draw(st.sampled_from([10, 20, 40, 100, 150, 190, 400, 900]))),
            site=level, levels=(level,), total_dose_gy=dose[0] if dose else None, fractions=dose[1] if dose else None,
            stereotactic=dose == (24.0, 2), sources=(f"Procedure/rt-{i}",)))
    grade = draw(st.one_of(st.none(), st.sampled_from(["0", "1a", "1b", "1c", "2", "3"])))
    lesion = LesionState(
        id="Condition/met-0", sources=("Condition/met-0",), site=anatomy.level_range_label(levels), region="spine",
        levels=levels,
        sins_total=draw(mostly(3, 9, 14)),
        bilsky_grade=documented(grade, "Observation/bilsky") if grade else None,
        cord_compression=draw(mostly(False, True)),
        pathological_fracture=draw(mostly(False, True)),
        impending_fracture=draw(mostly(False, True)),
        pain_score=draw(mostly(6, 0)),
        planned_surgery=draw(mostly(False, True)),
        postoperative=draw(st.one_of(st.none(), st.just(documented(True, "Procedure/op")))),
    )
    return PatientState(
        patient_id="gen", as_of=AS_OF,
        histology=draw(maybe(st.sampled_from(["breast", "prostate", "lung-nsclc", "kidney", "myeloma"]))),
        histologically_confirmed=documented(True, "Condition/primary"),
        ecog=draw(mostly(1, 0, 2, 3)),
        expected_survival_months=draw(maybe(st.sampled_from([2.0, 4.0, 8.0, 30.0]))),
        bone_lesion_count=documented(1, "Observation/count"),
        metastatic_lesion_count=documented(draw(st.integers(1, 8)), "Observation/count"),
        restaging_imaging_age_days=documented(10, "ImagingStudy/ct"),
        medically_operable=draw(mostly(True, False)),
        primary_controlled=draw(maybe(st.booleans())),
        neurology=Neurology(neurological_deficit=draw(mostly(False, True)),
                            ambulatory=draw(maybe(st.booleans()))),
        lesions=(lesion,),
        radiotherapy_courses=tuple(courses),
    )


@SETTINGS
@given(state=irradiated_spine())
def test_no_recommendation_exceeds_the_cumulative_cord_tolerance_and_compression_is_always_urgent(
        state: PatientState) -> None:
    derived_state = derive(state)
    lesion = derived_state.lesions[0]
    evaluation = evaluate_state(derived_state)
    recs = evaluation.recommendations_for(lesion.id)
    prior = lesion.prior_rt
    assert prior is not None and prior.at_site.value, "every generated course is at or next to the lesion"
    if any(r.code in CONVENTIONAL | {"sbrt"} for r in recs):
        event("an RT recommendation at a previously irradiated level")
    for rec in recs:
        regimens = [r for r in rec.regimens if r.role != "avoid"]
        if rec.code in CONVENTIONAL or (rec.code == "surgical-referral" and regimens and all(
                r.dose_gy / r.fractions < 5 for r in regimens)):
            for regimen in regimens:
                assert prior.cord_bed2 is not None, (rec.rules, "no documented previous cord dose")
                total = prior.cord_bed2 + bed2(regimen.dose_gy, regimen.fractions)
                assert total <= NIEDER_CUMULATIVE_BED2_GY + 0.05, (rec.rules, regimen, prior.cord_bed2, total)
                assert prior.interval_months is not None and prior.interval_months >= 6, (rec.rules, prior)
        if rec.code == "sbrt":
            assert prior.cord_eqd2 is not None, (rec.rules, "SBRT without a cord-dose check")
            assert SAHGAL_CUMULATIVE_EQD2_GY - prior.cord_eqd2 >= 25, (rec.rules, prior.cord_eqd2)
            assert prior.interval_months is not None and prior.interval_months >= 5, (rec.rules, prior)
        assert rec.code != "sib-imrt", rec.rules
    compressed = any(f is not None and f.value for f in (lesion.cord_compression, lesion.cauda_equina_only))
    if compressed:  # property 7
        assert all(r.priority == "urgent" for r in recs), [(r.code, r.priority, r.rules) for r in recs]
