"""Chow 3-variable survival model (Chow 2008)."""

from __future__ import annotations

from typing import Final, Literal, cast

from cds.scores._histology import check_histology
from cds.scores._range import check_bool, check_int, estimate
from cds.scores.survival import decision_threshold_at, survival_band
from cds.state import SurvivalEstimate

CITATION: Final = "chow2008"

ChowGroup = Literal["A", "B", "C"]
INPUTS: Final = ("non_breast_primary", "metastases_beyond_bone", "kps_60_or_less")
GROUPS: Final[tuple[ChowGroup, ...]] = ("A", "B", "C")
_ZERO_OR_ONE: Final = frozenset({0, 1})
MEDIAN_MONTHS: Final[dict[ChowGroup, float]] = {"A": 35.0, "B": 10.0, "C": 3.0}
NOTE: Final = (
    "Chow medians (about 35 / 10 / 3 months for 0–1 / 2 / 3 risk factors, bone-metastasis cohort) are "
    "from secondary sources (◐) — needs clinical review; group C's ~3 months sits on the "
    "short/intermediate band boundary."
)


def on_threshold_note(group: str, median: float, threshold: float) -> str:
    return (f"Chow group {group}'s median (about {median:g} months) lies on the {threshold:g}-month "
            f"decision threshold: it places the patient on neither side, so no survival band or point "
            f"estimate is taken from it (a ≥ {threshold:g}-month check is not met by rounding) — "
            f"document the clinician's estimate.")


def chow_non_breast_primary(histology: str) -> bool | None:
    """Project histology code -> the 'non-breast primary' risk factor; None when unknown."""
    code = check_histology(histology)
    if code == "unknown":
        return None
    return code != "breast"


def chow_group(risk_factors: int) -> ChowGroup:
    """0–1 risk factors -> A, 2 -> B, 3 -> C."""
    check_int("Chow risk factors", risk_factors, 0, 3)
    return "A" if risk_factors <= 1 else ("B" if risk_factors == 2 else "C")


def score_chow(
    *,
    non_breast_primary: bool | None = None,
    metastases_beyond_bone: bool | None = None,
    kps_60_or_less: bool | None = None,
) -> SurvivalEstimate:
    """Number of risk factors (range when some are unknown) and the survival group it implies."""
    inputs = {
        "non_breast_primary": non_breast_primary,
        "metastases_beyond_bone": metastases_beyond_bone,
        "kps_60_or_less": kps_60_or_less,
    }
    known = {k: int(check_bool(k, v)) for k, v in inputs.items() if v is not None}
    missing = tuple(k for k in INPUTS if inputs[k] is None)
    score = estimate(
        name="Chow",
        known=known,
        open_options=dict.fromkeys(missing, _ZERO_OR_ONE),
        missing=missing,
        components={k: v for k, v in inputs.items() if v is not None},
        band_of=chow_group,
        band_order=GROUPS,
        note=NOTE,
    )
    group = cast("ChowGroup | None", score.band)
    median = MEDIAN_MONTHS[group] if group is not None else None
    band = survival_band(median) if median is not None else None
    threshold = decision_threshold_at(median) if median is not None else None
    if group is not None and median is not None and threshold is not None:
        band = None
        score = score.model_copy(update={"note": f"{NOTE} {on_threshold_note(group, median, threshold)}"})
    return SurvivalEstimate(
        model="chow",
        score=score,
        group=group,
        median_months=median,
        band=band,
        inputs=score.components,
        missing=missing,
        citation=CITATION,
    )
