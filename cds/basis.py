"""What a criterion's or a rule's outcome rests on: documented facts, derived ones, or silences.

A silence counts only where it decided the outcome: the condition is evaluated again without it
(the marker removed, or the value read from silence withdrawn) and the outcome changes. A silence
that could not change the outcome (another branch already decided it) is not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from cds.lesion_facts import LesionFacts
from cds.rule_facts import RANGE_FACTS
from cds.rules_engine import conditions as cond
from cds.state import SilenceRead

Basis = Literal["documented", "derived", "not-recorded"]

_ASSUMED: dict[int, tuple[cond.Assumed, ...]] = {}
_READ: dict[int, tuple[str, ...]] = {}


def _assumed(node: cond.Node) -> tuple[cond.Assumed, ...]:
    found = _ASSUMED.get(id(node))
    if found is None:  # loaded conditions live as long as the ruleset: walk each once
        found = _ASSUMED[id(node)] = tuple(cond.assumed(node))
    return found


def _read(node: cond.Node) -> tuple[str, ...]:
    found = _READ.get(id(node))
    if found is None:
        found = _READ[id(node)] = cond.facts_read(node)
    return found


def facts_read(node: cond.Node) -> tuple[str, ...]:
    """``cond.facts_read`` of a loaded condition, walked once."""
    return _read(node)


def _without(values: Mapping[str, Any], name: str) -> dict[str, Any]:
    trial = dict(values)  # a copy, then the few keys removed: cheaper than filtering every key
    for key in RANGE_FACTS.get(name, (name,)):
        trial.pop(key, None)
    return trial


def silences_used(node: cond.Node, facts: LesionFacts, truth: cond.Truth) -> tuple[SilenceRead, ...]:
    """The silences that decided ``truth`` (the outcome of ``node`` on ``facts``)."""
    if truth is None:
        return ()
    values = facts.values
    out: dict[tuple[str, str], SilenceRead] = {}
    for item in _assumed(node):
        name = item.leaf.fact
        if item.marker in values and name not in values and name in facts.silences:
            trial = dict(values)
            del trial[item.marker]
            if cond.evaluate(node, trial) != truth:
                read = facts.silences[name]
                out[(read.fact, read.confirm)] = read
    assuming = facts.assuming
    for name in _read(node):
        if name not in assuming or facts.value(name) is None:
            continue
        prov = facts.provenance[name]
        if cond.evaluate(node, _without(values, name)) != truth:
            for read in prov.assumes:
                out[(read.fact, read.confirm)] = read
    return tuple(out.values())


def basis_of(node: cond.Node, facts: LesionFacts, truth: cond.Truth,
             used: Iterable[SilenceRead]) -> Basis | None:
    if truth is None:
        return None
    if any(True for _ in used):
        return "not-recorded"
    for name in _read(node):
        prov = facts.provenance.get(name)
        if prov is not None and facts.value(name) is not None and prov.origin == "derived" \
                and not name.startswith(("eligibility_", "recommended_")):
            return "derived"
    return "documented"
