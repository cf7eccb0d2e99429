"""TEACHH survival model (Krishnan 2014)."""

from __future__ import annotations

from typing import Final, Literal, cast

from cds.scores._histology import LUNG, check_histology
from cds.scores._range import check_bool, check_int, estimate
from cds.scores.survival import survival_band
from cds.state import SurvivalEstimate

CITATION: Final = "krishnan2014"

TeachhGroup = Literal["A", "B", "C"]
PRIMARY_GROUPS: Final = ("breast", "prostate", "lung", "other")
INPUTS: Final = (
    "primary_group",
    "ecog",
    "age",
    "prior_palliative_chemo_courses",
    "hospitalised_last_3_months",
    "hepatic_metastases",
)
GROUPS: Final[tuple[TeachhGroup, ...]] = ("A", "B", "C")
_ZERO_OR_ONE: Final = frozenset({0, 1})
MEDIAN_MONTHS: Final[dict[TeachhGroup, float]] = {"A": 19.9, "B": 5.0, "C": 1.7}

CHEMO_CUTOFF_NOTE: Final = (
    "2 prior palliative chemotherapy courses: the TEACHH cut-off is uncertain (abstract ≥ 2, table > 2), "
    "so that point is counted as 0 or 1 — needs clinical review."
)


def teachh_primary_group(histology: str) -> str | None:
    """Project histology code -> TEACHH primary group; None when the primary is unknown."""
    code = check_histology(histology)
    if code == "unknown":
        return None
    if code in ("breast", "prostate"):
        return code
    if code in LUNG:
        return "lung"
    return "other"


def teachh_group(total: int) -> TeachhGroup:
    """0–1 -> A, 2–4 -> B, 5–6 -> C."""
    check_int("TEACHH total", total, 0, 6)
    if total <= 1:
        return "A"
    if total <= 4:
        return "B"
    return "C"


def _point(condition: bool) -> frozenset[int]:
    return frozenset({int(condition)})


def _chemo_points(courses: int) -> frozenset[int]:
    check_int("prior palliative chemotherapy courses", courses, lo=0)
    if courses >= 3:
        return _point(True)
    if courses == 2:
        return _ZERO_OR_ONE
    return _point(False)


def score_teachh(
    *,
    primary_group: str | None = None,
    ecog: int | None = None,
    age: int | None = None,
    prior_palliative_chemo_courses: int | None = None,
    hospitalised_last_3_months: bool | None = None,
    hepatic_metastases: bool | None = None,
) -> SurvivalEstimate:
    """TEACHH with range semantics: an unknown input may or may not earn its point."""
    inputs = {
        "primary_group": primary_group,
        "ecog": ecog,
        "age": age,
        "prior_palliative_chemo_courses": prior_palliative_chemo_courses,
        "hospitalised_last_3_months": hospitalised_last_3_months,
        "hepatic_metastases": hepatic_metastases,
    }
    possible: dict[str, frozenset[int]] = {}
    if primary_group is not None:
        if primary_group not in PRIMARY_GROUPS:
            raise ValueError(
                f"TEACHH primary_group must be one of {', '.join(PRIMARY_GROUPS)}, got {primary_group!r}"
            )
        possible["primary_group"] = _point(primary_group in ("lung", "other"))
    if ecog is not None:
        # ECOG 5 is death; the model does not apply.
        possible["ecog"] = _point(check_int("ECOG", ecog, 0, 4) >= 2)
    if age is not None:
        possible["age"] = _point(check_int("age", age, lo=0) > 60)
    if prior_palliative_chemo_courses is not None:
        possible["prior_palliative_chemo_courses"] = _chemo_points(prior_palliative_chemo_courses)
    for name in ("hospitalised_last_3_months", "hepatic_metastases"):
        if inputs[name] is not None:
            possible[name] = _point(check_bool(name, inputs[name]))

    missing = tuple(name for name in INPUTS if inputs[name] is None)
    known = {k: next(iter(v)) for k, v in possible.items() if len(v) == 1}
    open_options = {k: v for k, v in possible.items() if len(v) > 1} | dict.fromkeys(missing, _ZERO_OR_ONE)
    score = estimate(
        name="TEACHH",
        known=known,
        open_options=open_options,
        missing=missing,
        components={k: v for k, v in inputs.items() if v is not None},
        band_of=teachh_group,
        band_order=GROUPS,
        note=CHEMO_CUTOFF_NOTE if prior_palliative_chemo_courses == 2 else None,
    )
    group = cast("TeachhGroup | None", score.band)
    median = MEDIAN_MONTHS[group] if group is not None else None
    return SurvivalEstimate(
        model="teachh",
        score=score,
        group=group,
        median_months=median,
        band=survival_band(median) if median is not None else None,
        inputs=score.components,
        missing=missing,
        citation=CITATION,
    )
