"""Fixtures of the service tests: signing keys generated here (ES384 and RS384), an app per test
on a fresh SQLite file, the in-repo CDS client, and the FHIR server double on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cds_client import CdsClient, Signer, new_key
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhir_double import FhirDouble
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


@pytest.fixture
def settings(tmp_path: Path, jwks_file: Path) -> Settings:
    return make_settings(tmp_path, jwks_file)


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
def fhir_server() -> Iterator[FhirDouble]:
    server = FhirDouble().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def examples() -> dict[str, PatientBuilder]:
    """The 16 example patients (built as of 2026-11-20), by file name."""
    return {ex.file: ex.build(AS_OF) for ex in EXAMPLES}
