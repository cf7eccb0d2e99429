"""Audit: one row per hook call with ids, ruleset, codes and latency — never a token."""

from __future__ import annotations

import logging

import pytest
from cds_client import CdsClient
from fhir_double import GOOD_TOKEN, FhirDouble
from service_helpers import example, full_prefetch
from sqlalchemy import select

from cds.service.audit import RedactingFilter, redact
from cds.service.db import AuditRecord, Database
from cds.synthetic.builder import PatientBuilder


def test_one_audit_row_per_hook_call(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    builder = example(examples, "09-")
    body = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
    assert client.call("bone-mets-rt", body).status_code == 200
    assert client.call("bone-mets-rt", body | {"hook": "order-sign"}).status_code == 400
    client.http.app.state.cds.writer.flush()  # type: ignore[attr-defined]
    db: Database = client.http.app.state.cds.db  # type: ignore[attr-defined]
    with db.session() as s:
        rows = s.execute(select(AuditRecord).order_by(AuditRecord.id)).scalars().all()
    ok, bad = rows
    assert ok.hook_instance == body["hookInstance"] and ok.service_id == "bone-mets-rt"
    assert ok.hook == "patient-view" and ok.user_id == "Practitioner/example"
    assert ok.patient_id == builder.patient_id and ok.status == 200
    assert ok.ruleset_version and ok.ruleset_sha256 and ok.evaluation_id
    assert {"sbrt", "avoid"} <= set(ok.recommendation_codes) and ok.card_count == 2
    assert ok.latency_ms > 0 and ok.issuer and ok.jti
    assert bad.status == 400 and "order-sign" in bad.outcome


def test_no_token_in_database_or_logs(client: CdsClient, examples: dict[str, PatientBuilder],
                                      fhir_server: FhirDouble, caplog: pytest.LogCaptureFixture) -> None:
    builder = example(examples, "05-")
    fhir_server.load(builder.patient_id, builder.resources())
    patient = {"patient": full_prefetch(builder)["patient"]}
    body = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=patient,
                               fhir_server=fhir_server.url("auth"), access_token=GOOD_TOKEN)
    with caplog.at_level(logging.DEBUG):
        assert client.call("bone-mets-rt", body).status_code == 200
        bad = body | {"fhirAuthorization": {"access_token": "wrong-secret-token", "token_type": "Bearer"}}
        assert client.call("bone-mets-rt", bad).status_code == 412
    client.http.app.state.cds.writer.flush()  # type: ignore[attr-defined]
    db: Database = client.http.app.state.cds.db  # type: ignore[attr-defined]
    with db.engine.connect() as conn:
        dump = "\n".join(str(row) for table in ("cds_audit", "cds_card", "cds_evaluation", "cds_seen_jti")
                         for row in conn.exec_driver_sql(f"SELECT * FROM {table}"))
    for secret in [GOOD_TOKEN, "wrong-secret-token", *client.sent_tokens]:
        assert secret not in dump
        assert secret not in caplog.text


def test_redaction_filter() -> None:
    jwt_like = "eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl"
    assert "abc123" not in redact("Authorization: Bearer abc123")
    assert jwt_like not in redact(f"token={jwt_like}")
    assert "s3cret" not in redact('{"access_token": "s3cret", "token_type": "Bearer"}')
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "header %s", ("Bearer abc123",), None)
    assert RedactingFilter().filter(record) and "abc123" not in record.getMessage()


def test_a_reused_evaluation_is_stored_once_and_its_calls_still_audited(tmp_path: object) -> None:
    from cds.service.audit import CallRecord, write_calls

    db = Database(f"sqlite:///{tmp_path}/a.sqlite3")
    db.create_all()
    evaluation = {"id": "e1", "patient_id": "p", "ruleset_version": "v", "ruleset_sha256": "0" * 64, "body": {}}
    calls = [CallRecord(service_id="s", hook_instance=f"h{n}", evaluation_row=dict(evaluation)) for n in range(2)]
    write_calls(db, calls[:1])
    write_calls(db, calls[1:])  # the same evaluation again (e.g. stored by another worker)
    with db.session() as s:
        assert len(s.execute(select(AuditRecord)).scalars().all()) == 2


def test_the_access_log_keeps_uvicorns_format_and_hides_report_signatures() -> None:
    """Issue 11 item 9: signed report URLs (7 days of access to a patient's report) went to the
    access log in plain text, and the redaction filter broke uvicorn's access-log formatter (it
    reads the five arguments of the request line, which the filter had folded into the message)."""
    from uvicorn.config import LOGGING_CONFIG
    from uvicorn.logging import AccessFormatter

    url = "/reports/4f2a?expires=1795000000&signature=" + "ab" * 32
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:50000", "GET", url, "1.1", 200), None)
    assert RedactingFilter().filter(record)
    formatter = AccessFormatter(LOGGING_CONFIG["formatters"]["access"]["fmt"], use_colors=False)
    line = formatter.format(record)
    assert line == ('INFO:     127.0.0.1:50000 - "GET /reports/4f2a?expires=1795000000&signature=[redacted] '
                    'HTTP/1.1" 200 OK')
    assert "ab" * 32 not in line
    assert record.args[4] == 200  # type: ignore[index]  # a %d argument stays a number
