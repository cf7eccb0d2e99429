"""A FHIR R4 patient builder in clinical language.

    b = PatientBuilder("pt-mescc", as_of=date(2026, 11, 20), age=62, sex="female")
    b.primary_cancer("breast", confirmed=True, diagnosed=date(2019, 5, 1))
    b.ecog(1).expected_survival(months=8)
    t8 = b.bone_metastasis("T8")
    b.bilsky(t8, "3").cord_compression(t8, onset_days_ago=1)
    bundle = b.bundle()

Every resource is a plain JSON dict that validates with ``fhir.resources.R4B`` and carries
exactly the codes of ``contract/fhir-input.md`` (tables in :mod:`cds.synthetic.terminology`).
Output is deterministic: ids are ``<patient id>-<kind>-<n>`` with one counter per kind (or
explicit), and every date is explicit or relative to ``as_of``.

Time conventions (documented because the engine's hour-based rules depend on them):

* the reference instant ``now`` is ``as_of`` at 00:00 UTC when ``as_of`` is a date;
  relative times (``days_ago``, ``hours``, :func:`ago`) count back from it;
* facts without an explicit time are documented the day before at 09:00 UTC, so that no
  resource is dated after the evaluation instant.

Anatomy: a vertebral level is one ``bodySite`` CodeableConcept with the level's SNOMED code;
a lesion over contiguous levels gets one CodeableConcept per level (the contract's "several
codings"). Laterality ("left femoral neck") is not pre-coordinated in the contract's bone
codes, so the bone is coded (29627003) and the side goes in the mCODE
``mcode-laterality-qualifier`` extension on that CodeableConcept *and* in its ``text``;
"right acetabulum" keeps its own SNOMED code 719537008 (plus the same qualifier).
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, Self

from cds.anatomy import are_contiguous, base_bone, is_vertebra, laterality, level_range_label
from cds.scores.mirels import MIRELS_POINTS
from cds.scores.sins import SINS_POINTS
from cds.state import BilskyGrade, CorticalInvolvement, DiseaseStatus, Histology, LesionType
from cds.synthetic import terminology as t
from cds.synthetic.terminology import Code
from fhir_mappings.codes import (
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD10CM,
    LOCAL,
    LOINC,
    SNOMED,
    SNOMED_BY_BONE,
    SNOMED_BY_VERTEBRA,
    SPINE_REGION_BY_SNOMED,
    UCUM,
    V2_0074,
    V3_ACTCODE,
    local_codes,
)

JSON = dict[str, Any]
When = date | datetime | timedelta | None
"""A point in time: absolute (date or datetime), relative to ``now`` (timedelta), or default."""
Sex = Literal["female", "male", "other", "unknown"]
BundleType = Literal["collection", "transaction", "batch", "searchset"]
ReferenceStyle = Literal["relative", "urn:uuid"]
Technique = Literal["conventional", "sbrt", "sib-imrt"]

DEFAULT_BASE = "https://ehr.example.org/fhir/"
# uuid5 namespace for urn:uuid fullUrls: deterministic per (patient, resource).
_UUID_NAMESPACE = uuid.UUID("6f1c0f4e-8a7e-4c55-9a43-3d1b1f0b6e21")
_ID_OK = re.compile(r"[^A-Za-z0-9\-.]+")
_SPINE_REGIONS = {name: code for code, name in SPINE_REGION_BY_SNOMED.items()}
_BILSKY: tuple[str, ...] = ("0", "1a", "1b", "1c", "2", "3")
_CORTICAL: tuple[str, ...] = ("under-one-third", "one-to-two-thirds", "over-two-thirds")
_LESION_TYPES: tuple[str, ...] = ("lytic", "mixed", "blastic")

# Observation category per LOCAL code: cosmetic for the mapper (it matches on code), realistic
# for an EHR export.
_CATEGORY_BY_LOCAL: dict[str, str] = {
    "estimated-survival": "survey",
    "metastatic-lesion-count": "imaging",
    "bone-lesion-count": "imaging",
    "on-active-systemic-therapy": "therapy",
    "prior-palliative-chemotherapy-courses": "therapy",
    "medically-operable": "exam",
    "primary-controlled": "exam",
    "history-of-polymetastatic-disease": "exam",
    "history-of-treated-omd": "exam",
    "neurological-deficit": "exam",
    "ambulatory": "exam",
    "motor-deficit-onset": "exam",
    "prior-radiotherapy": "procedure",
    "planned-surgery": "procedure",
    "surgery-declined": "procedure",
    "spine-stable-per-surgeon": "exam",
    "neuropathic-pain": "exam",
    "bone-lesions-requiring-rt": "imaging",
}


def ago(days: float = 0, *, hours: float = 0, weeks: float = 0) -> timedelta:
    """A time before the builder's ``now``: ``b.ecog(2, when=ago(days=30))``."""
    return timedelta(days=days, hours=hours, weeks=weeks)


def fhir_id(raw: str) -> str:
    """A valid FHIR id ([A-Za-z0-9-.]{1,64}) from any string, deterministically."""
    cleaned = _ID_OK.sub("-", raw).strip("-") or "x"
    if len(cleaned) <= 64:
        return cleaned
    digest = uuid.uuid5(_UUID_NAMESPACE, raw).hex[:10]
    return f"{cleaned[:53]}-{digest}"


def _slug(text: str) -> str:
    return _ID_OK.sub("-", text.lower().replace("–", "-")).strip("-")


def _num(value: float) -> int | float:
    """Whole numbers as int so the JSON reads 2000, not 2000.0."""
    return int(value) if float(value).is_integer() else round(float(value), 3)


