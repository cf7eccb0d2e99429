"""The facts the rules can read: one flat record per lesion, built from the clinical state.

This is the rules' whole world: they never see FHIR. Each field is documented with a label
(used in rationales and data gaps) and, where the fact can be documented in the record, the
data-gap key and how to document it. A field that is unknown is *absent* from the record
(``exclude_none``), which the engine reads as unknown.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cds.state import (
    BilskyGrade,
    CorticalInvolvement,
    DiseaseStatus,
    Histology,
    LesionType,
    MirelsBand,
    Radiosensitivity,
    Region,
    SinsBand,
    SurvivalBand,
)

Verdict = Literal["eligible", "ineligible", "undetermined"]


def fact(label: str, gap: str | None = None, how: str | None = None) -> Any:
    """A rule-visible fact. ``gap`` is the data-gap key; ``how`` says how to document it."""
    extra: dict[str, Any] = {"label": label}
    if gap:
        extra["gap"] = gap
    if how:
        extra["how"] = how
    return Field(default=None, description=label, json_schema_extra=extra)


class RuleFacts(BaseModel):
    """What the rules know about one lesion of one patient."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- patient ------------------------------------------------------------------------
    age: int | None = fact("age in years", "age", "Patient.birthDate")
    sex: str | None = fact("sex", "sex", "Patient.gender")
    histology: Histology | None = fact(
        "primary histology", "histology", "primary cancer Condition with an ICD-10-CM or SNOMED CT code")
    radiosensitivity: Radiosensitivity | None = fact(
        "radiosensitivity of the histology (NOMS)", "histology", "primary cancer Condition with a specific code")
    histologically_confirmed: bool | None = fact(
        "histological confirmation", "histological-confirmation",
        "Condition.verificationStatus = confirmed, or a pathology DiagnosticReport")
    ecog: int | None = fact("ECOG performance status", "performance-status", "LOINC 89247-1 (ECOG)")
    ecog_derived: bool | None = fact("ECOG derived from KPS")
    kps: int | None = fact("Karnofsky performance status", "performance-status", "LOINC 89243-0 (KPS)")
    kps_60_or_less: bool | None = fact("KPS ≤ 60", "performance-status", "LOINC 89243-0 (KPS)")
    expected_survival_months: float | None = fact(
        "expected survival (months)", "expected-survival",
        "LOINC 75327-7 or LOCAL estimated-survival, or the TEACHH/Chow inputs")
    survival_band: SurvivalBand | None = fact(
        "expected survival band", "expected-survival",
        "LOINC 75327-7 or LOCAL estimated-survival, or the TEACHH/Chow inputs")
    survival_documented: bool | None = fact("expected survival documented by a clinician")
    expected_survival_range_min: float | None = fact(
        "expected survival for an ablative decision, lowest possible (months)", "expected-survival",
        "LOINC 75327-7 or LOCAL estimated-survival (the clinician's estimate)")
    expected_survival_range_max: float | None = fact(
        "expected survival for an ablative decision, highest possible (months)", "expected-survival",
        "LOINC 75327-7 or LOCAL estimated-survival (the clinician's estimate)")
    rades_group: Literal["poor-intermediate", "favourable"] | None = fact(
        "Rades MESCC survival group (≤ 35 / > 35 points)", "rades-inputs",
        "the Rades inputs: primary, months from diagnosis to MESCC, other bone and visceral metastases, "
        "ambulatory status, days developing motor deficits")
    bone_lesion_count_min: int | None = fact(
        "number of bone metastases (lowest possible)", "bone-lesion-count",
        "LOCAL bone-lesion-count from the latest imaging")
    bone_lesion_count_max: int | None = fact(
        "number of bone metastases (highest possible)", "bone-lesion-count",
        "LOCAL bone-lesion-count from the latest imaging")
    bone_lesions_needing_rt: int | None = fact(
        "number of bone lesions requiring RT", "bone-lesions-requiring-rt",
        "LOCAL bone-lesions-requiring-rt (valueInteger)")
    metastatic_lesion_count_min: int | None = fact(
        "number of metastatic lesions at all sites (lowest possible)", "metastatic-lesion-count",
        "LOCAL metastatic-lesion-count from the latest imaging")
    metastatic_lesion_count_max: int | None = fact(
        "number of metastatic lesions at all sites (highest possible)", "metastatic-lesion-count",
        "LOCAL metastatic-lesion-count from the latest imaging")
    oligometastatic: bool | None = fact(
        "oligometastatic disease (1–5 lesions, ESTRO-ASTRO)", "metastatic-lesion-count",
        "LOCAL metastatic-lesion-count from the latest imaging")
    polymetastatic: bool | None = fact(
        "polymetastatic disease (> 5 lesions)", "metastatic-lesion-count",
        "LOCAL metastatic-lesion-count from the latest imaging")
    visceral_metastases: bool | None = fact(
        "visceral metastases", "visceral-metastases",
        "metastasis Conditions (C78.*, C79.x) or equal bone and total lesion counts")
    bone_only_disease: bool | None = fact(
        "metastases confined to bone", "visceral-metastases", "LOCAL bone-lesion-count and metastatic-lesion-count")
    disease_status: DiseaseStatus | None = fact("disease status", "disease-status", "LOINC 97509-4")
    active_systemic_therapy: bool | None = fact(
        "on active systemic therapy", "systemic-therapy",
        "LOCAL on-active-systemic-therapy or an active cancer MedicationRequest")
    restaging_imaging_age_days: int | None = fact(
        "days since the latest restaging CT/PET-CT/MRI", "restaging-imaging",
        "ImagingStudy.started or a radiology DiagnosticReport")
    medically_operable: bool | None = fact("medically operable", "medically-operable", "LOCAL medically-operable")
    primary_controlled: bool | None = fact("primary tumour controlled", "primary-controlled", "LOCAL primary-controlled")
    neurological_deficit: bool | None = fact(
        "neurological signs or symptoms", "neurological-status", "LOCAL neurological-deficit")
    ambulatory: bool | None = fact("ambulatory", "neurological-status", "LOCAL ambulatory")
    paraplegic: bool | None = fact("paraplegic", "neurological-status", "paraplegia Condition (SNOMED 60389000) or LOCAL ambulatory")
    paraplegia_hours: float | None = fact("hours of paraplegia", "paraplegia-onset", "paraplegia Condition onsetDateTime")
    motor_deficit_days: float | None = fact("days developing motor deficits", "motor-deficit-onset", "LOCAL motor-deficit-onset")
    omd_class: str | None = fact("ESTRO/EORTC oligometastatic class")

    # --- lesion -------------------------------------------------------------------------
    region: Region | None = fact("skeletal region", "lesion-site", "Condition.bodySite of the bone metastasis")
    bone: str | None = fact("bone", "lesion-site", "Condition.bodySite of the bone metastasis")
    level_count: int | None = fact("number of vertebral levels", "lesion-site", "Condition.bodySite vertebra codes")
    sins_min: int | None = fact("lowest possible SINS", "sins", "LOCAL sins (total or all six components)")
    sins_max: int | None = fact("highest possible SINS", "sins", "LOCAL sins (total or all six components)")
    sins_band: SinsBand | None = fact("SINS band", "sins", "LOCAL sins (total or all six components)")
    bilsky_grade: BilskyGrade | None = fact("Bilsky ESCC grade", "bilsky-grade", "LOCAL bilsky-grade")
    escc_high_grade: bool | None = fact("high-grade ESCC (Bilsky 2–3)", "bilsky-grade", "LOCAL bilsky-grade")
    cord_compression: bool | None = fact(
        "metastatic epidural spinal cord compression", "cord-compression",
        "compression Condition (SNOMED 71286001) or LOCAL mescc, or a Bilsky grade")
    cauda_equina_only: bool | None = fact("cauda equina or root compression only", "cord-compression",
                                          "cauda equina Condition (SNOMED 192970008)")
    compression_areas: int | None = fact("number of separate compression areas", "cord-compression",
                                         "compression Condition bodySite levels")
    pathological_fracture: bool | None = fact(
        "pathological fracture", "pathological-fracture",
        "fracture Condition (SNOMED 268029009) or LOCAL pathological-fracture")
    impending_fracture: bool | None = fact("impending fracture", "impending-fracture", "LOCAL impending-fracture")
    mirels_min: int | None = fact("lowest possible Mirels score", "mirels", "LOCAL mirels (total or all four components)")
    mirels_max: int | None = fact("highest possible Mirels score", "mirels", "LOCAL mirels (total or all four components)")
    mirels_band: MirelsBand | None = fact("Mirels band", "mirels", "LOCAL mirels (total or all four components)")
    lesion_type: LesionType | None = fact("lesion type", "lesion-type", "LOCAL lesion-type")
    size_cm: float | None = fact("lesion size (cm)", "lesion-size", "LOCAL lesion-size")
    cortical_involvement: CorticalInvolvement | None = fact(
        "cortical involvement", "cortical-involvement", "LOCAL cortical-involvement")
    pain_score: int | None = fact("pain score (0–10)", "pain", "LOINC 72514-3 with focus on the lesion")
    painful: bool | None = fact("painful lesion", "pain", "LOINC 72514-3 with focus on the lesion, or SINS pain")
    posterior_elements: bool | None = fact(
        "posterior element involvement", "posterior-elements", "LOCAL posterior-element-involvement")
    extraosseous_extension: bool | None = fact(
        "extraosseous extension", "extraosseous-extension", "LOCAL extraosseous-extension")
    neuropathic_pain: bool | None = fact(
        "neuropathic pain from the lesion", "neuropathic-pain", "LOCAL neuropathic-pain with focus on the lesion")
    surgeon_judged_stable: bool | None = fact(
        "spine judged stable by a spine surgeon", "spine-stability-per-surgeon",
        "LOCAL spine-stable-per-surgeon with focus on the lesion")
    surgery_declined: bool | None = fact(
        "surgery at the site declined or not possible", "surgery-declined",
        "LOCAL surgery-declined with focus on the lesion")
    contiguous_compartments: int | None = fact(
        "contiguous bone compartments to treat", "contiguous-compartments", "LOCAL contiguous-compartments")
    planned_surgery: bool | None = fact("surgery scheduled at the site", "planned-surgery",
                                        "LOCAL planned-surgery, or a surgical ServiceRequest at the site")
    postoperative: bool | None = fact("surgery already done at the site", "postoperative",
                                      "a completed surgical Procedure at the site")
    prior_rt_at_site: bool | None = fact(
        "previous radiotherapy at the site", "prior-radiotherapy",
        "radiotherapy Procedures with bodySite, or LOCAL prior-radiotherapy = false")
    prior_rt_dose_known: bool | None = fact("previous dose at the site known")
    prior_rt_interval_months: float | None = fact(
        "months since the previous radiotherapy at the site", "prior-radiotherapy-date", "Procedure.performed[x]")
    prior_rt_interval_days: int | None = fact(
        "days since the previous radiotherapy at the site", "prior-radiotherapy-date", "Procedure.performed[x]")
    prior_rt_adjacent_only: bool | None = fact("previous radiotherapy only at a vertebra next to the lesion")
    prior_rt_stereotactic: bool | None = fact("previous course was stereotactic")
    prior_cord_bed2: float | None = fact(
        "previous spinal-cord BED (α/β 2, Gy)", "prior-radiotherapy-dose",
        "mCODE radiotherapy-dose-delivered-to-volume (total dose, fractions)")
    cord_bed2_headroom: float | None = fact(
        "spinal-cord BED2 left under Nieder's 135.5 Gy", "prior-radiotherapy-dose",
        "mCODE radiotherapy-dose-delivered-to-volume (total dose, fractions)")
    prior_cord_eqd2: float | None = fact(
        "previous spinal-cord EQD2 (α/β 2, Gy)", "prior-radiotherapy-dose",
        "mCODE radiotherapy-dose-delivered-to-volume (total dose, fractions)")
    cord_eqd2_headroom: float | None = fact(
        "cumulative cord EQD2 left under Sahgal's ~70 Gy", "prior-radiotherapy-dose",
        "mCODE radiotherapy-dose-delivered-to-volume (total dose, fractions)")
    high_risk_site: bool | None = fact("high-risk site for skeletal events (Gillespie)", "lesion-site",
                                       "Condition.bodySite, LOCAL lesion-size, cortical-involvement, posterior elements")
    near_cord: bool | None = fact("within about 3 mm of the spinal cord", "bilsky-grade", "LOCAL bilsky-grade")

    # --- results of the criteria phase ----------------------------------------------------
    eligibility_sib_imrt: Verdict | None = fact("SIB-IMRT eligibility")
    eligibility_sbrt: Verdict | None = fact("SBRT eligibility")
    eligibility_mescc_surgery: Verdict | None = fact("candidacy for decompressive surgery (Patchell)")
    all_lesions_sbrt_suitable: bool | None = fact("every recorded lesion suitable for SBRT")
    eligibility_sabr_oligometastatic: Verdict | None = fact(
        "patient-level eligibility for oligometastatic SABR (SABR-COMET)")

    # --- what earlier rule phases recommended at this lesion (known from phase 2 on) ----------
    recommended_surgical_referral: bool | None = fact("surgical referral recommended by an earlier rule")
    recommended_ebrt_8gy_1fx: bool | None = fact("8 Gy × 1 recommended by an earlier rule")
    recommended_ebrt_20gy_5fx: bool | None = fact("20 Gy/5 recommended by an earlier rule")
    recommended_ebrt_30gy_10fx: bool | None = fact("30 Gy/10 recommended by an earlier rule")
    recommended_sbrt: bool | None = fact("SBRT recommended by an earlier rule")
    recommended_sib_imrt: bool | None = fact("SIB-IMRT recommended by an earlier rule")
    recommended_prophylactic_rt: bool | None = fact("prophylactic RT recommended by an earlier rule")
    recommended_avoid: bool | None = fact("an 'avoid' output from an earlier rule")


