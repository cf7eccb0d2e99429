"""Bilsky epidural spinal cord compression (ESCC) grade (Bilsky 2010).

Grades are string labels. "1c" is not 1: treating grades as numbers would merge 1a/1b/1c and
lose the grey zone, so every function here parses to a label first.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from cds.state import BilskyGrade

CITATION: Final = "bilsky2010"
GRADES: Final[tuple[BilskyGrade, ...]] = get_args(BilskyGrade)

BilskyGroup = Literal["low", "grey-zone", "high"]
_GROUP: Final[dict[BilskyGrade, BilskyGroup]] = {
    "0": "low",
    "1a": "low",
    "1b": "low",
    "1c": "grey-zone",
    "2": "high",
    "3": "high",
}


def parse_bilsky(code: str) -> BilskyGrade:
    """'escc-1c', '1c', '1C', ' ESCC-2 ' -> the grade label; ValueError for anything else (including 1)."""
    if not isinstance(code, str):
        raise ValueError(f"Bilsky grade must be a string label such as '1c', got {code!r}")
    text = code.strip().lower()
    text = text.removeprefix("escc-")
    for grade in GRADES:
        if text == grade:
            return grade
    raise ValueError(
        f"unknown Bilsky ESCC grade {code!r}; expected one of {', '.join(GRADES)} (or escc-<grade>)"
    )


def bilsky_group(grade: str) -> BilskyGroup:
    return _GROUP[parse_bilsky(grade)]


def is_high_grade(grade: str) -> bool:
    return bilsky_group(grade) == "high"


def cord_compressed(grade: str) -> bool:
    return parse_bilsky(grade) in ("2", "3")


def abuts_or_compresses_cord(grade: str) -> bool:
    """Tumour touches or compresses the cord (1c, 2, 3): used as 'within about 3 mm of the cord'."""
    return parse_bilsky(grade) in ("1c", "2", "3")
