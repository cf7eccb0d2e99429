"""Text, Markdown and CSV views: views of the contract, with unknowns said as such."""

from __future__ import annotations

import csv
import io
import re

import hand_built
import pytest
from rich.console import Console

from cds.output import Evaluation
from cds.pipeline import as_of_datetime, evaluate_source
from cds.synthetic.examples import EXAMPLES_AS_OF, EXAMPLES_DIR
from cds.views.cohort import CohortSummary
from cds.views.csv_rows import COLUMNS, CsvWriter, rows
from cds.views.markdown import render_evaluation as markdown
from cds.views.text import render_all
from cds.views.text import render_evaluation as text

LABELS = ("URGENT", "PREFERRED", "ALTERNATIVE", "AVOID")


def example(name: str) -> Evaluation:
    (out,) = evaluate_source(str(EXAMPLES_DIR / name), as_of_datetime(EXAMPLES_AS_OF)).evaluations
    return out


def terminal(evaluation: Evaluation, width: int = 80) -> str:
    console = Console(record=True, width=width, color_system=None)
    text(evaluation, console)
    return console.export_text()


def flat(out: str) -> str:
    """The words of a terminal rendering, without boxes and line breaks (for content checks)."""
    return " ".join(re.sub(r"[│╭╮╰╯─┃┏┓┗┛━┡┩╇┳┻┠┨└┘┌┐├┤┼┬┴]", " ", out).split())


def check_layout(out: str, width: int) -> None:
    """No line wider than the screen; a label never runs into its text; the text of a recommendation
    keeps its indent on every wrapped line (it never restarts at the box's edge); booleans in words."""
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    assert not re.search(r"\b(URGENT|PREFERRED|ALTERNATIVE|AVOID)(?=\S)", out)
    assert not re.search(r"\b(True|False)\b", out)
    indent = None
    for line in lines:
        body = line[2:].removesuffix("│").rstrip() if line.startswith("│ ") else ""
        if not body:  # a blank line or a line outside a box ends a recommendation
            indent = None
            continue
        label = next((lab for lab in LABELS if body.startswith(lab + " ")), None)
        if label:
            indent = len(body) - len(body[len(label):].lstrip())
        elif indent is not None:
            assert body[:indent].strip() == "", f"a wrapped line restarts left of its column:\n{line}"


@pytest.mark.parametrize("width", [80, 200])
def test_every_example_lays_out_at_80_and_200_columns(example_evaluations: dict[str, Evaluation], width: int) -> None:
    for evaluation in example_evaluations.values():
        check_layout(terminal(evaluation, width), min(width, 120))


def test_overview_first_urgent_items_then_lesions_by_urgency() -> None:
    out = terminal(example("12-multiple-lesions-different-treatments.json"))
    overview = out[:out.index("Patient facts")]
    assert overview.index("⚠ Urgent") < overview.index("Lesions, most urgent first")
    urgent = overview[overview.index("⚠ Urgent"):overview.index("Lesions, most urgent first")]
    assert "T4" in urgent and "left femoral shaft" in urgent  # both urgent referrals on the first screen
    assert len(overview.splitlines()) <= 32  # one screen (with the urgent items' timing)
    lesions = overview[overview.index("Lesions, most urgent first"):]
    assert lesions.index("T4") < lesions.index("right rib") < lesions.index("left ilium")
    assert "EBRT 8 Gy × 1 (uncomplicated-pain) · 8 Gy / 1 [BED10 14.4]" in flat(lesions)  # with its regimen
    # the details follow, most urgent lesion first, with box titles that are not cut
    assert out.index("Lesion 1 of 4 · T4 (spine)") < out.index("Lesion 4 of 4 · left ilium (pelvis)")


def test_text_view_lists_recommendations_regimens_verdicts_and_gaps() -> None:
    out = terminal(example("05-oligometastatic-breast-sib-imrt.json"), 140)
    assert "SIB-IMRT" in out and "35 Gy / 5 (compartment 20 Gy)" in out and "BED10 59.5" in out
    assert "sib-imrt: eligible" in out and "Marazzi 2025" in out


