"""The synthetic example patients of ``examples/patients/`` and their expected outcomes.

Each example is a function building one patient with :class:`PatientBuilder`; the JSON files
are generated from here (``python -m cds.synthetic.examples``) and a test fails when a
committed file differs. The *expected outcome* per lesion is the clinical expectation from
``clinical/decision-criteria.md`` written down before the rules engine exists, in the
vocabulary of ``contract/evaluation-output.md``; the README table is rendered from it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, NamedTuple

from cds.synthetic.builder import JSON, PatientBuilder

EXAMPLES_AS_OF = date(2026, 11, 20)
"""Fixed evaluation date of every example (reference instant 2026-11-20T00:00:00Z)."""
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "patients"

Verdict = Literal["eligible", "ineligible", "undetermined"]


class Rec(NamedTuple):
    """One expected recommendation: code and reason as in evaluation-output.md."""

    code: str
    reason: str
    priority: Literal["urgent", "preferred", "alternative"] = "preferred"
    regimen: str = ""

    def render(self) -> str:
        regimen = f" {self.regimen}" if self.regimen else ""
        return f"`{self.code}` ({self.reason}, {self.priority}){regimen}"


@dataclass(frozen=True)
class LesionExpectation:
    lesion: str
    """The lesion's site label (``Lesion.label``): 'T8', 'T10–T11', 'left femoral shaft'."""
    recommendations: tuple[Rec, ...]
    """In priority order; empty = no RT or surgery recommended for this lesion now."""
    sbrt: Verdict
    sib_imrt: Verdict
    comment: str = ""


@dataclass(frozen=True)
class Example:
    file: str
    picture: str
    """The clinical picture in one line."""
    build: Callable[[date], PatientBuilder]
    lesions: tuple[LesionExpectation, ...]
    bundle_type: Literal["collection", "transaction"] = "collection"
    references: Literal["relative", "urn:uuid"] = "relative"

    def bundle(self, as_of: date = EXAMPLES_AS_OF) -> JSON:
        return self.build(as_of).bundle(self.bundle_type, references=self.references)


# ---- the patients ------------------------------------------------------------------------------


def _ex01(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex01-mescc-surgical", as_of=as_of, age=58, sex="female", name=("Maria", "Keller"))
    b.narrative(
        "58-year-old woman, ER-positive breast cancer diagnosed 2021, bone-only relapse on letrozole "
        "and palbociclib. Since last night weakness of both legs; still walking with a stick. MRI: "
        "single-level MESCC at T8, Bilsky 3. ECOG 1, estimated survival 18 months, cleared for "
        "surgery by anaesthesia. Not paraplegic."
    )
    b.primary_cancer("breast", confirmed=True, diagnosed=date(2021, 3, 15))
    b.receptors(er="positive", pr="positive", her2="negative")
    b.ecog(1).kps(80).expected_survival(months=18)
    b.lesion_counts(bone=1, metastatic=1).disease_status("progressing")
    b.systemic_therapy(True, drugs=["letrozole", "palbociclib"]).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=1, modality="MRI", conclusion="Epidural tumour at T8 compressing the cord.")
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=False)
    b.neurology(deficit=True, ambulatory=True, motor_deficit_days=0.5)
    b.no_prior_radiotherapy()
    t8 = b.bone_metastasis("T8", note="Lytic T8 metastasis with epidural extension, cord compressed without CSF.")
    b.lesion_type(t8, "lytic").lesion_size(t8, cm=3.1).pain(t8, 6)
    # SINS 6 (semi-rigid 1, occasional 1, lytic 2, normal 0, >50% body 1, unilateral 1): stable,
    # so the only surgical indication is the compression.
    b.sins(t8, location="semi-rigid", pain="occasional", bone_lesion="lytic", alignment="normal",
           collapse="no-collapse-over-50-involved", posterolateral="unilateral")  # fmt: skip
    b.bilsky(t8, "3").cord_compression(t8, onset_days_ago=0.5)
    b.pathological_fracture(t8, present=False).posterior_elements(t8, True).extraosseous_extension(t8, True)
    b.contiguous_compartments(t8, 1)
    b.medication("dexamethasone", authored=as_of, dosage="16 mg daily")
    return b


