"""The JWT replay cache: a ``jti`` is accepted once per issuer within its token's lifetime.

Shared by every worker process: Redis when ``CDS_REDIS_URL`` is set (``SET NX EX``: atomic),
else the database (a primary key insert: atomic too).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from cds.service.db import Database, SeenToken


def _key(issuer: str, jti: str) -> str:
    return hashlib.sha256(f"{issuer}\x00{jti}".encode()).hexdigest()


class ReplayCache(Protocol):
    def first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        """True the first time (issuer, jti) is seen within ``ttl_seconds``; False on a replay."""
        ...


class DatabaseReplayCache:
    def __init__(self, db: Database) -> None:
        self.db = db

    def first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        key = _key(issuer, jti)
        now = datetime.now(UTC)
        try:
            with self.db.session() as s:
                row = s.get(SeenToken, key)
                if row is not None:
                    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
                    if expires > now:
                        return False
                    s.delete(row)  # an expired entry: the id may be used again
                    s.flush()
                s.add(SeenToken(key=key, expires_at=now + timedelta(seconds=max(ttl_seconds, 1))))
        except IntegrityError:
            return False  # another worker inserted the same id at the same moment
        return True


class RedisReplayCache:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def first_use(self, issuer: str, jti: str, ttl_seconds: int) -> bool:
        return bool(self.client.set(f"cds:jti:{_key(issuer, jti)}", b"1", nx=True, ex=max(ttl_seconds, 1)))


def make_replay_cache(redis_url: str | None, db: Database) -> ReplayCache:
    return RedisReplayCache(redis_url) if redis_url else DatabaseReplayCache(db)
