"""SINS (Fisher 2010): decision-criteria.md §2, table 'SINS — Spinal Instability Neoplastic Score'."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.anatomy import VERTEBRAE
from cds.scores.sins import (
    COMPONENTS,
    SINS_POINTS,
    score_sins,
    sins_band,
    sins_location_for_level,
    sins_location_for_levels,
    sins_points,
)

# Every row of the table, as (component, answer, points).
TABLE_ROWS = [
    ("location", "junctional", 3),
    ("location", "mobile", 2),
    ("location", "semi-rigid", 1),
    ("location", "rigid", 0),
    ("pain", "mechanical", 3),
    ("pain", "occasional", 1),
    ("pain", "pain-free", 0),
    ("bone_lesion", "lytic", 2),
    ("bone_lesion", "mixed", 1),
    ("bone_lesion", "blastic", 0),
    ("alignment", "subluxation", 4),
    ("alignment", "deformity", 2),
    ("alignment", "normal", 0),
    ("collapse", "collapse-50-or-more", 3),
    ("collapse", "collapse-under-50", 2),
    ("collapse", "no-collapse-over-50-involved", 1),
    ("collapse", "none", 0),
    ("posterolateral", "bilateral", 3),
    ("posterolateral", "unilateral", 1),
    ("posterolateral", "none", 0),
]


@pytest.mark.parametrize(
    ("component", "answer", "points"), TABLE_ROWS, ids=[f"{c}:{a}={p}" for c, a, p in TABLE_ROWS]
)
def test_sins_table_row_points(component: str, answer: str, points: int) -> None:
    assert sins_points(component, answer) == points


def test_sins_table_has_exactly_the_documented_rows() -> None:
    assert {(c, a) for c, a, _ in TABLE_ROWS} == {(c, a) for c in SINS_POINTS for a in SINS_POINTS[c]}


@pytest.mark.parametrize(
    ("component", "answer"),
    [("location", "lumbar"), ("pain", "severe"), ("colour", "red"), ("collapse", None)],
)
def test_sins_points_rejects_unknown_component_or_answer(component: str, answer: str) -> None:
    with pytest.raises(ValueError, match="SINS"):
        sins_points(component, answer)


# Location row: junctional (occiput–C2, C7–T2, T11–L1, L5–S1); mobile (C3–C6, L2–L4);
# semi-rigid (T3–T10); rigid (S2–S5).
EXPECTED_LOCATION = {
    **dict.fromkeys(["C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"], "junctional"),
    **dict.fromkeys(["C3", "C4", "C5", "C6", "L2", "L3", "L4"], "mobile"),
    **dict.fromkeys([f"T{i}" for i in range(3, 11)], "semi-rigid"),
    **dict.fromkeys(["S2", "S3", "S4", "S5"], "rigid"),
}


def test_sins_location_table_covers_every_vertebra() -> None:
    assert set(EXPECTED_LOCATION) == set(VERTEBRAE)


@pytest.mark.parametrize("level", VERTEBRAE)
def test_sins_location_row_for_each_level(level: str) -> None:
    assert sins_location_for_level(level) == EXPECTED_LOCATION[level]


@pytest.mark.parametrize(
    ("level", "location"),
    [
        ("C2", "junctional"),
        ("C3", "mobile"),
        ("C6", "mobile"),
        ("C7", "junctional"),
        ("T2", "junctional"),
        ("T3", "semi-rigid"),
        ("T10", "semi-rigid"),
        ("T11", "junctional"),
        ("L1", "junctional"),
        ("L2", "mobile"),
        ("L4", "mobile"),
        ("L5", "junctional"),
        ("S1", "junctional"),
        ("S2", "rigid"),
    ],
)
def test_sins_location_row_boundaries(level: str, location: str) -> None:
    assert sins_location_for_level(level) == location


@pytest.mark.parametrize("level", ["occiput", "Occiput", "C0", " t12 "])
def test_sins_location_accepts_occiput_and_normalises_case(level: str) -> None:
    assert sins_location_for_level(level) == "junctional"


@pytest.mark.parametrize("level", ["T13", "L6", "lumbar spine", "", "Co1"])
def test_sins_location_rejects_unknown_level(level: str) -> None:
    with pytest.raises(ValueError, match="vertebral level"):
        sins_location_for_level(level)


@pytest.mark.parametrize(
    ("levels", "location"),
    [
        (["T4", "T5"], "semi-rigid"),
        (["T10", "T11"], "junctional"),
        (["L4", "L3"], "mobile"),
        (["T10", "L2"], "mobile"),
        (["S2", "S1"], "junctional"),
        (["S3", "S4"], "rigid"),
    ],
)
def test_sins_location_multilevel_takes_highest_scoring(levels: list[str], location: str) -> None:
    assert sins_location_for_levels(levels) == location


def test_sins_location_multilevel_needs_a_level() -> None:
    with pytest.raises(ValueError):
        sins_location_for_levels([])


# Bands: 0–6 stable, 7–12 indeterminate, 13–18 unstable.
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "stable"),
        (6, "stable"),
        (7, "indeterminate"),
        (12, "indeterminate"),
        (13, "unstable"),
        (18, "unstable"),
    ],
)
def test_sins_band_boundaries(total: int, band: str) -> None:
    assert sins_band(total) == band


def test_sins_band_every_total() -> None:
    bands = [sins_band(t) for t in range(19)]
    assert bands == ["stable"] * 7 + ["indeterminate"] * 6 + ["unstable"] * 6


@pytest.mark.parametrize("total", [-1, 19, True, 7.0])
def test_sins_band_rejects_out_of_range(total: int) -> None:
    with pytest.raises(ValueError):
        sins_band(total)


def test_score_sins_all_components_known() -> None:
    est = score_sins(
        location="junctional",
        pain="mechanical",
        bone_lesion="lytic",
        alignment="normal",
        collapse="collapse-under-50",
        posterolateral="unilateral",
    )
    assert est.name == "SINS"
    assert est.total == 11
    assert (est.minimum, est.maximum) == (11, 11)
    assert est.band == "indeterminate"
    assert est.bands == ("indeterminate",)
    assert est.missing == ()
    assert est.origin == "derived"
    assert est.points == {
        "location": 3,
        "pain": 3,
        "bone_lesion": 2,
        "alignment": 0,
        "collapse": 2,
        "posterolateral": 1,
    }
    assert est.components["collapse"] == "collapse-under-50"


def test_score_sins_minimum_and_maximum_totals() -> None:
    low = score_sins(
        location="rigid",
        pain="pain-free",
        bone_lesion="blastic",
        alignment="normal",
        collapse="none",
        posterolateral="none",
    )
    high = score_sins(
        location="junctional",
        pain="mechanical",
        bone_lesion="lytic",
        alignment="subluxation",
        collapse="collapse-50-or-more",
        posterolateral="bilateral",
    )
    assert (low.total, low.band) == (0, "stable")
    assert (high.total, high.band) == (18, "unstable")


def test_score_sins_nothing_known_spans_every_band() -> None:
    est = score_sins()
    assert est.total is None
    assert (est.minimum, est.maximum) == (0, 18)
    assert est.band is None
    assert est.bands == ("stable", "indeterminate", "unstable")
    assert est.missing == COMPONENTS
    assert est.components == {} and est.points == {}


def test_score_sins_missing_component_is_not_zero() -> None:
    # Known 5; an undocumented alignment could add 0, 2 or 4 -> 5, 7 or 9.
    est = score_sins(
        location="junctional", pain="pain-free", bone_lesion="lytic", collapse="none", posterolateral="none"
    )
    assert est.total is None
    assert (est.minimum, est.maximum) == (5, 9)
    assert est.band is None
    assert est.bands == ("stable", "indeterminate")
    assert est.missing == ("alignment",)
    assert "alignment" not in est.points


def test_score_sins_partial_but_band_determined() -> None:
    # 3+3+2+4+2 = 14 known; posterolateral adds 0, 1 or 3 -> 14–17, all unstable.
    est = score_sins(
        location="junctional",
        pain="mechanical",
        bone_lesion="lytic",
        alignment="subluxation",
        collapse="collapse-under-50",
    )
    assert (est.minimum, est.maximum) == (14, 17)
    assert est.band == "unstable"
    assert est.bands == ("unstable",)
    assert est.missing == ("posterolateral",)


def test_score_sins_partial_stable_band_determined() -> None:
    # rigid 0 + pain-free 0 + blastic 0 + normal 0; collapse (0–3) + posterolateral (0–3) <= 6.
    est = score_sins(location="rigid", pain="pain-free", bone_lesion="blastic", alignment="normal")
    assert (est.minimum, est.maximum) == (0, 6)
    assert est.band == "stable"
    assert est.missing == ("collapse", "posterolateral")


def test_score_sins_documented_total_wins() -> None:
    est = score_sins(total=8)
    assert est.total == 8
    assert (est.minimum, est.maximum) == (8, 8)
    assert est.band == "indeterminate"
    assert est.bands == ("indeterminate",)
    assert est.missing == ()
    assert est.note is None
    assert est.origin == "documented"


def test_score_sins_documented_total_disagreeing_with_components_is_kept_with_note() -> None:
    est = score_sins(
        total=5,
        location="junctional",
        pain="mechanical",
        bone_lesion="lytic",
        alignment="normal",
        collapse="none",
        posterolateral="none",
    )
    assert est.total == 5
    assert est.band == "stable"
    assert est.note is not None and "disagrees" in est.note and "8" in est.note
    assert est.points["location"] == 3


def test_score_sins_documented_total_agreeing_with_components_has_no_note() -> None:
    est = score_sins(
        total=8,
        location="junctional",
        pain="mechanical",
        bone_lesion="lytic",
        alignment="normal",
        collapse="none",
        posterolateral="none",
    )
    assert est.note is None


def test_score_sins_documented_total_outside_partial_component_range_gets_note() -> None:
    est = score_sins(total=2, pain="mechanical", alignment="subluxation")
    assert est.total == 2
    assert est.note is not None and "7–18" in est.note


@pytest.mark.parametrize("total", [-1, 19, 3.5, True])
def test_score_sins_rejects_documented_total_out_of_range(total: int) -> None:
    with pytest.raises(ValueError):
        score_sins(total=total)


def test_score_sins_rejects_unknown_answer_even_with_total() -> None:
    with pytest.raises(ValueError, match="pain"):
        score_sins(total=7, pain="severe")


def test_sins_band_threshold_7_from_components() -> None:
    # SINS >= 7 -> surgical consultation: 6 vs 7 must fall on different sides.
    six = score_sins(
        location="junctional",
        pain="mechanical",
        bone_lesion="blastic",
        alignment="normal",
        collapse="none",
        posterolateral="none",
    )
    seven = score_sins(
        location="junctional",
        pain="mechanical",
        bone_lesion="blastic",
        alignment="normal",
        collapse="no-collapse-over-50-involved",
        posterolateral="none",
    )
    assert (six.total, six.band) == (6, "stable")
    assert (seven.total, seven.band) == (7, "indeterminate")


partial_sins = st.fixed_dictionaries(
    {c: st.none() | st.sampled_from(sorted(SINS_POINTS[c])) for c in COMPONENTS}
)


@settings(max_examples=200, deadline=None)
@given(partial_sins)
def test_sins_range_contains_every_completion(answers: dict[str, str | None]) -> None:
    est = score_sins(**answers)
    unknown = [c for c in COMPONENTS if answers[c] is None]
    assert est.missing == tuple(unknown)
    for fill in itertools.product(*(sorted(SINS_POINTS[c]) for c in unknown)):
        complete = {**answers, **dict(zip(unknown, fill, strict=True))}
        total = sum(sins_points(c, a) for c, a in complete.items())
        assert est.minimum <= total <= est.maximum
        assert sins_band(total) in est.bands
        if est.band is not None:
            assert sins_band(total) == est.band