RANGE_FACTS: dict[str, tuple[str, str]] = {
    "sins": ("sins_min", "sins_max"),
    "mirels": ("mirels_min", "mirels_max"),
    "bone_lesion_count": ("bone_lesion_count_min", "bone_lesion_count_max"),
    "metastatic_lesion_count": ("metastatic_lesion_count_min", "metastatic_lesion_count_max"),
    "expected_survival_range": ("expected_survival_range_min", "expected_survival_range_max"),
}
"""Facts that may be known only as a range: a score with undocumented components (SINS 9–13)
or a count known only as a lower bound (at least 7 lesions; the maximum is then absent). Rules
name the fact itself (``sins >= 13``): true when every possible value satisfies it, false when
none does, unknown otherwise."""
RANGE_LABELS: dict[str, str] = {
    "sins": "SINS", "mirels": "Mirels score", "bone_lesion_count": "number of bone metastases",
    "metastatic_lesion_count": "number of metastatic lesions at all sites",
    "expected_survival_range": "expected survival (for an ablative decision)",
}
_RANGE_STORAGE = frozenset(name for pair in RANGE_FACTS.values() for name in pair)
FACT_NAMES: frozenset[str] = frozenset(RuleFacts.model_fields) - _RANGE_STORAGE | frozenset(RANGE_FACTS)
"""The names a rule may use."""
PATIENT_FACTS: frozenset[str] = frozenset(
    name for name in RuleFacts.model_fields if list(RuleFacts.model_fields).index(name)
    < list(RuleFacts.model_fields).index("region")
) | {"bone_lesion_count", "metastatic_lesion_count", "expected_survival_range"}
"""Facts about the patient rather than one lesion (their data gaps are reported once)."""


