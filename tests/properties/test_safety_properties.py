"""Safety properties on generated clinical states (hypothesis).

1. A lesion with SINS ≥ 13, high-grade ESCC without decompression, a fracture or MESCC never
   receives SBRT or SIB-IMRT, and is never eligible for them.
2. An unknown criterion never yields `eligible`.
3. Documenting a missing fact never changes a verdict except through a criterion that reads it.
4. durable_rules and the Python oracle agree on every generated state.
5. The safety check never has to intervene (the rules themselves respect the precedence).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds import anatomy
from cds.derived_facts import derive
from cds.evaluation import evaluate_state
from cds.rule_facts import RANGE_FACTS, RuleFacts
from cds.rules_engine import conditions as cond
from cds.rules_engine.loader import default_ruleset
from cds.rules_engine.runner import OracleRunner, durable_runner
from cds.safety import unsafe_reasons
from cds.state import (
    LesionState,
    Neurology,
    PatientState,
    PriorRadiotherapyAtSite,
    RadiotherapyCourse,
    documented,
)

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HISTOLOGIES = ["breast", "prostate", "lung", "lung-nsclc", "lung-sclc", "kidney", "melanoma", "thyroid",
               "colorectal", "myeloma", "lymphoma", "ovary", "unknown"]
BONES = ["right acetabulum", "left femoral neck", "left femoral shaft", "humerus", "right rib", "left ilium",
         "left scapula", "cranium"]
SINS = {"location": ["junctional", "mobile", "semi-rigid", "rigid"], "pain": ["mechanical", "occasional", "pain-free"],
        "bone_lesion": ["lytic", "mixed", "blastic"], "alignment": ["subluxation", "deformity", "normal"],
        "collapse": ["collapse-50-or-more", "collapse-under-50", "no-collapse-over-50-involved", "none"],
        "posterolateral": ["bilateral", "unilateral", "none"]}
MIRELS = {"pain": ["mild", "moderate", "functional"], "lesion": ["blastic", "mixed", "lytic"],
          "size": ["under-one-third", "one-to-two-thirds", "over-two-thirds"]}


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A documented value or nothing (unknown)."""
    return st.one_of(st.none(), strategy.map(lambda v: documented(v, "Observation/gen")))


@st.composite
def lesions(draw: st.DrawFn, index: int) -> LesionState:
    kind = draw(st.sampled_from(["spine", "spine", "bone", "unspecified"]))
    common: dict[str, Any] = {
        "id": f"Condition/met-{index}",
        "sources": (f"Condition/met-{index}",),
        "pathological_fracture": draw(maybe(st.booleans())),
        "impending_fracture": draw(maybe(st.booleans())),
        "lesion_type": draw(maybe(st.sampled_from(["lytic", "mixed", "blastic"]))),
        "size_cm": draw(maybe(st.integers(5, 80).map(lambda x: x / 10))),
        "pain_score": draw(maybe(st.integers(0, 10))),
        "posterior_elements": draw(maybe(st.booleans())),
        "planned_surgery": draw(maybe(st.booleans())),
        "postoperative": draw(st.one_of(st.none(), st.just(documented(True, "Procedure/op")))),
        "contiguous_compartments": draw(maybe(st.integers(1, 4))),
    }
    if kind == "spine":
        start = draw(st.integers(0, len(anatomy.VERTEBRAE) - 4))
        levels = anatomy.VERTEBRAE[start:start + draw(st.integers(1, 4))]
        components = {name: documented(draw(st.sampled_from(values)), "Observation/sins")
                      for name, values in SINS.items() if draw(st.booleans())}
        return LesionState(
            **common, site=anatomy.level_range_label(levels), region="spine", levels=levels,
            sins_total=draw(maybe(st.integers(0, 18))) if not components else None,
            sins_components=components,
            bilsky_grade=draw(maybe(st.sampled_from(["0", "1a", "1b", "1c", "2", "3"]))),
            cord_compression=draw(maybe(st.booleans())),
        )
    if kind == "bone":
        bone = draw(st.sampled_from(BONES))
        components = {name: documented(draw(st.sampled_from(values)), "Observation/mirels")
                      for name, values in MIRELS.items() if draw(st.booleans())}
        return LesionState(**common, site=bone, region=anatomy.region_of_bone(bone), bone=bone,
                           laterality=anatomy.laterality(bone), mirels_components=components)
    return LesionState(**common)


