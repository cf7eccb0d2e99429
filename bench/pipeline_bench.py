"""Benchmark of the batch pipeline: stage costs, start-up, memory over cohort sizes, record size,
and the speed-up of ``-j 2``. Every table shows ratios measured in the same run.

    python bench/pipeline_bench.py stages       # per-patient stage table, × orjson.loads
    python bench/pipeline_bench.py startup      # CPU of one `cds evaluate` of one patient
    python bench/pipeline_bench.py memory       # peak RSS of the whole process tree, 100 / 1,000 / 5,000
    python bench/pipeline_bench.py record-size  # one patient with 5k and 50k Observations
    python bench/pipeline_bench.py speedup      # -j 1 against -j 2, Bundle folder and Bulk export
    python bench/pipeline_bench.py all

``--tree DIR`` measures another checkout of the project (e.g. the code before a change: ``git
archive <commit> | tar -x -C DIR``): the command line and the stage functions are imported from
there. Nothing here asserts a time: the numbers are for reading (machines here are shared and
noisy: compare ratios from one run, and the minimum of interleaved repeats).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _python_env(tree: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _cds(tree: Path | None) -> list[str]:
    return [sys.executable, "-m", "cds.cli"]


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (pasted into bench/README.md as it is)."""
    cells = [[str(c) for c in row] for row in rows]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" if i == 0 else "---:"
                                                              for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


# --------------------------------------------------------------------------- stages (in process)


