"""Reading a silence as absence, only where the fact catalogue (rules/facts.yaml) allows it.

A silence is "not recorded": the input covers every resource type that would hold the fact and
none does (and nothing in the record bears on it without being placeable). It is read in one of
two places, as the catalogue entry says:

- ``state`` stage, before deriving: lesion counts, visceral disease and admissions feed the
  oligometastatic status and the survival models. The value read carries its ``confirm``
  sentence in ``Fact.assumes``, and everything derived from it inherits the sentence.
- ``rules`` stage: the lesion's rule record gets a marker fact, and the conditions of the kinds of
  decision the catalogue lists read the silence as its value (``conditions.Assumed``); the other
  decisions still see the fact as unknown.

An unknown fact (a type the input does not cover) is never read as anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment

from cds.rules_engine import conditions as cond
from cds.rules_engine.schema import FactEntry, Silence
from cds.state import Fact, LesionState, PatientState, SilenceRead, derived

_TEMPLATES = SandboxedEnvironment(autoescape=False)


@cache
def _template(text: str) -> Template:
    return _TEMPLATES.from_string(text)


_PLAIN_TYPES = frozenset({str, int, bool, type(None), date})
_CONFIRM_TEXTS: dict[tuple[Any, ...], str] = {}


def confirm_text(template: str, **names: Any) -> str:
    """The rendered confirmation; the same template with the same plain values (keyed with their
    type) is rendered once."""
    key: tuple[Any, ...] | None = None
    if all(type(value) in _PLAIN_TYPES for value in names.values()):
        key = (template, *sorted((name, type(value), value) for name, value in names.items()))
        text = _CONFIRM_TEXTS.get(key)
        if text is not None:
            return text
    text = " ".join(_template(template).render(**names).split())
    if key is not None:
        if len(_CONFIRM_TEXTS) >= 4096:
            _CONFIRM_TEXTS.clear()
        _CONFIRM_TEXTS[key] = text
    return text


def _patient_values(state: PatientState, names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        fact = getattr(state, name, None)
        if isinstance(fact, Fact):
            values[name] = fact.value
    return values


_CONDITIONS: dict[int, cond.Node] = {}


def _condition(silence: Silence) -> cond.Node:
    node = _CONDITIONS.get(id(silence))
    if node is None:  # the catalogue lives as long as the process: parse each condition once
        node = _CONDITIONS[id(silence)] = cond.parse(silence.only_if, "only_if")
    return node


def _holds(silence: Silence, values: Mapping[str, Any]) -> bool:
    """A silence's ``only_if`` must be *documented* true: unknown does not open the reading."""
    return silence.only_if is None or cond.evaluate(_condition(silence), values) is True


def _recorded_count(fact: Fact[int] | None) -> bool:
    """A count taken from the recorded Conditions only (a lower bound), not a documented count."""
    return fact is not None and bool(fact.inputs and fact.inputs.get("lower_bound"))


def read_state_silences(state: PatientState, catalogue: Mapping[str, FactEntry]) -> PatientState:
    """The state with the state-stage silences read, each value carrying what to confirm."""
    update: dict[str, Any] = {}
    imaging = state.last_restaging_imaging.value if state.last_restaging_imaging else None
    for key, entry in catalogue.items():
        silence = entry.silence
        if silence is None or silence.stage != "state" or not state.covers(*entry.recorded_in):
            continue
        if silence.only_if is not None and not _holds(
                silence, _patient_values(state, cond.facts_read(_condition(silence)))):
            continue
        for name, reading in silence.reads_as.items():
            current = getattr(state, name)
            if reading == "recorded":
                if not _recorded_count(current):
                    continue
                assert current is not None
                confirm = SilenceRead(fact=key, searched=entry.recorded_in, confirm=confirm_text(
                    silence.confirm, count=current.value, imaging_date=imaging))
                update[name] = derived(
                    current.value, f"the {current.value} metastasis Condition(s) recorded, taken as complete "
                                   f"(restaging imaging of {imaging})",
                    sources=current.sources, inputs={"conditions": current.value, "restaging_imaging": str(imaging)},
                    assumes=(confirm,))
            elif current is None:
                confirm = SilenceRead(fact=key, searched=entry.recorded_in,
                                      confirm=confirm_text(silence.confirm, imaging_date=imaging))
                update[name] = derived(reading, f"not recorded in a record that covers "
                                                f"{', '.join(entry.recorded_in)}", assumes=(confirm,))
    return state.model_copy(update=update) if update else state


def rule_silences(state: PatientState, lesion: LesionState, values: Mapping[str, Any],
                  catalogue: Mapping[str, FactEntry]) -> dict[str, SilenceRead]:
    """Rule fact → the silence it may be read from, for every rules-stage silence at this lesion."""
    out: dict[str, SilenceRead] = {}
    for key, entry in catalogue.items():
        silence = entry.silence
        if silence is None or silence.stage != "rules" or not state.covers(*entry.recorded_in):
            continue
        if not _holds(silence, values):
            continue
        for name in silence.reads_as:
            if name in values or name in lesion.undecidable:
                continue
            out[name] = SilenceRead(fact=key, searched=entry.recorded_in,
                                    confirm=confirm_text(silence.confirm, site=_site_words(lesion)))
    return out


def _site_words(lesion: LesionState) -> str:
    return lesion.site if lesion.site != "unspecified" else "the lesion with no documented site"
