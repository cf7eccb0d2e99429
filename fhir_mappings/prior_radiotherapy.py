"""Previous radiotherapy courses: radiotherapy Procedures (completed, in progress, or stopped after
part of the dose) and ICD-10-CM Z92.3 history Conditions.

Site from bodySite and/or the treatment volumes (BodyStructure.location) the dose extension points
to; dose from the mCODE dose-delivered-to-volume extension (cGy → Gy, the highest-dose volume).
"""

from __future__ import annotations

from typing import Any

from cds.state import RadiotherapyCourse, documented
from fhir_mappings import condition_codes as cc
from fhir_mappings.body_sites import Site, merge, site_from
from fhir_mappings.codes import SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import boolean, extensions, has_code, icd10_codes
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.observation_values import value_boolean
from fhir_mappings.patient_facts import local_observations
from fhir_mappings.resources import ParsedResource
from fhir_mappings.rt_dose import course_dose, volume_doses

_RT = codelist("radiotherapy_procedure")
RT_SNOMED: tuple[str, ...] = tuple(_RT["snomed"])
STEREOTACTIC_SNOMED: tuple[str, ...] = tuple(_RT["stereotactic_snomed"])
RT_HISTORY_ICD: tuple[str, ...] = tuple(_RT["icd10cm_history"])
_EXT = codelist("extensions")
DOSE_DELIVERED: tuple[str, ...] = tuple(_EXT["dose_delivered_to_volume"])
REIRRADIATION: tuple[str, ...] = tuple(_EXT["involves_reirradiation"])
MODALITY_AND_TECHNIQUE = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality-and-technique"
COUNTED_STATUSES = frozenset({"completed", "in-progress", "stopped"})


def is_radiotherapy(data: dict[str, Any]) -> bool:
    return has_code(data.get("code"), SNOMED, RT_SNOMED) or has_code(data.get("category"), SNOMED, RT_SNOMED)


def is_stereotactic(data: dict[str, Any]) -> bool | None:
    """True on a stereotactic code (in code, category or the technique extension); else unknown."""
    if has_code(data.get("code"), SNOMED, STEREOTACTIC_SNOMED) or has_code(
            data.get("category"), SNOMED, STEREOTACTIC_SNOMED):
        return True
    for ext in extensions(data, MODALITY_AND_TECHNIQUE):
        for sub in ext.get("extension") or []:
            value = sub.get("valueCodeableConcept") if isinstance(sub, dict) else None
            if has_code(value, SNOMED, STEREOTACTIC_SNOMED):
                return True
    return None


def _volume_site(ctx: MappingContext, res: ParsedResource, volume_refs: list[str]) -> tuple[Site, list[str]]:
    sites: list[Site] = []
    used: list[str] = []
    for ref in volume_refs:
        target = ctx.resolve(ref, res)
        if target is None or target.resource_type != "BodyStructure":
            continue
        site = site_from(target.data.get("location"), target.data.get("locationQualifier"))
        if not site.empty:
            sites.append(site)
            used.append(target.reference)
    return merge(*sites), used


def course_of_procedure(ctx: MappingContext, res: ParsedResource) -> RadiotherapyCourse:
    data = res.data
    doses = volume_doses(ctx, res, DOSE_DELIVERED, "totalDoseDelivered", "fractionsDelivered")
    dose = course_dose(ctx, res, doses)
    body_site = site_from(data.get("bodySite"))
    volume_site, volume_sources = _volume_site(ctx, res, [d.volume for d in doses if d.volume])
    site = merge(body_site, volume_site)  # the union: prior RT "at the site" must not be missed
    label = body_site.label if not body_site.empty else (volume_site.label if not volume_site.empty else None)
    when = ctx.when(res)
    performed = when.ends or when.begins
    flags = [boolean(ext.get("valueBoolean")) for ext in extensions(data, REIRRADIATION)]
    reirradiation = next((f for f in flags if f is not None), None)
    status = data.get("status") if isinstance(data.get("status"), str) else None
    if status == "stopped":
        ctx.warn(res, "radiotherapy course was stopped early; counted as prior radiotherapy with the dose "
                 "documented (if any)")
    if dose is None:
        ctx.warn(res, "radiotherapy course without documented dose/fractions")
    return RadiotherapyCourse(
        id=res.reference,
        status=status,
        performed=performed.day if performed else None,
        site=label,
        levels=site.levels,
        bones=site.bones,
        site_codes=site.codes,
        total_dose_gy=dose.dose_gy if dose else None,
        fractions=dose.fractions if dose else None,
        stereotactic=is_stereotactic(data),
        involves_reirradiation=reirradiation,
        sources=(res.reference, *volume_sources),
    )


def map_radiotherapy_courses(ctx: MappingContext) -> list[RadiotherapyCourse]:
    courses: list[RadiotherapyCourse] = []
    for res in ctx.of_type("Procedure"):
        if is_radiotherapy(res.data) and res.data.get("status") in COUNTED_STATUSES:
            courses.append(course_of_procedure(ctx, res))
    for res in ctx.of_type("Condition"):
        if not any(code.startswith(RT_HISTORY_ICD) for code in icd10_codes(res.data.get("code"))):
            continue
        if cc.presence(res.data) == "refuted":
            continue
        onset = ctx.choice_time(res, "onset").latest
        courses.append(RadiotherapyCourse(id=res.reference, status="history",
                                          performed=onset.day if onset else None, sources=(res.reference,)))
        ctx.warn(res, "history of radiotherapy (Z92.3) without site or dose: a data gap for re-irradiation")
    return courses


def map_any_prior_radiotherapy(ctx: MappingContext, courses: list[RadiotherapyCourse],
                               lesion_level: list[str]) -> dict[str, Any]:
    """Documented patient-level LOCAL prior-radiotherapy, else True when any course is on record."""
    fact = latest_fact(ctx, collect(ctx, local_observations(ctx, "prior-radiotherapy"),
                                    lambda r: value_boolean(r.data)), "prior radiotherapy")
    evidence = [c.id for c in courses] + lesion_level
    if fact is not None and not (fact.value is False and evidence):
        return {"any_prior_radiotherapy": fact}
    if fact is not None:
        ctx.warn(fact.sources[0] if fact.sources else None,
                 f"says no prior radiotherapy, but radiotherapy is on record ({', '.join(evidence)}); "
                 "prior radiotherapy taken as given")
    if evidence:
        return {"any_prior_radiotherapy": documented(True, *evidence)}
    return {}
