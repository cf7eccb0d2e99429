"""Spinal cord compression and cauda equina syndrome at the lesions.

A compression Condition (SNOMED 71286001, ICD-10-CM G95.20/G95.29, LOCAL mescc) concerns every
spinal lesion whose levels overlap or touch its bodySite levels; a refuted one documents absence.
``compression_areas`` counts the non-contiguous groups of compressed levels across the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cds import anatomy
from cds.state import derived, documented
from fhir_mappings import condition_codes as cc
from fhir_mappings.body_sites import site_from
from fhir_mappings.codes import SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import has_code, icd10_codes
from fhir_mappings.evidence import Evidence
from fhir_mappings.lesions import Lesions
from fhir_mappings.resources import ParsedResource
from fhir_mappings.site_conditions import place

_CORD = codelist("cord_compression")
_CAUDA = codelist("cauda_equina")


def is_cord_compression(code: object) -> bool:
    return (has_code(code, SNOMED, _CORD["snomed"]) or any(c in _CORD["icd10cm"] for c in icd10_codes(code))
            or any(c in _CORD["local"] for c in cc.local_codes(code)))


def is_cauda_equina(code: object) -> bool:
    return has_code(code, SNOMED, _CAUDA["snomed"]) or any(
        c.startswith(tuple(_CAUDA["icd10cm"])) for c in icd10_codes(code))


@dataclass
class Compression:
    """Compressed levels documented by present compression Conditions."""

    levels: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    cauda: dict[int, list[ParsedResource]] = field(default_factory=dict)


def apply_compression(ctx: MappingContext, lesions: Lesions) -> Compression:
    summary = Compression()
    for res in ctx.of_type("Condition"):
        code = res.data.get("code")
        cord, cauda = is_cord_compression(code), is_cauda_equina(code)
        if not (cord or cauda):
            continue
        state = cc.presence(res.data)
        if state == "inactive":
            continue
        site = site_from(res.data.get("bodySite"))
        what = "cord compression" if cord else "cauda equina syndrome"
        hits = place(ctx, res, lesions, what=what, site=site, candidates=lesions.spinal, touching=True,
                     fact="cord_compression" if cord else "cauda_equina_only")
        when = ctx.choice_time(res, "onset").earliest or ctx.choice_time(res, "recordedDate").earliest
        present = state == "present"
        if cord and present:
            summary.levels.update(site.levels)
            summary.sources.append(res.reference)
        for draft in hits:
            if cord:
                draft.add("cord_compression", Evidence(present, res, ctx.when(res).latest))
                if present and when is not None:
                    draft.add("cord_compression_onset", Evidence(when.day, res, when))
            elif present:
                summary.cauda.setdefault(id(draft), []).append(res)
    return summary


def finish_compression(ctx: MappingContext, lesions: Lesions, summary: Compression) -> None:
    """After the evidence is in: compression areas and cauda-equina-only, which depend on the outcome."""
    compressed = [d for d in lesions.drafts if (best := d.resolved(ctx, "cord_compression")) and best.value]
    compressed_ids = {id(d) for d in compressed}
    levels = set(summary.levels)
    sources = list(summary.sources)
    for draft in compressed:
        levels.update(draft.site.levels)  # a mescc Observation at a lesion compresses its levels
        sources.extend(draft.sources[:1])
    groups = anatomy.contiguous_groups(levels)
    if groups:
        label = anatomy.level_range_label(levels)
        fact = derived(len(groups), f"non-contiguous groups of compressed levels: {label}",
                       sources=sources, inputs={"levels": list(anatomy.sort_levels(levels)),
                                                "groups": [list(g) for g in groups]})
        for draft in compressed:
            draft.facts["compression_areas"] = fact
    for draft in lesions.drafts:
        cauda = summary.cauda.get(id(draft))
        if not cauda:
            continue
        refs = [r.reference for r in cauda]
        if id(draft) in compressed_ids:
            draft.facts["cauda_equina_only"] = derived(
                False, "cord compression is also documented at this lesion", sources=refs)
        else:
            draft.facts["cauda_equina_only"] = documented(True, *refs)
            draft.sources.extend(r for r in refs if r not in draft.sources)
