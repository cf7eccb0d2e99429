"""What a Condition is, by its codes: primary cancer (and which histology), which kind of metastasis,
and whether it is asserted as present, refuted, or no longer active.

The code lists are the ValueSets of ``fhir_mappings/valuesets`` (see ``terminology``): primary-<group>,
metastasis-<site>, metastasis-from-<group> (a metastasis code naming its primary), primary-generic and
metastasis-generic (no site in the code: the bodySite tells it), neoplasm-site-<group> (a neoplasm of
unstated behaviour at a group's site), neoplasm-not-primary-cancer, body-site-<organ> and morphology-<group>.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fhir_mappings import terminology
from fhir_mappings.body_sites import site_from
from fhir_mappings.codes import LOCAL, codelist
from fhir_mappings.elements import codes_in, extensions, status_code
from fhir_mappings.terminology import TERMINOLOGY, Coded, coded

Presence = Literal["present", "refuted", "inactive"]

_EXT = codelist("extensions")
HISTORY_OF_METASTATIC_SNOMED = frozenset(codelist("history_of_metastatic_cancer")["snomed"])
HISTOLOGY_EXTENSIONS: tuple[str, ...] = tuple(_EXT["histology_morphology_behavior"])
RELATED_CONDITION_EXTENSIONS: tuple[str, ...] = tuple(_EXT["related_condition"])
# Only the STU1 extension is specific to secondary cancers; the core condition-related one links anything.
RELATED_PRIMARY_STU1 = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-primary-cancer-condition"

INACTIVE_CLINICAL = frozenset({"inactive", "resolved", "remission"})

# Metastasis sites (ValueSet metastasis-<site>) → the burden kinds they count as (contract: visceral =
# C78.*, C79.0–C79.4, C79.6–C79.9; hepatic and brain are visceral too).
KINDS_OF_SITE: dict[str, frozenset[str]] = {
    "bone": frozenset({"bone"}),
    "brain": frozenset({"visceral", "brain"}),
    "liver": frozenset({"visceral", "hepatic"}),
    "lung": frozenset({"visceral"}),
    "pleura": frozenset({"visceral"}),
    "adrenal": frozenset({"visceral"}),
    "peritoneum": frozenset({"visceral"}),
    "visceral-other": frozenset({"visceral"}),
    "nodal": frozenset({"nodal"}),
    "other": frozenset({"other"}),
}
# bodySite ValueSets (body-site-<organ>) → the metastasis site a generic metastasis code there is.
_MET_SITE_OF_BODY_SITE: dict[str, str] = {
    "bone": "bone", "brain": "brain", "liver": "liver", "lung": "lung", "pleura": "pleura", "adrenal": "adrenal",
    "peritoneum": "peritoneum", "lymph-node": "nodal", "colorectal": "visceral-other", "gi-other": "visceral-other",
    "kidney": "visceral-other", "ovary": "visceral-other", "thyroid": "visceral-other",
    "prostate": "visceral-other", "breast": "other",
}
# bodySite ValueSets that name a primary group (for a generic primary-cancer code).
_PRIMARY_OF_BODY_SITE = frozenset({"breast", "prostate", "kidney", "thyroid", "colorectal", "gi-other", "ovary",
                                   "lung", "liver"})
# ICD-O-3 morphology groups that decide the histology of a generic primary code.
_MORPHOLOGY_DECIDES = frozenset({"melanoma", "myeloma", "lymphoma", "leukaemia", "sarcoma", "germ-cell",
                                 "neuroendocrine"})


@dataclass(frozen=True, slots=True)
class CancerCode:
    """What a Condition's code (with its bodySite and histology extension) says about cancer."""

    primary: str | None = None
    """Histology group of a primary cancer named by the code (or a generic code's bodySite/morphology)."""
    primary_basis: str | None = None
    """How ``primary`` was read: code, body-site, morphology, metastasis-from, neoplasm-site."""
    generic_primary: bool = False
    """A malignant primary whose code names no site and whose site/morphology did not tell it."""
    not_primary: bool = False
    """Uncertain-behaviour / in-situ / benign neoplasm: oncological, never the primary cancer."""
    metastasis: tuple[str, ...] = ()
    """Metastasis sites (bone, liver, …, other); ``unspecified`` for a generic code without a known site."""
    matched: Coded | None = None
    """The coding that was recognised (for messages and provenance)."""

    @property
    def is_metastasis(self) -> bool:
        return bool(self.metastasis)

    @property
    def recognised(self) -> bool:
        return self.matched is not None

    def kinds(self) -> set[str]:
        out: set[str] = set()
        for site in self.metastasis:
            out |= KINDS_OF_SITE.get(site, frozenset({"other"}))
        return out


def _groups(vids: tuple[str, ...], prefix: str) -> list[str]:
    return [v[len(prefix):] for v in vids if v.startswith(prefix)]


def _body_site_groups(concepts: Any) -> list[str]:
    out: list[str] = []
    for coding in coded(concepts):
        vids = TERMINOLOGY.lookup(coding.system, coding.code)
        out.extend(_groups(vids, "body-site-"))
        out.extend(_groups(vids, "primary-site-"))
    return list(dict.fromkeys(out))


