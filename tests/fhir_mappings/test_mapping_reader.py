"""Reading input: Bundles of every type, NDJSON, Bulk Data folders, stdin, prefetch, and input errors."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from fhir_mapping_helpers import (
    AS_OF,
    LOINC,
    PID,
    SNOMED,
    bone_met,
    bundle,
    cc,
    condition,
    observation,
    patient,
    ref,
    to_bytes,
)

from fhir_mappings.mapper import map_path, map_record
from fhir_mappings.reader import InputError, read_bytes, read_path, records_from_prefetch
from fhir_mappings.resources import parse_resource, summarise_errors


def ecog(oid: str, value: int, pid: str = PID, **kwargs: Any) -> dict[str, Any]:
    return observation(oid, LOINC, "89247-1", pid=pid, valueInteger=value, **kwargs)


@pytest.mark.parametrize("bundle_type", ["collection", "searchset", "transaction", "document"])
def test_bundle_of_any_type(bundle_type: str) -> None:
    records = read_bytes(to_bytes(bundle(patient(), ecog("e1", 2), bundle_type=bundle_type)), "b.json")
    assert [r.patient_id for r in records] == [PID]
    assert map_record(records[0], AS_OF).ecog.value == 2  # type: ignore[union-attr]


def test_single_resource_file_gets_patient_from_subject() -> None:
    records = read_bytes(to_bytes(ecog("e1", 3, pid="abc")), "obs.json")
    assert [r.patient_id for r in records] == ["abc"]
    assert records[0].source == "obs.json"


def test_searchset_with_several_patients_maps_each() -> None:
    data = bundle(patient("a"), patient("b"), ecog("ea", 1, pid="a"), ecog("eb", 4, pid="b"),
                  bundle_type="searchset")
    states = {s.patient_id: s for s in (map_record(r, AS_OF) for r in read_bytes(to_bytes(data), "s.json"))}
    assert states["a"].ecog.value == 1 and states["b"].ecog.value == 4  # type: ignore[union-attr]


def test_bundle_without_patient_but_bone_met_conditions_still_maps() -> None:
    data = bundle(bone_met("m1", pid="x9"))
    (record,) = read_bytes(to_bytes(data), "b.json")
    assert record.patient_id == "x9"
    state = map_record(record, AS_OF)
    assert len(state.lesions) == 1 and state.lesions[0].id == "Condition/m1"


def test_resource_without_patient_goes_to_the_only_patient() -> None:
    orphan = observation("e1", LOINC, "89247-1", valueInteger=2)
    del orphan["subject"]
    (record,) = read_bytes(to_bytes(bundle(patient(), orphan)), "b.json")
    assert map_record(record, AS_OF).ecog.value == 2  # type: ignore[union-attr]


def test_resource_without_patient_among_several_patients_is_a_warning() -> None:
    orphan = observation("e1", LOINC, "89247-1", valueInteger=2)
    orphan["subject"] = {"identifier": {"value": "123"}}
    records = read_bytes(to_bytes(bundle(patient("a"), patient("b"), orphan)), "b.json")
    assert len(records) == 2
    for record in records:
        assert any("no resolvable patient reference" in w.message for w in record.warnings)
        assert map_record(record, AS_OF).ecog is None


def test_urn_uuid_references_resolve_and_become_ids() -> None:
    pat = patient()
    del pat["id"]
    met = bone_met("ignored", "77435000", pid="x")
    del met["id"]
    met["subject"] = ref("urn:uuid:pat-1")
    sins = observation("s1", "http://bone-mets-cds.org/fhir/CodeSystem/bone-mets", "sins", valueInteger=9)
    sins["subject"] = ref("urn:uuid:pat-1")
    sins["focus"] = [ref("urn:uuid:met-1")]
    data = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:pat-1", "resource": pat},
        {"fullUrl": "urn:uuid:met-1", "resource": met},
        {"fullUrl": "urn:uuid:obs-1", "resource": sins}]}
    (record,) = read_bytes(to_bytes(data), "t.json")
    assert record.patient_id == "urn:uuid:pat-1"
    state = map_record(record, AS_OF)
    (lesion,) = state.lesions
    assert lesion.id == "urn:uuid:met-1"
    assert lesion.site == "T8"
    assert lesion.sins_total is not None and lesion.sins_total.value == 9
    assert lesion.sins_total.sources == ("Observation/s1",)


def test_absolute_and_versioned_references() -> None:
    obs = ecog("e1", 2)
    obs["subject"] = ref("http://example.org/fhir/Patient/p1/_history/3")
    (record,) = read_bytes(to_bytes(bundle(patient(), obs)), "b.json")
    assert map_record(record, AS_OF).ecog.value == 2  # type: ignore[union-attr]


def test_invalid_resource_is_a_warning_naming_the_field_and_the_rest_is_used() -> None:
    bad = ecog("e1", 2)
    bad["valueInteger"] = "two"
    bad["interpretation"] = [cc(LOINC, "LA9625-0")]
    (record,) = read_bytes(to_bytes(bundle(patient(), bad)), "b.json")
    state = map_record(record, AS_OF)
    warning = next(w for w in state.warnings if w.resource == "Observation/e1")
    assert "valueInteger" in warning.message and "not valid FHIR R4" in warning.message
    assert "Traceback" not in warning.message
    assert state.ecog is not None and state.ecog.value == 3  # from the well-formed interpretation


def test_invalid_bundle_wrapper_keeps_its_entries() -> None:
    data = bundle(patient(), ecog("e1", 1))
    data["id"] = "bad_id"
    (record,) = read_bytes(to_bytes(data), "b.json")
    state = map_record(record, AS_OF)
    assert state.ecog is not None
    assert any(w.resource == "Bundle/bad_id" and "id" in w.message for w in state.warnings)


def test_summarise_errors_is_one_readable_line() -> None:
    parsed = parse_resource({"resourceType": "Observation", "id": "o_1", "status": "final",
                             "code": {"text": "x"}, "component": [{"code": {"text": "y"}, "valueInteger": "z"}]})
    message = parsed.warnings[0].message
    assert "\n" not in message and "component[0].valueInteger" in message and "id" in message
    assert summarise_errors([]) == ""


def test_unknown_resource_type_is_a_warning() -> None:
    (record,) = read_bytes(to_bytes(bundle(patient(), {"resourceType": "Frobnicator", "id": "f"})), "b.json")
    assert any("unknown FHIR R4 resource type" in w.message for w in record.warnings)


def test_time_without_timezone_is_read_as_utc_with_a_warning() -> None:
    obs = ecog("e1", 2, effective="2024-12-01T10:00:00")
    (record,) = read_bytes(to_bytes(bundle(patient(), obs)), "b.json")
    state = map_record(record, AS_OF)
    assert state.ecog is not None and state.ecog.value == 2
    assert any("without a timezone" in w.message for w in state.warnings)


def test_duplicate_resources_are_read_once() -> None:
    met = bone_met("m1")
    data = bundle(patient(), met, dict(met, text={"status": "generated", "div": "<div>x</div>"}))
    (record,) = read_bytes(to_bytes(data), "b.json")
    assert len(map_record(record, AS_OF).lesions) == 1


def test_nested_bundle_is_flattened() -> None:
    inner = bundle(ecog("e1", 4), bundle_type="searchset")
    (record,) = read_bytes(to_bytes(bundle(patient(), inner)), "b.json")
    assert map_record(record, AS_OF).ecog.value == 4  # type: ignore[union-attr]


def test_ndjson_with_blank_lines(tmp_path: Path) -> None:
    lines = [json.dumps(patient()), "", json.dumps(ecog("e1", 1)), "   ", json.dumps(ecog("e2", 2, pid="q"))]
    path = tmp_path / "all.ndjson"
    path.write_text("\n".join(lines) + "\n")
    records = {r.patient_id: r for r in read_path(path)}
    assert set(records) == {PID, "q"}


def test_bulk_export_folder_groups_by_patient(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Patient.000.ndjson").write_text("\n".join(json.dumps(patient(p)) for p in ("a", "b")))
    (folder / "Observation.000.ndjson").write_text(
        "\n".join(json.dumps(o) for o in (ecog("ea", 1, pid="a"), ecog("eb", 3, pid="b"))))
    (folder / "Condition.000.ndjson").write_text(json.dumps(bone_met("m1", "77435000", pid="b")))
    sub = folder / "more"
    sub.mkdir()
    (sub / "extra.json").write_text(json.dumps(ecog("ea2", 2, pid="a", effective="2024-12-20")))
    states = {s.patient_id: s for s in map_path(folder, AS_OF)}
    assert set(states) == {"a", "b"}
    assert states["a"].ecog.value == 2 and states["b"].ecog.value == 3  # type: ignore[union-attr]
    assert len(states["b"].lesions) == 1 and states["a"].lesions == ()


def test_stdin_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = "\n".join(json.dumps(r) for r in (patient(), ecog("e1", 2)))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload.encode())))
    (record,) = read_path("-")
    assert record.source == "stdin" and record.patient_id == PID


def test_stdin_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(to_bytes(bundle(patient(), ecog("e", 1))))))
    (state,) = map_path("-", AS_OF)
    assert state.ecog is not None


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"<html><body>Login</body></html>", "HTML"),
    (b'<Bundle xmlns="http://hl7.org/fhir"></Bundle>', "XML"),
    (b"not json at all", "not JSON"),
    (b'{"hello": "world"}', "resourceType"),
    (b"[1, 2]", "not a FHIR resource"),
    (b'{"resourceType": "Patient", "id": "a"}\n{oops', "line 2"),
    (b"\xff\xfe\x00", "UTF-8"),
])
def test_non_fhir_input_is_an_input_error_naming_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_path(path)
    message = str(info.value)
    assert "input.json" in message and problem in message and "\n" not in message


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "nope.json")
    with pytest.raises(InputError, match=r"no \.json or \.ndjson"):
        read_path(tmp_path)


def test_prefetch_map_skips_null_and_operation_outcome() -> None:
    prefetch: dict[str, object] = {
        "patient": patient(),
        "conditions": bundle(bone_met("m1", "77435000"), bundle_type="searchset"),
        "ecog": None,
        "kps": {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]},
        "junk": {"no": "resourceType"},
    }
    record = records_from_prefetch(prefetch)
    assert record.patient_id == PID and record.source == "prefetch"
    state = map_record(record, AS_OF)
    assert len(state.lesions) == 1
    assert any("junk" in (w.resource or "") for w in state.warnings)


def test_prefetch_with_context_patient_drops_other_patients() -> None:
    prefetch: dict[str, object] = {
        "obs": bundle(ecog("e1", 1, pid="ctx"), ecog("e2", 4, pid="other"), bundle_type="searchset")}
    record = records_from_prefetch(prefetch, context_patient_id="ctx")
    state = map_record(record, AS_OF)
    assert state.patient_id == "ctx" and state.ecog is not None and state.ecog.value == 1
    assert any("belongs to patient other" in w.message for w in state.warnings)


def test_condition_without_code_systems_does_not_break() -> None:
    weird = {"resourceType": "Condition", "id": "c", "subject": ref("Patient/p1"), "code": {"coding": [{}]},
             "bodySite": [{}], "verificationStatus": {"coding": [{}]}}
    odd = {"resourceType": "Observation", "id": "o", "status": "final", "subject": ref("Patient/p1"),
           "code": {"coding": [{"system": SNOMED}]}, "focus": [{}], "component": "nope"}
    (record,) = read_bytes(to_bytes(bundle(patient(), weird, odd, condition("m", SNOMED, "94222008"))), "b.json")
    state = map_record(record, AS_OF)
    assert len(state.lesions) == 1
    assert not [w for w in state.warnings if "internal mapping error" in w.message]
