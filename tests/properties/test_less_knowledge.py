"""Knowing less never makes the advice more aggressive (decision criteria §3b).

Removing any one resource from a record — an example patient or a generated one — must never add
or promote an ablative recommendation (SBRT, SIB-IMRT) or a re-irradiation, in either engine,
*unless* the new recommendation rests on a silence the fact catalogue allows to be read and says
so: it then lists, under "confirm", something the fuller record had documented. (Taking away a
documented contra-indication — say the radiotherapy course to the site — turns a documented fact
into a silence; where the catalogue lets that silence be read as absence the recommendation is
right to appear, and must ask to confirm exactly that. Any other addition is a violation.)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds.evaluation import evaluate_state
from cds.output import Evaluation
from cds.pipeline import clinical_state
from cds.synthetic.cohort import cohort_patient
from fhir_mappings.reader import PatientRecord, read_bytes

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "patients").glob("*.json"))
GENERATED = int(os.environ.get("CDS_PROPERTY_PATIENTS", "500"))
RANK = {"urgent": 0, "preferred": 1, "alternative": 2}


def aggressive(evaluation: Evaluation) -> dict[tuple[str, str, str], tuple[int, frozenset[str]]]:
    """(lesion, code, reason) → (priority rank, what it asks to confirm) for ablative RT and re-irradiation."""
    out: dict[tuple[str, str, str], tuple[int, frozenset[str]]] = {}
    for rec in evaluation.recommendations:
        if rec.code in ("sbrt", "sib-imrt") or rec.reason == "reirradiation":
            key = (rec.lesion, rec.code, rec.reason)
            rank = min(RANK[rec.priority], out.get(key, (9, frozenset()))[0])
            out[key] = (rank, frozenset(rec.confirm) | out.get(key, (9, frozenset()))[1])
    return out


def evaluations(record: PatientRecord) -> tuple[Evaluation, Evaluation]:
    state = clinical_state(record, AS_OF)
    return evaluate_state(state, engine="durable"), evaluate_state(state, engine="python")


def without(record: PatientRecord, index: int) -> PatientRecord:
    """The record read once, less one resource (re-reading the JSON would only repeat the parse)."""
    kept = [r for i, r in enumerate(record.resources) if i != index]
    return replace(record, resources=kept, warnings=list(record.warnings))


def violations(before: Evaluation, after: Evaluation, removed: str) -> Iterator[str]:
    known = {a.confirm for a in before.assumptions}
    was = aggressive(before)
    for key, (rank, confirm) in aggressive(after).items():
        old = was.get(key)
        if old is not None and old[0] <= rank:
            continue  # neither added nor promoted
        if confirm - known:
            continue  # it rests on a silence the fuller record had documented, and says so
        change = "added" if old is None else "promoted"
        yield f"removing {removed} {change} {key[1]} ({key[2]}) at {key[0]} without anything new to confirm"


def check_every_removal(bundle: dict[str, Any], picks: list[int] | None = None) -> list[str]:
    """Violations of the property for removing each resource (or the ``picks``-th ones)."""
    record = read_bytes(json.dumps(bundle).encode(), "property")[0]
    indices = range(len(record.resources)) if picks is None else [p % len(record.resources) for p in picks]
    found: list[str] = []
    base = evaluations(record)
    for index in indices:
        removed = record.resources[index].reference
        after = evaluations(without(record, index))
        for engine in (0, 1):
            found.extend(violations(base[engine], after[engine], removed))
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_removing_any_resource_of_an_example_never_adds_or_promotes_ablative_rt(path: Path) -> None:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert not check_every_removal(bundle)


CHUNKS = 10  # the generated patients in chunks, so that test workers share them


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_removing_a_resource_of_a_generated_patient_never_adds_or_promotes_ablative_rt(chunk: int) -> None:
    @settings(max_examples=max(1, GENERATED // CHUNKS), deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(patient=st.integers(chunk * 10_000, chunk * 10_000 + 9_999), pick=st.integers(0, 10_000))
    def prop(patient: int, pick: int) -> None:
        assert not check_every_removal(cohort_patient(patient, seed=11).bundle(), [pick])

    prop()
