"""Expected-survival bands used by the rules, and duration unit conversion."""

from __future__ import annotations

from typing import Final

from cds.scores._range import check_number
from cds.state import SurvivalBand

SHORT_BELOW_MONTHS: Final = 3.0
LONG_FROM_MONTHS: Final = 12.0
# Survival thresholds the rules decide on: < 3 months short (8 Gy × 1), ≥ 6 months (SBRT,
# oligometastatic SABR, surgery), ≥ 12 months long (the longer courses).
DECISION_THRESHOLDS_MONTHS: Final = (SHORT_BELOW_MONTHS, 6.0, LONG_FROM_MONTHS)
DAYS_PER_MONTH: Final = 30.4375  # 365.25 / 12, the UCUM mean Julian month

# UCUM duration unit -> months.
_MONTHS_PER_UNIT: Final[dict[str, float]] = {
    "d": 1.0 / DAYS_PER_MONTH,
    "wk": 7.0 / DAYS_PER_MONTH,
    "mo": 1.0,
    "a": 12.0,
}


def survival_band(months: float) -> SurvivalBand:
    """< 3 months short; 3 to < 12 intermediate; ≥ 12 long."""
    check_number("expected survival (months)", months, minimum=0)
    if months < SHORT_BELOW_MONTHS:
        return "short"
    if months < LONG_FROM_MONTHS:
        return "intermediate"
    return "long"


def decision_threshold_at(median_months: float) -> float | None:
    """The decision threshold a model's group median lies on, or None.

    A published group median is approximate ("about 3 months"), so one that equals a threshold does
    not put the patient on either side of it: the model then gives no band or point estimate.
    """
    check_number("median survival (months)", median_months, minimum=0)
    return next((t for t in DECISION_THRESHOLDS_MONTHS if median_months == t), None)


def months_from_quantity(value: float, unit: str) -> float:
    """Convert a duration in a UCUM unit (d, wk, mo, a) to months."""
    check_number("duration", value, minimum=0)
    if unit not in _MONTHS_PER_UNIT:
        raise ValueError(
            f"unknown duration unit {unit!r}; expected one of {', '.join(_MONTHS_PER_UNIT)} (UCUM)"
        )
    return value * _MONTHS_PER_UNIT[unit]


def model_median_range(model: str, minimum: int, maximum: int) -> tuple[float, float]:
    """The lowest and highest group median a prognostic model allows for a score range (a score with
    undocumented inputs is a range). A median lying on a decision threshold counts as just below it
    for the lower bound: "about 3 months" does not establish "at least 3 months"."""
    from cds.scores import chow, teachh

    if model == "teachh":
        medians = {teachh.MEDIAN_MONTHS[teachh.teachh_group(t)] for t in range(minimum, maximum + 1)}
    elif model == "chow":
        medians = {chow.MEDIAN_MONTHS[chow.chow_group(t)] for t in range(minimum, maximum + 1)}
    else:
        raise ValueError(f"no group medians for the {model} model")
    low, high = min(medians), max(medians)
    if low in DECISION_THRESHOLDS_MONTHS:
        low = round(low - 0.1, 1)
    return low, high
