"""Outbound FHIR calls (issue 11 item 3, SSRF): only to the FHIR servers allowed for the calling
client, only to public addresses unless a network is allowed explicitly, the address checked is
the address connected to, one generic 412, and the access token never sent anywhere else."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from pathlib import Path
from typing import Any

import httpcore
import pytest
from cds_client import CdsClient, Signer
from fastapi.testclient import TestClient
from fhir_double import GOOD_TOKEN, FhirDouble
from service_helpers import BASE, TEST_ISS, client_issuer, example, full_prefetch, make_settings

from cds.service.app import create_app
from cds.service.outbound import GuardedBackend, OutboundPolicy, is_public
from cds.service.prefetch import FETCH_FAILED, FhirFetcher
from cds.synthetic.builder import PatientBuilder


@pytest.fixture
def ex05(examples: dict[str, PatientBuilder], fhir_server: FhirDouble) -> PatientBuilder:
    builder = example(examples, "05-")
    fhir_server.load(builder.patient_id, builder.resources())
    return builder


def hook(builder: PatientBuilder, server: str) -> dict[str, Any]:
    patient = {"patient": full_prefetch(builder)["patient"]}
    return CdsClient.hook_body("patient-view", builder.patient_id, prefetch=patient, fhir_server=server,
                               access_token=GOOD_TOKEN)


def app_with(tmp_path: Path, jwks_file: Path, **issuer: Any) -> TestClient:
    settings = make_settings(tmp_path, jwks_file, trusted_issuers=[client_issuer(jwks_file, **issuer)])
    return TestClient(create_app(settings), base_url=BASE)


@pytest.mark.parametrize("server", [
    "http://169.254.169.254/latest/meta-data",  # cloud metadata
    "http://10.0.0.7:8080/fhir", "http://[::1]:5432/", "http://localhost.example.org/fhir",
])
def test_a_server_not_allowed_for_the_client_is_412_and_gets_nothing(client: CdsClient, ex05: PatientBuilder,
                                                                      server: str) -> None:
    response = client.call("bone-mets-rt", hook(ex05, server))
    assert response.status_code == 412
    assert "not a FHIR server this client is allowed to use" in response.json()["issue"][0]["diagnostics"]


def test_allowed_servers_are_per_issuer_and_nothing_is_sent_elsewhere(
        tmp_path: Path, jwks_file: Path, signer: Signer, ex05: PatientBuilder, fhir_server: FhirDouble) -> None:
    # the double is allowed under /ok only: /auth on the same host and port is another server
    with app_with(tmp_path, jwks_file, fhir_servers=(fhir_server.url("ok"),)) as http:
        before = len(fhir_server.seen)
        response = CdsClient(http, BASE, signer).call("bone-mets-rt", hook(ex05, fhir_server.url("auth")))
        assert response.status_code == 412
        assert len(fhir_server.seen) == before  # no request, so no token, went to the double
        escaped = fhir_server.url("ok") + "/../../auth/fhir"  # a path that leaves the allowed prefix
        assert CdsClient(http, BASE, signer).call("bone-mets-rt", hook(ex05, escaped)).status_code == 412
        assert len(fhir_server.seen) == before
        allowed = CdsClient(http, BASE, signer).call("bone-mets-rt", hook(ex05, fhir_server.url("ok")))
        assert allowed.status_code == 200


def test_loopback_is_refused_unless_its_network_is_allowed(tmp_path: Path, jwks_file: Path, signer: Signer,
                                                           ex05: PatientBuilder, fhir_server: FhirDouble,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    with app_with(tmp_path, jwks_file, fhir_private_networks=()) as http, caplog.at_level(logging.WARNING):
        before = len(fhir_server.seen)
        response = CdsClient(http, BASE, signer).call("bone-mets-rt", hook(ex05, fhir_server.url("auth")))
    assert response.status_code == 412
    assert response.json()["issue"][0]["diagnostics"] == FETCH_FAILED  # the same text as any failure
    assert "non-public address" in caplog.text and GOOD_TOKEN not in caplog.text
    assert len(fhir_server.seen) == before  # refused before connecting: the token never left


@pytest.mark.parametrize(("address", "public"), [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:10.0.0.1", False), ("::ffff:127.0.0.1", False),
    ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
    ("8.8.8.8", True), ("93.184.216.34", True), ("2001:4860:4860::8888", True), ("::ffff:8.8.8.8", True),
])
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_allowed_server_prefixes() -> None:
    policy = OutboundPolicy(["https://fhir.example.org/r4", "http://10.0.0.5:8080/"], ["10.0.0.0/24"])
    assert policy.allows_url("https://fhir.example.org/r4/Patient/1")
    assert policy.allows_url("https://FHIR.example.org:443/r4/Condition?patient=1")
    for url in ("https://fhir.example.org/r4x/Patient/1", "http://fhir.example.org/r4/Patient/1",
                "https://fhir.example.org:8443/r4/Patient/1", "https://user@fhir.example.org/r4/Patient/1",
                "https://fhir.example.org/r4/%2e%2e/admin", "https://fhir.example.org.evil.test/r4/x",
                "ftp://fhir.example.org/r4/x", "https://fhir.example.org:99999/r4/x"):
        assert not policy.allows_url(url), url
    assert policy.allows_url("http://10.0.0.5:8080/anything")
    assert policy.allows_address(ipaddress.ip_address("10.0.0.9"))
    assert not policy.allows_address(ipaddress.ip_address("10.0.1.9"))


class _Inner:
    def __init__(self) -> None:
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, **_: Any) -> Any:
        self.connected.append(host)
        return object()


def _connect(policy: OutboundPolicy, answers: list[str]) -> tuple[Any, list[str]]:
    async def resolver(host: str, port: int) -> list[str]:
        return answers

    backend = GuardedBackend(policy, resolver)
    inner = _Inner()
    backend.inner = inner  # type: ignore[assignment]

    async def run() -> Any:
        try:
            return await backend.connect_tcp("fhir.example.test", 443, timeout=1)
        except httpcore.ConnectError as exc:
            return exc

    return asyncio.run(run()), inner.connected


def test_every_resolved_address_is_checked_and_the_checked_one_is_connected_to() -> None:
    """DNS rebinding: a name that also resolves to a private address is refused outright; a name
    that passes is connected to by the address that was checked (no second lookup)."""
    public = OutboundPolicy(["https://fhir.example.test"])
    result, connected = _connect(public, ["93.184.216.34", "127.0.0.1"])
    assert isinstance(result, httpcore.ConnectError) and connected == []
    result, connected = _connect(public, ["169.254.169.254"])
    assert isinstance(result, httpcore.ConnectError) and connected == []
    result, connected = _connect(public, ["93.184.216.34"])
    assert not isinstance(result, Exception) and connected == ["93.184.216.34"]


def test_a_name_is_pinned_to_its_checked_address(ex05: PatientBuilder, fhir_server: FhirDouble) -> None:
    """The double answers for a made-up name that 'resolves' to 127.0.0.1 (allowed here): the fetch
    goes to that address, with the name in the URL."""
    port = fhir_server.port
    name = "fhir.pinned.test"

    async def resolver(host: str, _: int) -> list[str]:
        assert host == name
        return ["127.0.0.1"]

    policy = OutboundPolicy([f"http://{name}:{port}"], ["127.0.0.1/32"])
    fetcher = FhirFetcher({TEST_ISS: policy}, timeout=10, max_pages=5, max_parallel=4, resolver=resolver)

    async def run() -> dict[str, Any]:
        try:
            return await fetcher.fetch(TEST_ISS, f"http://{name}:{port}/ok/fhir", GOOD_TOKEN,
                                       {"conditions": f"Condition?patient={ex05.patient_id}"})
        finally:
            await fetcher.aclose()

    fetched = asyncio.run(run())
    assert fetched["conditions"]["total"] >= 1
