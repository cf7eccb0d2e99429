"""Persistence on PostgreSQL (the real server on loopback when one is reachable; SQLite is the
default and is what every other test uses)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cds_client import CdsClient, Signer
from fastapi.testclient import TestClient
from service_helpers import BASE, example, full_prefetch, make_settings, reachable
from sqlalchemy import create_engine, select, text

from cds.service.app import create_app
from cds.service.db import AuditRecord, CardRecord, Database, FeedbackRecord
from cds.service.feedback import feedback_summary
from cds.synthetic.builder import PatientBuilder

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not reachable("127.0.0.1", 5432), reason="no PostgreSQL server on 127.0.0.1:5432"),
]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema per test in database `test`, dropped afterwards."""
    schema = f"cds_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # reachable but not usable (auth, missing database)
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 not usable: {type(exc).__name__}")
    yield f"{PG_ADMIN}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


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
