"""Survival bands: decision-criteria.md §2, '< 3 months short; 3–12 months intermediate; ≥ 12 months long'."""

from __future__ import annotations

import math

import pytest

from cds.scores.survival import decision_threshold_at, months_from_quantity, survival_band


@pytest.mark.parametrize(
    ("months", "band"),
    [
        (0, "short"),
        (2.99, "short"),
        (3, "intermediate"),
        (3.0, "intermediate"),
        (11.99, "intermediate"),
        (12, "long"),
        (12.0, "long"),
        (60, "long"),
    ],
)
def test_survival_band_boundaries(months: float, band: str) -> None:
    assert survival_band(months) == band


@pytest.mark.parametrize("months", [-0.1, math.nan, math.inf, True, None])
def test_survival_band_rejects_invalid(months: float) -> None:
    with pytest.raises(ValueError):
        survival_band(months)


@pytest.mark.parametrize(
    ("value", "unit", "months"),
    [
        (6, "mo", 6.0),
        (1, "a", 12.0),
        (2.5, "a", 30.0),
        (1, "wk", 7 / 30.4375),
        (13, "wk", 13 * 7 / 30.4375),
        (30.4375, "d", 1.0),
        (365.25, "d", 12.0),
        (0, "wk", 0.0),
    ],
)
def test_months_from_quantity(value: float, unit: str, months: float) -> None:
    assert months_from_quantity(value, unit) == pytest.approx(months)


def test_weeks_at_band_boundary() -> None:
    # 13 weeks is just under 3 months (2.99): still short.
    assert survival_band(months_from_quantity(13, "wk")) == "short"
    assert survival_band(months_from_quantity(14, "wk")) == "intermediate"


@pytest.mark.parametrize("unit", ["month", "y", "h", "min", "", "MO"])
def test_months_from_quantity_rejects_unknown_unit(unit: str) -> None:
    with pytest.raises(ValueError, match="unit"):
        months_from_quantity(1, unit)


@pytest.mark.parametrize("value", [-1, math.nan, None])
def test_months_from_quantity_rejects_invalid_value(value: float) -> None:
    with pytest.raises(ValueError):
        months_from_quantity(value, "mo")


@pytest.mark.parametrize(("median", "threshold"), [(3.0, 3.0), (6, 6.0), (12.0, 12.0), (2.9, None), (3.1, None),
                                                   (10.0, None), (35.0, None)])
def test_decision_threshold_at(median: float, threshold: float | None) -> None:
    assert decision_threshold_at(median) == threshold


def test_a_documented_three_months_is_still_intermediate() -> None:
    # Only a model's approximate group median is held back; a clinician's estimate is a value.
    assert survival_band(3.0) == "intermediate"
