"""Evaluation → CDS Hooks cards. A card is a VIEW of the evaluation contract: nothing here decides
anything clinical; it only chooses what to show, how loudly, and what to offer to order.

One card per lesion (plus one patient-level card when patient-level data are missing; a deceased
patient gets one information card and no treatment card):
- ``indicator``: critical for an urgent surgical referral or cord compression at the lesion,
  warning when an ``avoid`` output exists, info otherwise;
- ``summary`` < 140 characters; ``detail`` short Markdown (≤ 1,000 characters): the recommendation
  with its timing and regimen, why in a sentence or two, what to confirm, the other options and what
  not to do in a line each, the top citation. Eligibility tables, every citation and every data gap
  stay in the full report the card links to (once, in ``links``);
- a ``create`` suggestion (a complete draft ServiceRequest) per recommendation with a concrete
  regimen, ``selectionBehavior: at-most-one``, the preferred one ``isRecommended``;
- coded ``overrideReasons`` with displays, and a link to the full evaluation report.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import orjson

from cds.output import Evaluation, Lesion, Recommendation, RegimenOut
from cds.views.summary import deceased_text, gap_text, ordered

SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
PLANNED_DOSE_URL = ("http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"
                    "codexrt-radiotherapy-dose-planned-to-volume")
RT_COURSE = {"system": SNOMED, "code": "1217123003", "display": "Radiotherapy course of treatment"}
RT_STEREOTACTIC = {"system": SNOMED, "code": "395096001", "display": "Stereotactic radiotherapy"}
TECHNIQUE_TEXT = {"conventional": "External beam radiotherapy", "sbrt": "Stereotactic body radiotherapy",
                  "sib-imrt": "IMRT with simultaneous integrated boost"}

OVERRIDE_REASON_SYSTEM = "http://bone-mets-cds.org/fhir/CodeSystem/override-reason"
OVERRIDE_REASONS: dict[str, str] = {
    "patient-preference": "Patient preference",
    "clinical-judgement": "Clinical judgement differs from the recommendation",
    "already-planned": "Already planned or done",
    "data-incorrect": "The record's data are incorrect or out of date",
    "not-applicable": "Not applicable to this patient",
}
TOPIC_SYSTEM = "http://bone-mets-cds.org/fhir/CodeSystem/card-topic"
TOPICS = {"lesion": "Radiotherapy recommendation for a bone metastasis",
          "patient-data": "Missing patient data", "order-check": "Radiotherapy order check",
          "patient-status": "Patient status"}

ORDERABLE_CODES = frozenset({"ebrt-8gy-1fx", "ebrt-20gy-5fx", "ebrt-30gy-10fx", "sbrt", "sib-imrt",
                             "prophylactic-rt"})
CODE_REGIMEN = {"ebrt-8gy-1fx": (8.0, 1), "ebrt-20gy-5fx": (20.0, 5), "ebrt-30gy-10fx": (30.0, 10)}
"""Conventional codes name their regimen; a recommendation may leave ``regimens`` empty for them."""
SUMMARY_LIMIT = 139
REPORT_PLACEHOLDER = "https://report.invalid/evaluation"
"""Stands for the (signed, expiring) report URL in card templates; see ``fresh_copy``."""
ORDER_VERB = {"conventional": "Order RT", "sbrt": "Order SBRT", "sib-imrt": "Order SIB-IMRT"}


@dataclass
class CardSettings:
    base_url: str
    report_url: str
    ruleset_version: str


@dataclass
class BuiltCard:
    """A card and what must be remembered about it to make sense of feedback later."""

    card: dict[str, Any]
    lesion: str | None
    rule_ids: list[str]
    codes: list[str]
    suggestions: dict[str, dict[str, Any]] = field(default_factory=dict)


# --------------------------------------------------------------------------- small helpers


def clip(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:—-") + "…"


def prune(value: Any) -> Any:
    """Drop None, empty strings, lists and objects everywhere (CDS Hooks forbids them)."""
    if isinstance(value, dict):
        out = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [prune(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value


_MD_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\|<>*_`[]"})


@lru_cache(maxsize=16384)
def md(text: str) -> str:
    """Text safe inside Markdown: no table breaks, no accidental HTML or emphasis. (Cached: the
    same criterion titles and rationales recur on every call.)"""
    return " ".join(str(text).split()).translate(_MD_ESCAPES)


def md_link(label: str, url: str | None) -> str:
    if not url:
        return md(label)
    return f"[{md(label)}]({quote(url, safe=':/?#=&%+~.,;@!$-')})"


def num(value: float) -> str:
    return f"{value:g}"


def regimen_text(dose_gy: float, fractions: int) -> str:
    return f"{num(dose_gy)} Gy in {fractions} fraction{'s' if fractions != 1 else ''}"


def source(settings: CardSettings, topic: str) -> dict[str, Any]:
    return {
        "label": f"Bone-mets RT decision support (ruleset {settings.ruleset_version})",
        "url": settings.base_url.rstrip("/") + "/",
        "topic": {"system": TOPIC_SYSTEM, "code": topic, "display": TOPICS[topic]},
    }


def override_reasons() -> list[dict[str, str]]:
    return [{"system": OVERRIDE_REASON_SYSTEM, "code": code, "display": display}
            for code, display in OVERRIDE_REASONS.items()]


def report_link(settings: CardSettings) -> dict[str, str]:
    return {"label": "Full evaluation report", "url": settings.report_url, "type": "absolute"}


def technique_of(code: str) -> str:
    return code if code in ("sbrt", "sib-imrt") else "conventional"


def orderable_regimens(rec: Recommendation) -> list[RegimenOut]:
    """The regimens one can order for a recommendation (never an ``avoid`` one)."""
    if rec.code not in ORDERABLE_CODES:
        return []
    regimens = [r for r in rec.regimens if r.role != "avoid"]
    if not regimens and rec.code in CODE_REGIMEN:
        dose, fractions = CODE_REGIMEN[rec.code]
        regimens = [RegimenOut(dose_gy=dose, fractions=fractions, bed10=0.0, role="definitive")]
    return regimens


def bed_text(regimen: RegimenOut) -> str:
    if not regimen.bed10:
        return ""
    text = f"BED10 {regimen.bed10:g} Gy"
    if regimen.bed10_nominal:
        text += " (nominal: LQ model beyond about 8 Gy per fraction)"
    if regimen.elective_dose_gy and regimen.elective_bed10:
        text += f"; compartment {num(regimen.elective_dose_gy)} Gy, BED10 {regimen.elective_bed10:g} Gy"
    return text


# --------------------------------------------------------------------------- draft orders


def planned_dose_extension(volume: str, dose_gy: float, fractions: int) -> dict[str, Any]:
    return {
        "url": PLANNED_DOSE_URL,
        "extension": [
            {"url": "volume", "valueReference": {"display": volume}},
            {"url": "totalDose", "valueQuantity": {"value": round(dose_gy * 100, 2), "unit": "cGy",
                                                   "system": UCUM, "code": "cGy"}},
            {"url": "fractions", "valueUnsignedInt": fractions},
        ],
    }


def order_note(dose_gy: float, fractions: int, elective_dose_gy: float | None = None) -> str:
    text = regimen_text(dose_gy, fractions)
    if elective_dose_gy:
        text += f" (SIB; {regimen_text(elective_dose_gy, fractions)} to the bone compartment)"
    return text


def apply_regimen(order: dict[str, Any], regimen: RegimenOut, technique: str, site: str) -> dict[str, Any]:
    """The order with its regimen, technique code and note set to ``regimen`` (other fields kept)."""
    out = copy.deepcopy(order)
    others = [e for e in out.get("extension", []) if isinstance(e, dict) and e.get("url") != PLANNED_DOSE_URL]
    elective = regimen.elective_dose_gy if technique == "sib-imrt" else None
    planned = [planned_dose_extension(f"{site} boost (PTV1)" if elective else site, regimen.dose_gy,
                                      regimen.fractions)]
    if elective:
        planned.append(planned_dose_extension(f"{site} bone compartment (PTV2)", elective, regimen.fractions))
    out["extension"] = others + planned
    out["code"] = {"coding": [RT_STEREOTACTIC if technique == "sbrt" else RT_COURSE],
                   "text": TECHNIQUE_TEXT[technique]}
    out["note"] = [{"text": order_note(regimen.dose_gy, regimen.fractions, elective)}]
    for stale in ("quantityQuantity", "quantityRatio", "orderDetail"):
        out.pop(stale, None)  # would contradict the new regimen
    return out


def draft_order(patient_id: str, lesion: Lesion, regimen: RegimenOut, technique: str,
                body_site: Sequence[Any] | None) -> dict[str, Any]:
    """A complete draft R4 ServiceRequest for one regimen at one lesion."""
    order: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "reasonReference": [{"reference": lesion.id}],
    }
    if body_site:
        order["bodySite"] = copy.deepcopy(list(body_site))
    return apply_regimen(order, regimen, technique, lesion.site)


# --------------------------------------------------------------------------- detail (Markdown)

DETAIL_LIMIT = 1000
"""A card's detail stays short (≈ one screen in an EHR's card list); the eligibility tables, every
citation and every data gap are in the full report the card links to."""
WHY_LIMIT = 280


def first_sentences(text: str, limit: int = WHY_LIMIT) -> str:
    """The first sentence or two of ``text`` within ``limit`` characters."""
    text = " ".join(text.split())
    out = ""
    for sentence in re.split(r"(?<=[.;!?])\s+", text):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out or clip(text, limit)


def _regimen_line(regimen: RegimenOut) -> str:
    bed = bed_text(regimen)
    label = f"{md(regimen.label)}: " if regimen.label else ""
    role = "" if regimen.label else f" ({md(regimen.role)})"  # a labelled schedule says its role itself
    text = f"{label}{regimen_text(regimen.dose_gy, regimen.fractions)}{role}"
    return text + (f", {bed}" if bed else "")


def _evidence_line(rec: Recommendation) -> str:
    top = rec.citations[0]
    more = len(rec.citations) - 1
    text = md_link(top.label, top.url) + (f" (+{more} more in the report)" if more > 0 else "")
    if rec.evidence_status != "reviewed":
        text += f" · {md(rec.evidence_status.replace('-', ' '))}"
    return text


def _confirm_lines(evaluation: Evaluation, lesion: Lesion, recs: Sequence[Recommendation]) -> list[str]:
    items = [a.confirm for a in evaluation.assumptions if a.lesion in (lesion.id, None)]
    items += [item for rec in recs for item in rec.confirm]
    return list(dict.fromkeys(items))


def lesion_detail(evaluation: Evaluation, lesion: Lesion, recs: Sequence[Recommendation],
                  settings: CardSettings) -> str:
    """The recommendation, why in a sentence or two, what to confirm, the top citation — at most
    ``DETAIL_LIMIT`` characters (the report link is the card's link, not repeated here)."""
    do = ordered([r for r in recs if r.code != "avoid"])
    avoid = [r for r in recs if r.code == "avoid"]
    gaps = [g for g in evaluation.data_gaps if g.lesion == lesion.id]
    top = do[0] if do else None
    lines: list[str] = []
    if top is not None:
        head = f"**{md(top.summary)}** · {top.priority}"
        if top.timing:
            head += f" · **{md(top.timing)}**"
        lines += [head, ""]
        regimen = next((r for r in top.regimens if r.role != "avoid"), None)
        if regimen is not None:
            lines.append(f"- Regimen: {_regimen_line(regimen)}")
        lines.append(f"- Why: {md(first_sentences(top.rationale))}")
        lines += [f"- Now: {md(text)}" for text in urgent_caveats(top)]
    else:
        lines += ["No radiotherapy or surgery is recommended for this lesion now"
                  + (f": {len(gaps)} data gap{'s' if len(gaps) != 1 else ''} to document." if gaps else "."), ""]
    # In the order of what matters when the card must be cut to DETAIL_LIMIT (the last lines go first).
    if top is not None:
        lines.append(f"- Evidence: {_evidence_line(top)}")
    confirm = _confirm_lines(evaluation, lesion, recs)
    if confirm:
        lines.append("- **Confirm before acting:** " + "; ".join(md(c) for c in confirm))
    for rec in avoid[:2]:
        lines.append(f"- ✘ {md(clip(rec.summary, 160))}")  # what not to do, never headed by a priority
    for rec in do[1:3]:
        lines.append(f"- Also ({rec.priority}): {md(clip(rec.summary, 160))}")
    if len(do) > 3:
        lines.append(f"- {len(do) - 3} more option{'s' if len(do) > 4 else ''} in the report")
    if gaps and top is not None:
        lines.append(f"- {len(gaps)} data gap{'s' if len(gaps) != 1 else ''} to document (listed in the report)")
    return _within(lines, DETAIL_LIMIT)


def urgent_caveats(rec: Recommendation) -> list[str]:
    """The caveats that go with an urgent referral (cord compression: dexamethasone, whole-spine MRI):
    said on the card itself, not only in the report. Their text comes from the rules (caveats.yaml)."""
    if rec.priority != "urgent":
        return []
    texts = _referral_caveat_texts()
    return [texts[rule] for rule in rec.rules if rule in texts]


@lru_cache(maxsize=1)
def _referral_caveat_texts() -> dict[str, str]:
    """Caveat id → its text, for the caveats that go with a surgical referral (built once)."""
    from cds.rules_engine.loader import default_ruleset

    return {c.id: " ".join(c.spec.text.split()) for c in default_ruleset().caveats
            if "surgical-referral" in c.spec.applies_to}


def _within(lines: list[str], limit: int) -> str:
    """The lines joined, dropping trailing ones (never the first) until the text fits ``limit``."""
    while len(lines) > 1 and len("\n".join(lines)) > limit:
        lines = lines[:-1]
    text = "\n".join(lines)
    return text if len(text) <= limit else clip(text, limit)


# --------------------------------------------------------------------------- cards


def _lesion_state(evaluation: Evaluation, lesion_id: str) -> dict[str, Any]:
    for item in evaluation.state.get("lesions", []):
        if isinstance(item, dict) and item.get("id") == lesion_id:
            return item
    return {}


def fact_value(state: dict[str, Any], name: str) -> Any:
    fact = state.get(name)
    return fact.get("value") if isinstance(fact, dict) else None


def cord_compression(evaluation: Evaluation, lesion_id: str) -> bool:
    return fact_value(_lesion_state(evaluation, lesion_id), "cord_compression") is True


def indicator_for(evaluation: Evaluation, lesion_id: str, recs: Sequence[Recommendation]) -> str:
    if any(r.code == "surgical-referral" and r.priority == "urgent" for r in recs) or cord_compression(
            evaluation, lesion_id):
        return "critical"
    if any(r.code == "avoid" for r in recs):
        return "warning"
    return "info"


def site_text(lesion: Lesion) -> str:
    return "Site not documented" if lesion.site == "unspecified" else lesion.site


def _summary(lesion: Lesion, recs: Sequence[Recommendation], gaps: int) -> str:
    do = ordered([r for r in recs if r.code != "avoid"])
    top = (do or list(recs))[0] if recs else None
    site = site_text(lesion)
    if top is None:
        text = (f"{site}: no recommendation yet — {gaps} data gap{'s' if gaps != 1 else ''} to document" if gaps
                else f"{site}: no radiotherapy or surgery recommended now")
    else:
        text = top.summary if lesion.site in top.summary else f"{site}: {top.summary}"
        if top.timing and len(text) + len(top.timing) + 3 <= SUMMARY_LIMIT:
            text += f" — {top.timing}"
        if len(do) > 1:
            text += f" (+{len(do) - 1} option{'s' if len(do) > 2 else ''})"
    return clip(text)


def lesion_card(evaluation: Evaluation, lesion: Lesion, settings: CardSettings,
                body_sites: dict[str, list[Any]]) -> BuiltCard:
    recs = evaluation.recommendations_for(lesion.id)
    gaps = sum(1 for g in evaluation.data_gaps if g.lesion == lesion.id)
    suggestions: list[dict[str, Any]] = []
    remembered: dict[str, dict[str, Any]] = {}
    recommended_done = False
    for rec in recs:
        regimens = orderable_regimens(rec)
        if not regimens:
            continue
        regimen, technique = regimens[0], technique_of(rec.code)
        what = regimen_text(regimen.dose_gy, regimen.fractions)
        label = clip(f"{ORDER_VERB[technique]} {what} to {lesion.site}", 120)
        elective = regimen.elective_dose_gy if technique == "sib-imrt" else None
        is_recommended = not recommended_done and rec.priority in ("urgent", "preferred")
        recommended_done = recommended_done or is_recommended
        suggestion_id = str(uuid.uuid4())
        suggestions.append({
            "label": label,
            "uuid": suggestion_id,
            "isRecommended": is_recommended,
            "actions": [{
                "type": "create",
                "description": "Create a draft radiotherapy order: "
                               f"{order_note(regimen.dose_gy, regimen.fractions, elective)} to {lesion.site}",
                "resource": draft_order(evaluation.patient.id, lesion, regimen, technique,
                                        body_sites.get(lesion.id)),
            }],
        })
        remembered[suggestion_id] = {"label": label, "code": rec.code, "rules": list(rec.rules),
                                     "regimen": [regimen.dose_gy, regimen.fractions]}
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": _summary(lesion, recs, gaps),
        "indicator": indicator_for(evaluation, lesion.id, recs),
        "detail": lesion_detail(evaluation, lesion, recs, settings),
        "source": source(settings, "lesion"),
        "overrideReasons": override_reasons(),
        "links": [report_link(settings)],
    }
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = "at-most-one"
    rule_ids = list(dict.fromkeys(rule for rec in recs for rule in rec.rules))
    return BuiltCard(card=prune(card), lesion=lesion.id, rule_ids=rule_ids,
                     codes=list(dict.fromkeys(r.code for r in recs)), suggestions=remembered)


