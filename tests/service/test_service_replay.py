"""The jti replay cache is shared by every worker: the database by default, Redis when configured."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from cds_client import CdsClient, Signer
from fastapi.testclient import TestClient
from fhir_double import free_port
from service_helpers import BASE, make_settings
from sqlalchemy import select

from cds.service.app import create_app
from cds.service.db import Database, SeenToken
from cds.service.errors import BackendUnavailable
from cds.service.replay import DatabaseReplayCache, RedisReplayCache, SqliteReplayCache


def test_database_cache_first_use_then_replay(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    db.create_all()
    cache = DatabaseReplayCache(db)
    assert cache.first_use("iss", "a", 60)
    assert not cache.first_use("iss", "a", 60)
    assert cache.first_use("other-iss", "a", 60)  # per issuer
    assert cache.first_use("iss", "b", 60)
    with db.session() as s:  # let the entry expire
        for row in s.execute(select(SeenToken)).scalars():
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert cache.first_use("iss", "b", 60)  # an expired id may come back
    assert not cache.first_use("iss", "b", 60)


def test_sqlite_file_cache_first_use_then_replay(tmp_path: Path) -> None:
    cache = SqliteReplayCache(tmp_path / "r-replay.sqlite3")
    assert cache.first_use("iss", "a", 60)
    assert not cache.first_use("iss", "a", 60)
    assert cache.first_use("other-iss", "a", 60)
    other_process = SqliteReplayCache(tmp_path / "r-replay.sqlite3")  # another worker, the same file
    assert not other_process.first_use("iss", "a", 60)
    cache.conn.execute("UPDATE cds_seen_jti SET expires_at = '2000-01-01 00:00:00.000000'")
    assert cache.first_use("iss", "a", 60)  # an expired id may come back
    assert not other_process.first_use("iss", "a", 60)
    db = Database(f"sqlite:///{tmp_path / 'r-replay.sqlite3'}")  # the same rows as SeenToken reads them
    with db.session() as s:
        rows = s.execute(select(SeenToken)).scalars().all()
        live = [row for row in rows if row.expires_at.replace(tzinfo=UTC) > datetime.now(UTC)]
        assert len(rows) == 2 and len(live) == 1  # (other-iss, a) still expired, (iss, a) renewed
    db.dispose()


def two_workers(tmp_path: Path, jwks_file: Path, **overrides: object) -> tuple[TestClient, TestClient]:
    """Two app instances on the same database: what `cds serve --workers 2` runs."""
    settings = make_settings(tmp_path, jwks_file, **overrides)
    return TestClient(create_app(settings), base_url=BASE), TestClient(create_app(settings), base_url=BASE)


def _replayed_across_workers(tmp_path: Path, jwks_file: Path, signer: Signer, **overrides: object) -> None:
    first, second = two_workers(tmp_path, jwks_file, **overrides)
    with first, second:
        token = signer.token(BASE + "/cds-services/bone-mets-rt/feedback")
        item = {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z"}
        headers = {"Authorization": f"Bearer {token}"}
        assert first.post("/cds-services/bone-mets-rt/feedback", json={"feedback": [item]},
                          headers=headers).status_code == 200
        assert second.post("/cds-services/bone-mets-rt/feedback", json={"feedback": [item]},
                           headers=headers).status_code == 401


def test_replay_is_refused_by_another_worker_sharing_the_database(tmp_path: Path, jwks_file: Path,
                                                                  signer: Signer) -> None:
    _replayed_across_workers(tmp_path, jwks_file, signer)


@pytest.mark.redis
def test_redis_cache(tmp_path: Path, jwks_file: Path, signer: Signer, redis_url: str, redis_key_prefix: str) -> None:
    cache = RedisReplayCache(redis_url, redis_key_prefix)
    jti = str(uuid.uuid4())
    assert cache.first_use("iss", jti, 60)
    assert not cache.first_use("iss", jti, 60)
    _replayed_across_workers(tmp_path, jwks_file, signer, redis_url=redis_url, redis_key_prefix=redis_key_prefix)
    client = redis.Redis.from_url(redis_url)
    assert list(client.scan_iter(match=f"{redis_key_prefix}jti:*"))  # the keys carry the configured prefix
    client.close()


@pytest.fixture
def dead_redis() -> Iterator[str]:
    """A Redis URL where nothing listens (a server that is down)."""
    yield f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A 'Redis' that accepts connections and never answers (a server that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.parametrize("which", ["dead_redis", "hung_redis"])
def test_redis_unavailable_is_503_with_retry_after(tmp_path: Path, jwks_file: Path, signer: Signer,
                                                   request: pytest.FixtureRequest, which: str) -> None:
    """Issue 11 item 6: Redis down gave 500s. Fail closed (no token is accepted without its replay
    check), but say so: 503 with Retry-After, and /healthz names the backend."""
    url = request.getfixturevalue(which)
    settings = make_settings(tmp_path, jwks_file, redis_url=url, redis_timeout_seconds=0.3, retry_after_seconds=7)
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE, signer)
        response = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", "p1"))
        assert response.status_code == 503 and response.headers["retry-after"] == "7"
        assert response.json()["resourceType"] == "OperationOutcome"
        feedback = client.feedback("bone-mets-rt", [{"card": "c", "outcome": "overridden"}])
        assert feedback.status_code == 503
        health = http.get("/healthz")
        assert health.status_code == 503 and health.headers["retry-after"] == "7"
        assert health.json()["redis"] == "unavailable" and health.json()["database"] == "ok"


def test_database_unavailable_is_503(client: CdsClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    state = client.http.app.state.cds  # type: ignore[attr-defined]

    def down(*args: object, **kwargs: object) -> object:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(state.replay, "first_use", down)
    monkeypatch.setattr(state.replay, "check", lambda: (_ for _ in ()).throw(BackendUnavailable("replay cache")))
    response = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", "p1"))
    assert response.status_code == 503 and "retry-after" in response.headers
    assert client.http.get("/healthz").status_code == 503


def test_client_fixture_tokens_are_single_use(client: CdsClient) -> None:
    assert client.discovery().status_code == 200
    assert len(set(client.sent_tokens)) == len(client.sent_tokens)