def _ex02(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex02-mescc-short-survival", as_of=as_of, age=71, sex="male", name=("Walter", "Brandt"))
    b.narrative(
        "71-year-old man, non-small-cell lung cancer diagnosed February 2026, liver and adrenal "
        "metastases, progressing on chemo-immunotherapy. Admitted 12 days ago; bedbound since 4 days "
        "with leg weakness. MRI: MESCC at T10–T11, Bilsky 2. ECOG 3, estimated survival 2 months, "
        "not fit for surgery."
    )
    b.primary_cancer("lung-nsclc", confirmed=True, diagnosed=date(2026, 2, 10))
    b.ecog(3).kps(40).expected_survival(months=2)
    b.lesion_counts(bone=4, metastatic=9)
    b.visceral_metastasis("liver").visceral_metastasis("adrenal").nodal_metastasis("mediastinal-nodes")
    b.disease_status("progressing")
    b.systemic_therapy(True, drugs=["pembrolizumab", "carboplatin", "pemetrexed"])
    b.prior_palliative_chemo_courses(1).hospitalised(days_ago=12, length_days=14, reason="Pain and weakness")
    b.restaging_imaging(days_ago=11, modality="CT")
    b.medically_operable(False).primary_controlled(False)
    b.neurology(deficit=True, ambulatory=False, motor_deficit_days=4)
    b.no_prior_radiotherapy()
    les = b.bone_metastasis("T10", "T11")
    # SINS 6: junctional (T11) 3, occasional 1, lytic 2, normal 0, no collapse 0, no posterolateral 0.
    b.sins(les, location="junctional", pain="occasional", bone_lesion="lytic", alignment="normal",
           collapse="none", posterolateral="none")  # fmt: skip
    b.bilsky(les, "2").cord_compression(les, onset_days_ago=4)
    b.lesion_type(les, "lytic").pain(les, 7).pathological_fracture(les, present=False)
    b.medication("dexamethasone", authored=as_of, dosage="16 mg daily").medication("morphine")
    return b


def _ex03(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex03-unstable-spine", as_of=as_of, age=66, sex="female", name=("Helga", "Vogt"))
    b.narrative(
        "66-year-old woman, breast cancer since 2017, polymetastatic bone disease on fulvestrant and "
        "palbociclib. Severe back pain on standing and turning, relieved lying down. CT/MRI: lytic "
        "L1 metastasis with more than 50% collapse and bilateral posterolateral involvement, normal "
        "alignment, no epidural disease of note, neurologically intact. SINS 14."
    )
    b.primary_cancer("breast", confirmed=True, diagnosed=date(2017, 9, 1))
    b.receptors(er="positive", pr="positive", her2="negative")
    b.ecog(1).kps(70).expected_survival(months=14)
    b.lesion_counts(bone=6, metastatic=8).visceral_metastasis("lung").disease_status("progressing")
    b.systemic_therapy(True, drugs=["fulvestrant", "palbociclib"]).prior_palliative_chemo_courses(1)
    b.restaging_imaging(days_ago=6, modality="CT")
    b.medically_operable(True).primary_controlled(True)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    l1 = b.bone_metastasis("L1")
    # SINS 14: junctional 3 + mechanical 3 + lytic 2 + normal 0 + collapse >= 50% 3 + bilateral 3.
    b.sins(l1, location="junctional", pain="mechanical", bone_lesion="lytic", alignment="normal",
           collapse="collapse-50-or-more", posterolateral="bilateral")  # fmt: skip
    b.bilsky(l1, "1a").no_cord_compression(l1)
    b.lesion_type(l1, "lytic").pain(l1, 8).posterior_elements(l1, True)
    b.medication("oxycodone")
    return b


def _ex04(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex04-uncomplicated-pain", as_of=as_of, age=78, sex="male", name=("Josef", "Huber"))
    b.narrative(
        "78-year-old man, metastatic castration-resistant prostate cancer (2018), nine bone "
        "metastases, progressing after docetaxel on enzalutamide; admitted last month for pain. "
        "Painful blastic T6 metastasis (7/10), no instability, no epidural disease, no fracture, "
        "neurologically intact. ECOG 2, estimated survival 2 months."
    )
    b.primary_cancer("prostate", confirmed=True, diagnosed=date(2018, 4, 23))
    b.ecog(2).kps(60).expected_survival(months=2)
    b.lesion_counts(bone=9, metastatic=9).disease_status("progressing")
    b.systemic_therapy(True, drugs=["enzalutamide", "leuprolide"]).prior_palliative_chemo_courses(1)
    b.hospitalised(days_ago=35, length_days=5, reason="Pain crisis")
    b.restaging_imaging(days_ago=20, modality="bone scan")
    b.medically_operable(False)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    t6 = b.bone_metastasis("T6")
    # SINS 2: semi-rigid 1, occasional 1, blastic 0, normal 0, no collapse 0, none 0.
    b.sins(t6, location="semi-rigid", pain="occasional", bone_lesion="blastic", alignment="normal",
           collapse="none", posterolateral="none")  # fmt: skip
    b.bilsky(t6, "0").no_cord_compression(t6).pathological_fracture(t6, present=False)
    b.lesion_type(t6, "blastic").pain(t6, 7).posterior_elements(t6, False).contiguous_compartments(t6, 1)
    b.medication("oxycodone").medication("denosumab")
    return b


def _ex05(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex05-oligo-breast-sib", as_of=as_of, age=52, sex="female", name=("Anna", "Moser"))
    b.narrative(
        "52-year-old woman, ER-positive HER2-negative breast cancer (2022) treated curatively; on "
        "adjuvant letrozole. PET-CT 10 days ago: two new bone metastases (L3, right acetabulum), no "
        "other disease. ECOG 0, estimated survival 3 years. Never irradiated at these sites; no "
        "surgery planned."
    )
    b.primary_cancer("breast", confirmed=True, diagnosed=date(2022, 6, 10))
    b.receptors(er="positive", pr="positive", her2="negative")
    b.ecog(0).kps(90).expected_survival(months=36)
    b.lesion_counts(bone=2, metastatic=2).disease_status("progressing")
    b.systemic_therapy(True, drugs=["letrozole"]).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=10, modality="PET-CT")
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=False)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    l3 = b.bone_metastasis("L3")
    # SINS 4: mobile 2, occasional 1, mixed 1, normal 0, no collapse 0, none 0.
    b.sins(l3, location="mobile", pain="occasional", bone_lesion="mixed", alignment="normal",
           collapse="none", posterolateral="none")  # fmt: skip
    b.bilsky(l3, "0").no_cord_compression(l3).pathological_fracture(l3, present=False)
    b.lesion_type(l3, "mixed").lesion_size(l3, cm=2.2).pain(l3, 4).posterior_elements(l3, False)
    b.contiguous_compartments(l3, 1).planned_surgery(l3, False)
    ace = b.bone_metastasis("right acetabulum")
    b.lesion_type(ace, "mixed").lesion_size(ace, cm=1.8).cortical_involvement(ace, "under-one-third")
    b.pain(ace, 3).pathological_fracture(ace, present=False).extraosseous_extension(ace, False)
    b.contiguous_compartments(ace, 1).planned_surgery(ace, False)
    return b


def _ex06(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex06-breast-prior-rt", as_of=as_of, age=57, sex="female", name=("Claudia", "Roth"))
    b.narrative(
        "57-year-old woman, breast cancer (2020). T8 metastasis irradiated with 20 Gy in 5 fractions "
        "in March 2025; now painful regrowth at T8 and a new left iliac metastasis on PET-CT 8 days "
        "ago, no other disease. ECOG 1, estimated survival 30 months."
    )
    b.primary_cancer("breast", confirmed=True, diagnosed=date(2020, 1, 20))
    b.receptors(er="positive", pr="negative", her2="negative")
    b.ecog(1).kps(80).expected_survival(months=30)
    b.lesion_counts(bone=2, metastatic=2).disease_status("progressing")
    b.systemic_therapy(True, drugs=["fulvestrant"]).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=8, modality="PET-CT")
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=True)
    b.neurology(deficit=False, ambulatory=True)
    t8 = b.bone_metastasis("T8", onset=date(2025, 2, 20))
    b.prior_radiotherapy(t8, dose_gy=20, fractions=5, on=date(2025, 3, 14), reirradiation=False)
    # SINS 4: semi-rigid 1, occasional 1, lytic 2, normal 0, no collapse 0, none 0.
    b.sins(t8, location="semi-rigid", pain="occasional", bone_lesion="lytic", alignment="normal",
           collapse="none", posterolateral="none")  # fmt: skip
    b.bilsky(t8, "1a").no_cord_compression(t8).pathological_fracture(t8, present=False)
    b.lesion_type(t8, "lytic").lesion_size(t8, cm=2.0).pain(t8, 6)
    b.contiguous_compartments(t8, 1).planned_surgery(t8, False)
    ilium = b.bone_metastasis("left ilium")
    b.no_prior_radiotherapy(ilium)
    b.lesion_type(ilium, "mixed").lesion_size(ilium, cm=2.5).pain(ilium, 4)
    b.pathological_fracture(ilium, present=False).contiguous_compartments(ilium, 1).planned_surgery(ilium, False)
    return b


def _ex07(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex07-poly-high-risk", as_of=as_of, age=69, sex="female", name=("Irene", "Fischer"))
    b.narrative(
        "69-year-old woman, EGFR-mutant lung adenocarcinoma (2025) on osimertinib, eight bone and "
        "three lung metastases, stable. CT: painless 2.5 cm mixed lesion of the left femoral neck "
        "(Mirels 7) and a small blastic T7 lesion. ECOG 1, estimated survival 15 months."
    )
    b.primary_cancer("lung", confirmed=True, diagnosed=date(2025, 8, 1))
    b.ecog(1).kps(80).expected_survival(months=15)
    b.lesion_counts(bone=8, metastatic=11).visceral_metastasis("lung").nodal_metastasis("mediastinal-nodes")
    b.disease_status("stable").systemic_therapy(True, drugs=["osimertinib"]).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=20, modality="CT")
    b.medically_operable(True).primary_controlled(False)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    neck = b.bone_metastasis("left femoral neck")
    b.lesion_type(neck, "mixed").lesion_size(neck, cm=2.5).cortical_involvement(neck, "under-one-third")
    # Mirels 7: peritrochanteric 3 + mild 1 + mixed 2 + < 1/3 1 — RT and observe, no fixation.
    b.mirels(neck, site="peritrochanteric", pain="mild", lesion="mixed", size="under-one-third")
    b.pain(neck, 0).impending_fracture(neck, False).pathological_fracture(neck, present=False)
    t7 = b.bone_metastasis("T7")
    b.lesion_type(t7, "blastic").lesion_size(t7, cm=1.0).pain(t7, 0).bilsky(t7, "0").no_cord_compression(t7)
    b.posterior_elements(t7, False)
    return b


def _ex08(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex08-femur-mirels", as_of=as_of, age=67, sex="female", name=("Ruth", "Berger"))
    b.narrative(
        "67-year-old woman, radioiodine-refractory follicular thyroid cancer (2019) with lung and "
        "bone metastases. Left thigh pain on walking for three weeks (8/10). X-ray/CT: 4.5 cm lytic "
        "lesion of the left femoral shaft involving one to two thirds of the cortex; no fracture. "
        "Mirels 10. ECOG 2, estimated survival 20 months, fit for surgery."
    )
    b.primary_cancer("thyroid", confirmed=True, diagnosed=date(2019, 11, 5))
    b.ecog(2).kps(60).expected_survival(months=20)
    b.lesion_counts(bone=3, metastatic=7).visceral_metastasis("lung").disease_status("stable")
    b.systemic_therapy(False).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=9, modality="CT")
    b.medically_operable(True).primary_controlled(True)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    shaft = b.bone_metastasis("left femoral shaft")
    # Mirels 10: lower limb 2 + functional pain 3 + lytic 3 + 1/3–2/3 cortex 2.
    b.mirels(shaft, site="lower-limb", pain="functional", lesion="lytic", size="one-to-two-thirds")
    b.lesion_type(shaft, "lytic").lesion_size(shaft, cm=4.5).cortical_involvement(shaft, "one-to-two-thirds")
    b.pain(shaft, 8).impending_fracture(shaft, True).pathological_fracture(shaft, present=False)
    b.extraosseous_extension(shaft, True)
    b.medication("oxycodone").medication("levothyroxine")
    return b


def _ex09(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex09-renal-sbrt", as_of=as_of, age=57, sex="male", name=("Thomas", "Wagner"))
    b.narrative(
        "57-year-old man, clear-cell renal cell carcinoma, nephrectomy 2023, no systemic therapy. "
        "Restaging CT 14 days ago: painful lytic L2 metastasis (6/10) and a small left rib "
        "metastasis, nothing else. SINS 5, Bilsky 1a. ECOG 1, estimated survival 30 months."
    )
    b.primary_cancer("kidney", confirmed=True, diagnosed=date(2023, 9, 12))
    b.ecog(1).kps(80).expected_survival(months=30)
    b.lesion_counts(bone=2, metastatic=2).disease_status("progressing")
    b.systemic_therapy(False).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=14, modality="CT")
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=False)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    l2 = b.bone_metastasis("L2")
    # SINS 5: mobile 2, occasional 1, lytic 2, normal 0, no collapse 0, none 0.
    b.sins(l2, location="mobile", pain="occasional", bone_lesion="lytic", alignment="normal",
           collapse="none", posterolateral="none")  # fmt: skip
    b.bilsky(l2, "1a").no_cord_compression(l2).pathological_fracture(l2, present=False)
    b.lesion_type(l2, "lytic").lesion_size(l2, cm=2.8).pain(l2, 6).posterior_elements(l2, False)
    b.extraosseous_extension(l2, False).contiguous_compartments(l2, 1).planned_surgery(l2, False)
    rib = b.bone_metastasis("left rib")
    b.lesion_type(rib, "lytic").lesion_size(rib, cm=1.4).pain(rib, 2).pathological_fracture(rib, present=False)
    b.contiguous_compartments(rib, 1).planned_surgery(rib, False)
    return b