PATIENT_GAPS_SHOWN = 8


def patient_card(evaluation: Evaluation, settings: CardSettings) -> BuiltCard | None:
    """Patient-level data gaps (and input warnings) in one card; None when nothing is missing."""
    gaps = [g for g in evaluation.data_gaps if g.lesion is None]
    if not gaps:
        return None
    lines = ["Documenting these would let the rules decide more confidently:", ""]
    for gap in gaps[:PATIENT_GAPS_SHOWN]:
        lines.append(f"- {md(gap_text(gap))}")
    if len(gaps) > PATIENT_GAPS_SHOWN:
        lines.append(f"- {len(gaps) - PATIENT_GAPS_SHOWN} more, with how to document each, in the report")
    if evaluation.warnings:
        lines.append(f"- {len(evaluation.warnings)} input warning{'s' if len(evaluation.warnings) != 1 else ''} "
                     "(in the report)")
    names = ", ".join(dict.fromkeys(g.fact.replace("_", " ").replace("-", " ") for g in gaps))
    card = {
        "uuid": str(uuid.uuid4()),
        "summary": clip(f"Missing patient data limit the recommendations: {names}"),
        "indicator": "info",
        "detail": _within(lines, DETAIL_LIMIT),
        "source": source(settings, "patient-data"),
        "overrideReasons": override_reasons(),
        "links": [report_link(settings)],
    }
    return BuiltCard(card=prune(card), lesion=None, rule_ids=[], codes=[])


