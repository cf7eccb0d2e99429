"""Shared helpers and constants of the service tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fhir_double import shared_double

from cds.service.prefetch import prefetch_from_resources
from cds.service.settings import Settings, TrustedIssuer
from cds.synthetic.builder import PatientBuilder

AS_OF = date(2026, 11, 20)
AS_OF_DT = datetime(2026, 11, 20, tzinfo=UTC)
TEST_ISS = "https://ehr.test.example/cds-client"
BASE = "http://testserver"
# The in-repo copy of the shared CDS Hooks inputs (tests/data/shared), else ../shared next to the repo.
_IN_REPO = Path(__file__).resolve().parents[1] / "data" / "shared" / "cds-hooks"
SHARED = _IN_REPO if _IN_REPO.is_dir() else Path(__file__).resolve().parents[3] / "shared" / "cds-hooks"
SANDBOX_ORIGIN = "https://sandbox.cds-hooks.org"


LOOPBACK = ("127.0.0.1/32",)
"""The FHIR double listens on loopback: the tests allow it explicitly, as a deployment would."""


def double_servers() -> tuple[str, ...]:
    return (shared_double().base,)


def client_issuer(jwks_file: Path | None = None, **fields: Any) -> TrustedIssuer:
    """The tests' CDS client, allowed to name the FHIR double as its fhirServer."""
    values: dict[str, Any] = {"iss": TEST_ISS, "jwks_file": jwks_file, "fhir_servers": double_servers(),
                              "fhir_private_networks": LOOPBACK}
    values.update(fields)
    return TrustedIssuer(**values)


def make_settings(tmp_path: Path, jwks_file: Path | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "public_base_url": BASE,
        "as_of": AS_OF_DT,
        "evaluation_cache_seconds": 0,
        "fhir_timeout_seconds": 10.0,  # generous: only the slow-server test wants a timeout
        "trusted_issuers": [client_issuer(jwks_file)] if jwks_file else [],
        "fhir_servers": double_servers(), "fhir_private_networks": LOOPBACK,  # without auth (dev switch)
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def full_prefetch(builder: PatientBuilder) -> dict[str, Any]:
    return prefetch_from_resources(builder.resources(), builder.patient_id)


def example(examples: dict[str, PatientBuilder], prefix: str) -> PatientBuilder:
    return next(b for name, b in examples.items() if name.startswith(prefix))


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) in a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from walk(item, f"{path}[{n}]")


def assert_no_empty(document: Any) -> None:
    """Requirement 3: no null, no empty string, array or object (except the top-level cards)."""
    for path, value in walk(document):
        if path == ".cards":
            continue
        assert value is not None and value != "" and value != [] and value != {}, f"empty value at {path}"


def sandbox_requests() -> list[dict[str, Any]]:
    path = SHARED / "sandbox-requests.jsonl"
    if not path.is_file():
        import pytest

        pytest.skip(f"{path} not found (shared/ lives beside the repository)", allow_module_level=True)
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