def stages(patients: int, repeats: int) -> str:
    """Per generated patient (~100 resources): each stage timed on every patient, repeats
    interleaved, the minimum of the repeats kept; the total over patients divided by their number."""
    import json as stdjson

    import orjson

    from cds.derived_facts import derive
    from cds.evaluation import evaluate_state
    from cds.pipeline import as_of_datetime
    from cds.rules_engine import durable_engine
    from cds.rules_engine.loader import default_ruleset
    from cds.synthetic.cohort import DEFAULT_AS_OF, generate_cohort
    from fhir_mappings.mapper import map_record
    from fhir_mappings.reader import read_bytes
    from fhir_mappings.resources import _model_class

    as_of = as_of_datetime(DEFAULT_AS_OF)
    default_ruleset()
    bundles = [orjson.dumps(b) for b in generate_cohort(patients, seed=11)]

    engine_time = [0.0]
    fired = durable_engine.DurablePhase.fired

    def timed_fired(self: Any, facts: Any) -> Any:
        start = time.perf_counter()
        try:
            return fired(self, facts)
        finally:
            engine_time[0] += time.perf_counter() - start

    durable_engine.DurablePhase.fired = timed_fired  # type: ignore[method-assign]

    def validate_all(data: bytes) -> None:
        for entry in orjson.loads(data)["entry"]:
            resource = entry["resource"]
            with contextlib.suppress(Exception):  # the cost is measured, not the verdict
                _model_class(resource["resourceType"]).model_validate(resource)

    def end_to_end(data: bytes) -> None:
        for record in read_bytes(data, "bench"):
            orjson.dumps(evaluate_state(derive(map_record(record, as_of))).to_dict())

    def end_to_end_indented(data: bytes) -> None:
        for record in read_bytes(data, "bench"):
            stdjson.dumps(evaluate_state(derive(map_record(record, as_of))).to_dict(), indent=2, ensure_ascii=False)

    names = ["orjson.loads", "json.loads", "R4B validation of every entry", "parse (read_bytes)", "map", "derive",
             "evaluate_state (durable_rules)", "… of which durable_rules (C core + fact JSON + glue)",
             "evaluate_state (Python oracle)", "output: to_dict + json.dumps(indent=2)",
             "output: to_dict + orjson.dumps", "end to end (read → orjson)",
             "end to end (read → json.dumps(indent=2), as before)"]
    best = {name: [float("inf")] * len(bundles) for name in names}

    def keep(name: str, i: int, seconds: float) -> None:
        best[name][i] = min(best[name][i], seconds)

    def clock(fn: Callable[[], Any]) -> tuple[Any, float]:
        start = time.perf_counter()
        value = fn()
        return value, time.perf_counter() - start

    # The repeats below see each patient again: whatever the code caches per distinct value (R4B
    # elements, renderings) is then warm with that patient's own values too. A cohort is read once:
    # first each patient once, after a warm-up on another cohort, so only what patients share is warm.
    # One sample per patient: CPU time (time.process_time), which other processes disturb less.
    first_name = "end to end, first sight (each patient once, warmed on another cohort; CPU)"
    for data in [orjson.dumps(b) for b in generate_cohort(min(patients, 50), seed=12)]:
        end_to_end(data)
    try:  # as `cds evaluate` does after its warm-up (a tree from before cds.heap has nothing to freeze)
        from cds.heap import freeze_long_lived
    except ImportError:
        pass
    else:
        freeze_long_lived()
    first = []
    for data in bundles:
        start = time.process_time()
        end_to_end(data)
        first.append(time.process_time() - start)

    for _ in range(repeats):
        for i, data in enumerate(bundles):
            keep("orjson.loads", i, clock(lambda d=data: orjson.loads(d))[1])
            keep("json.loads", i, clock(lambda d=data: stdjson.loads(d))[1])
            keep("R4B validation of every entry", i, clock(lambda d=data: validate_all(d))[1])
            records, t = clock(lambda d=data: read_bytes(d, "bench"))
            keep("parse (read_bytes)", i, t)
            mapped, t = clock(lambda r=records: [map_record(x, as_of) for x in r])
            keep("map", i, t)
            states, t = clock(lambda m=mapped: [derive(x) for x in m])
            keep("derive", i, t)
            engine_time[0] = 0.0
            evaluations, t = clock(lambda s=states: [evaluate_state(x) for x in s])
            keep("evaluate_state (durable_rules)", i, t)
            keep("… of which durable_rules (C core + fact JSON + glue)", i, engine_time[0])
            keep("evaluate_state (Python oracle)", i,
                 clock(lambda s=states: [evaluate_state(x, engine="python") for x in s])[1])
            keep("output: to_dict + json.dumps(indent=2)", i, clock(lambda e=evaluations: [
                stdjson.dumps(x.to_dict(), indent=2, ensure_ascii=False) for x in e])[1])
            keep("output: to_dict + orjson.dumps", i, clock(lambda e=evaluations: [
                orjson.dumps(x.to_dict()) for x in e])[1])
            keep("end to end (read → orjson)", i, clock(lambda d=data: end_to_end(d))[1])
            keep("end to end (read → json.dumps(indent=2), as before)", i,
                 clock(lambda d=data: end_to_end_indented(d))[1])
    durable_engine.DurablePhase.fired = fired  # type: ignore[method-assign]

    reference = sum(best["orjson.loads"])
    rows = [(name, f"{sum(times) / len(bundles) * 1000:.2f}", f"{sum(times) / reference:.1f}")
            for name, times in best.items()]
    rows.append((first_name, f"{sum(first) / len(bundles) * 1000:.2f}", f"{sum(first) / reference:.1f}"))
    size = sum(len(b) for b in bundles) / len(bundles) / 1000
    return (f"{len(bundles)} generated patients, {size:.0f} kB of JSON each; min of {repeats} interleaved repeats\n\n"
            + _table(["stage", "ms per patient", "× orjson.loads"], rows))


