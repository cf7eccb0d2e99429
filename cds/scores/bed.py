"""Biologically effective dose under the linear-quadratic model."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from cds.scores._range import check_int, check_number

ALPHA_BETA_TUMOUR: Final = 10.0
ALPHA_BETA_CORD: Final = 2.0
# Above this dose per fraction the LQ model overstates effect; such BEDs are only nominal.
NOMINAL_ABOVE_GY_PER_FRACTION: Final = 8.0


def _check(total_dose_gy: float, fractions: int, alpha_beta: float | None = None) -> None:
    check_number("total dose (Gy)", total_dose_gy, positive=True)
    check_int("number of fractions", fractions, lo=1)
    if alpha_beta is not None:
        check_number("alpha/beta (Gy)", alpha_beta, positive=True)


def bed(total_dose_gy: float, fractions: int, alpha_beta: float) -> float:
    """BED = n·d·(1 + d/(α/β))."""
    _check(total_dose_gy, fractions, alpha_beta)
    # D + D²/(n·α/β) is algebraically identical and avoids the inexact d = D/n product (35/5 -> 59.5).
    return total_dose_gy + total_dose_gy**2 / (fractions * alpha_beta)


def eqd2(total_dose_gy: float, fractions: int, alpha_beta: float) -> float:
    """Equivalent dose in 2-Gy fractions: BED / (1 + 2/(α/β))."""
    return bed(total_dose_gy, fractions, alpha_beta) * alpha_beta / (alpha_beta + 2.0)


def bed10(total_dose_gy: float, fractions: int) -> float:
    return bed(total_dose_gy, fractions, ALPHA_BETA_TUMOUR)


def bed2(total_dose_gy: float, fractions: int) -> float:
    return bed(total_dose_gy, fractions, ALPHA_BETA_CORD)


def dose_per_fraction(total_dose_gy: float, fractions: int) -> float:
    _check(total_dose_gy, fractions)
    return total_dose_gy / fractions


def is_nominal(total_dose_gy: float, fractions: int) -> bool:
    """True when the dose per fraction exceeds 8 Gy, where an LQ BED is only nominal."""
    return dose_per_fraction(total_dose_gy, fractions) > NOMINAL_ABOVE_GY_PER_FRACTION


def round_bed(x: float) -> float:
    """One decimal, half away from zero on the decimal text (so 28.85 -> 28.9, not 28.8)."""
    check_number("BED", x)
    return float(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
