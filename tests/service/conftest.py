"""Fixtures of the service tests: signing keys generated here (ES384 and RS384), an app per test —
on PostgreSQL and Redis when the servers are there (always under ``make test``; see ``backends``),
else on a fresh SQLite file — the in-repo CDS client, and the FHIR server double on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import (
    PostgresDatabase,
    emptied,
    postgres_admin_url,
    redis_prefix,
    redis_server_url,
    servers_available,
)
from cds_client import CdsClient, Signer, new_key
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir_double import FhirDouble, shared_double
from service_helpers import AS_OF, BASE, TEST_ISS, make_settings

from cds.service.app import create_app
from cds.service.settings import Settings
from cds.synthetic.builder import PatientBuilder
from cds.synthetic.examples import EXAMPLES


@pytest.fixture(scope="session")
def es_key() -> Any:
    return new_key("ES384")


@pytest.fixture(scope="session")
def rs_key() -> Any:
    return new_key("RS384")


@pytest.fixture
def signer(es_key: Any) -> Signer:
    return Signer(iss=TEST_ISS, key=es_key, kid="test-es384", alg="ES384")


@pytest.fixture
def rs_signer(rs_key: Any) -> Signer:
    return Signer(iss=TEST_ISS, key=rs_key, kid="test-rs384", alg="RS384")


@pytest.fixture
def jwks_file(tmp_path: Path, signer: Signer, rs_signer: Signer) -> Path:
    path = tmp_path / "test-jwks.json"
    path.write_text(json.dumps({"keys": [signer.jwk(), rs_signer.jwk()]}), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[PostgresDatabase]:
    """This test run's PostgreSQL database (skips, or fails under make test, without a server)."""
    database = PostgresDatabase(postgres_admin_url())
    yield database
    database.drop()


@pytest.fixture(scope="session")
def pg_schema(pg_database: PostgresDatabase) -> Iterator[str]:
    yield from pg_database.schema()


@pytest.fixture
def pg_url(pg_schema: str) -> str:
    """A PostgreSQL URL of this test process's schema, its tables emptied for this test."""
    return emptied(pg_schema)


@pytest.fixture
def redis_url() -> str:
    return redis_server_url()


@pytest.fixture
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    yield from redis_prefix(redis_url)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Where the ordinary service tests keep their data: PostgreSQL and Redis when the servers are
    there (always under make test), else a SQLite file in the test's folder."""
    if not servers_available():
        return {}
    return {"database_url": request.getfixturevalue("pg_url"), "redis_url": request.getfixturevalue("redis_url"),
            "redis_key_prefix": request.getfixturevalue("redis_key_prefix")}


@pytest.fixture
def settings(tmp_path: Path, jwks_file: Path, backend: dict[str, Any]) -> Settings:
    return make_settings(tmp_path, jwks_file, **backend)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(http: TestClient, signer: Signer) -> CdsClient:
    return CdsClient(http, BASE, signer)


@pytest.fixture(scope="session")
def fhir_server() -> FhirDouble:
    return shared_double()


@pytest.fixture(scope="session")
def examples() -> dict[str, PatientBuilder]:
    """The 16 example patients (built as of 2026-11-20), by file name."""
    return {ex.file: ex.build(AS_OF) for ex in EXAMPLES}