def _clone(node: Any) -> Any:
    """Deep copy of JSON data; several times faster than copy.deepcopy at cohort scale."""
    if isinstance(node, dict):
        return {k: _clone(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_clone(v) for v in node]
    return node


def _qty(value: float, unit: str) -> JSON:
    """A UCUM valueQuantity."""
    return {"value": _num(value), "unit": unit, "system": UCUM, "code": unit}


def _coding(code: Code) -> JSON:
    out: JSON = {"system": code.system, "code": code.code}
    if code.display:
        out["display"] = code.display
    return out


def _cc(code: Code, text: str | None = None) -> JSON:
    out: JSON = {"coding": [_coding(code)]}
    if text:
        out["text"] = text
    return out


def _local(code: str) -> Code:
    """A LOCAL code; fails loudly if the project CodeSystem does not define it."""
    display = local_codes().get(code)
    if display is None:
        raise KeyError(f"{code!r} is not in the project CodeSystem {LOCAL}")
    return Code(LOCAL, code, display)


def _check(kind: str, value: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    if value not in options:
        raise ValueError(f"{kind}: {value!r} is not one of {', '.join(options)}")
    return value


def _xhtml(text: str) -> JSON:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.strip().split("\n\n"))
    return {"status": "additional", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>'}


def site_body_sites(*sites: str) -> tuple[list[JSON], str, tuple[str, ...]]:
    """bodySite CodeableConcepts, a label and the normalised site names for one lesion.

    Vertebral levels ("T8", "t9"), spine regions from the code list ("lumbar spine") and bones
    from the code list, optionally with "left "/"right " ("left femoral neck").
    """
    if not sites:
        return [], "unspecified", ()
    names: list[str] = []
    concepts: list[JSON] = []
    for raw in sites:
        name = raw.strip()
        level = name.upper()
        if is_vertebra(level):
            names.append(level)
            concepts.append(_cc(Code(SNOMED, SNOMED_BY_VERTEBRA[level]), f"{level} vertebra"))
            continue
        name = name.lower()
        if name in _SPINE_REGIONS:
            names.append(name)
            concepts.append(_cc(Code(SNOMED, _SPINE_REGIONS[name]), name))
            continue
        side = laterality(name)
        bone = name if name in SNOMED_BY_BONE else base_bone(name)
        if bone not in SNOMED_BY_BONE:
            known = ", ".join(sorted(SNOMED_BY_BONE))
            raise ValueError(
                f"site {raw!r}: no SNOMED code in the contract; use a vertebral level (C1–S5), "
                f"a spine region or one of: {known} (optionally prefixed 'left '/'right ')"
            )
        concept = _cc(Code(SNOMED, SNOMED_BY_BONE[bone]), name)
        if side:
            concept["extension"] = [
                {"url": t.EXT_LATERALITY, "valueCodeableConcept": _cc(t.LEFT if side == "left" else t.RIGHT)}
            ]
        names.append(name)
        concepts.append(concept)
    levels = [n for n in names if is_vertebra(n)]
    if len(names) > 1:
        if len(levels) != len(names):
            raise ValueError(f"one lesion spans several sites only over vertebral levels, got {sites!r}")
        if not are_contiguous(levels):
            raise ValueError(f"levels {sites!r} are not contiguous: record one lesion per area")
    label = level_range_label(levels) if levels else names[0]
    return concepts, label, tuple(names)


@dataclass(frozen=True)
class Lesion:
    """Handle to one bone-metastasis Condition, passed to the lesion-level methods."""

    id: str
    label: str
    """'T8', 'T8–T9', 'left femoral neck' or 'unspecified'."""
    sites: tuple[str, ...]
    body_site: tuple[JSON, ...] = field(compare=False, repr=False)

    @property
    def reference(self) -> str:
        return f"Condition/{self.id}"

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(s for s in self.sites if is_vertebra(s))


class PatientBuilder:
    """Builds one patient's FHIR R4 record fact by fact. Methods return ``self`` for chaining,
    except :meth:`bone_metastasis` (returns the :class:`Lesion`) and the exporters."""

    def __init__(
        self,
        patient_id: str,
        *,
        as_of: date | datetime,
        age: int | None = None,
        sex: Sex | None = "unknown",
        birth_date: date | None = None,
        name: tuple[str, str] | None = None,
        narrative: str | None = None,
        base_url: str = DEFAULT_BASE,
    ) -> None:
        self.patient_id = fhir_id(patient_id)
        if isinstance(as_of, datetime):
            self.now = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        else:
            self.now = datetime.combine(as_of, time(0, 0), tzinfo=UTC)
        self.as_of: date = self.now.date()
        self.default_time = (self.now - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.lesions: list[Lesion] = []
        self._resources: list[JSON] = []
        self._counters: dict[str, int] = {}
        self._primary: str | None = None
        self._secondaries: list[JSON] = []
        self.patient: JSON = {
            "resourceType": "Patient",
            "id": self.patient_id,
            "meta": {"profile": [t.PROFILE_PATIENT]},
            "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5.99999.1", "value": self.patient_id}],
            "active": True,
        }
        given, family = name or ("Test", f"Patient {self.patient_id}")
        self.patient["name"] = [{"use": "official", "family": family, "given": [given]}]
        if sex is not None:
            self.patient["gender"] = sex
        if birth_date is None and age is not None:
            birth_date = self._birth_date_for_age(age)
        if birth_date is not None:
            self.patient["birthDate"] = birth_date.isoformat()
        if narrative:
            self.patient["text"] = _xhtml(narrative)
        self._resources.append(self.patient)

    def __len__(self) -> int:
        """Number of resources so far (Patient included)."""
        return len(self._resources)

    # ---- plumbing ----------------------------------------------------------------------------

    @property
    def subject(self) -> JSON:
        return {"reference": f"Patient/{self.patient_id}"}

    def _birth_date_for_age(self, age: int) -> date:
        # Birthday 40 days before as_of: the age at as_of is exactly `age`, and stays so for a
        # few weeks of as_of drift; 29 February is avoided by construction.
        anchor = self.as_of - timedelta(days=40)
        try:
            return anchor.replace(year=anchor.year - age)
        except ValueError:
            return anchor.replace(year=anchor.year - age, day=28)

    def _next_id(self, kind: str, explicit: str | None = None) -> str:
        if explicit:
            return fhir_id(explicit)
        # One counter per kind keeps ids stable when unrelated facts are added or removed.
        n = self._counters[kind] = self._counters.get(kind, 0) + 1
        raw = f"{self.patient_id}-{kind}-{n}"
        return raw if len(raw) <= 64 and _ID_OK.search(raw) is None else fhir_id(raw)

    def _when(self, when: When) -> datetime | date:
        if when is None:
            return self.default_time
        if isinstance(when, timedelta):
            return self.now - when
        if isinstance(when, datetime):
            return when if when.tzinfo else when.replace(tzinfo=UTC)
        return when

    def _ts(self, when: When) -> str:
        return self.fmt(self._when(when))

    @staticmethod
    def fmt(value: date | datetime) -> str:
        if isinstance(value, datetime):
            # isoformat is much faster than strftime, which matters at cohort scale.
            utc = value if value.tzinfo is UTC else value.astimezone(UTC)
            return utc.isoformat(timespec="seconds")[:19] + "Z"
        return value.isoformat()

    def _add(self, resource: JSON) -> JSON:
        self._resources.append(resource)
        return resource

    def _observation(
        self,
        code: Code,
        *,
        kind: str,
        when: When = None,
        focus: Lesion | str | None = None,
        category: str | None = None,
        profile: str | None = None,
        id: str | None = None,
        **value: Any,
    ) -> JSON:
        obs: JSON = {"resourceType": "Observation", "id": self._next_id(kind, id)}
        if profile:
            obs["meta"] = {"profile": [profile]}
        obs["status"] = "final"
        if category:
            obs["category"] = [{"coding": [{"system": t.OBSERVATION_CATEGORY, "code": category}]}]
        obs["code"] = _cc(code)
        obs["subject"] = self.subject
        if focus is not None:
            ref = focus.reference if isinstance(focus, Lesion) else focus
            obs["focus"] = [{"reference": ref}]
        obs["effectiveDateTime"] = self._ts(when)
        obs.update(value)
        return self._add(obs)

    def _local_obs(self, code: str, *, focus: Lesion | None = None, when: When = None, **value: Any) -> JSON:
        category = _CATEGORY_BY_LOCAL.get(code, "imaging" if focus is not None else "exam")
        return self._observation(_local(code), kind=code, when=when, focus=focus, category=category, **value)

    def _condition(
        self,
        code: Code,
        *,
        kind: str,
        id: str | None = None,
        category: str = "problem-list-item",
        body_site: Sequence[JSON] = (),
        onset: When | Literal[False] = False,
        verification: str | None = "confirmed",
        clinical: str = "active",
        profile: str | None = None,
        note: str | None = None,
        evidence: Lesion | None = None,
    ) -> JSON:
        cond: JSON = {"resourceType": "Condition", "id": self._next_id(kind, id)}
        if profile:
            cond["meta"] = {"profile": [profile]}
        cond["clinicalStatus"] = {"coding": [{"system": CONDITION_CLINICAL, "code": clinical}]}
        if verification:
            cond["verificationStatus"] = {"coding": [{"system": CONDITION_VERIFICATION, "code": verification}]}
        cond["category"] = [{"coding": [{"system": t.CONDITION_CATEGORY, "code": category}]}]
        cond["code"] = _cc(code)
        if body_site:
            cond["bodySite"] = _clone(list(body_site))
        cond["subject"] = self.subject
        if onset is not False:
            cond["onsetDateTime"] = self._ts(onset)
        cond["recordedDate"] = self._ts(None)
        if evidence is not None:
            cond["evidence"] = [{"detail": [{"reference": evidence.reference}]}]
        if note:
            cond["note"] = [{"text": note}]
        return self._add(cond)

    def _link_primary(self, condition: JSON) -> None:
        if self._primary is not None:
            condition.setdefault("extension", []).append(
                {
                    "url": t.EXT_RELATED_CONDITION,
                    "valueReference": {"reference": f"Condition/{self._primary}"},
                }
            )

    def _sites(self, site: Lesion | str | Sequence[str]) -> tuple[list[JSON], str, Lesion | None]:
        if isinstance(site, Lesion):
            return list(site.body_site), site.label, site
        names = (site,) if isinstance(site, str) else tuple(site)
        concepts, label, _ = site_body_sites(*names)
        return concepts, label, None

    # ---- patient-level facts -----------------------------------------------------------------

    def narrative(self, text: str) -> Self:
        """A short clinical summary as the Patient's narrative (blank line = new paragraph)."""
        self.patient["text"] = _xhtml(text)
        return self

    def primary_cancer(
        self,
        histology: Histology,
        *,
        confirmed: bool | None = True,
        diagnosed: date | None = None,
        coding: Literal["icd10", "snomed"] = "icd10",
        id: str | None = None,
        note: str | None = None,
    ) -> Self:
        """The primary cancer Condition. ``confirmed`` → verificationStatus confirmed (histology),
        False → provisional, None → not stated."""
        if coding == "snomed" and histology in t.PRIMARY_SNOMED:
            code = t.PRIMARY_SNOMED[histology]
        elif histology in t.PRIMARY_CODES:
            code = t.PRIMARY_CODES[histology]
            if histology == "breast" and self.patient.get("gender") == "male":
                code = t.MALE_BREAST
        else:
            raise ValueError(
                f"histology {histology!r} has no code in the contract; choose one of {', '.join(t.PRIMARY_CODES)}"
            )
        verification = {True: "confirmed", False: "provisional", None: None}[confirmed]
        cond = self._condition(
            code,
            kind="primary",
            id=id,
            onset=diagnosed if diagnosed is not None else False,
            verification=verification,
            profile=t.PROFILE_PRIMARY,
            note=note,
        )
        self._primary = cond["id"]
        for secondary in self._secondaries:
            if "extension" not in secondary:
                self._link_primary(secondary)
        return self

    def receptors(
        self,
        *,
        er: Literal["positive", "negative"] | None = None,
        pr: Literal["positive", "negative"] | None = None,
        her2: Literal["positive", "negative"] | None = None,
        when: When = None,
    ) -> Self:
        """Breast receptor status (LOINC 85337-4 / 85339-0 / 48676-1, SNOMED positive/negative)."""
        for key, value in (("er", er), ("pr", pr), ("her2", her2)):
            if value is None:
                continue
            self._observation(
                t.LOINC_RECEPTORS[key],
                kind=key,
                when=when,
                category="laboratory",
                profile=t.PROFILE_TUMOR_MARKER,
                valueCodeableConcept=_cc(t.RECEPTOR_VALUES[_check(key, value, t.RECEPTOR_VALUES)]),
            )
        return self

    def ecog(self, score: int, *, when: When = None, as_answer: bool = False) -> Self:
        """ECOG (LOINC 89247-1): valueInteger with the LA answer as interpretation, or — with
        ``as_answer`` — only the LA answer code as valueCodeableConcept."""
        if score not in t.ECOG_ANSWERS:
            raise ValueError(f"ECOG must be 0–5, got {score}")
        answer = {"coding": [{"system": LOINC, "code": t.ECOG_ANSWERS[score]}]}
        value: JSON = (
            {"valueCodeableConcept": answer} if as_answer else {"valueInteger": score, "interpretation": [answer]}
        )
        self._observation(t.LOINC_ECOG, kind="ecog", when=when, category="survey", profile=t.PROFILE_ECOG, **value)
        return self

    def kps(self, score: int, *, when: When = None) -> Self:
        """Karnofsky performance status (LOINC 89243-0, valueInteger)."""
        if not (0 <= score <= 100 and score % 10 == 0):
            raise ValueError(f"KPS must be 0–100 in steps of 10, got {score}")
        self._observation(
            t.LOINC_KPS, kind="kps", when=when, category="survey", profile=t.PROFILE_KPS, valueInteger=score
        )
        return self

    def expected_survival(
        self,
        *,
        months: float | None = None,
        weeks: float | None = None,
        years: float | None = None,
        when: When = None,
        code: Literal["loinc", "local"] = "loinc",
    ) -> Self:
        """Clinician-estimated survival (LOINC 75327-7 or LOCAL estimated-survival), in mo/wk/a."""
        given = [(v, u) for v, u in ((months, "mo"), (weeks, "wk"), (years, "a")) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of months=, weeks=, years=")
        value, unit = given[0]
        concept = t.LOINC_SURVIVAL if code == "loinc" else _local("estimated-survival")
        self._observation(
            concept,
            kind="survival",
            when=when,
            category="survey",
            valueQuantity=_qty(value, unit),
        )
        return self

    def lesion_counts(self, *, bone: int | None = None, metastatic: int | None = None, when: When = None) -> Self:
        """LOCAL bone-lesion-count / metastatic-lesion-count from the latest imaging. They override
        counts derived from Conditions, so keep them consistent with the lesions you add."""
        if bone is not None:
            self._local_obs("bone-lesion-count", when=when, valueInteger=bone)
        if metastatic is not None:
            self._local_obs("metastatic-lesion-count", when=when, valueInteger=metastatic)
        return self

    def bone_lesions_needing_rt(self, count: int, *, when: When = None) -> Self:
        """LOCAL bone-lesions-requiring-rt: Marazzi's 'bone lesions requiring RT' (at most the bone count)."""
        self._local_obs("bone-lesions-requiring-rt", when=when, valueInteger=count)
        return self

    def visceral_metastasis(self, site: str, *, onset: When = None, id: str | None = None) -> Self:
        """Visceral (liver, brain, lung, pleura, adrenal, peritoneum) or nodal ('lymph-node',
        'mediastinal-nodes', 'axillary-nodes') metastasis as an ICD-10-CM Condition."""
        code = t.VISCERAL_CODES[_check("metastasis site", site, t.VISCERAL_CODES)]
        cond = self._condition(code, kind=f"met-{site}", id=id, onset=onset, profile=t.PROFILE_SECONDARY)
        self._link_primary(cond)
        self._secondaries.append(cond)
        return self

    def nodal_metastasis(self, region: str = "lymph-node", *, onset: When = None) -> Self:
        return self.visceral_metastasis(region, onset=onset)

    def disease_status(self, status: DiseaseStatus, *, when: When = None) -> Self:
        """Cancer disease status (LOINC 97509-4) focused on the primary when there is one."""
        value = _cc(t.DISEASE_STATUS_VALUES[_check("disease status", status, t.DISEASE_STATUS_VALUES)])
        focus = f"Condition/{self._primary}" if self._primary else None
        self._observation(
            t.LOINC_DISEASE_STATUS,
            kind="disease-status",
            when=when,
            focus=focus,
            profile=t.PROFILE_DISEASE_STATUS,
            valueCodeableConcept=value,
        )
        return self

    def systemic_therapy(
        self,
        active: bool = True,
        *,
        drugs: Sequence[str] = (),
        documented: bool = True,
        started: When = None,
    ) -> Self:
        """Systemic anticancer therapy: the LOCAL on-active-systemic-therapy flag (unless
        ``documented=False``) plus one MedicationRequest per drug, active with
        reasonReference to the primary (or completed when ``active`` is False)."""
        if documented:
            self._local_obs("on-active-systemic-therapy", valueBoolean=active)
        for drug in drugs:
            if drug not in t.ANTICANCER:
                raise ValueError(f"{drug!r} is not an anticancer drug in the terminology table")
            self.medication(drug, active=active, reason_primary=True, authored=started)
        return self

    def medication(
        self,
        drug: str,
        *,
        active: bool = True,
        reason_primary: bool = False,
        authored: When = None,
        dosage: str | None = None,
    ) -> Self:
        """A MedicationRequest (RxNorm), e.g. supportive care or an unrelated long-term drug."""
        code = t.MEDICATIONS[_check("medication", drug, t.MEDICATIONS)]
        req: JSON = {
            "resourceType": "MedicationRequest",
            "id": self._next_id("medrx"),
            "status": "active" if active else "completed",
            "intent": "order",
            "medicationCodeableConcept": _cc(code, code.display),
            "subject": self.subject,
            "authoredOn": self._ts(authored if authored is not None else ago(days=60)),
        }
        if reason_primary and self._primary:
            req["reasonReference"] = [{"reference": f"Condition/{self._primary}"}]
        if dosage:
            req["dosageInstruction"] = [{"text": dosage}]
        self._add(req)
        return self

    def prior_palliative_chemo_courses(self, n: int) -> Self:
        self._local_obs("prior-palliative-chemotherapy-courses", valueInteger=n)
        return self

    def encounter(
        self,
        days_ago: float,
        *,
        klass: Literal["AMB", "IMP", "EMER", "VR"] = "AMB",
        length_days: float = 0,
        reason: str | None = None,
        id: str | None = None,
    ) -> str:
        """An Encounter (v3 ActCode class) starting ``days_ago``; returns its reference."""
        start = self.now - timedelta(days=days_ago)
        end = start + (timedelta(days=length_days) if length_days else timedelta(minutes=30))
        enc: JSON = {
            "resourceType": "Encounter",
            "id": self._next_id("enc", id),
            "status": "finished" if end <= self.now else "in-progress",
            "class": {"system": V3_ACTCODE, "code": klass, "display": t.ENCOUNTER_CLASSES[klass]},
            "subject": self.subject,
            "period": {"start": self.fmt(start)},
        }
        if end <= self.now:
            enc["period"]["end"] = self.fmt(end)
        if reason:
            enc["reasonCode"] = [{"text": reason}]
        self._add(enc)
        return f"Encounter/{enc['id']}"

    def hospitalised(self, *, days_ago: float, length_days: float = 4, reason: str | None = None) -> Self:
        """An inpatient stay (Encounter class IMP) starting ``days_ago``."""
        self.encounter(days_ago, klass="IMP", length_days=length_days, reason=reason)
        return self

    def restaging_imaging(
        self,
        *,
        days_ago: float,
        modality: str = "PET-CT",
        study: bool = True,
        report: bool = True,
        conclusion: str | None = None,
    ) -> Self:
        """Restaging imaging: an ImagingStudy (``started``) and/or a radiology DiagnosticReport."""
        modalities = t.IMAGING_MODALITIES[_check("modality", modality, t.IMAGING_MODALITIES)]
        when = self.now - timedelta(days=days_ago)
        if study:
            self._add(
                {
                    "resourceType": "ImagingStudy",
                    "id": self._next_id("imaging"),
                    "status": "available",
                    "modality": [{"system": t.DICOM_DCM, "code": m} for m in modalities],
                    "subject": self.subject,
                    "started": self.fmt(when),
                    "description": f"Restaging {modality}",
                }
            )
        if report:
            rep: JSON = {
                "resourceType": "DiagnosticReport",
                "id": self._next_id("radiology"),
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {"system": V2_0074, "code": "RAD", "display": "Radiology"},
                            _coding(t.LOINC_RADIOLOGY_CATEGORY),
                        ]
                    }
                ],
                "code": _cc(t.LOINC_IMAGING_STUDY, f"Restaging {modality}"),
                "subject": self.subject,
                "effectiveDateTime": self.fmt(when),
                "issued": self.fmt(when + timedelta(hours=6)),
            }
            if conclusion:
                rep["conclusion"] = conclusion
            self._add(rep)
        return self

    def medically_operable(self, operable: bool) -> Self:
        self._local_obs("medically-operable", valueBoolean=operable)
        return self

    def primary_controlled(self, controlled: bool) -> Self:
        self._local_obs("primary-controlled", valueBoolean=controlled)
        return self

    def history(self, *, polymetastatic: bool | None = None, treated_omd: bool | None = None) -> Self:
        """ESTRO/EORTC history flags (LOCAL history-of-polymetastatic-disease / -treated-omd)."""
        if polymetastatic is not None:
            self._local_obs("history-of-polymetastatic-disease", valueBoolean=polymetastatic)
        if treated_omd is not None:
            self._local_obs("history-of-treated-omd", valueBoolean=treated_omd)
        return self

    def neurology(
        self,
        *,
        deficit: bool | None = None,
        ambulatory: bool | None = None,
        motor_deficit_days: float | None = None,
        paraplegia_hours: float | None = None,
    ) -> Self:
        """Neurological signs: LOCAL neurological-deficit / ambulatory (valueBoolean),
        motor-deficit-onset (valueDateTime = now − days) and a paraplegia Condition
        (SNOMED 60389000, onsetDateTime = now − hours)."""
        if deficit is not None:
            self._local_obs("neurological-deficit", valueBoolean=deficit)
        if ambulatory is not None:
            self._local_obs("ambulatory", valueBoolean=ambulatory)
        if motor_deficit_days is not None:
            self._local_obs(
                "motor-deficit-onset", valueDateTime=self.fmt(self.now - timedelta(days=motor_deficit_days))
            )
        if paraplegia_hours is not None:
            self._condition(
                t.PARAPLEGIA,
                kind="paraplegia",
                category="encounter-diagnosis",
                onset=timedelta(hours=paraplegia_hours),
            )
        return self

    # ---- lesions -----------------------------------------------------------------------------

    def bone_metastasis(
        self,
        *sites: str,
        id: str | None = None,
        coding: Literal["snomed", "icd10"] = "snomed",
        onset: When | Literal[False] = False,
        note: str | None = None,
    ) -> Lesion:
        """A bone metastasis Condition (SNOMED 94222008 or ICD-10-CM C79.51). Several contiguous
        vertebral levels make one lesion; no site leaves the site a data gap."""
        concepts, label, names = site_body_sites(*sites)
        if id is None and names:
            # Readable ids ("<patient>-met-t8") make test assertions and reports legible.
            candidate = fhir_id(f"{self.patient_id}-met-{_slug(label)}")
            if all(r["id"] != candidate for r in self._resources):
                id = candidate
        code = t.BONE_METASTASIS_SNOMED if coding == "snomed" else t.BONE_METASTASIS_ICD10
        cond = self._condition(
            code, kind="met", id=id, body_site=concepts, onset=onset, profile=t.PROFILE_SECONDARY, note=note
        )
        self._link_primary(cond)
        self._secondaries.append(cond)
        lesion = Lesion(id=cond["id"], label=label, sites=names, body_site=tuple(concepts))
        self.lesions.append(lesion)
        return lesion

    def sins(
        self,
        les: Lesion,
        total: int | None = None,
        *,
        location: str | None = None,
        pain: str | None = None,
        bone_lesion: str | None = None,
        alignment: str | None = None,
        collapse: str | None = None,
        posterolateral: str | None = None,
        when: When = None,
    ) -> Self:
        """SINS (LOCAL sins): valueInteger total and/or components with LOCAL answers. Missing
        components stay undocumented; the location is not derived here (the engine does)."""
        answers = {
            "location": location,
            "pain": pain,
            "bone_lesion": bone_lesion,
            "alignment": alignment,
            "collapse": collapse,
            "posterolateral": posterolateral,
        }
        components = []
        for key, answer in answers.items():
            if answer is None:
                continue
            _check(f"SINS {key}", answer, SINS_POINTS[key])
            components.append(
                {
                    "code": _cc(_local("sins-" + key.replace("_", "-"))),
                    "valueCodeableConcept": _cc(_local(answer)),
                }
            )
        if total is None and not components:
            raise ValueError("SINS needs a total or at least one component")
        value: JSON = {}
        if total is not None:
            value["valueInteger"] = total
        if components:
            value["component"] = components
        self._local_obs("sins", focus=les, when=when, **value)
        return self

    def bilsky(self, les: Lesion, grade: BilskyGrade, *, when: When = None) -> Self:
        """Bilsky ESCC grade as LOCAL escc-<grade> (a label: "1c" never becomes 1)."""
        _check("Bilsky grade", grade, _BILSKY)
        self._local_obs("bilsky-grade", focus=les, when=when, valueCodeableConcept=_cc(_local(f"escc-{grade}")))
        return self

    def cord_compression(
        self,
        les: Lesion,
        *,
        levels: Sequence[str] | None = None,
        onset_days_ago: float | None = None,
        coding: Literal["snomed", "icd10", "local"] = "snomed",
    ) -> Self:
        """Spinal cord compression Condition with bodySite = the lesion's levels (or ``levels``,
        which may be non-contiguous: several areas)."""
        code = {
            "snomed": t.CORD_COMPRESSION,
            "icd10": Code(ICD10CM, "G95.20", "Unspecified cord compression"),
            "local": _local("mescc"),
        }[coding]
        self._compression(code, "mescc", les, levels, onset_days_ago)
        return self

    def cauda_equina(
        self, les: Lesion, *, levels: Sequence[str] | None = None, onset_days_ago: float | None = None
    ) -> Self:
        """Cauda equina syndrome Condition (SNOMED 192970008) at the lesion's levels."""
        self._compression(t.CAUDA_EQUINA, "cauda-equina", les, levels, onset_days_ago)
        return self

    def _compression(
        self, code: Code, kind: str, les: Lesion, levels: Sequence[str] | None, onset_days_ago: float | None
    ) -> None:
        concepts = [site_body_sites(level)[0][0] for level in levels] if levels else list(les.body_site)
        onset: When | Literal[False] = timedelta(days=onset_days_ago) if onset_days_ago is not None else False
        self._condition(code, kind=kind, category="encounter-diagnosis", body_site=concepts, onset=onset, evidence=les)

    def no_cord_compression(self, les: Lesion, *, when: When = None) -> Self:
        """Documents the absence of MESCC at the lesion (LOCAL mescc, valueBoolean false)."""
        self._local_obs("mescc", focus=les, when=when, valueBoolean=False)
        return self

    def pathological_fracture(self, les: Lesion, present: bool = True, *, onset_days_ago: float | None = None) -> Self:
        """present → Condition SNOMED 268029009 at the site; absent → LOCAL pathological-fracture
        Observation valueBoolean false with focus."""
        if present:
            onset: When | Literal[False] = timedelta(days=onset_days_ago) if onset_days_ago is not None else False
            self._condition(
                t.PATHOLOGICAL_FRACTURE,
                kind="fracture",
                category="encounter-diagnosis",
                body_site=les.body_site,
                onset=onset,
                evidence=les,
            )
        else:
            self._local_obs("pathological-fracture", focus=les, valueBoolean=False)
        return self

    def mirels(
        self,
        les: Lesion,
        total: int | None = None,
        *,
        site: str | None = None,
        pain: str | None = None,
        lesion: str | None = None,
        size: str | None = None,
        when: When = None,
    ) -> Self:
        """Mirels (LOCAL mirels): valueInteger total and/or components with LOCAL answers."""
        components = []
        for key, answer in (("site", site), ("pain", pain), ("lesion", lesion), ("size", size)):
            if answer is None:
                continue
            _check(f"Mirels {key}", answer, MIRELS_POINTS[key])
            components.append({"code": _cc(_local(f"mirels-{key}")), "valueCodeableConcept": _cc(_local(answer))})
        if total is None and not components:
            raise ValueError("Mirels needs a total or at least one component")
        value: JSON = {}
        if total is not None:
            value["valueInteger"] = total
        if components:
            value["component"] = components
        self._local_obs("mirels", focus=les, when=when, **value)
        return self

    def lesion_type(self, les: Lesion, kind: LesionType) -> Self:
        _check("lesion type", kind, _LESION_TYPES)
        self._local_obs("lesion-type", focus=les, valueCodeableConcept=_cc(_local(kind)))
        return self

    def lesion_size(self, les: Lesion, *, cm: float | None = None, mm: float | None = None) -> Self:
        if (cm is None) == (mm is None):
            raise ValueError("give exactly one of cm=, mm=")
        value, unit = (cm, "cm") if cm is not None else (mm, "mm")
        assert value is not None
        self._local_obs("lesion-size", focus=les, valueQuantity=_qty(value, unit))
        return self

    def cortical_involvement(self, les: Lesion, fraction: CorticalInvolvement) -> Self:
        _check("cortical involvement", fraction, _CORTICAL)
        self._local_obs("cortical-involvement", focus=les, valueCodeableConcept=_cc(_local(fraction)))
        return self

    def pain(
        self, les: Lesion, score: int, *, when: When = None, loinc: Literal["72514-3", "38208-5"] = "72514-3"
    ) -> Self:
        """Pain at the lesion, 0–10 (LOINC 72514-3 or 38208-5, valueInteger, focus)."""
        if not 0 <= score <= 10:
            raise ValueError(f"pain score must be 0–10, got {score}")
        code = t.LOINC_PAIN if loinc == "72514-3" else Code(LOINC, "38208-5", "Pain severity - Reported")
        self._observation(code, kind="pain", when=when, focus=les, category="survey", valueInteger=score)
        return self

    def posterior_elements(self, les: Lesion, involved: bool) -> Self:
        self._local_obs("posterior-element-involvement", focus=les, valueBoolean=involved)
        return self

    def extraosseous_extension(self, les: Lesion, present: bool) -> Self:
        self._local_obs("extraosseous-extension", focus=les, valueBoolean=present)
        return self

    def neuropathic_pain(self, les: Lesion, present: bool = True) -> Self:
        self._local_obs("neuropathic-pain", focus=les, valueBoolean=present)
        return self

    def surgeon_judged_stable(self, les: Lesion, stable: bool = True) -> Self:
        """A spine surgeon's stability judgement at the lesion (LOCAL spine-stable-per-surgeon)."""
        self._local_obs("spine-stable-per-surgeon", focus=les, valueBoolean=stable)
        return self

    def surgery_declined(self, les: Lesion, declined: bool = True) -> Self:
        """Surgery at the lesion's site declined by the patient or judged not possible (LOCAL surgery-declined)."""
        self._local_obs("surgery-declined", focus=les, valueBoolean=declined)
        return self

    def impending_fracture(self, les: Lesion, judged: bool) -> Self:
        self._local_obs("impending-fracture", focus=les, valueBoolean=judged)
        return self

    def contiguous_compartments(self, les: Lesion, n: int) -> Self:
        self._local_obs("contiguous-compartments", focus=les, valueInteger=n)
        return self

    def planned_surgery(self, les: Lesion, planned: bool = True, *, description: str | None = None) -> Self:
        """planned → an active surgical ServiceRequest (SNOMED 387713003) at the lesion's site;
        not planned → LOCAL planned-surgery Observation valueBoolean false with focus."""
        if not planned:
            self._local_obs("planned-surgery", focus=les, valueBoolean=False)
            return self
        req: JSON = {
            "resourceType": "ServiceRequest",
            "id": self._next_id("surgery-order"),
            "status": "active",
            "intent": "order",
            "category": [_cc(t.SURGICAL_PROCEDURE)],
            "code": _cc(t.SURGICAL_PROCEDURE, description or f"Surgery at {les.label}"),
            "subject": self.subject,
            "authoredOn": self._ts(None),
            "reasonReference": [{"reference": les.reference}],
        }
        if les.body_site:
            req["bodySite"] = _clone(list(les.body_site))
        self._add(req)
        return self

    def surgery_done(self, les: Lesion, *, days_ago: float, description: str | None = None) -> Self:
        """A completed surgical Procedure (SNOMED 387713003) at the site: postoperative setting."""
        proc: JSON = {
            "resourceType": "Procedure",
            "id": self._next_id("surgery"),
            "status": "completed",
            "code": _cc(t.SURGICAL_PROCEDURE, description or f"Surgery at {les.label}"),
            "subject": self.subject,
            "performedDateTime": self.fmt(self.now - timedelta(days=days_ago)),
            "reasonReference": [{"reference": les.reference}],
        }
        if les.body_site:
            proc["bodySite"] = _clone(list(les.body_site))
        self._add(proc)
        return self

    def prior_radiotherapy(
        self,
        site: Lesion | str | Sequence[str],
        *,
        dose_gy: float | None = None,
        fractions: int | None = None,
        days_ago: float | None = None,
        on: date | None = None,
        stereotactic: bool = False,
        status: Literal["completed", "in-progress"] = "completed",
        reirradiation: bool | None = None,
        id: str | None = None,
    ) -> Self:
        """A previous RT course: Procedure SNOMED 1217123003 (395096001 if stereotactic) with
        bodySite, performedPeriod (or performedDateTime when the fractions are unknown) ending
        ``days_ago``/``on``, and — when the dose is known — the mCODE dose-delivered-to-volume
        extension (totalDoseDelivered in cGy, fractionsDelivered) pointing at a BodyStructure."""
        if (days_ago is None) == (on is None):
            raise ValueError("give exactly one of days_ago=, on=")
        end: date = on if on is not None else (self.now - timedelta(days=days_ago or 0)).date()
        concepts, label, lesion = self._sites(site)
        proc_id = self._next_id("rt-course", id)
        extensions: list[JSON] = [{"url": t.EXT_PROCEDURE_INTENT, "valueCodeableConcept": _cc(t.PALLIATIVE_INTENT)}]
        if reirradiation is not None:
            extensions.append({"url": t.EXT_REIRRADIATION, "valueBoolean": reirradiation})
        if fractions is not None:
            extensions.append({"url": t.EXT_SESSIONS, "valueUnsignedInt": fractions})
        if dose_gy is not None:
            volume_id = self._next_id("rt-volume")
            volume: JSON = {
                "resourceType": "BodyStructure",
                "id": volume_id,
                "meta": {"profile": [t.PROFILE_RT_VOLUME]},
                "morphology": _cc(Code(SNOMED, "228793007", "Planning target volume")),
                "description": f"PTV {label}",
                "patient": self.subject,
            }
            if concepts:
                volume["location"] = _clone(concepts[0])
            self._add(volume)
            dose: list[JSON] = [
                {
                    "url": "volume",
                    "valueReference": {"reference": f"BodyStructure/{volume_id}", "display": label},
                },
                {
                    "url": "totalDoseDelivered",
                    "valueQuantity": _qty(dose_gy * 100, "cGy"),
                },
            ]
            if fractions is not None:
                dose.append({"url": "fractionsDelivered", "valueUnsignedInt": fractions})
            extensions.append({"url": t.EXT_DOSE_DELIVERED, "extension": dose})
        code = t.RT_STEREOTACTIC if stereotactic else t.RT_COURSE
        regimen = f" {_num(dose_gy)} Gy" + (f" in {fractions} fractions" if fractions else "") if dose_gy else ""
        proc: JSON = {
            "resourceType": "Procedure",
            "id": proc_id,
            "meta": {"profile": [t.PROFILE_RT_COURSE]},
            "extension": extensions,
            "status": status,
            "code": _cc(code, f"Palliative radiotherapy{regimen} to {label}"),
            "subject": self.subject,
        }
        if fractions and fractions > 1:
            # Weekday schedule: about 7 calendar days per 5 fractions.
            start = end - timedelta(days=round((fractions - 1) * 7 / 5))
            proc["performedPeriod"] = {"start": start.isoformat(), "end": end.isoformat()}
        else:
            proc["performedDateTime"] = end.isoformat()
        if concepts:
            proc["bodySite"] = _clone(concepts)
        if lesion is not None:
            proc["reasonReference"] = [{"reference": lesion.reference}]
        self._add(proc)
        return self

    def no_prior_radiotherapy(self, les: Lesion | None = None) -> Self:
        """LOCAL prior-radiotherapy false: for the patient, or (with ``les``) for that site."""
        self._local_obs("prior-radiotherapy", focus=les, valueBoolean=False)
        return self

    # ---- EHR noise ---------------------------------------------------------------------------

    def comorbidity(self, name: str, *, onset: When = None) -> Self:
        """An unrelated problem-list Condition (hypertension, type-2-diabetes, …)."""
        code = t.COMORBIDITIES[_check("comorbidity", name, t.COMORBIDITIES)]
        self._condition(code, kind=name, onset=onset)
        return self

    def vital_signs(self, values: dict[str, float], *, when: When = None, encounter: str | None = None) -> Self:
        """Vital-sign Observations (keys of terminology.VITALS, plus 'systolic'/'diastolic' as
        one blood-pressure panel)."""
        extra = {"encounter": {"reference": encounter}} if encounter else {}
        for key, value in values.items():
            if key in ("systolic", "diastolic"):
                continue
            m = t.VITALS[_check("vital sign", key, t.VITALS)]
            self._observation(
                Code(LOINC, m.code, m.display),
                kind="vitals",
                when=when,
                category="vital-signs",
                valueQuantity=_qty(value, m.unit),
                **extra,
            )
        if "systolic" in values and "diastolic" in values:
            self._observation(
                t.BLOOD_PRESSURE_PANEL,
                kind="bp",
                when=when,
                category="vital-signs",
                component=[
                    {
                        "code": _cc(Code(LOINC, m.code, m.display)),
                        "valueQuantity": _qty(values[k], m.unit),
                    }
                    for k, m in (("systolic", t.SYSTOLIC), ("diastolic", t.DIASTOLIC))
                ],
                **extra,
            )
        return self

    def lab(self, name: str, value: float, *, when: When = None, encounter: str | None = None) -> Self:
        """A laboratory result (keys of terminology.LABS or, by histology, TUMOUR_MARKER_LABS)."""
        m = t.LABS.get(name) or t.TUMOUR_MARKER_LABS.get(name)
        if m is None:
            raise ValueError(f"unknown lab {name!r}")
        extra = {"encounter": {"reference": encounter}} if encounter else {}
        self._observation(
            Code(LOINC, m.code, m.display),
            kind="lab",
            when=when,
            category="laboratory",
            valueQuantity=_qty(value, m.unit),
            **extra,
        )
        return self

    def procedure(self, name: str, *, days_ago: float, encounter: str | None = None) -> Self:
        """A routine completed Procedure (venipuncture, CT, …) — never a surgical or RT code."""
        code = t.ROUTINE_PROCEDURES[_check("procedure", name, t.ROUTINE_PROCEDURES)]
        proc: JSON = {
            "resourceType": "Procedure",
            "id": self._next_id("proc"),
            "status": "completed",
            "code": _cc(code),
            "subject": self.subject,
            "performedDateTime": self.fmt(self.now - timedelta(days=days_ago)),
        }
        if encounter:
            proc["encounter"] = {"reference": encounter}
        self._add(proc)
        return self

    # ---- output ------------------------------------------------------------------------------

    def resources(self, *, copy: bool = True) -> list[JSON]:
        """Every resource, Patient first. Copies by default so callers may mutate them."""
        return _clone(self._resources) if copy else list(self._resources)

    def full_url(self, resource: JSON) -> str:
        return f"{self.base_url}{resource['resourceType']}/{resource['id']}"

    def urn(self, resource_type: str, resource_id: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_UUID_NAMESPACE, f'{self.patient_id}/{resource_type}/{resource_id}')}"

    def bundle(
        self,
        type: BundleType = "collection",
        *,
        references: ReferenceStyle = "relative",
        copy: bool = True,
        id: str | None = None,
    ) -> JSON:
        """The record as a Bundle. ``transaction``/``batch`` entries carry ``request`` (PUT with the
        id, or POST for urn:uuid); ``searchset`` entries carry ``search.mode``. With
        ``references="urn:uuid"`` every fullUrl is a deterministic urn:uuid and every internal
        reference is rewritten to it (as in a client-assembled transaction)."""
        resources = self.resources(copy=copy or references == "urn:uuid")
        urls: dict[str, str] = {}
        if references == "urn:uuid":
            urls = {f"{r['resourceType']}/{r['id']}": self.urn(r["resourceType"], r["id"]) for r in resources}
            for r in resources:
                _rewrite_references(r, urls)
        entries = []
        for r in resources:
            key = f"{r['resourceType']}/{r['id']}"
            entry: JSON = {"fullUrl": urls.get(key) or self.full_url(r), "resource": r}
            if type in ("transaction", "batch"):
                entry["request"] = (
                    {"method": "POST", "url": r["resourceType"]}
                    if references == "urn:uuid"
                    else {"method": "PUT", "url": key}
                )
            elif type == "searchset":
                entry["search"] = {"mode": "match"}
            entries.append(entry)
        out: JSON = {
            "resourceType": "Bundle",
            "id": fhir_id(id or f"{self.patient_id}-{type}"),
            "type": type,
            "timestamp": self.fmt(self.now),
        }
        if type == "searchset":
            out["total"] = len(entries)
        out["entry"] = entries
        return out

    def _searchset(self, kinds: Iterable[str], include: Iterable[str] = ()) -> JSON:
        wanted, extra = set(kinds), set(include)
        entries = []
        for r in self._resources:
            if r["resourceType"] in wanted or r["resourceType"] in extra:
                mode = "match" if r["resourceType"] in wanted else "include"
                entries.append({"fullUrl": self.full_url(r), "resource": _clone(r), "search": {"mode": mode}})
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": sum(1 for e in entries if e["search"]["mode"] == "match"),
            "entry": entries,
        }

    def prefetch(self) -> JSON:
        """The CDS Hooks prefetch map: the Patient and one searchset Bundle per query."""
        return {
            "patient": _clone(self.patient),
            "conditions": self._searchset(["Condition"]),
            "observations": self._searchset(["Observation"]),
            "procedures": self._searchset(["Procedure"], include=["BodyStructure"]),
            "medications": self._searchset(["MedicationRequest", "MedicationStatement"]),
            "servicerequests": self._searchset(["ServiceRequest"]),
            "encounters": self._searchset(["Encounter"]),
            "imaging": self._searchset(["ImagingStudy", "DiagnosticReport"]),
        }

    def draft_service_request(
        self,
        site: Lesion | str | Sequence[str],
        *,
        dose_gy: float,
        fractions: int,
        technique: Technique = "conventional",
        elective_dose_gy: float | None = None,
        text: str | None = None,
        id: str | None = None,
        intent: Literal["order", "plan", "proposal"] = "order",
    ) -> JSON:
        """A draft RT ServiceRequest as a CDS Hooks order-select/order-sign context carries it
        (not added to the record). The regimen is in the CodeX planned-dose extension
        (totalDose in cGy, fractions) and, as the contract's fallback, in ``note`` ("8 Gy x 1").
        For SIB-IMRT ``elective_dose_gy`` adds the whole-compartment dose level as a second
        planned-dose extension."""
        concepts, label, lesion = self._sites(site)
        code = t.RT_STEREOTACTIC if technique == "sbrt" else t.RT_COURSE
        code_text = {
            "conventional": "External beam radiotherapy",
            "sbrt": "Stereotactic body radiotherapy",
            "sib-imrt": "IMRT with simultaneous integrated boost",
        }[technique]

        def planned(volume: str, total_gy: float) -> JSON:
            return {
                "url": t.EXT_DOSE_PLANNED,
                "extension": [
                    {"url": "volume", "valueReference": {"display": volume}},
                    {
                        "url": "totalDose",
                        "valueQuantity": _qty(total_gy * 100, "cGy"),
                    },
                    {"url": "fractions", "valueUnsignedInt": fractions},
                ],
            }

        extensions = [planned(label if elective_dose_gy is None else f"{label} boost (PTV1)", dose_gy)]
        note = text or f"{_num(dose_gy)} Gy x {fractions}"
        if elective_dose_gy is not None:
            extensions.append(planned(f"{label} bone compartment (PTV2)", elective_dose_gy))
            if text is None:
                note += f" (SIB; {_num(elective_dose_gy)} Gy x {fractions} to the compartment)"
        req: JSON = {
            "resourceType": "ServiceRequest",
            "id": self._next_id("rt-order", id),
            "extension": extensions,
            "status": "draft",
            "intent": intent,
            "code": _cc(code, code_text),
            "subject": self.subject,
            "authoredOn": self.fmt(self.now),
            "note": [{"text": note}],
        }
        if concepts:
            req["bodySite"] = _clone(concepts)
        if lesion is not None:
            req["reasonReference"] = [{"reference": lesion.reference}]
        return req


def _rewrite_references(node: Any, urls: dict[str, str]) -> None:
    """Replace 'Type/id' references with their urn:uuid fullUrl, in place."""
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str) and ref in urls:
            node["reference"] = urls[ref]
        for value in node.values():
            if isinstance(value, dict | list):
                _rewrite_references(value, urls)
    elif isinstance(node, list):
        for item in node:
            _rewrite_references(item, urls)
