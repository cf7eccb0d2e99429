"""Surgery at the lesions: planned (active surgical ServiceRequest, Procedure in preparation) or done
(completed surgical Procedure → postoperative). Placed by bodySite only: surgery elsewhere (e.g. on
the primary) must never mark a bone lesion."""

from __future__ import annotations

from fhir_mappings.codes import SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import has_code
from fhir_mappings.evidence import Evidence
from fhir_mappings.lesions import Lesions
from fhir_mappings.resources import ParsedResource
from fhir_mappings.site_conditions import place

SURGICAL = tuple(codelist("surgical_procedure")["snomed"])
_RT = codelist("radiotherapy_procedure")["snomed"]


def _coded(res: ParsedResource, codes: object) -> bool:
    return has_code(res.data.get("code"), SNOMED, codes) or has_code(res.data.get("category"), SNOMED, codes)


def apply_surgery(ctx: MappingContext, lesions: Lesions) -> None:
    for res in ctx.of_type("ServiceRequest"):
        if res.data.get("status") == "active" and _coded(res, SURGICAL):
            for draft in place(ctx, res, lesions, what="planned surgery", only_lesion_fallback=False,
                                warn_unmatched=False, fact="planned_surgery"):
                draft.add("planned_surgery", Evidence(True, res, ctx.when(res).latest))
    for res in ctx.of_type("Procedure"):
        status = res.data.get("status")
        if status == "preparation" and not _coded(res, _RT):
            for draft in place(ctx, res, lesions, what="planned procedure", only_lesion_fallback=False,
                                warn_unmatched=False, fact="planned_surgery"):
                draft.add("planned_surgery", Evidence(True, res, ctx.when(res).latest))
        elif status == "completed" and _coded(res, SURGICAL):
            for draft in place(ctx, res, lesions, what="surgery", only_lesion_fallback=False,
                                warn_unmatched=False, fact="postoperative"):
                draft.add("postoperative", Evidence(True, res, ctx.when(res).latest))