def test_text_view_says_not_documented() -> None:
    out = terminal(example("10-most-data-missing.json"), 140)
    assert "not documented" in out and "No treatment recommendation" in out and "Patient-level data gaps" in out
    assert "unspecified:" not in out and "site not documented" in out


def test_avoid_is_never_headed_by_its_priority() -> None:
    out = flat(terminal(hand_built.evaluation()))
    assert re.search(r"AVOID +Avoid 8 Gy × 1 at L3", out)
    assert not re.search(r"PREFERRED +Avoid", out) and "do not give 8 Gy / 1" in out


def test_new_contract_fields_in_the_terminal() -> None:
    out = flat(terminal(hand_built.evaluation()))
    overview = out[:out.index("Patient facts")]
    assert "within 24 h" in overview  # the urgent item's timing
    assert "confirm: no radiotherapy to L3 elsewhere" in overview  # under the lesion it concerns
    assert "Confirm before acting • no radiotherapy to L3 elsewhere (nothing in Procedure; needed for sbrt)" in out
    assert "not recorded: confirm" in out  # a criterion met because the record is silent
    assert "re-assess (last documented 2023-02-01)" in out
    assert "code not recognised here" in out


def test_deceased_patient_gets_one_line_and_no_recommendations() -> None:
    evaluation = hand_built.evaluation(deceased=True)
    out = flat(terminal(evaluation))
    assert out.count("Recorded as deceased on 2026-10-01") == 1
    assert "Recommendations" not in out and "URGENT" not in out and "Lesion 1" not in out
    md = markdown(evaluation)
    assert md.count("Recorded as deceased on 2026-10-01") == 1 and "## " not in md
    (row,) = rows(evaluation)
    assert row["deceased"] == "yes" and "deceased" in row["summary"] and row["code"] == ""


def test_cohort_summary_counts_recommendations_and_lists_urgent_patients(
        example_evaluations: dict[str, Evaluation]) -> None:
    summary = CohortSummary()
    for evaluation in example_evaluations.values():
        summary.add(evaluation)
    summary.add(hand_built.evaluation(patient_id="pt-dead", deceased=True))
    summary.add_failure()
    assert summary.patients == len(example_evaluations) + 1 and summary.failed == 1
    assert summary.deceased == ["pt-dead"]
    urgent = {e.patient.id for e in example_evaluations.values()
              if any(r.priority == "urgent" and r.code != "avoid" for r in e.recommendations)}
    assert set(summary.urgent_patients) == urgent and urgent
    urgent_recommendations = sum(n for (code, p), n in summary.recommendations.items()
                                 if p == "urgent" and code != "avoid")
    assert urgent_recommendations >= len(urgent)
    assert not any(p == "preferred" for (code, p) in summary.recommendations if code == "avoid")
    console = Console(record=True, width=80, color_system=None)
    summary.render(console)
    out = console.export_text()
    assert f"{len(urgent)} patients" in out and "Avoid (what not to do)" in out and "pt-dead" in out
    assert "1 input could not be evaluated" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_render_all_ends_with_the_summary_for_several_patients() -> None:
    console = Console(record=True, width=80, color_system=None)
    render_all([hand_built.evaluation(patient_id="a"), hand_built.evaluation(patient_id="b")], console)
    out = console.export_text()
    assert out.rstrip().splitlines()[-1].startswith("╰") and "Summary: 2 patients evaluated" in out
    console = Console(record=True, width=80, color_system=None)
    render_all([hand_built.evaluation()], console)
    assert "Summary:" not in console.export_text()


def test_markdown_links_citations_and_marks_review_status() -> None:
    out = markdown(example("07-polymetastatic-asymptomatic-high-risk.json"))
    assert "[Gillespie 2024, J Clin Oncol](https://pubmed.ncbi.nlm.nih.gov/37748124/)" in out
    assert "needs clinical review" in out


