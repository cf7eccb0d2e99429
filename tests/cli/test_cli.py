"""The command line, exercised through the real console script `cds`."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cds.synthetic.cohort import write_cohort
from cds.synthetic.examples import EXAMPLES_DIR

CDS = shutil.which("cds", path=str(Path(sys.executable).parent)) or "cds"
AS_OF = ["--as-of", "2026-11-20"]
EXAMPLE = str(EXAMPLES_DIR / "01-mescc-surgical-candidate.json")


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CDS, *args], input=stdin, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120", **(env or {})})


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("cds ") and "ruleset 2026" in result.stdout


def test_json_for_one_patient_is_one_object_following_the_contract() -> None:
    result = run("evaluate", EXAMPLE, "--format", "json", *AS_OF)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"patient", "evaluated_at", "ruleset", "state", "lesions", "recommendations", "data_gaps",
                         "warnings"}
    assert data["evaluated_at"] == "2026-11-20T00:00:00Z"
    assert len(data["ruleset"]["sha256"]) == 64
    assert data["recommendations"][0]["code"] == "surgical-referral"
    assert "null" not in result.stdout  # unknown facts are absent, never null


def test_a_folder_gives_a_list_in_input_order_and_parallel_equals_serial() -> None:
    serial = run("evaluate", str(EXAMPLES_DIR), "--format", "json", "-j", "1", *AS_OF)
    parallel = run("evaluate", str(EXAMPLES_DIR), "--format", "json", "-j", "2", *AS_OF)
    assert serial.returncode == parallel.returncode == 0
    data = json.loads(serial.stdout)
    assert [e["patient"]["id"] for e in data][:2] == ["ex01-mescc-surgical", "ex02-mescc-short-survival"]
    assert len(data) == len(list(EXAMPLES_DIR.glob("*.json")))
    assert serial.stdout == parallel.stdout


def test_stdin() -> None:
    result = run("evaluate", "-", "--format", "json", *AS_OF, stdin=Path(EXAMPLE).read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["patient"]["id"] == "ex01-mescc-surgical"


def test_ndjson_and_bulk_export_folder(tmp_path: Path) -> None:
    write_cohort(tmp_path / "bulk", 5, seed=3, fmt="ndjson")
    write_cohort(tmp_path / "bundles", 5, seed=3, fmt="bundle")
    bulk = run("evaluate", str(tmp_path / "bulk"), "--format", "json", *AS_OF)
    bundles = run("evaluate", str(tmp_path / "bundles"), "--format", "json", *AS_OF)
    assert bulk.returncode == bundles.returncode == 0, bulk.stderr + bundles.stderr

    def recs(text: str) -> dict[str, list[str]]:
        return {e["patient"]["id"]: sorted(r["code"] for r in e["recommendations"]) for e in json.loads(text)}

    assert recs(bulk.stdout) == recs(bundles.stdout)
    assert len(recs(bulk.stdout)) == 5


def test_csv_has_one_row_per_patient_lesion_and_recommendation() -> None:
    result = run("evaluate", str(EXAMPLES_DIR), "--format", "csv", *AS_OF)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    example_12 = [r for r in rows if r["patient"] == "ex12-multi-lesion"]
    assert {r["site"] for r in example_12} == {"T4", "right rib", "left femoral shaft", "left ilium"}
    t4 = [r for r in example_12 if r["site"] == "T4"]
    assert (t4[0]["priority"], t4[0]["code"]) == ("urgent", "surgical-referral")
    assert all(r["sbrt"] == "ineligible" and r["urgency"] == "critical" for r in t4)


def test_text_and_markdown_views() -> None:
    text = run("evaluate", str(EXAMPLES_DIR / "05-oligometastatic-breast-sib-imrt.json"), *AS_OF)
    assert text.returncode == 0
    assert "SIB-IMRT" in text.stdout and "BED10" in text.stdout and "Marazzi 2025" in text.stdout
    markdown = run("evaluate", EXAMPLE, "--format", "markdown", *AS_OF)
    assert markdown.stdout.startswith("# Patient ex01-mescc-surgical")
    assert "](https://doi.org/10.1016/S0140-6736(05)66954-1)" in markdown.stdout


@pytest.mark.parametrize(("content", "fragment"), [
    ("this is not json", "not JSON"),
    ('{"hello": "world"}', "resourceType"),
    ("", "empty"),
])
def test_bad_input_is_one_line_and_an_error_entry_the_others_are_evaluated(tmp_path: Path, content: str,
                                                                           fragment: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = run("evaluate", str(bad), EXAMPLE, "--format", "json", *AS_OF)
    assert result.returncode == 3  # some inputs failed, the others were evaluated
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and fragment.lower() in lines[0].lower()
    # the good file is still evaluated, and the bad one is an entry of its own: nothing is lost
    error, evaluation = json.loads(result.stdout)
    assert error["input"] == str(bad) and fragment.lower() in error["error"].lower()
    assert evaluation["patient"]["id"] == "ex01-mescc-surgical"


def test_only_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("nope", encoding="utf-8")
    result = run("evaluate", str(bad), *AS_OF)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"{bad}: not JSON (Expecting value at line 1 column 1)"]


def test_missing_file_and_bad_date_exit_2() -> None:
    missing = run("evaluate", "no/such/file.json")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_date = run("evaluate", EXAMPLE, "--as-of", "yesterday")
    assert bad_date.returncode == 2 and "--as-of" in bad_date.stderr and "Traceback" not in bad_date.stderr


def test_rules_check_and_list() -> None:
    check = run("rules", "check")
    assert check.returncode == 0 and "Clean." in check.stdout
    listing = json.loads(run("rules", "list", "--format", "json").stdout)
    assert {r["code"] for r in listing["rules"]} >= {"surgical-referral", "sbrt", "sib-imrt", "avoid"}
    assert all(r["citations"] for r in listing["rules"])


def test_broken_rules_are_reported_in_sentences_and_evaluation_refuses(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[2] / "rules", rules)
    path = rules / "sbrt.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ecog <= 1", "ecgo <= 1"), encoding="utf-8")
    check = run("rules", "check", "--rules-dir", str(rules))
    assert check.returncode == 1
    assert "'ecgo' is not a fact the rules can read" in check.stderr
    evaluation = run("evaluate", EXAMPLE, env={"CDS_RULES_DIR": str(rules)})
    assert evaluation.returncode == 1 and "rules do not load" in evaluation.stderr
    assert "Traceback" not in evaluation.stderr


def test_partial_record_reads_no_silence_and_covers_names_the_types() -> None:
    whole = json.loads(run("evaluate", str(EXAMPLES_DIR / "05-oligometastatic-breast-sib-imrt.json"),
                           "--format", "json", *AS_OF).stdout)
    assert whole["assumptions"] and any(r["code"] == "sbrt" for r in whole["recommendations"])
    partial = json.loads(run("evaluate", str(EXAMPLES_DIR / "05-oligometastatic-breast-sib-imrt.json"),
                             "--format", "json", "--partial-record", *AS_OF).stdout)
    assert partial["state"]["coverage"] == [] and not partial.get("assumptions")
    assert not any(r["code"] in ("sbrt", "sib-imrt") for r in partial["recommendations"])  # less known, less done
    covers = json.loads(run("evaluate", str(EXAMPLES_DIR / "05-oligometastatic-breast-sib-imrt.json"), "--format",
                            "json", "--covers", "Condition,Observation", *AS_OF).stdout)
    assert covers["state"]["coverage"] == ["Condition", "Observation"]
    bad = run("evaluate", EXAMPLE, "--covers", "Conditions", *AS_OF)
    assert bad.returncode == 2 and "--covers: Conditions is not a resource type" in bad.stderr
    both = run("evaluate", EXAMPLE, "--covers", "Condition", "--partial-record", *AS_OF)
    assert both.returncode == 2 and "give one" in both.stderr


def test_rules_facts_shows_the_catalogue_with_currency_and_silences() -> None:
    data = json.loads(run("rules", "facts", "--format", "json").stdout)
    prior = data["facts"]["prior-radiotherapy"]
    assert prior["recorded_in"] == ["Procedure"] and "palliative" in prior["silence"]["for"]
    assert data["facts"]["sins"]["silence"] is None  # never read from silence
    assert data["facts"]["neurological-status"]["current_for"]["days"] == 7
    text = run("rules", "facts", env={"COLUMNS": "160"})
    assert text.returncode == 0 and "never read: stays unknown" in text.stdout
