"""The oncology code lists, as FHIR ValueSets: loaded once at start-up, looked up by (system, code).

The lists ship in ``fhir_mappings/valuesets/ValueSet-*.json`` (expansions; see the README there).
An EHR team replaces any of them with its own expansion (e.g. from VSAC) by pointing
``CDS_VALUESETS_DIR`` at a folder of ValueSet JSON files: a file whose ``url`` is one of ours
replaces ours whole. Nothing else needs to change.

Lookups are dictionary hits, never scans: exact ``(system, code)`` for SNOMED CT and the like;
for the classifications whose codes nest by prefix (ICD-10-CM, WHO ICD-10, ICD-O-3) a listed code
also stands for every code below it, found by trying the code's own prefixes (longest first).
System URIs in use for the same code system (the ICD-10-CM OID, the German ICD-10-GM, the SNOMED
OID) are read as the canonical one; WHO ICD-10 keeps its own lists (it has no C79.51/C79.52, only
C79.5 "bone and bone marrow").
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhir_mappings.elements import codings

VALUESETS_DIR = Path(__file__).parent / "valuesets"
OVERRIDE_ENV = "CDS_VALUESETS_DIR"
BASE_URL = "http://bone-mets-cds.org/fhir/ValueSet/"

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
LOINC = "http://loinc.org"

SYSTEM_ALIASES: dict[str, str] = {
    "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
    "http://hl7.org/fhir/sid/icd-10-us": ICD10CM,
    "urn:oid:2.16.840.1.113883.6.3": ICD10,
    "http://terminology.hl7.org/CodeSystem/icd10": ICD10,
    "http://fhir.de/CodeSystem/bfarm/icd-10-gm": ICD10,  # German modification: WHO semantics at these codes
    "http://fhir.de/CodeSystem/dimdi/icd-10-gm": ICD10,
    "urn:oid:2.16.840.1.113883.6.96": SNOMED,
    "urn:oid:2.16.840.1.113883.6.43.1": ICDO3,
    "http://terminology.hl7.org/CodeSystem/icd-o-3-topography": ICDO3,
    "urn:oid:2.16.840.1.113883.6.1": LOINC,
}
PREFIX_SYSTEMS = frozenset({ICD10CM, ICD10, ICDO3})
SYSTEM_LABELS: dict[str, str] = {SNOMED: "SNOMED", ICD10CM: "ICD-10-CM", ICD10: "ICD-10", ICDO3: "ICD-O-3",
                                 LOINC: "LOINC"}
_ICD_MARKERS = "+*!†"  # dagger/asterisk and ICD-10-GM markers after the code


class TerminologyError(ValueError):
    """A ValueSet file that cannot be used; the message names the file and the problem."""


def canonical_system(system: Any) -> str | None:
    if not isinstance(system, str):
        return None
    system = system.strip().rstrip("/")
    return SYSTEM_ALIASES.get(system, system)


def normalise_code(system: str, code: str) -> str:
    """'c7951' → 'C79.51' for ICD-10 family codes (sent with and without the dot); others trimmed."""
    code = code.strip()
    if system in (ICD10CM, ICD10) or (system == ICDO3 and code[:1].upper() == "C"):
        code = code.upper().rstrip(_ICD_MARKERS).strip()
        if "." not in code and len(code) > 3:
            code = f"{code[:3]}.{code[3:]}"
    return code


@dataclass(frozen=True, slots=True)
class Coded:
    """One coding as the lookups see it."""

    system: str
    code: str
    display: str | None

    @property
    def label(self) -> str:
        """'SNOMED 188152004 (Malignant neoplasm of …)' for messages."""
        text = f"{SYSTEM_LABELS.get(self.system, self.system)} {self.code}"
        return f"{text} ({self.display})" if self.display else text


def coded(concepts: Any) -> Iterator[Coded]:
    """The codings of a CodeableConcept (or list, or bare Coding), systems made canonical."""
    for coding in codings(concepts):
        system = canonical_system(coding.get("system"))
        raw = coding.get("code")
        if system is None or not isinstance(raw, str) or not raw.strip():
            continue
        display = coding.get("display")
        yield Coded(system, normalise_code(system, raw),
                    display.strip() if isinstance(display, str) and display.strip() else None)


class Terminology:
    """Every ValueSet by id (the part of the url after ``ValueSet/``), indexed for lookups."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}
        """ValueSet id → the file it came from (shipped or override)."""
        self.titles: dict[str, str] = {}
        self._exact: dict[tuple[str, str], tuple[str, ...]] = {}
        self._prefix: dict[tuple[str, str], tuple[str, ...]] = {}
        self._members: dict[str, list[tuple[str, str]]] = {}

    def add(self, vid: str, members: list[tuple[str, str]], title: str, source: str) -> None:
        self._members[vid] = members
        self.titles[vid] = title
        self.sources[vid] = source

    def index(self) -> None:
        exact: dict[tuple[str, str], list[str]] = {}
        prefix: dict[tuple[str, str], list[str]] = {}
        for vid, members in self._members.items():
            for key in members:
                ids = (prefix if key[0] in PREFIX_SYSTEMS else exact).setdefault(key, [])
                if not ids or ids[-1] != vid:
                    ids.append(vid)
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._prefix = {k: tuple(v) for k, v in prefix.items()}

    def lookup(self, system: str, code: str) -> tuple[str, ...]:
        """ValueSet ids containing the code (for prefix systems: under its longest listed prefix)."""
        if system not in PREFIX_SYSTEMS:
            return self._exact.get((system, code), ())
        for end in range(len(code), 2, -1):
            found = self._prefix.get((system, code[:end]))
            if found:
                return found
        return ()

    def members(self, vid: str) -> list[tuple[str, str]]:
        return list(self._members.get(vid, ()))

    def ids(self) -> Iterable[str]:
        return self._members.keys()