def _ex10(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex10-data-missing", as_of=as_of, age=70, sex="female", name=("Erna", "Lang"))
    b.bone_metastasis(note="Bone metastasis, site not recorded.")
    return b


def _ex11(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex11-only-kps", as_of=as_of, age=64, sex="male", name=("Karl", "Schmid"))
    b.bone_metastasis("T5")
    b.kps(60)
    return b


def _ex12(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex12-multi-lesion", as_of=as_of, age=63, sex="male", name=("Peter", "Koch"))
    b.narrative(
        "63-year-old man, EGFR-mutant non-small-cell lung cancer (2025) progressing on osimertinib, "
        "four bone metastases plus adrenal, lung and nodal disease. Two days of leg weakness, still "
        "walking: MESCC at T4, Bilsky 3. Also a painful right rib lesion, a painful lytic left "
        "femoral shaft lesion (Mirels 10) and a small painless left iliac lesion. ECOG 2, estimated "
        "survival 10 months, fit for surgery."
    )
    b.primary_cancer("lung-nsclc", confirmed=True, diagnosed=date(2025, 4, 2))
    b.ecog(2).kps(60).expected_survival(months=10)
    b.lesion_counts(bone=4, metastatic=7)
    b.visceral_metastasis("adrenal").visceral_metastasis("lung").nodal_metastasis("mediastinal-nodes")
    b.disease_status("progressing").systemic_therapy(True, drugs=["osimertinib"]).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=5, modality="CT").restaging_imaging(days_ago=1, modality="MRI", study=False)
    b.medically_operable(True).primary_controlled(False)
    b.neurology(deficit=True, ambulatory=True, motor_deficit_days=2)
    b.no_prior_radiotherapy()
    t4 = b.bone_metastasis("T4")
    # SINS 5: semi-rigid 1, occasional 1, lytic 2, normal 0, no collapse 0, unilateral 1.
    b.sins(t4, location="semi-rigid", pain="occasional", bone_lesion="lytic", alignment="normal",
           collapse="none", posterolateral="unilateral")  # fmt: skip
    b.bilsky(t4, "3").cord_compression(t4, onset_days_ago=2).pathological_fracture(t4, present=False)
    b.lesion_type(t4, "lytic").pain(t4, 5)
    rib = b.bone_metastasis("right rib")
    b.lesion_type(rib, "lytic").lesion_size(rib, cm=2.0).pain(rib, 6).pathological_fracture(rib, present=False)
    b.impending_fracture(rib, False)
    shaft = b.bone_metastasis("left femoral shaft")
    # Mirels 10: lower limb 2 + functional 3 + lytic 3 + 1/3–2/3 cortex 2.
    b.mirels(shaft, site="lower-limb", pain="functional", lesion="lytic", size="one-to-two-thirds")
    b.lesion_type(shaft, "lytic").lesion_size(shaft, cm=3.5).cortical_involvement(shaft, "one-to-two-thirds")
    b.pain(shaft, 7).pathological_fracture(shaft, present=False)
    ilium = b.bone_metastasis("left ilium")
    b.lesion_type(ilium, "mixed").lesion_size(ilium, cm=1.5).pain(ilium, 0).pathological_fracture(ilium, present=False)
    b.medication("dexamethasone", authored=as_of, dosage="16 mg daily").medication("oxycodone")
    return b


def _ex13(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex13-myeloma-mescc", as_of=as_of, age=70, sex="male", name=("Franz", "Bauer"))
    b.narrative(
        "70-year-old man, multiple myeloma (2024) with diffuse lytic bone disease on bortezomib and "
        "lenalidomide. Three days of leg weakness, walking with help: MESCC at T9, Bilsky 2. ECOG 2, "
        "estimated survival 24 months, operable — but myeloma is highly radiosensitive."
    )
    b.primary_cancer("myeloma", confirmed=True, diagnosed=date(2024, 2, 1))
    b.ecog(2).kps(60).expected_survival(months=24)
    b.lesion_counts(bone=10, metastatic=10).disease_status("progressing")
    b.systemic_therapy(True, drugs=["bortezomib", "lenalidomide"]).prior_palliative_chemo_courses(1)
    b.restaging_imaging(days_ago=1, modality="MRI")
    b.medically_operable(True)
    b.neurology(deficit=True, ambulatory=True, motor_deficit_days=3)
    b.no_prior_radiotherapy()
    t9 = b.bone_metastasis("T9")
    # SINS 6: semi-rigid 1, occasional 1, lytic 2, normal 0, >50% body 1, unilateral 1.
    b.sins(t9, location="semi-rigid", pain="occasional", bone_lesion="lytic", alignment="normal",
           collapse="no-collapse-over-50-involved", posterolateral="unilateral")  # fmt: skip
    b.bilsky(t9, "2").cord_compression(t9, onset_days_ago=3).pathological_fracture(t9, present=False)
    b.lesion_type(t9, "lytic").pain(t9, 5)
    b.medication("dexamethasone", authored=as_of, dosage="16 mg daily")
    return b


def _ex14(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex14-nsclc-separation", as_of=as_of, age=60, sex="female", name=("Sabine", "Hofmann"))
    b.narrative(
        "60-year-old woman, non-small-cell lung cancer (2024) treated with chemoradiotherapy, "
        "controlled. New painful T9 metastasis: MRI shows high-grade epidural compression (Bilsky "
        "2) without neurological deficit. Oligometastatic (only lesion). ECOG 1, estimated survival "
        "16 months, operable."
    )
    b.primary_cancer("lung-nsclc", confirmed=True, diagnosed=date(2024, 10, 15))
    b.ecog(1).kps(80).expected_survival(months=16)
    b.lesion_counts(bone=1, metastatic=1).disease_status("progressing")
    b.systemic_therapy(False).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=7, modality="PET-CT")
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=False)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    t9 = b.bone_metastasis("T9")
    # SINS 5: semi-rigid 1, occasional 1, lytic 2, normal 0, no collapse 0, unilateral 1.
    b.sins(t9, location="semi-rigid", pain="occasional", bone_lesion="lytic", alignment="normal",
           collapse="none", posterolateral="unilateral")  # fmt: skip
    b.bilsky(t9, "2").cord_compression(t9, onset_days_ago=7).pathological_fracture(t9, present=False)
    b.lesion_type(t9, "lytic").lesion_size(t9, cm=3.0).pain(t9, 5).contiguous_compartments(t9, 1)
    return b


def _ex15(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex15-nonspine-sbrt", as_of=as_of, age=66, sex="male", name=("Stefan", "Weber"))
    b.narrative(
        "66-year-old man, prostate cancer (2020) on androgen deprivation and abiraterone. PSMA "
        "PET-CT 12 days ago: painful 2.8 cm left scapular metastasis (6/10) and a 1 cm painless "
        "blastic right rib lesion, nothing else. ECOG 0, estimated survival 4 years. Sent as a FHIR "
        "transaction with urn:uuid references."
    )
    b.primary_cancer("prostate", confirmed=True, diagnosed=date(2020, 5, 5))
    b.ecog(0).kps(90).expected_survival(years=4)
    b.lesion_counts(bone=2, metastatic=2).disease_status("progressing")
    b.systemic_therapy(True, drugs=["leuprolide", "abiraterone"]).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=12, modality="PET-CT")
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=False)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    scap = b.bone_metastasis("left scapula")
    b.lesion_type(scap, "mixed").lesion_size(scap, cm=2.8).pain(scap, 6).pathological_fracture(scap, present=False)
    b.extraosseous_extension(scap, False).contiguous_compartments(scap, 1).planned_surgery(scap, False)
    rib = b.bone_metastasis("right rib")
    b.lesion_type(rib, "blastic").lesion_size(rib, cm=1.0).pain(rib, 0).pathological_fracture(rib, present=False)
    b.contiguous_compartments(rib, 1).planned_surgery(rib, False)
    return b


def _ex16(as_of: date) -> PatientBuilder:
    b = PatientBuilder("ex16-postop-renal", as_of=as_of, age=62, sex="female", name=("Monika", "Schulz"))
    b.narrative(
        "62-year-old woman, renal cell carcinoma (2022). Solitary L1 metastasis with instability "
        "treated with posterior decompression and stabilisation 4 weeks ago; recovered, walking, "
        "no deficit. ECOG 1, estimated survival 24 months. Referred for postoperative radiotherapy."
    )
    b.primary_cancer("kidney", confirmed=True, diagnosed=date(2022, 1, 10))
    b.ecog(1).kps(80).expected_survival(months=24)
    b.lesion_counts(bone=1, metastatic=1).disease_status("stable")
    b.systemic_therapy(False).prior_palliative_chemo_courses(0)
    b.restaging_imaging(days_ago=40, modality="CT", report=False).restaging_imaging(days_ago=3, modality="MRI")
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=False)
    b.neurology(deficit=False, ambulatory=True)
    b.no_prior_radiotherapy()
    l1 = b.bone_metastasis("L1", onset=date(2026, 10, 5))
    b.surgery_done(l1, days_ago=28, description="Posterior decompression and T12–L2 stabilisation")
    b.bilsky(l1, "1a").no_cord_compression(l1).pain(l1, 3).lesion_type(l1, "lytic")
    b.pathological_fracture(l1, present=False)
    b.contiguous_compartments(l1, 1)
    return b


