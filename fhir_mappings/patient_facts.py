"""Patient-level observations: expected survival, disease status and the project's (LOCAL) facts
about surgical fitness, primary control, metastatic history and prior chemotherapy."""

from __future__ import annotations

from typing import Any

from cds.state import Fact
from fhir_mappings import condition_codes as cc
from fhir_mappings.codes import LOCAL, LOINC, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.observation_values import value_boolean, value_integer, value_quantity
from fhir_mappings.resources import ParsedResource
from fhir_mappings.terminology import TERMINOLOGY, group_of

_LOINC = codelist("loinc")
DAYS_PER_MONTH = 30.4375  # 365.25 / 12
# UCUM code → months per unit; plain-word units are accepted only when no UCUM code was sent.
_MONTHS_PER_UNIT: dict[str, float] = {"mo": 1.0, "wk": 7 / DAYS_PER_MONTH, "a": 12.0, "d": 1 / DAYS_PER_MONTH}
_UNIT_WORDS: dict[str, str] = {"month": "mo", "months": "mo", "week": "wk", "weeks": "wk", "year": "a",
                               "years": "a", "day": "d", "days": "d"}

LOCAL_BOOLEANS: dict[str, str] = {
    "medically_operable": "medically-operable",
    "primary_controlled": "primary-controlled",
    "history_polymetastatic": "history-of-polymetastatic-disease",
    "history_treated_omd": "history-of-treated-omd",
}


def local_observations(ctx: MappingContext, code: str, *, patient_level: bool = True) -> list[ParsedResource]:
    """LOCAL-coded Observations; patient-level ones exclude those about a site (focus/bodySite)."""
    found = ctx.observations(LOCAL, [code])
    if patient_level:
        found = [r for r in found if not ctx.is_site_specific(r)]
    return found


def survival_months(ctx: MappingContext, res: ParsedResource) -> float | None:
    q = value_quantity(res.data)
    if q is None:
        return None
    amount, unit = q
    unit_code = unit if unit in _MONTHS_PER_UNIT else _UNIT_WORDS.get((unit or "").lower())
    if unit_code is None:
        ctx.warn(res, f"expected survival unit {unit!r} is not wk, mo, a or d; ignored")
        return None
    if amount < 0:
        ctx.warn(res, f"expected survival {amount} {unit} is negative; ignored")
        return None
    return amount * _MONTHS_PER_UNIT[unit_code]


def map_patient_facts(ctx: MappingContext) -> dict[str, Any]:
    out: dict[str, Any] = {}
    survival = ctx.observations(LOINC, [_LOINC["estimated_survival"]]) + local_observations(
        ctx, "estimated-survival")
    fact = latest_fact(ctx, collect(ctx, survival, lambda r: survival_months(ctx, r)), "expected survival")
    if fact is not None:
        out["expected_survival_months"] = fact

    fact = disease_status(ctx)
    if fact is not None:
        out["disease_status"] = fact

    for field, code in LOCAL_BOOLEANS.items():
        fact = latest_fact(ctx, collect(ctx, local_observations(ctx, code), lambda r: value_boolean(r.data)),
                           code)
        if fact is not None:
            out[field] = fact

    courses = local_observations(ctx, "prior-palliative-chemotherapy-courses")
    fact = latest_fact(ctx, collect(ctx, courses, lambda r: _non_negative(ctx, r)),
                       "prior palliative chemotherapy courses")
    if fact is not None:
        out["prior_palliative_chemo_courses"] = fact
    return out


DISEASE_STATUS_CODES: tuple[tuple[str, str], ...] = (
    (LOINC, _LOINC["disease_status"]), *TERMINOLOGY.members("disease-status-observation"))
# disease-status-<value> ValueSets → the state's value; None: recognised, but no status to use.
_STATUS_OF_VALUESET: dict[str, str | None] = {
    "progressing": "progressing", "stable": "stable", "improving": "improving",
    "complete-remission": "complete-remission", "undetermined": None, "distant-metastasis": None,
}


def disease_status_observations(ctx: MappingContext) -> list[ParsedResource]:
    """mCODE STU4 (LOINC 97509-4) and STU1 (LOINC 88040-1) disease-status Observations."""
    found: dict[int, ParsedResource] = {}
    for system, code in DISEASE_STATUS_CODES:
        for res in ctx.observations(system, [code]):
            found.setdefault(id(res), res)
    return sorted(found.values(), key=lambda r: r.position)


def _status_value(ctx: MappingContext, res: ParsedResource) -> str | None:
    """The status value; "-" for a recognised value that says nothing usable (undetermined)."""
    hit = group_of(res.data.get("valueCodeableConcept"), "disease-status-")
    if hit is None:
        value = res.data.get("valueCodeableConcept")
        if value is not None:
            ctx.warn(res, f"disease status value {cc.code_label(value)} is not in the disease-status ValueSets; "
                     "not used — add it to fhir_mappings/valuesets/ValueSet-disease-status-<value>.json")
        return None
    status = _STATUS_OF_VALUESET.get(hit[0])
    return status if status is not None else "-"


def disease_status(ctx: MappingContext) -> Fact[Any] | None:
    """The latest disease status; a latest "undetermined" means the current status is not known."""
    fact = latest_fact(ctx, collect(ctx, disease_status_observations(ctx), lambda r: _status_value(ctx, r)),
                       "disease status")
    if fact is not None and fact.value == "-":
        ctx.warn(fact.sources[0] if fact.sources else None, "latest disease status says undetermined (or only "
                 "that distant metastases are present): no current disease status")
        return None
    return fact


def _non_negative(ctx: MappingContext, res: ParsedResource) -> int | None:
    value = value_integer(res.data)
    if value is not None and value < 0:
        ctx.warn(res, f"count {value} is negative; ignored")
        return None
    return value
