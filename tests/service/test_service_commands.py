"""`cds feedback report` and `cds serve` (one end-to-end start over real HTTP)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cds_client import CdsClient
from fastapi.testclient import TestClient
from fhir_double import free_port
from service_helpers import BASE, example, full_prefetch, make_settings

from cds.service.app import create_app
from cds.service.cards import OVERRIDE_REASON_SYSTEM
from cds.synthetic.builder import PatientBuilder

CDS = [sys.executable, "-c", "from cds.cli import app; app()"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env.update(extra)
    return env


def test_feedback_report_text_and_json(tmp_path: Path, examples: dict[str, PatientBuilder]) -> None:
    settings = make_settings(tmp_path, None, dev_disable_auth=True)
    builder = example(examples, "04-")
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE)
        card = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", builder.patient_id,
                                                               prefetch=full_prefetch(builder))).json()["cards"][0]
        client.feedback("bone-mets-rt", [{
            "card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z",
            "overrideReason": {"reason": {"system": OVERRIDE_REASON_SYSTEM, "code": "already-planned"}}}])
    env = clean_env(CDS_DATA_DIR=str(settings.data_dir))
    out = subprocess.run([*CDS, "feedback", "report", "--format", "json"], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    rows = {r["rule"]: r for r in json.loads(out)}
    assert rows["pain.single-fraction"]["overridden"] == 1
    assert rows["pain.single-fraction"]["override_reasons"][0]["reason"] == "Already planned or done"
    text = subprocess.run([*CDS, "feedback", "report"], env=env | {"COLUMNS": "200"}, capture_output=True,
                          text=True, timeout=120, check=True).stdout
    assert "pain.single-fraction" in text and "Already planned or done" in text


def test_cds_serve_starts_on_a_fresh_machine(tmp_path: Path) -> None:
    """Nothing configured but a data folder: auth on (Sandbox trusted), SQLite, two workers."""
    port = free_port()
    env = clean_env(CDS_DATA_DIR=str(tmp_path / "data"), HOME=str(tmp_path))
    proc = subprocess.Popen([*CDS, "serve", "--port", str(port), "--workers", "2"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("cds serve did not start")
            time.sleep(0.2)
        assert httpx.get(f"{base}/healthz").json()["auth"] is True
        assert len(httpx.get(f"{base}/cds-services").json()["services"]) == 3
        response = httpx.post(f"{base}/cds-services/bone-mets-rt", json={})
        assert response.status_code == 401 and response.json()["resourceType"] == "OperationOutcome"
        assert (tmp_path / "data" / "cds.sqlite3").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