def _morphology_groups(data: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for ext in extensions(data, HISTOLOGY_EXTENSIONS):
        for coding in coded(ext.get("valueCodeableConcept")):
            out.extend(_groups(TERMINOLOGY.lookup(coding.system, coding.code), "morphology-"))
    return out


def _refine_lung(group: str, morphology: list[str]) -> str:
    if group != "lung":
        return group
    if "small-cell" in morphology:
        return "lung-sclc"
    if "non-small-cell" in morphology:
        return "lung-nsclc"
    return group


_SYSTEM_ORDER = {terminology.ICD10CM: 0, terminology.ICD10: 1, terminology.SNOMED: 2}


def classify(data: Mapping[str, Any]) -> CancerCode:
    """Read one Condition: its code's ValueSets, then bodySite and morphology for generic codes."""
    codings = sorted(coded(data.get("code")), key=lambda c: _SYSTEM_ORDER.get(c.system, 9))
    primary: tuple[str, Coded] | None = None
    sites: list[str] = []
    from_group: tuple[str, Coded] | None = None
    neoplasm_site: tuple[str, Coded] | None = None
    generic: Coded | None = None
    not_primary: Coded | None = None
    matched: Coded | None = None
    for coding in codings:
        vids = TERMINOLOGY.lookup(coding.system, coding.code)
        if not vids:
            continue
        matched = matched or coding
        for group in _groups(vids, "primary-"):
            if group == "generic":
                generic = generic or coding
            elif not group.startswith("site-") and (primary is None or primary[0] == "other"):
                primary = (group, coding)
        for site in _groups(vids, "metastasis-"):
            if site.startswith("from-"):
                from_group = from_group or (site[len("from-"):], coding)
            elif site not in sites:
                sites.append(site)
        for group in _groups(vids, "neoplasm-site-"):
            neoplasm_site = neoplasm_site or (group, coding)
        if "neoplasm-not-primary-cancer" in vids:
            not_primary = not_primary or coding
    if matched is None:
        return CancerCode()
    morphology = _morphology_groups(data)
    if sites:
        if "generic" in sites:
            sites.remove("generic")
            if not sites:
                sites = _sites_from_body_site(data.get("bodySite"))
        group = from_group[0] if from_group else None
        return CancerCode(primary=_refine_lung(group, morphology) if group else None,
                          primary_basis="metastasis-from" if group else None,
                          metastasis=tuple(sites), matched=matched)
    if primary is not None:
        return CancerCode(primary=_refine_lung(primary[0], morphology), primary_basis="code", matched=primary[1])
    if generic is not None:
        decided = [g for g in morphology if g in _MORPHOLOGY_DECIDES]
        if decided:
            return CancerCode(primary=decided[0], primary_basis="morphology", matched=generic)
        at_site = [g for g in _body_site_groups(data.get("bodySite")) if g in _PRIMARY_OF_BODY_SITE]
        if at_site:
            return CancerCode(primary=_refine_lung(at_site[0], morphology), primary_basis="body-site",
                              matched=generic)
        return CancerCode(generic_primary=True, matched=generic)
    if neoplasm_site is not None:
        return CancerCode(primary=neoplasm_site[0], primary_basis="neoplasm-site", matched=neoplasm_site[1])
    return CancerCode(not_primary=not_primary is not None, matched=matched)


def _sites_from_body_site(body_site: Any) -> list[str]:
    """The metastasis site of a generic metastasis code, from its bodySite; 'unspecified' when none."""
    if site_from(body_site).known:
        return ["bone"]
    found = [_MET_SITE_OF_BODY_SITE[g] for g in _body_site_groups(body_site) if g in _MET_SITE_OF_BODY_SITE]
    return list(dict.fromkeys(found)) or ["unspecified"]


def presence(data: Mapping[str, Any]) -> Presence:
    """refuted: documented absence; inactive: resolved/remission; otherwise asserted present."""
    if status_code(data, "verificationStatus") == "refuted":
        return "refuted"
    if status_code(data, "clinicalStatus") in INACTIVE_CLINICAL:
        return "inactive"
    return "present"


def code_label(code_concept: Any) -> str:
    """'SNOMED 363346000 (Malignant tumor)' / 'ICD-10-CM C80.1' for messages: the first coding."""
    codings = sorted(coded(code_concept), key=lambda c: _SYSTEM_ORDER.get(c.system, 9))
    return codings[0].label if codings else "no code"


def has_histology_extension(data: Mapping[str, Any]) -> bool:
    return bool(extensions(data, HISTOLOGY_EXTENSIONS))


def related_primary_refs(data: Mapping[str, Any]) -> list[str]:
    """References to the primary cancer from condition-related / mcode-related-primary-cancer-condition."""
    out: list[str] = []
    for ext in extensions(data, RELATED_CONDITION_EXTENSIONS):
        value = ext.get("valueReference")
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            out.append(value["reference"])
    return out


def has_stu1_related_primary(data: Mapping[str, Any]) -> bool:
    return bool(extensions(data, RELATED_PRIMARY_STU1))


def local_codes(code_concept: Any) -> list[str]:
    return codes_in(code_concept, LOCAL)
