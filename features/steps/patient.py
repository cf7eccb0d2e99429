"""Given steps about the patient: who they are, the primary cancer, performance status,
prognosis, metastatic burden, history and neurology. Each becomes FHIR through the builder."""

from __future__ import annotations

from pytest_bdd import given, parsers

from steps.context import PatientSpec, ScenarioContext
from steps.vocabulary import CANCERS, SEXES, lookup, months

DAYS_PER_MONTH = 30.4375
UNDOCUMENTED: dict[str, tuple[str, ...]] = {
    "the primary cancer": ("primary",),
    "the ECOG": ("ecog",),
    "the performance status": ("ecog", "kps"),
    "the expected survival": ("survival",),
    "the lesion counts": ("counts",),
    "restaging imaging": ("imaging",),
    "previous radiotherapy": ("no-prior-rt", "prior-rt"),
    "operability": ("operable",),
    "the neurological status": ("deficit", "ambulatory", "motor-onset", "paraplegia"),
    "SINS": ("sins",),
    "the Bilsky grade": ("bilsky",),
    "pain": ("pain",),
    "the Mirels score": ("mirels",),
    "planned surgery": ("planned-surgery",),
    "cord compression": ("compression",),
    "a pathological fracture": ("fracture",),
    "the lesion size": ("size",),
}
"""Phrase → the facts (step keys) that a Background documented and a scenario leaves out."""
ORGANS = {"liver": "liver", "brain": "brain", "lung": "lung", "pleural": "pleura", "adrenal": "adrenal",
          "peritoneal": "peritoneum", "nodal": "lymph-node"}


# ---- who -----------------------------------------------------------------------------------------


@given(parsers.re(r"an? (?P<age>\d+)-year-old (?P<sex>woman|man) with (?P<cancer>.+?)"
                  r"(?: diagnosed (?P<n>\d+) (?P<unit>months|years) ago)?"
                  r"(?P<unconfirmed>, not histologically confirmed)?"))
def _patient(bdd: ScenarioContext, age: str, sex: str, cancer: str, n: str | None, unit: str | None,
             unconfirmed: str | None) -> None:
    bdd.patient = PatientSpec(age=int(age), sex=SEXES[sex], histology=lookup(CANCERS, cancer, "primary cancer"),
                              confirmed=unconfirmed is None)
    if n is not None:
        bdd.patient.diagnosed_days_ago = int(n) * (DAYS_PER_MONTH if unit == "months" else 365.25)


@given(parsers.re(r"an? (?P<age>\d+)-year-old (?P<sex>woman|man) with bone metastases and no documented "
                  r"primary cancer"))
def _patient_no_primary(bdd: ScenarioContext, age: str, sex: str) -> None:
    bdd.patient = PatientSpec(age=int(age), sex=SEXES[sex])


@given(parsers.re(r"the primary cancer is (?!not documented)(?P<cancer>.+?)"
                  r"(?P<unconfirmed>, not histologically confirmed)?"))
def _primary(bdd: ScenarioContext, cancer: str, unconfirmed: str | None) -> None:
    spec = bdd.spec()
    spec.histology = lookup(CANCERS, cancer, "primary cancer")
    spec.confirmed = unconfirmed is None


@given(parsers.re(r"the patient is (?P<age>\d+) years old"))
def _age(bdd: ScenarioContext, age: str) -> None:
    bdd.spec().age = int(age)


@given(parsers.re(r"the primary cancer was diagnosed (?P<n>\d+) (?P<unit>months|years) ago"))
def _diagnosed(bdd: ScenarioContext, n: str, unit: str) -> None:
    bdd.spec().diagnosed_days_ago = int(n) * (DAYS_PER_MONTH if unit == "months" else 365.25)


@given("a patient whose record documents nothing but a bone metastasis")
def _patient_bare(bdd: ScenarioContext) -> None:
    bdd.patient = PatientSpec()


# ---- performance status and prognosis ------------------------------------------------------------


@given(parsers.re(r"ECOG (?P<score>\d)"))
def _ecog(bdd: ScenarioContext, score: str) -> None:
    bdd.spec().set("ecog", lambda b: b.ecog(int(score)))


@given(parsers.re(r"KPS (?P<score>\d+)"))
def _kps(bdd: ScenarioContext, score: str) -> None:
    bdd.spec().set("kps", lambda b: b.kps(int(score)))


@given(parsers.re(r"an expected survival of (?P<value>\d+(?:\.\d+)?) (?P<unit>months?|weeks?|years?)"))
def _survival(bdd: ScenarioContext, value: str, unit: str) -> None:
    duration = months(float(value), unit)
    bdd.spec().set("survival", lambda b: b.expected_survival(**duration))


@given(parsers.re(r"(?P<n>\d+) prior palliative chemotherapy courses?"))
def _chemo(bdd: ScenarioContext, n: str) -> None:
    bdd.spec().set("chemo", lambda b: b.prior_palliative_chemo_courses(int(n)))


@given(parsers.re(r"admitted to hospital (?P<days>\d+) days ago"))
def _hospitalised(bdd: ScenarioContext, days: str) -> None:
    bdd.spec().set("hospitalised", lambda b: b.hospitalised(days_ago=int(days), length_days=3))


# ---- burden and disease course -------------------------------------------------------------------


