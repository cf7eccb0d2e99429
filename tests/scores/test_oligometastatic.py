"""OMD: decision-criteria.md §2, 'Oligometastatic disease (OMD)' (Lievens 2020; Guckenberger 2020)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cds.scores.oligometastatic import INPUTS, classify_omd, is_oligometastatic, is_polymetastatic


# ESTRO-ASTRO: 1–5 lesions oligometastatic; > 5 polymetastatic.
@pytest.mark.parametrize(
    ("count", "oligo", "poly"),
    [
        (0, False, False),
        (1, True, False),
        (3, True, False),
        (5, True, False),
        (6, False, True),
        (20, False, True),
    ],
)
def test_lesion_count_boundaries(count: int, oligo: bool, poly: bool) -> None:
    assert is_oligometastatic(count) is oligo
    assert is_polymetastatic(count) is poly


def test_unknown_count_is_unknown_not_false() -> None:
    assert is_oligometastatic(None) is None
    assert is_polymetastatic(None) is None


@pytest.mark.parametrize(
    ("floor", "oligo", "poly"), [(0, None, None), (1, None, None), (5, None, None), (6, False, True)]
)
def test_lower_bound_only_rules_out_omd(floor: int, oligo: bool | None, poly: bool | None) -> None:
    assert is_oligometastatic(None, lesion_count_min=floor) is oligo
    assert is_polymetastatic(None, lesion_count_min=floor) is poly


def test_documented_count_wins_over_consistent_lower_bound() -> None:
    assert is_oligometastatic(4, lesion_count_min=3) is True
    assert is_polymetastatic(7, lesion_count_min=6) is True


@pytest.mark.parametrize(("count", "floor"), [(3, 6), (-1, None), (None, -1), (2.5, None), (True, None)])
def test_counts_are_validated(count: Any, floor: Any) -> None:
    with pytest.raises(ValueError):
        is_oligometastatic(count, floor)
    with pytest.raises(ValueError):
        is_polymetastatic(count, floor)


FULL: dict[str, Any] = {
    "oligometastatic": True,
    "history_polymetastatic": False,
    "history_treated_omd": False,
    "months_since_primary_diagnosis": 24,
    "active_systemic_therapy": False,
    "progressing": None,
}


# Every leaf of the ESTRO/EORTC tree.
@pytest.mark.parametrize(
    ("changes", "label", "path"),
    [
        (
            {"history_polymetastatic": True, "active_systemic_therapy": False},
            "induced oligorecurrence",
            ("oligometastatic", "induced", "no-active-systemic-therapy"),
        ),
        (
            {"history_polymetastatic": True, "active_systemic_therapy": True, "progressing": True},
            "induced oligoprogression",
            ("oligometastatic", "induced", "active-systemic-therapy", "progressing"),
        ),
        (
            {"history_polymetastatic": True, "active_systemic_therapy": True, "progressing": False},
            "induced oligopersistence",
            ("oligometastatic", "induced", "active-systemic-therapy", "not-progressing"),
        ),
        (
            {"history_treated_omd": True, "active_systemic_therapy": False},
            "repeat oligorecurrence",
            ("oligometastatic", "not-induced", "repeat", "no-active-systemic-therapy"),
        ),
        (
            {"history_treated_omd": True, "active_systemic_therapy": True, "progressing": True},
            "repeat oligoprogression",
            ("oligometastatic", "not-induced", "repeat", "active-systemic-therapy", "progressing"),
        ),
        (
            {"history_treated_omd": True, "active_systemic_therapy": True, "progressing": False},
            "repeat oligopersistence",
            ("oligometastatic", "not-induced", "repeat", "active-systemic-therapy", "not-progressing"),
        ),
        (
            {"months_since_primary_diagnosis": 2},
            "de-novo synchronous OMD",
            ("oligometastatic", "not-induced", "de-novo", "synchronous"),
        ),
        (
            {"active_systemic_therapy": False},
            "de-novo metachronous oligorecurrence",
            ("oligometastatic", "not-induced", "de-novo", "metachronous", "no-active-systemic-therapy"),
        ),
        (
            {"active_systemic_therapy": True, "progressing": True},
            "de-novo metachronous oligoprogression",
            (
                "oligometastatic",
                "not-induced",
                "de-novo",
                "metachronous",
                "active-systemic-therapy",
                "progressing",
            ),
        ),
        (
            {"active_systemic_therapy": True, "progressing": False},
            "de-novo metachronous oligopersistence",
            (
                "oligometastatic",
                "not-induced",
                "de-novo",
                "metachronous",
                "active-systemic-therapy",
                "not-progressing",
            ),
        ),
    ],
)
def test_omd_tree_leaf(changes: dict[str, Any], label: str, path: tuple[str, ...]) -> None:
    result = classify_omd(**{**FULL, **changes})
    assert result.label == label
    assert result.path == path
    assert result.missing == ()
    assert result.citation == "guckenberger2020"
    assert "○" in result.note


@pytest.mark.parametrize(
    ("months", "timing"),
    [
        (-3, "synchronous"),
        (0, "synchronous"),
        (6, "synchronous"),
        (6.01, "metachronous"),
        (7, "metachronous"),
    ],
)
def test_omd_synchronous_within_6_months_boundary(months: float, timing: str) -> None:
    result = classify_omd(**{**FULL, "months_since_primary_diagnosis": months})
    assert result.path[3] == timing


def test_induced_precedes_repeat() -> None:
    result = classify_omd(**{**FULL, "history_polymetastatic": True, "history_treated_omd": True})
    assert result.label == "induced oligorecurrence"


def test_synchronous_does_not_need_systemic_therapy_status() -> None:
    result = classify_omd(
        oligometastatic=True,
        history_polymetastatic=False,
        history_treated_omd=False,
        months_since_primary_diagnosis=1,
    )
    assert (result.label, result.missing) == ("de-novo synchronous OMD", ())


def test_oligorecurrence_does_not_need_progression_status() -> None:
    result = classify_omd(**{**FULL, "progressing": None})
    assert (result.label, result.missing) == ("de-novo metachronous oligorecurrence", ())


def test_polymetastatic_has_no_label() -> None:
    result = classify_omd(oligometastatic=False, history_polymetastatic=True)
    assert (result.label, result.path, result.missing) == (None, ("polymetastatic",), ())


def test_nothing_known_names_every_input() -> None:
    result = classify_omd()
    assert (result.label, result.path) == (None, ())
    assert result.missing == INPUTS


def test_unknown_history_stops_path_and_names_what_each_branch_needs() -> None:
    result = classify_omd(
        oligometastatic=True,
        history_treated_omd=False,
        months_since_primary_diagnosis=2,
        active_systemic_therapy=False,
    )
    assert result.label is None
    assert result.path == ("oligometastatic",)
    assert result.missing == ("history_polymetastatic",)


def test_unknown_interval_lists_sub_state_inputs_of_metachronous_branch() -> None:
    result = classify_omd(oligometastatic=True, history_polymetastatic=False, history_treated_omd=False)
    assert result.label is None
    assert result.path == ("oligometastatic", "not-induced", "de-novo")
    assert result.missing == ("months_since_primary_diagnosis", "active_systemic_therapy", "progressing")


def test_unknown_progression_on_active_therapy() -> None:
    result = classify_omd(**{**FULL, "history_treated_omd": True, "active_systemic_therapy": True})
    assert result.label is None
    assert result.path == ("oligometastatic", "not-induced", "repeat", "active-systemic-therapy")
    assert result.missing == ("progressing",)


@pytest.mark.parametrize(
    "changes",
    [{"oligometastatic": 1}, {"progressing": "yes"}, {"months_since_primary_diagnosis": float("nan")}],
)
def test_classify_omd_validates_inputs(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        classify_omd(**{**FULL, **changes})


DOMAINS: dict[str, list[Any]] = {
    "oligometastatic": [True, False],
    "history_polymetastatic": [True, False],
    "history_treated_omd": [True, False],
    "months_since_primary_diagnosis": [6, 7],
    "active_systemic_therapy": [True, False],
    "progressing": [True, False],
}


@given(st.fixed_dictionaries({k: st.none() | st.sampled_from(v) for k, v in DOMAINS.items()}))
def test_classification_is_consistent_with_every_completion(facts: dict[str, Any]) -> None:
    result = classify_omd(**facts)
    unknown = [k for k in INPUTS if facts[k] is None]
    labels = set()
    for fill in itertools.product(*(DOMAINS[k] for k in unknown)):
        done = classify_omd(**{**facts, **dict(zip(unknown, fill, strict=True))})
        assert done.missing == ()
        assert done.path[: len(result.path)] == result.path  # the determined prefix never changes
        labels.add(done.label)
    if result.label is not None:
        assert labels == {result.label}
    if result.missing == ():
        assert len(labels) == 1
    else:
        assert set(result.missing) <= set(unknown)