@st.composite
def states(draw: st.DrawFn) -> PatientState:
    count = draw(st.integers(1, 3))
    prior: tuple[RadiotherapyCourse, ...] = ()
    if draw(st.booleans()):
        level = draw(st.sampled_from(anatomy.VERTEBRAE[:20]))
        dose = draw(st.sampled_from([None, (8.0, 1), (20.0, 5), (30.0, 10), (24.0, 2)]))
        performed = date(2026, 11, 20) - timedelta(days=draw(st.integers(30, 900)))
        prior = (RadiotherapyCourse(
            id="Procedure/rt", status="completed", performed=performed,
            site=level, levels=(level,), total_dose_gy=dose[0] if dose else None, fractions=dose[1] if dose else None,
            stereotactic=dose == (24.0, 2), sources=("Procedure/rt",)),)
    bone = draw(st.integers(1, 12))
    lesion_list = [draw(lesions(i)) for i in range(count)]
    for i, lesion in enumerate(lesion_list):
        if draw(st.booleans()):
            lesion_list[i] = lesion.model_copy(update={"prior_rt": PriorRadiotherapyAtSite(
                at_site=documented(False, "Observation/no-rt"))})
    return PatientState(
        patient_id="gen",
        as_of=AS_OF,
        age=draw(maybe(st.integers(30, 90))),
        sex=draw(maybe(st.sampled_from(["female", "male"]))),
        histology=draw(maybe(st.sampled_from(HISTOLOGIES))),
        histologically_confirmed=draw(maybe(st.booleans())),
        primary_diagnosis_date=draw(maybe(st.dates(date(2010, 1, 1), date(2026, 10, 1)))),
        ecog=draw(maybe(st.integers(0, 4))),
        kps=draw(maybe(st.sampled_from([40, 50, 60, 70, 80, 90]))),
        expected_survival_months=draw(maybe(st.sampled_from([1.0, 2.9, 3.0, 5.9, 6.0, 11.9, 12.0, 30.0]))),
        bone_lesion_count=draw(maybe(st.just(bone))),
        metastatic_lesion_count=draw(maybe(st.integers(bone, bone + 6))),
        disease_status=draw(maybe(st.sampled_from(["progressing", "stable", "improving"]))),
        active_systemic_therapy=draw(maybe(st.booleans())),
        restaging_imaging_age_days=draw(maybe(st.integers(1, 90))),
        medically_operable=draw(maybe(st.booleans())),
        primary_controlled=draw(maybe(st.booleans())),
        history_polymetastatic=draw(maybe(st.booleans())),
        history_treated_omd=draw(maybe(st.booleans())),
        any_prior_radiotherapy=documented(False, "Observation/no-rt") if not prior and draw(st.booleans()) else None,
        neurology=Neurology(
            neurological_deficit=draw(maybe(st.booleans())),
            ambulatory=draw(maybe(st.booleans())),
            paraplegia_hours=draw(maybe(st.sampled_from([12.0, 47.0, 49.0, 100.0]))),
            motor_deficit_days=draw(maybe(st.sampled_from([1.0, 5.0, 10.0, 20.0]))),
        ),
        lesions=tuple(lesion_list),
        radiotherapy_courses=prior,
    )


def _surgical_problem(lesion: LesionState) -> bool:
    return bool(unsafe_reasons(lesion))


