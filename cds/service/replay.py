"""The JWT replay cache: a ``jti`` is accepted once per issuer within its token's lifetime.

Shared by every worker process: Redis when ``CDS_REDIS_URL`` is set (``SET NX EX``: atomic),
else the database (a primary key insert: atomic too).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import insert, make_url, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from cds.service.db import Database, SeenToken
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
        replay_db = Database(str(url.set(database=str(path.with_name(path.stem + "-replay" + path.suffix)))))
        replay_db.create_all()
        return DatabaseReplayCache(replay_db, retry_after)
    return DatabaseReplayCache(db, retry_after)
