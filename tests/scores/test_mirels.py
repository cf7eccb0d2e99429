"""Mirels score (Mirels 1989): decision-criteria.md §2, 'Mirels score — long-bone impending fracture'."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.scores.mirels import (
    COMPONENTS,
    MIRELS_POINTS,
    mirels_band,
    mirels_points,
    mirels_site_for_bone,
    mirels_site_options,
    painful_from_mirels_pain,
    score_mirels,
)

TABLE_ROWS = [
    ("site", "upper-limb", 1),
    ("site", "lower-limb", 2),
    ("site", "peritrochanteric", 3),
    ("pain", "mild", 1),
    ("pain", "moderate", 2),
    ("pain", "functional", 3),
    ("lesion", "blastic", 1),
    ("lesion", "mixed", 2),
    ("lesion", "lytic", 3),
    ("size", "under-one-third", 1),
    ("size", "one-to-two-thirds", 2),
    ("size", "over-two-thirds", 3),
]


@pytest.mark.parametrize(
    ("component", "answer", "points"), TABLE_ROWS, ids=[f"{c}:{a}={p}" for c, a, p in TABLE_ROWS]
)
def test_mirels_table_row_points(component: str, answer: str, points: int) -> None:
    assert mirels_points(component, answer) == points


def test_mirels_table_has_exactly_the_documented_rows() -> None:
    assert {(c, a) for c, a, _ in TABLE_ROWS} == {(c, a) for c in MIRELS_POINTS for a in MIRELS_POINTS[c]}


@pytest.mark.parametrize(
    ("component", "answer"), [("site", "spine"), ("pain", "severe"), ("cortex", "lytic")]
)
def test_mirels_points_rejects_unknown(component: str, answer: str) -> None:
    with pytest.raises(ValueError, match="Mirels"):
        mirels_points(component, answer)


# Bands: <= 7 RT and observe; 8 clinical judgement; >= 9 prophylactic fixation.
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "low-risk"),
        (7, "low-risk"),
        (8, "borderline"),
        (9, "high-risk"),
        (12, "high-risk"),
    ],
)
def test_mirels_band_boundaries(total: int, band: str) -> None:
    assert mirels_band(total) == band


@pytest.mark.parametrize("total", [3, 13, 0, True])
def test_mirels_band_rejects_out_of_range(total: int) -> None:
    with pytest.raises(ValueError):
        mirels_band(total)


@pytest.mark.parametrize(
    ("bone", "site"),
    [
        ("humerus", "upper-limb"),
        ("left humerus", "upper-limb"),
        ("radius", "upper-limb"),
        ("ulna", "upper-limb"),
        ("femur", None),
        ("left femur", None),
        ("right femoral shaft", "lower-limb"),
        ("left humeral head", "upper-limb"),
        ("proximal humerus", "upper-limb"),
        ("tibia", "lower-limb"),
        ("fibula", "lower-limb"),
        ("femoral head", "peritrochanteric"),
        ("left femoral neck", "peritrochanteric"),
        ("Right Femoral Neck", "peritrochanteric"),
        ("rib", None),
        ("pelvis", None),
        ("acetabulum", None),
        ("scapula", None),
        ("sacrum", None),
    ],
)
def test_mirels_site_for_bone(bone: str, site: str | None) -> None:
    assert mirels_site_for_bone(bone) == site


def test_score_mirels_all_known() -> None:
    est = score_mirels(site="peritrochanteric", pain="functional", lesion="lytic", size="over-two-thirds")
    assert est.name == "Mirels"
    assert (est.total, est.minimum, est.maximum) == (12, 12, 12)
    assert est.band == "high-risk"
    assert est.points == {"site": 3, "pain": 3, "lesion": 3, "size": 3}
    assert est.missing == ()


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (
            {"site": "upper-limb", "pain": "mild", "lesion": "blastic", "size": "under-one-third"},
            4,
            "low-risk",
        ),
        (
            {"site": "lower-limb", "pain": "moderate", "lesion": "mixed", "size": "under-one-third"},
            7,
            "low-risk",
        ),
        (
            {"site": "lower-limb", "pain": "moderate", "lesion": "mixed", "size": "one-to-two-thirds"},
            8,
            "borderline",
        ),
        (
            {"site": "lower-limb", "pain": "moderate", "lesion": "lytic", "size": "one-to-two-thirds"},
            9,
            "high-risk",
        ),
    ],
)
def test_score_mirels_band_boundaries_from_components(answers: dict[str, str], total: int, band: str) -> None:
    est = score_mirels(**answers)
    assert (est.total, est.band) == (total, band)


def test_score_mirels_nothing_known() -> None:
    est = score_mirels()
    assert (est.total, est.minimum, est.maximum) == (None, 4, 12)
    assert est.band is None
    assert est.bands == ("low-risk", "borderline", "high-risk")
    assert est.missing == COMPONENTS


def test_score_mirels_missing_pain_spans_borderline() -> None:
    # 2 + 2 + 2 = 6 known; pain 1–3 -> 7, 8 or 9.
    est = score_mirels(site="lower-limb", lesion="mixed", size="one-to-two-thirds")
    assert (est.minimum, est.maximum) == (7, 9)
    assert est.band is None
    assert est.bands == ("low-risk", "borderline", "high-risk")
    assert est.missing == ("pain",)


def test_score_mirels_partial_already_high_risk() -> None:
    est = score_mirels(site="peritrochanteric", lesion="lytic", size="over-two-thirds")
    assert (est.minimum, est.maximum) == (10, 12)
    assert est.band == "high-risk"


def test_score_mirels_documented_total() -> None:
    est = score_mirels(total=8)
    assert (est.total, est.band, est.missing) == (8, "borderline", ())
    assert est.origin == "documented"


def test_score_mirels_documented_total_conflict_note() -> None:
    est = score_mirels(
        total=4, site="peritrochanteric", pain="functional", lesion="lytic", size="over-two-thirds"
    )
    assert est.total == 4
    assert est.note is not None and "12" in est.note


@pytest.mark.parametrize("total", [3, 13, 8.0])
def test_score_mirels_rejects_total_out_of_range(total: int) -> None:
    with pytest.raises(ValueError):
        score_mirels(total=total)


partial_mirels = st.fixed_dictionaries(
    {c: st.none() | st.sampled_from(sorted(MIRELS_POINTS[c])) for c in COMPONENTS}
)


@settings(max_examples=200, deadline=None)
@given(partial_mirels)
def test_mirels_range_contains_every_completion(answers: dict[str, str | None]) -> None:
    est = score_mirels(**answers)
    unknown = [c for c in COMPONENTS if answers[c] is None]
    assert est.missing == tuple(unknown)
    for fill in itertools.product(*(sorted(MIRELS_POINTS[c]) for c in unknown)):
        complete = {**answers, **dict(zip(unknown, fill, strict=True))}
        total = sum(mirels_points(c, a) for c, a in complete.items())
        assert est.minimum <= total <= est.maximum
        assert mirels_band(total) in est.bands
        if est.band is not None:
            assert mirels_band(total) == est.band


def test_mirels_site_for_bone_rejects_non_string() -> None:
    with pytest.raises(ValueError):
        mirels_site_for_bone(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bone", "options"),
    [
        ("left femur", ("lower-limb", "peritrochanteric")),
        ("femoral shaft", ("lower-limb",)),
        ("right femoral neck", ("peritrochanteric",)),
        ("femoral head", ("peritrochanteric",)),
        ("humerus", ("upper-limb",)),
        ("pelvis", ()),
    ],
)
def test_mirels_site_options(bone: str, options: tuple[str, ...]) -> None:
    assert mirels_site_options(bone) == options


def test_a_bare_femur_is_a_range_not_a_non_proximal_lower_limb() -> None:
    # functional 3 + lytic 3 + 1/3–2/3 cortex 2 = 8, plus 2 (shaft) or 3 (peritrochanteric): 10 or 11,
    # never the upper limb's 1.
    est = score_mirels(pain="functional", lesion="lytic", size="one-to-two-thirds",
                       site_options=mirels_site_options("left femur"))
    assert (est.total, est.minimum, est.maximum) == (None, 10, 11)
    assert est.missing == ("site",)
    # Where it flips the band: mild 1 + mixed 2 + < 1/3 1 = 4, plus 2 or 3 → 6 or 7 (low risk either way);
    # moderate 2 + mixed 2 + 1/3–2/3 2 = 6, plus 2 or 3 → 8 (borderline) or 9 (fixation).
    flips = score_mirels(pain="moderate", lesion="mixed", size="one-to-two-thirds",
                         site_options=mirels_site_options("femur"))
    assert (flips.minimum, flips.maximum, flips.band) == (8, 9, None)
    assert flips.bands == ("borderline", "high-risk")


def test_site_options_are_ignored_when_the_site_is_documented() -> None:
    est = score_mirels(site="lower-limb", pain="moderate", lesion="mixed", size="one-to-two-thirds",
                       site_options=("lower-limb", "peritrochanteric"))
    assert (est.total, est.band) == (8, "borderline")


@pytest.mark.parametrize(("answer", "painful"), [("mild", None), ("moderate", True), ("functional", True)])
def test_mirels_mild_pain_does_not_make_a_lesion_painful(answer: str, painful: bool | None) -> None:
    assert painful_from_mirels_pain(answer) is painful


def test_painful_from_mirels_pain_rejects_unknown_answers() -> None:
    with pytest.raises(ValueError, match="Mirels"):
        painful_from_mirels_pain("severe")
