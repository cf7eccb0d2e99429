"""Mirels score for impending pathological fracture of a long bone (Mirels 1989)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from cds.anatomy import PERITROCHANTERIC, UPPER_LIMB, base_bone
from cds.scores._range import PointTable, check_int, documented_total, estimate, table_points
from cds.state import MirelsBand, ScoreEstimate

CITATION: Final = "mirels1989"

MIRELS_POINTS: Final[PointTable] = {
    "site": {"upper-limb": 1, "lower-limb": 2, "peritrochanteric": 3},
    "pain": {"mild": 1, "moderate": 2, "functional": 3},
    "lesion": {"blastic": 1, "mixed": 2, "lytic": 3},
    "size": {"under-one-third": 1, "one-to-two-thirds": 2, "over-two-thirds": 3},
}
COMPONENTS: Final = tuple(MIRELS_POINTS)
BANDS: Final[tuple[MirelsBand, ...]] = ("low-risk", "borderline", "high-risk")
MIN_TOTAL: Final = 4
MAX_TOTAL: Final = 12

# Explicit rather than anatomy.LOWER_LIMB so the Mirels mapping is reviewable in one place. A bare
# 'femur' is not here: it may be the shaft (2 points) or the peritrochanteric region (3 points).
_LOWER_LIMB: Final = frozenset({"femoral shaft", "tibia", "fibula"})
_FEMUR_UNSPECIFIED: Final = frozenset({"femur"})


def mirels_points(component: str, answer: str) -> int:
    return table_points("Mirels", MIRELS_POINTS, component, answer)


def mirels_band(total: int) -> MirelsBand:
    check_int("Mirels total", total, MIN_TOTAL, MAX_TOTAL)
    if total <= 7:
        return "low-risk"
    if total == 8:
        return "borderline"
    return "high-risk"


def mirels_site_options(bone: str) -> tuple[str, ...]:
    """The Mirels sites a bone may score as: one when the bone says it, two for a bare 'femur'.

    () for a bone Mirels does not score (pelvis, scapula, spine). A femur not specified as shaft,
    head or neck may be peritrochanteric (3) or not (2): both stay open.
    """
    if not isinstance(bone, str):
        raise ValueError(f"Mirels: bone must be a string, got {bone!r}")
    name = base_bone(bone.strip().lower())
    if name in UPPER_LIMB:
        return ("upper-limb",)
    if name in PERITROCHANTERIC:
        return ("peritrochanteric",)
    if name in _LOWER_LIMB:
        return ("lower-limb",)
    if name in _FEMUR_UNSPECIFIED:
        return ("lower-limb", "peritrochanteric")
    return ()


def mirels_site_for_bone(bone: str) -> str | None:
    """Mirels site of a long bone ('left femoral neck' -> 'peritrochanteric'); None when the bone
    does not fix it (a bare 'femur': see mirels_site_options) or Mirels does not score the bone."""
    options = mirels_site_options(bone)
    return options[0] if len(options) == 1 else None


def painful_from_mirels_pain(answer: str) -> bool | None:
    """Whether a Mirels pain answer makes the lesion 'painful' for palliative RT: moderate or
    functional pain does; 'mild' does not decide it (None: a pain score is needed), since Mirels
    grades pain for fracture risk, not as an indication for radiotherapy for pain."""
    mirels_points("pain", answer)
    return None if answer == "mild" else True


def score_mirels(
    *,
    total: int | None = None,
    site: str | None = None,
    pain: str | None = None,
    lesion: str | None = None,
    size: str | None = None,
    site_options: Collection[str] | None = None,
) -> ScoreEstimate:
    """Mirels from a documented total or from components; missing components widen the range.

    ``site_options`` narrows an undocumented site to the sites the bone allows (a bare femur:
    lower limb or peritrochanteric); it is ignored when the site is given.
    """
    answers = {"site": site, "pain": pain, "lesion": lesion, "size": size}
    given = {k: v for k, v in answers.items() if v is not None}
    known = {k: mirels_points(k, v) for k, v in given.items()}
    open_options = {k: set(MIRELS_POINTS[k].values()) for k, v in answers.items() if v is None}
    if site is None and site_options:
        open_options["site"] = {mirels_points("site", option) for option in site_options}
    if total is not None:
        check_int("Mirels total", total, MIN_TOTAL, MAX_TOTAL)
        return documented_total(
            name="Mirels",
            total=total,
            known=known,
            open_options=open_options,
            components=given,
            band_of=mirels_band,
        )
    return estimate(
        name="Mirels",
        known=known,
        open_options=open_options,
        missing=tuple(open_options),
        components=given,
        band_of=mirels_band,
        band_order=BANDS,
    )
