"""Bone lesions: one per bone-metastasis Condition (or mCODE tumor BodyStructure at a bone site).

A lesion is built as a mutable draft: the modules that read lesion-level facts (observations,
compression, fractures, surgery) add *evidence* to it, and ``finalise`` turns the latest evidence
per fact into the frozen ``LesionState``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cds import anatomy
from cds.state import Fact, LesionState, PriorRadiotherapyAtSite, documented
from fhir_mappings import condition_codes as cc
from fhir_mappings.body_sites import Site, site_from
from fhir_mappings.codes import SNOMED
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import extensions, has_code, has_profile, references
from fhir_mappings.evidence import Evidence, latest
from fhir_mappings.resources import ParsedResource

MCODE_RELATED_CONDITION = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-condition"
# Target-volume morphologies (PTV, CTV, GTV): such a BodyStructure is a treatment volume, not a tumour.
TREATMENT_VOLUME_MORPHOLOGY = ("228793007", "228792002", "228791009")


@dataclass
class LesionDraft:
    """A lesion being assembled; facts arrive as evidence and are resolved at the end."""

    id: str
    resource: ParsedResource
    site: Site
    sources: list[str] = field(default_factory=list)
    evidence: dict[str, list[Evidence[Any]]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    """Facts set directly (derived ones, e.g. compression_areas)."""
    undecidable: set[str] = field(default_factory=set)
    """Facts for which the record holds evidence that could not be placed (no site, several lesions):
    for them, no evidence here is not a silence."""
    _source_set: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self._source_set.update(self.sources)

    def add(self, name: str, item: Evidence[Any]) -> None:
        self.evidence.setdefault(name, []).append(item)
        # a set beside the list: a list-membership test made mapping quadratic in Observations
        if item.ref not in self._source_set:
            self._source_set.add(item.ref)
            self.sources.append(item.ref)

    def resolved(self, ctx: MappingContext, name: str) -> Evidence[Any] | None:
        items = self.evidence.get(name)
        if not items:  # most facts have no evidence at a lesion: no label to build
            return None
        return latest(ctx, items, f"{self.site.label}: {name.replace('_', ' ')}")

    def fact(self, ctx: MappingContext, name: str) -> Fact[Any] | None:
        if name in self.facts:
            return self.facts[name]
        best = self.resolved(ctx, name)
        return documented(best.value, best.ref, effective=best.effective) if best is not None else None


@dataclass
class Lesions:
    """The lesions of one record, findable by every reference that designates them."""

    drafts: list[LesionDraft] = field(default_factory=list)
    by_ref: dict[str, LesionDraft] = field(default_factory=dict)

    def find(self, ctx: MappingContext, ref: str, origin: ParsedResource | None = None) -> LesionDraft | None:
        direct = self.by_ref.get(ref)
        if direct is not None:
            return direct
        target = ctx.resolve(ref, origin)
        return self.by_ref.get(target.reference) if target is not None else None

    @property
    def spinal(self) -> list[LesionDraft]:
        return [d for d in self.drafts if d.site.spinal]


def _is_tumour_structure(ctx: MappingContext, res: ParsedResource, volume_refs: set[str]) -> bool:
    data = res.data
    if res.reference in volume_refs or has_code(data.get("morphology"), SNOMED, TREATMENT_VOLUME_MORPHOLOGY):
        return False
    if has_profile(data, "radiotherapy-volume"):
        return False
    return bool(extensions(data, MCODE_RELATED_CONDITION)) or has_profile(data, "mcode-tumor")


def treatment_volume_refs(ctx: MappingContext) -> set[str]:
    """BodyStructures referenced as radiotherapy volumes by any dose extension."""
    refs: set[str] = set()
    for res in ctx.of_type("Procedure", "ServiceRequest"):
        for ext in res.data.get("extension") or []:
            if not isinstance(ext, dict):
                continue
            for sub in ext.get("extension") or []:
                if isinstance(sub, dict) and sub.get("url") == "volume":
                    for ref in references([sub.get("valueReference")]):
                        target = ctx.resolve(ref, res)
                        refs.add(target.reference if target is not None else ref)
    return refs


def build_lesions(ctx: MappingContext) -> Lesions:
    lesions = Lesions()
    for res in ctx.of_type("Condition"):
        if "bone" not in ctx.cancer_code(res).metastasis:
            continue
        state = cc.presence(res.data)
        if state == "refuted":
            continue  # documents that this metastasis is absent: no lesion
        if state == "inactive":
            ctx.warn(res, "bone metastasis Condition is inactive/resolved; not a current lesion")
            continue
        draft = LesionDraft(id=res.reference, resource=res, site=site_from(res.data.get("bodySite")),
                            sources=[res.reference])
        _register(lesions, draft, res)

    volumes = treatment_volume_refs(ctx)
    for res in ctx.of_type("BodyStructure"):
        if not _is_tumour_structure(ctx, res, volumes):
            continue
        site = site_from(res.data.get("location"), res.data.get("locationQualifier"))
        linked = [lesions.find(ctx, ref, res) for ext in extensions(res.data, MCODE_RELATED_CONDITION)
                  for ref in references([ext.get("valueReference")])]
        owner = next((d for d in linked if d is not None), None)
        if owner is not None:
            # The tumour structure describes a lesion we already have: let it give the site if missing.
            if owner.site.empty and not site.empty:
                owner.site = site
            owner.sources.append(res.reference)
            _register(lesions, owner, res, add=False)
            continue
        if not site.known or (site.region == "other" and not site.levels):
            continue  # a tumour, but not at a bone we know
        draft = LesionDraft(id=res.reference, resource=res, site=site, sources=[res.reference])
        _register(lesions, draft, res)

    for draft in lesions.drafts:
        if draft.site.levels and not anatomy.are_contiguous(draft.site.levels):
            ctx.warn(draft.resource, f"bodySite levels {draft.site.label} are not contiguous; kept as one "
                     "lesion")
        if draft.site.empty:
            ctx.warn(draft.resource, "bone metastasis without bodySite: site unspecified")
        elif not draft.site.known:
            codes = ", ".join(draft.site.other_codes)
            ctx.warn(draft.resource, f"bodySite {draft.site.label!r} ({codes}) is not in the anatomy code "
                     "lists: region unspecified")
    return lesions


def first_documented(ctx: MappingContext, res: ParsedResource) -> Any:
    """When a lesion's resource says it was first known: onset, else recordedDate (a date)."""
    if res.resource_type != "Condition":
        return None
    when = ctx.choice_time(res, "onset").earliest or ctx.choice_time(res, "recordedDate").earliest
    return when.day if when is not None else None


