"""The benchmark cohort: valid, deterministic, realistic in size and content, fast."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cds.synthetic.builder import JSON
from cds.synthetic.checks import bundle_problems, bundle_resources, unknown_local_codes, validation_errors
from cds.synthetic.cohort import generate_cohort, write_cohort
from fhir_mappings.codes import codelist

COHORT = list(generate_cohort(50, seed=7))


def codes(bundle: JSON) -> set[str]:
    return {c["code"] for r in bundle_resources(bundle) for c in r.get("code", {}).get("coding", [])}


def test_every_resource_of_a_50_patient_cohort_validates() -> None:
    errors = [e for b in COHORT for r in bundle_resources(b) for e in validation_errors(r)]
    assert errors == []
    assert all(validation_errors(b) == [] for b in COHORT)


def test_bundles_are_well_formed() -> None:
    for bundle in COHORT:
        assert bundle["type"] == "collection"
        assert bundle_problems(bundle) == []
        assert unknown_local_codes(bundle_resources(bundle)) == set()
        assert bundle_resources(bundle)[0]["resourceType"] == "Patient"
    patient_ids = [bundle_resources(b)[0]["id"] for b in COHORT]
    assert len(set(patient_ids)) == len(patient_ids)
    urls = [e["fullUrl"] for b in COHORT for e in b["entry"]]
    assert len(set(urls)) == len(urls)  # unique across the whole cohort, not only per Bundle


def test_size_is_about_100_resources() -> None:
    sizes = [len(b["entry"]) for b in COHORT]
    assert all(70 <= s <= 130 for s in sizes), sizes
    assert 85 <= sum(sizes) / len(sizes) <= 115


def test_deterministic_for_a_seed_and_prefix_stable() -> None:
    again = list(generate_cohort(50, seed=7))
    assert json.dumps(again, sort_keys=True) == json.dumps(COHORT, sort_keys=True)
    assert list(generate_cohort(5, seed=7)) == COHORT[:5]
    assert list(generate_cohort(5, seed=8)) != COHORT[:5]


def test_content_is_clinically_varied_with_noise() -> None:
    cohort = list(generate_cohort(300, seed=1))
    per_patient = [codes(b) for b in cohort]
    bone = set(codelist("bone_metastasis")["snomed"]) | set(codelist("bone_metastasis")["icd10cm"])
    assert all(c & bone for c in per_patient), "every patient has at least one bone metastasis"
    share = {k: sum(k in c for c in per_patient) / len(cohort) for k in (
        "71286001", "sins", "bilsky-grade", "mirels", "89247-1", "89243-0", "75327-7", "1217123003",
        "8867-4", "718-7", "38341003",
    )}  # fmt: skip
    assert 0.02 <= share["71286001"] <= 0.2  # some MESCC
    assert 0.5 <= share["89247-1"] <= 0.95  # ECOG often, not always, documented
    assert 0.1 <= share["75327-7"] <= 0.6
    assert 0.2 <= share["sins"] <= 0.8 and 0.2 <= share["bilsky-grade"] <= 0.8
    assert share["8867-4"] == 1.0 and share["718-7"] > 0.5  # vital signs and labs everywhere
    kinds = Counter(r["resourceType"] for b in cohort for r in bundle_resources(b))
    assert {"Encounter", "MedicationRequest", "Procedure", "Condition", "Observation"} <= set(kinds)
    primaries = Counter(
        c["code"]
        for b in cohort
        for r in bundle_resources(b)
        if r.get("meta", {}).get("profile", [""])[0].endswith("mcode-primary-cancer-condition")
        for c in r["code"]["coding"]
    )
    assert len(primaries) >= 10  # breast, prostate, lung, kidney, myeloma, …
    lesion_counts = Counter(
        sum(1 for r in bundle_resources(b) if r["resourceType"] == "Condition" and codes_of(r) & bone) for b in cohort
    )
    assert min(lesion_counts) == 1 and max(lesion_counts) == 12


def codes_of(resource: JSON) -> set[str]:
    return {c["code"] for c in resource.get("code", {}).get("coding", [])}


def test_write_cohort_bundles(tmp_path: Path) -> None:
    paths = write_cohort(tmp_path, 3, seed=7)
    assert [p.name for p in paths] == [f"{bundle_resources(b)[0]['id']}.json" for b in COHORT[:3]]
    assert json.loads(paths[0].read_text()) == COHORT[0]


def test_write_cohort_ndjson_bulk_export(tmp_path: Path) -> None:
    paths = write_cohort(tmp_path, 3, seed=7, fmt="ndjson")
    names = {p.name for p in paths}
    assert {"Patient.ndjson", "Condition.ndjson", "Observation.ndjson", "Encounter.ndjson"} <= names
    written = [json.loads(line) for p in paths for line in p.read_text().splitlines()]
    expected = [r for b in COHORT[:3] for r in bundle_resources(b)]
    assert sorted(written, key=lambda r: (r["resourceType"], r["id"])) == sorted(
        expected, key=lambda r: (r["resourceType"], r["id"])
    )
    for p in paths:
        assert {json.loads(line)["resourceType"] for line in p.read_text().splitlines()} == {p.stem}
    with pytest.raises(ValueError, match="fmt"):
        write_cohort(tmp_path, 1, fmt="csv")  # type: ignore[arg-type]


def test_generation_yields_every_patient() -> None:
    # Speed is shown by bench/, never asserted here (machines are noisy).
    assert sum(1 for _ in generate_cohort(200, seed=3)) == 200
