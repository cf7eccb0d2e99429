"""The terminal view: per patient a one-screen overview first, then the details.

The overview holds what a clinician reads before anything else: the urgent items (with their
timing), then each lesion's top recommendation with its regimen, most urgent lesion first, what to
confirm before acting, and the key facts. The details follow: the patient's facts, one panel per
lesion (recommendations with regimens, rationale and sources; eligibility; data gaps), the
patient-level data gaps and input warnings.

Layout is built from rich grids, so a long line wraps inside its own column (a hanging indent)
instead of restarting at the panel's edge, at 80 columns as at 200. ``render_evaluation`` draws
one patient and can be called as each evaluation arrives; :class:`cds.views.cohort.CohortSummary`
collects the closing summary of a multi-patient run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cds.output import Evaluation, Lesion, Recommendation
from cds.views.report_model import Urgency, lesion_order
from cds.views.summary import (
    STATUS_WORDS,
    action_label,
    assumption_text,
    deceased_text,
    findings_line,
    gap_text,
    is_avoid,
    key_facts_line,
    lesion_confirms,
    lesion_state,
    main_regimen,
    ordered,
    patient_lines,
    rec_title,
    regimen_text,
    site_label,
    top_recommendation,
    who_text,
)

MAX_WIDTH = 120
"""Panels stop at 120 columns: wider lines are hard to read (and the text wraps inside them)."""
LABEL_WIDTH = 11  # "ALTERNATIVE"
LABEL_STYLE = {"Urgent": "bold red", "Preferred": "bold green", "Alternative": "cyan", "Avoid": "bold yellow"}
VERDICT_STYLE = {"eligible": "green", "ineligible": "red", "undetermined": "yellow"}
STATUS_MARK = {"met": "✔", "not-met": "✘", "unknown": "?"}
STATUS_STYLE = {"met": "green", "not-met": "red", "unknown": "yellow"}
URGENCY_STYLE = {"critical": "bold red", "warning": "yellow", "other": "blue"}


def _grid(*widths: int | None) -> Table:
    """A borderless table whose cells wrap inside their column (a hanging indent); an int is a fixed
    column that wraps too, ``None`` takes the remaining width."""
    table = Table.grid(padding=(0, 1))
    for width in widths:
        if width is None:
            table.add_column(ratio=1, overflow="fold")
        else:
            table.add_column(width=width, overflow="fold")
    return table


def _site_width(lesions: Iterable[Lesion]) -> int:
    """Wide enough for most site names, never more than a fifth of an 80-column screen."""
    return min(max((len(site_label(lesion)) for lesion in lesions), default=4), 18)


def _label(rec: Recommendation) -> Text:
    label = action_label(rec)
    return Text(label.upper(), style=LABEL_STYLE.get(label, ""))


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def _urgent_line(rec: Recommendation) -> Text:
    text = Text(f"{rec_title(rec)}: ", style="bold") + Text(rec.summary)
    if rec.timing:
        text.append(f" — {rec.timing}", style="bold red")
    return text


def _top_line(rec: Recommendation | None, avoid: Sequence[Recommendation], gaps: int = 0) -> Text:
    """The overview's line for one lesion: its top recommendation with regimen, or why there is none."""
    if rec is None:
        text = Text("no treatment recommendation", style="yellow")
        if gaps:
            text.append(f" ({gaps} data gap{'s' if gaps != 1 else ''} to document)")
        if avoid:
            text.append(f"; {avoid[0].summary}")
        return text
    text = Text(rec_title(rec), style="bold")
    text.append(f" ({rec.reason})")
    regimen = main_regimen(rec)
    if regimen is not None:
        text.append(f" · {regimen_text(regimen)}", style="magenta")
    if rec.timing and rec.priority != "urgent":  # an urgent item's timing is in the Urgent block above
        text.append(f" · {rec.timing}", style="bold red")
    return text


