"""Bilsky ESCC grade (Bilsky 2010): decision-criteria.md §2, 'Bilsky epidural spinal cord compression'."""

from __future__ import annotations

import pytest

from cds.scores.bilsky import (
    GRADES,
    abuts_or_compresses_cord,
    bilsky_group,
    cord_compressed,
    is_high_grade,
    parse_bilsky,
)

# grade: (group, high grade, cord compressed, abuts or compresses cord)
ROWS = {
    "0": ("low", False, False, False),  # bone only
    "1a": ("low", False, False, False),  # epidural, thecal sac not deformed
    "1b": ("low", False, False, False),  # sac deformed, cord not touched
    "1c": ("grey-zone", False, False, True),  # abuts cord, not compressed
    "2": ("high", True, True, True),  # compressed, CSF visible
    "3": ("high", True, True, True),  # compressed, no CSF
}


def test_grades_are_the_six_labels() -> None:
    assert GRADES == ("0", "1a", "1b", "1c", "2", "3")


@pytest.mark.parametrize("grade", list(ROWS))
def test_bilsky_row(grade: str) -> None:
    group, high, compressed, abuts = ROWS[grade]
    assert bilsky_group(grade) == group
    assert is_high_grade(grade) is high
    assert cord_compressed(grade) is compressed
    assert abuts_or_compresses_cord(grade) is abuts


@pytest.mark.parametrize(
    ("code", "grade"),
    [
        ("escc-0", "0"),
        ("escc-1a", "1a"),
        ("escc-1b", "1b"),
        ("escc-1c", "1c"),
        ("escc-2", "2"),
        ("escc-3", "3"),
        ("1c", "1c"),
        ("1C", "1c"),
        ("ESCC-1B", "1b"),
        (" 2 ", "2"),
        ("0", "0"),
    ],
)
def test_parse_bilsky_accepts_codes_and_labels(code: str, grade: str) -> None:
    assert parse_bilsky(code) == grade


@pytest.mark.parametrize("code", ["1", "1d", "4", "escc-", "grade 2", "", "escc-1", "01c"])
def test_parse_bilsky_rejects_unknown_labels(code: str) -> None:
    with pytest.raises(ValueError, match="Bilsky"):
        parse_bilsky(code)


@pytest.mark.parametrize("code", [1, 2, 0, 1.0, None, True])
def test_parse_bilsky_rejects_numbers_1c_never_becomes_1(code: object) -> None:
    with pytest.raises(ValueError):
        parse_bilsky(code)  # type: ignore[arg-type]


def test_1c_is_not_treated_like_1a_or_1b() -> None:
    assert bilsky_group("1c") != bilsky_group("1b")
    assert abuts_or_compresses_cord("escc-1c") and not abuts_or_compresses_cord("escc-1b")


def test_helpers_accept_codes() -> None:
    assert is_high_grade("escc-2")
    assert cord_compressed("ESCC-3")
    assert bilsky_group("escc-1a") == "low"
