"""TEACHH (Krishnan 2014): decision-criteria.md §2, 'Prognosis / expected survival', TEACHH bullet."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.scores.teachh import INPUTS, MEDIAN_MONTHS, score_teachh, teachh_group, teachh_primary_group

# All-zero baseline: breast, ECOG 0, age 50, no chemo, not hospitalised, no liver metastases.
BASE: dict[str, Any] = {
    "primary_group": "breast",
    "ecog": 0,
    "age": 50,
    "prior_palliative_chemo_courses": 0,
    "hospitalised_last_3_months": False,
    "hepatic_metastases": False,
}


def total_with(**changes: Any) -> int | None:
    return score_teachh(**{**BASE, **changes}).score.total


def test_baseline_scores_zero() -> None:
    assert total_with() == 0


@pytest.mark.parametrize(("group", "points"), [("breast", 0), ("prostate", 0), ("lung", 1), ("other", 1)])
def test_teachh_row_type_of_primary_lung_or_other(group: str, points: int) -> None:
    assert total_with(primary_group=group) == points


@pytest.mark.parametrize(("ecog", "points"), [(0, 0), (1, 0), (2, 1), (3, 1), (4, 1)])
def test_teachh_row_ecog_2_to_4(ecog: int, points: int) -> None:
    assert total_with(ecog=ecog) == points


@pytest.mark.parametrize(("age", "points"), [(18, 0), (60, 0), (61, 1), (90, 1)])
def test_teachh_row_age_over_60(age: int, points: int) -> None:
    assert total_with(age=age) == points


@pytest.mark.parametrize(("courses", "points"), [(0, 0), (1, 0), (3, 1), (4, 1), (10, 1)])
def test_teachh_row_prior_palliative_chemo_courses(courses: int, points: int) -> None:
    assert total_with(prior_palliative_chemo_courses=courses) == points


def test_teachh_row_prior_chemo_exactly_two_is_uncertain() -> None:
    est = score_teachh(**{**BASE, "prior_palliative_chemo_courses": 2})
    assert est.score.total is None
    assert (est.score.minimum, est.score.maximum) == (0, 1)
    assert est.score.note is not None and "cut-off" in est.score.note
    assert "prior_palliative_chemo_courses" not in est.score.points
    assert est.missing == ()  # documented, just ambiguous
    assert est.group == "A"  # 0 or 1: group A either way


def test_teachh_chemo_two_can_change_group() -> None:
    est = score_teachh(**{**BASE, "primary_group": "lung", "prior_palliative_chemo_courses": 2})
    assert (est.score.minimum, est.score.maximum) == (1, 2)
    assert est.group is None and est.median_months is None and est.band is None
    assert est.score.bands == ("A", "B")


@pytest.mark.parametrize(("flag", "points"), [(False, 0), (True, 1)])
def test_teachh_row_hospitalisation_last_3_months(flag: bool, points: int) -> None:
    assert total_with(hospitalised_last_3_months=flag) == points


@pytest.mark.parametrize(("flag", "points"), [(False, 0), (True, 1)])
def test_teachh_row_hepatic_metastases(flag: bool, points: int) -> None:
    assert total_with(hepatic_metastases=flag) == points


@pytest.mark.parametrize(
    ("total", "group"), [(0, "A"), (1, "A"), (2, "B"), (3, "B"), (4, "B"), (5, "C"), (6, "C")]
)
def test_teachh_group_boundaries(total: int, group: str) -> None:
    assert teachh_group(total) == group


@pytest.mark.parametrize("total", [-1, 7])
def test_teachh_group_rejects_out_of_range(total: int) -> None:
    with pytest.raises(ValueError):
        teachh_group(total)


# 0–1 -> 19.9 months; 2–4 -> 5.0; 5–6 -> 1.7; bands from survival_band.
@pytest.mark.parametrize(
    ("changes", "group", "median", "band"),
    [
        ({}, "A", 19.9, "long"),
        ({"age": 70}, "A", 19.9, "long"),
        ({"age": 70, "ecog": 2}, "B", 5.0, "intermediate"),
        (
            {"age": 70, "ecog": 2, "primary_group": "lung", "hepatic_metastases": True},
            "B",
            5.0,
            "intermediate",
        ),
        (
            {
                "age": 70,
                "ecog": 2,
                "primary_group": "lung",
                "hepatic_metastases": True,
                "hospitalised_last_3_months": True,
            },
            "C",
            1.7,
            "short",
        ),
        (
            {
                "age": 70,
                "ecog": 3,
                "primary_group": "other",
                "hepatic_metastases": True,
                "hospitalised_last_3_months": True,
                "prior_palliative_chemo_courses": 3,
            },
            "C",
            1.7,
            "short",
        ),
    ],
)
def test_teachh_group_median_and_band(changes: dict[str, Any], group: str, median: float, band: str) -> None:
    est = score_teachh(**{**BASE, **changes})
    assert est.model == "teachh"
    assert est.citation == "krishnan2014"
    assert est.group == group
    assert est.score.band == group
    assert est.median_months == median
    assert est.band == band
    assert est.missing == ()


def test_teachh_medians() -> None:
    assert MEDIAN_MONTHS == {"A": 19.9, "B": 5.0, "C": 1.7}


def test_teachh_nothing_known() -> None:
    est = score_teachh()
    assert (est.score.minimum, est.score.maximum) == (0, 6)
    assert est.group is None and est.median_months is None and est.band is None
    assert est.missing == INPUTS
    assert est.inputs == {}


def test_teachh_unknown_inputs_widen_range_and_are_named() -> None:
    est = score_teachh(primary_group="breast", ecog=1, age=55, hepatic_metastases=False)
    assert (est.score.minimum, est.score.maximum) == (0, 2)
    assert est.group is None
    assert est.missing == ("prior_palliative_chemo_courses", "hospitalised_last_3_months")
    assert est.score.missing == est.missing


def test_teachh_partial_but_group_determined() -> None:
    # 5 known points: group C whatever the unknown hepatic status.
    est = score_teachh(
        primary_group="lung",
        ecog=3,
        age=75,
        prior_palliative_chemo_courses=4,
        hospitalised_last_3_months=True,
    )
    assert (est.score.minimum, est.score.maximum) == (5, 6)
    assert (est.group, est.median_months, est.band) == ("C", 1.7, "short")
    assert est.missing == ("hepatic_metastases",)


def test_teachh_unknown_is_not_false() -> None:
    # Unknown hospitalisation must not be scored like "not hospitalised".
    unknown = score_teachh(**{**BASE, "hospitalised_last_3_months": None, "age": 70})
    assert unknown.score.total is None
    assert (unknown.score.minimum, unknown.score.maximum) == (1, 2)
    assert unknown.group is None


@pytest.mark.parametrize(
    ("histology", "group"),
    [
        ("breast", "breast"),
        ("prostate", "prostate"),
        ("lung", "lung"),
        ("lung-nsclc", "lung"),
        ("lung-sclc", "lung"),
        ("unknown", None),
        ("kidney", "other"),
        ("myeloma", "other"),
        ("melanoma", "other"),
        ("other", "other"),
    ],
)
def test_teachh_primary_group(histology: str, group: str | None) -> None:
    assert teachh_primary_group(histology) == group


def test_teachh_primary_group_rejects_unknown_code() -> None:
    with pytest.raises(ValueError, match="histology"):
        teachh_primary_group("brest")


@pytest.mark.parametrize(
    "changes",
    [
        {"primary_group": "kidney"},
        {"ecog": 5},
        {"ecog": -1},
        {"ecog": True},
        {"age": -1},
        {"prior_palliative_chemo_courses": -1},
        {"hospitalised_last_3_months": "yes"},
        {"hepatic_metastases": 1},
    ],
)
def test_teachh_rejects_invalid_inputs(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        score_teachh(**{**BASE, **changes})


# Completion domains cover every point class and boundary of each input.
DOMAINS: dict[str, list[Any]] = {
    "primary_group": ["breast", "prostate", "lung", "other"],
    "ecog": [0, 1, 2, 4],
    "age": [60, 61],
    "prior_palliative_chemo_courses": [0, 1, 2, 3],
    "hospitalised_last_3_months": [False, True],
    "hepatic_metastases": [False, True],
}
partial_teachh = st.fixed_dictionaries({k: st.none() | st.sampled_from(v) for k, v in DOMAINS.items()})


@settings(max_examples=100, deadline=None)
@given(partial_teachh)
def test_teachh_range_contains_every_completion(inputs: dict[str, Any]) -> None:
    est = score_teachh(**inputs)
    unknown = [k for k in INPUTS if inputs[k] is None]
    assert est.missing == tuple(unknown)
    for fill in itertools.product(*(DOMAINS[k] for k in unknown)):
        done = score_teachh(**{**inputs, **dict(zip(unknown, fill, strict=True))})
        assert est.score.minimum <= done.score.minimum <= done.score.maximum <= est.score.maximum
        assert set(done.score.bands) <= set(est.score.bands)
        if est.group is not None:
            assert done.group == est.group
            assert done.band == est.band