def _overview(evaluation: Evaluation, order: list[tuple[Lesion, Urgency]]) -> Panel:
    parts: list[RenderableType] = []
    deceased = deceased_text(evaluation.patient)
    if deceased:
        parts.append(Text(deceased, style="bold"))
    else:
        urgent = [(lesion, rec) for lesion, _ in order for rec in ordered(evaluation.recommendations_for(lesion.id))
                  if rec.priority == "urgent" and not is_avoid(rec)]
        if urgent:
            parts.append(Text("⚠ Urgent", style="bold red"))
            grid = _grid(_site_width(lesion for lesion, _ in urgent), None)
            for lesion, rec in urgent:
                grid.add_row(Text(site_label(lesion), style="bold red"), _urgent_line(rec))
            parts += [grid, Text("")]
        if order:
            parts.append(_heading("Lesions, most urgent first"))
            grid = _grid(4, _site_width(lesion for lesion, _ in order), LABEL_WIDTH, None)
            for n, (lesion, urgency) in enumerate(order, start=1):
                recs = evaluation.recommendations_for(lesion.id)
                top = top_recommendation(recs)
                avoid = [r for r in recs if is_avoid(r)]
                grid.add_row(Text(f"{n} {urgency.symbol}", style=URGENCY_STYLE[urgency.level]),
                             Text(site_label(lesion)), _label(top) if top else Text("—", style="dim"),
                             _top_line(top, avoid, sum(1 for g in evaluation.data_gaps if g.lesion == lesion.id)))
                confirm = lesion_confirms(evaluation, lesion.id)
                if confirm:  # the silences this lesion's advice rests on, right under it
                    grid.add_row("", "", "", Text("confirm: " + "; ".join(confirm), style="yellow"))
            parts.append(grid)
        else:
            parts.append(Text("No bone metastasis is documented: no lesion to evaluate.", style="yellow"))
        confirm = lesion_confirms(evaluation, None)
        if confirm:
            parts += [Text(""), Text("Confirm before acting: ", style="bold yellow") + Text("; ".join(confirm))]
    parts += [Text(""), Text(key_facts_line(evaluation), style="dim")]
    title = f"Patient {evaluation.patient.id} · {who_text(evaluation.patient)}"
    return Panel(Group(*parts), title=Text(title, style="bold"), title_align="left")


def _patient_panel(evaluation: Evaluation) -> Panel:
    grid = _grid(None, None)
    grid.columns[0].ratio, grid.columns[1].ratio = 2, 5
    for label, value in patient_lines(evaluation):
        grid.add_row(Text(label, style="dim"), Text(value, style="yellow" if value == "not documented" else ""))
    footer = Text(f"evaluated {evaluation.evaluated_at} · ruleset {evaluation.ruleset.version} "
                  f"({evaluation.ruleset.sha256[:12]}, {evaluation.ruleset.engine})", style="dim")
    return Panel(Group(grid, footer), title="Patient facts", title_align="left")


def _recommendation(rec: Recommendation) -> Group:
    lines: list[RenderableType] = []
    head = Text(rec.summary, style="bold")
    if not is_avoid(rec):
        head = Text(f"{rec_title(rec)} ({rec.reason}): ", style="bold") + Text(rec.summary)
    if rec.timing:
        head.append(f" — {rec.timing}", style="bold red")
    lines.append(head)
    for regimen in rec.regimens:
        label = f"{regimen.label}: " if regimen.label else ""
        prefix = "do not give " if is_avoid(rec) or regimen.role == "avoid" else ""
        lines.append(Text(f"{prefix}{label}{regimen_text(regimen)}", style="magenta"))
    lines.append(Text(rec.rationale, style="dim"))
    cites = Text("Sources: " + "; ".join(c.label for c in rec.citations), style="italic dim")
    if rec.evidence_status == "needs-clinical-review":
        cites.append("  [needs clinical review]", style="yellow")
    lines.append(cites)
    for item in rec.confirm:
        lines.append(Text(f"Confirm before acting: {item}", style="yellow"))
    return Group(*lines)


