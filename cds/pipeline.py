"""FHIR in, evaluations out: the orchestration at the edge (reading, mapping, evaluating).

Batch work runs in a process pool (durable_rules is used from one thread per process; fork and
spawn both give correct results), one unit of work per input file, results in input order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from cds.derived_facts import derive
from cds.evaluation import evaluate_state
from cds.output import Evaluation
from cds.rules_engine.loader import Ruleset, default_ruleset
from cds.state import PatientState
from fhir_mappings.mapper import map_record
from fhir_mappings.reader import InputError, PatientRecord, read_path


@dataclass(frozen=True)
class Outcome:
    """The evaluations from one input, or the one-line problem that stopped it."""

    source: str
    evaluations: tuple[Evaluation, ...] = ()
    error: str | None = None


def as_of_datetime(value: date | datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def clinical_state(record: PatientRecord, as_of: datetime) -> PatientState:
    """The mapped record with every derived fact added."""
    return derive(map_record(record, as_of))


def evaluate_record(record: PatientRecord, as_of: datetime, ruleset: Ruleset | None = None,
                    engine: str = "durable") -> Evaluation:
    return evaluate_state(clinical_state(record, as_of), ruleset or default_ruleset(), engine)


def evaluate_source(source: str, as_of: datetime, engine: str = "durable") -> Outcome:
    """Read one input (file, bulk-export folder or '-') and evaluate every patient in it."""
    try:
        records = read_path(source)
    except InputError as exc:
        return Outcome(source, error=str(exc))
    return Outcome(source, tuple(evaluate_record(r, as_of, engine=engine) for r in records))


def expand_inputs(paths: Sequence[str]) -> list[str]:
    """Files and folders to read, in a stable order. A folder that holds NDJSON files is a Bulk
    Data export and is read as one input; other folders are searched recursively."""
    units: list[str] = []
    for raw in paths:
        path = Path(raw)
        if raw == "-" or not path.is_dir():
            units.append(raw)
            continue
        units.extend(_expand_dir(path))
    return units


def _expand_dir(directory: Path) -> list[str]:
    if any(p.suffix == ".ndjson" for p in directory.iterdir() if p.is_file()):
        return [str(directory)]
    units: list[str] = []
    for entry in sorted(directory.iterdir()):
        if entry.is_dir():
            units.extend(_expand_dir(entry))
        elif entry.suffix in (".json", ".ndjson"):
            units.append(str(entry))
    return units


def _worker_init() -> None:
    default_ruleset()  # load and check the rules once per worker process


def evaluate_inputs(
    paths: Sequence[str], as_of: datetime, *, jobs: int | None = None, engine: str = "durable",
    on_done: Callable[[Outcome], None] | None = None,
) -> Iterator[Outcome]:
    """Evaluate every input, yielding outcomes in input order."""
    units = expand_inputs(paths)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(units) <= 2 or "-" in units:
        for unit in units:
            outcome = evaluate_source(unit, as_of, engine)
            if on_done:
                on_done(outcome)
            yield outcome
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(units)), initializer=_worker_init) as pool:
        futures = [pool.submit(evaluate_source, unit, as_of, engine) for unit in units]
        if on_done:
            for future in futures:
                future.add_done_callback(lambda f: on_done(f.result()))
        for future in futures:
            yield future.result()
