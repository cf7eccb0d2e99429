"""Previous radiotherapy courses: radiotherapy Procedures (completed, in progress, or stopped after
part of the dose) and ICD-10-CM Z92.3 history Conditions.

Site from bodySite and/or the treatment volumes (BodyStructure.location) the dose extension points
to; dose from the mCODE dose-delivered-to-volume extension (cGy → Gy, the highest-dose volume).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cds.state import RadiotherapyCourse, documented
from fhir_mappings import condition_codes as cc
from fhir_mappings import oncology
from fhir_mappings.body_sites import Site, merge, site_from
from fhir_mappings.codes import SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import boolean, codes_in, extensions, has_code, has_profile, icd10_codes
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


def course_of_procedure(ctx: MappingContext, res: ParsedResource, *, warn_no_dose: bool = True) -> RadiotherapyCourse:
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
    if dose is None and warn_no_dose:
        ctx.warn(res, "radiotherapy course without documented dose/fractions")
    derived_from: str | None = None
    if site.empty:
        treated = _treated_site(ctx, res)
        if treated is not None:
            site, label, derived_from = treated
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
        started=when.begins.day if when.begins else None,
        site_derived_from=derived_from,
    )


def _treated_site(ctx: MappingContext, res: ParsedResource) -> tuple[Site, str, str] | None:
    """(site, label, Condition) of the cancer a course treats (reasonReference), for a course without
    bodySite: the Condition's bodySite, else the site its code names (e.g. "lung"). Derived, never a level
    the record does not give: a site without levels or bones leaves "at the lesion?" unknown."""
    for condition in oncology.treated_condition_refs(ctx, res):
        site = site_from(condition.data.get("bodySite"))
        code = ctx.cancer_code(condition)
        named = code.primary or next((m for m in code.metastasis if m != "unspecified"), None)
        if not site.empty:
            return site, f"{site.label} (site of {condition.reference})", condition.reference
        if named is not None:
            what = f"{named} metastasis" if code.is_metastasis else named
            return site, f"{what} (site of {condition.reference})", condition.reference
    return None


SESSION_GAP_DAYS = 14
"""Sessions further apart than this belong to different courses (a longer break ends a course)."""
COURSE_SUMMARY_SNOMED = "1217123003"


def _is_session(ctx: MappingContext, res: ParsedResource, course: RadiotherapyCourse) -> bool:
    """A per-fraction session Procedure (Synthea writes one per fraction): no dose, not a course summary,
    performed at one moment or within one day."""
    if course.total_dose_gy is not None or course.fractions is not None:
        return False
    if has_code(res.data.get("code"), SNOMED, [COURSE_SUMMARY_SNOMED]) or has_profile(res.data, "course-summary"):
        return False
    when = ctx.when(res)
    if when.begins is None:
        return False
    return when.ends is None or when.ends.start - when.begins.start <= timedelta(days=1)


def _session_key(ctx: MappingContext, res: ParsedResource, course: RadiotherapyCourse) -> tuple[str, ...]:
    if course.site_codes and course.site_derived_from is None:
        return ("site", *course.site_codes)
    treated = sorted(c.reference for c in oncology.treated_condition_refs(ctx, res))
    if treated:
        return ("treats", *treated)
    return ("code", *codes_in(res.data.get("code"), SNOMED))


def group_sessions(ctx: MappingContext, items: list[tuple[ParsedResource, RadiotherapyCourse]]
                   ) -> list[RadiotherapyCourse]:
    """Sessions grouped into courses by site (or the cancer they treat) and date proximity."""
    groups: dict[tuple[str, ...], list[tuple[ParsedResource, RadiotherapyCourse]]] = {}
    for res, course in items:
        groups.setdefault(_session_key(ctx, res, course), []).append((res, course))
    out: list[RadiotherapyCourse] = []
    for members in groups.values():
        members.sort(key=lambda m: (m[1].started or m[1].performed or date.min, m[0].position))
        runs: list[list[tuple[ParsedResource, RadiotherapyCourse]]] = []
        for member in members:
            day = member[1].started or member[1].performed
            last = runs[-1][-1][1] if runs else None
            last_day = (last.performed or last.started) if last else None
            if runs and day and last_day and (day - last_day).days <= SESSION_GAP_DAYS:
                runs[-1].append(member)
            else:
                runs.append([member])
        merged = [_merge(run) for run in runs]
        out.extend(merged)
        first = members[0][0]
        if len(members) == 1:
            ctx.warn(first, "radiotherapy course without documented dose/fractions")
        else:
            by = "site" if members[0][1].site_codes and members[0][1].site_derived_from is None else (
                "treated condition" if members[0][1].site_derived_from else "code")
            ctx.warn(first, f"{len(members)} radiotherapy session Procedures grouped into {len(merged)} course(s) "
                     f"by {by} and date (a gap over {SESSION_GAP_DAYS} days starts a new course); dose/fractions "
                     "not documented")
    return out


def _merge(run: list[tuple[ParsedResource, RadiotherapyCourse]]) -> RadiotherapyCourse:
    first, last = run[0][1], run[-1][1]
    if len(run) == 1:
        return first
    statuses = {c.status for _, c in run}
    status = "in-progress" if "in-progress" in statuses else ("completed" if statuses == {"completed"}
                                                              else last.status)
    stereo = [c.stereotactic for _, c in run if c.stereotactic is not None]
    return first.model_copy(update={
        "status": status,
        "performed": last.performed,
        "started": first.started or first.performed,
        "sessions": len(run),
        "stereotactic": any(stereo) if stereo else None,
        "sources": tuple(dict.fromkeys(s for _, c in run for s in c.sources)),
    })


def map_radiotherapy_courses(ctx: MappingContext) -> list[RadiotherapyCourse]:
    courses: list[RadiotherapyCourse] = []
    sessions: list[tuple[ParsedResource, RadiotherapyCourse]] = []
    for res in ctx.of_type("Procedure"):
        if is_radiotherapy(res.data) and res.data.get("status") in COUNTED_STATUSES:
            course = course_of_procedure(ctx, res, warn_no_dose=False)
            if _is_session(ctx, res, course):
                sessions.append((res, course))
            else:
                if course.total_dose_gy is None and course.fractions is None:
                    ctx.warn(res, "radiotherapy course without documented dose/fractions")
                courses.append(course)
    courses.extend(group_sessions(ctx, sessions))
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
