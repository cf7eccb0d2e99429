"""Rades survival score for metastatic spinal cord compression (Rades 2008)."""

from __future__ import annotations

from typing import Final, Literal

from cds.scores._histology import LUNG, check_histology
from cds.scores._range import check_bool, check_int, check_number, estimate
from cds.state import SurvivalEstimate

CITATION: Final = "rades2008"

RadesGroup = Literal["poor-intermediate", "favourable"]
INPUTS: Final = (
    "primary_group",
    "interval_months",
    "other_bone_metastases",
    "visceral_metastases",
    "ambulatory",
    "motor_deficit_days",
)
GROUPS: Final[tuple[RadesGroup, ...]] = ("poor-intermediate", "favourable")
MIN_TOTAL: Final = 20
MAX_TOTAL: Final = 45

PRIMARY_POINTS: Final[dict[str, int]] = {
    "breast": 8,
    "prostate": 7,
    "myeloma": 9,
    "lymphoma": 9,
    "lung": 3,
    "other": 4,
}
# (yes, no) points for the boolean factors.
_YES_NO: Final[dict[str, tuple[int, int]]] = {
    "other_bone_metastases": (5, 7),
    "visceral_metastases": (2, 7),
    "ambulatory": (7, 3),
}
_POSSIBLE: Final[dict[str, set[int]]] = {
    "primary_group": set(PRIMARY_POINTS.values()),
    "interval_months": {4, 7},
    "other_bone_metastases": {5, 7},
    "visceral_metastases": {2, 7},
    "ambulatory": {7, 3},
    "motor_deficit_days": {3, 6, 8},
}
NOTE: Final = "Rades per-factor points are from secondary sources (◐) — needs clinical review."


def rades_primary_group(histology: str) -> str | None:
    """Project histology code -> Rades primary group; None when the primary is unknown."""
    code = check_histology(histology)
    if code == "unknown":
        return None
    if code in LUNG:
        return "lung"
    if code in PRIMARY_POINTS:
        return code
    return "other"


def rades_group(total: int) -> RadesGroup:
    """≤ 35 poor/intermediate, > 35 favourable."""
    check_int("Rades total", total, MIN_TOTAL, MAX_TOTAL)
    return "poor-intermediate" if total <= 35 else "favourable"


def interval_points(months: float) -> int:
    """Tumour diagnosis to MESCC: ≤ 15 months 4, > 15 months 7."""
    return 4 if check_number("interval_months", months, minimum=0) <= 15 else 7


def motor_deficit_points(days: float) -> int:
    """Time developing motor deficits: 1–7 days 3, 8–14 days 6, > 14 days 8.

    Read as [0, 7] / (7, 14] / > 14 so fractional days fall somewhere: a deficit that began under a day
    ago, or is developing at the evaluation time (0 days, onset = now), counts as fast (Rades 2008:
    "time developing motor deficits ≤ 7 days").
    """
    value = check_number("motor_deficit_days", days, minimum=0)
    if value <= 7:
        return 3
    if value <= 14:
        return 6
    return 8


def score_rades(
    *,
    primary_group: str | None = None,
    interval_months: float | None = None,
    other_bone_metastases: bool | None = None,
    visceral_metastases: bool | None = None,
    ambulatory: bool | None = None,
    motor_deficit_days: float | None = None,
) -> SurvivalEstimate:
    """Rades total (range when inputs are unknown) and its prognostic group; no median is claimed."""
    inputs = {
        "primary_group": primary_group,
        "interval_months": interval_months,
        "other_bone_metastases": other_bone_metastases,
        "visceral_metastases": visceral_metastases,
        "ambulatory": ambulatory,
        "motor_deficit_days": motor_deficit_days,
    }
    known: dict[str, int] = {}
    if primary_group is not None:
        if primary_group not in PRIMARY_POINTS:
            raise ValueError(
                f"Rades primary_group must be one of {', '.join(PRIMARY_POINTS)}, got {primary_group!r}"
            )
        known["primary_group"] = PRIMARY_POINTS[primary_group]
    if interval_months is not None:
        known["interval_months"] = interval_points(interval_months)
    for name, (yes, no) in _YES_NO.items():
        value = inputs[name]
        if value is not None:
            known[name] = yes if check_bool(name, value) else no
    if motor_deficit_days is not None:
        known["motor_deficit_days"] = motor_deficit_points(motor_deficit_days)

    missing = tuple(k for k in INPUTS if inputs[k] is None)
    score = estimate(
        name="Rades",
        known=known,
        open_options={k: _POSSIBLE[k] for k in missing},
        missing=missing,
        components={k: v for k, v in inputs.items() if v is not None},
        band_of=rades_group,
        band_order=GROUPS,
        note=NOTE,
    )
    return SurvivalEstimate(
        model="rades",
        score=score,
        group=score.band,
        median_months=None,
        band=None,
        inputs=score.components,
        missing=missing,
        citation=CITATION,
    )
