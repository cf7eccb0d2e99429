"""Pathological fractures at the lesions, from fracture Conditions (SNOMED 268029009, ICD-10-CM M84.5*).

The site comes from bodySite; without one, from the ICD-10-CM code itself once its 7th character
(encounter) is dropped: M84.58 vertebra, M84.55x pelvis/femur, M84.52x humerus (6th char 1 right, 2 left).
"""

from __future__ import annotations

from fhir_mappings import condition_codes as cc
from fhir_mappings.body_sites import UNSPECIFIED, Site, site_from
from fhir_mappings.codes import SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import has_code, icd10_codes
from fhir_mappings.evidence import Evidence
from fhir_mappings.lesions import Lesions
from fhir_mappings.site_conditions import place

_FRACTURE = codelist("pathological_fracture")
_SPINE = Site(regions=("cervical spine", "thoracic spine", "lumbar spine", "sacrum"))
_SIDES = {"1": "right ", "2": "left "}


def fracture_icd(code: object) -> str | None:
    for icd in icd10_codes(code):
        if icd.startswith(tuple(_FRACTURE["icd10cm_prefixes"])):
            return icd
    return None


def site_of_icd(icd: str) -> Site:
    """The site an M84.5 code names (7th character ignored)."""
    body = icd.replace(".", "")[:6]  # M8455 + 6th character; the 7th (A/D/G/K/P/S) is the encounter
    site_char, side_char = body[4:5], body[5:6]
    side = _SIDES.get(side_char, "")
    if site_char == "8":
        return _SPINE
    if site_char == "5":
        if side_char == "0":
            return Site(bones=("pelvis",))
        if side:
            return Site(bones=(f"{side}femur",), laterality=side.strip())
        return Site(bones=("pelvis", "femur"))
    if site_char == "2":
        return Site(bones=(f"{side}humerus",), laterality=side.strip() or None)
    return UNSPECIFIED


def apply_fractures(ctx: MappingContext, lesions: Lesions) -> None:
    for res in ctx.of_type("Condition"):
        code = res.data.get("code")
        icd = fracture_icd(code)
        if icd is None and not has_code(code, SNOMED, _FRACTURE["snomed"]):
            continue
        state = cc.presence(res.data)
        if state == "inactive":
            continue
        site = site_from(res.data.get("bodySite"))
        if site.empty and icd is not None:
            site = site_of_icd(icd)
        for draft in place(ctx, res, lesions, what="pathological fracture", site=site,
                           fact="pathological_fracture"):
            draft.add("pathological_fracture", Evidence(state == "present", res, ctx.when(res).latest))
