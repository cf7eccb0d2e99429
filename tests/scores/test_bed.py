"""BED / EQD2 (LQ model): decision-criteria.md §2, 'Biologically effective dose'."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cds.scores.bed import bed, bed2, bed10, dose_per_fraction, eqd2, is_nominal, round_bed

# Every BED10 listed in the criteria file: (total Gy, fractions, BED10).
BED10_ROWS = [
    (8, 1, 14.4),
    (20, 5, 28.0),
    (24, 6, 33.6),
    (30, 10, 39.0),
    (16, 2, 28.8),
    (12, 1, 26.4),
    (16, 1, 41.6),
    (24, 2, 52.8),
    (28, 2, 67.2),
    (24, 1, 81.6),
    (35, 5, 59.5),  # SABR / SIB boost
    (30, 5, 48.0),  # SIB boost
    (40, 5, 72.0),  # SIB boost
    (30, 3, 60.0),  # SIB boost
    (50, 10, 75.0),  # SIB boost
]


@pytest.mark.parametrize(
    ("total", "fx", "expected"), BED10_ROWS, ids=[f"{t}Gy/{n}" for t, n, _ in BED10_ROWS]
)
def test_bed10_criteria_row(total: float, fx: int, expected: float) -> None:
    assert round_bed(bed10(total, fx)) == expected
    assert bed10(total, fx) == pytest.approx(expected, abs=1e-9)
    assert bed(total, fx, 10) == pytest.approx(expected, abs=1e-9)


# EQD2 with α/β 2 (spinal cord): BED2 / 2.
EQD2_CORD_ROWS = [
    (8, 1, 40.0, 20.0),
    (20, 5, 60.0, 30.0),
    (24, 6, 72.0, 36.0),
    (30, 10, 75.0, 37.5),
    (16, 2, 80.0, 40.0),
    (24, 2, 168.0, 84.0),
    (35, 5, 157.5, 78.75),
    (30, 3, 180.0, 90.0),
    (50, 10, 175.0, 87.5),
]


@pytest.mark.parametrize(
    ("total", "fx", "expected_bed2", "expected_eqd2"),
    EQD2_CORD_ROWS,
    ids=[f"{r[0]}Gy/{r[1]}" for r in EQD2_CORD_ROWS],
)
def test_eqd2_alpha_beta_2(total: float, fx: int, expected_bed2: float, expected_eqd2: float) -> None:
    assert bed2(total, fx) == pytest.approx(expected_bed2)
    assert eqd2(total, fx, 2) == pytest.approx(expected_eqd2)


def test_eqd2_alpha_beta_10() -> None:
    assert eqd2(30, 10, 10) == pytest.approx(32.5)
    assert eqd2(8, 1, 10) == pytest.approx(12.0)


@given(st.integers(min_value=1, max_value=40), st.sampled_from([1.5, 2.0, 3.0, 10.0]))
def test_eqd2_of_2gy_fractions_is_the_physical_dose(fractions: int, alpha_beta: float) -> None:
    assert eqd2(2.0 * fractions, fractions, alpha_beta) == pytest.approx(2.0 * fractions)


@pytest.mark.parametrize(
    ("total", "fx", "nominal"),
    [
        (8, 1, False),  # 8 Gy per fraction: boundary, not above 8
        (16, 2, False),
        (35, 5, False),
        (9, 1, True),
        (12, 1, True),
        (16, 1, True),
        (24, 1, True),
        (24, 2, True),
        (28, 2, True),
        (30, 3, True),
        (8.1, 1, True),
    ],
)
def test_is_nominal_above_8_gy_per_fraction(total: float, fx: int, nominal: bool) -> None:
    assert is_nominal(total, fx) is nominal


def test_dose_per_fraction() -> None:
    assert dose_per_fraction(35, 5) == 7.0


@pytest.mark.parametrize(
    ("x", "rounded"), [(28.85, 28.9), (28.849, 28.8), (59.49999999999999, 59.5), (14.4, 14.4), (0.05, 0.1)]
)
def test_round_bed_one_decimal_half_up(x: float, rounded: float) -> None:
    assert round_bed(x) == rounded


@pytest.mark.parametrize(
    ("total", "fx", "ab"),
    [
        (0, 1, 10),
        (-8, 1, 10),
        (8, 0, 10),
        (8, -1, 10),
        (8, 1.5, 10),
        (8, True, 10),
        (8, 1, 0),
        (8, 1, -2),
        (math.nan, 1, 10),
        (math.inf, 1, 10),
        (8, 1, math.nan),
    ],
)
def test_bed_rejects_non_positive_or_invalid_inputs(total: float, fx: int, ab: float) -> None:
    with pytest.raises(ValueError):
        bed(total, fx, ab)


@pytest.mark.parametrize(("total", "fx"), [(0, 1), (8, 0)])
def test_helpers_validate_inputs(total: float, fx: int) -> None:
    for fn in (bed10, bed2, is_nominal, dose_per_fraction):
        with pytest.raises(ValueError):
            fn(total, fx)
    with pytest.raises(ValueError):
        eqd2(total, fx, 2)


def test_round_bed_rejects_nan() -> None:
    with pytest.raises(ValueError):
        round_bed(math.nan)
