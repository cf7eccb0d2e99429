"""Patient demographics: age at the evaluation time (from birthDate) and administrative sex."""

from __future__ import annotations

from typing import Any

from cds.state import derived, documented
from fhir_mappings.context import MappingContext
from fhir_mappings.dates import completed_years

_GENDERS = frozenset({"male", "female", "other", "unknown"})


def map_patient(ctx: MappingContext) -> dict[str, Any]:
    patient = ctx.patient()
    if patient is None:
        return {}
    out: dict[str, Any] = {}
    gender = patient.data.get("gender")
    if isinstance(gender, str) and gender in _GENDERS:
        out["sex"] = documented(gender, patient.reference)
    born = ctx.parse_time(patient, "birthDate", patient.data.get("birthDate"))
    if born is not None:
        age = completed_years(born.day, ctx.as_of_date)
        if born.precision in {"year", "month"}:
            # A partial birthDate is read as its first day: the age may be one year too high.
            ctx.warn(patient, f"birthDate {born.text} is partial; age {age} may be one year too high")
        if age < 0:
            ctx.warn(patient, f"birthDate {born.text} is after the evaluation time; age not set")
        else:
            out["age"] = derived(age, f"completed years from birthDate {born.text} to {ctx.as_of_date}",
                                 sources=[patient.reference],
                                 inputs={"birthDate": born.text, "as_of": ctx.as_of_date.isoformat()})
    return out