def _lesion_panel(evaluation: Evaluation, lesion: Lesion, urgency: Urgency, number: int, total: int,
                  with_recommendations: bool) -> Panel:
    state = lesion_state(evaluation, lesion.id)
    parts: list[RenderableType] = [Text(f"{urgency.symbol} {urgency.text}", style=URGENCY_STYLE[urgency.level])]
    findings = findings_line(state, lesion.region)
    if findings:
        parts.append(Text(findings))
    parts.append(Text(lesion.id, style="dim"))
    if with_recommendations:
        parts += [Text(""), _heading("Recommendations")]
        recs = ordered(evaluation.recommendations_for(lesion.id))
        if recs:
            grid = _grid(LABEL_WIDTH, None)
            for rec in recs:
                grid.add_row(_label(rec), _recommendation(rec))
            parts.append(grid)
        if not any(not is_avoid(r) for r in recs):
            parts.append(Text("No treatment recommendation for this lesion (see eligibility and data gaps).",
                              style="yellow"))
    parts += [Text(""), _heading("Eligibility")]
    verdicts = [*lesion.eligibility.items(),
                *((f"{name} (whole patient)", e) for name, e in evaluation.patient_eligibility.items())]
    for name, eligibility in verdicts:
        line = Text(f"{name}: ", style="bold")
        line.append(eligibility.status, style=VERDICT_STYLE.get(eligibility.status, ""))
        if eligibility.status == "eligible":
            silent = sum(1 for c in eligibility.criteria if c.basis == "not-recorded")
            line.append(f" (all {len(eligibility.criteria)} criteria met"
                        + (f", {silent} not recorded: confirm)" if silent else ")"), style="dim")
        parts.append(line)
        grid = _grid(1, 1, None)
        for criterion in eligibility.criteria:  # the ones that decide the verdict, and what to confirm
            if criterion.status != "met" or criterion.basis == "not-recorded":
                text = Text(f"{criterion.id}: {criterion.detail}")
                if (criterion.basis == "not-recorded" and criterion.status != "unknown"
                        and "not recorded" not in criterion.detail):  # the detail may say so already
                    text.append(f" — {STATUS_WORDS[criterion.status]}, not recorded: confirm", style="bold yellow")
                grid.add_row("", Text(STATUS_MARK[criterion.status], style=STATUS_STYLE[criterion.status]), text)
        if grid.row_count:
            parts.append(grid)
    assumptions = [a for a in evaluation.assumptions if a.lesion == lesion.id]
    if assumptions:
        parts += [Text(""), Text("Confirm before acting", style="bold yellow")]
        grid = _grid(1, None)
        for assumption in assumptions:
            grid.add_row("•", Text(assumption_text(assumption)))
        parts.append(grid)
    gaps = [g for g in evaluation.data_gaps if g.lesion == lesion.id]
    if gaps:
        parts += [Text(""), _heading("Data gaps")]
        grid = _grid(1, None)
        for gap in gaps:
            grid.add_row(Text("?", style="yellow"), Text(f"{gap_text(gap)} (needed for {', '.join(gap.needed_for)})"))
        parts.append(grid)
    title = f"Lesion {number} of {total} · {site_label(lesion)} ({lesion.region})"
    return Panel(Group(*parts), title=Text(title, style="bold"), title_align="left",
                 border_style="red" if urgency.level == "critical" else "")


def render_evaluation(evaluation: Evaluation, console: Console) -> None:
    """One patient: the overview, then the details (patient facts, lesions, gaps, warnings)."""
    width = min(console.width, MAX_WIDTH)
    order = lesion_order(evaluation)
    alive = deceased_text(evaluation.patient) is None
    console.print(_overview(evaluation, order), width=width)
    console.print(_patient_panel(evaluation), width=width)
    if alive:
        for n, (lesion, urgency) in enumerate(order, start=1):
            console.print(_lesion_panel(evaluation, lesion, urgency, n, len(order), True), width=width)
        patient_gaps = [g for g in evaluation.data_gaps if g.lesion is None]
        if patient_gaps:
            table = Table(title="Patient-level data gaps", title_justify="left", expand=True)
            table.add_column("what to document", ratio=3, overflow="fold")
            table.add_column("needed for", ratio=2, overflow="fold")
            table.add_column("how to document", ratio=3, overflow="fold")
            for gap in patient_gaps:
                table.add_row(gap_text(gap), ", ".join(gap.needed_for), gap.how_to_document or "")
            console.print(table, width=width)
    for warning in evaluation.warnings:
        console.print(Text(f"warning: {warning.resource + ': ' if warning.resource else ''}{warning.message}",
                           style="dim yellow"), width=width)


def render_all(evaluations: Sequence[Evaluation], console: Console) -> None:
    """Every patient, then the cohort summary when there is more than one."""
    from cds.views.cohort import CohortSummary

    summary = CohortSummary()
    for i, evaluation in enumerate(evaluations):
        if i:
            console.rule(style="dim")
        render_evaluation(evaluation, console)
        summary.add(evaluation)
    if len(evaluations) > 1:
        summary.render(console)
