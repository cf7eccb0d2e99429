"""Text, Markdown and CSV views: views of the contract, with unknowns said as such."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from cds.pipeline import as_of_datetime, evaluate_source
from cds.synthetic.examples import EXAMPLES_AS_OF, EXAMPLES_DIR
from cds.views.csv_rows import COLUMNS, CsvWriter
from cds.views.markdown import render_evaluation as markdown
from cds.views.text import render_evaluation as text


def evaluation(name: str) -> object:
    (out,) = evaluate_source(str(EXAMPLES_DIR / name), as_of_datetime(EXAMPLES_AS_OF)).evaluations
    return out


def test_text_view_lists_recommendations_regimens_verdicts_and_gaps() -> None:
    console = Console(record=True, width=140)
    text(evaluation("05-oligometastatic-breast-sib-imrt.json"), console)  # type: ignore[arg-type]
    out = console.export_text()
    assert "SIB-IMRT" in out and "35 Gy / 5 (compartment 20 Gy)" in out and "BED10 59.5" in out
    assert "sib-imrt: eligible" in out and "Marazzi 2025" in out


def test_text_view_says_not_documented() -> None:
    console = Console(record=True, width=140)
    text(evaluation("10-most-data-missing.json"), console)  # type: ignore[arg-type]
    out = console.export_text()
    assert "not documented" in out and "No recommendation" in out and "Patient-level data gaps" in out


def test_markdown_links_citations_and_marks_review_status() -> None:
    out = markdown(evaluation("07-polymetastatic-asymptomatic-high-risk.json"))  # type: ignore[arg-type]
    assert "[Gillespie 2024, J Clin Oncol](https://pubmed.ncbi.nlm.nih.gov/37748124/)" in out
    assert "needs clinical review" in out


def test_csv_rows() -> None:
    stream = io.StringIO()
    writer = CsvWriter(stream)  # type: ignore[arg-type]
    writer.write(evaluation("12-multiple-lesions-different-treatments.json"))  # type: ignore[arg-type]
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert list(rows[0]) == COLUMNS and len(rows) == 4
    assert {r["urgent"] for r in rows} == {"yes", "no"}
