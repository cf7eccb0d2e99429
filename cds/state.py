"""The clinical state: every fact the rules may read, each with its provenance.

An unknown fact is *absent* (the field is ``None`` and is dropped on serialisation);
it is never ``null`` in the output and never ``False``. A derived fact says how it was
derived and from which inputs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

Origin = Literal["documented", "derived"]

Histology = Literal[
    "breast",
    "prostate",
    "lung",  # lung, subtype not documented
    "lung-nsclc",
    "lung-sclc",
    "kidney",
    "melanoma",
    "thyroid",
    "liver",
    "colorectal",
    "gi-other",
    "sarcoma",
    "myeloma",
    "lymphoma",
    "leukaemia",
    "germ-cell",
    "ovary",
    "neuroendocrine",
    "other",
    "unknown",
]
Radiosensitivity = Literal["highly-sensitive", "sensitive", "resistant"]
Region = Literal["spine", "pelvis", "long-bone", "rib", "shoulder-girdle", "skull", "other", "unspecified"]
BilskyGrade = Literal["0", "1a", "1b", "1c", "2", "3"]
SurvivalBand = Literal["short", "intermediate", "long"]
DiseaseStatus = Literal["progressing", "stable", "improving", "complete-remission"]
ReceptorStatus = Literal["positive", "negative"]
LesionType = Literal["lytic", "mixed", "blastic"]
CorticalInvolvement = Literal["under-one-third", "one-to-two-thirds", "over-two-thirds"]
SinsBand = Literal["stable", "indeterminate", "unstable"]
MirelsBand = Literal["low-risk", "borderline", "high-risk"]


class SilenceRead(BaseModel):
    """A silence read as absence (or as the recorded count), as the fact catalogue allows."""

    model_config = ConfigDict(frozen=True)

    fact: str
    """The catalogue key (rules/facts.yaml), e.g. ``prior-radiotherapy``."""
    confirm: str
    """What to confirm before acting, e.g. "no radiotherapy to L3 or next to it given elsewhere"."""
    searched: tuple[str, ...] = ()
    """The resource types the input covered and that hold no such fact."""


class Fact(BaseModel, Generic[T]):
    """One fact with its provenance."""

    model_config = ConfigDict(frozen=True)

    value: T
    origin: Origin = "documented"
    sources: tuple[str, ...] = ()
    """FHIR references of the resources the value came from, e.g. ``Observation/ecog-1``."""
    method: str | None = None
    """For a derived fact: how it was derived, in words (e.g. "ECOG from KPS 70")."""
    inputs: dict[str, Any] | None = None
    """For a derived fact: the input values it was computed from."""
    effective: datetime | date | None = None
    """When the source observation was made, when known."""
    assumes: tuple[SilenceRead, ...] = ()
    """What this value rests on that the record does not say (a silence read as absence, as the
    fact catalogue allows): to confirm before acting."""

    @property
    def derived(self) -> bool:
        return self.origin == "derived"


AnyFact = Fact[Any]
"""``Fact[Any]``, parametrised once: pydantic's ``__class_getitem__`` costs ~10 µs per use, and the
mapper makes a few dozen facts per patient."""


def documented(value: T, *sources: str, effective: datetime | date | None = None) -> Fact[T]:
    return AnyFact(value=value, origin="documented", sources=tuple(s for s in sources if s), effective=effective)


def derived(
    value: T,
    method: str,
    *,
    sources: tuple[str, ...] | list[str] = (),
    inputs: dict[str, Any] | None = None,
    assumes: tuple[SilenceRead, ...] | list[SilenceRead] = (),
    effective: datetime | date | None = None,
) -> Fact[T]:
    return AnyFact(
        value=value, origin="derived", sources=tuple(dict.fromkeys(sources)), method=method, inputs=inputs,
        assumes=tuple(dict.fromkeys(assumes)), effective=effective,
    )


class ScoreEstimate(BaseModel):
    """A score that may be only partly known: the range of possible totals and what is missing."""

    model_config = ConfigDict(frozen=True)

    name: str
    total: int | None = None
    minimum: int
    maximum: int
    band: str | None = None
    """The band when every possible total falls in one band."""
    bands: tuple[str, ...] = ()
    """Every band the possible totals span."""
    components: dict[str, Any] = Field(default_factory=dict)
    points: dict[str, int] = Field(default_factory=dict)
    missing: tuple[str, ...] = ()
    origin: Origin = "derived"
    sources: tuple[str, ...] = ()
    note: str | None = None


class SurvivalEstimate(BaseModel):
    """A prognostic model applied to this patient (TEACHH, Chow, Rades)."""

    model_config = ConfigDict(frozen=True)

    model: Literal["teachh", "chow", "rades"]
    score: ScoreEstimate
    group: str | None = None
    median_months: float | None = None
    band: SurvivalBand | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    missing: tuple[str, ...] = ()
    citation: str


class RadiotherapyCourse(BaseModel):
    """A previous radiotherapy course (Procedure, or a Z92.3 history Condition)."""

    model_config = ConfigDict(frozen=True)

    id: str
    status: str | None = None
    performed: date | None = None
    site: str | None = None
    levels: tuple[str, ...] = ()
    bones: tuple[str, ...] = ()
    site_codes: tuple[str, ...] = ()
    total_dose_gy: float | None = None
    fractions: int | None = None
    stereotactic: bool | None = None
    involves_reirradiation: bool | None = None
    sources: tuple[str, ...] = ()
    started: date | None = None
    """First day of the course, when known (a course built from sessions: its first session)."""
    sessions: int | None = None
    """For a course built from per-fraction session Procedures: how many sessions it groups."""
    site_derived_from: str | None = None
    """When no bodySite was recorded: the Condition the course treats, whose site ``site`` is (derived)."""


class PriorRadiotherapyAtSite(BaseModel):
    """What is known about radiotherapy previously given at one lesion's site."""

    model_config = ConfigDict(frozen=True)

    at_site: Fact[bool]
    courses: tuple[str, ...] = ()
    last_course_date: date | None = None
    interval_months: float | None = None
    total_dose_gy: float | None = None
    fractions: int | None = None
    dose_known: bool = False
    stereotactic: bool | None = None
    cord_bed2: float | None = None
    cord_eqd2: float | None = None
    interval_days: int | None = None
    adjacent_only: bool = False
    """Every course counted here is at a vertebra next to the lesion, none at its levels."""


