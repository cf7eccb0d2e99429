"""Whether the patient is on active systemic anticancer therapy.

The LOCAL ``on-active-systemic-therapy`` observation wins. Otherwise an *active* MedicationRequest
or MedicationStatement counts when it is cancer-related by content: its reasonReference points to a
cancer Condition, or its reasonCode is a cancer code. An mCODE cancer-related profile alone is not
enough, except the STU1 ``mcode-cancer-related-medication-statement`` with status active, whose
profile is the only way STU1 said a medication was for the cancer.
"""

from __future__ import annotations

from typing import Any

from cds.state import derived
from fhir_mappings import condition_codes as cc
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import dicts, has_profile, references
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.observation_values import value_boolean
from fhir_mappings.patient_facts import local_observations
from fhir_mappings.resources import ParsedResource

STU1_CANCER_MEDICATION_STATEMENT = "mcode-cancer-related-medication-statement"


def is_cancer_code(concept: Any) -> bool:
    """A code (e.g. a reasonCode) that names a cancer: primary, generic primary or metastasis."""
    code = cc.classify({"code": concept})
    return bool(code.primary or code.generic_primary or code.is_metastasis)


def cancer_condition_refs(ctx: MappingContext) -> set[str]:
    refs: set[str] = set()
    for res in ctx.of_type("Condition"):
        if cc.presence(res.data) == "refuted":
            continue
        code = ctx.cancer_code(res)
        if code.primary or code.generic_primary or code.is_metastasis or cc.has_histology_extension(res.data):
            refs.add(res.reference)
    return refs


def _cancer_related(ctx: MappingContext, res: ParsedResource, cancer_refs: set[str]) -> str | None:
    """Why the medication is cancer-related, or None."""
    for ref in references(res.data.get("reasonReference")):
        target = ctx.resolve(ref, res)
        if (target.reference if target else ref) in cancer_refs:
            return f"reasonReference {ref}"
    if any(is_cancer_code(concept) for concept in dicts(res.data.get("reasonCode"))):
        return "cancer reasonCode"
    if res.resource_type == "MedicationStatement" and has_profile(res.data, STU1_CANCER_MEDICATION_STATEMENT):
        return "mCODE STU1 cancer-related medication statement"
    return None


def map_systemic_therapy(ctx: MappingContext) -> dict[str, Any]:
    fact = latest_fact(ctx, collect(ctx, local_observations(ctx, "on-active-systemic-therapy"),
                                    lambda r: value_boolean(r.data)), "on active systemic therapy")
    if fact is not None:
        return {"active_systemic_therapy": fact}
    cancer_refs = cancer_condition_refs(ctx)
    sources: list[str] = []
    reasons: list[str] = []
    for res in ctx.of_type("MedicationRequest", "MedicationStatement"):
        if res.data.get("status") != "active":
            continue
        why = _cancer_related(ctx, res, cancer_refs)
        if why is not None:
            sources.append(res.reference)
            reasons.append(why)
    if not sources:
        return {}  # no active cancer medication on record is not proof of none: leave unknown
    why = "; ".join(dict.fromkeys(reasons))
    return {"active_systemic_therapy": derived(
        True, f"{len(sources)} active cancer-related medication record(s) ({why})", sources=sources)}
