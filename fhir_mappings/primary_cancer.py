"""The primary cancer: histology, histological confirmation and date of diagnosis.

The primary is a Condition whose code names a primary cancer (ICD-10-CM prefix or SNOMED list), or
that is clearly a primary cancer whose code we cannot map (an ICD-10-CM malignant primary code not
in the lists, an mCODE histology-morphology-behavior extension, or being the related primary of a
metastasis). An unmappable code gives histology "unknown" and a warning — never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cds.state import documented
from fhir_mappings import condition_codes as cc
from fhir_mappings.codes import LOINC, V2_0074
from fhir_mappings.context import MappingContext
from fhir_mappings.dates import FhirTime
from fhir_mappings.elements import has_code, status_code
from fhir_mappings.resources import ParsedResource

PATHOLOGY_CATEGORY_LOINC = ("LP7839-6",)
PATHOLOGY_CATEGORY_V2 = ("SP", "PAT")
_FINAL_REPORT = frozenset({"final", "amended", "corrected", "appended", "preliminary", "partial",
                           "registered"})


@dataclass(frozen=True, slots=True)
class PrimaryCancer:
    resource: ParsedResource
    histology: str
    code_label: str
    diagnosed: FhirTime | None

    @property
    def ref(self) -> str:
        return self.resource.reference


def find_primaries(ctx: MappingContext) -> list[PrimaryCancer]:
    """Every Condition asserted (not refuted) as a primary cancer."""
    related = _related_primary_refs(ctx)
    out: list[PrimaryCancer] = []
    for res in ctx.of_type("Condition"):
        data = res.data
        code = data.get("code")
        if cc.presence(data) == "refuted" or cc.metastasis_kinds(code):
            continue
        mapped = cc.histology(code)
        if mapped is not None:
            hist = mapped[0]
        elif (cc.unlisted_primary_code(code) or cc.has_histology_extension(data)
              or res.reference in related):
            hist = "unknown"
        else:
            continue
        diagnosed = ctx.choice_time(res, "onset").earliest or ctx.choice_time(res, "recordedDate").earliest
        out.append(PrimaryCancer(res, hist, cc.code_label(code), diagnosed))
    return out


def _related_primary_refs(ctx: MappingContext) -> set[str]:
    refs: set[str] = set()
    for res in ctx.of_type("Condition", "BodyStructure"):
        if res.resource_type == "Condition" and not cc.metastasis_kinds(res.data.get("code")) \
                and not cc.has_stu1_related_primary(res.data):
            continue
        for ref in cc.related_primary_refs(res.data):
            target = ctx.resolve(ref, res)
            refs.add(target.reference if target is not None else ref)
    return refs


def choose_primary(ctx: MappingContext, primaries: list[PrimaryCancer]) -> PrimaryCancer | None:
    """The metastases' related primary, else the most recently diagnosed; warns when there is a choice."""
    if not primaries:
        return None
    related = _related_primary_refs(ctx)
    pool = [p for p in primaries if p.ref in related] or primaries
    chosen = max(pool, key=lambda p: (p.diagnosed.start.timestamp() if p.diagnosed else float("-inf"),
                                      p.resource.position))
    if len({p.histology for p in primaries}) > 1:
        listed = ", ".join(f"{p.histology} ({p.ref})" for p in primaries)
        why = "the metastases' related primary" if chosen.ref in related else "the most recent"
        ctx.warn(chosen.resource, f"several primary cancer Conditions: {listed}; used {chosen.histology}, "
                 f"{why}")
    return chosen


def _pathology_reports(ctx: MappingContext) -> list[ParsedResource]:
    out = []
    for res in ctx.of_type("DiagnosticReport"):
        category = res.data.get("category")
        if not (has_code(category, LOINC, PATHOLOGY_CATEGORY_LOINC)
                or has_code(category, V2_0074, PATHOLOGY_CATEGORY_V2)):
            continue
        if res.data.get("status") in _FINAL_REPORT or res.data.get("status") is None:
            out.append(res)
    return out


def map_primary_cancer(ctx: MappingContext) -> dict[str, Any]:
    chosen = choose_primary(ctx, find_primaries(ctx))
    out: dict[str, Any] = {}
    if chosen is not None:
        effective = chosen.diagnosed.value if chosen.diagnosed else None
        out["histology"] = documented(chosen.histology, chosen.ref, effective=effective)
        if chosen.histology == "unknown":
            ctx.warn(chosen.resource, f"primary cancer code {chosen.code_label} is not in the histology code "
                     "lists; histology unknown")
        if chosen.diagnosed is not None:
            out["primary_diagnosis_date"] = documented(chosen.diagnosed.day, chosen.ref)
    confirmations: list[str] = []
    if chosen is not None and (status_code(chosen.resource.data, "verificationStatus") == "confirmed"
                               or cc.has_histology_extension(chosen.resource.data)):
        confirmations.append(chosen.ref)
    confirmations.extend(r.reference for r in _pathology_reports(ctx))
    if confirmations:
        out["histologically_confirmed"] = documented(True, *confirmations)
    return out
