"""Patient demographics: age at the evaluation time (from birthDate, counted to death if the patient has
died), administrative sex, and death (``deceased[x]``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from cds.state import derived, documented
from fhir_mappings.context import MappingContext
from fhir_mappings.dates import completed_years
from fhir_mappings.resources import ParsedResource

_GENDERS = frozenset({"male", "female", "other", "unknown"})


def map_patient(ctx: MappingContext) -> dict[str, Any]:
    patient = ctx.patient()
    if patient is None:
        return {}
    out: dict[str, Any] = {}
    gender = patient.data.get("gender")
    if isinstance(gender, str) and gender in _GENDERS:
        out["sex"] = documented(gender, patient.reference)
    death = _death(ctx, patient, out)
    born = ctx.parse_time(patient, "birthDate", patient.data.get("birthDate"))
    if born is not None:
        # Age is counted to the evaluation date, or to the death when the patient has died.
        until = death if death is not None and death < ctx.as_of_date else ctx.as_of_date
        age = completed_years(born.day, until)
        if born.precision in {"year", "month"}:
            # A partial birthDate is read as its first day: the age may be one year too high.
            ctx.warn(patient, f"birthDate {born.text} is partial; age {age} may be one year too high")
        if age < 0:
            ctx.warn(patient, f"birthDate {born.text} is after the evaluation time; age not set")
        else:
            out["age"] = derived(age, f"completed years from birthDate {born.text} to "
                                      f"{'death on ' if until != ctx.as_of_date else ''}{until}",
                                 sources=[patient.reference],
                                 inputs={"birthDate": born.text, "as_of": until.isoformat()})
    return out


def _death(ctx: MappingContext, patient: ParsedResource, out: dict[str, Any]) -> date | None:
    """``Patient.deceasedBoolean`` / ``deceasedDateTime``: the date of death when known.

    A death dated after the evaluation date is not yet a fact (ignored with a warning, like any
    future-dated fact); ``deceasedBoolean: false`` is documented as alive.
    """
    data = patient.data
    if "deceasedDateTime" in data:
        when = ctx.parse_time(patient, "deceasedDateTime", data["deceasedDateTime"])
        if when is None:
            return None
        if when.start > ctx.as_of:
            ctx.warn(patient, f"deceasedDateTime {when.text} is after the evaluation time; ignored")
            return None
        out["deceased"] = documented(True, patient.reference, effective=when.day)
        out["deceased_date"] = documented(when.day, patient.reference, effective=when.day)
        return when.day
    flag = data.get("deceasedBoolean")
    if isinstance(flag, bool):
        out["deceased"] = documented(flag, patient.reference)
    return None
