"""Stage as evidence of metastatic disease: TNM M1 or stage group IV.

Read from TNM stage-group and M-category Observations (mCODE STU1 LOINC and STU4 SNOMED codes, values
as AJCC SNOMED CT qualifiers or http://cancerstaging.org codes), from ``Condition.stage.summary``,
from a Condition code that states stage 4, and from the mCODE disease-status value "distant metastasis
present". Only M1/IV is used: an M0 or a lower stage is not read as the absence of metastases (it may
be older than the metastases).
"""

from __future__ import annotations

from typing import Any

from cds.state import derived, documented
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import dicts
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.patient_facts import disease_status_observations
from fhir_mappings.resources import ParsedResource
from fhir_mappings.terminology import TERMINOLOGY, member

_STAGE_OBSERVATION_CODES = (*TERMINOLOGY.members("stage-group-observation"),
                            *TERMINOLOGY.members("tnm-m-observation"))


def _stage_observations(ctx: MappingContext) -> list[ParsedResource]:
    found: dict[int, ParsedResource] = {}
    for system, code in _STAGE_OBSERVATION_CODES:
        for res in ctx.observations(system, [code]):
            found.setdefault(id(res), res)
    return sorted(found.values(), key=lambda r: r.position)


def _says_m1(res: ParsedResource) -> bool | None:
    value = res.data.get("valueCodeableConcept")
    return True if member(value, "stage-iv", "tnm-m1") is not None else None


def map_staging(ctx: MappingContext) -> dict[str, Any]:
    evidence = collect(ctx, _stage_observations(ctx), _says_m1)
    evidence += collect(ctx, disease_status_observations(ctx), lambda r: True if member(
        r.data.get("valueCodeableConcept"), "disease-status-distant-metastasis") is not None else None)
    fact = latest_fact(ctx, evidence, "distant metastasis (stage)")
    refs = [fact] if fact is not None else []
    for res in ctx.of_type("Condition"):
        stated = member(res.data.get("code"), "condition-stage-iv") is not None or any(
            member(stage.get("summary"), "stage-iv", "tnm-m1") is not None for stage in dicts(res.data.get("stage")))
        if stated:
            refs.append(documented(True, res.reference))
    if not refs:
        return {}
    sources = [s for f in refs for s in f.sources]
    return {"distant_metastasis_staged": documented(True, *dict.fromkeys(sources),
                                                    effective=fact.effective if fact is not None else None)}


def staged_without_metastases(ctx: MappingContext, fields: dict[str, Any], lesion_count: int) -> dict[str, Any]:
    """Stage IV / M1 with no metastasis Condition: say so (bone metastasis is not excluded) and count the
    metastatic disease as at least one metastasis (a derived lower bound)."""
    staged = fields.get("distant_metastasis_staged")
    if staged is None or lesion_count or fields.get("metastatic_lesion_count") is not None:
        return {}
    ctx.warn(staged.sources[0] if staged.sources else None,
             "stage IV / M1 is documented but no metastasis Condition is: the sites of the metastases are not "
             "coded, so bone metastasis is not excluded — code each metastasis as a Condition with its bodySite")
    return {"metastatic_lesion_count": derived(1, "lower bound: stage IV / M1 documented, no metastasis Condition",
                                               sources=list(staged.sources),
                                               inputs={"lower_bound": True, "staged": True})}