# --------------------------------------------------------------------------- the command line


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def startup(tree: Path | None, repeats: int) -> str:
    example = ROOT / "examples" / "patients" / "01-mescc-surgical-candidate.json"
    rows = []
    for label, args in (("cds --help", ["--help"]),
                        ("cds evaluate (one patient, json)", ["evaluate", str(example), "-f", "json",
                                                              "--as-of", "2026-11-20"])):
        cpu, wall = [], []
        for _ in range(repeats):
            before, start = _children_cpu(), time.perf_counter()
            subprocess.run([*_cds(tree), *args], env=_python_env(tree), cwd=tempfile.gettempdir(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            wall.append(time.perf_counter() - start)
            cpu.append(_children_cpu() - before)
        rows.append((label, f"{min(cpu):.2f}", f"{min(wall):.2f}"))
    return _table(["command", "CPU s (min)", "wall s (min)"], rows)


def _tree_rss(root: int) -> int:
    """kB of resident memory of a process and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm", encoding="ascii") as handle:
                pages = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    members, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in members:
                members.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0) for pid in members)


def run_cli(tree: Path | None, args: Sequence[str], sample_memory: bool = True) -> dict[str, float]:
    """Wall time, CPU and the peak RSS of the whole process tree of one `cds` run (output discarded).
    Sampling the memory reads /proc every 50 ms, CPU taken from the cores `cds` runs on: off when
    only the time matters."""
    before, start = _children_cpu(), time.perf_counter()
    process = subprocess.Popen([*_cds(tree), *args], env=_python_env(tree), cwd=tempfile.gettempdir(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while sample_memory and process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.05)
    stderr = process.communicate()[1].decode()
    return {"wall": time.perf_counter() - start, "cpu": _children_cpu() - before, "peak_mb": peak / 1024,
            "code": process.returncode, "stderr": stderr[-300:]}  # type: ignore[dict-item]


def _write_cohort(directory: Path, n: int, fmt: str) -> None:
    from cds.synthetic.cohort import write_cohort

    write_cohort(directory, n, seed=0, fmt=fmt)  # type: ignore[arg-type]


def memory(tree: Path | None, sizes: Sequence[int], fmt: str, jobs: int, work: Path) -> str:
    rows = []
    for layout in ("bundle", "ndjson"):
        for n in sizes:
            folder = work / f"{layout}-{n}"
            if not folder.exists():
                _write_cohort(folder, n, layout)
            result = run_cli(tree, ["evaluate", str(folder), "-f", fmt, "-j", str(jobs), "--as-of", "2026-11-20"])
            rows.append(("Bundle folder" if layout == "bundle" else "Bulk export", n, f"{result['peak_mb']:.0f}",
                         f"{result['wall']:.1f}", f"{result['cpu'] / n * 1000:.1f}", result["code"]))
            print(f"  {layout} {n}: {result}", file=sys.stderr)
    return _table(["input", "patients", "peak RSS of the tree, MB", "wall s", "CPU ms per patient", "exit"], rows)


def record_size(tree: Path | None, sizes: Sequence[int]) -> str:
    rows = []
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "_one-record", str(n)], env=_python_env(tree),
                             cwd=tempfile.gettempdir(), capture_output=True, text=True, check=False)
        if out.returncode != 0:
            rows.append((n, "failed", out.stderr.strip().splitlines()[-1:], "", "", ""))
            continue
        data = json.loads(out.stdout)
        rows.append((f"{n:,}", f"{data['mb']:.1f}", f"{data['read']:.2f}", f"{data['map']:.2f}",
                     f"{data['evaluate']:.2f}", f"{data['rss']:.0f}"))
    return _table(["Observations", "bundle MB", "read s", "map s", "derive + evaluate s", "max RSS MB"], rows)


def _one_record(n: int) -> None:
    """(child process) One patient with ``n`` lesion Observations: times and max RSS as JSON."""
    import resource
    from datetime import date

    import orjson

    from cds.derived_facts import derive
    from cds.evaluation import evaluate_state
    from cds.pipeline import as_of_datetime
    from cds.synthetic.builder import PatientBuilder
    from fhir_mappings.mapper import map_record
    from fhir_mappings.reader import read_bytes

    as_of = date(2026, 11, 20)
    builder = PatientBuilder("big", as_of=as_of, age=60, sex="female")
    builder.primary_cancer("breast", confirmed=True, diagnosed=date(2020, 1, 1))
    lesions = [builder.bone_metastasis(site) for site in ("T8", "L2", "left femoral shaft")]
    for i in range(n):
        builder.pain(lesions[i % 3], i % 10)
    data = orjson.dumps(builder.bundle())
    del builder
    start = time.process_time()
    (record,) = read_bytes(data, "big.json")
    read = time.process_time() - start
    start = time.process_time()
    state = map_record(record, as_of_datetime(as_of))
    mapped = time.process_time() - start
    del record
    start = time.process_time()
    evaluate_state(derive(state))
    evaluated = time.process_time() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"mb": len(data) / 1e6, "read": read, "map": mapped, "evaluate": evaluated, "rss": rss}))


_SPIN = "x = 0\nfor i in range(25_000_000):\n    x += i\n"


def _ceiling() -> tuple[float, float]:
    """Wall seconds of one pure-Python CPU-bound process alone, and of two at once: what two cores
    of this machine give two independent processes (shared caches, a noisy host), no IPC at all."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _SPIN], check=True)
    one = time.perf_counter() - start
    start = time.perf_counter()
    pair = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(2)]
    for process in pair:
        process.wait()
    return one, time.perf_counter() - start


def speedup(tree: Path | None, patients: int, repeats: int, work: Path) -> str:
    rows = []
    solo, pair = zip(*(_ceiling() for _ in range(repeats)), strict=True)
    rows.append(("two independent CPU-bound processes (the machine's ceiling)", "—", f"{2 * min(solo):.1f}",
                 f"{min(pair):.1f}", f"{2 * min(solo) / min(pair):.2f}×"))
    for layout in ("bundle", "ndjson"):
        folder = work / f"{layout}-{patients}"
        if not folder.exists():
            _write_cohort(folder, patients, layout)
        walls: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(repeats):
            for jobs in (1, 2):  # interleaved: a noisy neighbour hits both alike
                result = run_cli(tree, ["evaluate", str(folder), "-f", "ndjson", "-j", str(jobs),
                                        "--as-of", "2026-11-20"], sample_memory=False)
                walls[jobs].append(result["wall"])
        one, two = min(walls[1]), min(walls[2])
        rows.append(("Bundle folder" if layout == "bundle" else "Bulk export", patients, f"{one:.1f}", f"{two:.1f}",
                     f"{one / two:.2f}×"))
    return _table(["input", "patients", "-j 1 wall s", "-j 2 wall s", "speed-up"], rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("stages", "startup", "memory", "record-size", "speedup", "all", "_one-record"))
    parser.add_argument("n", nargs="?", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help="measure this checkout of the project instead")
    parser.add_argument("--patients", type=int, default=200, help="stages: generated patients (default 200)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,5000", help="memory: cohort sizes")
    parser.add_argument("--format", default="json", help="memory: output format (json works before and after)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--observations", default="5000,50000", help="record-size: Observations in the record")
    parser.add_argument("--speedup-patients", type=int, default=400)
    parser.add_argument("--work", type=Path, help="folder for generated cohorts (kept; default: a temporary one)")
    args = parser.parse_args(argv)
    if args.what == "_one-record":
        _one_record(args.n)
        return
    if args.what == "stages" and args.tree is not None:
        sys.path.insert(0, str(args.tree))
    work = args.work or Path(tempfile.mkdtemp(prefix="cds-bench-"))
    load = os.getloadavg()[0]
    print(f"<!-- {args.what}; tree {args.tree or ROOT}; load average at start {load:.1f} on {os.cpu_count()} cores -->")
    try:
        if args.what in ("stages", "all"):
            print(stages(args.patients, args.repeats), end="\n\n")
        if args.what in ("startup", "all"):
            print(startup(args.tree, args.repeats), end="\n\n")
        if args.what in ("record-size", "all"):
            print(record_size(args.tree, [int(x) for x in args.observations.split(",")]), end="\n\n")
        if args.what in ("speedup", "all"):
            print(speedup(args.tree, args.speedup_patients, args.repeats, work), end="\n\n")
        if args.what in ("memory", "all"):
            print(memory(args.tree, [int(x) for x in args.sizes.split(",")], args.format, args.jobs, work), end="\n\n")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
