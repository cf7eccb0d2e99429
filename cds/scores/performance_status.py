"""ECOG ↔ Karnofsky performance status (decision-criteria.md §2, 'Prognosis')."""

from __future__ import annotations

from typing import Final

from cds.scores._range import check_int

# ECOG -> the KPS values it corresponds to. KPS 0 is death, ECOG 5.
_KPS_RANGE: Final[dict[int, tuple[int, int]]] = {
    0: (90, 100),
    1: (70, 80),
    2: (50, 60),
    3: (30, 40),
    4: (10, 20),
    5: (0, 0),
}


def kps_to_ecog(kps: int) -> int:
    check_int("KPS", kps, 0, 100)
    if kps % 10:
        raise ValueError(f"KPS must be a multiple of 10, got {kps}")
    for ecog, (lo, hi) in _KPS_RANGE.items():
        if lo <= kps <= hi:
            return ecog
    raise AssertionError(f"unmapped KPS {kps}")  # unreachable: the ranges cover 0–100


def ecog_to_kps_range(ecog: int) -> tuple[int, int]:
    check_int("ECOG", ecog, 0, 5)
    return _KPS_RANGE[ecog]


def kps_60_or_less_from_ecog(ecog: int) -> bool:
    """Chow's 'KPS ≤ 60' when only ECOG is documented: ECOG 2 (KPS 50–60) and worse."""
    return ecog_to_kps_range(ecog)[1] <= 60
