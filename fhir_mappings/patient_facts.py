"""Patient-level observations: expected survival, disease status and the project's (LOCAL) facts
about surgical fitness, primary control, metastatic history and prior chemotherapy."""

from __future__ import annotations

from typing import Any

from fhir_mappings.codes import LOCAL, LOINC, SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.observation_values import value_boolean, value_integer, value_mapped, value_quantity
from fhir_mappings.resources import ParsedResource

_LOINC = codelist("loinc")
DISEASE_STATUS: dict[str, str] = dict(codelist("disease_status_snomed"))
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

    status = ctx.observations(LOINC, [_LOINC["disease_status"]])
    fact = latest_fact(ctx, collect(ctx, status, lambda r: value_mapped(r.data, SNOMED, DISEASE_STATUS)),
                       "disease status")
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


def _non_negative(ctx: MappingContext, res: ParsedResource) -> int | None:
    value = value_integer(res.data)
    if value is not None and value < 0:
        ctx.warn(res, f"count {value} is negative; ignored")
        return None
    return value
