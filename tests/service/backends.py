"""The real PostgreSQL and Redis servers of the service tests.

``make test`` (and so CI) starts both on loopback if they are not running and passes
``CDS_TEST_POSTGRES_URL``, ``CDS_TEST_REDIS_URL`` and ``CDS_TEST_REQUIRE_SERVICES=1``: then a
test that needs a server fails if it cannot reach it, never skips. Run by hand, the tests use the
same loopback defaults when a server answers there, and skip with the reason otherwise.

Other test runs share the servers: each run creates a database of its own (dropped at the end),
each test process a schema in it (emptied before each test), and every Redis key carries a prefix
unique to the test (deleted after).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, make_url, text

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
REQUIRED = os.environ.get("CDS_TEST_REQUIRE_SERVICES") == "1"


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=0.5):
            return True
    except OSError:
        return False


def _unavailable(what: str, url: str, detail: str) -> None:
    message = f"{what} at {url} is not usable ({detail})"
    if REQUIRED:
        pytest.fail(f"{message}; CDS_TEST_REQUIRE_SERVICES=1 (make test) needs it", pytrace=False)
    pytest.skip(f"{message}: start it, or set CDS_TEST_{what.upper()}_URL (make test starts both)")


def postgres_admin_url() -> str:
    url = os.environ.get("CDS_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    if not reachable(url):
        _unavailable("PostgreSQL", url, "nothing answers")
    return url


def redis_server_url() -> str:
    url = os.environ.get("CDS_TEST_REDIS_URL") or DEFAULT_REDIS
    if not reachable(url):
        _unavailable("Redis", url, "nothing answers")
    return url


def servers_available() -> bool:
    """Whether the ordinary service tests run on PostgreSQL and Redis (else on SQLite)."""
    if REQUIRED:
        return True
    return all(reachable(os.environ.get(f"CDS_TEST_{name}_URL") or default)
               for name, default in (("POSTGRES", DEFAULT_POSTGRES), ("REDIS", DEFAULT_REDIS)))


class PostgresDatabase:
    """A database created for this test run (``cds_test_<random>``), dropped at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"cds_test_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as exc:  # reachable but not usable (auth, permissions)
            self.admin.dispose()
            _unavailable("PostgreSQL", admin_url, type(exc).__name__)
        self.url = make_url(admin_url).set(database=self.name).render_as_string(hide_password=False)

    def schema(self) -> Iterator[str]:
        """A schema with the service's tables for this test process; the URL selects it."""
        from cds.service.db import Database

        name = f"s_{uuid.uuid4().hex[:12]}"
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        url = f"{self.url}?options=-csearch_path%3D{name}"
        database = Database(url)
        database.create_all()
        database.dispose()
        try:
            yield url
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
            engine.dispose()

    def drop(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def emptied(url: str) -> str:
    """``url`` with every service table emptied: each test starts from nothing (far cheaper than a
    schema per test, whose tables cost about 0.3 s to create)."""
    from cds.service.db import Base

    engine = create_engine(url)
    with engine.begin() as conn:  # DELETE: a few rows each; TRUNCATE cost 0.2 s a test
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()
    return url


def redis_prefix(url: str) -> Iterator[str]:
    """A key prefix for one test; its keys are deleted afterwards (only those)."""
    import redis

    prefix = f"cds-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
