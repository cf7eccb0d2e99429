"""CSV for screening a cohort in a spreadsheet: one row per patient × lesion × recommendation.

Each row repeats the facts a screening nurse filters on (age, sex, primary, ECOG, expected survival
and how it was obtained, the lesion's site and scores) next to one recommendation (priority, code,
reason, regimen, BED10, evidence status, what to confirm), so a filter on any column keeps whole
rows. A lesion without a recommendation, a patient without a lesion and a deceased patient still
get one row that says so. An ``avoid`` output has priority ``avoid`` and no dose in the dose
columns (filtering on "8 Gy" never finds an 8 Gy that must not be given).

``excel=True`` writes what Excel on Windows opens correctly: a UTF-8 byte-order mark (or "×" and
"–" are garbled), CRLF line ends, and a leading ``'`` on a text cell that would otherwise be read
as a formula (``=``, ``+``, ``-``, ``@``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from cds.output import DataGap, Evaluation, Lesion, Recommendation
from cds.views.report_model import Urgency, lesion_order
from cds.views.summary import (
    assumption_text,
    deceased_text,
    fact_value,
    histology_text,
    is_avoid,
    lesion_scores,
    lesion_state,
    main_regimen,
    ordered,
    rec_title,
    regimen_text,
    site_label,
    survival_basis,
    value_text,
)

COLUMNS = [
    "patient", "age", "sex", "deceased", "primary", "ecog", "kps", "expected_survival_months", "survival_basis",
    "lesion_number", "site", "region", "urgency", "sins", "bilsky", "mirels",
    "priority", "code", "recommendation", "reason", "summary", "timing", "dose_gy", "fractions", "bed10",
    "regimens", "evidence_status", "citations", "confirm", "data_gaps",
    "sib_imrt", "sbrt", "mescc_surgery", "lesion", "ruleset_version", "error",
]
"""``error``: empty, or the one-line problem of an input or patient that could not be evaluated (the
streaming writer's error row)."""
URGENCY_COLUMN = {"critical": "critical", "warning": "caution", "other": "none documented"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TextStream(Protocol):
    def write(self, text: str, /) -> Any: ...


def _number(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return value_text(value)


def _patient_columns(evaluation: Evaluation) -> dict[str, str]:
    state, patient = evaluation.state, evaluation.patient
    months = fact_value(state, "expected_survival_months")
    return {
        "patient": patient.id,
        "age": "" if patient.age is None else str(patient.age),
        "sex": patient.sex or "",
        "deceased": "yes" if patient.deceased else "",
        "primary": histology_text(state) or "",
        "ecog": _number(fact_value(state, "ecog")),
        "kps": _number(fact_value(state, "kps")),
        "expected_survival_months": _number(months),
        "survival_basis": survival_basis(state) if months is not None else "",
        "ruleset_version": evaluation.ruleset.version,
    }


def _lesion_columns(evaluation: Evaluation, lesion: Lesion, number: int, urgency: Urgency) -> dict[str, str]:
    scores = lesion_scores(lesion_state(evaluation, lesion.id))
    gaps = [g for g in evaluation.data_gaps if g.lesion in (lesion.id, None)]
    return {
        "lesion_number": str(number),
        "site": site_label(lesion),
        "region": lesion.region,
        "urgency": URGENCY_COLUMN[urgency.level],
        **scores,
        "data_gaps": _gaps(gaps),
        "sib_imrt": lesion.eligibility["sib-imrt"].status if "sib-imrt" in lesion.eligibility else "",
        "sbrt": lesion.eligibility["sbrt"].status if "sbrt" in lesion.eligibility else "",
        "mescc_surgery": lesion.eligibility["mescc-surgery"].status if "mescc-surgery" in lesion.eligibility else "",
        "lesion": lesion.id,
    }


def _gaps(gaps: Iterable[DataGap]) -> str:
    """The missing facts in short words: ``sins; performance status (out of date: last documented …)``."""
    items = []
    for gap in gaps:
        text = gap.fact.replace("-", " ")
        if gap.status == "stale":
            text += f" (out of date{': last documented ' + gap.last_documented if gap.last_documented else ''})"
        elif gap.status == "not-recognised":
            text += " (code not recognised)"
        items.append(text)
    return "; ".join(dict.fromkeys(items))


def _confirm(evaluation: Evaluation, lesion: Lesion, rec: Recommendation | None) -> str:
    items = [assumption_text(a) for a in evaluation.assumptions if a.lesion in (lesion.id, None)]
    if rec is not None:
        items += list(rec.confirm)
    return "; ".join(dict.fromkeys(items))


def _recommendation_columns(rec: Recommendation) -> dict[str, str]:
    avoid = is_avoid(rec)
    regimen = main_regimen(rec)
    regimens = "; ".join(regimen_text(r) for r in rec.regimens)
    return {
        "priority": "avoid" if avoid else rec.priority,
        "code": rec.code,
        "recommendation": "Do not" if avoid else rec_title(rec),
        "reason": rec.reason,
        "summary": rec.summary,
        "timing": rec.timing or "",
        "dose_gy": "" if regimen is None else f"{regimen.dose_gy:g}",
        "fractions": "" if regimen is None else str(regimen.fractions),
        "bed10": "" if regimen is None else f"{regimen.bed10:g}",
        "regimens": f"do not give: {regimens}" if avoid and regimens else regimens,
        "evidence_status": rec.evidence_status,
        "citations": "; ".join(c.label for c in rec.citations),
    }


def rows(evaluation: Evaluation) -> Iterator[dict[str, str]]:
    """The rows of one evaluation (every column, "" when empty), most urgent lesion first, each lesion's
    recommendations by priority."""
    blank = dict.fromkeys(COLUMNS, "")
    for row in _rows(evaluation):
        yield {**blank, **row}


def _rows(evaluation: Evaluation) -> Iterator[dict[str, str]]:
    patient = _patient_columns(evaluation)
    deceased = deceased_text(evaluation.patient)
    order = lesion_order(evaluation)
    if deceased or not order:
        yield {**patient, "summary": deceased or "no bone metastasis documented",
               "data_gaps": "" if deceased else _gaps(evaluation.data_gaps)}
        return
    for number, (lesion, urgency) in enumerate(order, start=1):
        lesion_cols = _lesion_columns(evaluation, lesion, number, urgency)
        recs = ordered(evaluation.recommendations_for(lesion.id))
        if not any(not is_avoid(r) for r in recs):
            yield {**patient, **lesion_cols, "summary": "no treatment recommendation",
                   "confirm": _confirm(evaluation, lesion, None)}
        for rec in recs:
            yield {**patient, **lesion_cols, **_recommendation_columns(rec),
                   "confirm": _confirm(evaluation, lesion, rec)}


def excel_safe(value: str) -> str:
    """A text cell Excel will not evaluate: a leading ``'`` before ``=``, ``+``, ``-``, ``@``."""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(items: Iterable[dict[str, str]], *, header: bool = False, excel: bool = False) -> str:
    """Rows as CSV text (the header first when asked; for Excel with CRLF and formula-safe cells,
    the byte-order mark being the writer's, once at the start)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n" if excel else "\n", restval="")
    if header:
        writer.writeheader()
    for row in items:
        writer.writerow({k: excel_safe(v) for k, v in row.items()} if excel else row)
    return buffer.getvalue()


BOM = "\ufeff"
"""The byte-order mark Excel needs to read a CSV file as UTF-8."""


class CsvWriter:
    """Writes the header once, then the rows of each evaluation as it arrives."""

    def __init__(self, stream: TextStream, *, excel: bool = False) -> None:
        self._stream = stream
        self._excel = excel
        stream.write((BOM if excel else "") + csv_text((), header=True, excel=excel))

    def write(self, evaluation: Evaluation) -> None:
        self.write_rows(rows(evaluation))

    def write_rows(self, items: Iterable[dict[str, str]]) -> None:
        self._stream.write(csv_text(items, excel=self._excel))
