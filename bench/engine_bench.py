"""Benchmark of the evaluation pipeline, stage by stage, in one run.

Stages per patient: parse (JSON + entry-by-entry R4B validation), map (FHIR → documented state),
derive (scores, bands, classifications), rules (durable_rules evaluation and output assembly),
end-to-end (all of it). Also the plain-Python oracle for the rules stage and a bare
``json.loads`` of the same bundle as the reference every stage is compared with. Run:

    python bench/engine_bench.py                # examples + 1,000 generated patients
    python bench/engine_bench.py --cohort 200   # a smaller cohort

Numbers are printed as tables of medians, p99 and patients/s, with ratios measured in the same
run (machines here are noisy: compare ratios, not absolute times). No assertion is made.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from cds.derived_facts import derive
from cds.evaluation import evaluate_state
from cds.pipeline import as_of_datetime
from cds.rules_engine.loader import default_ruleset
from cds.synthetic.cohort import generate_cohort
from fhir_mappings.mapper import map_record
from fhir_mappings.reader import read_bytes

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "patients"
AS_OF = as_of_datetime(date(2026, 11, 20))


@dataclass
class Stage:
    name: str
    times: list[float]

    def percentile(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def per_second(self) -> float:
        return len(self.times) / sum(self.times)


def _timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def _map(records: list[Any]) -> list[Any]:
    return [map_record(r, AS_OF) for r in records]


def _derive(states: list[Any]) -> list[Any]:
    return [derive(s) for s in states]


def _rules(states: list[Any], engine: str) -> list[Any]:
    return [evaluate_state(s, engine=engine) for s in states]


def _end_to_end(data: bytes, source: str) -> list[Any]:
    return [evaluate_state(derive(map_record(r, AS_OF))) for r in read_bytes(data, source)]


def run(bundles: list[bytes]) -> tuple[list[Stage], int]:
    """Time every stage for every bundle; returns the stages and the number of resources."""
    stages = {name: Stage(name, []) for name in
              ("json.loads", "parse", "map", "derive", "rules (durable)", "rules (python oracle)", "end-to-end")}
    resources = 0
    for i, data in enumerate(bundles):
        parsed, t = _timed(json.loads, data)
        stages["json.loads"].times.append(t)
        resources += len(parsed.get("entry", [])) if isinstance(parsed, dict) else 0
        records, t = _timed(read_bytes, data, f"bench-{i}")
        stages["parse"].times.append(t)
        mapped, t = _timed(_map, records)
        stages["map"].times.append(t)
        states, t = _timed(_derive, mapped)
        stages["derive"].times.append(t)
        stages["rules (durable)"].times.append(_timed(_rules, states, "durable")[1])
        stages["rules (python oracle)"].times.append(_timed(_rules, states, "python")[1])
        stages["end-to-end"].times.append(_timed(_end_to_end, data, f"bench-{i}")[1])
    return list(stages.values()), resources


def table(title: str, stages: list[Stage], resources: int, patients: int) -> Table:
    reference = next(s for s in stages if s.name == "json.loads").median
    out = Table(title=f"{title}: {patients} patients, {resources} resources ({resources / max(patients, 1):.0f} "
                      "per patient)", title_justify="left")
    for column in ("stage", "median ms", "p99 ms", "patients/s", "× json.loads (median)"):
        out.add_column(column, justify="right" if column != "stage" else "left")
    for stage in stages:
        out.add_row(stage.name, f"{stage.median * 1000:.2f}", f"{stage.percentile(0.99) * 1000:.2f}",
                    f"{stage.per_second:,.0f}", f"{stage.median / reference:,.1f}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cohort", type=int, default=1000, help="generated patients (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    console = Console()

    # Warm up: load the rules and create the durable_rules rulesets once, as a server process would.
    default_ruleset()
    examples = [p.read_bytes() for p in sorted(EXAMPLES.glob("*.json"))]
    run(examples[:2])

    stages, resources = run(examples)
    console.print(table("Example patients", stages, resources, len(examples)))

    cohort = [json.dumps(b).encode() for b in generate_cohort(args.cohort, seed=args.seed)]
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages, resources = run(cohort)
    console.print(table("Generated cohort", stages, resources, len(cohort)))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Memory is traced separately: tracemalloc slows every allocation and would distort the timings.
    sample = cohort[: min(50, len(cohort))]
    tracemalloc.start()
    for i, data in enumerate(sample):
        for record in read_bytes(data, f"mem-{i}"):
            evaluate_state(derive(map_record(record, AS_OF)))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    console.print(f"memory: process max RSS {rss_before:.0f} MiB before the cohort, {rss_after:.0f} MiB after "
                  f"{len(cohort)} patients; peak traced Python allocation while evaluating one patient at a time: "
                  f"{peak / 2**20:.1f} MiB, retained after {len(sample)} patients: {current / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
