"""A realistic synthetic cohort for the benchmark.

``generate_cohort(n, seed)`` yields one FHIR R4 Bundle per patient, deterministic for a seed
(patient ``i`` depends only on ``(seed, i)``, so a smaller cohort is a prefix of a larger one).
Each record holds the bone-metastasis facts of the contract drawn with clinically plausible
frequencies — and a realistic share of them missing — plus the noise an EHR export contains
(encounters with vital signs and labs, comorbidities, medications, routine procedures), about
100 resources per patient (70–130).

Frequencies are plausible, not epidemiology: they exist to exercise every branch of the mapper
and the rules at benchmark scale, not to estimate anything.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any, Literal, TypeVar, cast

from cds.anatomy import VERTEBRAE, level_index
from cds.scores.mirels import MIRELS_POINTS, mirels_site_options
from cds.scores.sins import SINS_POINTS, sins_location_for_levels
from cds.state import CorticalInvolvement, Histology, LesionType
from cds.synthetic import terminology as t
from cds.synthetic.builder import JSON, Lesion, PatientBuilder, ago

DEFAULT_AS_OF = date(2026, 11, 20)
T = TypeVar("T")

# Histology → (weight, female share, median survival in months at ECOG 1).
HISTOLOGIES: dict[str, tuple[float, float, float]] = {
    "breast": (0.28, 0.99, 26),
    "prostate": (0.21, 0.0, 28),
    "lung-nsclc": (0.11, 0.45, 9),
    "lung": (0.05, 0.45, 8),
    "lung-sclc": (0.02, 0.45, 5),
    "kidney": (0.07, 0.35, 18),
    "myeloma": (0.07, 0.45, 30),
    "thyroid": (0.02, 0.65, 40),
    "melanoma": (0.02, 0.4, 10),
    "colorectal": (0.03, 0.45, 9),
    "gi-other": (0.02, 0.4, 6),
    "liver": (0.01, 0.25, 6),
    "lymphoma": (0.02, 0.45, 24),
    "sarcoma": (0.01, 0.45, 12),
    "ovary": (0.01, 1.0, 14),
    "germ-cell": (0.005, 0.0, 60),
    "unknown": (0.025, 0.5, 6),
}
ECOG_WEIGHTS = (0.14, 0.36, 0.26, 0.18, 0.06)
ECOG_SURVIVAL_FACTOR = (1.5, 1.0, 0.6, 0.3, 0.12)
LESION_COUNT_WEIGHTS = (22, 14, 10, 8, 6, 5, 5, 5, 6, 6, 6, 7)  # 1..12 bone lesions
VISCERAL_RISK = {
    "lung-nsclc": 0.55, "lung": 0.55, "lung-sclc": 0.7, "breast": 0.35, "kidney": 0.45, "melanoma": 0.6,
    "colorectal": 0.6, "gi-other": 0.6, "liver": 0.5, "prostate": 0.1, "myeloma": 0.0, "thyroid": 0.4,
}  # fmt: skip
DRUGS = {
    "breast": ("letrozole", "palbociclib", "fulvestrant", "capecitabine", "trastuzumab", "paclitaxel"),
    "prostate": ("leuprolide", "enzalutamide", "abiraterone", "docetaxel"),
    "lung-nsclc": ("pembrolizumab", "carboplatin", "pemetrexed", "osimertinib"),
    "lung": ("pembrolizumab", "carboplatin", "pemetrexed"),
    "lung-sclc": ("carboplatin",),
    "kidney": ("cabozantinib", "sunitinib", "nivolumab"),
    "myeloma": ("bortezomib", "lenalidomide"),
    "melanoma": ("nivolumab", "pembrolizumab"),
    "colorectal": ("capecitabine",),
    "ovary": ("carboplatin", "paclitaxel"),
}
LYTIC_SHARE = {"prostate": 0.1, "myeloma": 0.95, "kidney": 0.9, "thyroid": 0.9, "lung-nsclc": 0.7, "lung": 0.7}
UNRELATED_DRUGS = ("lisinopril", "amlodipine", "metformin", "atorvastatin", "omeprazole", "levothyroxine",
                   "metoprolol", "acetaminophen", "ondansetron")  # fmt: skip
GIVEN_NAMES = {
    "female": ("Anna", "Maria", "Julia", "Sofia", "Emma", "Laura", "Sara", "Eva", "Clara", "Lena", "Ruth"),
    "male": ("Lukas", "Paul", "Jonas", "Felix", "David", "Simon", "Peter", "Karl", "Tomas", "Jan", "Ivan"),
}
FAMILY_NAMES = ("Novak", "Horvat", "Meyer", "Rossi", "Garcia", "Kowalski", "Jensen", "Dubois", "Silva",
                "Nagy", "Popescu", "Berg", "Costa", "Weber", "Laine")  # fmt: skip

# Non-spine sites: (weight, site names). Laterality is added where it exists.
NON_SPINE_SITES: tuple[tuple[float, tuple[str, ...], bool], ...] = (
    (0.06, ("pelvis", "ilium", "ischium", "acetabulum"), True),
    (0.03, ("right acetabulum",), False),
    (0.08, ("femur", "femoral head", "femoral neck", "femoral shaft"), True),
    (0.09, ("rib",), True),
    (0.03, ("humerus",), True),
    (0.02, ("scapula",), True),
    (0.01, ("clavicle",), True),
    (0.01, ("cranium",), False),
    (0.005, ("radius", "fibula"), True),
)
SPINE_SHARE = 0.6
UNSPECIFIED_SITE_SHARE = 0.03


def _weighted(rng: random.Random, options: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(options, weights=weights, k=1)[0]


def _level_weights() -> list[float]:
    # Thoracic and lumbar dominate; cervical and sacral are less common.
    weights = []
    for level in VERTEBRAE:
        region = level[0]
        weights.append({"C": 0.5, "T": 1.6, "L": 1.8, "S": 0.6}[region] * (0.3 if level in ("S4", "S5") else 1))
    return weights


_LEVEL_WEIGHTS = _level_weights()


def _neighbourhood(levels: Sequence[str]) -> set[str]:
    """The levels and their immediate neighbours."""
    indices = {i + d for lv in levels for i in (level_index(lv),) for d in (-1, 0, 1)}
    return {VERTEBRAE[i] for i in indices if 0 <= i < len(VERTEBRAE)}


class _Patient:
    """Draws one patient; a class only to share the RNG and builder between the steps."""

    def __init__(self, index: int, seed: int, as_of: date) -> None:
        # String seeding is stable across processes (it is hashed with SHA-512, not hash()).
        self.rng = rng = random.Random(f"bone-mets-cohort:{seed}:{index}")
        self.histology = _weighted(rng, list(HISTOLOGIES), [v[0] for v in HISTOLOGIES.values()])
        _, female_share, median = HISTOLOGIES[self.histology]
        self.sex: Literal["female", "male"] = "female" if rng.random() < female_share else "male"
        self.age = max(28, min(94, round(rng.gauss(66 if self.histology != "germ-cell" else 34, 11))))
        self.ecog = _weighted(rng, range(5), ECOG_WEIGHTS)
        self.survival_months = max(0.5, median * ECOG_SURVIVAL_FACTOR[self.ecog] * rng.lognormvariate(0, 0.5))
        self.as_of = as_of
        name = (rng.choice(GIVEN_NAMES[self.sex]), rng.choice(FAMILY_NAMES))
        self.b = PatientBuilder(f"c{seed}-{index:06d}", as_of=as_of, age=self.age, sex=self.sex, name=name)
        self.target = rng.randint(76, 128)
        self.detail = 1.0

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def documents(self, p: float) -> bool:
        """Whether a lesion-level fact is documented: with many lesions, fewer are worked up in
        detail (scores are recorded for the symptomatic or threatening ones)."""
        return self.rng.random() < p * self.detail

    # ---- patient-level facts ---------------------------------------------------------------

    def patient_facts(self) -> None:
        rng, b, h = self.rng, self.b, self.histology
        diagnosed = self.as_of - timedelta(days=round(rng.expovariate(1 / 1100)) + 60)
        if self.chance(0.93):
            confirmed = _weighted(rng, (True, None, False), (0.85, 0.1, 0.05))
            coding: Literal["icd10", "snomed"] = "snomed" if h in t.PRIMARY_SNOMED and self.chance(0.25) else "icd10"
            b.primary_cancer(
                cast(Histology, h),
                confirmed=confirmed,
                diagnosed=diagnosed if self.chance(0.9) else None,
                coding=coding,
            )
        if h == "breast" and self.chance(0.7):
            er = "positive" if self.chance(0.75) else "negative"
            b.receptors(er=er, pr=er if self.chance(0.8) else "negative",
                        her2="positive" if self.chance(0.18) else "negative", when=diagnosed)  # fmt: skip
        if self.chance(0.3):  # an older, different performance status: "latest wins"
            b.ecog(min(4, max(0, self.ecog + rng.choice((-1, 1)))), when=ago(days=rng.randint(60, 240)))
        if self.chance(0.75):
            b.ecog(self.ecog, when=ago(days=rng.randint(1, 40)), as_answer=self.chance(0.2))
        if self.chance(0.35):
            kps = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)}[self.ecog]
            b.kps(rng.choice(kps), when=ago(days=rng.randint(1, 40)))
        if self.chance(0.35):
            months = self.survival_months
            if months < 3 and self.chance(0.5):
                b.expected_survival(weeks=max(1, round(months * 4.35)))
            elif months > 24 and self.chance(0.3):
                b.expected_survival(years=round(months / 12, 1), code="local" if self.chance(0.2) else "loinc")
            else:
                b.expected_survival(months=max(1, round(months)))
        if self.chance(0.5):
            b.disease_status(_weighted(rng, ("progressing", "stable", "improving"), (0.6, 0.3, 0.1)))
        active = self.chance(0.65)
        drugs = DRUGS.get(h, ())
        chosen = rng.sample(drugs, k=min(len(drugs), rng.randint(1, 2))) if drugs and self.chance(0.8) else []
        b.systemic_therapy(active, drugs=chosen, documented=self.chance(0.6))
        if self.chance(0.3):
            b.prior_palliative_chemo_courses(_weighted(rng, (0, 1, 2, 3), (0.4, 0.3, 0.2, 0.1)))
        if self.chance(0.25):
            b.hospitalised(days_ago=rng.randint(3, 89), length_days=rng.randint(2, 14))
        if self.chance(0.15):
            b.hospitalised(days_ago=rng.randint(95, 400), length_days=rng.randint(2, 10))
        if self.chance(0.8):
            modality = _weighted(rng, ("CT", "PET-CT", "MRI", "bone scan"), (0.5, 0.25, 0.15, 0.1))
            study, report = _weighted(rng, ((True, True), (True, False), (False, True)), (0.5, 0.25, 0.25))
            b.restaging_imaging(days_ago=round(rng.expovariate(1 / 30)), modality=modality, study=study,
                                report=report)  # fmt: skip
        if self.chance(0.4):
            b.medically_operable(self.ecog <= 2 and self.chance(0.8))
        if self.chance(0.35):
            b.primary_controlled(self.chance(0.55))
        if self.chance(0.2):
            b.history(polymetastatic=self.chance(0.2), treated_omd=self.chance(0.25))

    def metastatic_burden(self, n_bone: int) -> None:
        rng, b = self.rng, self.b
        visceral = 0
        if self.chance(VISCERAL_RISK.get(self.histology, 0.3)):
            sites = rng.sample(("liver", "lung", "brain", "adrenal", "pleura", "peritoneum"), k=rng.randint(1, 3))
            for site in sites:
                b.visceral_metastasis(site, onset=ago(days=rng.randint(10, 700)))
            visceral = sum(rng.randint(1, 4) for _ in sites)
        if self.chance(0.25):
            b.nodal_metastasis(rng.choice(("lymph-node", "mediastinal-nodes", "axillary-nodes")))
            visceral += 1
        if self.chance(0.55):
            # Imaging counts may exceed the coded lesions: EHRs rarely code every metastasis.
            bone = n_bone + (rng.randint(1, 10) if self.chance(0.2) else 0)
            b.lesion_counts(bone=bone, metastatic=bone + visceral if self.chance(0.85) else None)

    # ---- lesions -----------------------------------------------------------------------------

    def draw_sites(self, n: int) -> list[tuple[str, ...]]:
        rng = self.rng
        used_levels: set[str] = set()
        used_bones: set[str] = set()
        sites: list[tuple[str, ...]] = []
        for _ in range(n * 4):  # bounded retries when a drawn site is already used
            if len(sites) == n:
                break
            roll = rng.random()
            if roll < UNSPECIFIED_SITE_SHARE:
                sites.append(())
            elif roll < SPINE_SHARE:
                level = _weighted(rng, VERTEBRAE, _LEVEL_WEIGHTS)
                levels = [level]
                i = level_index(level)
                if self.chance(0.2) and i + 1 < len(VERTEBRAE):
                    levels.append(VERTEBRAE[i + 1])
                if _neighbourhood(levels) & used_levels:
                    continue  # touching another lesion: contiguous levels would be one lesion
                used_levels |= set(levels)
                sites.append(tuple(levels))
            else:
                _, names, lateral = _weighted(rng, NON_SPINE_SITES, [s[0] for s in NON_SPINE_SITES])
                name = rng.choice(names)
                if lateral:
                    name = f"{rng.choice(('left', 'right'))} {name}"
                if name in used_bones:
                    continue
                used_bones.add(name)
                sites.append((name,))
        return sites

    def lesions(self) -> None:
        rng, b = self.rng, self.b
        weights = LESION_COUNT_WEIGHTS if self.histology != "myeloma" else tuple(reversed(LESION_COUNT_WEIGHTS))
        n_bone = _weighted(rng, range(1, 13), weights)
        self.detail = min(1.0, (4 / n_bone) ** 0.6)
        self.metastatic_burden(n_bone)
        lesions = [(b.bone_metastasis(*site, coding="icd10" if self.chance(0.15) else "snomed",
                                      onset=ago(days=rng.randint(5, 900)) if self.chance(0.5) else False), site)
                   for site in self.draw_sites(n_bone)]  # fmt: skip
        spine = [les for les, site in lesions if les.levels]
        mescc = spine[0] if spine and self.chance(0.07 * (1 + len(spine) / 6)) else None
        if mescc is not None:
            self.compression(mescc)
        elif self.chance(0.5):
            b.neurology(deficit=False if self.chance(0.9) else None, ambulatory=self.ecog < 4)
        prior_any = False
        for les, _ in lesions:
            prior_any |= self.lesion_facts(les, les is mescc)
        if not prior_any and self.chance(0.25):
            b.no_prior_radiotherapy()

    def compression(self, les: Lesion) -> None:
        rng, b = self.rng, self.b
        lumbosacral = les.levels[0][0] in "LS" and les.levels[0] not in ("L1",)
        if lumbosacral and self.chance(0.3):
            b.cauda_equina(les, onset_days_ago=rng.randint(0, 14))
        else:
            b.cord_compression(
                les, onset_days_ago=rng.randint(0, 14), coding="snomed" if self.chance(0.85) else "icd10"
            )
        if self.chance(0.6):
            b.bilsky(les, _weighted(rng, ("1c", "2", "3"), (0.15, 0.45, 0.4)))
        if self.chance(0.85):
            deficit = self.chance(0.85)
            b.neurology(
                deficit=deficit,
                ambulatory=self.chance(0.65) if self.chance(0.9) else None,
                motor_deficit_days=round(rng.expovariate(1 / 5), 1) if deficit and self.chance(0.6) else None,
                paraplegia_hours=rng.randint(4, 120) if deficit and self.chance(0.1) else None,
            )

    def lesion_facts(self, les: Lesion, compressed: bool) -> bool:
        """Lesion-level facts with realistic gaps; returns whether RT was given at the site."""
        rng, b = self.rng, self.b
        lytic = LYTIC_SHARE.get(self.histology, 0.55)
        kind = _weighted(rng, ("lytic", "mixed", "blastic"), (lytic, (1 - lytic) / 2, (1 - lytic) / 2))
        if self.documents(0.55):
            b.lesion_type(les, cast(LesionType, kind))
        if self.documents(0.45):
            size = max(0.4, rng.gammavariate(2.5, 1.0))
            if self.chance(0.3):
                b.lesion_size(les, mm=round(size * 10))
            else:
                b.lesion_size(les, cm=round(size, 1))
        if self.documents(0.6):
            b.pain(les, _weighted(rng, range(11), (12, 4, 6, 8, 9, 9, 10, 10, 8, 5, 3)),
                   loinc="38208-5" if self.chance(0.1) else "72514-3")  # fmt: skip
        if les.levels:
            self.spine_facts(les, kind, compressed)
        elif les.sites:
            self.bone_facts(les, kind)
        if self.chance(0.025):
            b.pathological_fracture(les, onset_days_ago=rng.randint(1, 60))
        elif self.documents(0.2):
            b.pathological_fracture(les, present=False)
        if self.documents(0.2):
            b.contiguous_compartments(les, _weighted(rng, (1, 2, 3), (0.7, 0.2, 0.1)))
        if self.chance(0.015):
            b.planned_surgery(les)
        elif self.documents(0.15):
            b.planned_surgery(les, False)
        if les.sites and self.chance(0.015):
            b.surgery_done(les, days_ago=rng.randint(7, 120))
        if les.sites and self.chance(0.08):
            dose, fractions, stereo = _weighted(
                rng, ((8, 1, False), (20, 5, False), (30, 10, False), (24, 2, True), (None, None, False)),
                (0.3, 0.25, 0.15, 0.1, 0.2),
            )  # fmt: skip
            b.prior_radiotherapy(les, dose_gy=dose, fractions=fractions, stereotactic=stereo,
                                 days_ago=rng.randint(45, 1500))  # fmt: skip
            return True
        if self.documents(0.1):
            b.no_prior_radiotherapy(les)
        return False

    def spine_facts(self, les: Lesion, kind: str, compressed: bool) -> None:
        rng, b = self.rng, self.b
        if self.documents(0.45):
            answers = {
                "location": sins_location_for_levels(les.levels),
                "pain": _weighted(rng, tuple(SINS_POINTS["pain"]), (0.35, 0.4, 0.25)),
                "bone_lesion": kind,
                "alignment": _weighted(rng, tuple(SINS_POINTS["alignment"]), (0.05, 0.1, 0.85)),
                "collapse": _weighted(rng, tuple(SINS_POINTS["collapse"]), (0.1, 0.2, 0.25, 0.45)),
                "posterolateral": _weighted(rng, tuple(SINS_POINTS["posterolateral"]), (0.15, 0.35, 0.5)),
            }
            total = sum(SINS_POINTS[k][v] for k, v in answers.items())
            style = _weighted(rng, ("components", "partial", "total", "both"), (0.5, 0.2, 0.15, 0.15))
            if style == "partial":
                answers = {k: v for k, v in answers.items() if self.chance(0.6)} or {"pain": answers["pain"]}
            b.sins(les, total if style in ("total", "both") else None,
                   **(answers if style != "total" else {}))  # fmt: skip
        if not compressed:
            if self.documents(0.45):
                b.bilsky(les, _weighted(rng, ("0", "1a", "1b", "1c"), (0.6, 0.2, 0.12, 0.08)))
            if self.documents(0.25):
                b.no_cord_compression(les)
        if self.documents(0.2):
            b.posterior_elements(les, self.chance(0.35))
        if self.documents(0.15):
            b.extraosseous_extension(les, self.chance(0.3))

    def bone_facts(self, les: Lesion, kind: str) -> None:
        rng, b = self.rng, self.b
        options = mirels_site_options(les.sites[0])
        if not options:
            return
        site = options[0]  # a bare femur: the documenting clinician scores it as lower limb (shaft)
        cortex = _weighted(rng, tuple(MIRELS_POINTS["size"]), (0.5, 0.35, 0.15))
        if self.documents(0.4):
            b.cortical_involvement(les, cast(CorticalInvolvement, cortex))
        if self.documents(0.55):
            answers = {
                "site": site,
                "pain": _weighted(rng, tuple(MIRELS_POINTS["pain"]), (0.4, 0.35, 0.25)),
                "lesion": kind,
                "size": cortex,
            }
            if self.chance(0.3):
                b.mirels(les, sum(MIRELS_POINTS[k][v] for k, v in answers.items()))
            else:
                b.mirels(les, **answers)
        if self.documents(0.2):
            b.impending_fracture(les, self.chance(0.3))

    # ---- EHR noise ---------------------------------------------------------------------------

    def noise(self) -> None:
        rng, b = self.rng, self.b
        for name in rng.sample(list(t.COMORBIDITIES), k=rng.randint(0, 4)):
            b.comorbidity(name, onset=ago(days=rng.randint(400, 9000)))
        for drug in rng.sample(UNRELATED_DRUGS, k=rng.randint(1, 4)):
            b.medication(drug, active=self.chance(0.8), authored=ago(days=rng.randint(10, 900)))
        if self.chance(0.6):
            b.medication(rng.choice(("oxycodone", "morphine")), authored=ago(days=rng.randint(1, 120)))
        if self.chance(0.4):
            b.medication(rng.choice(("zoledronic-acid", "denosumab")), authored=ago(days=rng.randint(30, 600)))
        weight = max(40.0, rng.gauss(t.VITALS["body-weight"].mean, t.VITALS["body-weight"].sd))
        marker = t.TUMOUR_MARKER_LABS.get(self.histology)
        # Outpatient visits over the last year until the record reaches its drawn size.
        visits = 0
        while len(b) + 7 <= self.target or visits == 0:  # a visit adds 7 resources at least
            visits += 1
            days = rng.uniform(1, 365)
            encounter = b.encounter(round(days, 2), klass="AMB" if self.chance(0.9) else "EMER")
            when = ago(days=days - 0.02)
            values = {k: round(rng.gauss(m.mean, m.sd), m.decimals) for k, m in t.VITALS.items() if k != "body-weight"}
            values["body-weight"] = round(weight + rng.gauss(0, 1.5), 1)
            values["systolic"] = round(rng.gauss(t.SYSTOLIC.mean, t.SYSTOLIC.sd))
            values["diastolic"] = round(rng.gauss(t.DIASTOLIC.mean, t.DIASTOLIC.sd))
            b.vital_signs(values, when=when, encounter=encounter)
            room = self.target - len(b)  # labs only while they fit, so records stay near their size
            if room >= 5 and self.chance(0.5):
                b.procedure("venipuncture", days_ago=days - 0.03, encounter=encounter)
                for lab in rng.sample(list(t.LABS), k=min(room - 2, rng.randint(3, 6))):
                    m = t.LABS[lab]
                    b.lab(lab, max(0.01, round(rng.gauss(m.mean, m.sd), m.decimals)), when=when, encounter=encounter)
                if marker and self.target > len(b) and self.chance(0.5):
                    b.lab(self.histology, max(0.1, round(rng.gauss(marker.mean, marker.sd), 1)), when=when)
            if self.target > len(b) and self.chance(0.1):
                b.procedure(rng.choice(("ct", "mri", "radiography", "medication-reconciliation")),
                            days_ago=days, encounter=encounter)  # fmt: skip

    def build(self) -> PatientBuilder:
        self.patient_facts()
        self.lesions()
        self.noise()
        return self.b


def cohort_patient(index: int, seed: int = 0, as_of: date = DEFAULT_AS_OF) -> PatientBuilder:
    """The builder of patient ``index`` of the cohort ``seed``."""
    return _Patient(index, seed, as_of).build()


def generate_cohort(n: int, seed: int = 0, as_of: date = DEFAULT_AS_OF) -> Iterator[JSON]:
    """One collection Bundle per patient, deterministic for ``seed``."""
    for index in range(n):
        yield cohort_patient(index, seed, as_of).bundle(copy=False)


def write_cohort(
    directory: str | Path,
    n: int,
    seed: int = 0,
    fmt: Literal["bundle", "ndjson"] = "bundle",
    as_of: date = DEFAULT_AS_OF,
) -> list[Path]:
    """Write the cohort: one ``<patient id>.json`` Bundle per patient, or a FHIR Bulk Data
    export folder (one ``<ResourceType>.ndjson`` file per resource type, one resource a line).
    Returns the files written."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "bundle":
        paths = []
        for bundle in generate_cohort(n, seed, as_of):
            path = out / f"{bundle['entry'][0]['resource']['id']}.json"
            path.write_text(json.dumps(bundle, separators=(",", ":")), encoding="utf-8")
            paths.append(path)
        return paths
    if fmt != "ndjson":
        raise ValueError(f"fmt must be 'bundle' or 'ndjson', got {fmt!r}")
    files: dict[str, IO[str]] = {}
    try:
        for index in range(n):
            for resource in cohort_patient(index, seed, as_of).resources(copy=False):
                kind = resource["resourceType"]
                if kind not in files:
                    files[kind] = (out / f"{kind}.ndjson").open("w", encoding="utf-8")
                files[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
    finally:
        for handle in files.values():
            handle.close()
    return sorted(out / f"{kind}.ndjson" for kind in files)


def _main(argv: Sequence[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Write a synthetic bone-metastasis cohort.")
    parser.add_argument("directory")
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("bundle", "ndjson"), default="bundle")
    args: Any = parser.parse_args(argv)
    paths = write_cohort(args.directory, args.n, args.seed, args.format)
    print(f"wrote {len(paths)} files to {args.directory}")


if __name__ == "__main__":
    import sys

    _main(sys.argv[1:])
