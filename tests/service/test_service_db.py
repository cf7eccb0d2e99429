"""Persistence: PostgreSQL (a real server: ``make test`` starts one on loopback; each test has a
schema of its own) and the SQLite default (its files private to the service's user)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cds_client import CdsClient, Signer
from fastapi.testclient import TestClient
from service_helpers import BASE, example, full_prefetch, make_settings
from sqlalchemy import create_engine, select, text

from cds.service.app import create_app
from cds.service.db import AuditRecord, CardRecord, Database, FeedbackRecord
from cds.service.feedback import feedback_summary
from cds.synthetic.builder import PatientBuilder


@pytest.mark.postgres
def test_cards_feedback_and_audit_on_postgresql(tmp_path: Path, jwks_file: Path, signer: Signer, pg_url: str,
                                                examples: dict[str, PatientBuilder]) -> None:
    settings = make_settings(tmp_path, jwks_file, database_url=pg_url)
    builder = example(examples, "04-")
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE, signer)
        card = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", builder.patient_id,
                                                               prefetch=full_prefetch(builder))).json()["cards"][0]
        suggestion = card["suggestions"][0]["uuid"]
        item = {"card": card["uuid"], "outcome": "accepted", "acceptedSuggestions": [{"id": suggestion}],
                "outcomeTimestamp": "2026-11-20T10:00:00Z"}
        assert client.feedback("bone-mets-rt", [item, item]).json() == {"received": 2, "stored": 1, "duplicates": 1}
        report = http.get(card["links"][0]["url"])
        assert report.status_code == 200
    db = Database(pg_url)
    with db.session() as s:
        assert s.execute(select(CardRecord)).scalars().one().uuid == card["uuid"]
        assert s.execute(select(FeedbackRecord)).scalars().one().known_card
        assert s.execute(select(AuditRecord)).scalars().one().status == 200
    assert any(row["accepted"] == 1 for row in feedback_summary(db))
    assert db.secret("report-link") == db.secret("report-link")
    db.dispose()


@pytest.mark.postgres
def test_what_postgresql_cannot_store_is_refused_before_anything_is_answered(
        tmp_path: Path, jwks_file: Path, signer: Signer, pg_url: str, examples: dict[str, PatientBuilder]) -> None:
    """Issue 11 item 4: a NUL or an over-long hookInstance / userId answered 200 with cards whose
    rows were never stored (the report link a 404), and NULs or long values in feedback were 500s."""
    settings = make_settings(tmp_path, jwks_file, database_url=pg_url)
    builder = example(examples, "04-")
    body = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE, signer)
        for bad in ({"hookInstance": "x\x00"}, {"hookInstance": "h" * 101},
                    {"context": body["context"] | {"userId": "Practitioner/" + "u" * 300}},
                    {"context": body["context"] | {"userId": "Practitioner/\x00"}}):
            assert client.call("bone-mets-rt", body | bad).status_code == 400
        for item in ({"card": "c" * 300, "outcome": "overridden"}, {"card": "c\x00", "outcome": "overridden"},
                     {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z" + "0" * 40},
                     {"card": "c", "outcome": "overridden", "overrideReason": {"reason": {"code": "x" * 200}}}):
            assert client.feedback("bone-mets-rt", [item]).status_code == 400
        cards = client.call("bone-mets-rt", body).json()["cards"]
        assert cards and all(http.get(c["links"][0]["url"]).status_code == 200 for c in cards)


@pytest.mark.postgres
def test_an_evaluation_that_cannot_be_stored_is_503_never_a_dead_link(
        tmp_path: Path, jwks_file: Path, signer: Signer, pg_url: str, examples: dict[str, PatientBuilder]) -> None:
    settings = make_settings(tmp_path, jwks_file, database_url=pg_url, evaluation_cache_seconds=60)
    builder = example(examples, "04-")
    body = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE, signer)
        with admin.connect() as conn:
            conn.execute(text("ALTER TABLE cds_evaluation RENAME TO cds_evaluation_away"))
        try:
            failed = client.call("bone-mets-rt", body)
        finally:  # the schema is shared by this process's tests
            with admin.connect() as conn:
                conn.execute(text("ALTER TABLE cds_evaluation_away RENAME TO cds_evaluation"))
        assert failed.status_code == 503 and failed.headers["retry-after"].isdigit()
        assert failed.json()["resourceType"] == "OperationOutcome"
        # the same input again: the re-used evaluation is stored now (it was never marked stored)
        cards = client.call("bone-mets-rt", body).json()["cards"]
        assert cards and all(http.get(c["links"][0]["url"]).status_code == 200 for c in cards)
    admin.dispose()


def test_sqlite_files_are_private_to_the_service(tmp_path: Path, jwks_file: Path, signer: Signer,
                                                 examples: dict[str, PatientBuilder]) -> None:
    """Issue 11 item 9: the SQLite files (evaluations of patients, the report-link secret) were 0644."""
    old = os.umask(0o022)
    try:
        settings = make_settings(tmp_path, jwks_file)
        builder = example(examples, "04-")
        with TestClient(create_app(settings), base_url=BASE) as http:
            response = CdsClient(http, BASE, signer).call("bone-mets-rt", CdsClient.hook_body(
                "patient-view", builder.patient_id, prefetch=full_prefetch(builder)))
            assert response.status_code == 200
            files = sorted(p for p in settings.data_dir.iterdir())
            assert {p.name for p in files} >= {"cds.sqlite3", "cds-replay.sqlite3", "cds.sqlite3-wal"}
            for path in files:
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
        # an existing installation's world-readable file is made private at start-up
        os.chmod(settings.data_dir / "cds.sqlite3", 0o644)
        with TestClient(create_app(settings), base_url=BASE):
            assert stat.S_IMODE((settings.data_dir / "cds.sqlite3").stat().st_mode) == 0o600
    finally:
        os.umask(old)