def _register(lesions: Lesions, draft: LesionDraft, res: ParsedResource, *, add: bool = True) -> None:
    if add:
        lesions.drafts.append(draft)
    lesions.by_ref.setdefault(res.reference, draft)
    if res.full_url:
        lesions.by_ref.setdefault(res.full_url, draft)


_FACT_FIELDS = (
    "sins_total", "bilsky_grade", "cord_compression", "cauda_equina_only", "compression_areas",
    "cord_compression_onset", "pathological_fracture", "impending_fracture", "lesion_type", "size_cm",
    "cortical_involvement", "mirels_total", "pain_score", "posterior_elements", "extraosseous_extension",
    "neuropathic_pain", "surgeon_judged_stable", "surgery_declined",
    "contiguous_compartments", "planned_surgery", "postoperative",
)
_COMPONENT_FIELDS = ("sins_components", "mirels_components")


def finalise(ctx: MappingContext, draft: LesionDraft) -> LesionState:
    values: dict[str, Any] = {}
    for name in _FACT_FIELDS:
        fact = draft.fact(ctx, name)
        if fact is not None:
            values[name] = fact
    for name in _COMPONENT_FIELDS:
        components: dict[str, Any] = {}
        prefix = f"{name}."
        for key in [k for k in draft.evidence if k.startswith(prefix)]:
            fact = draft.fact(ctx, key)
            if fact is not None:
                components[key[len(prefix):]] = fact
        if components:
            values[name] = components
    prior = draft.fact(ctx, "prior_rt")
    if prior is not None:
        values["prior_rt"] = PriorRadiotherapyAtSite(at_site=prior)
    site = draft.site
    first = first_documented(ctx, draft.resource)
    return LesionState(
        first_documented=first,
        undecidable=tuple(sorted(draft.undecidable)),
        id=draft.id,
        site=site.label,
        region=site.region,
        levels=site.levels,
        bone=site.bones[0] if site.bones else None,
        laterality=site.laterality,
        site_codes=site.codes,
        sources=tuple(dict.fromkeys(draft.sources)),
        **values,
    )