@SETTINGS
@given(state=states())
def test_safety_precedence_engine_oracle_agreement_and_unknown_never_eligible(state: PatientState) -> None:
    derived_state = derive(state)
    evaluation = evaluate_state(derived_state, engine="durable")
    oracle = evaluate_state(derived_state, engine="python")
    durable_dict, oracle_dict = evaluation.to_dict(), oracle.to_dict()
    durable_dict.pop("ruleset"), oracle_dict.pop("ruleset")
    assert durable_dict == oracle_dict  # property 4

    assert not any("safety precedence" in w.message or "rule conflict" in w.message
                   for w in evaluation.warnings)  # property 5
    for lesion in derived_state.lesions:
        out = evaluation.lesion(lesion.id)
        for verdict in out.eligibility.values():  # property 2
            if any(c.status == "unknown" for c in verdict.criteria):
                assert verdict.status != "eligible"
        if _surgical_problem(lesion):  # property 1
            codes = {r.code for r in evaluation.recommendations_for(lesion.id)}
            assert not codes & {"sbrt", "sib-imrt"}, (lesion.site, unsafe_reasons(lesion), codes)
            assert out.eligibility["sbrt"].status != "eligible"
            assert out.eligibility["sib-imrt"].status != "eligible"


# --- property 3, on the rule facts themselves --------------------------------------------------

def _values_for(name: str) -> st.SearchStrategy[Any]:
    import typing

    annotation = RuleFacts.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    arg = args[0]
    if typing.get_origin(arg) is typing.Literal:
        return st.sampled_from(typing.get_args(arg))
    if arg is bool:
        return st.booleans()
    if arg is int:
        return st.integers(0, 20)
    if arg is float:
        return st.integers(0, 400).map(lambda x: x / 4)
    return st.sampled_from(["femur", "acetabulum", "rib", "humerus"])


STORAGE = {n for pair in RANGE_FACTS.values() for n in pair}
SCALARS = sorted(n for n in RuleFacts.model_fields if n not in STORAGE and not n.startswith(("eligibility_",
                                                                                           "recommended_")))


@st.composite
def fact_records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name in SCALARS:
        if draw(st.integers(0, 2)):
            record[name] = draw(_values_for(name))
    for lo, hi in RANGE_FACTS.values():
        if draw(st.booleans()):
            record[lo] = draw(st.integers(0, 14))
            if draw(st.integers(0, 3)):
                record[hi] = record[lo] + draw(st.integers(0, 4))
    return record


def _documented_facts(node: cond.Node) -> set[str]:
    """Facts read under `documented:`, where 'not documented' is read as false by design."""
    if isinstance(node, cond.Documented):
        return set(cond.facts_read(node.item))
    if isinstance(node, cond.All | cond.Any_):
        return set().union(*(_documented_facts(item) for item in node.items))
    if isinstance(node, cond.Not):
        return _documented_facts(node.item)
    return set()


def _reads(criterion: Any) -> set[str]:
    names = set(cond.facts_read(criterion.condition))
    return names | {part for name in names if name in RANGE_FACTS for part in RANGE_FACTS[name]}


@SETTINGS
@given(record=fact_records(), data=st.data())
def test_documenting_a_missing_fact_changes_only_criteria_that_read_it(record: dict[str, Any],
                                                                       data: st.DataObject) -> None:
    ruleset = default_ruleset()
    missing = [n for n in SCALARS if n not in record]
    if not missing:
        return
    name = data.draw(st.sampled_from(missing))
    extended = {**record, name: data.draw(_values_for(name))}
    runner = durable_runner(ruleset)
    before, after = runner.criteria(record), runner.criteria(extended)
    assert before == OracleRunner(ruleset).criteria(record)
    for assessment in ruleset.assessments:
        for criterion in assessment.criteria:
            if name not in _reads(criterion):
                assert before[criterion.key] == after[criterion.key], (criterion.key, name)
            elif before[criterion.key] is not None and name not in _documented_facts(criterion.condition):
                # a decided criterion stays decided: documenting more never undoes a met/not-met
                # (except under `documented:`, which reads "not recorded" as "no" on purpose)
                assert before[criterion.key] == after[criterion.key], (criterion.key, name)
