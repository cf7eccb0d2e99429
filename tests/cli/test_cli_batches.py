"""`cds evaluate` on batches: streamed formats, input order, failures as entries, real exports, and
the user mistakes that must get one clear line (exit 2), never "internal error"."""

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
MCODE = Path(__file__).resolve().parents[1] / "data" / "shared" / "fhir-examples" / "mcode-stu4"


def run(*args: str, columns: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CDS, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": str(columns)})


def ndjson_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_ndjson_streams_one_evaluation_a_line_in_input_order_and_bulk_equals_bundles(tmp_path: Path) -> None:
    write_cohort(tmp_path / "bulk", 6, seed=7, fmt="ndjson")
    write_cohort(tmp_path / "bundles", 6, seed=7, fmt="bundle")
    bulk = run("evaluate", str(tmp_path / "bulk"), "-f", "ndjson", "-j", "2", *AS_OF)
    bundles = run("evaluate", str(tmp_path / "bundles"), "-f", "ndjson", "-j", "1", *AS_OF)
    assert bulk.returncode == bundles.returncode == 0, bulk.stderr + bundles.stderr
    by_bulk, by_bundle = ndjson_lines(bulk.stdout), ndjson_lines(bundles.stdout)
    assert [e["patient"]["id"] for e in by_bundle] == sorted(p.stem for p in (tmp_path / "bundles").glob("*.json"))
    assert [e["patient"]["id"] for e in by_bulk] == [e["patient"]["id"] for e in by_bundle]
    assert [e["recommendations"] for e in by_bulk] == [e["recommendations"] for e in by_bundle]


def test_failures_are_entries_in_every_streamed_format_and_exit_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": ', encoding="utf-8")
    args = ["evaluate", EXAMPLE, str(bad), str(tmp_path / "missing.json"), *AS_OF]
    nd = run(*args, "-f", "ndjson")
    assert nd.returncode == 3
    first, second, third = ndjson_lines(nd.stdout)
    assert first["patient"] == {"id": "ex01-mescc-surgical", "age": 58, "sex": "female"}
    assert second["input"] == str(bad) and "not JSON" in str(second["error"])
    assert third == {"error": f"{tmp_path / 'missing.json'}: no such file or folder",
                     "input": str(tmp_path / "missing.json")}
    assert len(nd.stderr.strip().splitlines()) == 2
    rows = list(csv.DictReader(io.StringIO(run(*args, "-f", "csv").stdout)))
    # one row per patient × lesion × recommendation, then the two error rows
    assert [bool(r["error"]) for r in rows][-2:] == [True, True]
    assert {r["patient"] for r in rows if not r["error"]} == {"ex01-mescc-surgical"}
    text = run(*args, "-f", "text")
    assert text.returncode == 3 and f"error: {bad}: not JSON" in text.stdout


def test_a_bulk_export_with_what_real_exports_hold_beside_the_resources(tmp_path: Path) -> None:
    write_cohort(tmp_path, 4, seed=1, fmt="ndjson")
    (tmp_path / "log.ndjson").write_text('{"level": "info", "message": "export complete"}\n', encoding="utf-8")
    (tmp_path / "OperationOutcome.ndjson").write_text(json.dumps({"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "exception", "diagnostics": "timeout exporting Procedure"}]}) + "\n")
    with (tmp_path / "Observation.ndjson").open("a", encoding="utf-8") as handle:
        handle.write("this line is garbage\n")
    (tmp_path / "README.txt").write_text("exported by a server", encoding="utf-8")
    result = run("evaluate", str(tmp_path), "-f", "ndjson", *AS_OF)
    assert result.returncode == 0, result.stderr
    evaluations = ndjson_lines(result.stdout)
    assert len(evaluations) == 4 and all("patient" in e for e in evaluations)
    notices = result.stderr.strip().splitlines()
    assert any("log.ndjson: no FHIR resources" in n for n in notices)
    assert any("timeout exporting Procedure" in n for n in notices)
    assert any("Observation.ndjson: 1 line(s) skipped" in n for n in notices)
    for evaluation in evaluations:
        assert any("resources may be missing" in w["message"] for w in evaluation["warnings"])  # type: ignore[index, union-attr]


def test_a_folder_of_single_resources_gives_one_evaluation_per_patient() -> None:
    result = run("evaluate", str(MCODE), "-f", "ndjson", *AS_OF)
    assert result.returncode == 0, result.stderr
    ids = [e["patient"]["id"] for e in ndjson_lines(result.stdout)]  # type: ignore[index]
    assert len(ids) == len(set(ids)) and "cancer-patient-jenny-m" in ids
    assert len(ids) < len(list(MCODE.glob("*.json")))


def test_json_of_several_patients_is_a_list_one_element_a_line() -> None:
    result = run("evaluate", str(EXAMPLES_DIR / "01-mescc-surgical-candidate.json"),
                 str(EXAMPLES_DIR / "02-mescc-short-survival.json"), "-f", "json", *AS_OF)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 4
    assert [e["patient"]["id"] for e in json.loads(result.stdout)] == ["ex01-mescc-surgical",
                                                                        "ex02-mescc-short-survival"]


@pytest.mark.parametrize("content", [None, "a.txt", "b.png"])
def test_a_folder_without_fhir_files_is_one_line_and_exit_2(tmp_path: Path, content: str | None) -> None:
    if content:
        (tmp_path / content).write_text("hello", encoding="utf-8")
    result = run("evaluate", str(tmp_path), *AS_OF)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"{tmp_path}: folder holds no .json or .ndjson files"]


def test_a_closed_pipe_ends_quietly() -> None:
    with subprocess.Popen([CDS, "evaluate", str(EXAMPLES_DIR), "-f", "ndjson", "-j", "2", *AS_OF],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(200)
        process.stdout.close()  # what `| head -c 200` does
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=120) == 0
    assert "internal error" not in stderr and "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_an_unwritable_output_dir_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = run("evaluate", EXAMPLE, "-f", "html", "-o", str(blocker / "out"), *AS_OF)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"--output-dir {blocker / 'out'}: cannot write there")


def test_bad_jobs_is_one_line_and_exit_2() -> None:
    result = run("evaluate", EXAMPLE, "-j", "0")
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        "--jobs: 0 is not a number of worker processes (1 or more)"]


def test_help_speaks_plainly() -> None:
    result = run("evaluate", "--help", columns=80)
    assert result.returncode == 0
    assert "PATH..." in result.stdout
    for internal in ("{paths}", "<bool>", "<list[str]>"):
        assert internal not in result.stdout


def test_error_lines_are_never_wrapped_at_80_columns(tmp_path: Path) -> None:
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "and-deeper"
    deep.mkdir(parents=True)
    bad = deep / "not-fhir-at-all.json"
    bad.write_text("<html>login</html>", encoding="utf-8")
    for fmt in ("json", "text"):
        result = run("evaluate", str(bad), "-f", fmt, *AS_OF, columns=80)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [f"{bad}: not JSON (looks like an HTML or XML page)"]
