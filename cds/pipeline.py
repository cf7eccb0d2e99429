"""FHIR in, evaluations out: the orchestration at the edge (reading, mapping, evaluating).

Work is cut into *units* of about one patient: a JSON document (a patient's Bundle), or one
patient's shard of a folder or Bulk Data export (``fhir_mappings.patient_shards``: one pass indexes
where each patient's resources lie; the worker reads them back). Units run in a process pool
(durable_rules is used from one thread per process; fork and spawn both give correct results;
each worker loads the ruleset once), a few per worker ahead of the output, and each comes back
already rendered in the output format (``cds.result_stream``), in input order. So the parent holds
only the index and the results in flight, whatever the size of the cohort.

A unit that fails — an unreadable input, a patient whose evaluation raises — becomes a
``Failure`` in the stream; the other units are still evaluated.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from cds.derived_facts import derive
from cds.evaluation import evaluate_state
from cds.heap import freeze_long_lived
from cds.output import Evaluation
from cds.result_stream import Failure
from cds.rules_engine.loader import Ruleset, default_ruleset
from cds.state import PatientState
from fhir_mappings.mapper import map_record
from fhir_mappings.patient_shards import PatientShard, plan_shards, read_shard
from fhir_mappings.reader import STDIN, Coverage, InputError, PatientRecord, loads, read_bytes, read_path

AHEAD_PER_WORKER = 4
"""Units submitted ahead of the output per worker: enough to keep workers busy, few enough that
results waiting for an earlier, slower one stay a handful."""


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
    """Read one input (file, folder or '-') and evaluate every patient in it, in this process."""
    try:
        records = read_path(source)
    except InputError as exc:
        return Outcome(source, error=str(exc))
    return Outcome(source, tuple(evaluate_record(r, as_of, engine=engine) for r in records))


# --------------------------------------------------------------------------- units of work


@dataclass(frozen=True)
class Unit:
    """About one patient's worth of work; small to hand to a worker process."""

    source: str
    """The input it comes from, as the user named it."""
    path: str | None = None
    """A JSON document to read whole."""
    data: bytes | None = None
    """Standard input, read by the parent."""
    shard: PatientShard | None = None
    error: str | None = None
    """The input could not even be planned (missing, no FHIR file in a folder…)."""


def plan_units(paths: Sequence[str], notice: Callable[[str], None] = lambda _: None) -> Iterator[Unit]:
    """The units of every input, in input order.

    A folder that holds NDJSON files or single resources (a Bulk Data export, an IG's example
    folder) is indexed and cut into one shard per patient; a folder of Bundles gives one unit per
    Bundle (its subfolders are looked at the same way); an NDJSON file is a Bulk export in one
    file. ``notice`` hears one line per file or group of lines skipped."""
    for raw in paths:
        if raw == "-":
            yield Unit(STDIN, data=sys.stdin.buffer.read())
            continue
        path = Path(raw)
        if not path.exists():
            yield Unit(raw, error=f"{raw}: no such file or folder")
        elif path.is_dir():
            units = _plan_folder(path, notice)
            first = next(units, None)
            if first is None:
                yield Unit(raw, error=f"{raw}: folder holds no .json or .ndjson files")
            else:
                yield from chain([first], units)
        elif path.suffix.lower() == ".ndjson":
            yield from _plan_export(path, notice)
        else:
            yield Unit(raw, path=raw)


def _plan_folder(folder: Path, notice: Callable[[str], None]) -> Iterator[Unit]:
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        yield Unit(str(folder), error=f"{folder}: cannot be read ({exc.strerror or exc})")
        return
    files = [e for e in entries if e.is_file() and e.suffix.lower() in (".json", ".ndjson")]
    if any(f.suffix.lower() == ".ndjson" or not _is_bundle(f) for f in files):
        yield from _plan_export(folder, notice)
        return
    for entry in entries:
        if entry.is_dir():
            yield from _plan_folder(entry, notice)
        elif entry in files:
            yield Unit(str(entry), path=str(entry))


def _plan_export(path: Path, notice: Callable[[str], None]) -> Iterator[Unit]:
    try:
        plan = plan_shards(path)
    except InputError as exc:
        yield Unit(str(path), error=str(exc))
        return
    for line in plan.notices:
        notice(line)
    for shard in plan.shards():
        yield Unit(str(path), shard=shard)


_FIRST_KEY = re.compile(rb'\s*\{\s*"resourceType"\s*:\s*"([A-Za-z]+)"')


def _is_bundle(path: Path) -> bool:
    """Whether a JSON file holds a Bundle: from its first bytes when ``resourceType`` is the first
    key (as FHIR servers write it), else by parsing it (files written with sorted keys)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(256).removeprefix(b"\xef\xbb\xbf")
        match = _FIRST_KEY.match(head)
        if match is not None:
            return match.group(1) == b"Bundle"
        value = loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except (OSError, ValueError):
        return True  # unreadable or not JSON: a unit of its own, which reports the problem
    return isinstance(value, dict) and value.get("resourceType") == "Bundle"


# --------------------------------------------------------------------------- running units


@dataclass(frozen=True)
class RunContext:
    """What every unit of one run shares; handed to each worker once."""

    as_of: datetime
    engine: str
    render: Callable[[Evaluation], Any]
    debug: bool = False
    coverage: Coverage | None = None
    """What the inputs cover, when the user says they are partial (``--partial-record``, ``--covers``);
    None: each Bundle or export is the patient's whole record."""


