"""Compile three-valued conditions to durable_rules ruleset JSON.

durable_rules only knows "matches" / "does not match", so every condition is compiled twice:
once for *true* and once for *false*. Neither firing means *unknown*. Negation is pushed down
to the comparisons (the engine has no ``not``), using four modes:

- ``T``  the condition is true
- ``F``  the condition is false
- ``NT`` the condition is not true (false or unknown)
- ``NF`` the condition is not false (true or unknown)

A comparison with an absent fact never matches in durable_rules (checked by the tests), which is
exactly Kleene's "unknown". Every compiled rule starts with the positive ``{"t": "lesion"}``
condition (a rule made only of absent-field tests loops forever in durable_rules), and each
ruleset has an always-true sentinel rule (``delete_state`` segfaults on a session that never
ran an action).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cds.rule_facts import RANGE_FACTS
from cds.rules_engine.conditions import All, Any_, Assumed, Documented, Leaf, Node, Not, Ref, range_nodes

Mode = Literal["T", "F", "NT", "NF"]
FACT_TYPE = "lesion"
SENTINEL = "_sentinel"
MAX_RULES_PER_RULESET = 100  # ~240 realistic rules in one ruleset abort the process

_CMP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}


MAX_GROUPS = 15
"""durable_rules keeps each rule's and/or structure in a sequence of 32 slots, two per $and/$or
group (error 113 beyond): at most 15 groups per compiled rule, the wrapper included."""


def _group(op: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    # Splice nested groups of the same kind and drop repeats: fewer groups, same meaning.
    flat: list[dict[str, Any]] = []
    for item in items:
        for part in (item[op] if set(item) == {op} else [item]):
            if part not in flat:
                flat.append(part)
    return flat[0] if len(flat) == 1 else {op: flat}


def _and(items: list[dict[str, Any]]) -> dict[str, Any]:
    return _group("$and", items)


def _or(items: list[dict[str, Any]]) -> dict[str, Any]:
    return _group("$or", items)


def _absent(fact: str) -> dict[str, Any]:
    return {"$nex": {fact: 1}}


def _leaf_true(leaf: Leaf) -> dict[str, Any]:
    """The leaf holds (the fact is present and the comparison is true)."""
    fact, op, value = leaf.fact, leaf.op, leaf.value
    if op == "is known":
        return {"$ex": {fact: 1}}
    if op == "is unknown":
        return _absent(fact)
    if op == "==":
        return {fact: value}
    if op == "in":
        return _or([{fact: v} for v in value])
    if op == "not in":
        return _and([{"$neq": {fact: v}} for v in value])
    return {_CMP[op]: {fact: value}}


def _leaf_false(leaf: Leaf) -> dict[str, Any]:
    negated = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "in": "not in",
               "not in": "in", "is known": "is unknown", "is unknown": "is known"}[leaf.op]
    return _leaf_true(Leaf(leaf.fact, negated, leaf.value))  # type: ignore[arg-type]


def compile_condition(node: Node, mode: Mode = "T") -> dict[str, Any]:
    if isinstance(node, Leaf) and node.fact in RANGE_FACTS:
        true, false = range_nodes(node)
        # not-true is the negation of the true condition (absent counts), likewise not-false
        return compile_condition(true if mode in ("T", "NT") else false, "T" if mode in ("T", "F") else "NT")
    if isinstance(node, Leaf):
        if mode == "T":
            return _leaf_true(node)
        if mode == "F":
            return _leaf_false(node)
        if node.op in ("is known", "is unknown"):  # never unknown
            return _leaf_false(node) if mode == "NT" else _leaf_true(node)
        decided = _leaf_false(node) if mode == "NT" else _leaf_true(node)
        return _or([decided, _absent(node.fact)])
    if isinstance(node, All | Any_):
        parts = [compile_condition(item, mode) for item in node.items]
        conjunctive = (mode in ("T", "NF")) == isinstance(node, All)
        return _and(parts) if conjunctive else _or(parts)
    if isinstance(node, Not):
        return compile_condition(node.item, {"T": "F", "F": "T", "NT": "NF", "NF": "NT"}[mode])  # type: ignore[arg-type]
    if isinstance(node, Documented):
        inner: Mode = {"T": "T", "F": "NT", "NT": "NT", "NF": "T"}[mode]  # type: ignore[assignment]
        return compile_condition(node.item, inner)
    if isinstance(node, Assumed):
        # The marker is present only when the fact is absent: where the silence reading decides
        # the outcome it joins that outcome, and it leaves the opposite one.
        inner = compile_condition(node.leaf, mode)
        marker_present, marker_absent = {node.marker: True}, _absent(node.marker)
        if mode == "T":
            return _or([inner, marker_present]) if node.reading else inner
        if mode == "F":
            return inner if node.reading else _or([inner, marker_present])
        if mode == "NT":
            return _and([inner, marker_absent]) if node.reading else inner
        return inner if node.reading else _and([inner, marker_absent])  # NF
    if isinstance(node, Ref):
        raise ValueError(f"definition '{node.name}' was not expanded before compiling")
    raise TypeError(node)


@dataclass(frozen=True)
class CompiledCondition:
    """One rule or criterion condition, compiled for both outcomes."""

    key: str
    true_rule: str
    false_rule: str
    node: Node


def compiled_pair(key: str, node: Node) -> tuple[CompiledCondition, dict[str, Any]]:
    true_name, false_name = f"{key}#true", f"{key}#false"
    rules = {
        true_name: {"all": [{"m": _and([{"t": FACT_TYPE}, compile_condition(node, "T")])}], "pri": 1},
        false_name: {"all": [{"m": _and([{"t": FACT_TYPE}, compile_condition(node, "F")])}], "pri": 1},
    }
    return CompiledCondition(key, true_name, false_name, node), rules


def chunk_rulesets(rules: dict[str, dict[str, Any]], max_rules: int = MAX_RULES_PER_RULESET,
                   ) -> list[dict[str, dict[str, Any]]]:
    """Split into rulesets of at most ``max_rules`` rules, keeping true/false pairs together,
    and add the sentinel to each."""
    names = list(rules)
    per_chunk = max_rules - 1  # room for the sentinel
    per_chunk -= per_chunk % 2
    chunks: list[dict[str, dict[str, Any]]] = []
    for start in range(0, max(len(names), 1), per_chunk):
        chunk = {SENTINEL: {"all": [{"m": {"t": FACT_TYPE}}], "pri": 0}}
        chunk.update({name: rules[name] for name in names[start:start + per_chunk]})
        chunks.append(chunk)
    return chunks


def count_groups(expr: Any) -> int:
    """Number of $and/$or groups in a compiled expression (see MAX_GROUPS)."""
    if isinstance(expr, dict):
        return sum((1 + sum(count_groups(v) for v in value)) if key in ("$and", "$or") else 0
                   for key, value in expr.items())
    return 0


def count_expressions(expr: Any) -> int:
    """Number of comparisons in a compiled expression (durable_rules fails above ~63 per fact)."""
    if isinstance(expr, dict):
        total = 0
        for key, value in expr.items():
            if key in ("$and", "$or"):
                total += sum(count_expressions(v) for v in value)
            else:
                total += 1
        return total
    return 0


def phase_rules(conditions: Iterable[tuple[str, Node]]) -> tuple[list[CompiledCondition], dict[str, Any]]:
    compiled: list[CompiledCondition] = []
    rules: dict[str, Any] = {}
    for key, node in conditions:
        pair, pair_rules = compiled_pair(key, node)
        compiled.append(pair)
        rules.update(pair_rules)
    return compiled, rules
