"""Breast receptor status (ER, PR, HER2) from tumour-marker Observations; latest wins."""

from __future__ import annotations

from typing import Any

from fhir_mappings.codes import LOINC, OBSERVATION_INTERPRETATION, SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.observation_values import interpretation_mapped, value_mapped
from fhir_mappings.resources import ParsedResource

_LOINC = codelist("loinc")
_VALUES = codelist("receptor_values")
RECEPTOR_CODES: dict[str, tuple[str, ...]] = {
    "er_status": tuple(_LOINC["er"]),
    "pr_status": tuple(_LOINC["pr"]),
    "her2_status": tuple(_LOINC["her2"]),
}


def receptor_value(res: ParsedResource) -> str | None:
    """positive/negative from the coded value, else from the interpretation."""
    data = res.data
    return (value_mapped(data, SNOMED, _VALUES["snomed"])
            or value_mapped(data, LOINC, _VALUES["loinc_answers"])
            or interpretation_mapped(data, OBSERVATION_INTERPRETATION, _VALUES["interpretation"]))


def map_receptors(ctx: MappingContext) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, codes in RECEPTOR_CODES.items():
        evidence = collect(ctx, ctx.observations(LOINC, codes), receptor_value)
        fact = latest_fact(ctx, evidence, field.replace("_", " "))
        if fact is not None:
            out[field] = fact
    return out