@dataclass(frozen=True)
class Result:
    """One patient's rendered evaluation, or a failure."""

    source: str
    patient: str | None = None
    output: Any = None
    failure: Failure | None = None
    debug: str | None = None
    """The traceback, when CDS_DEBUG is set."""


def run_unit(unit: Unit, context: RunContext) -> list[Result]:
    """Read one unit and evaluate and render every patient in it; never raises."""
    if unit.error is not None:
        return [Result(unit.source, failure=Failure(unit.source, unit.error))]
    try:
        if unit.shard is not None:
            records = read_shard(unit.shard)
        elif unit.data is not None:
            records = read_bytes(unit.data, STDIN)
        else:
            records = read_path(unit.path or unit.source)
    except InputError as exc:
        return [Result(unit.source, failure=Failure(unit.source, str(exc)))]
    except Exception as exc:  # a reader bug must not cost the other inputs
        return [_failed(unit.source, None, f"{unit.source}: could not be read", exc, context)]
    if not records:
        return [Result(unit.source, failure=Failure(unit.source, f"{unit.source}: no FHIR resources"))]
    results: list[Result] = []
    for record in records:
        if context.coverage is not None:
            record.coverage = context.coverage
        try:
            evaluation = evaluate_record(record, context.as_of, engine=context.engine)
            results.append(Result(unit.source, record.patient_id, output=context.render(evaluation)))
        except Exception as exc:
            where = record.source or unit.source
            results.append(_failed(unit.source, record.patient_id,
                                   f"{where}: patient {record.patient_id}: could not be evaluated", exc, context))
    return results


def _failed(source: str, patient: str | None, what: str, exc: Exception, context: RunContext) -> Result:
    message = " ".join(f"{what} ({type(exc).__name__}: {exc})".split())
    if len(message) > 300:
        message = message[:297] + "..."
    debug = traceback.format_exc() if context.debug else None
    return Result(source, patient, failure=Failure(source, message, patient), debug=debug)


_CONTEXT: RunContext | None = None


def _worker_init(context: RunContext) -> None:
    global _CONTEXT
    _CONTEXT = context
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    default_ruleset()  # load and check the rules once per worker process


def _run_in_worker(unit: Unit) -> list[Result]:
    assert _CONTEXT is not None
    return run_unit(unit, _CONTEXT)


def run_units(units: Iterable[Unit], context: RunContext, jobs: int | None = None) -> Iterator[Result]:
    """Every unit's results, in input order; with ``jobs`` > 1 in a pool of worker processes."""
    jobs = jobs or os.cpu_count() or 1
    units = iter(units)
    head = list(islice(units, 3))
    units = chain(head, units)
    if len(head) < 3:
        for unit in units:
            yield from run_unit(unit, context)
        return
    _warm_up()
    if jobs <= 1:
        for unit in units:
            yield from run_unit(unit, context)
        return
    pool = _Pool(jobs, context)
    pending: deque[_Pending] = deque()
    try:
        for unit in units:
            pending.append(pool.submit(unit))
            while len(pending) > jobs * AHEAD_PER_WORKER:
                yield from pool.results(pending.popleft(), pending)
        while pending:
            yield from pool.results(pending.popleft(), pending)
    finally:
        pool.close()


def _warm_up() -> None:
    """Import once, before the workers are forked, what each would import on its first patient
    (the R4B model classes: about 0.3 s of CPU), and load the rules: forked workers share both.
    Then set all of it aside from the garbage collector (``cds.heap``), in one process too."""
    from fhir.resources.R4B import get_fhir_model_class

    from fhir_mappings.resources import READ_TYPES

    for resource_type in sorted(READ_TYPES):
        get_fhir_model_class(resource_type)
    default_ruleset()
    freeze_long_lived()  # the workers share these pages instead of each touching (copying) them


@dataclass
class _Pending:
    unit: Unit
    future: Future[list[Result]] | None
    done: list[Result] | None = None


class _Pool:
    """A process pool that survives a worker's death (a crash in the C core of durable_rules must
    not cost the other patients): the units in flight are run again, one at a time."""

    def __init__(self, jobs: int, context: RunContext) -> None:
        self.jobs = jobs
        self.context = context
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_init, initargs=(self.context,))

    def submit(self, unit: Unit) -> _Pending:
        if unit.error is not None:
            return _Pending(unit, None, run_unit(unit, self.context))
        return _Pending(unit, self.executor.submit(_run_in_worker, unit))

    def results(self, item: _Pending, waiting: deque[_Pending]) -> list[Result]:
        while item.done is None:
            assert item.future is not None
            try:
                item.done = item.future.result()
            except BrokenProcessPool:
                self._restart(item, waiting)
        return item.done

    def _restart(self, failed: _Pending, waiting: deque[_Pending]) -> None:
        """A worker died: which of the units in flight killed it is unknown, so each is run again
        alone; the one that kills its worker again is a failure, the others are results."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()
        for item in (failed, *waiting):
            if item.done is not None:
                continue
            future = item.future
            if future is not None and future.done() and not future.cancelled() and future.exception() is None:
                item.done = future.result()
                continue
            try:
                item.done = self.executor.submit(_run_in_worker, item.unit).result()
            except BrokenProcessPool:
                message = f"{item.unit.source}: the worker process evaluating it died"
                item.done = [Result(item.unit.source, failure=Failure(item.unit.source, message))]
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = self._start()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
