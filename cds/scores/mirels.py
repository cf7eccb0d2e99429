"""Mirels score for impending pathological fracture of a long bone (Mirels 1989)."""

from __future__ import annotations

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

# Explicit rather than anatomy.LOWER_LIMB so the Mirels mapping is reviewable in one place.
_LOWER_LIMB: Final = frozenset({"femur", "femoral shaft", "tibia", "fibula"})


def mirels_points(component: str, answer: str) -> int:
    return table_points("Mirels", MIRELS_POINTS, component, answer)


def mirels_band(total: int) -> MirelsBand:
    check_int("Mirels total", total, MIN_TOTAL, MAX_TOTAL)
    if total <= 7:
        return "low-risk"
    if total == 8:
        return "borderline"
    return "high-risk"


def mirels_site_for_bone(bone: str) -> str | None:
    """Mirels site of a long bone ('left femoral neck' -> 'peritrochanteric'); None for other bones.

    A bare 'femur' counts as lower limb, as in cds.anatomy; document the femoral head/neck when
    the lesion is peritrochanteric, or the site scores one point too low.
    """
    if not isinstance(bone, str):
        raise ValueError(f"Mirels: bone must be a string, got {bone!r}")
    name = base_bone(bone.strip().lower())
    if name in UPPER_LIMB:
        return "upper-limb"
    if name in PERITROCHANTERIC:
        return "peritrochanteric"
    if name in _LOWER_LIMB:
        return "lower-limb"
    return None


def score_mirels(
    *,
    total: int | None = None,
    site: str | None = None,
    pain: str | None = None,
    lesion: str | None = None,
    size: str | None = None,
) -> ScoreEstimate:
    """Mirels from a documented total or from components; missing components widen the range."""
    answers = {"site": site, "pain": pain, "lesion": lesion, "size": size}
    given = {k: v for k, v in answers.items() if v is not None}
    known = {k: mirels_points(k, v) for k, v in given.items()}
    open_options = {k: set(MIRELS_POINTS[k].values()) for k, v in answers.items() if v is None}
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
