"""Audit: one row per hook call, and a logging filter that keeps tokens out of every log line."""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from cds.service.db import AuditRecord, CardRecord, Database, EvaluationRecord, insert_ignoring_duplicates

log = logging.getLogger("cds.service.audit")

_SECRET = re.compile(
    r"(?i)(bearer\s+)[^\s\"',]+"  # an Authorization header value
    r"|eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*"  # any JWT
    r"|(access_token[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"  # fhirAuthorization.access_token
    r"|([?&]signature=)[^&\s\"']+")  # a signed report link (7 days of access to a patient's report)


def redact(text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        for group in (1, 2, 3):
            if match.group(group):
                return match.group(group) + "[redacted]"
        return "[redacted-jwt]"

    return _SECRET.sub(sub, text)


def _redacted_arg(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, int | float):
        return value  # a %d or %.1f argument stays a number
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactingFilter(logging.Filter):
    """Safety net: whatever a log call formats, bearer tokens, JWTs, access tokens and report-link
    signatures come out redacted. The arguments are redacted one by one and keep their places, so
    a formatter that reads them (uvicorn's access log reads the five of a request line) still works."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redacted_arg(v) for k, v in record.args.items()}
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
    done: Future[bool] | None = field(default=None, repr=False)
    """Set by ``CallWriter.submit(confirm=True)``: resolved once the rows are committed (or not)."""


def _audit_row(call: CallRecord) -> dict[str, Any]:
    return {
        "hook_instance": call.hook_instance, "service_id": call.service_id, "hook": call.hook,
        "user_id": call.user_id, "patient_id": call.patient_id, "issuer": call.issuer, "tenant": call.tenant,
        "jti": call.jti, "ruleset_version": call.ruleset_version, "ruleset_sha256": call.ruleset_sha256,
        "evaluation_id": call.evaluation_id, "recommendation_codes": call.recommendation_codes,
        "card_count": call.card_count, "fetched_keys": call.fetched_keys,
        "latency_ms": round(call.latency_ms, 2), "status": call.status, "outcome": call.outcome[:300],
    }


def write_calls(db: Database, calls: list[CallRecord]) -> list[bool]:
    """Evaluations, cards and audit rows of several calls in one transaction (Core inserts, not ORM
    units of work: this runs for every call); whether each call's rows were written. Never raises:
    a failure is logged, and a failing batch is retried call by call so one bad row loses only itself."""
    try:
        with db.engine.begin() as conn:
            evaluations = [c.evaluation_row for c in calls if c.evaluation_row is not None]
            cards = [row for c in calls for row in c.card_rows]
            if evaluations:  # a re-used evaluation may already be stored (by this or another worker)
                conn.execute(insert_ignoring_duplicates(EvaluationRecord, db.engine.dialect.name),
                             evaluations)
            if cards:
                conn.execute(insert(CardRecord), cards)
            conn.execute(insert(AuditRecord), [_audit_row(c) for c in calls])
        return [True] * len(calls)
    except Exception:
        if len(calls) > 1:
            return [ok for call in calls for ok in write_calls(db, [call])]
        log.exception("could not write the audit record of hook instance %s", calls[0].hook_instance)
        return [False]


def write_call(db: Database, call: CallRecord) -> bool:
    return write_calls(db, [call])[0]


_STOP = object()
_REMEMBERED = 4096


class CallWriter:
    """One thread per process writes the calls' rows in batches, off the request path: under load
    one transaction carries many calls (fewer lock waits when several workers share a SQLite file,
    one commit for many). A call that must be stored before it is answered (its cards link to a new
    evaluation) gets a future the writer resolves after the commit: group commit."""

    def __init__(self, db: Database, batch: int = 200, retention_days: int | None = None) -> None:
        self.db = db
        self.batch = batch
        self.retention_days = retention_days
        self._purged = time.monotonic()
        self.queue: queue.Queue[Any] = queue.Queue()
        self._stored: OrderedDict[str, None] = OrderedDict()
        self._stored_lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="cds-call-writer", daemon=True)
        self.thread.start()

    def submit(self, call: CallRecord, *, confirm: bool = False) -> Future[bool] | None:
        """Queue the call's rows; with ``confirm``, a future that is True once they are committed."""
        call.done = Future() if confirm else None
        self.queue.put(call)
        return call.done

    def is_stored(self, evaluation_id: str) -> bool:
        """Whether this process has committed that evaluation (recently: the memory is bounded)."""
        with self._stored_lock:
            return evaluation_id in self._stored

    def flush(self) -> None:
        """Wait until everything submitted so far is written."""
        self.queue.join()

    def close(self) -> None:
        self.queue.put(_STOP)
        self.thread.join(timeout=30)

    def _purge_hourly(self) -> None:
        """Retention: rows older than CDS_RETENTION_DAYS go (also done at start-up)."""
        if self.retention_days is None or time.monotonic() - self._purged < 3600:
            return
        self._purged = time.monotonic()
        try:
            self.db.purge(self.retention_days)
        except Exception:
            log.exception("retention purge failed")

    def _written(self, calls: list[CallRecord], results: list[bool]) -> None:
        for call, ok in zip(calls, results, strict=True):
            if ok and call.evaluation_row is not None:
                with self._stored_lock:
                    self._stored[call.evaluation_row["id"]] = None
                    while len(self._stored) > _REMEMBERED:
                        self._stored.popitem(last=False)
            if call.done is not None and not call.done.done():
                call.done.set_result(ok)

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is _STOP:
                self.queue.task_done()
                return
            calls = [item]
            stop = False
            while len(calls) < self.batch:
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                calls.append(more)
            results = [False] * len(calls)
            try:
                results = write_calls(self.db, calls)
                self._purge_hourly()
            finally:
                self._written(calls, results)
                for _ in range(len(calls) + stop):
                    self.queue.task_done()
            if stop:
                return
