"""The condition language of the rules, with three-valued (Kleene) semantics.

A condition is read by clinicians in YAML::

    all:
      - cord_compression == true
      - expected_survival_months >= 3
      - any:
          - paraplegic == false
          - paraplegia_hours <= 48
      - not: histology in [lymphoma, myeloma]
      - documented: postoperative == true
      - uncomplicated            # a named definition from definitions.yaml

Every condition is true, false or *unknown*. A comparison with an undocumented fact is
unknown, never false: that is how "unknown is not false" is enforced. ``documented: X`` is the
one explicit exception, for facts that only matter when recorded: it is true when X is true
and false otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from cds.rule_facts import RANGE_FACTS

Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is known", "is unknown"]
Truth = bool | None  # None = unknown

_LEAF = re.compile(
    r"^\s*(?P<fact>[a-z][a-z0-9_]*)"
    r"(?:\s*(?P<op>==|!=|<=|>=|<|>)\s*(?P<value>.+?)"
    r"|\s+(?P<word>not\s+in|in)\s+(?P<list>.+?)"
    r"|\s+(?P<known>is\s+known|is\s+unknown))\s*$"
)
_NAME = re.compile(r"^\s*[a-z][a-z0-9_-]*\s*$")

NEGATED_OP: dict[str, str] = {
    "==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">",
    "in": "not in", "not in": "in", "is known": "is unknown", "is unknown": "is known",
}


class ConditionError(ValueError):
    """A condition that cannot be read; the message is a sentence for the rule author."""


@dataclass(frozen=True)
class Leaf:
    fact: str
    op: Op
    value: Any = None

    def text(self) -> str:
        if self.op in ("is known", "is unknown"):
            return f"{self.fact} {self.op}"
        if isinstance(self.value, tuple):
            return f"{self.fact} {self.op} [{', '.join(_scalar_text(v) for v in self.value)}]"
        return f"{self.fact} {self.op} {_scalar_text(self.value)}"


@dataclass(frozen=True)
class All:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class Documented:
    """True when the inner condition is true; false when it is false *or unknown*."""

    item: Node


@dataclass(frozen=True)
class Assumed:
    """A comparison whose fact, when *not recorded*, may be read as a value (the fact catalogue
    says so for this kind of decision). The marker fact is present only for such a silence.

    True/false as the comparison when the fact is present; ``reading`` (the comparison applied to
    the silence's value) when only the marker is present; unknown otherwise.
    """

    leaf: Leaf
    marker: str
    reading: bool


@dataclass(frozen=True)
class Ref:
    """A named definition, replaced by its condition when the ruleset is loaded."""

    name: str


Node = Leaf | All | Any_ | Not | Documented | Assumed | Ref


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_value(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConditionError(f"cannot read the value {text!r}") from exc
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict) or value is None:
        raise ConditionError(f"the value {text!r} must be a number, true/false, a word or a [list]")
    return value


def parse(spec: Any, where: str = "condition") -> Node:
    """Read a condition from its YAML form."""
    if isinstance(spec, str):
        match = _LEAF.match(spec)
        if match:
            if match["known"]:
                return Leaf(match["fact"], " ".join(match["known"].split()))  # type: ignore[arg-type]
            op = match["op"] or " ".join(match["word"].split())
            value = _parse_value(match["value"] if match["op"] else match["list"])
            if op in ("in", "not in") and not isinstance(value, tuple):
                raise ConditionError(f"{where}: '{spec}' needs a list after '{op}', like [a, b]")
            if op not in ("in", "not in") and isinstance(value, tuple):
                raise ConditionError(f"{where}: '{spec}' compares with a list; use 'in'")
            if op in ("<", "<=", ">", ">=") and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise ConditionError(f"{where}: '{spec}' compares with {value!r}, which is not a number")
            return Leaf(match["fact"], op, value)  # type: ignore[arg-type]
        if _NAME.match(spec):
            return Ref(spec.strip())
        raise ConditionError(
            f"{where}: cannot read '{spec}'; write 'fact == value', 'fact >= 3', 'fact in [a, b]', "
            "'fact is known' or the name of a definition"
        )
    if isinstance(spec, dict) and len(spec) == 1:
        ((key, body),) = spec.items()
        if key in ("all", "any"):
            if not isinstance(body, list) or not body:
                raise ConditionError(f"{where}: '{key}' needs a non-empty list of conditions")
            items = tuple(parse(item, where) for item in body)
            if len(items) == 1:
                return items[0]
            return All(items) if key == "all" else Any_(items)
        if key == "not":
            return Not(parse(body, where))
        if key == "documented":
            return Documented(parse(body, where))
    raise ConditionError(
        f"{where}: expected a condition string or one of all/any/not/documented, got {spec!r}"
    )


# --- evaluation (the plain-Python oracle and the explanation of results) -------------------

def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "==":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    if op == "in":
        return actual in expected
    if op == "not in":
        return actual not in expected
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    if op == ">":
        return bool(actual > expected)
    if op == ">=":
        return bool(actual >= expected)
    raise AssertionError(op)


def range_nodes(leaf: Leaf) -> tuple[Node, Node]:
    """For a fact known as a range [lo, hi]: the conditions on lo/hi that make the leaf true,
    and those that make it false. hi may be absent (a lower bound only)."""
    lo, hi = RANGE_FACTS[leaf.fact]
    op, v = leaf.op, leaf.value

    def eq(value: Any) -> tuple[Node, Node]:
        return (All((Leaf(lo, "==", value), Leaf(hi, "==", value))),
                Any_((Leaf(hi, "<", value), Leaf(lo, ">", value))))

    if op == "is known":
        return Leaf(lo, "is known"), Leaf(lo, "is unknown")
    if op == "is unknown":
        return Leaf(lo, "is unknown"), Leaf(lo, "is known")
    if op == "<":
        return Leaf(hi, "<", v), Leaf(lo, ">=", v)
    if op == "<=":
        return Leaf(hi, "<=", v), Leaf(lo, ">", v)
    if op == ">":
        return Leaf(lo, ">", v), Leaf(hi, "<=", v)
    if op == ">=":
        return Leaf(lo, ">=", v), Leaf(hi, "<", v)
    if op == "==":
        return eq(v)
    if op == "!=":
        true, false = eq(v)
        return false, true
    pairs = [eq(value) for value in v]
    true_in, false_in = Any_(tuple(p[0] for p in pairs)), All(tuple(p[1] for p in pairs))
    return (true_in, false_in) if op == "in" else (false_in, true_in)


def evaluate(node: Node, facts: Mapping[str, Any]) -> Truth:
    """Kleene three-valued evaluation: True, False or None (unknown)."""
    if isinstance(node, Leaf):
        if node.fact in RANGE_FACTS:
            true, false = range_nodes(node)
            if evaluate(true, facts) is True:
                return True
            return False if evaluate(false, facts) is True else None
        if node.op == "is known":
            return node.fact in facts
        if node.op == "is unknown":
            return node.fact not in facts
        if node.fact not in facts:
            return None
        return _compare(node.op, facts[node.fact], node.value)
    if isinstance(node, All):
        result: Truth = True
        for item in node.items:
            value = evaluate(item, facts)
            if value is False:
                return False
            if value is None:
                result = None
        return result
    if isinstance(node, Any_):
        result = False
        for item in node.items:
            value = evaluate(item, facts)
            if value is True:
                return True
            if value is None:
                result = None
        return result
    if isinstance(node, Not):
        value = evaluate(node.item, facts)
        return None if value is None else not value
    if isinstance(node, Documented):
        return evaluate(node.item, facts) is True
    if isinstance(node, Assumed):
        if node.leaf.fact in facts:
            return evaluate(node.leaf, facts)
        return node.reading if node.marker in facts else None
    raise ConditionError(f"definition '{node.name}' was not expanded")


def leaves(node: Node) -> Iterator[Leaf]:
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Assumed):
        yield node.leaf
    elif isinstance(node, All | Any_):
        for item in node.items:
            yield from leaves(item)
    elif isinstance(node, Not | Documented):
        yield from leaves(node.item)


def facts_read(node: Node) -> tuple[str, ...]:
    return tuple(dict.fromkeys(leaf.fact for leaf in leaves(node)))


def assumed(node: Node) -> Iterator[Assumed]:
    """The comparisons of a condition that may read a silence."""
    if isinstance(node, Assumed):
        yield node
    elif isinstance(node, All | Any_):
        for item in node.items:
            yield from assumed(item)
    elif isinstance(node, Not | Documented):
        yield from assumed(node.item)


def read_silences(node: Node, readings: Mapping[str, Any], marker: Any) -> Node:
    """The condition with every comparison on a fact in ``readings`` made an ``Assumed``.

    ``readings`` maps a fact to the value its silence is read as (for one kind of decision);
    ``marker(fact)`` names the marker fact the record carries when that fact is not recorded.
    """
    if isinstance(node, Leaf):
        if node.fact in readings and node.op not in ("is known", "is unknown"):
            reading = evaluate(node, {node.fact: readings[node.fact]})
            return Assumed(node, marker(node.fact), bool(reading))
        return node
    if isinstance(node, All):
        return All(tuple(read_silences(item, readings, marker) for item in node.items))
    if isinstance(node, Any_):
        return Any_(tuple(read_silences(item, readings, marker) for item in node.items))
    if isinstance(node, Not):
        return Not(read_silences(node.item, readings, marker))
    if isinstance(node, Documented):
        return Documented(read_silences(node.item, readings, marker))
    return node


def refs(node: Node) -> Iterator[str]:
    if isinstance(node, Ref):
        yield node.name
    elif isinstance(node, All | Any_):
        for item in node.items:
            yield from refs(item)
    elif isinstance(node, Not | Documented):
        yield from refs(node.item)


def expand(node: Node, definitions: Mapping[str, Node], trail: tuple[str, ...] = ()) -> Node:
    """Replace definition references by their conditions."""
    if isinstance(node, Ref):
        if node.name in trail:
            raise ConditionError(f"definition '{node.name}' refers to itself ({' → '.join((*trail, node.name))})")
        if node.name not in definitions:
            raise ConditionError(f"unknown definition '{node.name}'")
        return expand(definitions[node.name], definitions, (*trail, node.name))
    if isinstance(node, All):
        return All(tuple(expand(item, definitions, trail) for item in node.items))
    if isinstance(node, Any_):
        return Any_(tuple(expand(item, definitions, trail) for item in node.items))
    if isinstance(node, Not):
        return Not(expand(node.item, definitions, trail))
    if isinstance(node, Documented):
        return Documented(expand(node.item, definitions, trail))
    return node


def missing_facts(node: Node, facts: Mapping[str, Any]) -> tuple[str, ...]:
    """The undocumented facts that make an unknown condition unknown.

    Only facts in branches that are themselves unknown are named: a fact that could not change
    the outcome (its branch is already decided) is not a data gap.
    """
    out: dict[str, None] = {}
    _unknown_facts(node, facts, out)
    return tuple(out)


def _unknown_facts(n: Node, facts: Mapping[str, Any], out: dict[str, None]) -> Truth:
    """``evaluate(n, facts)``; when it is unknown, the facts of the unknown branches are added to
    ``out`` in the order of a depth-first walk. One pass: each node is evaluated once."""
    if isinstance(n, All | Any_):
        decided = isinstance(n, Any_)  # the value that decides the node: True for any, False for all
        found: dict[str, None] = {}
        result: Truth = not decided
        for item in n.items:
            value = _unknown_facts(item, facts, found)
            if value is decided:
                return value
            if value is None:
                result = None
        if result is None:
            out.update(found)
        return result
    if isinstance(n, Not):
        value = _unknown_facts(n.item, facts, out)
        return None if value is None else not value
    value = evaluate(n, facts)
    if value is None:
        if isinstance(n, Leaf):
            out[n.fact] = None
        elif isinstance(n, Assumed):
            out[n.leaf.fact] = None
    return value


def render(node: Node, indent: int = 0) -> str:
    """A plain-text rendering for catalogues and reports."""
    pad = "  " * indent
    if isinstance(node, Leaf):
        return pad + node.text()
    if isinstance(node, Assumed):
        return pad + node.leaf.text() + f" (if not recorded: {'true' if node.reading else 'false'})"
    if isinstance(node, Ref):
        return pad + node.name
    if isinstance(node, Not):
        return pad + "not:\n" + render(node.item, indent + 1)
    if isinstance(node, Documented):
        return pad + "documented:\n" + render(node.item, indent + 1)
    word = "all of" if isinstance(node, All) else "any of"
    return pad + word + ":\n" + "\n".join(render(item, indent + 1) for item in node.items)