# ---- registry with expectations ----------------------------------------------------------------

# The contract carries the postoperative course inside the referral (regimens, role postoperative).
_THEN_30 = "then 30 Gy/10 postoperative (referral `regimens`, role postoperative)"
_NOT_BREAST = "not breast"

EXAMPLES: tuple[Example, ...] = (
    Example(
        "01-mescc-surgical-candidate.json",
        "Breast cancer, one-level MESCC at T8 (Bilsky 3), leg weakness for 12 h, ambulatory, ECOG 1, "
        "expected survival 18 months, operable, not paraplegic",
        _ex01,
        (
            LesionExpectation(
                "T8",
                (
                    Rec("surgical-referral", "mescc-decompression", "urgent", f"decompression (Patchell), {_THEN_30}"),
                    Rec("avoid", "before decompression", "urgent"),
                    Rec("avoid", "8 Gy × 1 for cord compression", "urgent"),
                ),
                "ineligible",
                "ineligible",
                "All Patchell criteria met; dexamethasone. SBRT/SIB-IMRT not offered: MESCC with deficit "
                "takes precedence (surgery first).",
            ),
        ),
    ),
    Example(
        "02-mescc-short-survival.json",
        "NSCLC, MESCC T10–T11 (Bilsky 2), not ambulatory, ECOG 3, expected survival 2 months, not "
        "operable, liver/adrenal metastases",
        _ex02,
        (
            LesionExpectation(
                "T10–T11",
                (
                    Rec("ebrt-20gy-5fx", "mescc-non-surgical", "urgent", "20 Gy/5 within 24 h (NICE QS56)"),
                    Rec("ebrt-8gy-1fx", "mescc-short-survival", "urgent", "8 Gy/1 within 24 h"),
                    Rec("avoid", "before decompression", "urgent"),
                ),
                "ineligible",
                "ineligible",
                "No surgical referral: expected survival < 3 months and not medically operable (Patchell). "
                "RT alone by prognosis (SCORE-2; SCORAD III caution for 8 Gy/1), within 24 hours (NICE QS56); "
                "dexamethasone 16 mg with the deficit and whole-spine MRI (NICE NG234). Every output is urgent.",
            ),
        ),
    ),
    Example(
        "03-unstable-spine.json",
        "Breast cancer, polymetastatic; L1 lesion with SINS 14 from components (junctional 3, "
        "mechanical 3, lytic 2, collapse ≥ 50% 3, bilateral 3), Bilsky 1a, no cord compression",
        _ex03,
        (
            LesionExpectation(
                "L1",
                (
                    Rec("surgical-referral", "spinal-instability", "urgent", f"stabilisation before RT, {_THEN_30}"),
                    Rec("ebrt-20gy-5fx", "complicated", "alternative", "20 Gy/5 if not operated"),
                    Rec("avoid", "SBRT or SIB-IMRT before stabilisation", "preferred"),
                ),
                "ineligible",
                "ineligible",
                "SINS 13–18 = unstable → stabilisation first; RT alone (20 Gy/5) if not operated "
                "(ESTRO-ACROP, complicated metastasis). SIB-IMRT also excluded by > 5 sites.",
            ),
        ),
    ),
    Example(
        "04-uncomplicated-painful-lesion.json",
        "Prostate cancer, 9 bone lesions (polymetastatic), painful T6 (7/10), SINS 2 (all components), "
        "Bilsky 0, no fracture, no deficit, ECOG 2, expected survival 2 months",
        _ex04,
        (
            LesionExpectation(
                "T6",
                (
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "preferred", "8 Gy/1"),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                ),
                "ineligible",
                "ineligible",
                "Uncomplicated painful metastasis → 8 Gy × 1 standard. SBRT: short expected survival, "
                "polymetastatic. SIB-IMRT: not breast, > 5 sites.",
            ),
        ),
    ),
    Example(
        "05-oligometastatic-breast-sib-imrt.json",
        "Breast cancer (confirmed), 2 bone lesions (L3, right acetabulum), ECOG 0, PET-CT 10 days ago, "
        "no prior RT, no planned surgery, 1 compartment each, expected survival 36 months, SINS 4, Bilsky 0",
        _ex05,
        (
            LesionExpectation(
                "L3",
                (
                    Rec("sbrt", "spine-painful", "preferred", "24 Gy/2 (SC24)"),
                    Rec(
                        "sib-imrt",
                        "oligometastatic-breast",
                        "alternative",
                        "schedule A: 35 Gy/5 boost + 20 Gy/5 compartment",
                    ),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "alternative", "8 Gy/1"),
                    Rec("avoid", "16–18 Gy × 1 spine SBRT"),
                    Rec("avoid", "24 Gy × 1 spine SBRT", "alternative"),
                ),
                "eligible",
                "eligible",
                "Every Marazzi criterion met; SBRT preferred on randomised SC24 evidence, SIB-IMRT (a retrospective "
                "series) the other ablative option. Ablative recommendations carry the NRG-BR002 breast caveat. "
                "SABR-COMET needs the cord distance (Bilsky 0 does not document it).",
            ),
            LesionExpectation(
                "right acetabulum",
                (
                    Rec("sbrt", "non-spine-painful", "preferred", "16 Gy/1 (< 4 cm)"),
                    Rec("sbrt", "oligometastatic", "preferred", "SABR 35 Gy/5 (patient-level SABR-COMET eligible)"),
                    Rec("sib-imrt", "oligometastatic-breast", "alternative", "schedule A"),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "alternative", "8 Gy/1"),
                ),
                "eligible",
                "eligible",
                "Not polymetastatic, so no prophylactic-RT rule despite the hip site.",
            ),
        ),
    ),
    Example(
        "06-breast-prior-rt-at-site.json",
        "Like 05 but T8 irradiated with 20 Gy/5 in March 2025 (dose known); new left iliac lesion "
        "never irradiated; ECOG 1, expected survival 30 months",
        _ex06,
        (
            LesionExpectation(
                "T8",
                (
                    Rec("ebrt-8gy-1fx", "reirradiation", "preferred", "8 Gy/1"),
                    Rec("ebrt-20gy-5fx", "reirradiation", "alternative", "20 Gy/5"),
                    Rec(
                        "sbrt",
                        "spine-painful",
                        "alternative",
                        "re-irradiation within Sahgal 2012 cord limits",
                    ),
                    Rec("avoid", "16–18 Gy × 1 spine SBRT"),
                    Rec("avoid", "24 Gy × 1 spine SBRT", "alternative"),
                ),
                "eligible",
                "ineligible",
                "SIB-IMRT: no-prior-rt-at-site not met (20 Gy/5 to T8, 2025-03). Cumulative cord BED2 "
                "60 + 60 = 120 Gy2 ≤ 135.5 with > 6 months interval (Nieder 2006).",
            ),
            LesionExpectation(
                "left ilium",
                (
                    Rec("sbrt", "non-spine-painful", "preferred", "16 Gy/1 (< 4 cm)"),
                    Rec("sbrt", "oligometastatic", "preferred", "SABR 35 Gy/5 (patient-level SABR-COMET eligible)"),
                    Rec("sib-imrt", "oligometastatic-breast", "alternative", "schedule A"),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "alternative", "8 Gy/1"),
                ),
                "eligible",
                "eligible",
                "Lesion-level 'no prior RT' documented; history of treated OMD (repeat OMD).",
            ),
        ),
    ),
    Example(
        "07-polymetastatic-asymptomatic-high-risk.json",
        "Lung adenocarcinoma, 11 metastatic sites, painless 2.5 cm left femoral neck lesion (Mirels 7) "
        "and a small blastic T7 lesion, ECOG 1",
        _ex07,
        (
            LesionExpectation(
                "left femoral neck",
                (
                    Rec(
                        "prophylactic-rt",
                        "high-risk-asymptomatic",
                        "preferred",
                        "8 Gy/1, 20 Gy/5 or 30 Gy/10",
                    ),
                ),
                "eligible",
                "ineligible",
                "Gillespie 2024: polymetastatic, asymptomatic, hip and ≥ 2 cm. Mirels 7 → no fixation. SBRT is "
                "technically possible (no contra-indication) but not indicated: no SBRT recommendation.",
            ),
            LesionExpectation(
                "T7",
                (),
                "undetermined",
                "ineligible",
                "Asymptomatic, < 2 cm, not junctional, no posterior elements: no RT now. SINS is not documented, "
                "so SBRT suitability stays undetermined.",
            ),
        ),
    ),
    Example(
        "08-femur-mirels-9-or-more.json",
        "Thyroid cancer, left femoral shaft lesion with Mirels 10 (lower limb 2, functional 3, lytic 3, "
        "1/3–2/3 cortex 2), no fracture, ECOG 2, operable",
        _ex08,
        (
            LesionExpectation(
                "left femoral shaft",
                (Rec("surgical-referral", "impending-fracture", "urgent", f"prophylactic fixation, {_THEN_30}"),
                 Rec("ebrt-20gy-5fx", "complicated", "alternative", "20 Gy/5 if not fixed")),
                "ineligible",
                "ineligible",
                "Mirels ≥ 9 → orthopaedic fixation, then RT; 20 Gy/5 alone if not fixed. SBRT: threatened "
                "fracture; femur excluded from SABR-COMET.",
            ),
        ),
    ),
    Example(
        "09-renal-radioresistant-spine.json",
        "Renal cell carcinoma, painful L2 (SINS 5, Bilsky 1a), small left rib lesion, ECOG 1, "
        "expected survival 30 months, 2 lesions, CT 14 days ago, primary controlled",
        _ex09,
        (
            LesionExpectation(
                "L2",
                (
                    Rec("sbrt", "radioresistant", "preferred", "24 Gy/2"),
                    Rec("sbrt", "spine-painful", "preferred", "24 Gy/2 (SC24)"),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "alternative", "8 Gy/1"),
                    Rec("avoid", "16–18 Gy × 1 spine SBRT"),
                    Rec("avoid", "24 Gy × 1 spine SBRT", "alternative"),
                ),
                "eligible",
                "ineligible",
                "Radioresistant histology, low-grade ESCC, SINS < 12, ≤ 3 segments.",
            ),
            LesionExpectation(
                "left rib",
                (
                    Rec("sbrt", "non-spine-painful", "preferred", "16 Gy/1 (< 4 cm)"),
                    Rec("sbrt", "oligometastatic", "preferred", "SABR-COMET 35 Gy/5"),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "alternative", "8 Gy/1"),
                ),
                "eligible",
                "ineligible",
                "Oligometastatic (2 lesions), controlled primary.",
            ),
        ),
    ),
    Example(
        "10-most-data-missing.json",
        "Only a Patient (age, sex) and a bone-metastasis Condition without bodySite",
        _ex10,
        (
            LesionExpectation(
                "unspecified",
                (),
                "undetermined",
                "undetermined",
                "No confident recommendation; data gaps for site, primary/histology, performance status, "
                "survival, burden, SINS/Bilsky, pain, neurology, prior RT.",
            ),
        ),
    ),
    Example(
        "11-only-kps-documented.json",
        "Bone metastasis at T5 and a KPS of 60; nothing else",
        _ex11,
        (
            LesionExpectation(
                "T5",
                (),
                "undetermined",
                "undetermined",
                "ECOG 2 derived from KPS 60 (labelled derived). Chow/TEACHH only partly computable "
                "(primary, visceral disease unknown). Data gaps: histology, pain, SINS, Bilsky, neurology.",
            ),
        ),
    ),
    Example(
        "12-multiple-lesions-different-treatments.json",
        "NSCLC, ECOG 2, expected survival 10 months, 7 sites: MESCC at T4 (Bilsky 3, deficit 2 days), "
        "painful right rib, left femoral shaft Mirels 10, painless 1.5 cm left iliac lesion",
        _ex12,
        (
            LesionExpectation(
                "T4",
                (
                    Rec("surgical-referral", "mescc-decompression", "urgent",
                        "decompression (Patchell) / separation surgery (NOMS), then 30 Gy/10 or SBRT 35 Gy/5"),
                    Rec("avoid", "before decompression", "urgent"),
                    Rec("avoid", "8 Gy × 1 for cord compression", "urgent"),
                ),
                "ineligible",
                "ineligible",
                "Patchell criteria met (one level, deficit, ambulatory, survival ≥ 3 months, operable).",
            ),
            LesionExpectation(
                "right rib",
                (
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "preferred", "8 Gy/1"),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                ),
                "eligible",
                "ineligible",
                "Polymetastatic, ECOG 2: SBRT has no contra-indication but no indication either (non-spine "
                "SBRT needs excellent PS and limited burden).",
            ),
            LesionExpectation(
                "left femoral shaft",
                (Rec("surgical-referral", "impending-fracture", "urgent", f"prophylactic fixation, {_THEN_30}"),
                 Rec("ebrt-20gy-5fx", "complicated", "alternative", "20 Gy/5 if not fixed")),
                "ineligible",
                "ineligible",
                "Mirels 10.",
            ),
            LesionExpectation(
                "left ilium",
                (),
                "eligible",
                "ineligible",
                "Painless, < 2 cm, not a high-risk site: no prophylactic RT.",
            ),
        ),
    ),
    Example(
        "13-myeloma-mescc-radiosensitive.json",
        "Myeloma, MESCC at T9 (Bilsky 2), deficit 3 days, ambulatory, ECOG 2, expected survival 24 months, operable",
        _ex13,
        (
            LesionExpectation(
                "T9",
                (
                    Rec("ebrt-30gy-10fx", "mescc-favourable-prognosis", "urgent",
                        "30 Gy/10 within 24 h (20 Gy/5 alternative)"),
                    Rec("avoid", "before decompression", "urgent"),
                    Rec("avoid", "8 Gy × 1 for cord compression", "urgent"),
                ),
                "ineligible",
                "ineligible",
                "No surgical referral: myeloma is highly radiosensitive (Patchell exclusion); SINS 6 stable. "
                "Dexamethasone.",
            ),
        ),
    ),
    Example(
        "14-nsclc-high-grade-escc-separation.json",
        "NSCLC, single T9 lesion with Bilsky 2 cord compression but no neurological deficit, ECOG 1, "
        "expected survival 16 months, operable",
        _ex14,
        (
            LesionExpectation(
                "T9",
                (
                    Rec("surgical-referral", "mescc-decompression", "urgent",
                        "separation surgery (NOMS), then SBRT 35 Gy/5 postoperative"),
                    Rec("ebrt-30gy-10fx", "mescc-favourable-prognosis", "urgent", "30 Gy/10 if not operated"),
                    Rec("avoid", "before decompression", "urgent"),
                    Rec("avoid", "8 Gy × 1 for cord compression", "urgent"),
                ),
                "ineligible",
                "ineligible",
                "Patchell not met (no deficit) but NOMS: high-grade ESCC + radioresistant histology → "
                "separation surgery then SBRT.",
            ),
        ),
    ),
    Example(
        "15-painful-nonspine-small-sbrt.json",
        "Prostate cancer, ECOG 0, expected survival 4 years, painful 2.8 cm left scapular lesion and a "
        "painless right rib lesion (transaction Bundle, urn:uuid fullUrls)",
        _ex15,
        (
            LesionExpectation(
                "left scapula",
                (
                    Rec("sbrt", "non-spine-painful", "preferred", "16 Gy/1 (< 4 cm, Nguyen 2019)"),
                    Rec("sbrt", "oligometastatic", "preferred", "SABR 35 Gy/5"),
                    Rec("ebrt-20gy-5fx", "uncomplicated-pain", "alternative", "20 Gy/5"),
                    Rec("ebrt-8gy-1fx", "uncomplicated-pain", "alternative", "8 Gy/1"),
                ),
                "eligible",
                "ineligible",
                "Lesion ids are the urn:uuid fullUrls.",
            ),
            LesionExpectation(
                "right rib",
                (Rec("sbrt", "oligometastatic", "preferred", "SABR 35 Gy/5"),),
                "eligible",
                "ineligible",
                "Oligometastatic (2 lesions), controlled primary.",
            ),
        ),
        bundle_type="transaction",
        references="urn:uuid",
    ),
    Example(
        "16-postoperative-renal-spine.json",
        "Renal cell carcinoma, L1 decompression and stabilisation 4 weeks ago, no deficit, ECOG 1, solitary lesion",
        _ex16,
        (
            LesionExpectation(
                "L1",
                (
                    Rec("sbrt", "postoperative", "preferred", "35 Gy/5 within 16 weeks of surgery"),
                    Rec("ebrt-30gy-10fx", "postoperative", "alternative", "30 Gy/10"),
                    Rec("avoid", "16–18 Gy × 1 spine SBRT"),
                    Rec("avoid", "24 Gy × 1 spine SBRT", "alternative"),
                ),
                "eligible",
                "ineligible",
                "Postoperative setting from the completed surgical Procedure at L1. SINS is deliberately not "
                "documented: the segment is stabilised, so it should not block postoperative SBRT.",
            ),
        ),
    ),
)


