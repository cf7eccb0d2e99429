"""The terminal view: per lesion, recommendations with regimen and BED, eligibility, citations, gaps."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cds.output import Evaluation
from cds.views.summary import CODE_TITLES, patient_lines, regimen_text

PRIORITY_STYLE = {"urgent": "bold red", "preferred": "bold green", "alternative": "cyan"}
VERDICT_STYLE = {"eligible": "green", "ineligible": "red", "undetermined": "yellow"}
STATUS_MARK = {"met": "✔", "not-met": "✘", "unknown": "?"}


def _patient_panel(evaluation: Evaluation) -> Panel:
    patient = evaluation.patient
    title = f"Patient {patient.id}"
    if patient.age is not None or patient.sex:
        title += f" — {patient.age if patient.age is not None else '?'} y, {patient.sex or 'sex not documented'}"
    table = Table.grid(padding=(0, 2))
    for label, value in patient_lines(evaluation):
        table.add_row(Text(label, style="dim"), Text(value, style="yellow" if value == "not documented" else ""))
    footer = Text(f"evaluated {evaluation.evaluated_at} · ruleset {evaluation.ruleset.version} "
                  f"({evaluation.ruleset.sha256[:12]}, {evaluation.ruleset.engine})", style="dim")
    return Panel(Group(table, footer), title=title, title_align="left")


def _lesion_panel(evaluation: Evaluation, lesion_id: str) -> Panel:
    lesion = evaluation.lesion(lesion_id)
    parts: list[object] = []
    recs = evaluation.recommendations_for(lesion_id)
    if recs:
        for rec in recs:
            line = Text()
            line.append(f"{rec.priority.upper():<11}", style=PRIORITY_STYLE.get(rec.priority, ""))
            line.append(f"{CODE_TITLES.get(rec.code, rec.code)}", style="bold")
            line.append(f" ({rec.reason})  ")
            line.append(rec.summary)
            parts.append(line)
            for regimen in rec.regimens:
                label = f"{regimen.label}: " if regimen.label else ""
                parts.append(Text(f"             {label}{regimen_text(regimen)}", style="magenta"))
            parts.append(Text(f"             {rec.rationale}", style="dim"))
            cites = ", ".join(c.label for c in rec.citations)
            review = "  [needs clinical review]" if rec.evidence_status == "needs-clinical-review" else ""
            parts.append(Text(f"             Sources: {cites}{review}", style="italic dim"))
    else:
        parts.append(Text("No recommendation (see eligibility and data gaps).", style="yellow"))
    for name, eligibility in lesion.eligibility.items():
        line = Text(f"{name}: ", style="bold")
        line.append(eligibility.status, style=VERDICT_STYLE.get(eligibility.status, ""))
        parts.append(line)
        for criterion in eligibility.criteria:
            if eligibility.status == "eligible" or criterion.status != "met":
                parts.append(Text(f"   {STATUS_MARK[criterion.status]} {criterion.id}: {criterion.detail}",
                                  style={"met": "green", "not-met": "red", "unknown": "yellow"}[criterion.status]))
    gaps = [g for g in evaluation.data_gaps if g.lesion == lesion_id]
    for gap in gaps:
        parts.append(Text(f"gap: {gap.message} (needed for {', '.join(gap.needed_for)})", style="yellow"))
    return Panel(Group(*parts), title=f"{lesion.site} — {lesion.region} ({lesion.id})", title_align="left")


def render_evaluation(evaluation: Evaluation, console: Console) -> None:
    console.print(_patient_panel(evaluation))
    for lesion in evaluation.lesions:
        console.print(_lesion_panel(evaluation, lesion.id))
    patient_gaps = [g for g in evaluation.data_gaps if g.lesion is None]
    if patient_gaps:
        table = Table(title="Patient-level data gaps", show_lines=False, title_justify="left")
        table.add_column("fact")
        table.add_column("needed for")
        table.add_column("how to document")
        for gap in patient_gaps:
            table.add_row(gap.fact, ", ".join(gap.needed_for), gap.how_to_document or "")
        console.print(table)
    for warning in evaluation.warnings:
        console.print(Text(f"warning: {warning.resource + ': ' if warning.resource else ''}{warning.message}",
                           style="dim yellow"))


def render_all(evaluations: Sequence[Evaluation], console: Console) -> None:
    for i, evaluation in enumerate(evaluations):
        if i:
            console.rule(style="dim")
        render_evaluation(evaluation, console)
