"""Placing a Condition or Procedure on lesions by its site, shared by compression, fracture and surgery."""

from __future__ import annotations

from fhir_mappings.body_sites import Site, site_from
from fhir_mappings.context import MappingContext
from fhir_mappings.lesions import LesionDraft, Lesions
from fhir_mappings.resources import ParsedResource


def place(ctx: MappingContext, res: ParsedResource, lesions: Lesions, *, what: str,
          site: Site | None = None, candidates: list[LesionDraft] | None = None, touching: bool = False,
          only_lesion_fallback: bool = True, warn_unmatched: bool = True,
          fact: str | None = None) -> list[LesionDraft]:
    """The lesions whose site overlaps (or, for cord compression, touches) the resource's site.

    Without any site: the only candidate lesion when there is exactly one (with a warning), else none;
    then ``fact`` is undecidable at every candidate (the resource may concern any of them).
    """
    pool = lesions.drafts if candidates is None else candidates
    site = site if site is not None else site_from(res.data.get("bodySite"))
    if not site.empty:
        hits = [d for d in pool if (d.site.touches(site) if touching else d.site.overlaps(site))]
        if not hits and warn_unmatched:
            ctx.warn(res, f"{what} at {site.label} matches no bone lesion of this record")
        return hits
    if only_lesion_fallback and len(pool) == 1:
        ctx.warn(res, f"{what} has no bodySite; taken to concern the only candidate lesion "
                 f"({pool[0].site.label})")
        return pool
    if pool:
        ctx.warn(res, f"{what} has no bodySite and there are {len(pool)} candidate "
                 f"lesion{'s' if len(pool) != 1 else ''}; not placed")
        if fact is not None:
            for draft in pool:
                draft.undecidable.add(fact)
    return []
