"""Code lists the mapper matches on, loaded once from ``codelists.yaml`` and the project CodeSystem."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
CODELISTS_PATH = HERE / "codelists.yaml"
CODESYSTEM_PATH = HERE / "CodeSystem-bone-mets.json"

# libyaml when installed: the same documents, ten times faster (start-up of every command)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_lists: dict[str, Any] = yaml.load(CODELISTS_PATH.read_text(encoding="utf-8"), Loader=_LOADER)

SNOMED: str = _lists["systems"]["snomed"]
LOINC: str = _lists["systems"]["loinc"]
ICD10CM: str = _lists["systems"]["icd10cm"]
UCUM: str = _lists["systems"]["ucum"]
LOCAL: str = _lists["systems"]["local"]
V3_ACTCODE: str = _lists["systems"]["v3_actcode"]
V2_0074: str = _lists["systems"]["v2_0074"]
CONDITION_CLINICAL: str = _lists["systems"]["condition_clinical"]
CONDITION_VERIFICATION: str = _lists["systems"]["condition_verification"]
OBSERVATION_INTERPRETATION: str = _lists["systems"]["observation_interpretation"]


def codelist(name: str) -> Any:
    """A code list from ``codelists.yaml`` by its top-level key."""
    return _lists[name]


VERTEBRA_BY_SNOMED: dict[str, str] = dict(_lists["vertebrae"])
SNOMED_BY_VERTEBRA: dict[str, str] = {level: code for code, level in VERTEBRA_BY_SNOMED.items()}
SPINE_REGION_BY_SNOMED: dict[str, str] = dict(_lists["spine_regions"])
BONE_BY_SNOMED: dict[str, str] = dict(_lists["bones"])
SNOMED_BY_BONE: dict[str, str] = {bone: code for code, bone in BONE_BY_SNOMED.items()}


@cache
def local_codesystem() -> dict[str, Any]:
    return json.loads(CODESYSTEM_PATH.read_text(encoding="utf-8"))


@cache
def local_codes() -> dict[str, str]:
    """Every code of the project CodeSystem with its display."""
    out: dict[str, str] = {}

    def walk(concepts: list[dict[str, Any]]) -> None:
        for concept in concepts:
            out[concept["code"]] = concept["display"]
            walk(concept.get("concept", []))

    walk(local_codesystem()["concept"])
    return out
