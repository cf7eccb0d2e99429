"""Readers for FHIR datatypes in raw JSON: CodeableConcept, Coding, Reference, Extension, Quantity.

They work on plain dicts (not the R4B models) so that one code path serves valid resources and
the well-formed parts of invalid ones. Every reader tolerates malformed shapes (a dict where a
list belongs, ``{"coding": [{}]}``, ``None``) by returning "nothing found" instead of raising.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from fhir_mappings.codes import ICD10CM, SNOMED

T = TypeVar("T")
JSON = dict[str, Any]


def as_list(value: Any) -> list[Any]:
    """A list field; a lone object is read as a one-element list (R4/R5 differ, e.g. Procedure.category)."""
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [value]


def dicts(value: Any) -> Iterator[JSON]:
    """The dict members of a list field, skipping anything malformed."""
    for item in as_list(value):
        if isinstance(item, dict):
            yield item


def codings(concepts: Any) -> Iterator[JSON]:
    """Every Coding in one CodeableConcept, a list of them, or a bare Coding."""
    for concept in as_list(concepts):  # dicts() inlined: this runs for every coding the mapper reads
        if not isinstance(concept, dict):
            continue
        if "coding" in concept:
            for coding in as_list(concept.get("coding")):
                if isinstance(coding, dict):
                    yield coding
        elif "code" in concept or "system" in concept:
            yield concept  # a bare Coding (Encounter.class, valueCoding)


def _code(coding: JSON) -> str | None:
    code = coding.get("code")
    if isinstance(code, str) and code.strip():
        return code.strip()
    return None


def codes_in(concepts: Any, system: str) -> list[str]:
    """The codes of one system, in document order."""
    out: list[str] = []
    for coding in codings(concepts):
        code = _code(coding)
        if code is not None and coding.get("system") == system:
            out.append(code)
    return out


def has_code(concepts: Any, system: str, codes: Collection[str]) -> bool:
    return any(code in codes for code in codes_in(concepts, system))


def lookup(concepts: Any, system: str, table: Mapping[str, T]) -> tuple[str, T] | None:
    """The first code of ``system`` found in ``table``, with its mapped value."""
    for code in codes_in(concepts, system):
        if code in table:
            return code, table[code]
    return None


def normalise_icd10(code: str) -> str:
    """'c7951' -> 'C79.51': ICD-10-CM codes arrive with and without the dot."""
    code = code.strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


# ICD-10-CM arrives under its HL7 URI and under its OID (C-CDA conversions); both are the same system.
ICD10CM_SYSTEMS = frozenset({ICD10CM, "urn:oid:2.16.840.1.113883.6.90"})


def icd10_codes(concepts: Any) -> list[str]:
    """ICD-10-CM codes (either system URI), dotted."""
    out: list[str] = []
    for coding in codings(concepts):
        code = _code(coding)
        if code is not None and coding.get("system") in ICD10CM_SYSTEMS:
            out.append(normalise_icd10(code))
    return out


def icd10_prefix_match(code: str, prefixes: Iterable[str]) -> str | None:
    """The longest prefix that ``code`` starts with (C90.0 beats C90)."""
    best: str | None = None
    for prefix in prefixes:
        if code.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def has_icd10_prefix(concepts: Any, prefixes: Iterable[str]) -> bool:
    prefixes = tuple(prefixes)
    return any(icd10_prefix_match(code, prefixes) for code in icd10_codes(concepts))


def snomed_codes(concepts: Any) -> list[str]:
    return codes_in(concepts, SNOMED)


def display_of(concepts: Any) -> str | None:
    """A readable label for a concept: CodeableConcept.text, else the first Coding display (labels only)."""
    for concept in dicts(concepts):
        text = concept.get("text")
        if isinstance(text, str) and text.strip():
            return text.strip()
    for coding in codings(concepts):
        display = coding.get("display")
        if isinstance(display, str) and display.strip():
            return display.strip()
    return None


def coding_key(coding: JSON) -> str | None:
    """'77435000' for SNOMED (the lists are SNOMED), 'system|code' for any other system."""
    code = _code(coding)
    if code is None:
        return None
    system = coding.get("system")
    if system == SNOMED or not isinstance(system, str):
        return code
    return f"{system}|{code}"


def reference(value: Any) -> str | None:
    """Reference.reference as a string, else None."""
    if isinstance(value, dict):
        ref = value.get("reference")
        if isinstance(ref, str) and ref.strip():
            return ref.strip()
    return None


def references(value: Any) -> list[str]:
    return [ref for ref in (reference(item) for item in as_list(value)) if ref]


def extensions(element: Any, urls: str | Collection[str]) -> list[JSON]:
    """Extensions of ``element`` with one of ``urls``."""
    if not isinstance(element, dict):
        return []
    wanted = {urls} if isinstance(urls, str) else set(urls)
    return [ext for ext in dicts(element.get("extension")) if ext.get("url") in wanted]


def sub_extension(ext: JSON, url: str) -> JSON | None:
    for sub in dicts(ext.get("extension")):
        if sub.get("url") == url:
            return sub
    return None


def has_profile(resource: JSON, fragment: str) -> bool:
    """meta.profile contains a canonical ending in ``fragment`` (a hint only, never the sole evidence)."""
    meta = resource.get("meta")
    if not isinstance(meta, dict):
        return False
    profiles = as_list(meta.get("profile"))
    return any(isinstance(p, str) and p.split("|")[0].endswith(fragment) for p in profiles)


def boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


MAX_MAGNITUDE = 1e6
"""The largest magnitude of a number read from FHIR data. No quantity the mapper reads comes near
it in its unit (doses in cGy, sizes in mm, months, counts, scores), and beyond it derived values
(a BED squares the dose per fraction) leave what the rules engine can represent: its C core reads
no exponent notation, so 1e20 in one Observation used to fail the whole evaluation."""


def in_range(value: int | float) -> bool:
    """Finite and within ±MAX_MAGNITUDE (NaN fails every comparison, so it is out of range)."""
    return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE


def integer(value: Any) -> int | None:
    """An int that is not a bool (JSON true is not 1 here), or an integral float; out of range is
    not a number the mapper can use (``resources.parse_resource`` warns about it)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not in_range(value):
        return None
    if isinstance(value, int):
        return value
    if value.is_integer():
        return int(value)
    return None


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not in_range(value):
        return None
    return float(value)


def quantity(value: Any) -> tuple[float, str | None] | None:
    """(value, unit code) of a Quantity; the UCUM code, else the human unit string."""
    if not isinstance(value, dict):
        return None
    amount = number(value.get("value"))
    if amount is None:
        return None
    unit = value.get("code") if isinstance(value.get("code"), str) else None
    if unit is None and isinstance(value.get("unit"), str):
        unit = value["unit"]
    return amount, unit


def status_code(resource: JSON, field: str) -> str | None:
    """A status that is a CodeableConcept (Condition.clinicalStatus/verificationStatus): its first code."""
    for coding in codings(resource.get(field)):
        code = _code(coding)
        if code:
            return code
    return None
