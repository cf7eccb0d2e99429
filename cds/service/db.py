"""Persistence: evaluations (for the report links), cards, feedback, audit, seen JWT ids, secrets.

SQLite file by default, PostgreSQL through ``CDS_DATABASE_URL``. Tables are created at start-up
(several workers may race to do it; the loser's error is harmless and retried).
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

log = logging.getLogger("cds.service.db")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class EvaluationRecord(Base):
    """One evaluation as returned to a hook call; the report page renders it."""

    __tablename__ = "cds_evaluation"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    patient_id: Mapped[str] = mapped_column(String(200))
    ruleset_version: Mapped[str] = mapped_column(String(40))
    ruleset_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]


class CardRecord(Base):
    """A card as sent, so feedback can be tied to its evaluation, rules and suggestions."""

    __tablename__ = "cds_card"
    uuid: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    evaluation_id: Mapped[str] = mapped_column(String(64), index=True)
    service_id: Mapped[str] = mapped_column(String(100))
    hook_instance: Mapped[str] = mapped_column(String(100))
    patient_id: Mapped[str] = mapped_column(String(200))
    lesion: Mapped[str | None] = mapped_column(String(300))
    indicator: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200))
    rule_ids: Mapped[list[Any]]
    recommendation_codes: Mapped[list[Any]]
    suggestions: Mapped[dict[str, Any]]
    """suggestion uuid → {label, code, rules}."""


class FeedbackRecord(Base):
    __tablename__ = "cds_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    service_id: Mapped[str] = mapped_column(String(100))
    card_uuid: Mapped[str] = mapped_column(String(200), index=True)
    known_card: Mapped[bool] = mapped_column(Boolean)
    evaluation_id: Mapped[str | None] = mapped_column(String(64))
    rule_ids: Mapped[list[Any]]
    outcome: Mapped[str] = mapped_column(String(20))
    accepted_suggestions: Mapped[list[Any]]
    suggestion_id: Mapped[str | None] = mapped_column(String(200))
    override_system: Mapped[str | None] = mapped_column(String(300))
    override_code: Mapped[str | None] = mapped_column(String(100))
    override_display: Mapped[str | None] = mapped_column(String(300))
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_timestamp: Mapped[str | None] = mapped_column(String(40))


class AuditRecord(Base):
    """One row per hook call. Never a token: only ids, codes and timings."""

    __tablename__ = "cds_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    hook_instance: Mapped[str | None] = mapped_column(String(100))
    service_id: Mapped[str] = mapped_column(String(100))
    hook: Mapped[str | None] = mapped_column(String(50))
    user_id: Mapped[str | None] = mapped_column(String(200))
    patient_id: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(300))
    tenant: Mapped[str | None] = mapped_column(String(200))
    jti: Mapped[str | None] = mapped_column(String(200))
    ruleset_version: Mapped[str | None] = mapped_column(String(40))
    ruleset_sha256: Mapped[str | None] = mapped_column(String(64))
    evaluation_id: Mapped[str | None] = mapped_column(String(64))
    recommendation_codes: Mapped[list[Any]]
    card_count: Mapped[int] = mapped_column(Integer, default=0)
    fetched_keys: Mapped[list[Any]]
    latency_ms: Mapped[float] = mapped_column(Float)
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(300))


class SeenToken(Base):
    """JWT ids seen, until their token expires (the replay cache when there is no Redis)."""

    __tablename__ = "cds_seen_jti"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ServiceSecret(Base):
    __tablename__ = "cds_secret"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Database:
    def __init__(self, url: str, busy_timeout: float = 15.0) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self) -> None:
        for attempt in range(5):  # workers start together; one of them wins the CREATE TABLE race
            try:
                Base.metadata.create_all(self.engine)
                return
            except (OperationalError, ProgrammingError, IntegrityError):
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    def secret(self, name: str) -> str:
        """A random secret generated once and shared by every worker (insert-if-absent)."""
        with self.session() as s:
            row = s.get(ServiceSecret, name)
            if row is not None:
                return row.value
        try:
            with self.session() as s:
                s.add(ServiceSecret(name=name, value=secrets.token_urlsafe(32)))
        except IntegrityError:
            pass  # another worker stored it first
        with self.session() as s:
            row = s.get(ServiceSecret, name)
            assert row is not None
            return row.value

    def purge(self, retention_days: int) -> int:
        """Delete evaluations, cards and audit rows older than the retention period, and expired jtis."""
        cutoff = utcnow() - timedelta(days=retention_days)
        removed = 0
        with self.session() as s:
            for model, column in ((EvaluationRecord, EvaluationRecord.created_at),
                                  (CardRecord, CardRecord.created_at), (AuditRecord, AuditRecord.at)):
                result = s.execute(delete(model).where(column < cutoff))
                removed += getattr(result, "rowcount", 0) or 0
            s.execute(delete(SeenToken).where(SeenToken.expires_at < utcnow()))
        return removed

    def evaluation(self, evaluation_id: str) -> dict[str, Any] | None:
        with self.session() as s:
            row = s.execute(select(EvaluationRecord.body).where(EvaluationRecord.id == evaluation_id)).first()
            return row[0] if row else None

    def dispose(self) -> None:
        self.engine.dispose()


def insert_ignoring_duplicates(table: Any, dialect: str) -> Any:
    """INSERT that skips rows whose primary key exists (SQLite and PostgreSQL spell it differently)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    return insert(table)


def private_file(path: Path) -> None:
    """Create ``path`` readable and writable by its owner only (0600), or make it so: the SQLite file
    holds patients' evaluations and the report-link secret. Its folder is made 0700 when created.
    SQLite gives its -wal and -shm files the permissions of the database file."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                 path.with_name(path.name + "-journal")):
        if name.exists() and name.stat().st_mode & 0o077:
            os.chmod(name, 0o600)


def make_engine(url: str, busy_timeout: float = 15.0) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            private_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout},
                               json_serializer=_json_text, json_deserializer=orjson.loads)

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _: Any) -> None:
            # WAL lets the workers read while one writes; NORMAL sync is durable enough for audit rows.
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, json_serializer=_json_text,
                         json_deserializer=orjson.loads)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()
