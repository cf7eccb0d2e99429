"""Lesion-level Observations (SINS, Bilsky, Mirels, size, pain, …) matched to lesions.

An observation belongs to a lesion through ``focus`` (preferred) or by sharing its bodySite (same
level or bone). With neither, it is assumed to concern the only lesion when there is exactly one
(and a warning says so); otherwise it cannot be placed and a warning says that.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fhir_mappings.body_sites import site_from
from fhir_mappings.codes import LOCAL, LOINC, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import codes_in, references
from fhir_mappings.evidence import Evidence
from fhir_mappings.lesions import LesionDraft, Lesions, first_documented
from fhir_mappings.observation_values import (
    components,
    value_boolean,
    value_integer,
    value_local,
    value_quantity,
)
from fhir_mappings.resources import ParsedResource

SINS_COMPONENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sins-location": ("location", ("junctional", "mobile", "semi-rigid", "rigid")),
    "sins-pain": ("pain", ("mechanical", "occasional", "pain-free")),
    "sins-bone-lesion": ("bone_lesion", ("lytic", "mixed", "blastic")),
    "sins-alignment": ("alignment", ("subluxation", "deformity", "normal")),
    "sins-collapse": ("collapse", ("collapse-50-or-more", "collapse-under-50", "no-collapse-over-50-involved",
                                   "none")),
    "sins-posterolateral": ("posterolateral", ("bilateral", "unilateral", "none")),
}
CORTICAL = ("under-one-third", "one-to-two-thirds", "over-two-thirds")
MIRELS_COMPONENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mirels-site": ("site", ("upper-limb", "lower-limb", "peritrochanteric")),
    "mirels-pain": ("pain", ("mild", "moderate", "functional")),
    "mirels-lesion": ("lesion", ("blastic", "mixed", "lytic")),
    "mirels-size": ("size", CORTICAL),
}
BILSKY: dict[str, str] = {"escc-0": "0", "escc-1a": "1a", "escc-1b": "1b", "escc-1c": "1c", "escc-2": "2",
                          "escc-3": "3"}
LESION_TYPES = ("lytic", "mixed", "blastic")
PAIN_LOINC: tuple[str, ...] = tuple(codelist("loinc")["pain"])
_CM_PER_UNIT = {"cm": 1.0, "mm": 0.1, "m": 100.0}

# LOCAL boolean observations → lesion fact
LESION_BOOLEANS: dict[str, str] = {
    "posterior-element-involvement": "posterior_elements",
    "extraosseous-extension": "extraosseous_extension",
    "impending-fracture": "impending_fracture",
    "pathological-fracture": "pathological_fracture",
    "planned-surgery": "planned_surgery",
    "neuropathic-pain": "neuropathic_pain",
    "spine-stable-per-surgeon": "surgeon_judged_stable",
    "surgery-declined": "surgery_declined",
    "mescc": "cord_compression",
    "prior-radiotherapy": "prior_rt",
}
# Codes that are patient-level unless they carry a focus or bodySite.
_SITE_ONLY = frozenset({"prior-radiotherapy"})
PREDATES_LESION = timedelta(days=30)
"""An Observation not linked by ``focus`` and dated more than this before the lesion was first
documented cannot describe it (imaging may precede the Condition by a few weeks)."""


def match_lesions(ctx: MappingContext, res: ParsedResource, lesions: Lesions, *,
                  allow_only_lesion: bool = True) -> list[LesionDraft]:
    """The lesion(s) an Observation (or Condition/Procedure) is about; warns when it cannot tell."""
    focus = references(res.data.get("focus"))
    matched: list[LesionDraft] = []
    for ref in focus:
        draft = lesions.find(ctx, ref, res)
        if draft is not None and draft not in matched:
            matched.append(draft)
    if matched:
        return matched
    site = site_from(res.data.get("bodySite"))
    if not site.empty:
        overlapping = [d for d in lesions.drafts if d.site.overlaps(site)]
        exact = [d for d in overlapping
                 if d.site.levels == site.levels and set(d.site.bones) == set(site.bones)]
        if len(overlapping) == 1:
            return overlapping
        if len(exact) == 1:
            return exact
        if overlapping:
            ctx.warn(res, f"bodySite {site.label} matches several lesions "
                     f"({', '.join(d.site.label for d in overlapping)}); not used")
        else:
            ctx.warn(res, f"bodySite {site.label} matches no bone lesion; not used")
        return []
    focus_on_lesion_kind = [ref for ref in focus if (t := ctx.resolve(ref, res)) is None
                            or t.resource_type not in {"Patient"}]
    if focus_on_lesion_kind:
        ctx.warn(res, f"focus {', '.join(focus)} is not a bone lesion of this record; not used")
        return []
    if allow_only_lesion and len(lesions.drafts) == 1:
        only = lesions.drafts[0]
        ctx.warn(res, f"has no focus or bodySite; taken to concern the only lesion ({only.site.label})")
        return [only]
    if lesions.drafts:
        ctx.warn(res, "has no focus or bodySite and there are several lesions; not used")
    return []


def _size_cm(ctx: MappingContext, res: ParsedResource) -> float | None:
    q = value_quantity(res.data)
    if q is None:
        return None
    amount, unit = q
    factor = _CM_PER_UNIT.get(unit or "")
    if factor is None:
        ctx.warn(res, f"lesion size unit {unit!r} is not cm or mm; ignored")
        return None
    return round(amount * factor, 4)


def _ranged(ctx: MappingContext, res: ParsedResource, low: int, high: int, what: str) -> int | None:
    value = value_integer(res.data)
    if value is not None and not low <= value <= high:
        ctx.warn(res, f"{what} {value} is outside {low}–{high}; ignored")
        return None
    return value


def _component_facts(ctx: MappingContext, res: ParsedResource, draft: LesionDraft, field: str,
                     table: dict[str, tuple[str, tuple[str, ...]]]) -> None:
    when = ctx.when(res).latest
    for code, (key, allowed) in table.items():
        for component in components(res.data, LOCAL, code):
            answer = value_local(component, allowed)
            if answer is None:
                ctx.warn(res, f"component {code} has no answer among {', '.join(allowed)}; ignored")
                continue
            draft.add(f"{field}.{key}", Evidence(answer, res, when))


def _readers(ctx: MappingContext) -> dict[str, Callable[[ParsedResource], Any]]:
    """LOCAL code → (fact name, value reader) for single-valued lesion observations."""
    return {
        "sins": lambda r: _ranged(ctx, r, 0, 18, "SINS"),
        "bilsky-grade": lambda r: BILSKY.get(value_local(r.data, BILSKY) or ""),
        "lesion-type": lambda r: value_local(r.data, LESION_TYPES),
        "lesion-size": lambda r: _size_cm(ctx, r),
        "cortical-involvement": lambda r: value_local(r.data, CORTICAL),
        "mirels": lambda r: _ranged(ctx, r, 3, 12, "Mirels"),
        "contiguous-compartments": lambda r: _ranged(ctx, r, 1, 30, "contiguous compartments"),
    }


_FIELD_OF = {"sins": "sins_total", "bilsky-grade": "bilsky_grade", "lesion-type": "lesion_type",
             "lesion-size": "size_cm", "cortical-involvement": "cortical_involvement",
             "mirels": "mirels_total", "contiguous-compartments": "contiguous_compartments"}


def apply_lesion_observations(ctx: MappingContext, lesions: Lesions) -> None:
    readers = _readers(ctx)
    lesion_codes = [*readers, *LESION_BOOLEANS, *SINS_COMPONENTS, *MIRELS_COMPONENTS]
    local = ctx.observations(LOCAL, lesion_codes)
    pain = ctx.observations(LOINC, PAIN_LOINC)
    unplaced = 0
    for res in [*local, *pain]:
        codes = set(codes_in(res.data.get("code"), LOCAL))
        if codes & _SITE_ONLY and not ctx.is_site_specific(res):
            continue  # patient-level prior radiotherapy: read by the patient-level mapper
        if not lesions.drafts:
            unplaced += bool(codes)  # a pain score alone is not evidence of a bone lesion
            continue
        drafts = match_lesions(ctx, res, lesions)
        when = ctx.when(res).latest
        for draft in drafts:
            if _predates(ctx, res, draft, when):
                continue
            _apply_one(ctx, res, draft, codes, readers, when)
    if unplaced and not lesions.drafts:
        ctx.warn(None, f"{unplaced} lesion-level Observation(s) but no bone-metastasis Condition: no lesion "
                 "is created from observations alone")


def _predates(ctx: MappingContext, res: ParsedResource, draft: LesionDraft, when: Any) -> bool:
    """An Observation not linked by focus, far older than the lesion it would describe: not attached."""
    first = first_documented(ctx, draft.resource)
    if first is None or when is None or when.day >= first - PREDATES_LESION:
        return False
    if any(ctx.canonical(ref, res) == draft.id for ref in references(res.data.get("focus"))):
        return False
    ctx.warn(res, f"dated {when.day}, more than {PREDATES_LESION.days} days before the lesion at "
             f"{draft.site.label} was first documented ({first}); not attached to it")
    return True


def _apply_one(ctx: MappingContext, res: ParsedResource, draft: LesionDraft, codes: set[str],
               readers: dict[str, Callable[[ParsedResource], Any]], when: Any) -> None:
    for code in codes:
        if code in readers:
            value = readers[code](res)
            if value is not None:
                draft.add(_FIELD_OF[code], Evidence(value, res, when))
        elif code in LESION_BOOLEANS:
            flag = value_boolean(res.data)
            if flag is not None:
                draft.add(LESION_BOOLEANS[code], Evidence(flag, res, when))
        elif code in SINS_COMPONENTS:
            key, allowed = SINS_COMPONENTS[code]
            answer = value_local(res.data, allowed)
            if answer is not None:
                draft.add(f"sins_components.{key}", Evidence(answer, res, when))
        elif code in MIRELS_COMPONENTS:
            key, allowed = MIRELS_COMPONENTS[code]
            answer = value_local(res.data, allowed)
            if answer is not None:
                draft.add(f"mirels_components.{key}", Evidence(answer, res, when))
    if "sins" in codes:
        _component_facts(ctx, res, draft, "sins_components", SINS_COMPONENTS)
    if "mirels" in codes:
        _component_facts(ctx, res, draft, "mirels_components", MIRELS_COMPONENTS)
    if set(codes_in(res.data.get("code"), LOINC)) & set(PAIN_LOINC):
        value = _ranged(ctx, res, 0, 10, "pain score")
        if value is not None:
            draft.add("pain_score", Evidence(value, res, when))