@cache
def fact_label(name: str) -> str:
    if name in RANGE_LABELS:
        return RANGE_LABELS[name]
    field = RuleFacts.model_fields.get(name)
    return field.description or name if field else name


@cache
def _fact_extra(name: str) -> dict[str, Any]:
    field = RuleFacts.model_fields.get(RANGE_FACTS[name][0] if name in RANGE_FACTS else name)
    extra = field.json_schema_extra if field else None
    return dict(extra) if isinstance(extra, dict) else {}


def fact_extra(name: str) -> dict[str, Any]:
    return dict(_fact_extra(name))  # a copy: the caller may change it


@cache
def gap_key(name: str) -> str:
    """The documentable fact behind a rule fact (e.g. ``sins_min`` → ``sins``)."""
    return str(_fact_extra(name).get("gap", name))


def recommended_fact(code: str) -> str:
    return "recommended_" + code.replace("-", "_")


NOT_RECORDED_SUFFIX = "__not_recorded"


def not_recorded_marker(name: str) -> str:
    """The marker fact the record carries when ``name`` is not recorded and its silence may be read
    (facts.yaml). Rules never name it: the loader writes it into the conditions that may read it."""
    return name + NOT_RECORDED_SUFFIX


def verdict_fact(assessment: str) -> str:
    return "eligibility_" + assessment.replace("-", "_")
