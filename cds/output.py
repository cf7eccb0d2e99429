"""The evaluation output: the stable JSON contract (contract/evaluation-output.md).

Cards, the HTML report, the CLI views and the BDD steps are all views of this object. Fields
may be added; the contract's fields keep their names and meaning. Serialise with
``to_json()``, which drops absent values (an unknown is absent, never ``null``).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["eligible", "ineligible", "undetermined"]
CriterionStatus = Literal["met", "not-met", "unknown"]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class PatientSummary(Model):
    id: str
    age: int | None = None
    sex: str | None = None
    deceased: bool | None = None
    """True when the record says the patient has died (on or before the evaluation date)."""
    deceased_date: str | None = None


class RulesetInfo(Model):
    version: str
    sha256: str
    engine: str = "durable"


class CriterionResult(Model):
    id: str
    status: CriterionStatus
    detail: str
    kind: str | None = None
    title: str | None = None
    evidence_status: str | None = None
    missing: tuple[str, ...] = ()
    basis: Literal["documented", "derived", "not-recorded"] | None = None
    """Why the criterion is met or not met: a documented fact, a derived one, or a silence the
    fact's catalogue entry allows to be read as absence (then listed in ``assumptions``)."""


class Eligibility(Model):
    status: Verdict
    criteria: tuple[CriterionResult, ...]
    title: str | None = None
    citations: tuple[Citation, ...] = ()
    links: tuple[Link, ...] = ()


class Lesion(Model):
    id: str
    site: str
    region: str
    levels: tuple[str, ...] = ()
    bone: str | None = None
    eligibility: dict[str, Eligibility]


class RegimenOut(Model):
    dose_gy: float
    fractions: int
    bed10: float
    role: str
    dose_per_fraction_gy: float | None = None
    bed10_nominal: bool | None = None
    label: str | None = None
    elective_dose_gy: float | None = None
    elective_bed10: float | None = None


class Citation(Model):
    key: str
    label: str
    url: str | None = None
    verification: str | None = None


class Link(Model):
    label: str
    url: str


class FactUsed(Model):
    """A patient fact that a recommendation rests on, with where it came from."""

    name: str
    label: str
    value: Any
    origin: str | None = None
    sources: tuple[str, ...] = ()
    method: str | None = None


class Recommendation(Model):
    code: str
    reason: str
    lesion: str
    priority: Literal["urgent", "preferred", "alternative"]
    summary: str
    rationale: str
    regimens: tuple[RegimenOut, ...] = ()
    rules: tuple[str, ...]
    citations: tuple[Citation, ...] = Field(min_length=1)
    evidence_status: str
    title: str | None = None
    facts: tuple[FactUsed, ...] = ()
    links: tuple[Link, ...] = ()
    timing: str | None = None
    """When to act, for urgent items (e.g. "radiotherapy within 24 h of the decision to treat")."""
    confirm: tuple[str, ...] = ()
    """What to confirm before acting: the silences this recommendation rests on (see ``assumptions``)."""


class DataGap(Model):
    fact: str
    needed_for: tuple[str, ...]
    message: str
    lesion: str | None = None
    how_to_document: str | None = None
    status: Literal["missing", "stale", "not-recognised"] = "missing"
    """``missing``: not in the record; ``stale``: documented, but older than its currency window
    (re-assess); ``not-recognised``: the record holds it in a code the mapper does not know."""
    last_documented: str | None = None


class Assumption(Model):
    """A silence read as absence, as the fact's catalogue entry allows: to confirm before acting."""

    fact: str
    confirm: str
    searched: tuple[str, ...] = ()
    """The FHIR resource types the input covered and that hold no such fact."""
    lesion: str | None = None
    needed_for: tuple[str, ...] = ()


class WarningOut(Model):
    message: str
    resource: str | None = None


class Evaluation(Model):
    patient: PatientSummary
    evaluated_at: str
    ruleset: RulesetInfo
    state: dict[str, Any]
    lesions: tuple[Lesion, ...]
    recommendations: tuple[Recommendation, ...]
    data_gaps: tuple[DataGap, ...]
    warnings: tuple[WarningOut, ...]
    assumptions: tuple[Assumption, ...] = ()
    patient_eligibility: dict[str, Eligibility] = Field(default_factory=dict)
    """Patient-level assessments (e.g. oligometastatic SABR): decided once, after every lesion's
    criteria; lesion recommendations refer to them."""

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def recommendations_for(self, lesion_id: str) -> tuple[Recommendation, ...]:
        return tuple(r for r in self.recommendations if r.lesion == lesion_id)

    def lesion(self, lesion_id: str) -> Lesion:
        for lesion in self.lesions:
            if lesion.id == lesion_id:
                return lesion
        raise KeyError(lesion_id)


Eligibility.model_rebuild()
