"""Facts have dates: withdraw every documented value older than its catalogue's currency window.

Runs on the mapped state before anything is derived, so that no score, band or estimate is built
from a stale input. A withdrawn value is unknown to the rules and is recorded as a ``StaleFact``
(the data gap then says "re-assess (last documented …)"). A value without a date cannot be aged
and is kept as it is. Intervals (hours of paraplegia, months since RT) are computed to the
evaluation date elsewhere; this module only decides what is still current.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from cds.rules_engine.schema import FactEntry
from cds.state import Fact, LesionState, PatientState, StaleFact


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _age_days(fact: Fact[Any], as_of: date) -> int | None:
    return None if fact.effective is None else (as_of - _day(fact.effective)).days


class _Withdrawal:
    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.stale: list[StaleFact] = []

    def keep(self, fact: Any, key: str, entry: FactEntry, path: str, lesion: str | None = None) -> bool:
        """False (and noted) when ``fact`` is a dated value older than the window."""
        assert entry.current_for is not None
        if not isinstance(fact, Fact):
            return True
        age = _age_days(fact, self.as_of)
        if age is None or age <= entry.current_for.days:
            return True
        self.stale.append(StaleFact(fact=key, field=path, last_documented=_day(fact.effective),  # type: ignore[arg-type]
                                    lesion=lesion, current_for_days=entry.current_for.days,
                                    sources=fact.sources))
        return False


def _lesion(lesion: LesionState, windows: list[tuple[str, FactEntry, str]], out: _Withdrawal) -> LesionState:
    update: dict[str, Any] = {}
    for key, entry, name in windows:
        value = getattr(lesion, name)
        if isinstance(value, Mapping):  # score components: each has its own date
            kept = {k: f for k, f in value.items() if out.keep(f, key, entry, f"lesion.{name}.{k}", lesion.id)}
            if len(kept) != len(value):
                update[name] = kept
        elif value is not None and not out.keep(value, key, entry, f"lesion.{name}", lesion.id):
            update[name] = None
    return lesion.model_copy(update=update) if update else lesion


def withdraw_stale(state: PatientState, catalogue: Mapping[str, FactEntry]) -> PatientState:
    """The state without the values that are no longer current on ``state.as_of``."""
    out = _Withdrawal(state.as_of.date())
    patient: dict[str, Any] = {}
    neurology: dict[str, Any] = {}
    lesion_windows: list[tuple[str, FactEntry, str]] = []
    for key, entry in catalogue.items():
        if entry.current_for is None:
            continue
        for path in entry.fields:
            model, _, name = path.partition(".")
            if model == "patient":
                value = getattr(state, name)
                if value is not None and not out.keep(value, key, entry, path):
                    patient[name] = None
            elif model == "neurology":
                value = getattr(state.neurology, name)
                if value is not None and not out.keep(value, key, entry, path):
                    neurology[name] = None
            elif model == "lesion":
                lesion_windows.append((key, entry, name))
    lesions = tuple(_lesion(lesion, lesion_windows, out) for lesion in state.lesions)
    if not out.stale:
        return state
    if neurology:
        patient["neurology"] = state.neurology.model_copy(update=neurology)
    return state.model_copy(update={**patient, "lesions": lesions, "stale": (*state.stale, *out.stale)})