def deceased_card(evaluation: Evaluation, settings: CardSettings) -> BuiltCard:
    """The one card for a patient the record says has died: information only, nothing to order."""
    line = deceased_text(evaluation.patient) or "Recorded as deceased."
    card = {
        "uuid": str(uuid.uuid4()),
        "summary": clip(line),
        "indicator": "info",
        "detail": "The record says this patient has died, so no radiotherapy or surgery is suggested. "
                  "If that is wrong, correct the record (Patient.deceased) and reopen the chart.",
        "source": source(settings, "patient-status"),
        "links": [report_link(settings)],
    }
    return BuiltCard(card=prune(card), lesion=None, rule_ids=[], codes=[])


def patient_view_cards(evaluation: Evaluation, settings: CardSettings,
                       body_sites: dict[str, list[Any]] | None = None) -> list[BuiltCard]:
    """Cards for patient-view: one per lesion, most urgent first, then the patient-level card.
    No lesion → no card (``{"cards": []}``: no decision support to give). A deceased patient gets
    one information card and no treatment card."""
    if deceased_text(evaluation.patient):
        return [deceased_card(evaluation, settings)]
    if not evaluation.lesions:
        return []
    order = {"critical": 0, "warning": 1, "info": 2}
    cards = [lesion_card(evaluation, lesion, settings, body_sites or {}) for lesion in evaluation.lesions]
    cards.sort(key=lambda c: order[c.card["indicator"]])
    extra = patient_card(evaluation, settings)
    return cards + ([extra] if extra else [])


def fresh_copy(template: list[BuiltCard], report_url: str) -> list[BuiltCard]:
    """Cards built once for an evaluation (with REPORT_PLACEHOLDER as the report link), made new for
    one call: fresh card and suggestion uuids, the call's signed report link."""
    raw = orjson.dumps([built.card for built in template])
    cards = orjson.loads(raw.replace(REPORT_PLACEHOLDER.encode(), report_url.encode()))
    out: list[BuiltCard] = []
    for built, card in zip(template, cards, strict=True):
        card["uuid"] = str(uuid.uuid4())
        renamed: dict[str, str] = {}
        for suggestion in card.get("suggestions", []):
            renamed[suggestion["uuid"]] = suggestion["uuid"] = str(uuid.uuid4())
        out.append(BuiltCard(card=card, lesion=built.lesion, rule_ids=built.rule_ids, codes=built.codes,
                             suggestions={renamed[k]: v for k, v in built.suggestions.items()}))
    return out
