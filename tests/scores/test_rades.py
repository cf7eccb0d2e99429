"""Rades MESCC survival score (Rades 2008): decision-criteria.md §2, 'Prognosis', Rades bullet."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.scores.rades import (
    INPUTS,
    interval_points,
    motor_deficit_points,
    rades_group,
    rades_primary_group,
    score_rades,
)

# Minimum-scoring baseline: lung 3, interval <= 15 months 4, other bone mets 5, visceral 2,
# not ambulatory 3, motor deficits over 1–7 days 3 -> 20.
BASE: dict[str, Any] = {
    "primary_group": "lung",
    "interval_months": 6,
    "other_bone_metastases": True,
    "visceral_metastases": True,
    "ambulatory": False,
    "motor_deficit_days": 3,
}


def points(name: str, **changes: Any) -> int:
    return score_rades(**{**BASE, **changes}).score.points[name]


@pytest.mark.parametrize(
    ("group", "pts"),
    [("breast", 8), ("prostate", 7), ("myeloma", 9), ("lymphoma", 9), ("lung", 3), ("other", 4)],
)
def test_rades_row_primary_tumour(group: str, pts: int) -> None:
    assert points("primary_group", primary_group=group) == pts


@pytest.mark.parametrize(("months", "pts"), [(0, 4), (15, 4), (15.01, 7), (16, 7), (120, 7)])
def test_rades_row_interval_to_mescc_le_15_months(months: float, pts: int) -> None:
    assert points("interval_months", interval_months=months) == pts
    assert interval_points(months) == pts


@pytest.mark.parametrize(("flag", "pts"), [(True, 5), (False, 7)])
def test_rades_row_other_bone_metastases(flag: bool, pts: int) -> None:
    assert points("other_bone_metastases", other_bone_metastases=flag) == pts


@pytest.mark.parametrize(("flag", "pts"), [(True, 2), (False, 7)])
def test_rades_row_visceral_metastases(flag: bool, pts: int) -> None:
    assert points("visceral_metastases", visceral_metastases=flag) == pts


@pytest.mark.parametrize(("flag", "pts"), [(True, 7), (False, 3)])
def test_rades_row_ambulatory_before_rt(flag: bool, pts: int) -> None:
    assert points("ambulatory", ambulatory=flag) == pts


@pytest.mark.parametrize(
    ("days", "pts"),
    [(0, 3), (0.0, 3), (0.01, 3), (0.5, 3), (1, 3), (7, 3), (7.5, 6), (8, 6), (14, 6), (14.5, 8), (15, 8), (60, 8)],
)
def test_rades_row_time_developing_motor_deficits(days: float, pts: int) -> None:
    assert points("motor_deficit_days", motor_deficit_days=days) == pts
    assert motor_deficit_points(days) == pts


def test_a_motor_deficit_developing_now_is_scored_as_fast() -> None:
    # Onset at the evaluation time (0 days) is the fastest onset there is, not invalid input.
    est = score_rades(**{**BASE, "motor_deficit_days": 0})
    assert est.score.points["motor_deficit_days"] == 3
    assert "motor_deficit_days" not in est.missing


def test_rades_minimum_and_maximum_totals() -> None:
    low = score_rades(**BASE)
    high = score_rades(
        primary_group="myeloma",
        interval_months=24,
        other_bone_metastases=False,
        visceral_metastases=False,
        ambulatory=True,
        motor_deficit_days=30,
    )
    assert (low.score.total, low.group) == (20, "poor-intermediate")
    assert (high.score.total, high.group) == (45, "favourable")


@pytest.mark.parametrize(
    ("total", "group"),
    [(20, "poor-intermediate"), (35, "poor-intermediate"), (36, "favourable"), (45, "favourable")],
)
def test_rades_group_boundaries(total: int, group: str) -> None:
    assert rades_group(total) == group


@pytest.mark.parametrize("total", [19, 46])
def test_rades_group_rejects_out_of_range(total: int) -> None:
    with pytest.raises(ValueError):
        rades_group(total)


def test_rades_boundary_35_and_36_from_inputs() -> None:
    at_35 = score_rades(
        primary_group="myeloma",  # 9
        interval_months=12,  # 4
        other_bone_metastases=True,  # 5
        visceral_metastases=False,  # 7
        ambulatory=True,  # 7
        motor_deficit_days=5,  # 3
    )
    at_36 = score_rades(
        primary_group="myeloma",  # 9
        interval_months=24,  # 7
        other_bone_metastases=True,  # 5
        visceral_metastases=True,  # 2
        ambulatory=True,  # 7
        motor_deficit_days=10,  # 6
    )
    assert (at_35.score.total, at_35.group) == (35, "poor-intermediate")
    assert (at_36.score.total, at_36.group) == (36, "favourable")


def test_rades_survival_estimate_fields() -> None:
    est = score_rades(**BASE)
    assert est.model == "rades"
    assert est.citation == "rades2008"
    assert est.median_months is None
    assert est.band is None
    assert est.score.band == est.group
    assert est.score.note is not None and "◐" in est.score.note
    assert est.missing == ()


def test_rades_nothing_known() -> None:
    est = score_rades()
    assert (est.score.minimum, est.score.maximum) == (20, 45)
    assert est.group is None
    assert est.score.bands == ("poor-intermediate", "favourable")
    assert est.missing == INPUTS


def test_rades_unknown_is_not_false() -> None:
    # Unknown ambulatory status: 3 or 7.
    est = score_rades(**{**BASE, "ambulatory": None})
    assert (est.score.minimum, est.score.maximum) == (20, 24)
    assert est.group == "poor-intermediate"
    assert est.missing == ("ambulatory",)
    assert "ambulatory" not in est.score.points


@pytest.mark.parametrize(
    ("histology", "group"),
    [
        ("breast", "breast"),
        ("prostate", "prostate"),
        ("myeloma", "myeloma"),
        ("lymphoma", "lymphoma"),
        ("lung", "lung"),
        ("lung-nsclc", "lung"),
        ("lung-sclc", "lung"),
        ("unknown", None),
        ("kidney", "other"),
        ("leukaemia", "other"),
        ("other", "other"),
    ],
)
def test_rades_primary_group(histology: str, group: str | None) -> None:
    assert rades_primary_group(histology) == group


@pytest.mark.parametrize(
    "changes",
    [
        {"primary_group": "kidney"},
        {"interval_months": -1},
        {"motor_deficit_days": -2},
        {"motor_deficit_days": -0.01},
        {"ambulatory": "no"},
        {"visceral_metastases": 0},
    ],
)
def test_rades_rejects_invalid_inputs(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        score_rades(**{**BASE, **changes})


DOMAINS: dict[str, list[Any]] = {
    "primary_group": ["breast", "prostate", "myeloma", "lymphoma", "lung", "other"],
    "interval_months": [15, 15.5],
    "other_bone_metastases": [False, True],
    "visceral_metastases": [False, True],
    "ambulatory": [False, True],
    "motor_deficit_days": [7, 8, 14, 15],
}
partial_rades = st.fixed_dictionaries({k: st.none() | st.sampled_from(v) for k, v in DOMAINS.items()})


@settings(max_examples=100, deadline=None)
@given(partial_rades)
def test_rades_range_contains_every_completion(inputs: dict[str, Any]) -> None:
    est = score_rades(**inputs)
    unknown = [k for k in INPUTS if inputs[k] is None]
    assert est.missing == tuple(unknown)
    for fill in itertools.product(*(DOMAINS[k] for k in unknown)):
        total = score_rades(**{**inputs, **dict(zip(unknown, fill, strict=True))}).score.total
        assert total is not None
        assert est.score.minimum <= total <= est.score.maximum
        assert rades_group(total) in est.score.bands
        if est.group is not None:
            assert rades_group(total) == est.group
