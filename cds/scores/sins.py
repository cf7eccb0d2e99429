"""SINS — Spinal Instability Neoplastic Score (Fisher 2010)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from cds.anatomy import is_vertebra, level_index
from cds.scores._range import PointTable, check_int, documented_total, estimate, table_points
from cds.state import ScoreEstimate, SinsBand

CITATION: Final = "fisher2010"

SINS_POINTS: Final[PointTable] = {
    "location": {"junctional": 3, "mobile": 2, "semi-rigid": 1, "rigid": 0},
    "pain": {"mechanical": 3, "occasional": 1, "pain-free": 0},
    "bone_lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    "alignment": {"subluxation": 4, "deformity": 2, "normal": 0},
    "collapse": {
        "collapse-50-or-more": 3,
        "collapse-under-50": 2,
        "no-collapse-over-50-involved": 1,
        "none": 0,
    },
    "posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}
COMPONENTS: Final = tuple(SINS_POINTS)
BANDS: Final[tuple[SinsBand, ...]] = ("stable", "indeterminate", "unstable")
MIN_TOTAL: Final = 0
MAX_TOTAL: Final = 18

# Level ranges as (first, last) inclusive; everything not listed here is junctional.
_NON_JUNCTIONAL: Final = (
    ("C3", "C6", "mobile"),
    ("T3", "T10", "semi-rigid"),
    ("L2", "L4", "mobile"),
    ("S2", "S5", "rigid"),
)
_OCCIPUT: Final = frozenset({"occiput", "c0"})


def sins_points(component: str, answer: str) -> int:
    return table_points("SINS", SINS_POINTS, component, answer)


def sins_location_for_level(level: str) -> str:
    """SINS location category of one vertebral level ("T12" -> "junctional")."""
    if not isinstance(level, str):
        raise ValueError(f"SINS: vertebral level must be a string, got {level!r}")
    name = level.strip()
    if name.lower() in _OCCIPUT:
        return "junctional"
    name = name.upper()
    if not is_vertebra(name):
        raise ValueError(f"SINS: unknown vertebral level {level!r}; expected occiput or C1–S5")
    i = level_index(name)
    for first, last, location in _NON_JUNCTIONAL:
        if level_index(first) <= i <= level_index(last):
            return location
    return "junctional"


def sins_location_for_levels(levels: Iterable[str]) -> str:
    """A multi-level lesion scores its highest-scoring level."""
    locations = [sins_location_for_level(level) for level in levels]
    if not locations:
        raise ValueError("SINS: at least one vertebral level is needed")
    return max(locations, key=lambda loc: SINS_POINTS["location"][loc])


def sins_band(total: int) -> SinsBand:
    check_int("SINS total", total, MIN_TOTAL, MAX_TOTAL)
    if total <= 6:
        return "stable"
    if total <= 12:
        return "indeterminate"
    return "unstable"


def score_sins(
    *,
    total: int | None = None,
    location: str | None = None,
    pain: str | None = None,
    bone_lesion: str | None = None,
    alignment: str | None = None,
    collapse: str | None = None,
    posterolateral: str | None = None,
) -> ScoreEstimate:
    """SINS from a documented total or from components; missing components widen the range."""
    answers = {
        "location": location,
        "pain": pain,
        "bone_lesion": bone_lesion,
        "alignment": alignment,
        "collapse": collapse,
        "posterolateral": posterolateral,
    }
    given = {k: v for k, v in answers.items() if v is not None}
    known = {k: sins_points(k, v) for k, v in given.items()}
    open_options = {k: set(SINS_POINTS[k].values()) for k, v in answers.items() if v is None}
    if total is not None:
        check_int("SINS total", total, MIN_TOTAL, MAX_TOTAL)
        return documented_total(
            name="SINS",
            total=total,
            known=known,
            open_options=open_options,
            components=given,
            band_of=sins_band,
        )
    return estimate(
        name="SINS",
        known=known,
        open_options=open_options,
        missing=tuple(open_options),
        components=given,
        band_of=sins_band,
        band_order=BANDS,
    )