def build_examples(as_of: date = EXAMPLES_AS_OF) -> dict[str, JSON]:
    """File name → Bundle for every example patient."""
    return {ex.file: ex.bundle(as_of) for ex in EXAMPLES}


def dump(bundle: JSON) -> str:
    """The committed file format: pretty-printed, sorted keys, trailing newline."""
    return json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_table() -> str:
    """The README table of files, clinical pictures and expected outcomes."""
    lines = ["| file | clinical picture | expected outcome per lesion |", "|---|---|---|"]
    for ex in EXAMPLES:
        parts = []
        for le in ex.lesions:
            recs = "; ".join(r.render() for r in le.recommendations) or "no RT/surgery recommendation"
            verdicts = f"SBRT {le.sbrt}, SIB-IMRT {le.sib_imrt}"
            comment = f" {le.comment}" if le.comment else ""
            parts.append(f"**{le.lesion}**: {recs}; {verdicts}.{comment}")
        lines.append(f"| `{ex.file}` | {ex.picture} | {'<br>'.join(parts)} |")
    return "\n".join(lines) + "\n"


def write_examples(directory: Path = EXAMPLES_DIR, as_of: date = EXAMPLES_AS_OF) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, bundle in build_examples(as_of).items():
        path = directory / name
        path.write_text(dump(bundle), encoding="utf-8")
        written.append(path)
    return written


_BEGIN = "<!-- BEGIN GENERATED TABLE (cds.synthetic.examples.render_table) -->\n"
_END = "<!-- END GENERATED TABLE -->"


def readme_with_table(readme: str) -> str:
    """The README text with its generated table replaced by the current one."""
    head, _, rest = readme.partition(_BEGIN)
    _, _, tail = rest.partition(_END)
    if not rest:
        raise ValueError("README has no generated-table markers")
    return head + _BEGIN + render_table() + _END + tail


def expectations() -> dict[str, Any]:
    """Expected outcomes as plain data, for tests written against the rules engine."""
    return {
        ex.file: [
            {
                "lesion": le.lesion,
                "recommendations": [r._asdict() for r in le.recommendations],
                "eligibility": {"sbrt": le.sbrt, "sib-imrt": le.sib_imrt},
                "comment": le.comment,
            }
            for le in ex.lesions
        ]
        for ex in EXAMPLES
    }


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES_DIR
    for path in write_examples(target):
        print(path)
    readme = target / "README.md"
    if readme.exists():
        readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
        print(readme)
