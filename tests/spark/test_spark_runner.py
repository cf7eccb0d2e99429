"""The Spark runner (local mode) gives the local runner's evaluations on the same Bulk export."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cds.pipeline import RunContext, as_of_datetime, plan_units, run_units
from cds.result_stream import NdjsonFormat
from cds.synthetic.cohort import DEFAULT_AS_OF, write_cohort

pyspark = pytest.importorskip("pyspark", reason="the Spark runner needs the [spark] extra")
if shutil.which("java") is None:
    pytest.skip("the Spark runner needs Java 17 or later", allow_module_level=True)

pytestmark = pytest.mark.spark
AS_OF = as_of_datetime(DEFAULT_AS_OF)
PATIENTS = int(os.environ.get("CDS_SPARK_TEST_PATIENTS", "1000"))  # smaller for a quick local try


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from cds.spark_runner import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _local(export: Path) -> dict[str, Any]:
    context = RunContext(as_of=AS_OF, engine="durable", render=NdjsonFormat().render)
    out = {}
    for result in run_units(plan_units([str(export)]), context, jobs=2):
        assert result.failure is None, result.failure
        out[result.patient] = json.loads(result.output)
    return out


def _read_ndjson(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for part in sorted(folder.glob("part-*")) for line in part.read_text().splitlines()]


def test_a_generated_export_gives_the_local_runners_evaluations(tmp_path: Path, spark: Any) -> None:
    from cds.spark_runner import screen

    export = tmp_path / "export"
    write_cohort(export, PATIENTS, seed=12, fmt="ndjson")
    result = screen(spark, str(export), str(tmp_path / "out"), AS_OF)
    assert (result.patients, result.evaluated, result.failed) == (PATIENTS, PATIENTS, 0)

    by_spark = {e["patient"]["id"]: e for e in _read_ndjson(tmp_path / "out" / "evaluations.ndjson")}
    local = _local(export)
    assert len(by_spark) == PATIENTS and set(by_spark) == set(local)
    different = [pid for pid in local if local[pid] != by_spark[pid]]
    assert different == [], f"{len(different)} patients differ, e.g. {different[:3]}"

    recommendations = spark.read.parquet(str(tmp_path / "out" / "recommendations.parquet"))
    expected_rows = sum(max(1, sum(max(1, sum(r.get("lesion") == lesion["id"] for r in e["recommendations"]))
                                   for lesion in e["lesions"]))
                        for e in local.values())
    assert recommendations.count() >= expected_rows
    assert set(recommendations.columns) >= {"patient", "lesion", "code", "priority", "citations"}
    evaluations = spark.read.parquet(str(tmp_path / "out" / "evaluations.parquet"))
    assert evaluations.count() == PATIENTS and evaluations.filter("error IS NOT NULL").count() == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["patients"] == PATIENTS
    assert sum(summary["recommendations"].values()) == sum(len(e["recommendations"]) for e in local.values())


def test_what_lies_beside_the_resources_is_skipped_as_locally(tmp_path: Path, spark: Any) -> None:
    from cds.spark_runner import screen

    export = tmp_path / "export"
    write_cohort(export, 6, seed=2, fmt="ndjson")
    (export / "log.ndjson").write_text('{"level": "info"}\n', encoding="utf-8")
    (export / "OperationOutcome.ndjson").write_text(json.dumps({"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "exception", "diagnostics": "Procedure export timed out"}]}) + "\n")
    result = screen(spark, str(export), str(tmp_path / "out"), AS_OF)
    assert result.evaluated == 6
    assert any("log.ndjson: no FHIR resources" in n for n in result.summary["notices"])
    by_spark = {e["patient"]["id"]: e for e in _read_ndjson(tmp_path / "out" / "evaluations.ndjson")}
    assert by_spark == _local(export)
