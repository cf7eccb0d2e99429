"""Neurological status: deficit, ambulation, paraplegia (and for how long), motor deficit onset."""

from __future__ import annotations

from typing import Any

from cds.state import Neurology, derived, documented
from fhir_mappings import condition_codes as cc
from fhir_mappings.codes import SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import has_code, icd10_codes
from fhir_mappings.evidence import Evidence, collect, latest, latest_fact
from fhir_mappings.observation_values import value_boolean
from fhir_mappings.patient_facts import local_observations

_PARAPLEGIA = codelist("paraplegia")


def is_paraplegia(code: object) -> bool:
    return has_code(code, SNOMED, _PARAPLEGIA["snomed"]) or any(
        c.startswith(tuple(_PARAPLEGIA["icd10cm_prefixes"])) for c in icd10_codes(code))


def map_neurology(ctx: MappingContext) -> Neurology:
    values: dict[str, Any] = {}
    for field, code in (("neurological_deficit", "neurological-deficit"), ("ambulatory", "ambulatory")):
        evidence = collect(ctx, local_observations(ctx, code), lambda r: value_boolean(r.data))
        fact = latest_fact(ctx, evidence, code)
        if fact is not None:
            values[field] = fact

    paraplegia: list[Evidence[bool]] = []
    for res in ctx.of_type("Condition"):
        if not is_paraplegia(res.data.get("code")):
            continue
        state = cc.presence(res.data)
        if state != "inactive":
            paraplegia.append(Evidence(state == "present", res, ctx.when(res).latest))
    best = latest(ctx, paraplegia, "paraplegia")
    ambulatory = values.get("ambulatory")
    if best is not None:
        values["paraplegic"] = documented(best.value, best.ref, effective=best.effective)
        onset = ctx.choice_time(best.resource, "onset").earliest
        if best.value and ambulatory is not None and ambulatory.value:
            ctx.warn(best.resource, "paraplegia Condition while the patient is documented as ambulatory")
        if best.value and onset is not None:
            hours = (ctx.as_of - onset.start).total_seconds() / 3600
            note = " (onset date only: read as midnight UTC)" if onset.precision != "time" else ""
            values["paraplegia_hours"] = derived(
                round(hours, 2), f"hours from paraplegia onset {onset.text} to the evaluation time{note}",
                sources=[best.ref], inputs={"onset": onset.text, "as_of": ctx.as_of.isoformat()})
    elif ambulatory is not None and ambulatory.value:
        values["paraplegic"] = derived(False, "the patient is documented as ambulatory",
                                       sources=list(ambulatory.sources))

    onsets: list[Evidence[Any]] = []
    for res in local_observations(ctx, "motor-deficit-onset"):
        moment = ctx.parse_time(res, "valueDateTime", res.data.get("valueDateTime"))
        if moment is not None:
            onsets.append(Evidence(moment, res, ctx.when(res).latest))
    motor = latest(ctx, onsets, "motor deficit onset")
    if motor is not None:
        days = (ctx.as_of - motor.value.start).total_seconds() / 86400
        if days < 0:
            ctx.warn(motor.resource, "motor deficit onset is after the evaluation time; ignored")
        else:
            values["motor_deficit_days"] = derived(
                round(days, 2), f"days from motor deficit onset {motor.value.text} to the evaluation time",
                sources=[motor.ref], inputs={"onset": motor.value.text, "as_of": ctx.as_of.isoformat()},
                effective=motor.effective)
    return Neurology(**values)
