"""Every FHIR file written by others goes through the whole pipeline without an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from cds.pipeline import as_of_datetime, evaluate_source

DATA = Path(__file__).resolve().parents[1] / "data" / "shared" / "fhir-examples"
FILES = sorted(DATA.rglob("*.json"))
AS_OF = as_of_datetime(None).replace(year=2026, month=11, day=20, hour=0, minute=0, second=0)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_evaluates_without_error(path: Path) -> None:
    outcome = evaluate_source(str(path), AS_OF)
    assert outcome.error is None
    for evaluation in outcome.evaluations:
        assert evaluation.ruleset.sha256
        for rec in evaluation.recommendations:
            assert rec.citations


def test_trial_matching_patient_with_prior_bone_rt() -> None:
    (evaluation,) = evaluate_source(str(DATA / "mcode-ctm-legacy-stu1" / "TrialMatching_Patient02.json"),
                                    AS_OF).evaluations
    (lesion,) = evaluation.lesions
    assert lesion.site == "unspecified"
    # the site of the metastasis is unknown, so whether the acetabulum/lumbar RT was "at the site" is unknown
    sib = lesion.eligibility["sib-imrt"]
    assert next(c for c in sib.criteria if c.id == "no-prior-rt-at-site").status == "unknown"
    assert any(g.fact == "lesion-site" for g in evaluation.data_gaps)
    courses = evaluation.state["radiotherapy_courses"]
    assert {c.get("site") for c in courses} >= {"right acetabulum", "lumbar spine"}
