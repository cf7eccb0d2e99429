"""Hook calls end to end through the in-repo CDS client: patient-view for every example patient,
validation of the request, and the shape of the response."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cds_client import CdsClient
from service_helpers import assert_no_empty, example, full_prefetch

from cds.synthetic.builder import PatientBuilder
from cds.synthetic.examples import EXAMPLES


@pytest.mark.parametrize("file", [ex.file for ex in EXAMPLES])
def test_patient_view_for_every_example__req_1_3_74_75(client: CdsClient, examples: dict[str, PatientBuilder],
                                                         file: str) -> None:
    builder = examples[file]
    response = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", builder.patient_id,
                                                               prefetch=full_prefetch(builder)))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"cards"}  # no systemActions: this service never acts on its own
    assert isinstance(body["cards"], list) and body["cards"]
    assert_no_empty(body)


def test_expected_indicators_for_examples(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    def indicators(prefix: str) -> list[str]:
        builder = example(examples, prefix)
        body = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", builder.patient_id,
                                                               prefetch=full_prefetch(builder))).json()
        return [c["indicator"] for c in body["cards"]]

    assert indicators("01-")[0] == "critical"  # urgent surgical referral for MESCC
    assert indicators("13-")[0] == "critical"  # cord compression, no surgery (myeloma)
    assert indicators("09-")[0] == "warning"  # an `avoid` output (RTOG 0631) at L2
    assert set(indicators("04-")) == {"info"}


def test_no_bone_metastasis_gives_empty_cards__req_77(client: CdsClient) -> None:
    patient = {"resourceType": "Patient", "id": "healthy", "gender": "female", "birthDate": "1960-01-01"}
    prefetch = {"patient": patient, **{k: None for k in ("conditions", "observations", "procedures",
                                                         "bodystructures", "medicationrequests",
                                                         "medicationstatements", "servicerequests", "encounters",
                                                         "imagingstudies", "diagnosticreports")}}
    response = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", "healthy", prefetch=prefetch))
    assert response.status_code == 200
    assert response.json() == {"cards": []}


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda b: b.pop("hook"), "hook"),
    (lambda b: b.pop("hookInstance"), "hookInstance"),
    (lambda b: b.pop("context"), "context"),
    (lambda b: b["context"].pop("patientId"), "patientId"),
    (lambda b: b.update(fhirAuthorization={"access_token": "x", "token_type": "Bearer"}), "fhirServer"),
    (lambda b: b.update(hook="order-sign"), "patient-view"),
    (lambda b: b.update(fhirServer="file:///etc/passwd"), "fhirServer"),
])
def test_malformed_requests_get_400_with_operation_outcome__req_76(client: CdsClient, mutate: object,
                                                                    message: str) -> None:
    body = CdsClient.hook_body("patient-view", "p1", prefetch={"patient": None})
    mutate(body)  # type: ignore[operator]
    response = client.call("bone-mets-rt", body)
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert message in outcome["issue"][0]["diagnostics"]


def test_body_not_json_or_not_object_is_400(client: CdsClient) -> None:
    path = "/cds-services/bone-mets-rt"
    for raw in (b"{not json", b"[1, 2]", b""):
        response = client.http.post(client.url(path), content=raw, headers=client.headers(path))
        assert response.status_code == 400
        assert response.json()["resourceType"] == "OperationOutcome"


def test_unknown_service_is_404(client: CdsClient) -> None:
    response = client.call("no-such-service", CdsClient.hook_body("patient-view", "p1"))
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_order_hooks_need_draft_orders(client: CdsClient) -> None:
    body = CdsClient.hook_body("order-sign", "p1", prefetch={"patient": None})
    assert client.call("bone-mets-rt-order-sign", body).status_code == 400
    body = CdsClient.hook_body("order-select", "p1", draftOrders={"resourceType": "Bundle", "type": "collection"})
    assert client.call("bone-mets-rt-order-select", body).status_code == 400  # no selections


def _with_observation_value(builder: PatientBuilder, value: float) -> dict[str, Any]:
    prefetch = full_prefetch(builder)
    for entry in prefetch["observations"]["entry"]:
        quantity = entry["resource"].get("valueQuantity")
        if isinstance(quantity, dict):
            quantity["value"] = value
            return prefetch
    raise AssertionError("no Observation with a valueQuantity")


@pytest.mark.parametrize("value", ["1e20", "1e300", "-1e20"])
def test_an_out_of_range_number_is_a_warning_not_a_500(client: CdsClient, examples: dict[str, PatientBuilder],
                                                       value: str) -> None:
    """Issue 11 item 5: 1e20 in one Observation value made every patient-view of that patient a 500
    (the rules engine cannot read exponent notation). The value is now unusable, with a warning."""
    builder = example(examples, "01-")
    body = CdsClient.hook_body("patient-view", builder.patient_id,
                               prefetch=_with_observation_value(builder, 1.0))
    raw = json.dumps(body).replace('"value": 1.0', f'"value": {value}', 1)
    path = "/cds-services/bone-mets-rt"
    response = client.http.post(client.url(path), content=raw, headers=client.headers(path))
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert cards
    report = client.http.get(cards[0]["links"][0]["url"])
    assert report.status_code == 200 and "out of range" in report.text


NUL = "\x00"


@pytest.mark.parametrize(("mutate", "where"), [
    (lambda b: b.update(hookInstance="abc" + NUL), "hookInstance"),
    (lambda b: b["context"].update(userId="Practitioner/1" + NUL), "context.userId"),
    (lambda b: b["context"].update(patientId="p1" + NUL), "context.patientId"),
    (lambda b: b["prefetch"]["patient"].update(name=[{"text": "x" + NUL}]), "prefetch.patient.name[0].text"),
    (lambda b: b["context"].update({"key" + NUL: 1}), "context.key"),
])
def test_a_nul_anywhere_is_400_naming_where(client: CdsClient, mutate: Any, where: str) -> None:
    """Issue 11 item 4: PostgreSQL text cannot hold a NUL; such a call answered 200 without storing
    its audit, evaluation and card rows (dead report links)."""
    body = CdsClient.hook_body("patient-view", "p1", prefetch={"patient": {"resourceType": "Patient", "id": "p1"}})
    mutate(body)
    response = client.call("bone-mets-rt", body)
    assert response.status_code == 400, response.text
    text = response.json()["issue"][0]["diagnostics"]
    assert "NUL" in text and where in text


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda b: b.update(hookInstance="h" * 101), "hookInstance"),
    (lambda b: b.update(hook="patient-view" * 10), "hook"),
    (lambda b: b["context"].update(userId="Practitioner/" + "u" * 200), "userId"),
    (lambda b: b["context"].update(patientId="p" * 65), "patientId"),
    (lambda b: b["context"].update(patientId="../../Patient?x=1"), "patientId"),
    (lambda b: b["context"].update(userId=["Practitioner/1"]), "userId"),
])
def test_over_long_or_malformed_ids_are_400(client: CdsClient, mutate: Any, field: str) -> None:
    body = CdsClient.hook_body("patient-view", "p1", prefetch={"patient": None})
    mutate(body)
    response = client.call("bone-mets-rt", body)
    assert response.status_code == 400, response.text
    assert field in response.json()["issue"][0]["diagnostics"]


def test_a_valid_call_after_rejected_ones_gets_a_report_link_that_opens(client: CdsClient,
                                                                        examples: dict[str, PatientBuilder]) -> None:
    builder = example(examples, "04-")
    body = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
    assert client.call("bone-mets-rt", body | {"hookInstance": "h" * 101}).status_code == 400
    assert client.call("bone-mets-rt", body | {"hookInstance": NUL}).status_code == 400
    response = client.call("bone-mets-rt", body)
    assert response.status_code == 200
    for card in response.json()["cards"]:  # stored before the answer: no flush needed
        assert client.http.get(card["links"][0]["url"]).status_code == 200
