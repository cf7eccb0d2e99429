"""Cutting a folder or Bulk Data export into one shard per patient, and reading a shard back."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from fhir_mapping_helpers import LOINC, PID, bone_met, bundle, observation, patient

from cds.synthetic.cohort import write_cohort
from fhir_mappings.patient_shards import plan_shards, read_shard, read_sharded
from fhir_mappings.reader import Collected, InputError, flatten, group_records

MCODE = Path(__file__).resolve().parents[1] / "data" / "shared" / "fhir-examples" / "mcode-stu4"


def ecog(oid: str, value: int, pid: str = PID, **kwargs: Any) -> dict[str, Any]:
    return observation(oid, LOINC, "89247-1", pid=pid, valueInteger=value, **kwargs)


def ndjson(path: Path, *resources: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")


def whole(folder: Path) -> list[Any]:
    """The records of reading every file of the folder at once (what a shard must reproduce)."""
    out = Collected()
    for file in sorted(p for p in folder.rglob("*") if p.suffix in (".json", ".ndjson")):
        text = file.read_text(encoding="utf-8")
        values = [json.loads(text)] if file.suffix == ".json" else [json.loads(x) for x in text.splitlines() if x]
        for value in values:
            flatten(value, None, str(file), out)
    return group_records(out, str(folder))


def summary(records: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.patient_id, r.source, [x.reference for x in r.resources],
             sorted((w.resource or "", w.message) for w in r.warnings)) for r in records]


def test_a_generated_bulk_export_gives_the_records_of_reading_it_whole(tmp_path: Path) -> None:
    write_cohort(tmp_path, 12, seed=5, fmt="ndjson")
    plan = plan_shards(tmp_path)
    assert len(plan) == 12 and plan.notices == []
    assert summary(read_sharded(tmp_path)) == summary(whole(tmp_path))


def test_a_folder_of_single_resources_is_grouped_by_patient() -> None:
    records = read_sharded(MCODE)
    assert summary(records) == summary(whole(MCODE))
    ids = [r.patient_id for r in records]
    assert len(ids) == len(set(ids)) and "cancer-patient-jenny-m" in ids  # one record per patient, not per file
    jenny = next(r for r in records if r.patient_id == "cancer-patient-jenny-m")
    refs = [x.reference for x in jenny.resources]
    assert len(refs) == len(set(refs))  # the Bundle's copy and the single file's copy are read once


def test_shards_are_small_and_picklable(tmp_path: Path) -> None:
    write_cohort(tmp_path, 3, seed=1, fmt="ndjson")
    (shard, *_) = plan_shards(tmp_path).shards()
    assert len(pickle.dumps(shard)) < 8_000  # addresses of ~100 resources, not the resources
    assert read_shard(pickle.loads(pickle.dumps(shard)))[0].patient_id == shard.patient


def test_what_lies_beside_the_resources_is_skipped_with_a_notice(tmp_path: Path) -> None:
    ndjson(tmp_path / "Patient.ndjson", patient("a"), patient("b"))
    (tmp_path / "Observation.ndjson").write_text(
        json.dumps(ecog("ea", 1, pid="a")) + "\n{not json\n" + json.dumps({"no": "type"}) + "\n"
        + json.dumps(ecog("eb", 3, pid="b")) + "\n", encoding="utf-8")
    ndjson(tmp_path / "Condition.ndjson", bone_met("m1", pid="b"))
    ndjson(tmp_path / "log.ndjson", {"time": "2026-01-01", "level": "info", "msg": "export started"})
    ndjson(tmp_path / "OperationOutcome.ndjson", {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "processing", "diagnostics": "MedicationRequest/9 could not be exported"}]})
    (tmp_path / "manifest.json").write_text(json.dumps({"transactionTime": "2026-01-01", "output": []}))
    (tmp_path / "notes.txt").write_text("not FHIR")
    plan = plan_shards(tmp_path)
    records = {r.patient_id: r for s in plan.shards() for r in read_shard(s)}
    assert set(records) == {"a", "b"}
    assert [x.reference for x in records["b"].resources] == ["Condition/m1", "Observation/eb", "Patient/b"]
    notices = "\n".join(plan.notices)
    assert "log.ndjson: no FHIR resources" in notices and "manifest.json: no FHIR resources" in notices
    assert "Observation.ndjson: 2 line(s) skipped" in notices and "line 2 is not JSON" in notices
    assert "could not be exported" in notices
    for record in records.values():
        messages = " ".join(w.message for w in record.warnings)
        assert "2 line(s) skipped" in messages  # both patients were read from Observation.ndjson
        assert "resources may be missing" in messages  # the server's error concerns everyone
        assert "log.ndjson" not in messages


def test_urn_reference_to_a_patient_in_another_file_is_followed(tmp_path: Path) -> None:
    url = "urn:uuid:11111111-2222-3333-4444-555555555555"
    (tmp_path / "a-observations.json").write_text(json.dumps(bundle(
        dict(ecog("e1", 2), subject={"reference": url}))), encoding="utf-8")
    (tmp_path / "b-patient.json").write_text(json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": url, "resource": patient("z")}]}))
    (tmp_path / "c.ndjson").write_text(json.dumps(ecog("e2", 1, pid="y")) + "\n")
    records = read_sharded(tmp_path)
    assert summary(records) == summary(whole(tmp_path))
    assert [r.patient_id for r in records] == ["z", "y"]


def test_orphans_and_shared_resources(tmp_path: Path) -> None:
    practitioner = {"resourceType": "Practitioner", "id": "dr"}
    orphan = dict(ecog("lost", 1), subject={"reference": "Group/g1"})
    ndjson(tmp_path / "all.ndjson", patient("a"), patient("b"), practitioner, orphan)
    records = read_sharded(tmp_path)
    assert summary(records) == summary(whole(tmp_path))
    for record in records:
        assert "Practitioner/dr" in [x.reference for x in record.resources]
        assert any(w.resource == "Observation/lost" for w in record.warnings)


def test_nothing_to_read_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \.json or \.ndjson"):
        plan_shards(tmp_path)
    (tmp_path / "log.ndjson").write_text('{"msg": "hello"}\n')
    with pytest.raises(InputError, match="no FHIR resources"):
        plan_shards(tmp_path)
