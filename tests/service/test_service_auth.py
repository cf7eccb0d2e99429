"""JWT verification: what a CDS Client must present, and that every bad token gets the same 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cds_client import CdsClient, Signer, new_key
from fastapi.testclient import TestClient
from fhir_double import FhirDouble
from service_helpers import BASE, TEST_ISS, example, full_prefetch, make_settings

from cds.service.app import create_app
from cds.service.prefetch import TEMPLATES
from cds.service.settings import Settings, TrustedIssuer
from cds.synthetic.builder import PatientBuilder

PATH = "/cds-services/bone-mets-rt"
URL = BASE + PATH


def body() -> dict[str, Any]:
    prefetch: dict[str, Any] = dict.fromkeys(TEMPLATES)
    prefetch["patient"] = {"resourceType": "Patient", "id": "p1"}
    return CdsClient.hook_body("patient-view", "p1", prefetch=prefetch)


def post(http: TestClient, token: str | None, scheme: str = "Bearer") -> Any:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return http.post(PATH, json=body(), headers=headers)


def assert_401(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "login", "diagnostics": "Authentication failed"}]}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(payload: dict[str, Any], header: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}."


def hmac_signed(payload: dict[str, Any], kid: str, secret: bytes) -> str:
    """An HS256 token, built by hand (PyJWT refuses key-looking HMAC secrets, as it should)."""
    signing_input = unsigned(payload, {"alg": "HS256", "typ": "JWT", "kid": kid})[:-1]
    return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def test_valid_es384_and_rs384_tokens_are_accepted__req_176_205(http: TestClient, signer: Signer,
                                                                 rs_signer: Signer) -> None:
    assert post(http, signer.token(URL)).status_code == 200
    assert post(http, rs_signer.token(URL)).status_code == 200


def _claims_now() -> dict[str, Any]:
    now = int(time.time())
    return {"iss": TEST_ISS, "aud": URL, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}


BAD_TOKENS: dict[str, Callable[[Signer], str | None]] = {
    "missing": lambda s: None,
    "alg none__req_201": lambda s: unsigned(_claims_now(), {"alg": "none", "typ": "JWT", "kid": s.kid}),
    "HS256 with the public key as secret__req_203": lambda s: hmac_signed(
        _claims_now(), s.kid, json.dumps(s.jwk()).encode()),
    "HS384__req_203": lambda s: jwt.encode(_claims_now(), b"k" * 48, algorithm="HS384", headers={"kid": s.kid}),
    "expired": lambda s: s.token(URL, exp=int(time.time()) - 120, iat=int(time.time()) - 420),
    "wrong aud": lambda s: s.token(BASE + "/cds-services/bone-mets-rt-order-sign"),
    "aud as a list": lambda s: s.token(URL, aud=[URL, "https://other"]),
    "aud with query": lambda s: s.token(URL + "?x=1"),
    "unknown kid": lambda s: s.token(URL, headers={"kid": "no-such-key"}),
    "untrusted issuer": lambda s: s.token(URL, iss="https://evil.example"),
    "jku not on the allowlist": lambda s: s.token(URL, headers={"jku": "https://evil.example/jwks.json"}),
    "iat in the future": lambda s: s.token(URL, iat=int(time.time()) + 600, exp=int(time.time()) + 900),
    "lifetime too long": lambda s: s.token(URL, exp=int(time.time()) + 86400),
    "no jti": lambda s: s.token(URL, jti=None),
    "no exp": lambda s: s.token(URL, exp=None),
    "forged signature": lambda s: Signer(TEST_ISS, new_key("ES384"), s.kid).token(URL),
    "ES256 key claimed as ES384": lambda s: Signer(TEST_ISS, new_key("ES256"), s.kid, alg="ES256").token(URL),
    "garbage": lambda s: "not-a-jwt",
    # issue 11 item 7: validly signed, but claims of the wrong type (these were 500s)
    "exp as a numeric string": lambda s: s.token(URL, exp=str(int(time.time()) + 300)),
    "iat as a numeric string": lambda s: s.token(URL, iat=str(int(time.time()))),
    "nbf as a numeric string": lambda s: s.token(URL, nbf=str(int(time.time()))),
    "exp infinite": lambda s: s.token(URL, exp=float("inf")),
    "exp as true": lambda s: s.token(URL, exp=True),
    "jti of 300 characters": lambda s: s.token(URL, jti="j" * 300),
    "jti with a NUL": lambda s: s.token(URL, jti="abc\x00def"),
    "jti a number": lambda s: s.token(URL, jti=12345),
    "tenant a list": lambda s: s.token(URL, tenant=["a"]),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
def test_bad_tokens_get_a_bare_401__req_176_201_203(http: TestClient, signer: Signer, case: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    token = BAD_TOKENS[case](signer)
    with caplog.at_level(logging.DEBUG):
        assert_401(post(http, token))
    if token:
        assert token not in caplog.text  # the reason is logged, the token never


def test_basic_auth_scheme_is_401(http: TestClient, signer: Signer) -> None:
    assert_401(post(http, signer.token(URL), scheme="Basic"))


def test_replayed_jti_is_401(http: TestClient, signer: Signer) -> None:
    token = signer.token(URL)
    assert post(http, token).status_code == 200
    assert_401(post(http, token))
    # the same jti in a fresh token is a replay too
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    assert_401(post(http, signer.token(URL, jti=jti)))


def test_feedback_and_hooks_require_a_token(http: TestClient) -> None:
    assert_401(http.post("/cds-services/bone-mets-rt/feedback", json={"feedback": []}))
    assert_401(http.post("/cds-services/bone-mets-rt-order-sign", json={}))


def test_tenant_allowlist(tmp_path: Path, jwks_file: Path, signer: Signer) -> None:
    settings = make_settings(tmp_path, None, trusted_issuers=[
        TrustedIssuer(iss=TEST_ISS, jwks_file=jwks_file, tenants=("hospital-a",))])
    with TestClient(create_app(settings), base_url=BASE) as http:
        assert_401(post(http, signer.token(URL)))
        assert post(http, signer.token(URL, tenant="hospital-a")).status_code == 200
        assert_401(post(http, signer.token(URL, tenant="hospital-b")))


@pytest.fixture
def jku_app(tmp_path: Path, fhir_server: FhirDouble) -> Iterator[tuple[TestClient, str]]:
    jku = f"{fhir_server.base}/jwks.json"
    settings = make_settings(tmp_path, None, trusted_issuers=[TrustedIssuer(iss=TEST_ISS, jku=(jku,))])
    with TestClient(create_app(settings), base_url=BASE) as http:
        yield http, jku


def test_keys_from_an_allowlisted_jku_with_rotation__req_195(jku_app: tuple[TestClient, str],
                                                            fhir_server: FhirDouble) -> None:
    http, jku = jku_app
    first = Signer(TEST_ISS, new_key("ES384"), "rot-1", jku=jku)
    fhir_server.jwks = {"keys": [first.jwk()]}
    assert post(http, first.token(URL)).status_code == 200
    fetches = sum(1 for s in fhir_server.seen if s.path == "/jwks.json")
    assert post(http, first.token(URL)).status_code == 200
    assert sum(1 for s in fhir_server.seen if s.path == "/jwks.json") == fetches  # cached
    # the client rotates its key: an unknown kid re-fetches the set once
    second = Signer(TEST_ISS, new_key("RS384"), "rot-2", alg="RS384", jku=jku)
    fhir_server.jwks = {"keys": [first.jwk(), second.jwk()]}
    http.app.state.cds.authenticator._jku.min_refetch = 0  # type: ignore[attr-defined]
    assert post(http, second.token(URL)).status_code == 200
    assert sum(1 for s in fhir_server.seen if s.path == "/jwks.json") == fetches + 1


def test_jku_of_another_url_is_not_fetched(jku_app: tuple[TestClient, str], fhir_server: FhirDouble) -> None:
    http, _ = jku_app
    rogue = Signer(TEST_ISS, new_key("ES384"), "rogue", jku=f"{fhir_server.base}/jwks.json?evil=1")
    before = len(fhir_server.seen)
    assert_401(post(http, rogue.token(URL)))
    assert len(fhir_server.seen) == before


def test_without_jku_keys_come_from_the_configured_file__req_199(http: TestClient, signer: Signer) -> None:
    assert signer.jku is None
    assert post(http, signer.token(URL)).status_code == 200


def test_aud_is_the_public_url_not_the_host_header(tmp_path: Path, jwks_file: Path, signer: Signer) -> None:
    settings = make_settings(tmp_path, jwks_file, public_base_url="https://cds.example.org/")
    with TestClient(create_app(settings), base_url="http://internal:8080") as http:
        assert post(http, signer.token("https://cds.example.org" + PATH)).status_code == 200
        assert_401(post(http, signer.token("http://internal:8080" + PATH)))


def test_default_settings_trust_the_sandbox_key() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.dev_disable_auth is False
    sandbox = settings.issuers["https://sandbox.cds-hooks.org"]
    assert sandbox.jwks_file is not None and sandbox.jwks_file.is_file()
    keys = json.loads(sandbox.jwks_file.read_text())["keys"]
    assert keys[0]["kid"] == "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f" and keys[0]["alg"] == "ES384"


def test_an_oversized_authorization_header_is_refused_unread(http: TestClient, signer: Signer) -> None:
    """Issue 11 item 7: a validly signed 100 KB token was accepted."""
    token = signer.token(URL, padding="x" * 100_000)
    assert_401(post(http, token))
    assert post(http, signer.token(URL, padding="x" * 1000)).status_code == 200  # a few KB are fine


def test_without_a_public_url_the_aud_is_a_loopback_url_never_the_host_header(
        tmp_path: Path, jwks_file: Path, signer: Signer, examples: dict[str, PatientBuilder]) -> None:
    """Issue 11 item 2: with CDS_PUBLIC_BASE_URL unset, a token minted for another service was
    accepted when sent with that service's Host (+ X-Forwarded-Proto), and the card and report links
    were built from the attacker's host. Now the expected aud comes from configuration only."""
    settings = make_settings(tmp_path, jwks_file, public_base_url=None, port=8080)
    other = "https://other-service.example"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "other-service.example",
                 "Forwarded": "host=other-service.example;proto=https"}
    builder = example(examples, "04-")
    hook = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
    with TestClient(create_app(settings), base_url=other) as http:  # Host: other-service.example
        token = signer.token(other + PATH)
        assert_401(http.post(PATH, json=hook, headers={**forwarded, "Authorization": f"Bearer {token}"}))
        for base in ("http://127.0.0.1:8080", "http://localhost:8080"):  # the Sandbox on this machine
            token = signer.token(base + PATH)
            response = http.post(PATH, json=hook, headers={**forwarded, "Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.text
            text = response.text
            assert "other-service.example" not in text
            for card in response.json()["cards"]:
                assert card["links"][0]["url"].startswith(base + "/reports/")
                assert card["source"]["url"].startswith(base)
        assert_401(http.post(PATH, json=hook, headers={
            "Authorization": f"Bearer {signer.token('http://127.0.0.1:9999' + PATH)}"}))  # another port


def test_report_links_use_the_configured_public_url(http: TestClient, signer: Signer,
                                                    examples: dict[str, PatientBuilder]) -> None:
    builder = example(examples, "04-")
    hook = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
    response = http.post(PATH, json=hook, headers={"Host": "evil.example",
                                                   "Authorization": f"Bearer {signer.token(URL)}"})
    assert response.status_code == 200
    assert all(c["links"][0]["url"].startswith(BASE + "/reports/") for c in response.json()["cards"])
