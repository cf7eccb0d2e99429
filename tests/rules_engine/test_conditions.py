"""The condition language: parsing, three-valued evaluation, range facts and data-gap naming."""

from __future__ import annotations

import pytest

from cds.rules_engine import conditions as cond


@pytest.mark.parametrize(("text", "expected"), [
    ("ecog <= 2", cond.Leaf("ecog", "<=", 2)),
    ("bilsky_grade in ['2', '3']", cond.Leaf("bilsky_grade", "in", ("2", "3"))),
    ("region not in [spine, pelvis]", cond.Leaf("region", "not in", ("spine", "pelvis"))),
    ("sins is known", cond.Leaf("sins", "is known")),
    ("painful == true", cond.Leaf("painful", "==", True)),
    ("histology != unknown", cond.Leaf("histology", "!=", "unknown")),
    ("uncomplicated", cond.Ref("uncomplicated")),
])
def test_parse_leaves(text: str, expected: cond.Node) -> None:
    assert cond.parse(text) == expected


def test_a_fact_named_like_an_operator_is_not_split() -> None:
    # "unstable_spine" contains "in"; it is a definition name, not "unstable_sp in e".
    assert cond.parse("unstable_spine") == cond.Ref("unstable_spine")


@pytest.mark.parametrize("text", ["ecog <= two", "ecog in 2", "ecog == [1, 2]", "ECOG == 1", "ecog =< 2", ""])
def test_unreadable_conditions_say_what_to_write(text: str) -> None:
    with pytest.raises(cond.ConditionError):
        cond.parse(text)


def test_kleene_logic() -> None:
    node = cond.parse({"all": ["ecog <= 2", {"any": ["painful == true", "size_cm >= 2"]}]})
    assert cond.evaluate(node, {"ecog": 1, "painful": True}) is True
    assert cond.evaluate(node, {"ecog": 3}) is False  # one false conjunct decides
    assert cond.evaluate(node, {"ecog": 1}) is None  # unknown is not false
    assert cond.evaluate(node, {"ecog": 1, "painful": False, "size_cm": 1.0}) is False


def test_not_of_unknown_is_unknown_and_documented_is_two_valued() -> None:
    assert cond.evaluate(cond.parse({"not": "painful == true"}), {}) is None
    assert cond.evaluate(cond.parse({"documented": "painful == true"}), {}) is False
    assert cond.evaluate(cond.parse({"documented": "painful == true"}), {"painful": True}) is True


@pytest.mark.parametrize(("lo", "hi", "text", "expected"), [
    (13, 14, "sins >= 13", True),
    (9, 14, "sins >= 13", None),
    (9, 12, "sins >= 13", False),
    (7, 7, "sins == 7", True),
    (6, 8, "sins == 7", None),
    (8, 9, "sins == 7", False),
    (4, 6, "sins < 7", True),
    (7, None, "sins <= 5", False),  # a lower bound alone can disprove
    (3, None, "sins <= 5", None),   # ... but not prove
])
def test_range_facts(lo: int, hi: int | None, text: str, expected: bool | None) -> None:
    facts = {"sins_min": lo} | ({"sins_max": hi} if hi is not None else {})
    assert cond.evaluate(cond.parse(text), facts) is expected


def test_missing_facts_names_only_facts_that_could_change_the_outcome() -> None:
    node = cond.parse({"all": ["ecog <= 2", "painful == true", {"any": ["size_cm >= 2", "region == spine"]}]})
    assert cond.missing_facts(node, {"ecog": 1}) == ("painful", "size_cm", "region")
    assert cond.missing_facts(node, {"ecog": 4}) == ()  # already false: nothing to document
    assert cond.missing_facts(node, {"ecog": 1, "painful": True, "region": "spine"}) == ()


def test_definitions_expand_and_cycles_are_reported() -> None:
    defs = {"a": cond.parse("ecog <= 2"), "b": cond.parse({"all": ["a", "painful == true"]})}
    assert cond.facts_read(cond.expand(cond.parse("b"), defs)) == ("ecog", "painful")
    with pytest.raises(cond.ConditionError, match="refers to itself"):
        cond.expand(cond.Ref("x"), {"x": cond.Ref("x")})
    with pytest.raises(cond.ConditionError, match="unknown definition"):
        cond.expand(cond.Ref("nope"), defs)
