"""ECOG ↔ KPS: decision-criteria.md §2, 'Prognosis / expected survival' (ECOG ↔ KPS line)."""

from __future__ import annotations

import pytest

from cds.scores.performance_status import ecog_to_kps_range, kps_60_or_less_from_ecog, kps_to_ecog

# ECOG 0 ≈ KPS 90–100, 1 ≈ 70–80, 2 ≈ 50–60, 3 ≈ 30–40, 4 ≈ 10–20; KPS 0 -> ECOG 5.
KPS_TO_ECOG = [
    (100, 0),
    (90, 0),
    (80, 1),
    (70, 1),
    (60, 2),
    (50, 2),
    (40, 3),
    (30, 3),
    (20, 4),
    (10, 4),
    (0, 5),
]


@pytest.mark.parametrize(("kps", "ecog"), KPS_TO_ECOG, ids=[f"KPS{k}->ECOG{e}" for k, e in KPS_TO_ECOG])
def test_kps_to_ecog_row(kps: int, ecog: int) -> None:
    assert kps_to_ecog(kps) == ecog


@pytest.mark.parametrize(
    ("ecog", "kps_range"),
    [(0, (90, 100)), (1, (70, 80)), (2, (50, 60)), (3, (30, 40)), (4, (10, 20)), (5, (0, 0))],
)
def test_ecog_to_kps_range_row(ecog: int, kps_range: tuple[int, int]) -> None:
    assert ecog_to_kps_range(ecog) == kps_range


@pytest.mark.parametrize("ecog", range(6))
def test_round_trip_ecog_kps(ecog: int) -> None:
    lo, hi = ecog_to_kps_range(ecog)
    assert kps_to_ecog(lo) == ecog
    assert kps_to_ecog(hi) == ecog


@pytest.mark.parametrize("kps", [-10, 110, 65, 5, 99, True, 70.0, None])
def test_kps_to_ecog_rejects_invalid(kps: int) -> None:
    with pytest.raises(ValueError):
        kps_to_ecog(kps)


@pytest.mark.parametrize("ecog", [-1, 6, 1.0, False])
def test_ecog_to_kps_range_rejects_invalid(ecog: int) -> None:
    with pytest.raises(ValueError):
        ecog_to_kps_range(ecog)


@pytest.mark.parametrize(
    ("ecog", "expected"), [(0, False), (1, False), (2, True), (3, True), (4, True), (5, True)]
)
def test_kps_60_or_less_from_ecog(ecog: int, expected: bool) -> None:
    assert kps_60_or_less_from_ecog(ecog) is expected


def test_kps_60_boundary_matches_kps_side() -> None:
    # KPS 60 is ECOG 2 and KPS 70 is ECOG 1: the Chow cut-off falls on the ECOG 1/2 boundary.
    assert kps_60_or_less_from_ecog(kps_to_ecog(60)) is True
    assert kps_60_or_less_from_ecog(kps_to_ecog(70)) is False
