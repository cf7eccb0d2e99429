"""Metastatic burden: visceral/hepatic/brain metastases and lesion counts.

LOCAL ``bone-lesion-count`` / ``metastatic-lesion-count`` are documented counts. Without them, the
number of metastasis Conditions is only a lower bound (one Condition may stand for many lesions),
so it is recorded as a *derived* fact with ``inputs.lower_bound = True``.
"""

from __future__ import annotations

from typing import Any

from cds.state import derived, documented
from fhir_mappings import condition_codes as cc
from fhir_mappings import oncology
from fhir_mappings.codes import SNOMED
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import codes_in
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.lesions import Lesions
from fhir_mappings.observation_values import value_boolean, value_integer
from fhir_mappings.patient_facts import local_observations
from fhir_mappings.resources import ParsedResource


def _count(ctx: MappingContext, res: ParsedResource) -> int | None:
    value = value_integer(res.data)
    if value is not None and value < 0:
        ctx.warn(res, f"lesion count {value} is negative; ignored")
        return None
    return value


def map_metastases(ctx: MappingContext, lesions: Lesions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    present: dict[str, list[str]] = {"visceral": [], "hepatic": [], "brain": []}
    refuted: dict[str, list[str]] = {"hepatic": [], "brain": []}
    non_bone: list[str] = []
    first_diagnosed: list[tuple[Any, str]] = []
    for res in ctx.of_type("Condition"):
        data = res.data
        code = ctx.cancer_code(res)
        kinds = code.kinds()
        if not code.recognised and oncology.is_unrecognised_metastasis(data):
            # A secondary cancer in a code the lists lack (mCODE STU1 link, profile or text): a metastasis
            # all the same, of unknown kind (``oncology`` says what to add to the lists).
            kinds = {"other"}
        if not kinds:
            continue
        state = cc.presence(data)
        if "unspecified" in code.metastasis and state == "present":
            ctx.warn(res, f"{code.matched.label if code.matched else 'metastasis'} names no site and its bodySite "
                     "does not tell one: counted as a metastasis of unknown site (bone not excluded)")
        if state == "refuted":
            for kind in refuted:
                if kind in kinds:
                    refuted[kind].append(res.reference)
            continue
        if state == "inactive":
            continue
        for kind in present:
            if kind in kinds:
                present[kind].append(res.reference)
        onset = ctx.choice_time(res, "onset").earliest or ctx.choice_time(res, "recordedDate").earliest
        if onset is not None:
            first_diagnosed.append((onset.day, res.reference))
        if "bone" not in kinds:
            non_bone.append(res.reference)

    if first_diagnosed:
        day, reference = min(first_diagnosed)
        out["metastases_diagnosed"] = documented(day, reference)

    field_of = {"visceral": "visceral_metastases", "hepatic": "hepatic_metastases",
                "brain": "brain_metastases"}
    for kind, refs in present.items():
        if refs:
            out[field_of[kind]] = documented(True, *refs)
        elif refuted.get(kind):
            out[field_of[kind]] = documented(False, *refuted[kind])

    bone_count = latest_fact(ctx, collect(ctx, local_observations(ctx, "bone-lesion-count"),
                                          lambda r: _count(ctx, r)), "bone lesion count")
    total_count = latest_fact(ctx, collect(ctx, local_observations(ctx, "metastatic-lesion-count"),
                                           lambda r: _count(ctx, r)), "metastatic lesion count")
    needing_rt = latest_fact(ctx, collect(ctx, local_observations(ctx, "bone-lesions-requiring-rt"),
                                          lambda r: _count(ctx, r)), "bone lesions requiring RT")
    if needing_rt is not None:
        out["bone_lesions_needing_rt"] = needing_rt
    lesion_refs = [d.id for d in lesions.drafts]
    if bone_count is not None:
        out["bone_lesion_count"] = bone_count
        if not lesions.drafts and bone_count.value > 0:
            ctx.warn(bone_count.sources[0], f"bone lesion count {bone_count.value} but no bone-metastasis "
                     "Condition: no lesion is created")
    elif lesion_refs:
        n = len(lesion_refs)
        out["bone_lesion_count"] = derived(n, f"lower bound: counted from {n} metastasis Conditions",
                                           sources=lesion_refs, inputs={"lower_bound": True, "conditions": n})
    if total_count is not None:
        out["metastatic_lesion_count"] = total_count
    elif lesion_refs or non_bone:
        refs = [*lesion_refs, *non_bone]
        n = len(refs)
        out["metastatic_lesion_count"] = derived(n, f"lower bound: counted from {n} metastasis Conditions",
                                                 sources=refs, inputs={"lower_bound": True, "conditions": n})
    _note_history(ctx)
    return out


def _note_history(ctx: MappingContext) -> None:
    """mCODE history-of-metastatic-cancer: worth showing, but it does not prove current metastases."""
    for res in ctx.observations(SNOMED, sorted(cc.HISTORY_OF_METASTATIC_SNOMED)):
        flag = value_boolean(res.data)
        code = codes_in(res.data.get("code"), SNOMED)[0]
        said = "absent" if flag is False else "present"
        ctx.warn(res, f"history of metastatic cancer (SNOMED {code}) documented as {said}; not used as "
                 "evidence of current metastases")
