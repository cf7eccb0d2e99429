"""The jti replay cache is shared by every worker: the database by default, Redis when configured."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cds_client import CdsClient, Signer
from fastapi.testclient import TestClient
from service_helpers import BASE, make_settings, reachable
from sqlalchemy import select

from cds.service.app import create_app
from cds.service.db import Database, SeenToken
from cds.service.replay import DatabaseReplayCache, RedisReplayCache

REDIS_URL = "redis://127.0.0.1:6379/15"


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
@pytest.mark.skipif(not reachable("127.0.0.1", 6379), reason="no Redis server on 127.0.0.1:6379")
def test_redis_cache(tmp_path: Path, jwks_file: Path, signer: Signer) -> None:
    cache = RedisReplayCache(REDIS_URL)
    jti = str(uuid.uuid4())
    assert cache.first_use("iss", jti, 60)
    assert not cache.first_use("iss", jti, 60)
    _replayed_across_workers(tmp_path, jwks_file, signer, redis_url=REDIS_URL)


def test_client_fixture_tokens_are_single_use(client: CdsClient) -> None:
    assert client.discovery().status_code == 200
    assert len(set(client.sent_tokens)) == len(client.sent_tokens)
