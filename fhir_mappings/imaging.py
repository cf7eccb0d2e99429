"""The latest restaging imaging: ImagingStudy.started or a radiology DiagnosticReport's effective time."""

from __future__ import annotations

from typing import Any

from cds.state import derived, documented
from fhir_mappings.codes import LOINC, V2_0074, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import has_code
from fhir_mappings.evidence import Evidence, latest

RADIOLOGY_LOINC = codelist("loinc")["radiology_category"]
_NOT_DONE = frozenset({"registered", "cancelled", "entered-in-error"})


def map_imaging(ctx: MappingContext) -> dict[str, Any]:
    evidence: list[Evidence[Any]] = []
    for res in ctx.of_type("ImagingStudy"):
        if res.data.get("status") in _NOT_DONE:
            continue
        started = ctx.when(res).latest
        if started is not None:
            evidence.append(Evidence(started.day, res, started))
    for res in ctx.of_type("DiagnosticReport"):
        category = res.data.get("category")
        if not (has_code(category, V2_0074, ["RAD"]) or has_code(category, LOINC, [RADIOLOGY_LOINC])):
            continue
        if res.data.get("status") in _NOT_DONE:
            continue
        moment = ctx.when(res).latest
        if moment is not None:
            evidence.append(Evidence(moment.day, res, moment))
    best = latest(ctx, evidence, "latest imaging")
    if best is None:
        return {}
    age_days = (ctx.as_of_date - best.value).days
    return {
        "last_restaging_imaging": documented(best.value, best.ref, effective=best.effective),
        "restaging_imaging_age_days": derived(
            age_days, f"days from the latest imaging ({best.value}) to the evaluation time",
            sources=[best.ref], inputs={"imaging_date": best.value.isoformat(),
                                        "as_of": ctx.as_of_date.isoformat()}),
    }
