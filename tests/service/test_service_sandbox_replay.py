"""The exact requests of the official CDS Hooks Sandbox (shared/cds-hooks/sandbox-requests.jsonl),
replayed against this service: CORS preflights, discovery, patient-view, order-select with an empty
``code.coding``, order-sign with a MedicationRequest, feedback, and the patient-view without a JWT
whose prefetch is about another patient.

The Sandbox's private key is not ours, so its tokens are re-minted with the same header (ES384,
its ``kid`` and ``jku``) and claims (its ``iss``), by a key configured for that issuer here; ``aud``
is this service's URL. A separate test shows the shipped configuration checks the real Sandbox key.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cds_client import CdsClient, Signer, new_key
from fastapi.testclient import TestClient
from fhir_double import FhirDouble
from service_helpers import BASE, LOOPBACK, SANDBOX_ORIGIN, double_servers, make_settings, sandbox_requests

from cds.service.app import create_app
from cds.service.settings import Settings, TrustedIssuer

SANDBOX_ISS = "https://sandbox.cds-hooks.org"
SANDBOX_KID = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f"
SANDBOX_JKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json"
IDS = {"toy-bone-mets": "bone-mets-rt", "toy-sign": "bone-mets-rt-order-sign",
       "toy-select": "bone-mets-rt-order-select"}
REQUESTS = sandbox_requests()


def our_path(path: str) -> str:
    for toy, ours in IDS.items():
        path = path.replace(f"/cds-services/{toy}", f"/cds-services/{ours}")
    return path


@pytest.fixture
def sandbox_signer() -> Signer:
    return Signer(iss=SANDBOX_ISS, key=new_key("ES384"), kid=SANDBOX_KID, alg="ES384", jku=SANDBOX_JKU)


@pytest.fixture
def sandbox_http(tmp_path: Path, sandbox_signer: Signer) -> Iterator[TestClient]:
    jwks = tmp_path / "sandbox-like-jwks.json"
    jwks.write_text(json.dumps({"keys": [sandbox_signer.jwk()]}))
    settings = make_settings(tmp_path, None, trusted_issuers=[
        TrustedIssuer(iss=SANDBOX_ISS, jwks_file=jwks, jku=(SANDBOX_JKU,), fhir_servers=double_servers(),
                      fhir_private_networks=LOOPBACK)], as_of=None)
    with TestClient(create_app(settings), base_url=BASE) as http:
        yield http


def replay(http: TestClient, signer: Signer | None, request: dict[str, Any],
           body: dict[str, Any] | None = None) -> Any:
    path = our_path(request["path"])
    headers = {"Origin": SANDBOX_ORIGIN}
    if request["method"] == "OPTIONS":
        method = "POST" if path != "/cds-services" else "GET"
        headers |= {"Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": "authorization,content-type"}
        return http.options(path, headers=headers)
    if signer is not None and "jwt_header" in request:
        assert request["jwt_header"] == {"alg": "ES384", "typ": "JWT", "kid": SANDBOX_KID, "jku": SANDBOX_JKU}
        assert set(request["jwt_payload"]) == {"iss", "aud", "exp", "iat", "jti"}
        headers["Authorization"] = f"Bearer {signer.token(BASE + path)}"
    if request["method"] == "GET":
        return http.get(path, headers=headers)
    return http.post(path, json=body if body is not None else request["body"], headers=headers)


def test_every_preflight_allows_the_sandbox_with_authorization__req_208(sandbox_http: TestClient) -> None:
    preflights = [r for r in REQUESTS if r["method"] == "OPTIONS"]
    assert len(preflights) == 7
    for request in preflights:
        response = replay(sandbox_http, None, request)
        assert response.status_code == 200, request["path"]
        assert response.headers["access-control-allow-origin"] == SANDBOX_ORIGIN
        assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_discovery_requests(sandbox_http: TestClient, sandbox_signer: Signer) -> None:
    for request in (r for r in REQUESTS if r["method"] == "GET"):
        response = replay(sandbox_http, sandbox_signer, request)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == SANDBOX_ORIGIN
        assert len(response.json()["services"]) == 3


def test_patient_view_as_sent_is_412_without_a_reachable_fhir_server(sandbox_http: TestClient,
                                                                    sandbox_signer: Signer) -> None:
    request = next(r for r in REQUESTS if r["path"] == "/cds-services/toy-bone-mets" and "jwt_header" in r)
    body = copy.deepcopy(request["body"])
    body["fhirServer"] = "http://127.0.0.1:9"  # the Sandbox's own FHIR server is not running here
    response = replay(sandbox_http, sandbox_signer, request, body)
    assert response.status_code == 412
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.headers["access-control-allow-origin"] == SANDBOX_ORIGIN


def test_patient_view_with_its_fhir_server_gives_cards(sandbox_http: TestClient, sandbox_signer: Signer,
                                                       fhir_server: FhirDouble) -> None:
    request = next(r for r in REQUESTS if r["path"] == "/cds-services/toy-bone-mets" and "jwt_header" in r)
    body = copy.deepcopy(request["body"])
    prefetched = body["prefetch"]
    fhir_server.load("pt1", [prefetched["patient"], prefetched["conditions"]["entry"][0]["resource"]])
    body["fhirServer"] = fhir_server.url("ok")
    response = replay(sandbox_http, sandbox_signer, request, body)
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert cards[0]["summary"].startswith("Site not documented: no recommendation yet")  # a bone met, no site


def test_order_select_with_empty_coding_and_order_sign_with_medication_get_no_cards(
        sandbox_http: TestClient, sandbox_signer: Signer) -> None:
    for toy in ("toy-select", "toy-sign"):
        request = next(r for r in REQUESTS if r["path"] == f"/cds-services/{toy}" and r["method"] == "POST")
        response = replay(sandbox_http, sandbox_signer, request)
        assert response.status_code == 200, response.text
        assert response.json() == {"cards": []}


def test_feedback_accepted_then_overridden_idempotently__req_148(sandbox_http: TestClient,
                                                                 sandbox_signer: Signer) -> None:
    feedback = [r for r in REQUESTS if r["path"].endswith("/feedback") and r["method"] == "POST"]
    assert [f["body"]["feedback"][0]["outcome"] for f in feedback] == ["accepted", "overridden"]
    for request in feedback:
        response = replay(sandbox_http, sandbox_signer, request)
        assert response.status_code == 200
        assert response.json()["stored"] == 1
    again = replay(sandbox_http, sandbox_signer, feedback[0])
    assert again.status_code == 200 and again.json() == {"received": 1, "stored": 0, "duplicates": 1}


def test_patient_view_without_jwt_is_401(sandbox_http: TestClient) -> None:
    request = REQUESTS[-1]
    assert "jwt_header" not in request
    response = replay(sandbox_http, None, request)
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == SANDBOX_ORIGIN  # the browser can read the 401


def test_prefetch_about_another_patient_is_not_used(tmp_path: Path) -> None:
    """context.patientId 0889873, prefetch about pt1: never evaluated as 0889873's data → 412."""
    request = REQUESTS[-1]
    settings = make_settings(tmp_path, None, dev_disable_auth=True)
    with TestClient(create_app(settings), base_url=BASE) as http:
        response = replay(http, None, request)
    assert response.status_code == 412
    text = response.json()["issue"][0]["diagnostics"]
    assert "another patient" in text and "patient" in text and "conditions" in text


def test_shipped_configuration_verifies_with_the_real_sandbox_key(tmp_path: Path) -> None:
    """With the default configuration, a token shaped like the Sandbox's but signed by another key
    fails: the kid resolves to the shipped Sandbox public key (no network needed), whose signature
    check fails."""
    settings = Settings(_env_file=None, data_dir=tmp_path, public_base_url=BASE)  # type: ignore[call-arg]
    impostor = Signer(iss=SANDBOX_ISS, key=new_key("ES384"), kid=SANDBOX_KID, jku=SANDBOX_JKU)
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE, impostor)
        response = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", "pt1"))
    assert response.status_code == 401
