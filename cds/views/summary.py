"""Phrases shared by the views, read from the evaluation contract only.

Every view (terminal, CSV, Markdown, HTML, cards) words the same things the same way: an ``avoid``
output is headed "Avoid", never by its priority (it is not an endorsement); a silence read as
absence says "confirm"; a stale fact says when it was last documented; a deceased patient gets one
line and no recommendations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cds.output import (
    Assumption,
    CriterionResult,
    DataGap,
    Evaluation,
    Lesion,
    PatientSummary,
    Recommendation,
    RegimenOut,
)
from cds.rationale import HISTOLOGY_TEXT

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
PRIORITY_RANK = {"urgent": 0, "preferred": 1, "alternative": 2}
NOT_DOCUMENTED = "not documented"
UNSPECIFIED_SITE = "unspecified"


def value_text(value: Any, unit: str = "") -> str:
    """A fact value in words: booleans as yes/no, numbers without trailing zeros."""
    if value is None:
        return NOT_DOCUMENTED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") + unit if not value.is_integer() else f"{value:g}{unit}"
    if isinstance(value, int):
        return f"{value}{unit}"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_text(v)}" for k, v in value.items())
    return f"{value}{unit}"


# --- recommendations ------------------------------------------------------------------------------


def is_avoid(rec: Recommendation) -> bool:
    return rec.code == "avoid"


def action_label(rec: Recommendation) -> str:
    """The word heading a recommendation: Urgent, Preferred, Alternative — or Avoid (never its priority)."""
    return "Avoid" if is_avoid(rec) else rec.priority.capitalize()


def rec_title(rec: Recommendation) -> str:
    return CODE_TITLES.get(rec.code, rec.code)


def ordered(recs: Iterable[Recommendation]) -> list[Recommendation]:
    """Recommendations to act on by priority (urgent, preferred, alternative), then what to avoid."""
    return sorted(recs, key=lambda r: (is_avoid(r), PRIORITY_RANK.get(r.priority, 9)))


def top_recommendation(recs: Iterable[Recommendation]) -> Recommendation | None:
    """The recommendation to read first at a lesion; None when there is only something to avoid."""
    todo = [r for r in ordered(recs) if not is_avoid(r)]
    return todo[0] if todo else None


def regimen_text(regimen: RegimenOut) -> str:
    text = f"{regimen.dose_gy:g} Gy / {regimen.fractions}"
    if regimen.elective_dose_gy:
        text += f" (compartment {regimen.elective_dose_gy:g} Gy)"
    bed = f"BED10 {regimen.bed10:g}{' nominal' if regimen.bed10_nominal else ''}"
    role = "" if regimen.role in ("definitive", "avoid") else f", {regimen.role}"
    return f"{text} [{bed}{role}]"


def main_regimen(rec: Recommendation) -> RegimenOut | None:
    """The regimen a recommendation proposes first (an ``avoid`` output proposes none)."""
    if is_avoid(rec):
        return None
    return next((r for r in rec.regimens if r.role != "avoid"), None)


def recommendation_line(rec: Recommendation) -> str:
    """One line: ``URGENT: Surgical referral — Refer …`` or ``AVOID: Avoid 8 Gy × 1 at T4 …``."""
    if is_avoid(rec):
        return f"AVOID: {rec.summary}"
    return f"{rec.priority.upper()}: {rec_title(rec)} — {rec.summary}"


def timing_text(rec: Recommendation) -> str:
    return rec.timing or ""


# --- lesions, patients ----------------------------------------------------------------------------


def site_label(lesion: Lesion | None, lesion_id: str | None = None) -> str:
    """The lesion's site for a reader: "site not documented" instead of the contract's "unspecified"."""
    if lesion is None:
        return lesion_id or "patient"
    return "site not documented" if lesion.site == UNSPECIFIED_SITE else lesion.site


def lesion_site(evaluation: Evaluation, lesion_id: str | None) -> str:
    for lesion in evaluation.lesions:
        if lesion.id == lesion_id:
            return site_label(lesion)
    return lesion_id or "patient"


def deceased_text(patient: PatientSummary) -> str | None:
    """One line for a deceased patient, else None."""
    if patient.deceased is not True:
        return None
    when = f" on {patient.deceased_date}" if patient.deceased_date else ""
    return f"Recorded as deceased{when}: no treatment recommendations are given."


def who_text(patient: PatientSummary) -> str:
    age = f"{patient.age} y" if patient.age is not None else "age not documented"
    return f"{age}, {patient.sex or 'sex not documented'}"


# --- what to confirm, criteria, gaps --------------------------------------------------------------


def assumption_text(assumption: Assumption, evaluation: Evaluation | None = None) -> str:
    """``Confirm: no radiotherapy to L3 elsewhere (nothing in Procedure; needed for sbrt)``."""
    text = assumption.confirm
    where = []
    if assumption.searched:
        where.append("nothing in " + ", ".join(assumption.searched))
    if assumption.needed_for:
        where.append("needed for " + ", ".join(assumption.needed_for))
    if assumption.lesion and evaluation is not None:
        site = lesion_site(evaluation, assumption.lesion)
        if site.lower() not in text.lower():
            text = f"{site}: {text}"
    return f"{text} ({'; '.join(where)})" if where else text


def confirm_items(evaluation: Evaluation) -> list[str]:
    """What to confirm before acting: the evaluation's assumptions, then any recommendation's own
    ``confirm`` lines not already said (each once)."""
    items = [assumption_text(a, evaluation) for a in evaluation.assumptions]
    said = {a.confirm.lower() for a in evaluation.assumptions}
    for rec in evaluation.recommendations:
        for line in rec.confirm:
            if line.lower() not in said:
                said.add(line.lower())
                items.append(line)
    return items


def lesion_confirms(evaluation: Evaluation, lesion_id: str | None) -> list[str]:
    """What to confirm for one lesion (``None``: for the patient as a whole), each once, short."""
    items = [a.confirm for a in evaluation.assumptions if a.lesion == lesion_id]
    if lesion_id is not None:
        items += [line for rec in evaluation.recommendations_for(lesion_id) for line in rec.confirm]
    return list(dict.fromkeys(items))


STATUS_WORDS = {"met": "met", "not-met": "not met", "unknown": "unknown"}


def criterion_status_text(criterion: CriterionResult) -> str:
    """``met``, ``not met``, ``unknown`` — or ``met — not recorded, confirm`` when the verdict rests on
    a silence read as absence."""
    word = STATUS_WORDS[criterion.status]
    if criterion.basis == "not-recorded" and criterion.status != "unknown":
        return f"{word} — not recorded, confirm"
    return word


def gap_text(gap: DataGap) -> str:
    """The gap's message, with "re-assess (last documented …)" for a stale fact and a word on a code
    that was not recognised."""
    if gap.status == "stale":
        when = f" (last documented {gap.last_documented})" if gap.last_documented else ""
        return f"{gap.message} — re-assess{when}"
    if gap.status == "not-recognised":
        return f"{gap.message} — recorded in a code not recognised here: check the coding"
    return gap.message


def gap_status_word(gap: DataGap) -> str:
    return {"missing": "missing", "stale": "out of date", "not-recognised": "code not recognised"}[gap.status]


# --- patient facts ---------------------------------------------------------------------------------


def _fact(state: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = state.get(name)
    return value if isinstance(value, dict) and "value" in value else None


def fact_value(state: dict[str, Any], name: str) -> Any:
    fact = _fact(state, name)
    return None if fact is None else fact["value"]


def fact_text(state: dict[str, Any], name: str, unit: str = "") -> str | None:
    fact = _fact(state, name)
    if fact is None:
        return None
    text = value_text(fact["value"], unit)
    if fact.get("origin") == "derived":
        text += f" (derived: {fact.get('method')})" if fact.get("method") else " (derived)"
    return text


def histology_text(state: dict[str, Any]) -> str | None:
    code = fact_value(state, "histology")
    if code is None:
        return None
    return HISTOLOGY_TEXT.get(str(code), str(code))


def survival_basis(state: dict[str, Any]) -> str:
    """How the expected survival was obtained: ``documented`` or ``derived: <method>``."""
    fact = _fact(state, "expected_survival_months")
    if fact is None:
        return NOT_DOCUMENTED
    if fact.get("origin") == "derived":
        return f"derived: {fact['method']}" if fact.get("method") else "derived"
    return "documented"


def patient_lines(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(label, value) pairs for the patient summary; unknown facts say so."""
    state = evaluation.state
    histology = histology_text(state)
    rows = [
        ("Primary", histology),
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
    return [(label, value or NOT_DOCUMENTED) for label, value in rows]


def key_facts_line(evaluation: Evaluation) -> str:
    """Primary · ECOG · expected survival (and how it was obtained), on one line."""
    state = evaluation.state
    parts = [histology_text(state) or "primary not documented"]
    ecog = fact_value(state, "ecog")
    parts.append(f"ECOG {value_text(ecog)}" if ecog is not None else "ECOG not documented")
    months = fact_value(state, "expected_survival_months")
    if months is None:
        parts.append("expected survival not documented")
    else:
        basis = "documented" if survival_basis(state) == "documented" else "derived"
        parts.append(f"expected survival {value_text(months)} months ({basis})")
    return " · ".join(parts)


# --- lesion scores ---------------------------------------------------------------------------------


def lesion_state(evaluation: Evaluation, lesion_id: str) -> dict[str, Any]:
    for lesion in evaluation.state.get("lesions") or ():
        if isinstance(lesion, dict) and lesion.get("id") == lesion_id:
            return lesion
    return {}


def score_text(score: Any) -> str:
    """A score's total, or its range when components are missing (``9–13``: an en dash, which a
    spreadsheet does not turn into a date)."""
    if not isinstance(score, dict):
        return ""
    if score.get("total") is not None:
        return str(score["total"])
    lo, hi = score.get("minimum"), score.get("maximum")
    if lo is None or hi is None:
        return ""
    return str(lo) if lo == hi else f"{lo}–{hi}"


def lesion_scores(state: dict[str, Any]) -> dict[str, str]:
    """SINS, Bilsky and Mirels of one lesion as short texts ("" when not documented)."""
    bilsky = fact_value(state, "bilsky_grade")
    return {"sins": score_text(state.get("sins")), "bilsky": "" if bilsky is None else str(bilsky),
            "mirels": score_text(state.get("mirels"))}


def findings_line(state: dict[str, Any], region: str) -> str:
    """``SINS 6 · Bilsky 3 · cord compression: yes`` for the lesion headline ("" when nothing applies)."""
    scores = lesion_scores(state)
    parts = []
    if region == "spine" or scores["sins"]:
        parts.append(f"SINS {scores['sins'] or NOT_DOCUMENTED}")
    if region == "spine" or scores["bilsky"]:
        parts.append(f"Bilsky {scores['bilsky'] or NOT_DOCUMENTED}")
    if scores["mirels"]:
        parts.append(f"Mirels {scores['mirels']}")
    cord = fact_value(state, "cord_compression")
    if region == "spine":
        parts.append(f"cord compression: {value_text(cord)}")
    for name, label in (("pathological_fracture", "pathological fracture"), ("impending_fracture",
                                                                             "impending fracture")):
        if fact_value(state, name) is True:
            parts.append(label)
    return " · ".join(parts)


def unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))
