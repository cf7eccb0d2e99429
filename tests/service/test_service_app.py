"""The application shell: index, health, rule catalogue, CORS for configured origins only."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cds_client import CdsClient
from fastapi.testclient import TestClient
from service_helpers import BASE, SANDBOX_ORIGIN, make_settings

from cds.service.app import create_app


def test_index_health_and_rules(client: CdsClient) -> None:
    index = client.http.get("/")
    assert index.status_code == 200 and "ruleset" in index.text and "text/html" in index.headers["content-type"]
    health = client.http.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] == "ok" and health["auth"] is True
    assert health.get("redis", health.get("replay cache")) == "ok"  # every backend is checked
    rules = client.http.get("/rules")
    assert rules.status_code == 200 and "text/html" in rules.headers["content-type"]


def test_cors_preflight_with_authorization_for_configured_origin__req_208(client: CdsClient) -> None:
    response = client.http.options("/cds-services/bone-mets-rt", headers={
        "Origin": SANDBOX_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SANDBOX_ORIGIN
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "POST" in response.headers["access-control-allow-methods"]


def test_cors_headers_on_post_answers_and_errors(client: CdsClient) -> None:
    browser = CdsClient(client.http, BASE, client.signer, origin=SANDBOX_ORIGIN)
    response = browser.call("bone-mets-rt", CdsClient.hook_body("patient-view", "p1"))
    assert response.status_code == 412
    assert response.headers["access-control-allow-origin"] == SANDBOX_ORIGIN


def test_cors_refuses_other_origins(client: CdsClient) -> None:
    response = client.http.options("/cds-services", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    get = client.http.get("/cds-services", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in get.headers


def test_dev_switch_disables_auth_loudly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path, None, dev_disable_auth=True)
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings), base_url=BASE) as http:
        assert http.get("/healthz").json()["auth"] is False
    assert "AUTHENTICATION IS DISABLED" in caplog.text
