"""Inpatient stay in the 90 days before the evaluation time (TEACHH input), from Encounter.class IMP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cds.state import documented
from fhir_mappings.codes import V3_ACTCODE
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import has_code

# IMP and its v3 ActCode specialisations (acute / non-acute inpatient).
INPATIENT_CLASSES = ("IMP", "ACUTE", "NONAC")
WINDOW = timedelta(days=90)
_NOT_HAPPENED = frozenset({"planned", "cancelled", "entered-in-error"})


def map_hospitalisation(ctx: MappingContext) -> dict[str, Any]:
    window_start = ctx.as_of - WINDOW
    hits: list[tuple[str, Any, Any]] = []
    for res in ctx.of_type("Encounter"):
        data = res.data
        inpatient = has_code(data.get("class"), V3_ACTCODE, INPATIENT_CLASSES)
        if data.get("status") in _NOT_HAPPENED or not inpatient:
            continue
        when = ctx.when(res)
        begins = when.earliest
        if begins is None:
            continue
        # Started in the window, or started earlier and still going into it.
        ends = when.ends.start if when.ends is not None else (
            ctx.as_of if data.get("status") == "in-progress" else begins.start)
        if begins.start <= ctx.as_of and ends >= window_start:
            hits.append((res.reference, begins.start, begins.value))
    if not hits:
        return {}  # no inpatient Encounter on record: unknown, not "no"
    latest_start = max(hits, key=lambda hit: hit[1])[2]
    refs = [ref for ref, _, _ in hits]
    return {"hospitalised_last_3_months": documented(True, *refs, effective=latest_start)}
