"""Audit: one row per hook call, and a logging filter that keeps tokens out of every log line."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from cds.service.db import AuditRecord, CardRecord, Database, EvaluationRecord

log = logging.getLogger("cds.service.audit")

_SECRET = re.compile(
    r"(?i)(bearer\s+)[^\s\"',]+"  # an Authorization header value
    r"|eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*"  # any JWT
    r"|(access_token[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+")  # fhirAuthorization.access_token


def redact(text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1) + "[redacted]"
        if match.group(2):
            return match.group(2) + "[redacted]"
        return "[redacted-jwt]"

    return _SECRET.sub(sub, text)


class RedactingFilter(logging.Filter):
    """Safety net: whatever a log call formats, bearer tokens and JWTs come out redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record alone
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_redaction() -> None:
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "cds", "httpx", "httpcore")
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())


@dataclass
class CallRecord:
    """What is known about one hook call, filled in as it goes and written at the end."""

    service_id: str
    hook: str | None = None
    hook_instance: str | None = None
    user_id: str | None = None
    patient_id: str | None = None
    issuer: str | None = None
    tenant: str | None = None
    jti: str | None = None
    ruleset_version: str | None = None
    ruleset_sha256: str | None = None
    evaluation_id: str | None = None
    recommendation_codes: list[str] = field(default_factory=list)
    card_count: int = 0
    fetched_keys: list[str] = field(default_factory=list)
    status: int = 200
    outcome: str = "ok"
    latency_ms: float = 0.0
    evaluation_row: dict[str, Any] | None = None
    card_rows: list[dict[str, Any]] = field(default_factory=list)


def write_call(db: Database, call: CallRecord) -> None:
    """Evaluation (once), cards and the audit row, in one transaction. Never raises: the answer
    has been sent; a failure here is logged."""
    # Core inserts, not ORM units of work: this runs for every call (measured 3x cheaper).
    try:
        with db.engine.begin() as conn:
            if call.evaluation_row is not None:
                conn.execute(insert(EvaluationRecord.__table__), [call.evaluation_row])
            if call.card_rows:
                conn.execute(insert(CardRecord.__table__), call.card_rows)
            conn.execute(insert(AuditRecord.__table__), [{
                "hook_instance": call.hook_instance, "service_id": call.service_id, "hook": call.hook,
                "user_id": call.user_id, "patient_id": call.patient_id, "issuer": call.issuer, "tenant": call.tenant,
                "jti": call.jti, "ruleset_version": call.ruleset_version, "ruleset_sha256": call.ruleset_sha256,
                "evaluation_id": call.evaluation_id, "recommendation_codes": call.recommendation_codes,
                "card_count": call.card_count, "fetched_keys": call.fetched_keys,
                "latency_ms": round(call.latency_ms, 2), "status": call.status, "outcome": call.outcome[:300],
            }])
    except Exception:
        log.exception("could not write the audit record of hook instance %s", call.hook_instance)
