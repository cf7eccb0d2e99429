"""The full evaluation report behind each card's link: signed expiring link, or the caller's JWT."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from cds_client import CdsClient
from service_helpers import BASE, example, full_prefetch

from cds.output import Evaluation
from cds.service.reports import LinkSigner, minimal_report
from cds.synthetic.builder import PatientBuilder


def report_link(client: CdsClient, builder: PatientBuilder) -> str:
    response = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", builder.patient_id,
                                                               prefetch=full_prefetch(builder)))
    card = response.json()["cards"][0]
    (link,) = card["links"]
    assert link["type"] == "absolute" and link["label"] == "Full evaluation report"
    return link["url"]  # type: ignore[no-any-return]


def test_signed_link_opens_the_report(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    builder = example(examples, "01-")
    url = report_link(client, builder)
    assert url.startswith(f"{BASE}/reports/")
    page = client.http.get(url)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert builder.patient_id in page.text and "T8" in page.text
    assert page.headers["cache-control"] == "private, no-store"


def test_tampered_or_unsigned_link_needs_a_token(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    url = report_link(client, example(examples, "04-"))
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    bad_signature = f"{parts.path}?expires={query['expires'][0]}&signature={'0' * 64}"
    later = f"{parts.path}?expires={int(query['expires'][0]) + 10}&signature={query['signature'][0]}"
    for path in (parts.path, bad_signature, later):
        response = client.http.get(path)
        assert response.status_code == 401 and response.json()["resourceType"] == "OperationOutcome"
    # the same page with the caller's JWT (aud = the report URL)
    token = client.signer.token(BASE + parts.path)  # type: ignore[union-attr]
    assert client.http.get(parts.path, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_unknown_report_is_404(client: CdsClient) -> None:
    signer: LinkSigner = client.http.app.state.cds.signer  # type: ignore[attr-defined]
    url = signer.url(BASE, "no-such-evaluation")
    assert client.http.get(url).status_code == 404


def test_link_signer_expiry() -> None:
    signer = LinkSigner("k", 60)
    url = signer.url("https://x", "abc", now=time.time() - 120)
    query = parse_qs(urlsplit(url).query)
    assert not signer.valid("abc", query["expires"][0], query["signature"][0])
    fresh = parse_qs(urlsplit(signer.url("https://x", "abc")).query)
    assert signer.valid("abc", fresh["expires"][0], fresh["signature"][0])
    assert not signer.valid("abd", fresh["expires"][0], fresh["signature"][0])


def test_minimal_report_escapes_everything() -> None:
    evaluation = Evaluation.model_validate({
        "patient": {"id": "<script>alert(1)</script>"}, "evaluated_at": "2026-11-20T00:00:00Z",
        "ruleset": {"version": "v", "sha256": "0" * 64}, "state": {}, "lesions": [], "recommendations": [],
        "data_gaps": [], "warnings": [{"message": "<img src=x onerror=alert(1)>"}]})
    html = minimal_report(evaluation)
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
