"""The shape of the rule files (YAML), validated with pydantic."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

RecommendationCode = Literal[
    "surgical-referral", "ebrt-8gy-1fx", "ebrt-20gy-5fx", "ebrt-30gy-10fx", "sbrt", "sib-imrt",
    "prophylactic-rt", "avoid",
]
REASONS: dict[str, frozenset[str] | None] = {
    "surgical-referral": frozenset({"mescc-decompression", "spinal-instability", "impending-fracture",
                                    "pathological-fracture"}),
    "ebrt-8gy-1fx": frozenset({"uncomplicated-pain", "mescc-short-survival", "reirradiation", "prophylactic",
                               "complicated"}),
    "ebrt-20gy-5fx": frozenset({"uncomplicated-pain", "mescc-short-survival", "reirradiation", "prophylactic",
                                "mescc-non-surgical", "complicated"}),
    "ebrt-30gy-10fx": frozenset({"mescc-favourable-prognosis", "postoperative", "prophylactic", "complicated"}),
    "sbrt": frozenset({"spine-painful", "non-spine-painful", "oligometastatic", "radioresistant", "postoperative"}),
    "sib-imrt": frozenset({"oligometastatic-breast"}),
    "prophylactic-rt": frozenset({"high-risk-asymptomatic"}),
    "avoid": None,  # free text naming what to avoid
}
Priority = Literal["urgent", "preferred", "alternative"]
EvidenceStatus = Literal["reviewed", "needs-clinical-review"]
RegimenRole = Literal["definitive", "postoperative", "boost", "elective", "alternative", "reirradiation",
                      "avoid", "schedule-a", "schedule-b", "schedule-c"]
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError("ids are lower-case words joined by '-' and '.', e.g. 'mescc.surgical-candidate'")
    return value


Id = Annotated[str, AfterValidator(_check_id)]
"""A rule, caveat or criterion id (also the key durable_rules sees, so kept plain)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Regimen(Strict):
    dose_gy: float = Field(gt=0)
    fractions: int = Field(gt=0)
    role: RegimenRole = "definitive"
    label: str | None = None
    """E.g. 'PTV1 boost (lesion + 2 mm)'."""
    elective_dose_gy: float | None = Field(default=None, gt=0)
    """SIB-IMRT: the dose to the whole bone compartment (PTV2) in the same fractions."""


class Citation(Strict):
    label: str
    reference: str
    pmid: str | None = None
    doi: str | None = None
    nct: str | None = None
    url: str | None = None
    verification: Literal["verified", "partial", "unverified"] = "verified"
    """✔ verified against an abstract/registry; ◐ partly; ○ from domain knowledge."""
    note: str | None = None

    def link(self) -> str | None:
        if self.url:
            return self.url
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.nct:
            return f"https://clinicaltrials.gov/study/{self.nct}"
        return None


class Link(Strict):
    label: str
    url: str


class Recommend(Strict):
    code: RecommendationCode
    reason: str
    priority: Priority
    summary: str = Field(max_length=139)
    rationale: str
    regimens: tuple[Regimen, ...] = ()
    links: tuple[Link, ...] = ()
    demote_when: Any = None
    """When this condition is true the recommendation is only an alternative (e.g. SBRT is offered)."""
    demote_note: str | None = None
    """Appended to the rationale when demoted, e.g. 'SBRT is recommended for this lesion'. An urgent
    recommendation keeps its urgency when demoted (cord compression is always urgent)."""
    timing: str | None = None
    """When to act, e.g. 'within 24 hours of the decision to treat (NICE QS56)'."""

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str, info: Any) -> str:
        code = info.data.get("code")
        allowed = REASONS.get(code) if code else None
        if allowed is not None and value not in allowed:
            raise ValueError(f"reason '{value}' is not one of {sorted(allowed)} for code '{code}'")
        return value


class RuleSpec(Strict):
    id: Id
    title: str
    version: int = Field(ge=1)
    description: str
    evidence_status: EvidenceStatus
    citations: tuple[str, ...] = Field(min_length=1)
    phase: int = Field(default=1, ge=1, le=3)
    when: Any
    recommend: Recommend
    report_gaps: bool = True
    """Name undocumented facts that block this rule as data gaps."""
    decision: Literal["palliative", "surgical", "ablative", "reirradiation", "prophylactic", "caution",
                      "none"] | None = None
    """The kind of decision (facts.yaml): by default from the recommendation code ("caution" for an
    "avoid" output, which reads every declared silence); "none" reads no silence at all."""



