"""The JWT replay cache: a ``jti`` is accepted once per issuer within its token's lifetime.

Shared by every worker process: Redis when ``CDS_REDIS_URL`` is set (``SET NX EX``: atomic),
else the database (a primary key insert: atomic too).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import insert, make_url, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from cds.service.db import Database, SeenToken, private_file
from cds.service.errors import BackendUnavailable

log = logging.getLogger("cds.service.replay")


def _key(issuer: str, jti: str) -> str:
    return hashlib.sha256(f"{issuer}\x00{jti}".encode()).hexdigest()


class ReplayCache(Protocol):
    def first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        """True the first time (issuer, jti) is seen within ``ttl_seconds``; False on a replay."""
        ...

    def check(self) -> None:
        """Raise BackendUnavailable if the store does not answer (for /healthz)."""
        ...


class DatabaseReplayCache:
    def __init__(self, db: Database, retry_after: int = 5) -> None:
        self.db = db
        self.retry_after = retry_after

    def first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        try:
            return self._first_use(issuer, jti, ttl_seconds)
        except (OperationalError, InterfaceError) as exc:
            log.warning("replay cache database unavailable: %s", type(exc).__name__)
            raise BackendUnavailable("replay cache", self.retry_after) from None

    def _first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        key = _key(issuer, jti)
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=max(ttl_seconds, 1))
        try:
            with self.db.engine.begin() as conn:  # the primary key makes the first insert win
                conn.execute(insert(SeenToken).values(key=key, expires_at=expires))
            return True
        except IntegrityError:
            pass
        with self.db.engine.begin() as conn:  # seen before: usable again only if that entry expired
            reused = conn.execute(update(SeenToken).where(SeenToken.key == key, SeenToken.expires_at < now)
                                  .values(expires_at=expires))
            return bool(getattr(reused, "rowcount", 0))

    def check(self) -> None:
        try:
            with self.db.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except (OperationalError, InterfaceError):
            raise BackendUnavailable("replay cache", self.retry_after) from None


class SqliteReplayCache:
    """The replay cache in a SQLite file of its own, through one sqlite3 connection per process in
    autocommit mode: a one-row insert sits in every request's path, and SQLAlchemy's transaction
    and pool handling cost about seven times the insert itself (measured 1.9 ms against 0.25 ms).
    Same table and timestamp format as ``SeenToken``; expired ids are deleted as it goes."""

    _PURGE_EVERY = 1000

    def __init__(self, path: Path, retry_after: int = 5, busy_timeout: float = 15.0) -> None:
        private_file(path)
        Database(f"sqlite:///{path}").create_all()  # the table (and its index), as everywhere else
        self.retry_after = retry_after
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=busy_timeout)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.lock = threading.Lock()
        self._inserts = 0

    @staticmethod
    def _stamp(value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format

    def first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        key = _key(issuer, jti)
        now = datetime.now(UTC)
        expires = self._stamp(now + timedelta(seconds=max(ttl_seconds, 1)))
        try:
            with self.lock:
                self._inserts += 1
                if self._inserts % self._PURGE_EVERY == 0:
                    self.conn.execute("DELETE FROM cds_seen_jti WHERE expires_at < ?", (self._stamp(now),))
                try:
                    self.conn.execute("INSERT INTO cds_seen_jti (key, expires_at) VALUES (?, ?)", (key, expires))
                    return True
                except sqlite3.IntegrityError:
                    pass  # seen before: usable again only if that entry expired
                cursor = self.conn.execute("UPDATE cds_seen_jti SET expires_at = ? WHERE key = ? AND expires_at < ?",
                                           (expires, key, self._stamp(now)))
                return cursor.rowcount > 0
        except sqlite3.Error as exc:
            log.warning("replay cache file unavailable: %s", type(exc).__name__)
            raise BackendUnavailable("replay cache", self.retry_after) from None

    def check(self) -> None:
        try:
            with self.lock:
                self.conn.execute("SELECT 1 FROM cds_seen_jti LIMIT 1")
        except sqlite3.Error:
            raise BackendUnavailable("replay cache", self.retry_after) from None


class RedisReplayCache:
    """``SET key NX EX ttl``: atomic across workers and hosts. Redis down is a 503 (fail closed:
    without the replay check no token is accepted)."""

    def __init__(self, url: str, prefix: str = "cds:", timeout: float = 2.0, retry_after: int = 5) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.prefix = prefix
        self.retry_after = retry_after
        self._errors: tuple[type[Exception], ...] = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
                                                     OSError)

    def first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        try:
            return bool(self.client.set(f"{self.prefix}jti:{_key(issuer, jti)}", b"1", nx=True,
                                        ex=max(ttl_seconds, 1)))
        except self._errors as exc:
            log.warning("Redis unavailable: %s", type(exc).__name__)
            raise BackendUnavailable("Redis", self.retry_after) from None

    def check(self) -> None:
        try:
            self.client.ping()
        except self._errors:
            raise BackendUnavailable("Redis", self.retry_after) from None


def make_replay_cache(redis_url: str | None, db: Database, *, prefix: str = "cds:", timeout: float = 2.0,
                      retry_after: int = 5) -> ReplayCache:
    """Redis if configured; else the database. A SQLite database gets a file of its own for the
    replay cache: its one-row inserts sit in every request's path and should not queue behind the
    batched audit writes for the file's write lock (measured with two workers inserting while two
    batch writers run: p99 of an insert 9.3 ms on the same file, 2.0 ms on its own file)."""
    if redis_url:
        return RedisReplayCache(redis_url, prefix, timeout, retry_after)
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        return SqliteReplayCache(path.with_name(path.stem + "-replay" + path.suffix), retry_after)
    return DatabaseReplayCache(db, retry_after)
