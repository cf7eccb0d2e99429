"""durable_rules and the Python oracle agree on every condition and every fact record.

Random condition trees (all/any/not/documented over comparisons, lists, known/unknown tests and
range facts) are compiled to durable_rules and run in its C core; the Kleene evaluation of the
same tree is the oracle. Any difference — or both outcomes firing — fails.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cds.rules_engine import conditions as cond
from cds.rules_engine.compiler import MAX_GROUPS, chunk_rulesets, count_groups, phase_rules
from cds.rules_engine.durable_engine import DurablePhase, EngineError

NUMERIC = ["ecog", "size_cm"]
ENUM = {"bilsky_grade": ["0", "1a", "1b", "1c", "2", "3"], "region": ["spine", "pelvis", "long-bone"]}
BOOL = ["painful", "cord_compression"]
RANGE = ["sins", "metastatic_lesion_count"]


def leaf() -> st.SearchStrategy[cond.Node]:
    operators = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
    numeric = st.builds(cond.Leaf, st.sampled_from(NUMERIC + RANGE), operators, st.integers(0, 15))
    enum = st.sampled_from(sorted(ENUM)).flatmap(lambda f: st.one_of(
        st.builds(cond.Leaf, st.just(f), st.sampled_from(["==", "!="]), st.sampled_from(ENUM[f])),
        st.builds(cond.Leaf, st.just(f), st.sampled_from(["in", "not in"]),
                  st.lists(st.sampled_from(ENUM[f]), min_size=1, max_size=3, unique=True).map(tuple)),
    ))
    boolean = st.builds(cond.Leaf, st.sampled_from(BOOL), st.sampled_from(["==", "!="]), st.booleans())
    known = st.builds(cond.Leaf, st.sampled_from(NUMERIC + BOOL + RANGE + sorted(ENUM)),
                      st.sampled_from(["is known", "is unknown"]))
    ranged_in = st.builds(cond.Leaf, st.sampled_from(RANGE), st.sampled_from(["in", "not in"]),
                          st.lists(st.integers(0, 15), min_size=1, max_size=3, unique=True).map(tuple))
    return st.one_of(numeric, enum, boolean, known, ranged_in)


def tree() -> st.SearchStrategy[cond.Node]:
    return st.recursive(leaf(), lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda xs: cond.All(tuple(xs))),
        st.lists(children, min_size=2, max_size=4).map(lambda xs: cond.Any_(tuple(xs))),
        children.map(cond.Not),
        children.map(cond.Documented),
    ), max_leaves=8)


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in NUMERIC:
        if draw(st.booleans()):
            out[name] = draw(st.integers(0, 15)) if name == "ecog" else draw(st.integers(0, 150)) / 10
    for name, values in ENUM.items():
        if draw(st.booleans()):
            out[name] = draw(st.sampled_from(values))
    for name in BOOL:
        if draw(st.booleans()):
            out[name] = draw(st.booleans())
    for name in RANGE:
        if draw(st.booleans()):
            lo = draw(st.integers(0, 15))
            out[f"{name}_min"] = lo
            if draw(st.integers(0, 3)):  # sometimes only a lower bound
                out[f"{name}_max"] = lo + draw(st.integers(0, 4))
    return out


_PHASES: dict[str, DurablePhase] = {}


def _phase(node: cond.Node) -> tuple[Any, DurablePhase | None]:
    """The compiled condition and its engine; None when it is too large for durable_rules."""
    compiled, rules = phase_rules([("c", node)])
    groups = max(count_groups(rule["all"][0]["m"]) for rule in rules.values())
    key = repr(node)
    if key not in _PHASES:
        try:
            _PHASES[key] = DurablePhase(f"prop{len(_PHASES)}", chunk_rulesets(rules))
        except EngineError:
            # The only refusal we expect is the documented group limit, which `cds rules check` reports.
            assert groups > MAX_GROUPS, f"durable_rules refused a condition with {groups} groups"
            return compiled[0], None
    assert groups <= MAX_GROUPS, f"{groups} groups were accepted; MAX_GROUPS is too strict"
    return compiled[0], _PHASES[key]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node=tree(), records=st.lists(facts(), min_size=1, max_size=6))
def test_durable_and_oracle_agree(node: cond.Node, records: list[dict[str, Any]]) -> None:
    item, phase = _phase(node)
    assume(phase is not None)
    for record in records:
        fired = phase.fired(record)
        is_true, is_false = item.true_rule in fired, item.false_rule in fired
        assert not (is_true and is_false), f"both outcomes fired for {cond.render(node)} on {record}"
        engine = True if is_true else False if is_false else None
        assert engine == cond.evaluate(node, record), f"{cond.render(node)} on {record}"


def test_absent_fact_is_unknown_in_both() -> None:
    for text in ("ecog <= 2", "ecog != 2", "region in [spine]", "region not in [spine]", "sins >= 13", "sins < 7"):
        node = cond.parse(text)
        item, phase = _phase(node)
        assert phase is not None
        fired = phase.fired({})
        assert item.true_rule not in fired and item.false_rule not in fired
        assert cond.evaluate(node, {}) is None
