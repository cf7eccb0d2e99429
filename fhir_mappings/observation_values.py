"""Typed reads of Observation.value[x] (and of components), tolerant of the shapes EHRs send."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from fhir_mappings.codes import LOCAL, SNOMED
from fhir_mappings.elements import boolean, codes_in, dicts, integer, lookup, quantity

T = TypeVar("T")

# Yes/No answers sometimes sent as codes instead of valueBoolean.
_YES_NO_SNOMED = {"373066001": True, "373067005": False}
_YES_NO_V2 = {"Y": True, "N": False}
_V2_0136 = "http://terminology.hl7.org/CodeSystem/v2-0136"
_COUNT_UNITS = frozenset({"1", "{count}", "{#}", "{score}", "{lesions}", "{fractions}", "{fraction}"})


def value_boolean(data: Mapping[str, Any]) -> bool | None:
    found = boolean(data.get("valueBoolean"))
    if found is not None:
        return found
    concept = data.get("valueCodeableConcept")
    hit = lookup(concept, SNOMED, _YES_NO_SNOMED) or lookup(concept, _V2_0136, _YES_NO_V2)
    return hit[1] if hit else None


def value_integer(data: Mapping[str, Any]) -> int | None:
    """valueInteger, or an integral unit-less valueQuantity (scores are often sent that way)."""
    found = integer(data.get("valueInteger"))
    if found is not None:
        return found
    q = quantity(data.get("valueQuantity"))
    if q is not None and (q[1] is None or q[1] in _COUNT_UNITS):
        return integer(q[0])
    return None


def value_codes(data: Mapping[str, Any], system: str) -> list[str]:
    return codes_in(data.get("valueCodeableConcept"), system)


def value_local(data: Mapping[str, Any], allowed: Collection[str]) -> str | None:
    """A LOCAL answer code from valueCodeableConcept, restricted to ``allowed``."""
    for code in value_codes(data, LOCAL):
        if code in allowed:
            return code
    return None


def value_mapped(data: Mapping[str, Any], system: str, table: Mapping[str, T]) -> T | None:
    hit = lookup(data.get("valueCodeableConcept"), system, table)
    return hit[1] if hit else None


def interpretation_mapped(data: Mapping[str, Any], system: str, table: Mapping[str, T]) -> T | None:
    hit = lookup(data.get("interpretation"), system, table)
    return hit[1] if hit else None


def value_quantity(data: Mapping[str, Any]) -> tuple[float, str | None] | None:
    return quantity(data.get("valueQuantity"))


def components(data: Mapping[str, Any], system: str, code: str) -> list[dict[str, Any]]:
    """The components whose code is ``system|code``."""
    return [c for c in dicts(data.get("component")) if code in codes_in(c.get("code"), system)]


def has_any_value(data: Mapping[str, Any]) -> bool:
    return any(key.startswith("value") for key in data)