def _members_of(data: dict[str, Any], where: str) -> list[tuple[str, str]]:
    """(system, code) pairs from the expansion, plus is-a filters on prefix systems in the compose."""
    out: list[tuple[str, str]] = []
    systems: dict[Any, str | None] = {}  # start-up speed: each system URI is made canonical once
    expansion = data.get("expansion")
    stack = list(expansion.get("contains") or []) if isinstance(expansion, dict) else []
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            raise TerminologyError(f"{where}: expansion.contains holds a non-object")
        if "contains" in item:
            stack.extend(item["contains"] or [])  # nested (hierarchical) expansions
        raw_system, code = item.get("system"), item.get("code")
        system = systems.get(raw_system) if raw_system in systems else systems.setdefault(
            raw_system, canonical_system(raw_system))
        if system and isinstance(code, str) and not item.get("abstract"):
            out.append((system, normalise_code(system, code) if system in PREFIX_SYSTEMS else code.strip()))
    compose = data.get("compose")
    for include in (compose.get("include") or []) if isinstance(compose, dict) else []:
        system = canonical_system(include.get("system")) if isinstance(include, dict) else None
        if system is None:
            continue
        for concept in include.get("concept") or []:
            if isinstance(concept, dict) and isinstance(concept.get("code"), str):
                out.append((system, normalise_code(system, concept["code"])))
        for rule in include.get("filter") or []:
            if (system in PREFIX_SYSTEMS and isinstance(rule, dict) and rule.get("op") in {"is-a", "descendent-of"}
                    and isinstance(rule.get("value"), str)):
                out.append((system, normalise_code(system, rule["value"])))
    if not out:
        raise TerminologyError(f"{where}: no codes (neither an expansion nor enumerated concepts)")
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TerminologyError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("resourceType") != "ValueSet" or not isinstance(data.get("url"), str):
        raise TerminologyError(f"{path}: not a FHIR ValueSet with a url")
    return data


def load(override_dir: str | Path | None = None) -> Terminology:
    """The shipped ValueSets, each replaced by an override with the same url when one is given."""
    terminology = Terminology()
    shipped: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(VALUESETS_DIR.glob("ValueSet-*.json")):
        data = _read(path)
        shipped[data["url"]] = (path, data)
    if override_dir:
        folder = Path(override_dir)
        if not folder.is_dir():
            raise TerminologyError(f"{OVERRIDE_ENV}={folder}: not a folder")
        for path in sorted(folder.glob("*.json")):
            data = _read(path)
            url = data["url"].split("|")[0]
            if url not in shipped:
                raise TerminologyError(f"{path}: ValueSet url {url} is not one the mapper uses (its urls begin "
                                       f"{BASE_URL}; see fhir_mappings/valuesets/README.md)")
            shipped[url] = (path, data)
    for url, (path, data) in shipped.items():
        vid = url.removeprefix(BASE_URL)
        terminology.add(vid, _members_of(data, str(path)), str(data.get("title") or vid), str(path))
    terminology.index()
    return terminology


TERMINOLOGY: Terminology = load(os.environ.get(OVERRIDE_ENV) or None)


def member(concepts: Any, *vids: str) -> Coded | None:
    """The first coding of ``concepts`` in any of the ValueSets ``vids``."""
    for coding in coded(concepts):
        found = TERMINOLOGY.lookup(coding.system, coding.code)
        if any(v in found for v in vids):
            return coding
    return None


def group_of(concepts: Any, prefix: str) -> tuple[str, Coded] | None:
    """(suffix, coding) of the first ValueSet named ``<prefix><suffix>`` that holds a coding."""
    for coding in coded(concepts):
        for vid in TERMINOLOGY.lookup(coding.system, coding.code):
            if vid.startswith(prefix):
                return vid[len(prefix):], coding
    return None
