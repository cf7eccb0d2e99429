"""Radiosensitivity of the primary histology (NOMS, Laufer 2013; list ◐)."""

from __future__ import annotations

from typing import Final

from cds.scores._histology import check_histology
from cds.state import Radiosensitivity

CITATION: Final = "laufer2013"

RADIOSENSITIVITY: Final[dict[str, Radiosensitivity]] = {
    "lymphoma": "highly-sensitive",
    "myeloma": "highly-sensitive",
    "germ-cell": "highly-sensitive",
    "leukaemia": "highly-sensitive",
    "breast": "sensitive",
    "prostate": "sensitive",
    "ovary": "sensitive",
    "neuroendocrine": "sensitive",
    "lung-sclc": "sensitive",
    "kidney": "resistant",
    "thyroid": "resistant",
    "liver": "resistant",
    "colorectal": "resistant",
    "gi-other": "resistant",
    "lung-nsclc": "resistant",
    "sarcoma": "resistant",
    "melanoma": "resistant",
}


def radiosensitivity(histology: str) -> Radiosensitivity | None:
    """None when the histology does not decide it: lung without subtype, 'other', 'unknown'."""
    return RADIOSENSITIVITY.get(check_histology(histology))
