"""The When step: FHIR bundle → reader → mapper → derived facts → both rule engines.

Every scenario's patient goes through the same path as ``cds evaluate``: the builder's Bundle is
serialised to JSON bytes and read with :func:`fhir_mappings.reader.read_bytes`, mapped and
derived (:func:`cds.pipeline.clinical_state`), then evaluated by durable_rules *and* by the
plain-Python oracle. The two outputs must be identical apart from the engine's name.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pytest_bdd import parsers, when

from cds.evaluation import evaluate_state
from cds.pipeline import as_of_datetime, clinical_state
from fhir_mappings.reader import Coverage, read_bytes
from steps.context import ScenarioContext


def _without_engine(output: dict[str, Any]) -> dict[str, Any]:
    copy = dict(output)
    copy["ruleset"] = {k: v for k, v in output["ruleset"].items() if k != "engine"}
    return copy


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths where two JSON values differ (first few are enough to debug)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            out += differences(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path or '.'}: durable={a!r} python={b!r}"]


def evaluate(ctx: ScenarioContext, on: date) -> None:
    builder, handles = ctx.spec().build(on)
    records = read_bytes(json.dumps(builder.bundle()).encode(), "bdd")
    assert len(records) == 1, f"the bundle should hold one patient, the reader found {len(records)}"
    if ctx.spec().coverage is not None:
        records[0].coverage = Coverage(ctx.spec().coverage)
    state = clinical_state(records[0], as_of_datetime(on))
    durable = evaluate_state(state, engine="durable")
    oracle = evaluate_state(state, engine="python")
    output = durable.to_dict()
    diff = differences(_without_engine(output), _without_engine(oracle.to_dict()))
    assert not diff, "durable_rules and the Python oracle disagree:\n  " + "\n  ".join(diff[:10])
    ctx.evaluation, ctx.output, ctx.lesions, ctx.last = durable, output, handles, None
    for rec in durable.recommendations:
        ctx.exercised.fired.update(dict.fromkeys(rec.rules))


@when(parsers.re(r"the patient is evaluated on (?P<on>\d{4}-\d{2}-\d{2})"))
def _evaluated_on(bdd: ScenarioContext, on: str) -> None:
    evaluate(bdd, date.fromisoformat(on))
