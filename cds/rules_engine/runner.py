"""Run a loaded ruleset on one lesion's facts: with durable_rules, or with the Python oracle.

Both return the same thing — a truth value (True / False / None for unknown) per criterion and
per rule — so the tests can run every patient through both and fail on any difference.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

from cds.rules_engine import conditions as cond
from cds.rules_engine.compiler import CompiledCondition, chunk_rulesets, phase_rules
from cds.rules_engine.durable_engine import DurablePhase
from cds.rules_engine.loader import Ruleset

Truths = dict[str, cond.Truth]


class Runner(Protocol):
    name: str

    def criteria(self, facts: Mapping[str, Any]) -> Truths:
        """Every criterion of every assessment (lesion and patient level)."""
        ...

    def lesion_criteria(self, facts: Mapping[str, Any]) -> Truths: ...

    def patient_criteria(self, facts: Mapping[str, Any]) -> Truths: ...

    def rules(self, phase: int, facts: Mapping[str, Any]) -> Truths: ...

    def caveats(self, facts: Mapping[str, Any]) -> Truths: ...


class OracleRunner:
    """Plain-Python Kleene evaluation of the same loaded conditions: the test oracle."""

    name = "python"

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset

    def criteria(self, facts: Mapping[str, Any]) -> Truths:
        return {c.key: cond.evaluate(c.condition, facts) for a in self.ruleset.assessments for c in a.criteria}

    def lesion_criteria(self, facts: Mapping[str, Any]) -> Truths:
        return {c.key: cond.evaluate(c.condition, facts)
                for a in self.ruleset.assessments if not a.patient_level for c in a.criteria}

    def patient_criteria(self, facts: Mapping[str, Any]) -> Truths:
        return {c.key: cond.evaluate(c.condition, facts)
                for a in self.ruleset.assessments if a.patient_level for c in a.criteria}

    def rules(self, phase: int, facts: Mapping[str, Any]) -> Truths:
        truths = {r.id: cond.evaluate(r.condition, facts) for r in self.ruleset.rules_in_phase(phase)}
        truths.update({r.demote_key: cond.evaluate(r.demote, facts)
                       for r in self.ruleset.rules_in_phase(phase) if r.demote is not None})
        return truths

    def caveats(self, facts: Mapping[str, Any]) -> Truths:
        return {c.id: cond.evaluate(c.condition, facts) for c in self.ruleset.caveats}


def compile_ruleset(ruleset: Ruleset) -> dict[str, tuple[list[CompiledCondition], list[dict[str, Any]]]]:
    """The durable_rules JSON of every phase: 'criteria' (per lesion), 'patient-criteria' (decided
    once per patient, after every lesion's criteria), then 'phase-1', 'phase-2', …"""
    phases: dict[str, tuple[list[CompiledCondition], list[dict[str, Any]]]] = {}
    for name, level in (("criteria", False), ("patient-criteria", True)):
        compiled, rules = phase_rules((c.key, c.condition) for a in ruleset.assessments
                                      if a.patient_level == level for c in a.criteria)
        phases[name] = (compiled, chunk_rulesets(rules))
    for phase in ruleset.phases:
        conditions = [(r.id, r.condition) for r in ruleset.rules_in_phase(phase)]
        conditions += [(r.demote_key, r.demote) for r in ruleset.rules_in_phase(phase) if r.demote is not None]
        compiled, rules = phase_rules(conditions)
        phases[f"phase-{phase}"] = (compiled, chunk_rulesets(rules))
    compiled, rules = phase_rules((c.id, c.condition) for c in ruleset.caveats)
    phases["caveats"] = (compiled, chunk_rulesets(rules))
    return phases


class DurableRunner:
    """The production path: conditions compiled to durable_rules and run in its C core."""

    name = "durable"

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self._phases: dict[str, tuple[list[CompiledCondition], DurablePhase]] = {}
        for phase_name, (compiled, rulesets) in compile_ruleset(ruleset).items():
            engine_name = f"{ruleset.sha256[:12]}_{phase_name.replace('-', '_')}"
            self._phases[phase_name] = (compiled, DurablePhase(engine_name, rulesets))

    def _run(self, phase_name: str, facts: Mapping[str, Any]) -> Truths:
        compiled, engine = self._phases[phase_name]
        fired = engine.fired(facts)
        truths: Truths = {}
        for item in compiled:
            is_true, is_false = item.true_rule in fired, item.false_rule in fired
            if is_true and is_false:
                raise AssertionError(f"{item.key} compiled to a contradiction: both outcomes fired")
            truths[item.key] = True if is_true else False if is_false else None
        return truths

    def criteria(self, facts: Mapping[str, Any]) -> Truths:
        return {**self._run("criteria", facts), **self._run("patient-criteria", facts)}

    def lesion_criteria(self, facts: Mapping[str, Any]) -> Truths:
        return self._run("criteria", facts)

    def patient_criteria(self, facts: Mapping[str, Any]) -> Truths:
        return self._run("patient-criteria", facts)

    def rules(self, phase: int, facts: Mapping[str, Any]) -> Truths:
        return self._run(f"phase-{phase}", facts)

    def caveats(self, facts: Mapping[str, Any]) -> Truths:
        return self._run("caveats", facts)


_DURABLE: dict[str, DurableRunner] = {}
_CREATE = threading.Lock()


def durable_runner(ruleset: Ruleset) -> DurableRunner:
    """One durable runner per ruleset per process (creating rulesets leaks memory)."""
    with _CREATE:
        runner = _DURABLE.get(ruleset.sha256)
        if runner is None:
            runner = _DURABLE[ruleset.sha256] = DurableRunner(ruleset)
        return runner


def make_runner(ruleset: Ruleset, engine: str = "durable") -> Runner:
    if engine == "durable":
        return durable_runner(ruleset)
    if engine == "python":
        return OracleRunner(ruleset)
    raise ValueError(f"unknown engine '{engine}' (durable or python)")
