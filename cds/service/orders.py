"""Order checks for order-select and order-sign: a draft radiotherapy ServiceRequest against the
patient's evaluation.

The order's site is matched to a lesion (level or bone overlap), its regimen compared with the
lesion's recommendations (same dose and fractions in any recommended regimen is a match; an
``avoid`` regimen never matches). Findings:
- critical: SBRT or SIB-IMRT at a lesion with SINS ≥ 13, high-grade ESCC (Bilsky 2–3) or MESCC;
  SIB-IMRT at a previously irradiated site;
- warning: 16–18 Gy × 1 to the spine (RTOG 0631); 8 Gy × 1 for MESCC with expected survival
  > 6 months; a regimen not among the recommendations (or unreadable, or at no known lesion).
No finding → no card. Suggestions replace the draft order, in its entirety, with a recommended
regimen (``update`` actions).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from cds.output import Evaluation, Lesion, Recommendation
from cds.service.cards import (
    ORDER_VERB,
    BuiltCard,
    CardSettings,
    apply_regimen,
    clip,
    fact_value,
    md,
    md_link,
    num,
    order_note,
    orderable_regimens,
    override_reasons,
    prune,
    regimen_text,
    report_link,
    source,
    technique_of,
)
from fhir_mappings.orders import DraftRadiotherapyOrder

Severity = Literal["critical", "warning"]
_TOLERANCE = 0.01


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    text: str


def _same(a: float, b: float) -> bool:
    return abs(a - b) < _TOLERANCE


def _bone_key(bone: str) -> tuple[str | None, str]:
    words = bone.lower().split()
    if words and words[0] in ("left", "right", "bilateral"):
        return words[0], " ".join(words[1:])
    return None, " ".join(words)


def _same_bone(a: str, b: str) -> bool:
    (side_a, bone_a), (side_b, bone_b) = _bone_key(a), _bone_key(b)
    return bone_a == bone_b and (side_a is None or side_b is None or side_a == side_b)


def match_lesion(evaluation: Evaluation, order: DraftRadiotherapyOrder) -> Lesion | None:
    """The lesion the order treats: shared vertebral level, the same bone, or the same site label."""
    for lesion in evaluation.lesions:
        if order.levels and set(order.levels) & set(lesion.levels):
            return lesion
        if order.bones and lesion.bone and any(_same_bone(b, lesion.bone) for b in order.bones):
            return lesion
        if order.site and order.site == lesion.site:
            return lesion
    return None


def _lesion_state(evaluation: Evaluation, lesion_id: str) -> dict[str, Any]:
    for item in evaluation.state.get("lesions", []):
        if isinstance(item, dict) and item.get("id") == lesion_id:
            return item
    return {}


def _ablative(order: DraftRadiotherapyOrder) -> tuple[bool, str]:
    """(is SBRT/SIB-IMRT, how it is named). An uncoded technique with an ablative dose per fraction
    (≥ 7 Gy in ≤ 5 fractions, other than 8 Gy × 1) is presumed stereotactic."""
    if order.technique == "sbrt":
        return True, "SBRT"
    if order.technique == "sib-imrt":
        return True, "SIB-IMRT"
    if order.technique is None and order.dose_gy and order.fractions and order.fractions <= 5:
        per = order.dose_gy / order.fractions
        if per >= 7 and not (_same(order.dose_gy, 8) and order.fractions == 1):
            return True, "presumed SBRT (ablative dose per fraction)"
    return False, ""


def findings_for(evaluation: Evaluation, order: DraftRadiotherapyOrder, lesion: Lesion | None) -> list[Finding]:
    out: list[Finding] = []
    regimen = (regimen_text(order.dose_gy, order.fractions)
               if order.dose_gy is not None and order.fractions is not None else None)
    if lesion is None:
        where = f"at {order.site}" if order.site else "without a treatment site (bodySite)"
        out.append(Finding("warning", "no-lesion", f"The order is {where}, which matches no documented bone "
                                                   "metastasis: it cannot be checked against the recommendations."))
        return out
    state = _lesion_state(evaluation, lesion.id)
    ablative, technique = _ablative(order)
    site = lesion.site
    if ablative:
        sins: dict[str, Any] = state["sins"] if isinstance(state.get("sins"), dict) else {}
        if isinstance(sins.get("minimum"), int) and sins["minimum"] >= 13:
            out.append(Finding("critical", "ablative-unstable-spine",
                               f"{technique} ordered at {site}, whose SINS is {sins.get('total') or sins['minimum']}"
                               " (≥ 13, unstable): stabilise first."))
        bilsky = fact_value(state, "bilsky_grade")
        if fact_value(state, "cord_compression") is True:
            grade = f", Bilsky {bilsky}" if bilsky else ""
            out.append(Finding("critical", "ablative-mescc",
                               f"{technique} ordered at {site} with spinal cord compression (MESCC{grade}): "
                               "decompress first."))
        elif bilsky in ("2", "3"):
            out.append(Finding("critical", "ablative-high-grade-escc",
                               f"{technique} ordered at {site} with high-grade ESCC (Bilsky {bilsky}): "
                               "decompress (separation surgery) first."))
    prior: dict[str, Any] = state["prior_rt"] if isinstance(state.get("prior_rt"), dict) else {}
    if order.technique == "sib-imrt" and fact_value(prior, "at_site") is True:
        out.append(Finding("critical", "sib-previously-irradiated",
                           f"SIB-IMRT ordered at {site}, which was irradiated before (Marazzi excludes "
                           "previously irradiated sites)."))
    if order.dose_gy is not None and order.fractions == 1 and 16 - _TOLERANCE <= order.dose_gy <= 18 + _TOLERANCE \
            and lesion.region == "spine":
        out.append(Finding("warning", "rtog-0631",
                           f"{num(order.dose_gy)} Gy × 1 to the spine ({site}): RTOG 0631 found no better pain "
                           "response than 8 Gy × 1."))
    survival = evaluation.state.get("expected_survival_months")
    months = survival.get("value") if isinstance(survival, dict) else None
    if order.dose_gy is not None and _same(order.dose_gy, 8) and order.fractions == 1 \
            and fact_value(state, "cord_compression") is True and isinstance(months, int | float) and months > 6:
        out.append(Finding("warning", "single-fraction-mescc-long-survival",
                           f"8 Gy × 1 for cord compression at {site} with expected survival {num(months)} months "
                           "(> 6): SCORAD III; prefer a multi-fraction course."))
    if regimen is None:
        out.append(Finding("warning", "regimen-unreadable",
                           "The order's dose and number of fractions could not be read: it cannot be checked."))
        return out
    recs = evaluation.recommendations_for(lesion.id)
    assert order.dose_gy is not None and order.fractions is not None
    avoided = [r for r in recs if r.code == "avoid" and any(
        _same(g.dose_gy, order.dose_gy) and g.fractions == order.fractions for g in r.regimens)]
    for rec in avoided:
        out.append(Finding("warning", "avoid-regimen", f"{regimen} at {site}: {rec.summary}."))
    if not matches(recs, order.dose_gy, order.fractions):
        out.append(Finding("warning", "not-recommended",
                           f"{regimen} at {site} is not among the recommended regimens for this lesion."))
    return out


def matches(recs: tuple[Recommendation, ...], dose_gy: float, fractions: int) -> bool:
    return any(_same(g.dose_gy, dose_gy) and g.fractions == fractions
               for rec in recs if rec.code != "avoid" for g in orderable_regimens(rec))


def _detail(order: DraftRadiotherapyOrder, lesion: Lesion | None, findings: list[Finding],
            recs: tuple[Recommendation, ...], settings: CardSettings) -> str:
    ordered = (regimen_text(order.dose_gy, order.fractions) if order.dose_gy is not None and order.fractions
               else "regimen not readable")
    lines = [f"**Draft order** {md(order.reference)}: {md(ordered)}"
             + (f" to {md(order.site)}" if order.site else "")
             + (f" ({md(order.technique)})" if order.technique else ""), "", "#### Findings"]
    lines += [f"- **{f.severity}**: {md(f.text)}" for f in findings]
    do = [r for r in recs if r.code != "avoid"]
    if lesion is not None:
        lines += ["", f"#### Recommended for {md(lesion.site)}"]
        if not do:
            lines.append("- No radiotherapy is recommended for this lesion now.")
        for rec in do:
            regimens = ", ".join(regimen_text(g.dose_gy, g.fractions) for g in rec.regimens)
            cites = "; ".join(md_link(c.label, c.url) for c in rec.citations)
            lines.append(f"- {md(rec.summary)} — {rec.priority}" + (f" ({md(regimens)})" if regimens else "")
                         + f". {cites}")
    if order.warnings:
        lines += ["", "#### Reading the order"] + [f"- {md(w)}" for w in order.warnings]
    lines += ["", md_link("Full evaluation report", settings.report_url)]
    return "\n".join(lines)


def order_card(evaluation: Evaluation, order: DraftRadiotherapyOrder, resource: dict[str, Any] | None,
               settings: CardSettings) -> BuiltCard | None:
    lesion = match_lesion(evaluation, order)
    findings = findings_for(evaluation, order, lesion)
    if not findings:
        return None
    findings.sort(key=lambda f: f.severity != "critical")
    recs = evaluation.recommendations_for(lesion.id) if lesion else ()
    suggestions: list[dict[str, Any]] = []
    remembered: dict[str, dict[str, Any]] = {}
    if lesion is not None and resource is not None:
        recommended_done = False
        for rec in recs:
            regimens = orderable_regimens(rec)
            if not regimens:
                continue
            regimen, technique = regimens[0], technique_of(rec.code)
            is_recommended = not recommended_done and rec.priority in ("urgent", "preferred")
            recommended_done = recommended_done or is_recommended
            sid = str(uuid.uuid4())
            label = clip(f"{ORDER_VERB[technique]} {regimen_text(regimen.dose_gy, regimen.fractions)} instead", 120)
            elective = regimen.elective_dose_gy if technique == "sib-imrt" else None
            suggestions.append({
                "label": label, "uuid": sid, "isRecommended": is_recommended,
                "actions": [{
                    "type": "update",
                    "description": "Change the draft order to "
                                   f"{order_note(regimen.dose_gy, regimen.fractions, elective)}",
                    "resource": apply_regimen(resource, regimen, technique, lesion.site),
                }],
            })
            remembered[sid] = {"label": label, "code": rec.code, "rules": list(rec.rules),
                               "regimen": [regimen.dose_gy, regimen.fractions]}
    severity = "critical" if any(f.severity == "critical" for f in findings) else "warning"
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": clip(findings[0].text),
        "indicator": severity,
        "detail": _detail(order, lesion, findings, recs, settings),
        "source": source(settings, "order-check"),
        "overrideReasons": override_reasons(),
        "links": [report_link(settings)],
    }
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = "at-most-one"
    rules = list(dict.fromkeys(rule for rec in recs for rule in rec.rules))
    return BuiltCard(card=prune(card), lesion=lesion.id if lesion else None,
                     rule_ids=[f"order-check.{f.code}" for f in findings] + rules,
                     codes=[f.code for f in findings], suggestions=remembered)


def order_cards(evaluation: Evaluation, orders: list[DraftRadiotherapyOrder],
                resources: dict[str, dict[str, Any]], settings: CardSettings) -> list[BuiltCard]:
    cards = [order_card(evaluation, order, resources.get(order.reference), settings) for order in orders]
    out = [c for c in cards if c is not None]
    out.sort(key=lambda c: c.card["indicator"] != "critical")
    return out


def draft_resources(bundle: Any) -> dict[str, dict[str, Any]]:
    """ServiceRequests of a draftOrders Bundle by ``ServiceRequest/<id>`` (and fullUrl)."""
    out: dict[str, dict[str, Any]] = {}
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "ServiceRequest":
            if isinstance(resource.get("id"), str):
                out[f"ServiceRequest/{resource['id']}"] = resource
            if isinstance(entry.get("fullUrl"), str):
                out[entry["fullUrl"]] = resource
    return out
