"""Shared machinery for additive scores whose components may be undocumented.

An undocumented component is not zero: it may take any of its values, so the score is the
set of totals every completion could reach. We enumerate that set exactly (the tables are
tiny) rather than using [min, max], so a band is reported only when every reachable total
falls into it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from cds.state import Origin, ScoreEstimate

PointTable = Mapping[str, Mapping[str, int]]


def table_points(score: str, table: PointTable, component: str, answer: str) -> int:
    """Points for one answer of one component, with a readable error for anything unknown."""
    if component not in table:
        raise ValueError(f"{score}: unknown component {component!r}; expected one of {', '.join(table)}")
    answers = table[component]
    if not isinstance(answer, str) or answer not in answers:
        raise ValueError(
            f"{score} {component}: unknown answer {answer!r}; expected one of {', '.join(answers)}"
        )
    return answers[answer]


def reachable_totals(options: Iterable[Collection[int]]) -> frozenset[int]:
    """Every sum obtainable by picking one value from each option set."""
    totals = {0}
    for values in options:
        totals = {t + v for t in totals for v in values}
    return frozenset(totals)


def ordered_bands(
    totals: Iterable[int], band_of: Callable[[int], str], order: Sequence[str]
) -> tuple[str, ...]:
    found = {band_of(t) for t in totals}
    return tuple(b for b in order if b in found)


def estimate(
    *,
    name: str,
    known: Mapping[str, int],
    open_options: Mapping[str, Collection[int]],
    missing: Sequence[str],
    components: Mapping[str, Any],
    band_of: Callable[[int], str],
    band_order: Sequence[str],
    note: str | None = None,
) -> ScoreEstimate:
    """Build a ScoreEstimate from known points and the possible points of open components.

    ``open_options`` holds every component whose points are not fixed: missing inputs and
    documented inputs whose points are uncertain (e.g. a disputed cut-off).
    """
    totals = reachable_totals([{p} for p in known.values()] + [set(v) for v in open_options.values()])
    bands = ordered_bands(totals, band_of, band_order)
    return ScoreEstimate(
        name=name,
        total=next(iter(totals)) if len(totals) == 1 and not open_options else None,
        minimum=min(totals),
        maximum=max(totals),
        band=bands[0] if len(bands) == 1 else None,
        bands=bands,
        components=dict(components),
        points=dict(known),
        missing=tuple(missing),
        origin="derived",
        note=note,
    )


def documented_total(
    *,
    name: str,
    total: int,
    known: Mapping[str, int],
    open_options: Mapping[str, Collection[int]],
    components: Mapping[str, Any],
    band_of: Callable[[int], str],
    origin: Origin = "documented",
) -> ScoreEstimate:
    """A documented total wins over components; a conflict with them is reported, not resolved."""
    note = None
    if known:
        possible = reachable_totals([{p} for p in known.values()] + [set(v) for v in open_options.values()])
        if total not in possible:
            lo, hi = min(possible), max(possible)
            allowed = str(lo) if lo == hi else f"{lo}–{hi}"
            note = (
                f"Documented {name} total {total} disagrees with the documented components "
                f"(which give {allowed}); the documented total is used — needs review."
            )
    band = band_of(total)
    return ScoreEstimate(
        name=name,
        total=total,
        minimum=total,
        maximum=total,
        band=band,
        bands=(band,),
        components=dict(components),
        points=dict(known),
        missing=(),
        origin=origin,
        note=note,
    )


def check_int(name: str, value: object, lo: int | None = None, hi: int | None = None) -> int:
    # bool is an int subclass; True must not pass as 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = (
            f"{lo}–{hi}"
            if lo is not None and hi is not None
            else (f"≥ {lo}" if lo is not None else f"≤ {hi}")
        )
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def check_number(name: str, value: object, *, minimum: float | None = None, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be ≥ {minimum}, got {value}")
    return float(value)


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False (or None when unknown), got {value!r}")
    return value
