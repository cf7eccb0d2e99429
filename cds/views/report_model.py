"""The HTML report's view model: everything the templates show, computed from the evaluation contract.

The templates stay free of clinical logic: urgency, ordering, score breakdowns and provenance rows
are decided here, where they can be unit-tested, and only read there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cds.anatomy import level_range_label
from cds.output import Citation, DataGap, Eligibility, Evaluation, Lesion, Recommendation
from cds.rationale import HISTOLOGY_TEXT
from cds.rule_facts import fact_label
from cds.scores.mirels import MIRELS_POINTS
from cds.scores.sins import SINS_POINTS
from cds.views.skeleton import MapLesion, SkeletonMap, build_map
from cds.views.summary import (
    CODE_TITLES,
    NOT_DOCUMENTED,
    action_label,
    confirm_items,
    deceased_text,
    is_avoid,
    main_regimen,
    ordered,
    regimen_text,
    site_label,
    top_recommendation,
    value_text,
)

# Urgency classes of a lesion on the map and in the panel order. Each has a colour AND a symbol
# AND a word, so colour is never the only signal (and the page prints in black and white).
URGENCY_ORDER = ("critical", "warning", "other")
URGENCY_SYMBOL = {"critical": "!", "warning": "▲", "other": "●"}
URGENCY_WORD = {"critical": "critical", "warning": "caution", "other": "no urgent finding documented"}

STATUS_SYMBOL = {"met": "✔", "not-met": "✘", "unknown": "?"}
STATUS_WORD = {"met": "met", "not-met": "not met", "unknown": "unknown"}
VERDICT_SYMBOL = {"eligible": "✔", "ineligible": "✘", "undetermined": "?"}
PRIORITY_SYMBOL = {"urgent": "⚠", "preferred": "★", "alternative": "◇"}
AVOID_SYMBOL = "✘"  # an avoid output is never marked with its priority's symbol
VERIFICATION_SYMBOL = {"verified": "✔", "partial": "◐", "unverified": "○"}
BILSKY_GROUP = {"0": "low", "1a": "low", "1b": "low", "1c": "grey-zone", "2": "high", "3": "high"}
BILSKY_MEANING = {
    "0": "disease confined to bone",
    "1a": "epidural impingement without dural deformation",
    "1b": "dural deformation without abutting the cord",
    "1c": "dural deformation abutting the cord, not compressing it",
    "2": "cord compressed, CSF still visible around the cord",
    "3": "cord compressed, no CSF visible around the cord",
}
SINS_COMPONENT_LABELS = {
    "location": "Location", "pain": "Pain", "bone_lesion": "Bone lesion", "alignment": "Radiographic alignment",
    "collapse": "Vertebral body collapse", "posterolateral": "Posterolateral involvement",
}
MIRELS_COMPONENT_LABELS = {"site": "Site", "pain": "Pain", "lesion": "Lesion", "size": "Size (cortex involved)"}
# Score answers in words (the contract carries codes such as "no-collapse-over-50-involved").
ANSWER_LABELS = {
    "junctional": "junctional (O–C2, C7–T2, T11–L1, L5–S1)", "mobile": "mobile spine (C3–C6, L2–L4)",
    "semi-rigid": "semi-rigid (T3–T10)", "rigid": "rigid (S2–S5)", "mechanical": "mechanical pain",
    "occasional": "occasional, non-mechanical pain", "pain-free": "pain-free", "mixed": "mixed lytic/blastic",
    "subluxation": "subluxation or translation", "deformity": "de novo deformity (kyphosis/scoliosis)",
    "normal": "normal alignment", "collapse-50-or-more": "collapse ≥ 50%", "collapse-under-50": "collapse < 50%",
    "no-collapse-over-50-involved": "no collapse, > 50% of the body involved", "none": "none",
    "bilateral": "bilateral", "unilateral": "unilateral", "upper-limb": "upper limb", "lower-limb": "lower limb",
    "peritrochanteric": "peritrochanteric", "mild": "mild", "moderate": "moderate",
    "functional": "functional (pain on use)", "under-one-third": "< 1/3 of the cortex",
    "one-to-two-thirds": "1/3–2/3 of the cortex", "over-two-thirds": "> 2/3 of the cortex",
}

# Labels for state facts the rule catalogue does not name (rule_facts.fact_label covers the rest).
FACT_LABELS: dict[str, str] = {
    "age": "Age (years)", "sex": "Sex", "histology": "Primary histology",
    "histologically_confirmed": "Histologically confirmed", "radiosensitivity": "Radiosensitivity (NOMS)",
    "primary_diagnosis_date": "Primary diagnosed", "er_status": "Oestrogen receptor",
    "pr_status": "Progesterone receptor",
    "her2_status": "HER2", "ecog": "ECOG performance status", "kps": "Karnofsky performance status (KPS)",
    "expected_survival_months": "Expected survival", "survival_band": "Survival band",
    "metastatic_lesion_count": "Metastatic lesions (all sites)", "bone_lesion_count": "Bone metastases",
    "visceral_metastases": "Visceral metastases", "hepatic_metastases": "Liver metastases",
    "brain_metastases": "Brain metastases", "bone_only_disease": "Bone-only disease",
    "disease_status": "Disease status", "active_systemic_therapy": "On systemic therapy",
    "prior_palliative_chemo_courses": "Previous palliative chemotherapy courses",
    "hospitalised_last_3_months": "Hospitalised in the last 3 months",
    "last_restaging_imaging": "Latest restaging imaging", "restaging_imaging_age_days": "Days since restaging imaging",
    "medically_operable": "Medically operable", "primary_controlled": "Primary tumour controlled",
    "history_polymetastatic": "History of polymetastatic disease", "history_treated_omd": "History of treated OMD",
    "any_prior_radiotherapy": "Any previous radiotherapy", "oligometastatic": "Oligometastatic (ESTRO-ASTRO, 1–5)",
    "polymetastatic": "Polymetastatic (more than 5)", "omd_class": "ESTRO/EORTC OMD class",
    "neurological_deficit": "Neurological deficit", "ambulatory": "Ambulatory", "paraplegic": "Paraplegic",
    "paraplegia_hours": "Hours of paraplegia", "motor_deficit_days": "Days of motor deficit",
    "sins_total": "SINS total (documented)", "bilsky_grade": "Bilsky ESCC grade",
    "cord_compression": "Cord compression (MESCC)", "cauda_equina_only": "Cauda equina / root compression only",
    "compression_areas": "Separate compression areas", "cord_compression_onset": "Compression onset",
    "pathological_fracture": "Pathological fracture", "impending_fracture": "Impending fracture",
    "lesion_type": "Lesion type", "size_cm": "Size (cm)", "cortical_involvement": "Cortical involvement",
    "mirels_total": "Mirels total (documented)", "pain_score": "Pain score (0–10)", "painful": "Painful",
    "posterior_elements": "Posterior elements involved", "extraosseous_extension": "Extra-osseous extension",
    "contiguous_compartments": "Contiguous compartments", "planned_surgery": "Surgery planned at the site",
    "postoperative": "Operated at the site", "high_risk_site": "High-risk site (Gillespie)",
    "near_cord": "Within ~3 mm of the cord", "prior_rt": "Previous RT at the site",
}
UNITS = {"expected_survival_months": " months", "size_cm": " cm", "paraplegia_hours": " h",
         "motor_deficit_days": " days", "restaging_imaging_age_days": " days"}

# The patient summary: always shown (unknown says "not documented"), then optional rows when present.
SUMMARY_CORE = ("histology", "histologically_confirmed", "radiosensitivity", "ecog", "kps",
                "expected_survival_months", "survival_band", "metastatic_lesion_count", "bone_lesion_count",
                "visceral_metastases", "oligometastatic", "polymetastatic", "omd_class", "medically_operable",
                "any_prior_radiotherapy")
SUMMARY_OPTIONAL = ("er_status", "pr_status", "her2_status", "primary_diagnosis_date", "hepatic_metastases",
                    "brain_metastases", "bone_only_disease", "disease_status", "primary_controlled",
                    "active_systemic_therapy", "prior_palliative_chemo_courses", "hospitalised_last_3_months",
                    "last_restaging_imaging", "restaging_imaging_age_days", "history_polymetastatic",
                    "history_treated_omd")
NEUROLOGY = ("neurological_deficit", "ambulatory", "paraplegic", "paraplegia_hours", "motor_deficit_days")
SURVIVAL_MODEL_TITLES = {"teachh": "TEACHH", "chow": "Chow", "rades": "Rades (MESCC)"}


def label_of(name: str) -> str:
    if name in FACT_LABELS:
        return FACT_LABELS[name]
    text = fact_label(name)
    return text[:1].upper() + text[1:] if text != name else name.replace("_", " ").capitalize()


def inputs_text(inputs: Any) -> str:
    if not inputs:
        return ""
    if isinstance(inputs, dict):
        return "; ".join(f"{k.replace('_', ' ')} = {value_text(v)}" for k, v in inputs.items())
    return json.dumps(inputs, ensure_ascii=False, default=str)


def _is_fact(obj: Any) -> bool:
    return isinstance(obj, dict) and "value" in obj


@dataclass(frozen=True)
class FactRow:
    """One fact with its provenance, as shown in summary and "where it came from" tables."""

    name: str
    label: str
    value: str
    documented: bool
    origin: str  # "documented", "derived" or "not documented"
    method: str = ""
    inputs: str = ""
    sources: tuple[str, ...] = ()
    effective: str = ""

    @property
    def known(self) -> bool:
        return self.origin != NOT_DOCUMENTED


def fact_row(name: str, fact: Any, *, label: str | None = None, unit: str | None = None,
             display: str | None = None) -> FactRow:
    label = label or label_of(name)
    if not _is_fact(fact):
        return FactRow(name, label, NOT_DOCUMENTED, False, NOT_DOCUMENTED)
    unit = UNITS.get(name, "") if unit is None else unit
    if fact.get("value") == 1 and unit.endswith("s"):
        unit = unit[:-1]  # "1 day", not "1 days"
    origin = str(fact.get("origin") or "documented")
    return FactRow(
        name=name, label=label, value=display or value_text(fact.get("value"), unit),
        documented=origin == "documented", origin=origin, method=str(fact.get("method") or ""),
        inputs=inputs_text(fact.get("inputs")), sources=tuple(fact.get("sources") or ()),
        effective=str(fact.get("effective") or ""),
    )


def _histology_display(fact: Any) -> str | None:
    if not _is_fact(fact):
        return None
    code = str(fact["value"])
    text = HISTOLOGY_TEXT.get(code)
    return f"{text} ({code})" if text and text != code else code


def summary_rows(state: Mapping[str, Any]) -> list[FactRow]:
    rows: list[FactRow] = []
    for name in SUMMARY_CORE:
        display = _histology_display(state.get(name)) if name == "histology" else None
        rows.append(fact_row(name, state.get(name), display=display))
    rows += [fact_row(name, state[name]) for name in SUMMARY_OPTIONAL if _is_fact(state.get(name))]
    return rows


def neurology_rows(state: Mapping[str, Any]) -> list[FactRow]:
    neurology = state.get("neurology") or {}
    rows = [fact_row(name, neurology.get(name)) for name in NEUROLOGY[:3]]
    rows += [fact_row(name, neurology[name]) for name in NEUROLOGY[3:] if _is_fact(neurology.get(name))]
    return rows


@dataclass(frozen=True)
class SurvivalModelRow:
    model: str
    score: str
    group: str
    median: str
    band: str
    missing: str
    citation: str
    note: str


def _range_text(score: Mapping[str, Any]) -> str:
    total = score.get("total")
    if total is not None:
        return str(total)
    lo, hi = score.get("minimum"), score.get("maximum")
    return f"{lo}–{hi} (range)" if lo != hi else str(lo)


def survival_rows(state: Mapping[str, Any]) -> list[SurvivalModelRow]:
    rows = []
    for est in state.get("survival_estimates") or ():
        score = est.get("score") or {}
        group = est.get("group") or ("/".join(score.get("bands") or ()) + " (not yet decided)"
                                     if score.get("bands") else NOT_DOCUMENTED)
        rows.append(SurvivalModelRow(
            model=SURVIVAL_MODEL_TITLES.get(est.get("model", ""), str(est.get("model", ""))),
            score=_range_text(score), group=str(group),
            median=value_text(est["median_months"], " months") if est.get("median_months") is not None else "—",
            band=str(est.get("band") or "—"),
            missing=", ".join(m.replace("_", " ") for m in est.get("missing") or ()) or "none",
            citation=str(est.get("citation") or ""), note=str(score.get("note") or ""),
        ))
    return rows


@dataclass(frozen=True)
class ScoreComponentRow:
    component: str
    answer: str
    points: str
    documented: bool


@dataclass(frozen=True)
class ScoreView:
    name: str
    total: str
    band: str
    bands: str
    complete: bool
    rows: tuple[ScoreComponentRow, ...]
    missing: tuple[str, ...]
    note: str
    sources: tuple[str, ...]


def score_view(score: Any, table: Mapping[str, Mapping[str, int]], labels: Mapping[str, str]) -> ScoreView | None:
    """A score's breakdown: each component's answer and points; a missing component shows its possible points."""
    if not isinstance(score, dict):
        return None
    components = score.get("components") or {}
    points = score.get("points") or {}
    missing = tuple(score.get("missing") or ())
    rows = []
    for name in dict.fromkeys([*table, *components, *missing]):
        label = labels.get(name, name.replace("_", " ").capitalize())
        if name in components:
            answer = components[name]
            shown = ANSWER_LABELS.get(answer, value_text(answer)) if isinstance(answer, str) else value_text(answer)
            rows.append(ScoreComponentRow(label, shown, str(points.get(name, "?")), True))
        elif name in missing or name in table:
            options = table.get(name, {})
            span = f"{min(options.values())}–{max(options.values())}" if options else "?"
            rows.append(ScoreComponentRow(label, NOT_DOCUMENTED, f"{span} possible", False))
    if not components and not missing and score.get("total") is not None:
        rows = []  # a documented total without a breakdown: show the total only
    lo, hi, total = score.get("minimum"), score.get("maximum"), score.get("total")
    total_text = str(total) if total is not None else f"{lo}–{hi}"
    bands = tuple(score.get("bands") or ())
    return ScoreView(
        name=str(score.get("name") or ""), total=total_text, band=str(score.get("band") or ""),
        bands=" / ".join(bands), complete=total is not None or lo == hi, rows=tuple(rows), missing=missing,
        note=str(score.get("note") or ""), sources=tuple(score.get("sources") or ()),
    )


@dataclass(frozen=True)
class Urgency:
    level: str  # critical | warning | other
    reasons: tuple[str, ...]
    prior_rt: bool

    @property
    def symbol(self) -> str:
        return URGENCY_SYMBOL[self.level]

    @property
    def word(self) -> str:
        return URGENCY_WORD[self.level]

    @property
    def text(self) -> str:
        head = self.word
        detail = "; ".join(self.reasons)
        return f"{head}: {detail}" if detail else head


def _value(lesion: Mapping[str, Any], name: str) -> Any:
    fact = lesion.get(name)
    return fact.get("value") if _is_fact(fact) else None


def classify(lesion: Mapping[str, Any], recommendations: Sequence[Recommendation]) -> Urgency:
    """Urgency of one lesion from its facts and recommendations.

    Critical: cord compression or high-grade ESCC, an unstable spine (SINS ≥ 13), a pathological or
    impending fracture (Mirels ≥ 9), or an urgent recommendation. Caution: stability or fracture
    risk that is indeterminate or cannot be excluded, Bilsky 1c, or an 'avoid' output.
    """
    critical: list[str] = []
    warning: list[str] = []
    if _value(lesion, "cord_compression") is True:
        critical.append("cord compression")
    grade = _value(lesion, "bilsky_grade")
    if grade is not None:
        group = BILSKY_GROUP.get(str(grade))
        if group == "high" and "cord compression" not in critical:
            critical.append(f"high-grade ESCC (Bilsky {grade})")
        elif group == "grey-zone":
            warning.append(f"Bilsky {grade} (grey zone)")
    sins = lesion.get("sins")
    if isinstance(sins, dict):
        lo, hi = int(sins.get("minimum", 0)), int(sins.get("maximum", 18))
        shown = str(sins["total"]) if sins.get("total") is not None else f"{lo}–{hi}"
        if lo >= 13:
            critical.append(f"unstable spine (SINS {shown})")
        elif lo >= 7 and hi <= 12:
            warning.append(f"indeterminate stability (SINS {shown})")
        elif hi >= 13 and _value(lesion, "postoperative") is not True:
            warning.append(f"instability not excluded (SINS {shown}, incomplete)")
        elif hi >= 7 and _value(lesion, "postoperative") is not True:
            warning.append(f"stability may be indeterminate (SINS {shown}, incomplete)")
    if _value(lesion, "pathological_fracture") is True:
        critical.append("pathological fracture")
    if _value(lesion, "impending_fracture") is True:
        critical.append("impending fracture")
    mirels = lesion.get("mirels")
    if isinstance(mirels, dict):
        lo, hi = int(mirels.get("minimum", 4)), int(mirels.get("maximum", 12))
        shown = str(mirels["total"]) if mirels.get("total") is not None else f"{lo}–{hi}"
        if lo >= 9:
            critical.append(f"fracture risk (Mirels {shown})")
        elif lo == 8 and hi == 8:
            warning.append(f"borderline fracture risk (Mirels {shown})")
        elif hi >= 8:
            warning.append(f"fracture risk not excluded (Mirels {shown}, incomplete)")
    for rec in recommendations:
        title = CODE_TITLES.get(rec.code, rec.code)
        if rec.priority == "urgent":
            critical.append(f"urgent {title.lower()}")
        elif rec.code == "avoid":
            warning.append(f"avoid: {rec.reason}")
    prior = lesion.get("prior_rt")
    prior_rt = isinstance(prior, dict) and _value(prior, "at_site") is True
    if critical:
        return Urgency("critical", tuple(dict.fromkeys(critical)), prior_rt)
    if warning:
        return Urgency("warning", tuple(dict.fromkeys(warning)), prior_rt)
    return Urgency("other", (), prior_rt)


def anchor_for(lesion_id: str, taken: set[str]) -> str:
    """A stable, unique fragment id for a lesion panel (``#lesion-condition-ex01-met-t8``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", lesion_id.lower()).strip("-") or "lesion"
    anchor = f"lesion-{slug}"
    n = 2
    while anchor in taken:
        anchor = f"lesion-{slug}-{n}"
        n += 1
    taken.add(anchor)
    return anchor


@dataclass(frozen=True)
class RegimenView:
    label: str
    dose: str
    dose_per_fraction: str
    bed10: str
    nominal: bool
    role: str
    elective: str
    text: str


@dataclass(frozen=True)
class RecommendationView:
    rec: Recommendation
    title: str
    symbol: str
    needs_review: bool
    regimens: tuple[RegimenView, ...]
    facts: tuple[FactRow, ...]


def _regimen_view(regimen: Any) -> RegimenView:
    elective = ""
    if regimen.elective_dose_gy:
        elective = f"{regimen.elective_dose_gy:g} Gy"
        if regimen.elective_bed10 is not None:
            elective += f" (BED10 {regimen.elective_bed10:g})"
    per_fraction = regimen.dose_per_fraction_gy or (regimen.dose_gy / regimen.fractions if regimen.fractions else 0)
    return RegimenView(
        label=regimen.label or "", dose=f"{regimen.dose_gy:g} Gy in {regimen.fractions} fraction"
        + ("s" if regimen.fractions != 1 else ""), dose_per_fraction=f"{per_fraction:g} Gy",
        bed10=f"{regimen.bed10:g} Gy", nominal=bool(regimen.bed10_nominal), role=regimen.role, elective=elective,
        text=regimen_text(regimen),
    )


def recommendation_view(rec: Recommendation) -> RecommendationView:
    facts = tuple(fact_row(f.name, {"value": f.value, "origin": f.origin or "documented", "sources": f.sources,
                                    "method": f.method}, label=f.label[:1].upper() + f.label[1:])
                  for f in rec.facts)
    return RecommendationView(
        rec=rec, title=CODE_TITLES.get(rec.code, rec.code),
        symbol=AVOID_SYMBOL if is_avoid(rec) else PRIORITY_SYMBOL.get(rec.priority, ""),
        needs_review=rec.evidence_status == "needs-clinical-review",
        regimens=tuple(_regimen_view(r) for r in rec.regimens), facts=facts,
    )


@dataclass(frozen=True)
class EligibilityView:
    name: str
    title: str
    eligibility: Eligibility
    symbol: str
    patient_level: bool = False


def _lesion_fact_rows(lesion: Mapping[str, Any]) -> list[FactRow]:
    """Every fact of one lesion, with its provenance, in the state's order."""
    rows: list[FactRow] = []
    for name, value in lesion.items():
        if _is_fact(value):
            rows.append(fact_row(name, value))
        elif name in ("sins_components", "mirels_components") and isinstance(value, dict):
            score, labels = (("SINS", SINS_COMPONENT_LABELS) if name == "sins_components"
                             else ("Mirels", MIRELS_COMPONENT_LABELS))
            for component, fact in value.items():
                rows.append(fact_row(component, fact, label=f"{score}: {labels.get(component, component).lower()}"))
        elif name in ("sins", "mirels") and isinstance(value, dict):
            total = value.get("total")
            shown = str(total) if total is not None else f"{value.get('minimum')}–{value.get('maximum')}"
            band = value.get("band") or "/".join(value.get("bands") or ())
            rows.append(FactRow(name=name, label=f"{value.get('name', name)} (as used by the rules)",
                                value=f"{shown} ({band})" if band else shown, documented=False,
                                origin=str(value.get("origin") or "derived"),
                                method=str(value.get("note") or "sum of the component points"),
                                sources=tuple(value.get("sources") or ())))
        elif name == "prior_rt" and isinstance(value, dict) and _is_fact(value.get("at_site")):
            rows.append(fact_row("prior_rt", value["at_site"]))
    return rows


def prior_rt_text(lesion: Mapping[str, Any]) -> str | None:
    prior = lesion.get("prior_rt")
    if not isinstance(prior, dict) or _value(prior, "at_site") is not True:
        return None
    parts = ["Previously irradiated at this site"]
    if prior.get("dose_known") and prior.get("total_dose_gy") is not None:
        parts.append(f"{value_text(prior['total_dose_gy'])} Gy in {prior.get('fractions', '?')} fractions")
    else:
        parts.append("dose not documented")
    if prior.get("last_course_date"):
        parts.append(f"last course {prior['last_course_date']}")
    if prior.get("interval_months") is not None:
        parts.append(f"{value_text(prior['interval_months'])} months ago")
    if prior.get("cord_bed2") is not None:
        parts.append(f"cord BED2 {value_text(prior['cord_bed2'])} Gy2")
    return "; ".join(parts)


@dataclass(frozen=True)
class LesionView:
    lesion: Lesion
    number: int
    anchor: str
    title: str
    levels: str
    urgency: Urgency
    state: Mapping[str, Any]
    recommendations: tuple[RecommendationView, ...]
    eligibility: tuple[EligibilityView, ...]
    sins: ScoreView | None
    mirels: ScoreView | None
    bilsky_grade: str | None
    bilsky_group: str | None
    bilsky_meaning: str | None
    key_facts: tuple[FactRow, ...]
    prior_rt: str | None
    prior_rt_at_site: bool | None
    data_gaps: tuple[DataGap, ...]
    fact_rows: tuple[FactRow, ...]

    @property
    def is_spine(self) -> bool:
        return self.lesion.region == "spine"


LESION_KEY_FACTS = ("cord_compression", "pathological_fracture", "impending_fracture", "painful", "pain_score",
                    "lesion_type", "size_cm", "cortical_involvement", "postoperative", "planned_surgery",
                    "high_risk_site", "near_cord")



def _lesion_view(evaluation: Evaluation, lesion: Lesion, number: int, anchor: str, urgency: Urgency) -> LesionView:
    state = _state_lesion(evaluation, lesion.id)
    recs = ordered(evaluation.recommendations_for(lesion.id))
    grade_fact = state.get("bilsky_grade")
    grade = str(grade_fact["value"]) if _is_fact(grade_fact) else None
    key_facts = [fact_row(name, state.get(name)) for name in LESION_KEY_FACTS if _is_fact(state.get(name))]
    if lesion.region == "spine" and not _is_fact(state.get("cord_compression")):
        key_facts.insert(0, fact_row("cord_compression", None))
    title = site_label(lesion)
    title = title[:1].upper() + title[1:] if lesion.site == "unspecified" else title
    return LesionView(
        lesion=lesion, number=number, anchor=anchor, title=title,
        levels=level_range_label(lesion.levels) if lesion.levels else "", urgency=urgency, state=state,
        recommendations=tuple(recommendation_view(r) for r in recs),
        eligibility=tuple(EligibilityView(name, e.title or name, e, VERDICT_SYMBOL.get(e.status, ""))
                          for name, e in lesion.eligibility.items())
        # a patient-level verdict (oligometastatic SABR) is shown with every lesion it decides for
        + tuple(EligibilityView(name, f"{e.title or name} — for the whole patient", e, VERDICT_SYMBOL.get(e.status, ""),
                                patient_level=True) for name, e in evaluation.patient_eligibility.items()),
        sins=score_view(state.get("sins"), SINS_POINTS, SINS_COMPONENT_LABELS),
        mirels=score_view(state.get("mirels"), MIRELS_POINTS, MIRELS_COMPONENT_LABELS),
        bilsky_grade=grade, bilsky_group=BILSKY_GROUP.get(grade or ""), bilsky_meaning=BILSKY_MEANING.get(grade or ""),
        key_facts=tuple(key_facts), prior_rt=prior_rt_text(state),
        prior_rt_at_site=_value(state["prior_rt"], "at_site") if isinstance(state.get("prior_rt"), dict) else None,
        data_gaps=tuple(g for g in evaluation.data_gaps if g.lesion == lesion.id),
        fact_rows=tuple(_lesion_fact_rows(state)),
    )


def _state_lesion(evaluation: Evaluation, lesion_id: str) -> Mapping[str, Any]:
    for lesion in evaluation.state.get("lesions") or ():
        if isinstance(lesion, dict) and lesion.get("id") == lesion_id:
            return lesion
    return {}


@dataclass(frozen=True)
class Banner:
    lesion_title: str
    anchor: str
    text: str
    timing: str = ""


@dataclass(frozen=True)
class GlanceRow:
    """One lesion in the "at a glance" table: its top recommendation and regimen (page 1 of a print)."""

    lesion: LesionView
    label: str
    """Urgent, Preferred, Alternative; "" when there is no recommendation to act on."""
    title: str
    summary: str
    regimen: str
    timing: str
    avoid: tuple[str, ...]


@dataclass
class ReportView:
    evaluation: Evaluation
    title: str
    subtitle: str
    lesions: list[LesionView]
    skeleton: SkeletonMap
    summary: list[FactRow]
    neurology: list[FactRow]
    survival_models: list[SurvivalModelRow]
    survival_how: str
    patient_facts: list[FactRow]
    urgent: list[Banner]
    patient_gaps: list[DataGap]
    citations: list[Citation] = field(default_factory=list)
    deceased: str | None = None
    """One line for a deceased patient (then no recommendations are shown)."""
    glance: list[GlanceRow] = field(default_factory=list)
    confirm: list[str] = field(default_factory=list)

    @property
    def ruleset_short_sha(self) -> str:
        return self.evaluation.ruleset.sha256[:12]


def _survival_how(state: Mapping[str, Any]) -> str:
    fact = state.get("expected_survival_months")
    if not _is_fact(fact):
        return "Expected survival is not documented and could not be derived from a prognostic model."
    if fact.get("origin") == "derived":
        return f"Derived: {fact.get('method') or 'from a prognostic model'}."
    return "Documented in the record (" + (", ".join(fact.get("sources") or ()) or "source not named") + ")."


def _patient_fact_rows(state: Mapping[str, Any]) -> list[FactRow]:
    rows = [fact_row(name, value) for name, value in state.items() if _is_fact(value)]
    neurology = state.get("neurology") or {}
    rows += [fact_row(name, value) for name, value in neurology.items() if _is_fact(value)]
    return rows


def lesion_order(evaluation: Evaluation) -> list[tuple[Lesion, Urgency]]:
    """The lesions most urgent first (record order otherwise), each with its urgency."""
    graded: list[tuple[int, int, Lesion, Urgency]] = []
    for i, lesion in enumerate(evaluation.lesions):
        urgency = classify(_state_lesion(evaluation, lesion.id), evaluation.recommendations_for(lesion.id))
        graded.append((URGENCY_ORDER.index(urgency.level), i, lesion, urgency))
    graded.sort(key=lambda item: (item[0], item[1]))
    return [(lesion, urgency) for _, _, lesion, urgency in graded]


def build_report(evaluation: Evaluation) -> ReportView:
    taken: set[str] = set()
    views = [_lesion_view(evaluation, lesion, n, anchor_for(lesion.id, taken), urgency)
             for n, (lesion, urgency) in enumerate(lesion_order(evaluation), start=1)]
    skeleton = build_map([
        MapLesion(lesion_id=v.lesion.id, anchor=v.anchor, number=v.number, site=v.lesion.site,
                  region=v.lesion.region, levels=tuple(v.lesion.levels),
                  bone=v.lesion.bone or (v.state.get("bone") if isinstance(v.state.get("bone"), str) else None),
                  side=v.state.get("laterality") if isinstance(v.state.get("laterality"), str) else None,
                  urgency=v.urgency.level, symbol=v.urgency.symbol, urgency_text=v.urgency.text,
                  prior_rt=v.urgency.prior_rt)
        for v in views
    ])
    deceased = deceased_text(evaluation.patient)
    urgent = [] if deceased else [
        Banner(v.title, v.anchor, f"{r.title}: {r.rec.summary}", r.rec.timing or "")
        for v in views for r in v.recommendations if r.rec.priority == "urgent" and not is_avoid(r.rec)]
    glance = [] if deceased else [_glance_row(v) for v in views]
    patient = evaluation.patient
    who = ", ".join(p for p in (f"{patient.age} years" if patient.age is not None else "age not documented",
                                patient.sex or "sex not documented"))
    citations: dict[str, Citation] = {}
    for rec in evaluation.recommendations:
        for c in rec.citations:
            citations.setdefault(c.key, c)
    return ReportView(
        evaluation=evaluation, title=f"Patient {patient.id}", subtitle=who, lesions=views, skeleton=skeleton,
        summary=summary_rows(evaluation.state), neurology=neurology_rows(evaluation.state),
        survival_models=survival_rows(evaluation.state), survival_how=_survival_how(evaluation.state),
        patient_facts=_patient_fact_rows(evaluation.state), urgent=urgent,
        patient_gaps=[g for g in evaluation.data_gaps if g.lesion is None], citations=list(citations.values()),
        deceased=deceased, glance=glance, confirm=[] if deceased else confirm_items(evaluation),
    )


def _glance_row(view: LesionView) -> GlanceRow:
    recs = [r.rec for r in view.recommendations]
    top = top_recommendation(recs)
    avoid = tuple(r.summary for r in recs if is_avoid(r))
    if top is None:
        return GlanceRow(view, "", "No treatment recommendation", "", "", "", avoid)
    regimen = main_regimen(top)
    return GlanceRow(view, action_label(top), CODE_TITLES.get(top.code, top.code), top.summary,
                     regimen_text(regimen) if regimen else "", top.timing or "", avoid)

