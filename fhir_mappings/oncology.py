"""What looks oncological, and saying so when the code lists did not recognise it.

Nothing oncological is dropped silently: a Condition, Observation or Procedure that looks like cancer
data — by its code system's hierarchy (ICD-10 C00–D49), an mCODE/CodeX profile, an mCODE extension
or link, or, as a last resort, its text — but whose code no list recognises gets one warning naming
the resource, the code and the ValueSet to add it to. Resources with the same unrecognised code
share one warning (a course of 30 sessions is one message, not 30).

"Looks oncological" per type, as the rules use it: a Condition that is a cancer; an Observation that
is a performance status, disease status, stage, receptor or other mCODE/CodeX observation; a
Procedure that is radiotherapy. Surgery, chemotherapy and tumour markers the rules do not read are
known and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fhir_mappings import condition_codes as cc
from fhir_mappings import terminology
from fhir_mappings.codes import LOCAL, LOINC, SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import as_list, codes_in, has_code, icd10_codes, references
from fhir_mappings.resources import ParsedResource
from fhir_mappings.terminology import coded

# One compiled pattern per question, run on a resource's short display text (never a list of patterns).
_CANCER_TEXT = re.compile(r"malignan(t|cy)\b(?! hypertension| hyperthermia)|carcinoma|\bcancer\b|lymphoma|"
                          r"leuka?emia|melanoma|sarcoma|myeloma|metasta|neoplasm|carcinomatosis|\btumou?r\b|"
                          r"\boncolog")
_NOT_CANCER_TEXT = re.compile(r"benign|screening|history of|family history|fear of|risk of|at risk|suspected|"
                              r"in situ|uncertain behavio|no evidence|prophyla|\brule out\b|marker|education|"
                              r"referral|counsel")
_METASTASIS_TEXT = re.compile(r"metasta|secondary malignant|secondary neoplasm|secondar(y|ies) (in|to|of)\b")
_RADIOTHERAPY_TEXT = re.compile(r"radiotherap|radiation therap|radiation treatment|irradiation|brachytherap|"
                                r"teleradiotherap|radiosurg|\bsbrt\b|\bsabr\b|\bimrt\b|\bvmat\b|proton therap|"
                                r"external beam")
_OBSERVATION_TEXT = re.compile(r"\becog\b|karnofsky|performance status|disease status|disease progression|"
                               r"cancer progression|stage group|\btnm\b|\bajcc\b|number of metastases|"
                               r"metastatic lesion count|bone lesion count|estrogen receptor|progesterone receptor|"
                               r"\bher2\b|life expectancy|expected survival")
# Speed: a substring test first; the pattern runs only on text that holds one of these.
_OBSERVATION_KEYS = ("ecog", "karnofsky", "performance", "status", "progress", "stage", "tnm", "ajcc", "metasta",
                     "lesion count", "receptor", "her2", "life expectancy", "survival")
_CANCER_KEYS = ("malignan", "carcinoma", "cancer", "lymphoma", "leuk", "melanoma", "sarcoma", "myeloma", "metasta",
                "neoplasm", "tumor", "tumour", "oncolog")
_RADIOTHERAPY_KEYS = ("radi", "brachy", "sbrt", "sabr", "imrt", "vmat", "proton", "external beam")
_ONCOLOGY_PROFILE = ("/us/mcode/", "/us/codex-radiation-therapy/", "/mcode-", "codexrt-")
# mCODE/CodeX observation profiles the rules do not read (known, so no warning).
_KNOWN_NOT_USED_PROFILES = ("tumor-marker", "tumor-size", "genomic", "genomics", "body-surface-area",
                            "comorbid", "histologic", "histology", "gleason", "morphology", "grade", "risk",
                            "lansky", "deauville", "binet", "rai-stage", "iss-stage", "figo", "breslow", "clark",
                            "lymphoma-stage", "cancer-genetic", "variant", "region-studied", "specimen",
                            # other staging systems and the T/N categories (stage group and M are read first)
                            "cancer-stage", "tnm-")
_OTHER_CONDITION_LISTS = ("cord_compression", "cauda_equina", "paraplegia", "pathological_fracture")


def _text(data: Mapping[str, Any]) -> str:
    """The code's text and displays, lower-case (read directly: this runs on many resources)."""
    concept = data.get("code")
    parts: list[str] = []
    for item in concept if isinstance(concept, list) else [concept]:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        if isinstance(text, str):
            parts.append(text)
        for coding in item.get("coding") or ():
            display = coding.get("display") if isinstance(coding, dict) else None
            if isinstance(display, str):
                parts.append(display)
    return " | ".join(parts).lower()


