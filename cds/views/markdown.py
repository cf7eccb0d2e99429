"""The Markdown view (chart notes, tickets, review documents): the overview first, then the details."""

from __future__ import annotations

from collections.abc import Sequence

from cds.output import Evaluation, Recommendation
from cds.views.report_model import lesion_order
from cds.views.summary import (
    action_label,
    confirm_items,
    criterion_status_text,
    deceased_text,
    gap_text,
    is_avoid,
    key_facts_line,
    main_regimen,
    ordered,
    patient_lines,
    rec_title,
    regimen_text,
    site_label,
    top_recommendation,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _timing(rec: Recommendation) -> str:
    return f" — **{_cell(rec.timing)}**" if rec.timing else ""


def _overview(evaluation: Evaluation) -> list[str]:
    order = lesion_order(evaluation)
    lines: list[str] = []
    urgent = [(lesion, rec) for lesion, _ in order for rec in ordered(evaluation.recommendations_for(lesion.id))
              if rec.priority == "urgent" and not is_avoid(rec)]
    if urgent:
        lines += ["", "**⚠ Urgent**", ""]
        lines += [f"- **{site_label(lesion)}**: {rec.summary}{_timing(rec)}" for lesion, rec in urgent]
    if order:
        lines += ["", "| # | lesion | top recommendation | regimen |", "|---|---|---|---|"]
        for n, (lesion, urgency) in enumerate(order, start=1):
            top = top_recommendation(evaluation.recommendations_for(lesion.id))
            regimen = main_regimen(top) if top else None
            what = (f"{action_label(top)}: **{rec_title(top)}** ({top.reason}){_timing(top)}" if top
                    else "no treatment recommendation")
            lines.append(f"| {n} {urgency.symbol} | {_cell(site_label(lesion))} ({lesion.region}) | {_cell(what)} | "
                         f"{regimen_text(regimen) if regimen else '—'} |")
    confirm = confirm_items(evaluation)
    if confirm:
        lines += ["", "**Confirm before acting:**", ""]
        lines += [f"- {item}" for item in confirm]
    return lines


def render_evaluation(evaluation: Evaluation) -> str:
    p = evaluation.patient
    lines = [f"# Patient {p.id}", ""]
    lines.append(f"{p.age if p.age is not None else '?'} years, {p.sex or 'sex not documented'}. "
                 f"Evaluated {evaluation.evaluated_at} with ruleset {evaluation.ruleset.version} "
                 f"(`{evaluation.ruleset.sha256[:12]}`).")
    deceased = deceased_text(p)
    if deceased:
        lines += ["", f"**{deceased}**"]
    else:
        lines += _overview(evaluation)
    lines += ["", key_facts_line(evaluation) + ".", "", "| fact | value |", "|---|---|"]
    lines += [f"| {label} | {_cell(value)} |" for label, value in patient_lines(evaluation)]
    if deceased:
        return "\n".join(lines) + "\n"
    for lesion, _ in lesion_order(evaluation):
        lines += ["", f"## {site_label(lesion)} ({lesion.region})", "", f"Lesion `{lesion.id}`.", ""]
        recs = ordered(evaluation.recommendations_for(lesion.id))
        if recs:
            lines += ["| priority | recommendation | regimens | sources |", "|---|---|---|---|"]
            for rec in recs:
                regimens = "<br>".join(regimen_text(r) for r in rec.regimens) or "—"
                if is_avoid(rec) and rec.regimens:
                    regimens = "do not give " + regimens
                sources = ", ".join(f"[{c.label}]({c.url})" if c.url else c.label for c in rec.citations)
                review = " *(needs clinical review)*" if rec.evidence_status == "needs-clinical-review" else ""
                what = (f"**{_cell(rec.summary)}**" if is_avoid(rec)
                        else f"**{rec_title(rec)}** ({rec.reason}): {_cell(rec.summary)}")
                lines.append(f"| {action_label(rec).lower()} | {what}{_timing(rec)}{review} | {regimens} | {sources} |")
            lines.append("")
            for rec in recs:
                lines.append(f"- **{'Avoid' if is_avoid(rec) else rec_title(rec)}** — {rec.rationale}")
                lines += [f"  - Confirm before acting: {item}" for item in rec.confirm]
        if not any(not is_avoid(r) for r in recs):
            lines.append("No treatment recommendation: see eligibility and data gaps.")
        for name, eligibility in lesion.eligibility.items():
            lines += ["", f"**{name}: {eligibility.status}**", ""]
            lines += [f"- {criterion_status_text(c)}: {c.title or c.id} — {c.detail}" for c in eligibility.criteria]
        gaps = [g for g in evaluation.data_gaps if g.lesion == lesion.id]
        if gaps:
            lines += ["", "Data gaps:", ""]
            lines += [f"- {gap_text(g)} (needed for {', '.join(g.needed_for)})" for g in gaps]
    patient_gaps = [g for g in evaluation.data_gaps if g.lesion is None]
    if patient_gaps:
        lines += ["", "## Patient-level data gaps", ""]
        lines += [f"- {gap_text(g)} (needed for {', '.join(g.needed_for)})" + (
            f" — {g.how_to_document}" if g.how_to_document else "") for g in patient_gaps]
    if evaluation.warnings:
        lines += ["", "## Warnings", ""]
        lines += [f"- {w.resource + ': ' if w.resource else ''}{w.message}" for w in evaluation.warnings]
    return "\n".join(lines) + "\n"


def render_all(evaluations: Sequence[Evaluation]) -> str:
    return "\n---\n\n".join(render_evaluation(e) for e in evaluations)
