"""Radiosensitivity: decision-criteria.md §2, 'Radiosensitivity of histology (NOMS ◐)'."""

from __future__ import annotations

import pytest

from cds.scores._histology import HISTOLOGIES
from cds.scores.radiosensitivity import radiosensitivity

ROWS = {
    # Highly radiosensitive: lymphoma, myeloma, seminoma/germ-cell (+ leukaemia).
    "lymphoma": "highly-sensitive",
    "myeloma": "highly-sensitive",
    "germ-cell": "highly-sensitive",
    "leukaemia": "highly-sensitive",
    # Usually sensitive: breast, prostate, ovarian, neuroendocrine, small-cell lung.
    "breast": "sensitive",
    "prostate": "sensitive",
    "ovary": "sensitive",
    "neuroendocrine": "sensitive",
    "lung-sclc": "sensitive",
    # Radioresistant: renal cell, thyroid, hepatocellular, colorectal/GI, NSCLC, sarcoma, melanoma.
    "kidney": "resistant",
    "thyroid": "resistant",
    "liver": "resistant",
    "colorectal": "resistant",
    "gi-other": "resistant",
    "lung-nsclc": "resistant",
    "sarcoma": "resistant",
    "melanoma": "resistant",
    # Not decided by the histology code.
    "lung": None,
    "other": None,
    "unknown": None,
}


def test_every_histology_code_has_a_row() -> None:
    assert set(ROWS) == set(HISTOLOGIES)


@pytest.mark.parametrize("histology", list(ROWS))
def test_radiosensitivity_row(histology: str) -> None:
    assert radiosensitivity(histology) == ROWS[histology]


@pytest.mark.parametrize("histology", ["renal", "Breast", "", "nsclc"])
def test_radiosensitivity_rejects_unknown_code(histology: str) -> None:
    with pytest.raises(ValueError, match="histology"):
        radiosensitivity(histology)
