"""Units of work, the process pool, input order and failures (cds/pipeline.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cds.pipeline as pipeline
from cds.pipeline import RunContext, plan_units, run_units
from cds.result_stream import NdjsonFormat
from cds.synthetic.cohort import write_cohort
from cds.synthetic.examples import EXAMPLES_AS_OF, EXAMPLES_DIR

AS_OF = pipeline.as_of_datetime(EXAMPLES_AS_OF)
CONTEXT = RunContext(as_of=AS_OF, engine="durable", render=NdjsonFormat().render)


def patients(results: list[Any]) -> list[str | None]:
    return [r.patient for r in results]


def test_a_bulk_export_is_one_unit_per_patient_and_parallel_equals_serial(tmp_path: Path) -> None:
    write_cohort(tmp_path, 8, seed=4, fmt="ndjson")
    units = list(plan_units([str(tmp_path)]))
    assert len(units) == 8 and all(u.shard is not None for u in units)
    serial = list(run_units(units, CONTEXT, jobs=1))
    parallel = list(run_units(plan_units([str(tmp_path)]), CONTEXT, jobs=2))
    assert patients(serial) == patients(parallel) == [u.shard.patient for u in units if u.shard]
    assert [r.output for r in serial] == [r.output for r in parallel]


def test_a_folder_of_bundles_is_one_unit_per_file() -> None:
    units = list(plan_units([str(EXAMPLES_DIR)]))
    assert [Path(u.path or "").name for u in units] == sorted(p.name for p in EXAMPLES_DIR.glob("*.json"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_patient_whose_evaluation_raises_is_a_failure_and_the_others_are_evaluated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    write_cohort(tmp_path, 4, seed=2, fmt="bundle")
    victim = sorted(tmp_path.glob("*.json"))[1].stem
    real = pipeline.evaluate_record

    def flaky(record: Any, *args: Any, **kwargs: Any) -> Any:
        if record.patient_id == victim:
            raise OverflowError("1e300 does not fit")
        return real(record, *args, **kwargs)

    monkeypatch.setattr(pipeline, "evaluate_record", flaky)  # workers are forked: they see it too
    results = list(run_units(plan_units([str(tmp_path)]), CONTEXT, jobs=jobs))
    assert len(results) == 4
    failed = [r for r in results if r.failure is not None]
    assert [r.patient for r in failed] == [victim]
    message = failed[0].failure.message  # type: ignore[union-attr]
    assert victim in message and "OverflowError: 1e300 does not fit" in message and "\n" not in message
    assert all(json.loads(r.output)["patient"]["id"] for r in results if r.failure is None)


def test_inputs_that_cannot_be_planned_are_failures_in_place(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    units = list(plan_units([str(tmp_path / "nope.json"), str(tmp_path / "empty"),
                             str(EXAMPLES_DIR / "01-mescc-surgical-candidate.json")]))
    results = list(run_units(units, CONTEXT, jobs=2))
    assert [r.failure.message if r.failure else r.patient for r in results] == [
        f"{tmp_path / 'nope.json'}: no such file or folder",
        f"{tmp_path / 'empty'}: folder holds no .json or .ndjson files",
        "ex01-mescc-surgical",
    ]


def test_a_dying_worker_costs_only_its_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_cohort(tmp_path, 5, seed=3, fmt="bundle")
    victim = sorted(tmp_path.glob("*.json"))[2].stem
    real = pipeline.evaluate_record

    def deadly(record: Any, *args: Any, **kwargs: Any) -> Any:
        if record.patient_id == victim:
            import os

            os._exit(9)  # what a crash in the C core would look like
        return real(record, *args, **kwargs)

    monkeypatch.setattr(pipeline, "evaluate_record", deadly)
    results = list(run_units(plan_units([str(tmp_path)]), CONTEXT, jobs=2))
    assert len(results) == 5
    failed = [r for r in results if r.failure is not None]
    assert len(failed) == 1 and "worker process evaluating it died" in failed[0].failure.message  # type: ignore[union-attr]
