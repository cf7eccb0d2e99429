"""The closing summary of a multi-patient run: counts by recommendation and urgency, urgent patients.

:class:`CohortSummary` takes one evaluation at a time (``add``), keeping only counts and the
urgent lines, so a streaming writer can feed it as evaluations arrive and ``render`` it at the end.
Where evaluations are made in worker processes, each worker sends the small, picklable
``CohortEntry.of(evaluation)`` instead, and the parent calls ``add_entry``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cds.output import Evaluation
from cds.views.report_model import URGENCY_ORDER, URGENCY_SYMBOL, lesion_order
from cds.views.summary import CODE_TITLES, deceased_text, is_avoid, ordered, site_label, top_recommendation

PRIORITIES = ("urgent", "preferred", "alternative")
LEVEL_WORD = {"critical": "critical", "warning": "caution", "other": "other"}
MAX_WIDTH = 120


@dataclass(frozen=True)
class UrgentItem:
    patient: str
    site: str
    text: str


@dataclass(frozen=True)
class CohortEntry:
    """What one evaluation adds to the summary (a few hundred bytes)."""

    patient: str
    deceased: bool
    with_gaps: bool
    to_confirm: bool
    lesion_levels: tuple[str, ...]
    top_codes: tuple[str, ...]
    """Code of each lesion's top recommendation ("" when none)."""
    recommendations: tuple[tuple[str, str], ...]
    """(code, priority or "avoid") of every recommendation."""
    urgent: tuple[UrgentItem, ...]

    @classmethod
    def of(cls, evaluation: Evaluation) -> CohortEntry:
        patient = evaluation.patient.id
        if deceased_text(evaluation.patient):
            return cls(patient, True, False, False, (), (), (), ())
        levels, tops, recs, urgent = [], [], [], []
        for lesion, urgency in lesion_order(evaluation):
            levels.append(urgency.level)
            ranked = ordered(evaluation.recommendations_for(lesion.id))
            top = top_recommendation(ranked)
            tops.append(top.code if top else "")
            for rec in ranked:
                recs.append((rec.code, "avoid" if is_avoid(rec) else rec.priority))
                if rec.priority == "urgent" and not is_avoid(rec):
                    timing = f" ({rec.timing})" if rec.timing else ""
                    urgent.append(UrgentItem(patient, site_label(lesion), f"{rec.summary}{timing}"))
        return cls(patient, False, bool(evaluation.data_gaps),
                   bool(evaluation.assumptions or any(r.confirm for r in evaluation.recommendations)),
                   tuple(levels), tuple(tops), tuple(recs), tuple(urgent))


@dataclass
class CohortSummary:
    """Counts over the evaluations added so far."""

    patients: int = 0
    failed: int = 0
    lesions: Counter[str] = field(default_factory=Counter)
    """Lesions per urgency level (critical, warning, other)."""
    recommendations: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(code, priority or "avoid") → number of recommendations."""
    top: Counter[str] = field(default_factory=Counter)
    """Code of each lesion's top recommendation ("" for none) → number of lesions."""
    urgent: list[UrgentItem] = field(default_factory=list)
    deceased: list[str] = field(default_factory=list)
    with_gaps: int = 0
    to_confirm: int = 0

    def add(self, evaluation: Evaluation) -> None:
        self.add_entry(CohortEntry.of(evaluation))

    def add_entry(self, entry: CohortEntry) -> None:
        self.patients += 1
        if entry.deceased:
            self.deceased.append(entry.patient)
            return
        self.with_gaps += entry.with_gaps
        self.to_confirm += entry.to_confirm
        self.lesions.update(entry.lesion_levels)
        self.top.update(entry.top_codes)
        self.recommendations.update(entry.recommendations)
        self.urgent.extend(entry.urgent)

    def add_failure(self) -> None:
        """An input that could not be evaluated (counted, so the summary says so)."""
        self.failed += 1

    @property
    def urgent_patients(self) -> list[str]:
        return list(dict.fromkeys(item.patient for item in self.urgent))

    def headline(self) -> str:
        lesions = sum(self.lesions.values())
        text = f"{self.patients} patient{'s' if self.patients != 1 else ''} evaluated, {lesions} lesions"
        if self.failed:
            text += f"; {self.failed} input{'s' if self.failed != 1 else ''} could not be evaluated"
        return text

    def render(self, console: Console) -> None:
        console.print(self.panel(), width=min(console.width, MAX_WIDTH))

    def panel(self) -> Panel:
        parts: list[RenderableType] = []
        urgent_patients = self.urgent_patients
        if urgent_patients:
            parts.append(Text(f"⚠ Urgent: {len(urgent_patients)} patient{'s' if len(urgent_patients) != 1 else ''}, "
                              f"{len(self.urgent)} urgent item{'s' if len(self.urgent) != 1 else ''}",
                              style="bold red"))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=min(max(len(i.patient) for i in self.urgent), 22), overflow="fold")
            grid.add_column(width=min(max(len(i.site) for i in self.urgent), 18), overflow="fold")
            grid.add_column(ratio=1, overflow="fold")
            for item in self.urgent:
                grid.add_row(Text(item.patient, style="bold"), Text(item.site, style="red"), Text(item.text))
            parts += [grid, Text("")]
        else:
            parts += [Text("No urgent item.", style="green"), Text("")]
        levels = " · ".join(f"{URGENCY_SYMBOL[level]} {LEVEL_WORD[level]} {self.lesions[level]}"
                            for level in URGENCY_ORDER)
        parts += [Text("Lesions by urgency: ", style="bold") + Text(levels), Text("")]
        parts.append(self._recommendation_table())
        notes = []
        if self.top[""]:
            notes.append(f"{self.top['']} lesion{'s' if self.top[''] != 1 else ''} without a treatment recommendation")
        if self.with_gaps:
            notes.append(f"{self.with_gaps} patient{'s' if self.with_gaps != 1 else ''} with data gaps")
        if self.to_confirm:
            notes.append(f"{self.to_confirm} with something to confirm before acting")
        if self.deceased:
            notes.append(f"{len(self.deceased)} recorded as deceased (no recommendations): "
                         + ", ".join(self.deceased))
        if notes:
            parts += [Text(""), Text("; ".join(notes) + ".")]
        return Panel(Group(*parts), title=Text(f"Summary: {self.headline()}", style="bold"), title_align="left")

    def _recommendation_table(self) -> Table:
        table = Table(title="Recommendations: each lesion's top one, and all of them by priority",
                      title_justify="left")
        table.add_column("recommendation", overflow="fold")
        for name in ("top", *PRIORITIES, "all"):
            table.add_column(name, justify="right")
        codes = [c for c in CODE_TITLES if c != "avoid"]
        codes += sorted({code for code, _ in self.recommendations} - set(CODE_TITLES))
        for code in codes:
            counts = [self.recommendations[(code, p)] for p in PRIORITIES]
            if any(counts):
                table.add_row(CODE_TITLES.get(code, code), str(self.top[code] or "·"),
                              *(str(c) if c else "·" for c in counts), str(sum(counts)))
        avoid = sum(n for (_, p), n in self.recommendations.items() if p == "avoid")
        if avoid:  # what not to do is never counted as a priority
            table.add_row(Text("Avoid (what not to do)", style="yellow"), "—", "—", "—", "—", str(avoid))
        return table