@given(parsers.re(r"(?P<bone>\d+) bone metastas(?:is|es) and (?P<total>\d+) metastatic lesions? in total "
                  r"on the latest imaging"))
def _counts(bdd: ScenarioContext, bone: str, total: str) -> None:
    bdd.spec().set("counts", lambda b: b.lesion_counts(bone=int(bone), metastatic=int(total)))


@given(parsers.re(r"bone-only disease with (?P<n>\d+) bone metastas(?:is|es)"))
def _bone_only(bdd: ScenarioContext, n: str) -> None:
    bdd.spec().set("counts", lambda b: b.lesion_counts(bone=int(n), metastatic=int(n)))


@given(parsers.re(r"(?P<organ>liver|brain|lung|pleural|adrenal|peritoneal|nodal) metastases"))
def _visceral(bdd: ScenarioContext, organ: str) -> None:
    bdd.spec().set(f"visceral-{organ}", lambda b: b.visceral_metastasis(ORGANS[organ]))


@given(parsers.re(r"disease (?P<status>progressing|stable|improving) at the last evaluation"))
def _disease_status(bdd: ScenarioContext, status: str) -> None:
    bdd.spec().set("disease-status", lambda b: b.disease_status(status))  # type: ignore[arg-type]


@given(parsers.re(r"(?P<on>on|no) active systemic therapy"))
def _systemic(bdd: ScenarioContext, on: str) -> None:
    bdd.spec().set("systemic", lambda b: b.systemic_therapy(on == "on"))


@given(parsers.re(r"restaging (?P<modality>PET-CT|CT|MRI) (?P<days>\d+) days? ago"))
def _imaging(bdd: ScenarioContext, modality: str, days: str) -> None:
    bdd.spec().set("imaging", lambda b: b.restaging_imaging(days_ago=int(days), modality=modality))


@given("a history of polymetastatic disease")
def _history_poly(bdd: ScenarioContext) -> None:
    bdd.spec().set("history", lambda b: b.history(polymetastatic=True, treated_omd=False))


@given("oligometastatic disease treated before")
def _history_omd(bdd: ScenarioContext) -> None:
    bdd.spec().set("history", lambda b: b.history(polymetastatic=False, treated_omd=True))


@given("no history of polymetastatic or treated oligometastatic disease")
def _history_none(bdd: ScenarioContext) -> None:
    bdd.spec().set("history", lambda b: b.history(polymetastatic=False, treated_omd=False))


# ---- surgery and previous treatment --------------------------------------------------------------


@given(parsers.re(r"(?P<neg>not )?medically operable"))
def _operable(bdd: ScenarioContext, neg: str | None) -> None:
    bdd.spec().set("operable", lambda b: b.medically_operable(neg is None))


@given(parsers.re(r"the primary tumour is (?P<neg>not )?controlled"))
def _primary_controlled(bdd: ScenarioContext, neg: str | None) -> None:
    bdd.spec().set("primary-controlled", lambda b: b.primary_controlled(neg is None))


@given("no previous radiotherapy anywhere")
def _no_rt_anywhere(bdd: ScenarioContext) -> None:
    bdd.spec().set("no-prior-rt", lambda b: b.no_prior_radiotherapy())


# ---- facts left undocumented ---------------------------------------------------------------------


@given(parsers.re(r"(?P<what>.+?) (?:is|are) not documented(?: at (?P<site>.+?))?\s*"))
def _not_documented(bdd: ScenarioContext, what: str, site: str | None) -> None:
    """Remove what a Background documented: 'the ECOG is not documented', 'SINS is not documented at L3'."""
    spec = bdd.spec()
    facts = UNDOCUMENTED.get(what)
    if facts is None:
        raise AssertionError(f'"{what}": ' + "known: " + ", ".join(f'"{k}"' for k in UNDOCUMENTED))
    ops = spec.lesion(site).ops if site else spec.ops
    for fact in facts:
        if fact == "primary":
            spec.histology = None
        ops.pop(fact, None)


# ---- neurology -----------------------------------------------------------------------------------


def _neurology(spec: PatientSpec, fact: str, **kwargs: bool | float) -> None:
    spec.set(fact, lambda b: b.neurology(**kwargs))  # type: ignore[arg-type]


@given(parsers.re(r"(?P<which>a|no) neurological deficit"))
def _deficit(bdd: ScenarioContext, which: str) -> None:
    _neurology(bdd.spec(), "deficit", deficit=which == "a")


@given(parsers.re(r"(?P<which>still|not) walking"))
def _walking(bdd: ScenarioContext, which: str) -> None:
    _neurology(bdd.spec(), "ambulatory", ambulatory=which == "still")


@given(parsers.re(r"motor deficits developing over (?P<days>\d+(?:\.\d+)?) days?"))
def _motor_onset(bdd: ScenarioContext, days: str) -> None:
    _neurology(bdd.spec(), "motor-onset", motor_deficit_days=float(days))


@given(parsers.re(r"paraplegic for (?P<hours>\d+) hours"))
def _paraplegic(bdd: ScenarioContext, hours: str) -> None:
    spec = bdd.spec()
    _neurology(spec, "deficit", deficit=True)
    _neurology(spec, "ambulatory", ambulatory=False)
    _neurology(spec, "paraplegia", paraplegia_hours=float(hours))
