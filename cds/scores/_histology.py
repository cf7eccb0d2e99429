"""Validation of the project's histology codes (cds.state.Histology)."""

from __future__ import annotations

from typing import Final, cast, get_args

from cds.state import Histology

HISTOLOGIES: Final[tuple[str, ...]] = get_args(Histology)
LUNG: Final = frozenset({"lung", "lung-nsclc", "lung-sclc"})


def check_histology(histology: str) -> Histology:
    # A typo must fail loudly rather than fall through to "other".
    if histology not in HISTOLOGIES:
        raise ValueError(f"unknown histology code {histology!r}; expected one of {', '.join(HISTOLOGIES)}")
    return cast(Histology, histology)