def _mentions(text: str, keys: tuple[str, ...], pattern: re.Pattern[str]) -> bool:
    return any(key in text for key in keys) and bool(pattern.search(text))


def display_says_cancer(data: Mapping[str, Any]) -> bool:
    text = _text(data)
    return _mentions(text, _CANCER_KEYS, _CANCER_TEXT) and not _NOT_CANCER_TEXT.search(text)


def display_says_metastasis(data: Mapping[str, Any]) -> bool:
    return display_says_cancer(data) and bool(_METASTASIS_TEXT.search(_text(data)))


def display_says_primary_cancer(data: Mapping[str, Any]) -> bool:
    return display_says_cancer(data) and not _METASTASIS_TEXT.search(_text(data))


def _profiles(data: Mapping[str, Any]) -> list[str]:
    meta = data.get("meta")
    if not isinstance(meta, dict) or not meta.get("profile"):
        return []
    return [p for p in as_list(meta.get("profile")) if isinstance(p, str)]


def has_oncology_profile(data: Mapping[str, Any]) -> bool:
    return any(fragment in p for p in _profiles(data) for fragment in _ONCOLOGY_PROFILE)


def is_unrecognised_metastasis(data: Mapping[str, Any]) -> bool:
    """A secondary cancer whose code the lists lack: mCODE STU1 link, secondary profile, or its text."""
    return (cc.has_stu1_related_primary(data) or any("secondary-cancer-condition" in p for p in _profiles(data))
            or display_says_metastasis(data))


def _icd_cancer_range(data: Mapping[str, Any]) -> bool:
    """ICD-10 C00–D49 under any ICD-10 system URI: neoplasms by the classification's own hierarchy."""
    for coding in coded(data.get("code")):
        if coding.system in (terminology.ICD10CM, terminology.ICD10) and (
                coding.code[:1] == "C" or (coding.code[:1] == "D" and coding.code[1:3].isdigit()
                                           and int(coding.code[1:3]) <= 49)):
            return True
    return False


# --------------------------------------------------------------------------- recognised by the mapper


def _other_condition_codes() -> tuple[frozenset[str], tuple[str, ...]]:
    snomed: set[str] = set()
    icd: list[str] = list(codelist("radiotherapy_procedure")["icd10cm_history"])
    for name in _OTHER_CONDITION_LISTS:
        entry = codelist(name)
        snomed.update(entry.get("snomed", ()))
        icd.extend(entry.get("icd10cm", ()))
        icd.extend(entry.get("icd10cm_prefixes", ()))
    snomed.update(cc.HISTORY_OF_METASTATIC_SNOMED)
    return frozenset(snomed), tuple(icd)


_OTHER_SNOMED, _OTHER_ICD = _other_condition_codes()


def _condition_recognised(ctx: MappingContext, res: ParsedResource) -> bool:
    if ctx.cancer_code(res).recognised:
        return True
    code = res.data.get("code")
    return has_code(code, SNOMED, _OTHER_SNOMED) or any(c.startswith(_OTHER_ICD) for c in icd10_codes(code)) \
        or bool(codes_in(code, LOCAL))


def _observation_codes() -> frozenset[tuple[str, str]]:
    wanted: set[tuple[str, str]] = set()
    for value in codelist("loinc").values():
        for code in value if isinstance(value, list) else [value]:
            wanted.add((LOINC, str(code)))
    for vid in ("disease-status-observation", "stage-group-observation", "tnm-m-observation", "tnm-t-n-observation"):
        wanted.update(terminology.TERMINOLOGY.members(vid))
    wanted.update((SNOMED, c) for c in cc.HISTORY_OF_METASTATIC_SNOMED)
    return frozenset(wanted)


_OBSERVATION_CODES = _observation_codes()


_ROUTINE_CATEGORIES = frozenset({"vital-signs", "laboratory", "social-history", "imaging", "procedure"})


def _raw_codings(concept: Any) -> list[dict[str, Any]]:
    """The codings of one CodeableConcept, read directly (this runs on every Observation of a record)."""
    if isinstance(concept, dict):
        found = concept.get("coding")
        if isinstance(found, list):
            return [c for c in found if isinstance(c, dict)]
    elif isinstance(concept, list):
        return [c for item in concept for c in _raw_codings(item)]
    return []


def _observation_recognised(res: ParsedResource) -> bool:
    for coding in _raw_codings(res.data.get("code")):
        system, code = coding.get("system"), coding.get("code")
        if system == LOCAL or (system, code) in _OBSERVATION_CODES:
            return True
        if system in terminology.SYSTEM_ALIASES and isinstance(code, str) and (
                terminology.SYSTEM_ALIASES[system], code.strip()) in _OBSERVATION_CODES:
            return True
    return False


