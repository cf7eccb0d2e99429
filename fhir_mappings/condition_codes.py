"""What a Condition is, by its codes: primary cancer (and which histology), which kind of metastasis,
and whether it is asserted as present, refuted, or no longer active."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from fhir_mappings.codes import LOCAL, SNOMED, codelist
from fhir_mappings.elements import (
    codes_in,
    extensions,
    has_code,
    has_icd10_prefix,
    icd10_codes,
    icd10_prefix_match,
    snomed_codes,
    status_code,
)

Presence = Literal["present", "refuted", "inactive"]

PRIMARY_ICD10: dict[str, str] = dict(codelist("primary_icd10_prefixes"))
PRIMARY_SNOMED: dict[str, str] = dict(codelist("primary_snomed"))
_BONE = codelist("bone_metastasis")
_VISCERAL = codelist("visceral_metastasis")
_HEPATIC = codelist("hepatic_metastasis")
_BRAIN = codelist("brain_metastasis")
_NODAL = codelist("nodal_metastasis")
HISTORY_OF_METASTATIC_SNOMED = frozenset(codelist("history_of_metastatic_cancer")["snomed"])
_EXT = codelist("extensions")
HISTOLOGY_EXTENSIONS: tuple[str, ...] = tuple(_EXT["histology_morphology_behavior"])
RELATED_CONDITION_EXTENSIONS: tuple[str, ...] = tuple(_EXT["related_condition"])
# Only the STU1 extension is specific to secondary cancers; the core condition-related one links anything.
RELATED_PRIMARY_STU1 = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-primary-cancer-condition"

# ICD-10-CM malignant neoplasm chapters: C00–C76, C7A, C80–C96 are primaries; C77–C79 and C7B secondaries.
_ICD_PRIMARY = re.compile(r"^C(?:[0-6]\d|7[0-6]|7A|8\d|9[0-6])")
_ICD_SECONDARY = re.compile(r"^C(?:7[7-9]|7B)")

INACTIVE_CLINICAL = frozenset({"inactive", "resolved", "remission"})


def presence(data: Mapping[str, Any]) -> Presence:
    """refuted: documented absence; inactive: resolved/remission; otherwise asserted present."""
    if status_code(data, "verificationStatus") == "refuted":
        return "refuted"
    if status_code(data, "clinicalStatus") in INACTIVE_CLINICAL:
        return "inactive"
    return "present"


def histology(code_concept: Any) -> tuple[str, str] | None:
    """(histology, matched code) from the Condition code: ICD-10-CM longest prefix, then SNOMED."""
    best: tuple[str, str] | None = None
    best_len = -1
    for code in icd10_codes(code_concept):
        prefix = icd10_prefix_match(code, PRIMARY_ICD10)
        if prefix is not None and len(prefix) > best_len:
            best, best_len = (PRIMARY_ICD10[prefix], code), len(prefix)
    if best is not None:
        return best
    for code in snomed_codes(code_concept):
        if code in PRIMARY_SNOMED:
            return PRIMARY_SNOMED[code], code
    return None


def unlisted_primary_code(code_concept: Any) -> str | None:
    """An ICD-10-CM malignant primary code that is not in the histology lists (a data gap)."""
    for code in icd10_codes(code_concept):
        if _ICD_PRIMARY.match(code) and not _ICD_SECONDARY.match(code):
            return code
    return None


def code_label(code_concept: Any) -> str:
    """'SNOMED 363346000' / 'ICD-10-CM C80.1' for messages."""
    icd = icd10_codes(code_concept)
    if icd:
        return f"ICD-10-CM {icd[0]}"
    snomed = snomed_codes(code_concept)
    if snomed:
        return f"SNOMED {snomed[0]}"
    return "no recognised code"


def has_histology_extension(data: Mapping[str, Any]) -> bool:
    return bool(extensions(data, HISTOLOGY_EXTENSIONS))


def is_bone_metastasis(code_concept: Any) -> bool:
    return has_code(code_concept, SNOMED, _BONE["snomed"]) or any(
        code in _BONE["icd10cm"] for code in icd10_codes(code_concept))


def metastasis_kinds(code_concept: Any) -> set[str]:
    """Subset of {bone, visceral, hepatic, brain, nodal, other} this code names; empty if not a metastasis."""
    kinds: set[str] = set()
    if is_bone_metastasis(code_concept):
        kinds.add("bone")
    if has_icd10_prefix(code_concept, _VISCERAL["icd10cm_prefixes"]) or has_code(
            code_concept, SNOMED, _VISCERAL["snomed"]):
        kinds.add("visceral")
    if has_icd10_prefix(code_concept, _HEPATIC["icd10cm_prefixes"]) or has_code(
            code_concept, SNOMED, _HEPATIC["snomed"]):
        kinds.add("hepatic")
    if has_icd10_prefix(code_concept, _BRAIN["icd10cm_prefixes"]) or has_code(
            code_concept, SNOMED, _BRAIN["snomed"]):
        kinds.add("brain")
    if has_icd10_prefix(code_concept, _NODAL["icd10cm_prefixes"]):
        kinds.add("nodal")
    if not kinds and any(_ICD_SECONDARY.match(code) for code in icd10_codes(code_concept)):
        kinds.add("other")  # e.g. C79.89 or C7B.09: a metastasis, but not one the lists name
    return kinds


def related_primary_refs(data: Mapping[str, Any]) -> list[str]:
    """References to the primary cancer from condition-related / mcode-related-primary-cancer-condition."""
    out: list[str] = []
    for ext in extensions(data, RELATED_CONDITION_EXTENSIONS):
        value = ext.get("valueReference")
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            out.append(value["reference"])
    return out


def has_stu1_related_primary(data: Mapping[str, Any]) -> bool:
    return bool(extensions(data, RELATED_PRIMARY_STU1))


def local_codes(code_concept: Any) -> list[str]:
    return codes_in(code_concept, LOCAL)
