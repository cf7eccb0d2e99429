"""Derived facts: what follows from the documented state, labelled with method and inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cds.derived_facts import derive
from cds.state import LesionState, Neurology, PatientState, derived, documented

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def state(**kwargs: object) -> PatientState:
    return PatientState(patient_id="p", as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


def spine(levels: tuple[str, ...] = ("T8",), **kwargs: object) -> LesionState:
    return LesionState(id="Condition/m", site="–".join(levels), region="spine", levels=levels,
                       sources=("Condition/m",), **kwargs)  # type: ignore[arg-type]


def test_ecog_is_derived_from_kps_and_labelled() -> None:
    out = derive(state(kps=documented(60, "Observation/kps")))
    assert out.ecog is not None and out.ecog.value == 2
    assert out.ecog.origin == "derived" and out.ecog.inputs == {"kps": 60}
    assert out.ecog.sources == ("Observation/kps",)


def test_documented_ecog_is_never_overwritten() -> None:
    out = derive(state(ecog=documented(1, "Observation/ecog"), kps=documented(40, "Observation/kps")))
    assert out.ecog.value == 1 and out.ecog.origin == "documented"  # type: ignore[union-attr]


def test_documented_survival_drives_the_band() -> None:
    out = derive(state(expected_survival_months=documented(8.0, "Observation/s")))
    assert out.survival_band.value == "intermediate"  # type: ignore[union-attr]
    assert out.expected_survival_months.origin == "documented"  # type: ignore[union-attr]


def test_survival_is_estimated_by_a_named_model_when_not_documented() -> None:
    out = derive(state(histology=documented("breast", "Condition/p"), kps=documented(90, "Observation/k"),
                       bone_lesion_count=documented(2, "Observation/b"),
                       metastatic_lesion_count=documented(2, "Observation/m")))
    fact = out.expected_survival_months
    assert fact is not None and fact.origin == "derived"
    assert "Chow" in (fact.method or "") or "TEACHH" in (fact.method or "")
    assert {e.model for e in out.survival_estimates} >= {"teachh", "chow"}


def test_no_estimate_when_the_models_cannot_decide() -> None:
    out = derive(state())
    assert out.expected_survival_months is None and out.survival_band is None


def test_sins_location_is_derived_from_the_level_and_the_range_is_reported() -> None:
    lesion = spine(("L1",), sins_components={"pain": documented("mechanical", "Observation/s")})
    out = derive(state(lesions=(lesion,))).lesions[0]
    assert out.sins is not None
    assert out.sins.components["location"] == "junctional"
    assert out.sins.total is None and out.sins.minimum == 6 and out.sins.maximum == 18
    assert "location 'junctional' derived from the level" in (out.sins.note or "")


def test_bilsky_grade_decides_cord_compression_and_distance_to_the_cord() -> None:
    high = derive(state(lesions=(spine(bilsky_grade=documented("2", "Observation/b")),))).lesions[0]
    low = derive(state(lesions=(spine(bilsky_grade=documented("1b", "Observation/b")),))).lesions[0]
    zero = derive(state(lesions=(spine(bilsky_grade=documented("0", "Observation/b")),))).lesions[0]
    assert high.cord_compression.value is True and low.cord_compression.value is False  # type: ignore[union-attr]
    assert high.cord_compression.origin == "derived"  # type: ignore[union-attr]
    assert low.near_cord.value is True  # type: ignore[union-attr]
    assert zero.near_cord is None  # grade 0 does not tell the distance to the cord


def test_compression_below_the_conus_is_cauda_equina_only() -> None:
    cord = derive(state(lesions=(spine(("T12", "L1"), cord_compression=documented(True, "Condition/c")),)))
    cauda = derive(state(lesions=(spine(("L3",), cord_compression=documented(True, "Condition/c")),)))
    assert cord.lesions[0].cauda_equina_only.value is False  # type: ignore[union-attr]
    assert cauda.lesions[0].cauda_equina_only.value is True  # type: ignore[union-attr]


def test_compression_areas_are_counted_when_every_spinal_lesion_is_known() -> None:
    a = spine(("T4",), cord_compression=documented(True, "Condition/c"))
    b = LesionState(id="Condition/n", site="T9", region="spine", levels=("T9",),
                    cord_compression=documented(True, "Condition/c2"))
    two = derive(state(lesions=(a, b)))
    assert {lesion.compression_areas.value for lesion in two.lesions} == {2}  # type: ignore[union-attr]
    unknown_other = LesionState(id="Condition/o", site="L2", region="spine", levels=("L2",))
    partial = derive(state(lesions=(a, unknown_other)))
    assert partial.lesions[0].compression_areas is None


def test_vertebral_collapse_is_a_pathological_fracture() -> None:
    collapsed = spine(sins_components={"collapse": documented("collapse-under-50", "Observation/s")})
    intact = spine(sins_components={"collapse": documented("none", "Observation/s")})
    assert derive(state(lesions=(collapsed,))).lesions[0].pathological_fracture.value is True  # type: ignore[union-attr]
    assert derive(state(lesions=(intact,))).lesions[0].pathological_fracture.value is False  # type: ignore[union-attr]


def test_non_spinal_lesions_have_no_cord_compression() -> None:
    rib = LesionState(id="Condition/r", site="right rib", region="rib", bone="right rib")
    out = derive(state(lesions=(rib,))).lesions[0]
    assert out.cord_compression.value is False and out.cord_compression.origin == "derived"  # type: ignore[union-attr]
    assert out.contiguous_compartments.value == 1  # type: ignore[union-attr]


def test_oligometastatic_from_documented_counts_and_polymetastatic_from_a_lower_bound() -> None:
    oligo = derive(state(metastatic_lesion_count=documented(3, "Observation/m")))
    assert oligo.oligometastatic.value is True  # type: ignore[union-attr]
    lower = derived(7, "lower bound: counted from 7 metastasis Conditions", inputs={"lower_bound": True})
    poly = derive(state(metastatic_lesion_count=lower))
    assert poly.polymetastatic.value is True  # type: ignore[union-attr]
    unsure = derive(state(metastatic_lesion_count=derived(3, "lower bound", inputs={"lower_bound": True})))
    assert unsure.oligometastatic is None  # at least 3 does not prove 5 or fewer


def test_omd_class_follows_the_estro_eortc_tree() -> None:
    out = derive(state(metastatic_lesion_count=documented(2, "Observation/m"),
                       history_polymetastatic=documented(False, "Observation/h"),
                       history_treated_omd=documented(False, "Observation/h2"),
                       primary_diagnosis_date=documented(date(2020, 1, 1), "Condition/p"),
                       metastases_diagnosed=documented(date(2024, 6, 1), "Condition/m"),
                       active_systemic_therapy=documented(False, "Observation/t")))
    assert out.omd_class is not None and out.omd_class.value == "de-novo metachronous oligorecurrence"
    # without the date the metastases were diagnosed, synchronous vs metachronous is not decided
    undated = derive(state(metastatic_lesion_count=documented(2, "Observation/m"),
                           history_polymetastatic=documented(False, "Observation/h"),
                           history_treated_omd=documented(False, "Observation/h2"),
                           primary_diagnosis_date=documented(date(2020, 1, 1), "Condition/p")))
    assert undated.omd_class is None


def test_painful_from_the_pain_score_or_the_sins_pain_component() -> None:
    scored = spine(pain_score=documented(0, "Observation/p"))
    sins = spine(sins_components={"pain": documented("occasional", "Observation/s")})
    assert derive(state(lesions=(scored,))).lesions[0].painful.value is False  # type: ignore[union-attr]
    assert derive(state(lesions=(sins,))).lesions[0].painful.value is True  # type: ignore[union-attr]


def test_rades_score_is_computed_for_cord_compression() -> None:
    lesion = spine(cord_compression=documented(True, "Condition/c"))
    out = derive(state(histology=documented("breast", "Condition/p"), lesions=(lesion,),
                       neurology=Neurology(ambulatory=documented(True, "Observation/a"))))
    assert "rades" in {e.model for e in out.survival_estimates}


def femur(bone: str = "left femur", **kwargs: object) -> LesionState:
    return LesionState(id="Condition/f", site=bone, region="long-bone", bone=bone, sources=("Condition/f",),
                       **kwargs)  # type: ignore[arg-type]


def test_a_bare_femur_leaves_the_mirels_site_open() -> None:
    components = {"pain": documented("moderate", "O/m"), "lesion": documented("mixed", "O/m"),
                  "size": documented("one-to-two-thirds", "O/m")}
    bare = derive(state(lesions=(femur(mirels_components=components),))).lesions[0].mirels
    assert bare is not None and (bare.total, bare.minimum, bare.maximum) == (None, 8, 9)
    assert bare.missing == ("site",) and "not specified" in (bare.note or "")
    shaft = derive(state(lesions=(femur("left femoral shaft", mirels_components=components),))).lesions[0].mirels
    assert shaft is not None and (shaft.total, shaft.band) == (8, "borderline")
    neck = derive(state(lesions=(femur("left femoral neck", mirels_components=components),))).lesions[0].mirels
    assert neck is not None and (neck.total, neck.band) == (9, "high-risk")


def test_mirels_mild_pain_does_not_make_a_lesion_painful() -> None:
    mild = femur(mirels_components={"pain": documented("mild", "O/m")})
    assert derive(state(lesions=(mild,))).lesions[0].painful is None
    functional = femur(mirels_components={"pain": documented("functional", "O/m")})
    assert derive(state(lesions=(functional,))).lesions[0].painful.value is True  # type: ignore[union-attr]


def test_chow_group_c_on_the_three_month_threshold_derives_no_survival_and_warns() -> None:
    out = derive(state(histology=documented("prostate", "Condition/p"), kps=documented(50, "Observation/k"),
                       visceral_metastases=documented(True, "Condition/v")))
    chow = next(e for e in out.survival_estimates if e.model == "chow")
    assert (chow.group, chow.median_months, chow.band) == ("C", 3.0, None)
    assert out.expected_survival_months is None and out.survival_band is None
    assert any("Chow group C" in w.message and "threshold" in w.message for w in out.warnings)