class Neurology(BaseModel):
    """Neurological status (patient level; applies to the compressing lesion)."""

    model_config = ConfigDict(frozen=True)

    neurological_deficit: Fact[bool] | None = None
    ambulatory: Fact[bool] | None = None
    paraplegic: Fact[bool] | None = None
    paraplegia_hours: Fact[float] | None = None
    motor_deficit_days: Fact[float] | None = None


class LesionState(BaseModel):
    """One bone metastasis."""

    model_config = ConfigDict(frozen=True)

    id: str
    """FHIR reference of the lesion's resource (``Condition/<id>`` or a ``urn:uuid:`` fullUrl)."""
    site: str = "unspecified"
    region: Region = "unspecified"
    levels: tuple[str, ...] = ()
    bone: str | None = None
    laterality: str | None = None
    site_codes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    sins_total: Fact[int] | None = None
    """SINS total as documented (an Observation's valueInteger)."""
    sins_components: dict[str, Fact[str]] = Field(default_factory=dict)
    """Documented SINS components: location, pain, bone_lesion, alignment, collapse, posterolateral."""
    sins: ScoreEstimate | None = None
    """SINS as used by the rules: documented total, or the range computed from the components."""
    bilsky_grade: Fact[BilskyGrade] | None = None
    cord_compression: Fact[bool] | None = None
    """Metastatic epidural spinal cord compression at this lesion (MESCC)."""
    cauda_equina_only: Fact[bool] | None = None
    compression_areas: Fact[int] | None = None
    cord_compression_onset: Fact[date] | None = None
    pathological_fracture: Fact[bool] | None = None
    impending_fracture: Fact[bool] | None = None
    lesion_type: Fact[LesionType] | None = None
    size_cm: Fact[float] | None = None
    cortical_involvement: Fact[CorticalInvolvement] | None = None
    mirels_total: Fact[int] | None = None
    mirels_components: dict[str, Fact[str]] = Field(default_factory=dict)
    """Documented Mirels components: site, pain, lesion, size."""
    mirels: ScoreEstimate | None = None
    pain_score: Fact[int] | None = None
    painful: Fact[bool] | None = None
    posterior_elements: Fact[bool] | None = None
    extraosseous_extension: Fact[bool] | None = None
    neuropathic_pain: Fact[bool] | None = None
    """Neuropathic (radicular) pain from this lesion (ESTRO-ACROP: a complicated metastasis)."""
    surgeon_judged_stable: Fact[bool] | None = None
    """A spine surgeon's judgement that the spine at this lesion is stable (SINS 7–12 needs one)."""
    surgery_declined: Fact[bool] | None = None
    """Surgery at this site declined by the patient or judged not possible by the surgeon."""
    contiguous_compartments: Fact[int] | None = None
    planned_surgery: Fact[bool] | None = None
    postoperative: Fact[bool] | None = None
    """Surgery (decompression/stabilisation/fixation) already done at this site."""
    prior_rt: PriorRadiotherapyAtSite | None = None
    high_risk_site: Fact[bool] | None = None
    near_cord: Fact[bool] | None = None
    """Lesion within about 3 mm of the spinal cord (SABR-COMET exclusion)."""
    undecidable: tuple[str, ...] = ()
    """Rule facts for which the record holds evidence that may or may not concern this lesion (a
    radiotherapy course or an order without a site): their absence is not a silence."""
    first_documented: date | None = None
    """When the lesion was first documented (onset or recorded date)."""


