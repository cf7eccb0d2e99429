"""Phrases shared by the views, read from the evaluation contract only."""

from __future__ import annotations

from typing import Any

from cds.output import Evaluation, Recommendation, RegimenOut

CODE_TITLES: dict[str, str] = {
    "surgical-referral": "Surgical referral",
    "ebrt-8gy-1fx": "EBRT 8 Gy × 1",
    "ebrt-20gy-5fx": "EBRT 20 Gy / 5",
    "ebrt-30gy-10fx": "EBRT 30 Gy / 10",
    "sbrt": "SBRT",
    "sib-imrt": "SIB-IMRT",
    "prophylactic-rt": "Prophylactic RT",
    "avoid": "Avoid",
}


def regimen_text(regimen: RegimenOut) -> str:
    text = f"{regimen.dose_gy:g} Gy / {regimen.fractions}"
    if regimen.elective_dose_gy:
        text += f" (compartment {regimen.elective_dose_gy:g} Gy)"
    bed = f"BED10 {regimen.bed10:g}{' nominal' if regimen.bed10_nominal else ''}"
    role = "" if regimen.role == "definitive" else f", {regimen.role}"
    return f"{text} [{bed}{role}]"


def recommendation_line(rec: Recommendation) -> str:
    title = CODE_TITLES.get(rec.code, rec.code)
    return f"{rec.priority.upper()}: {title} ({rec.reason}) — {rec.summary}"


def _fact(state: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = state.get(name)
    return value if isinstance(value, dict) and "value" in value else None


def fact_text(state: dict[str, Any], name: str, unit: str = "") -> str | None:
    fact = _fact(state, name)
    if fact is None:
        return None
    value = fact["value"]
    text = f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"
    if fact.get("origin") == "derived":
        text += f" (derived: {fact.get('method')})" if fact.get("method") else " (derived)"
    return text


def patient_lines(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(label, value) pairs for the patient summary; unknown facts say so."""
    state = evaluation.state
    rows = [
        ("Primary", fact_text(state, "histology")),
        ("Histologically confirmed", fact_text(state, "histologically_confirmed")),
        ("ECOG", fact_text(state, "ecog")),
        ("KPS", fact_text(state, "kps")),
        ("Expected survival", fact_text(state, "expected_survival_months", " months")),
        ("Survival band", fact_text(state, "survival_band")),
        ("Metastatic lesions", fact_text(state, "metastatic_lesion_count")),
        ("Bone lesions", fact_text(state, "bone_lesion_count")),
        ("Oligometastatic (ESTRO-ASTRO)", fact_text(state, "oligometastatic")),
        ("ESTRO/EORTC class", fact_text(state, "omd_class")),
    ]
    return [(label, value or "not documented") for label, value in rows]
