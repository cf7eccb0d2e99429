"""Discovery: GET {base}/cds-services lists the services with their prefetch templates."""

from __future__ import annotations

import re

from cds_client import CdsClient

from cds.service.discovery import SERVICES
from cds.service.prefetch import TEMPLATES


def test_discovery_lists_every_service__req_4_5_6_7_8_9_10_11_12_13(client: CdsClient) -> None:
    response = client.discovery()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    services = response.json()["services"]
    assert isinstance(services, list)
    assert {(s["hook"], s["id"]) for s in services} == {
        ("patient-view", "bone-mets-rt"), ("order-select", "bone-mets-rt-order-select"),
        ("order-sign", "bone-mets-rt-order-sign")}
    for service in services:
        for name in ("hook", "id", "title", "description", "usageRequirements"):
            assert isinstance(service[name], str) and service[name]
        assert isinstance(service["prefetch"], dict)


def test_discovery_needs_no_token__req_5(client: CdsClient) -> None:
    anonymous = CdsClient(client.http, client.base_url, signer=None)
    assert anonymous.discovery().status_code == 200


def test_service_endpoint_is_base_plus_id__req_16(client: CdsClient) -> None:
    for service in client.discovery().json()["services"]:
        body = CdsClient.hook_body(service["hook"], "nobody", prefetch={"patient": None},
                                   draftOrders={"resourceType": "Bundle", "type": "collection"}, selections=[])
        response = client.call(service["id"], body)
        assert response.status_code != 404, service["id"]


def test_prefetch_templates_cover_what_the_mapper_reads__req_29_36_58() -> None:
    kinds = {t.split("?")[0].split("/")[0] for t in TEMPLATES.values()}
    assert {"Patient", "Condition", "Observation", "Procedure", "MedicationRequest", "ServiceRequest", "Encounter",
            "ImagingStudy", "DiagnosticReport"} <= kinds
    for key, template in TEMPLATES.items():
        assert re.fullmatch(r"[a-z]+", key)
        # only instance reads and patient= searches (the subset clients are asked to support)
        assert re.fullmatch(r"Patient/\{\{context\.patientId\}\}|[A-Za-z]+\?patient=\{\{context\.patientId\}\}",
                            template), template
    for service in SERVICES.values():
        assert service.discovery()["prefetch"] == TEMPLATES


def test_prefetch_tokens_are_context_fields_in_double_braces__req_35_55_56_57_59() -> None:
    for template in TEMPLATES.values():
        tokens = re.findall(r"\{\{(.*?)\}\}", template)
        assert tokens and all(t == "context.patientId" for t in tokens)
        assert template.count("{{") == template.count("}}") == len(tokens)
