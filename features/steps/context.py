"""One scenario's patient, evaluation and the rules it exercised.

``Given`` steps do not touch FHIR directly: they record builder calls, keyed by the fact they
document, and the ``When`` step builds the record once the evaluation date is known (relative
times such as "12 hours" or "30 days ago" count back from it). Recording by fact lets a
Background state a default ("ECOG 1") that a scenario overrides ("ECOG 3") without leaving two
contradicting observations in the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cds.output import Evaluation, Recommendation
from cds.synthetic.builder import Lesion, PatientBuilder
from steps.vocabulary import site_key, site_names

PatientOp = Callable[[PatientBuilder], object]
LesionOp = Callable[[PatientBuilder, Lesion], object]

@dataclass
class LesionSpec:
    sites: tuple[str, ...]
    ops: dict[str, LesionOp] = field(default_factory=dict)
    diagnosed_days_ago: float | None = None


@dataclass
class PatientSpec:
    """What the Given steps said about the patient, built into FHIR at evaluation time."""

    age: int | None = None
    sex: str | None = None
    histology: str | None = None
    confirmed: bool = True
    diagnosed_days_ago: float | None = 3 * 365.25
    ops: dict[str, PatientOp] = field(default_factory=dict)
    lesions: dict[str, LesionSpec] = field(default_factory=dict)
    coverage: frozenset[str] | None = None
    """The resource types the record covers (None: the whole record, as a Bundle is)."""

    def set(self, fact: str, op: PatientOp) -> None:
        """Document a patient-level fact; a later statement of the same fact replaces the earlier one."""
        self.ops.pop(fact, None)
        self.ops[fact] = op

    def lesion(self, site: str) -> LesionSpec:
        """The lesion at a site, recorded on first mention."""
        key = site_key(site)
        if key not in self.lesions:
            self.lesions[key] = LesionSpec(site_names(site))
        return self.lesions[key]

    def at(self, site: str, fact: str, op: LesionOp) -> None:
        spec = self.lesion(site)
        spec.ops.pop(fact, None)
        spec.ops[fact] = op

    def build(self, as_of: date, patient_id: str = "bdd") -> tuple[PatientBuilder, dict[str, Lesion]]:
        b = PatientBuilder(patient_id, as_of=as_of, age=self.age, sex=self.sex)  # type: ignore[arg-type]
        if self.histology is not None:
            diagnosed = (as_of - timedelta(days=self.diagnosed_days_ago)
                         if self.diagnosed_days_ago is not None else None)
            b.primary_cancer(self.histology, confirmed=self.confirmed, diagnosed=diagnosed)  # type: ignore[arg-type]
        for op in self.ops.values():
            op(b)
        handles: dict[str, Lesion] = {}
        for key, spec in self.lesions.items():
            onset = timedelta(days=spec.diagnosed_days_ago) if spec.diagnosed_days_ago is not None else False
            handle = b.bone_metastasis(*spec.sites, onset=onset)
            handles[key] = handle
            for lesion_op in spec.ops.values():
                lesion_op(b, handle)
        return b, handles


@dataclass
class Exercised:
    """What a scenario exercised, for the clinician review report."""

    fired: dict[str, None] = field(default_factory=dict)
    """Every rule and caveat behind a recommendation of the scenario's evaluations."""
    asserted: dict[str, None] = field(default_factory=dict)
    """Rules behind the recommendations a Then step checked."""
    assessments: dict[str, None] = field(default_factory=dict)
    criteria: dict[str, None] = field(default_factory=dict)
    """Eligibility criteria a Then step checked, as '<assessment>/<criterion>'."""
    data_gaps: dict[str, None] = field(default_factory=dict)

    def as_json(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in ("fired", "asserted", "assessments", "criteria",
                                                              "data_gaps")}


@dataclass
class ScenarioContext:
    patient: PatientSpec | None = None
    evaluation: Evaluation | None = None
    output: dict[str, Any] | None = None
    lesions: dict[str, Lesion] = field(default_factory=dict)
    last: Recommendation | None = None
    exercised: Exercised = field(default_factory=Exercised)

    # --- helpers for the Then steps -------------------------------------------------------

    def spec(self) -> PatientSpec:
        if self.patient is None:
            raise AssertionError("no patient yet: start the scenario with 'Given a <age>-year-old <woman|man> with …'")
        return self.patient

    def result(self) -> Evaluation:
        if self.evaluation is None:
            raise AssertionError("the patient has not been evaluated: add 'When the patient is evaluated on <date>'")
        return self.evaluation

    def lesion_id(self, site: str) -> str:
        key = site_key(site)
        self.result()
        if key not in self.lesions:
            raise AssertionError(f"no lesion at {site}; lesions: {', '.join(self.lesions)}")
        return self.lesions[key].reference

    def lesion_state(self, site: str) -> dict[str, Any]:
        lesion_id = self.lesion_id(site)
        assert self.output is not None
        for lesion in self.output["state"].get("lesions", []):
            if lesion["id"] == lesion_id:
                return lesion  # type: ignore[no-any-return]
        raise AssertionError(f"lesion {lesion_id} is not in the clinical state")

    def recommendations(self, site: str) -> tuple[Recommendation, ...]:
        return self.result().recommendations_for(self.lesion_id(site))

    def assert_recommendation(self, rec: Recommendation) -> None:
        self.last = rec
        self.exercised.asserted.update(dict.fromkeys(rec.rules))

    def recommendation(self) -> Recommendation:
        if self.last is None:
            raise AssertionError("no recommendation checked yet: 'Then the lesion at <site> gets …' comes first")
        return self.last
