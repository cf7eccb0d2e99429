"""Chow 3-variable model (Chow 2008): decision-criteria.md §2, 'Prognosis', Chow bullet."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cds.scores.chow import INPUTS, chow_group, chow_non_breast_primary, score_chow


@pytest.mark.parametrize(
    ("factors", "group"), [(0, "A"), (1, "A"), (2, "B"), (3, "C")], ids=["0->A", "1->A", "2->B", "3->C"]
)
def test_chow_group_row(factors: int, group: str) -> None:
    assert chow_group(factors) == group


@pytest.mark.parametrize("factors", [-1, 4, True])
def test_chow_group_rejects_invalid(factors: int) -> None:
    with pytest.raises(ValueError):
        chow_group(factors)


# 0–1 / 2 / 3 risk factors -> about 35 / 10 / 3 months.
@pytest.mark.parametrize(
    ("flags", "total", "group", "median", "band"),
    [
        ((False, False, False), 0, "A", 35.0, "long"),
        ((True, False, False), 1, "A", 35.0, "long"),
        ((False, True, False), 1, "A", 35.0, "long"),
        ((False, False, True), 1, "A", 35.0, "long"),
        ((True, True, False), 2, "B", 10.0, "intermediate"),
        ((True, False, True), 2, "B", 10.0, "intermediate"),
        ((False, True, True), 2, "B", 10.0, "intermediate"),
        # ~3 months lies on the 3-month threshold: no band, neither short nor intermediate.
        ((True, True, True), 3, "C", 3.0, None),
    ],
)
def test_chow_row(flags: tuple[bool, bool, bool], total: int, group: str, median: float, band: str | None) -> None:
    est = score_chow(non_breast_primary=flags[0], metastases_beyond_bone=flags[1], kps_60_or_less=flags[2])
    assert est.model == "chow"
    assert est.citation == "chow2008"
    assert est.score.total == total
    assert est.score.points == dict(zip(INPUTS, map(int, flags), strict=True))
    assert (est.group, est.median_months, est.band) == (group, median, band)
    assert est.missing == ()


def test_chow_group_c_on_the_three_month_threshold_gives_no_band_and_says_why() -> None:
    est = score_chow(non_breast_primary=True, metastases_beyond_bone=True, kps_60_or_less=True)
    assert (est.group, est.median_months, est.band) == ("C", 3.0, None)
    note = est.score.note or ""
    assert "3-month decision threshold" in note and "neither side" in note


def test_chow_groups_off_a_threshold_keep_their_band() -> None:
    est = score_chow(non_breast_primary=True, metastases_beyond_bone=True, kps_60_or_less=False)
    assert est.band == "intermediate"
    assert "decision threshold:" not in (est.score.note or "")


def test_chow_medians_flagged_for_review() -> None:
    note = score_chow(non_breast_primary=False, metastases_beyond_bone=False, kps_60_or_less=False).score.note
    assert note is not None and "◐" in note


def test_chow_nothing_known() -> None:
    est = score_chow()
    assert (est.score.minimum, est.score.maximum) == (0, 3)
    assert est.group is None and est.median_months is None and est.band is None
    assert est.missing == INPUTS


def test_chow_one_unknown_with_no_known_factor_still_group_a() -> None:
    est = score_chow(non_breast_primary=False, metastases_beyond_bone=False)
    assert (est.score.minimum, est.score.maximum) == (0, 1)
    assert (est.group, est.median_months, est.band) == ("A", 35.0, "long")
    assert est.missing == ("kps_60_or_less",)


def test_chow_unknown_is_not_false() -> None:
    est = score_chow(non_breast_primary=True, metastases_beyond_bone=True)
    assert (est.score.minimum, est.score.maximum) == (2, 3)
    assert est.group is None
    assert est.score.bands == ("B", "C")


@pytest.mark.parametrize(
    ("histology", "expected"),
    [("breast", False), ("prostate", True), ("lung-nsclc", True), ("other", True), ("unknown", None)],
)
def test_chow_non_breast_primary(histology: str, expected: bool | None) -> None:
    assert chow_non_breast_primary(histology) is expected


def test_chow_rejects_non_bool() -> None:
    with pytest.raises(ValueError):
        score_chow(kps_60_or_less=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="histology"):
        chow_non_breast_primary("Breast")


@given(st.tuples(*(st.none() | st.booleans() for _ in INPUTS)))
def test_chow_range_contains_every_completion(flags: tuple[bool | None, ...]) -> None:
    est = score_chow(**dict(zip(INPUTS, flags, strict=True)))
    unknown = [i for i, f in enumerate(flags) if f is None]
    assert est.missing == tuple(INPUTS[i] for i in unknown)
    for fill in itertools.product([False, True], repeat=len(unknown)):
        done = list(flags)
        for i, value in zip(unknown, fill, strict=True):
            done[i] = value
        total = sum(map(int, done))  # type: ignore[arg-type]
        assert est.score.minimum <= total <= est.score.maximum
        assert chow_group(total) in est.score.bands
        if est.group is not None:
            assert chow_group(total) == est.group