def _observation_oncological(res: ParsedResource) -> bool:
    """mCODE/CodeX profile (other than those known and not used), or — not for vital signs, labs,
    social history, imaging — a display that names what the rules read."""
    profiles = _profiles(res.data)
    oncology_profile = any(fragment in p for p in profiles for fragment in _ONCOLOGY_PROFILE)
    if oncology_profile:
        return not any(fragment in p for p in profiles for fragment in _KNOWN_NOT_USED_PROFILES)
    if any(c.get("code") in _ROUTINE_CATEGORIES for c in _raw_codings(res.data.get("category"))):
        return False
    return _mentions(_text(res.data), _OBSERVATION_KEYS, _OBSERVATION_TEXT)


def _procedure_recognised(res: ParsedResource, rt_codes: frozenset[str]) -> bool:
    return has_code(res.data.get("code"), SNOMED, rt_codes) or has_code(res.data.get("category"), SNOMED, rt_codes)


def _procedure_looks_radiotherapy(res: ParsedResource) -> bool:
    if any("radiotherapy" in p or "radiation" in p for p in _profiles(res.data)):
        return True
    text = _text(res.data)
    for category in as_list(res.data.get("category")):
        text += " | " + _text({"code": category})
    return _mentions(text, _RADIOTHERAPY_KEYS, _RADIOTHERAPY_TEXT)


# --------------------------------------------------------------------------- the report

_ADD_TO = "fhir_mappings/valuesets (or your copy in CDS_VALUESETS_DIR)"


def _condition_advice(ctx: MappingContext, res: ParsedResource) -> str:
    if is_unrecognised_metastasis(res.data):
        return ("read as a metastasis of unknown site; add the code to the ValueSet metastasis-<site> of its site "
                f"in {_ADD_TO}")
    return ("read as a primary cancer of unknown histology; add the code to the ValueSet primary-<group> of its "
            f"histology in {_ADD_TO}")


def report_unrecognised(ctx: MappingContext) -> None:
    """One warning per unrecognised oncological code (naming the first resource and how many share it)."""
    seen: dict[str, list[ParsedResource]] = {}
    advice: dict[str, str] = {}
    for res in ctx.of_type("Condition"):
        if _condition_recognised(ctx, res) or cc.presence(res.data) == "refuted":
            continue
        data = res.data
        cancer_profile = any("cancer-condition" in p for p in _profiles(data))
        if not (_icd_cancer_range(data) or cancer_profile or cc.has_histology_extension(data)
                or cc.has_stu1_related_primary(data) or display_says_cancer(data)):
            continue
        key = f"Condition code {cc.code_label(data.get('code'))}"
        seen.setdefault(key, []).append(res)
        advice.setdefault(key, _condition_advice(ctx, res))
    for res in ctx.of_type("Observation"):
        if _observation_recognised(res) or not _observation_oncological(res):
            continue
        key = f"Observation code {cc.code_label(res.data.get('code'))}"
        seen.setdefault(key, []).append(res)
        advice.setdefault(key, "looks like cancer data the rules read (performance status, disease status, stage "
                          "or receptor) but its code is not in the code lists; not used — add the code to "
                          "fhir_mappings/codelists.yaml (loinc) or the matching ValueSet in " + _ADD_TO)
    rt_codes = frozenset(codelist("radiotherapy_procedure")["snomed"])
    for res in ctx.of_type("Procedure"):
        if _procedure_recognised(res, rt_codes) or not _procedure_looks_radiotherapy(res):
            continue
        key = f"Procedure code {cc.code_label(res.data.get('code'))}"
        seen.setdefault(key, []).append(res)
        advice.setdefault(key, "looks like radiotherapy but its code is not in the radiotherapy list; not counted "
                          "as prior radiotherapy — add it to radiotherapy_procedure in fhir_mappings/codelists.yaml")
    for key, resources in seen.items():
        more = f" (and {len(resources) - 1} more with this code)" if len(resources) > 1 else ""
        ctx.warn(resources[0], f"{key} is oncological but not recognised{more}: {advice[key]}")


def treated_condition_refs(ctx: MappingContext, res: ParsedResource) -> list[ParsedResource]:
    """The Conditions a Procedure says it treats (reasonReference), when they are in the record."""
    out = []
    for ref in references(res.data.get("reasonReference")):
        target = ctx.resolve(ref, res)
        if target is not None and target.resource_type == "Condition":
            out.append(target)
    return out