class RuleFile(Strict):
    area: str
    title: str
    description: str
    sources: tuple[str, ...] = ()
    rules: tuple[RuleSpec, ...] = Field(min_length=1)


class CaveatSpec(Strict):
    id: Id
    title: str
    version: int = Field(ge=1)
    description: str
    evidence_status: EvidenceStatus
    citations: tuple[str, ...] = Field(min_length=1)
    applies_to: tuple[RecommendationCode, ...] = Field(min_length=1)
    when: Any
    text: str



class CaveatsFile(Strict):
    caveats: tuple[CaveatSpec, ...] = ()


class CriterionDetail(Strict):
    met: str
    not_met: str
    unknown: str | None = None


class CriterionSpec(Strict):
    id: Id
    kind: Literal["inclusion", "exclusion", "safety"]
    title: str
    requires: Any
    detail: CriterionDetail
    evidence_status: EvidenceStatus = "reviewed"
    citations: tuple[str, ...] = ()
    note: str | None = None



class CriterionUse(Strict):
    """A criterion defined once in criteria.yaml, used by several assessments (one criterion, one verdict)."""

    use: Id


class AssessmentFile(Strict):
    assessment: str
    title: str
    description: str
    decision: Literal["palliative", "surgical", "ablative", "reirradiation", "prophylactic"]
    """The kind of decision the verdict supports: which silences its criteria may read (facts.yaml)."""
    level: Literal["lesion", "patient"] = "lesion"
    """A patient-level assessment is decided once for the patient, after every lesion's criteria
    (it may read ``all_lesions_sbrt_suitable``); lesion rules read its verdict."""
    citations: tuple[str, ...] = Field(min_length=1)
    links: tuple[Link, ...] = ()
    criteria: tuple[CriterionSpec | CriterionUse, ...] = Field(min_length=1)


class CriteriaFile(Strict):
    """Shared criteria (criteria.yaml): the same clinical criterion read the same way everywhere."""

    criteria: tuple[CriterionSpec, ...] = Field(min_length=1)


class DefinitionSpec(Strict):
    description: str
    when: Any
    evidence_status: EvidenceStatus = "reviewed"


class DefinitionsFile(Strict):
    definitions: dict[str, DefinitionSpec]


class CitationsFile(Strict):
    citations: dict[str, Citation]


DecisionKind = Literal["palliative", "surgical", "ablative", "reirradiation", "prophylactic"]
DECISION_KINDS: tuple[DecisionKind, ...] = ("palliative", "surgical", "ablative", "reirradiation", "prophylactic")
AGGRESSIVE_KINDS: frozenset[str] = frozenset({"ablative", "reirradiation"})
"""Decisions that knowing less must never add or promote (decision criteria §3b)."""


class Currency(Strict):
    """How long a documented value stays current, and why."""

    days: int = Field(gt=0)
    reason: str
    sources: tuple[str, ...] = Field(min_length=1)
    evidence_status: EvidenceStatus = "needs-clinical-review"


class Silence(Strict):
    """When "not recorded" may be read as a value, for which decisions, and why."""

    reads_as: dict[str, bool | str]
    for_: tuple[DecisionKind, ...] = Field(alias="for", min_length=1)
    stage: Literal["rules", "state"] = "rules"
    only_if: Any = None
    confirm: str
    reason: str
    sources: tuple[str, ...] = Field(min_length=1)
    evidence_status: EvidenceStatus = "needs-clinical-review"


class FactEntry(Strict):
    label: str
    recorded_in: tuple[str, ...] = Field(min_length=1)
    """The FHIR resource types that would hold the fact: the input must cover all of them for a
    silence to be "not recorded" rather than unknown."""
    fields: tuple[str, ...] = ()
    current_for: Currency | None = None
    silence: Silence | None = None


class FactsFile(Strict):
    facts: dict[str, FactEntry]


class RuleChange(Strict):
    change: str
    ids: tuple[str, ...] = Field(min_length=1)
    """Rule or caveat ids, 'eligibility/<assessment>', 'criteria/<criterion>' or 'definitions/<name>'."""
    sources: tuple[str, ...] = Field(min_length=1)


class VersionChanges(Strict):
    version: str
    title: str
    changes: tuple[RuleChange, ...] = Field(min_length=1)


class ChangesFile(Strict):
    """rules/changes.yaml: what changed per ruleset version, with its source (shown in the review report)."""

    versions: tuple[VersionChanges, ...] = ()


class RulesetManifest(Strict):
    name: str
    version: str
    description: str
