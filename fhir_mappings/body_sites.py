"""bodySite / BodyStructure.location codings → vertebral levels, bones, regions and a readable label.

Several codings on one resource describe one site (several contiguous levels of one lesion). Codes
not in the anatomy lists are kept (``other``) so identical unknown codes still match each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cds import anatomy
from cds.state import Region
from fhir_mappings.codes import BONE_BY_SNOMED, SNOMED, SPINE_REGION_BY_SNOMED, VERTEBRA_BY_SNOMED
from fhir_mappings.elements import coding_key, codings, dicts, display_of

LATERALITY_BY_SNOMED: dict[str, str] = {"7771000": "left", "24028007": "right", "51440002": "bilateral"}
_SEMANTIC_TAG = " (body structure)"


@dataclass(frozen=True, slots=True)
class Site:
    """Where something is, as far as the codes tell."""

    levels: tuple[str, ...] = ()
    bones: tuple[str, ...] = ()
    """Bone names, lateralised when the side is known: 'right acetabulum'."""
    regions: tuple[str, ...] = ()
    """Spinal regions named without a level: 'lumbar spine'."""
    laterality: str | None = None
    codes: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    """Labels of codings not in the anatomy lists (kept for display and exact-code matching)."""
    other_codes: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.levels or self.bones or self.regions)

    @property
    def empty(self) -> bool:
        return not (self.known or self.other)

    @property
    def spinal(self) -> bool:
        return bool(self.levels or self.regions)

    @property
    def region(self) -> Region:
        if self.spinal:
            return "spine"
        if self.bones:
            return anatomy.region_of_bone(self.bones[0])
        return "unspecified"

    @property
    def label(self) -> str:
        parts: list[str] = []
        if self.levels:
            parts.append(anatomy.level_range_label(self.levels))
        else:
            parts.extend(self.regions)
        parts.extend(self.bones)
        if not parts:
            parts.extend(self.other)
        return ", ".join(parts) if parts else "unspecified"

    def possible_levels(self) -> frozenset[str]:
        """The levels this site is or may be (a region stands for all its levels)."""
        if self.levels:
            return frozenset(self.levels)
        out: set[str] = set()
        for region in self.regions:
            out.update(anatomy.REGION_LEVELS.get(region, ()))
        return frozenset(out)

    def overlaps(self, other: Site) -> bool:
        """Same level, overlapping bone, a level inside a named region, or the same unknown code."""
        if self.possible_levels() & other.possible_levels():
            return True
        if any(anatomy.bones_overlap(a, b) for a in self.bones for b in other.bones):
            return True
        return bool(set(self.other_codes) & set(other.other_codes))

    def touches(self, other: Site) -> bool:
        """Overlapping or adjacent vertebral levels (compression at T9 concerns a T8 lesion)."""
        if self.overlaps(other):
            return True
        mine, theirs = self.possible_levels(), other.possible_levels()
        return any(abs(anatomy.level_index(a) - anatomy.level_index(b)) == 1 for a in mine for b in theirs)


UNSPECIFIED = Site()


def _laterality_of(concepts: Iterable[Any]) -> str | None:
    for concept in concepts:
        for coding in codings(concept):
            if coding.get("system") == SNOMED and coding.get("code") in LATERALITY_BY_SNOMED:
                return LATERALITY_BY_SNOMED[str(coding["code"])]
    return None


def _qualifier_concepts(concept: dict[str, Any]) -> list[Any]:
    """Qualifiers carried as extensions on a bodySite (mCODE laterality/location qualifiers)."""
    return [ext.get("valueCodeableConcept") for ext in dicts(concept.get("extension"))]


def site_from(concepts: Any, qualifiers: Any = None) -> Site:
    """A Site from bodySite CodeableConcept(s) (or BodyStructure.location) and optional qualifiers."""
    levels: list[str] = []
    bones: list[str] = []
    regions: list[str] = []
    codes: list[str] = []
    other: list[str] = []
    other_codes: list[str] = []
    concept_list = list(dicts(concepts))
    side = _laterality_of(dicts(qualifiers)) or _laterality_of(
        q for c in concept_list for q in _qualifier_concepts(c))
    for concept in concept_list:
        for coding in codings(concept):
            key = coding_key(coding)
            if key is None:
                continue
            codes.append(key)
            code = str(coding.get("code"))
            if coding.get("system") == SNOMED and code in VERTEBRA_BY_SNOMED:
                levels.append(VERTEBRA_BY_SNOMED[code])
            elif coding.get("system") == SNOMED and code in SPINE_REGION_BY_SNOMED:
                regions.append(SPINE_REGION_BY_SNOMED[code])
            elif coding.get("system") == SNOMED and code in BONE_BY_SNOMED:
                bones.append(BONE_BY_SNOMED[code])
            elif coding.get("system") == SNOMED and code in LATERALITY_BY_SNOMED:
                side = side or LATERALITY_BY_SNOMED[code]  # a laterality coding inside bodySite itself
            else:
                label = display_of(coding) or key
                other.append(label.removesuffix(_SEMANTIC_TAG))
                other_codes.append(key)
    if side is None:
        side = next((s for b in bones if (s := anatomy.laterality(b)) is not None), None)
    if side in {"left", "right"}:
        bones = [b if anatomy.laterality(b) else f"{side} {b}" for b in bones]
    return Site(
        levels=anatomy.sort_levels(levels),
        bones=tuple(dict.fromkeys(bones)),
        regions=tuple(dict.fromkeys(regions)),
        laterality=side,
        codes=tuple(dict.fromkeys(codes)),
        other=tuple(dict.fromkeys(other)),
        other_codes=tuple(dict.fromkeys(other_codes)),
    )


def merge(*sites: Site) -> Site:
    """The union of several sites (a course's bodySite and its treatment volumes)."""
    present = [s for s in sites if not s.empty]
    if not present:
        return UNSPECIFIED
    if len(present) == 1:
        return present[0]
    return Site(
        levels=anatomy.sort_levels(lv for s in present for lv in s.levels),
        bones=tuple(dict.fromkeys(b for s in present for b in s.bones)),
        regions=tuple(dict.fromkeys(r for s in present for r in s.regions)),
        laterality=next((s.laterality for s in present if s.laterality), None),
        codes=tuple(dict.fromkeys(c for s in present for c in s.codes)),
        other=tuple(dict.fromkeys(o for s in present for o in s.other)),
        other_codes=tuple(dict.fromkeys(o for s in present for o in s.other_codes)),
    )
