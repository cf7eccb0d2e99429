"""The Markdown view (chart notes, tickets, review documents)."""

from __future__ import annotations

from collections.abc import Sequence

from cds.output import Evaluation
from cds.views.summary import CODE_TITLES, patient_lines, regimen_text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_evaluation(evaluation: Evaluation) -> str:
    p = evaluation.patient
    lines = [f"# Patient {p.id}", ""]
    lines.append(f"{p.age if p.age is not None else '?'} years, {p.sex or 'sex not documented'}. "
                 f"Evaluated {evaluation.evaluated_at} with ruleset {evaluation.ruleset.version} "
                 f"(`{evaluation.ruleset.sha256[:12]}`).")
    lines += ["", "| fact | value |", "|---|---|"]
    lines += [f"| {label} | {_cell(value)} |" for label, value in patient_lines(evaluation)]
    for lesion in evaluation.lesions:
        lines += ["", f"## {lesion.site} ({lesion.region})", "", f"Lesion `{lesion.id}`.", ""]
        recs = evaluation.recommendations_for(lesion.id)
        if recs:
            lines += ["| priority | recommendation | regimens | sources |", "|---|---|---|---|"]
            for rec in recs:
                regimens = "<br>".join(regimen_text(r) for r in rec.regimens) or "—"
                sources = ", ".join(f"[{c.label}]({c.url})" if c.url else c.label for c in rec.citations)
                review = " *(needs clinical review)*" if rec.evidence_status == "needs-clinical-review" else ""
                lines.append(f"| {rec.priority} | **{CODE_TITLES.get(rec.code, rec.code)}** ({rec.reason}): "
                             f"{_cell(rec.summary)}{review} | {regimens} | {sources} |")
            lines.append("")
            for rec in recs:
                lines.append(f"- **{CODE_TITLES.get(rec.code, rec.code)}** — {rec.rationale}")
        else:
            lines.append("No recommendation: see eligibility and data gaps.")
        for name, eligibility in lesion.eligibility.items():
            lines += ["", f"**{name}: {eligibility.status}**", ""]
            lines += [f"- {c.status}: {c.title or c.id} — {c.detail}" for c in eligibility.criteria]
        gaps = [g for g in evaluation.data_gaps if g.lesion == lesion.id]
        if gaps:
            lines += ["", "Data gaps:", ""]
            lines += [f"- {g.message} (needed for {', '.join(g.needed_for)})" for g in gaps]
    patient_gaps = [g for g in evaluation.data_gaps if g.lesion is None]
    if patient_gaps:
        lines += ["", "## Patient-level data gaps", ""]
        lines += [f"- {g.message} (needed for {', '.join(g.needed_for)})" + (
            f" — {g.how_to_document}" if g.how_to_document else "") for g in patient_gaps]
    if evaluation.warnings:
        lines += ["", "## Warnings", ""]
        lines += [f"- {w.resource + ': ' if w.resource else ''}{w.message}" for w in evaluation.warnings]
    return "\n".join(lines) + "\n"


def render_all(evaluations: Sequence[Evaluation]) -> str:
    return "\n---\n\n".join(render_evaluation(e) for e in evaluations)