class StaleFact(BaseModel):
    """A documented value withdrawn because it is older than its catalogue's currency window."""

    model_config = ConfigDict(frozen=True)

    fact: str
    """The catalogue key (facts.yaml), e.g. ``performance-status``."""
    field: str
    """Where it sat in the state, e.g. ``patient.ecog``."""
    last_documented: date
    lesion: str | None = None
    current_for_days: int
    sources: tuple[str, ...] = ()


class Warning_(BaseModel):
    model_config = ConfigDict(frozen=True)

    resource: str | None = None
    message: str


class PatientState(BaseModel):
    """Everything the rules may know about one patient, as of ``as_of``."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    as_of: datetime
    sources: tuple[str, ...] = ()
    coverage: tuple[str, ...] | None = None
    """The FHIR resource types the input covers; None: the whole record (every type)."""

    age: Fact[int] | None = None
    sex: Fact[str] | None = None
    deceased: Fact[bool] | None = None
    deceased_date: Fact[date] | None = None

    histology: Fact[Histology] | None = None
    radiosensitivity: Fact[Radiosensitivity] | None = None
    histologically_confirmed: Fact[bool] | None = None
    primary_diagnosis_date: Fact[date] | None = None
    er_status: Fact[ReceptorStatus] | None = None
    pr_status: Fact[ReceptorStatus] | None = None
    her2_status: Fact[ReceptorStatus] | None = None

    ecog: Fact[int] | None = None
    kps: Fact[int] | None = None

    expected_survival_months: Fact[float] | None = None
    survival_band: Fact[SurvivalBand] | None = None
    survival_estimates: tuple[SurvivalEstimate, ...] = ()

    metastases_diagnosed: Fact[date] | None = None
    """When metastatic disease was first diagnosed (earliest onset of a metastasis Condition)."""
    bone_lesion_count: Fact[int] | None = None
    bone_lesions_needing_rt: Fact[int] | None = None
    """Bone lesions requiring RT for symptom relief or local control (Marazzi's ≤ 5), as documented."""
    metastatic_lesion_count: Fact[int] | None = None
    visceral_metastases: Fact[bool] | None = None
    hepatic_metastases: Fact[bool] | None = None
    brain_metastases: Fact[bool] | None = None
    bone_only_disease: Fact[bool] | None = None
    disease_status: Fact[DiseaseStatus] | None = None
    distant_metastasis_staged: Fact[bool] | None = None
    """TNM M1 / stage group IV (or mCODE "distant metastasis present") documented: evidence of metastatic
    disease whatever the metastasis Conditions say. Only ever True: an M0 is not read as absence."""
    active_systemic_therapy: Fact[bool] | None = None
    prior_palliative_chemo_courses: Fact[int] | None = None
    hospitalised_last_3_months: Fact[bool] | None = None
    last_restaging_imaging: Fact[date] | None = None
    restaging_imaging_age_days: Fact[int] | None = None
    medically_operable: Fact[bool] | None = None
    primary_controlled: Fact[bool] | None = None
    history_polymetastatic: Fact[bool] | None = None
    history_treated_omd: Fact[bool] | None = None
    any_prior_radiotherapy: Fact[bool] | None = None

    oligometastatic: Fact[bool] | None = None
    polymetastatic: Fact[bool] | None = None
    omd_class: Fact[str] | None = None

    neurology: Neurology = Field(default_factory=Neurology)
    lesions: tuple[LesionState, ...] = ()
    radiotherapy_courses: tuple[RadiotherapyCourse, ...] = ()
    stale: tuple[StaleFact, ...] = ()
    warnings: tuple[Warning_, ...] = ()

    def covers(self, *resource_types: str) -> bool:
        """The input covers every one of these resource types (so their silence is "not recorded")."""
        return self.coverage is None or all(t in self.coverage for t in resource_types)

    @property
    def is_deceased(self) -> bool:
        return self.deceased is not None and self.deceased.value is True

    def lesion(self, lesion_id: str) -> LesionState:
        for lesion in self.lesions:
            if lesion.id == lesion_id:
                return lesion
        raise KeyError(lesion_id)