def test_markdown_new_contract_fields() -> None:
    out = markdown(hand_built.evaluation())
    assert out.index("**⚠ Urgent**") < out.index("## L3")
    assert "within 24 h" in out and "**Confirm before acting:**" in out
    assert "met — not recorded, confirm" in out and "re-assess (last documented 2023-02-01)" in out
    assert "| avoid | **Avoid 8 Gy × 1 at L3" in out and "preferred | **Avoid" not in out


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_one_row_per_patient_lesion_and_recommendation() -> None:
    stream = io.StringIO()
    writer = CsvWriter(stream)
    writer.write(example("12-multiple-lesions-different-treatments.json"))
    table = read_csv(stream.getvalue())
    assert list(table[0]) == COLUMNS
    assert table[0]["site"] == "T4"  # most urgent lesion first
    first = table[0]
    assert (first["age"], first["sex"], first["primary"], first["ecog"]) == ("63", "male",
                                                                            "non-small-cell lung cancer", "2")
    assert (first["expected_survival_months"], first["survival_basis"]) == ("10", "documented")
    assert (first["bilsky"], first["priority"], first["code"]) == ("3", "urgent", "surgical-referral")
    assert (first["dose_gy"], first["fractions"], first["bed10"]) == ("30", "10", "39")
    femur = next(r for r in table if r["site"] == "left femoral shaft")
    assert femur["mirels"] == "10" and femur["urgency"] == "critical"
    ilium = [r for r in table if r["site"] == "left ilium"]
    assert len(ilium) == 1 and ilium[0]["summary"] == "no treatment recommendation"
    # one row per recommendation: every recommendation of the patient appears once
    assert sum(1 for r in table if r["code"]) == 7  # with 20 Gy/5 for the femur if it is not fixed


def test_csv_avoid_rows_carry_no_dose_and_say_avoid() -> None:
    table = list(rows(hand_built.evaluation()))
    avoid = next(r for r in table if r["code"] == "avoid")
    assert avoid["priority"] == "avoid" and avoid["recommendation"] == "Do not"
    assert avoid["dose_gy"] == avoid["fractions"] == avoid["bed10"] == ""
    assert avoid["regimens"].startswith("do not give: 8 Gy / 1")
    urgent = next(r for r in table if r["priority"] == "urgent")
    assert urgent["timing"] == "within 24 h"
    assert "no radiotherapy to L3 elsewhere" in urgent["confirm"]
    assert urgent["sins"] == "9–13"  # a range, with an en dash a spreadsheet does not read as a date
    assert "performance status (out of date: last documented 2023-02-01)" in urgent["data_gaps"]
    assert urgent["survival_basis"] == "derived: TEACHH group B"


def test_csv_for_excel_has_a_bom_crlf_and_no_formulas() -> None:
    evaluation = hand_built.evaluation(patient_id="=HYPERLINK(\"http://x\")")
    stream = io.StringIO()
    CsvWriter(stream, excel=True).write(evaluation)
    data = stream.getvalue()
    assert data.startswith("\ufeffpatient,") and "\r\n" in data
    table = read_csv(data.lstrip("\ufeff"))
    assert all(r["patient"].startswith("'=") for r in table)
    assert "×" in data  # UTF-8 text survives (Excel reads it because of the BOM)
    plain = io.StringIO()
    CsvWriter(plain).write(evaluation)
    assert plain.getvalue().startswith("patient,") and "\r\n" not in plain.getvalue()
    assert read_csv(plain.getvalue())[0]["patient"].startswith("=")  # only the Excel file is altered


def test_csv_patient_without_lesion_or_site() -> None:
    (row,) = rows(hand_built.no_site_evaluation())
    assert row["site"] == "site not documented" and row["summary"] == "no treatment recommendation"
    (row,) = rows(hand_built.evaluation(lesions=(), recommendations=()))
    assert row["summary"] == "no bone metastasis documented" and row["patient"] == "pt-hand"
