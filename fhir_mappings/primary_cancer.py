"""The primary cancer: histology, histological confirmation and date of diagnosis.

The primary is a Condition whose code is in a primary-cancer ValueSet (a generic code takes its group
from bodySite or the ICD-O-3 morphology), a metastasis code that names its primary ("metastasis from
malignant tumor of prostate"), or a Condition that is clearly a primary cancer in a code the lists
lack (mCODE primary-cancer profile, histology-morphology-behavior extension, the related primary of a
metastasis, or its text). A code the lists lack gives histology "unknown" with the method
"coded primary not recognised: <code>" (and a warning from ``oncology``) — never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cds.state import AnyFact, Fact, derived, documented
from fhir_mappings import condition_codes as cc
from fhir_mappings import oncology
from fhir_mappings.codes import LOINC, V2_0074
from fhir_mappings.context import MappingContext
from fhir_mappings.dates import FhirTime
from fhir_mappings.elements import has_code, has_profile, status_code
from fhir_mappings.resources import ParsedResource

PATHOLOGY_CATEGORY_LOINC = ("LP7839-6",)
PATHOLOGY_CATEGORY_V2 = ("SP", "PAT")
NOT_RECOGNISED = "coded primary not recognised"
"""Start of ``Fact.method`` of an unknown histology whose primary is coded in a code the lists lack."""
_FINAL_REPORT = frozenset({"final", "amended", "corrected", "appended", "preliminary", "partial",
                           "registered"})


# Which reading of a Condition gives the histology, best first: a primary code (or a generic code with
# its bodySite / morphology), then a metastasis code that names its primary, then a neoplasm code of
# unstated behaviour at a group's site; an unknown histology last.
_BASIS_RANK = {"code": 3, "body-site": 3, "morphology": 3, "metastasis-from": 2, "neoplasm-site": 1}


@dataclass(frozen=True, slots=True)
class PrimaryCancer:
    resource: ParsedResource
    histology: str
    code_label: str
    diagnosed: FhirTime | None
    basis: str | None = None
    """How the histology was read (see ``condition_codes.CancerCode.primary_basis``); None when unknown."""
    unrecognised: bool = False
    """The code is in no ValueSet: a primary cancer by its profile, extension or link, histology unknown."""

    @property
    def ref(self) -> str:
        return self.resource.reference

    def rank(self) -> int:
        return _BASIS_RANK.get(self.basis or "", 0) if self.histology != "unknown" else 0


def looks_like_primary(ctx: MappingContext, res: ParsedResource, related: set[str]) -> bool:
    """An unrecognised code on a Condition that is a primary cancer all the same: mCODE primary-cancer
    profile, histology extension, the related primary of a metastasis, or (last resort) its text."""
    data = res.data
    return (cc.has_histology_extension(data) or res.reference in related
            or has_profile(data, "primary-cancer-condition") or oncology.display_says_primary_cancer(data))


def find_primaries(ctx: MappingContext) -> list[PrimaryCancer]:
    """Every Condition asserted (not refuted) as a primary cancer, or naming the primary of a metastasis."""
    related = _related_primary_refs(ctx)
    out: list[PrimaryCancer] = []
    for res in ctx.of_type("Condition"):
        data = res.data
        if cc.presence(data) == "refuted":
            continue
        code = ctx.cancer_code(res)
        unrecognised = False
        if code.primary is not None:
            hist = code.primary
        elif code.generic_primary and not code.is_metastasis:
            hist = "unknown"
        elif not code.recognised and looks_like_primary(ctx, res, related) and not oncology.display_says_metastasis(
                data):
            hist, unrecognised = "unknown", True
        else:
            continue
        label = code.matched.label if code.matched is not None else cc.code_label(data.get("code"))
        diagnosed = ctx.choice_time(res, "onset").earliest or ctx.choice_time(res, "recordedDate").earliest
        out.append(PrimaryCancer(res, hist, label, diagnosed, code.primary_basis, unrecognised))
    return out


def _related_primary_refs(ctx: MappingContext) -> set[str]:
    refs: set[str] = set()
    for res in ctx.of_type("Condition", "BodyStructure"):
        if res.resource_type == "Condition" and not ctx.cancer_code(res).is_metastasis \
                and not cc.has_stu1_related_primary(res.data):
            continue
        for ref in cc.related_primary_refs(res.data):
            target = ctx.resolve(ref, res)
            refs.add(target.reference if target is not None else ref)
    return refs


def choose_primary(ctx: MappingContext, primaries: list[PrimaryCancer]) -> PrimaryCancer | None:
    """The metastases' related primary, else the best-read, most recently diagnosed; warns when the
    record names different histologies."""
    if not primaries:
        return None
    related = _related_primary_refs(ctx)
    pool = [p for p in primaries if p.ref in related] or primaries
    chosen = max(pool, key=lambda p: (p.rank(), p.diagnosed.start.timestamp() if p.diagnosed else float("-inf"),
                                      p.resource.position))
    known = {p.histology for p in primaries if p.histology != "unknown"}
    if len(known) > 1:
        listed = ", ".join(f"{p.histology} ({p.ref})" for p in primaries if p.histology != "unknown")
        why = "the metastases' related primary" if chosen.ref in related else "the most recent"
        ctx.warn(chosen.resource, f"several primary cancer Conditions: {listed}; used {chosen.histology}, "
                 f"{why}")
    return chosen


def histology_fact(ctx: MappingContext, chosen: PrimaryCancer) -> Fact[Any]:
    """The histology as documented, derived (site of a neoplasm of unstated behaviour) or unknown."""
    effective = chosen.diagnosed.value if chosen.diagnosed else None
    if chosen.unrecognised:
        # Said as what it is: a coded primary the lists do not know (the data gap says so, not "document").
        return AnyFact(value="unknown", sources=(chosen.ref,), effective=effective,
                       method=f"{NOT_RECOGNISED}: {chosen.code_label}")
    if chosen.basis == "neoplasm-site":
        ctx.warn(chosen.resource, f"{chosen.code_label} does not say the neoplasm is malignant; histology "
                 f"{chosen.histology} derived from its site")
        return derived(chosen.histology, f"primary site of {chosen.code_label}, a neoplasm whose behaviour "
                       "is not coded as malignant", sources=[chosen.ref], inputs={"code": chosen.code_label})
    if chosen.histology == "unknown":
        ctx.warn(chosen.resource, f"primary cancer code {chosen.code_label} names no site, and neither bodySite "
                 "nor the histology-morphology extension tells it; histology unknown")
    return documented(chosen.histology, chosen.ref, effective=effective)


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
        out["histology"] = histology_fact(ctx, chosen)
        if chosen.diagnosed is not None:
            out["primary_diagnosis_date"] = documented(chosen.diagnosed.day, chosen.ref)
    confirmations: list[str] = []
    if chosen is not None and chosen.basis != "metastasis-from" and (
            status_code(chosen.resource.data, "verificationStatus") == "confirmed"
            or cc.has_histology_extension(chosen.resource.data)):
        confirmations.append(chosen.ref)
    confirmations.extend(r.reference for r in _pathology_reports(ctx))
    if confirmations:
        out["histologically_confirmed"] = documented(True, *confirmations)
    return out
