"""Small hand-written FHIR R4 resources for the mapper's unit tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cds.state import PatientState
from fhir_mappings.mapper import map_record
from fhir_mappings.reader import read_bytes

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOCAL = "http://bone-mets-cds.org/fhir/CodeSystem/bone-mets"
UCUM = "http://unitsofmeasure.org"
V3 = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
INTERP = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CLIN = "http://terminology.hl7.org/CodeSystem/condition-clinical"
AS_OF = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
PID = "p1"

# Vertebra SNOMED codes used in the tests
T7, T8, T9, T10, L2, L3 = "71737002", "77435000", "33766003", "48405002", "53983007", "55492004"
FEMUR, FEMORAL_NECK, HUMERUS, PELVIS = "71341001", "29627003", "85050009", "118645006"
LEFT, RIGHT = "7771000", "24028007"


def cc(system: str, *codes: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code} for code in codes]}


def ref(value: str) -> dict[str, str]:
    return {"reference": value}


def patient(pid: str = PID, birth: str | None = "1960-06-15", gender: str = "female") -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Patient", "id": pid, "gender": gender}
    if birth:
        out["birthDate"] = birth
    return out


def condition(cid: str, system: str, code: str, *, sites: list[str] | None = None, verification: str | None = None,
              clinical: str | None = None, onset: str | None = None, pid: str = PID,
              **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Condition", "id": cid, "subject": ref(f"Patient/{pid}"),
                           "code": cc(system, code)}
    if sites:
        out["bodySite"] = [cc(SNOMED, *sites)]
    if verification:
        out["verificationStatus"] = cc(VER, verification)
    if clinical:
        out["clinicalStatus"] = cc(CLIN, clinical)
    if onset:
        out["onsetDateTime"] = onset
    out.update(extra)
    return out


def bone_met(cid: str = "met1", *sites: str, **extra: Any) -> dict[str, Any]:
    return condition(cid, SNOMED, "94222008", sites=list(sites) or None, **extra)


def observation(oid: str, system: str, code: str, *, effective: str | None = "2024-12-01", focus: str | None = None,
                sites: list[str] | None = None, pid: str = PID, status: str = "final",
                **value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Observation", "id": oid, "status": status,
                           "code": cc(system, code), "subject": ref(f"Patient/{pid}")}
    if effective:
        out["effectiveDateTime"] = effective
    if focus:
        out["focus"] = [ref(focus)]
    if sites:
        out["bodySite"] = cc(SNOMED, *sites)
    out.update(value)
    return out


def local_obs(oid: str, code: str, **kwargs: Any) -> dict[str, Any]:
    return observation(oid, LOCAL, code, **kwargs)


def local_answer(code: str) -> dict[str, Any]:
    return {"valueCodeableConcept": cc(LOCAL, code)}


def bundle(*resources: dict[str, Any], bundle_type: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": bundle_type, "entry": [{"resource": r} for r in resources]}


def to_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def state_of(*resources: dict[str, Any], as_of: datetime = AS_OF, with_patient: bool = True) -> PatientState:
    """Map a collection Bundle of ``resources`` (plus a Patient) and return the one patient's state."""
    items = [patient(), *resources] if with_patient else list(resources)
    records = read_bytes(to_bytes(bundle(*items)), "test.json")
    assert len(records) == 1, [r.patient_id for r in records]
    return map_record(records[0], as_of)


def messages(state: PatientState) -> list[str]:
    return [f"{w.resource}: {w.message}" for w in state.warnings]


def has_warning(state: PatientState, *fragments: str) -> bool:
    return any(all(f in m for f in fragments) for m in messages(state))
