"""Prefetch semantics: templates and tokens; absent → fetched from the FHIR server (real HTTP on
loopback: parallel, bearer token, paging, timeout); null → no data; OperationOutcome → absent;
another patient's data → absent; anything that cannot be had → 412 with an OperationOutcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cds_client import CdsClient, Signer
from fastapi.testclient import TestClient
from fhir_double import GOOD_TOKEN, FhirDouble
from service_helpers import BASE, client_issuer, example, full_prefetch, make_settings

from cds.service.app import create_app
from cds.service.prefetch import FETCH_FAILED, TEMPLATES, TemplateError, render_template, token_values, triage
from cds.synthetic.builder import PatientBuilder

OUTCOME = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}


def test_tokens_are_root_level_primitive_context_fields_and_user_ids__req_55_56_57_59() -> None:
    context = {"patientId": "p1", "userId": "PractitionerRole/r9", "encounterId": "e1",
               "selections": ["ServiceRequest/x"], "draftOrders": {"resourceType": "Bundle"}}
    values = token_values(context)
    assert values == {"context.patientId": "p1", "context.userId": "PractitionerRole/r9",
                      "context.encounterId": "e1", "userPractitionerRoleId": "r9"}
    assert render_template("Condition?patient={{context.patientId}}&encounter={{ context.encounterId }}",
                           context) == "Condition?patient=p1&encounter=e1"
    assert render_template("Practitioner/{{userPractitionerRoleId}}", context) == "Practitioner/r9"
    for bad in ("X?y={{context.selections}}", "X?y={{context.draftOrders}}", "X?y={{userPractitionerId}}"):
        with pytest.raises(TemplateError):
            render_template(bad, context)


def test_triage_absent_null_operation_outcome_and_foreign_patient__req_52() -> None:
    prefetch: dict[str, Any] = {
        "patient": {"resourceType": "Patient", "id": "p1"},
        "conditions": None,
        "observations": OUTCOME,
        "procedures": {"resourceType": "Bundle", "type": "searchset", "entry": [
            {"resource": {"resourceType": "Procedure", "id": "x", "subject": {"reference": "Patient/other"}}}]},
    }
    usable, missing, ignored = triage(prefetch, "p1")
    assert usable == {"patient": prefetch["patient"], "conditions": None}
    assert set(missing) == set(TEMPLATES) - {"patient", "conditions"}
    assert set(ignored) == {"observations", "procedures"}


def call(client: CdsClient, builder: PatientBuilder, prefetch: dict[str, Any] | None, server: str | None,
         token: str | None = None) -> Any:
    body = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=prefetch, fhir_server=server,
                               access_token=token)
    return client.call("bone-mets-rt", body)


def summaries(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return [(c["indicator"], c["summary"]) for c in response.json()["cards"]]


@pytest.fixture
def ex05(examples: dict[str, PatientBuilder], fhir_server: FhirDouble) -> PatientBuilder:
    builder = example(examples, "05-")
    fhir_server.load(builder.patient_id, builder.resources())
    return builder


def test_absent_keys_are_fetched_with_the_bearer_token__req_28_34_60_61(
        client: CdsClient, ex05: PatientBuilder, fhir_server: FhirDouble) -> None:
    expected = summaries(call(client, ex05, full_prefetch(ex05), None))
    partial = {k: v for k, v in full_prefetch(ex05).items() if k in ("patient", "conditions")}
    before = len(fhir_server.seen)
    assert summaries(call(client, ex05, partial, fhir_server.url("auth"), GOOD_TOKEN)) == expected
    seen = fhir_server.seen[before:]
    assert {s.path.rsplit("/", 1)[-1] for s in seen} == {
        t.split("?")[0] for k, t in TEMPLATES.items() if k not in ("patient", "conditions")}
    assert all(s.authorization == f"Bearer {GOOD_TOKEN}" for s in seen)
    assert all(f"patient={ex05.patient_id}" in s.query for s in seen)


def test_nothing_prefetched_everything_fetched(client: CdsClient, ex05: PatientBuilder,
                                               fhir_server: FhirDouble) -> None:
    expected = summaries(call(client, ex05, full_prefetch(ex05), None))
    assert summaries(call(client, ex05, None, fhir_server.url("ok"))) == expected
    assert fhir_server.seen[-1].authorization is None  # no fhirAuthorization: no token sent


def test_paging_follows_next_links(client: CdsClient, ex05: PatientBuilder, fhir_server: FhirDouble) -> None:
    expected = summaries(call(client, ex05, full_prefetch(ex05), None))
    before = len(fhir_server.seen)
    assert summaries(call(client, ex05, {"patient": full_prefetch(ex05)["patient"]}, fhir_server.url("paged"))) \
        == expected
    assert any("_page=3" in s.query for s in fhir_server.seen[before:])


def test_null_means_no_data_and_is_not_fetched(client: CdsClient, ex05: PatientBuilder,
                                               fhir_server: FhirDouble) -> None:
    prefetch = dict.fromkeys(TEMPLATES)
    prefetch["patient"] = full_prefetch(ex05)["patient"]
    before = len(fhir_server.seen)
    response = call(client, ex05, prefetch, fhir_server.url("ok"))
    assert response.status_code == 200 and response.json() == {"cards": []}
    assert len(fhir_server.seen) == before


def test_operation_outcome_is_treated_as_absent__req_52(client: CdsClient, ex05: PatientBuilder,
                                                        fhir_server: FhirDouble) -> None:
    prefetch = full_prefetch(ex05)
    expected = summaries(call(client, ex05, prefetch, None))
    prefetch["observations"] = OUTCOME
    before = len(fhir_server.seen)
    assert summaries(call(client, ex05, prefetch, fhir_server.url("ok"))) == expected
    assert [s.path.rsplit("/", 1)[-1] for s in fhir_server.seen[before:]] == ["Observation"]
    assert call(client, ex05, prefetch, None).status_code == 412


def assert_412(response: Any, text: str) -> None:
    assert response.status_code == 412
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert text in outcome["issue"][0]["diagnostics"]


def assert_generic_412(response: Any, caplog: pytest.LogCaptureFixture, reason: str) -> None:
    """Every failed fetch gives the same answer (a caller cannot probe ports or addresses with it);
    the reason is in the server log."""
    assert response.status_code == 412
    assert response.json()["issue"] == [{"severity": "error", "code": "incomplete", "diagnostics": FETCH_FAILED}]
    assert reason in caplog.text


def test_missing_data_without_fhir_server_is_412__req_54(client: CdsClient, ex05: PatientBuilder) -> None:
    assert_412(call(client, ex05, {"patient": full_prefetch(ex05)["patient"]}, None), "observations")


@pytest.mark.parametrize(("mode", "token", "reason"), [
    ("fail", None, "HTTP 500"),
    ("auth", "wrong-token", "HTTP 401"),
    ("leak", None, "another server"),
])
def test_failed_fetches_are_412__req_54(client: CdsClient, ex05: PatientBuilder, fhir_server: FhirDouble,
                                        caplog: pytest.LogCaptureFixture, mode: str, token: str | None,
                                        reason: str) -> None:
    # leak: page 2 is on another host; the service refuses it rather than send the token there
    response = call(client, ex05, {"patient": full_prefetch(ex05)["patient"]}, fhir_server.url(mode), token)
    assert_generic_412(response, caplog, reason)


def test_slow_server_times_out_with_412__req_54(tmp_path: Path, jwks_file: Path, signer: Signer,
                                                ex05: PatientBuilder, fhir_server: FhirDouble,
                                                caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path, jwks_file, fhir_timeout_seconds=0.5)  # the double answers after 3 s
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE, signer)
        response = call(client, ex05, {"patient": full_prefetch(ex05)["patient"]}, fhir_server.url("slow"))
    assert_generic_412(response, caplog, "timed out")


def test_closed_port_is_the_same_412(tmp_path: Path, jwks_file: Path, signer: Signer, ex05: PatientBuilder,
                                     caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path, jwks_file, trusted_issuers=[
        client_issuer(jwks_file, fhir_servers=("http://127.0.0.1:9",))])
    with TestClient(create_app(settings), base_url=BASE) as http:
        response = call(CdsClient(http, BASE, signer), ex05, None, "http://127.0.0.1:9/fhir")
    assert_generic_412(response, caplog, "ConnectError")


def test_unknown_patient_is_412(client: CdsClient, fhir_server: FhirDouble, caplog: pytest.LogCaptureFixture) -> None:
    body = CdsClient.hook_body("patient-view", "nobody-here", fhir_server=fhir_server.url("ok"))
    assert_generic_412(client.call("bone-mets-rt", body), caplog, "HTTP 404")
