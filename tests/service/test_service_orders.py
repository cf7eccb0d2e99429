"""Order checks (order-select, order-sign): a draft RT ServiceRequest against the evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from cds_client import CdsClient
from service_helpers import example, full_prefetch

from cds.synthetic.builder import PatientBuilder


def check(client: CdsClient, builder: PatientBuilder, *orders: dict[str, Any], hook: str = "order-sign",
          selections: list[str] | None = None) -> list[dict[str, Any]]:
    context: dict[str, Any] = {"draftOrders": {"resourceType": "Bundle", "type": "collection",
                                               "entry": [{"resource": o} for o in orders]}}
    if hook == "order-select":
        context["selections"] = selections if selections is not None else [f"ServiceRequest/{o['id']}" for o in orders]
    body = CdsClient.hook_body(hook, builder.patient_id, prefetch=full_prefetch(builder), **context)
    service = "bone-mets-rt-order-sign" if hook == "order-sign" else "bone-mets-rt-order-select"
    response = client.call(service, body)
    assert response.status_code == 200, response.text
    return response.json()["cards"]  # type: ignore[no-any-return]


def findings(card: dict[str, Any]) -> str:
    return card["detail"]


def test_sbrt_at_unstable_spine_is_critical(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    ex03 = example(examples, "03-")
    (card,) = check(client, ex03, ex03.draft_service_request("L1", dose_gy=24, fractions=2, technique="sbrt"))
    assert card["indicator"] == "critical"
    assert "SINS is 14" in card["summary"]


def test_sbrt_at_high_grade_escc_or_mescc_is_critical(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    ex14 = example(examples, "14-")
    (card,) = check(client, ex14, ex14.draft_service_request("T9", dose_gy=24, fractions=2, technique="sbrt"))
    assert card["indicator"] == "critical" and "Bilsky 2" in card["summary"]
    ex01 = example(examples, "01-")
    (card,) = check(client, ex01, ex01.draft_service_request("T8", dose_gy=35, fractions=5, technique="sib-imrt",
                                                             elective_dose_gy=20))
    assert card["indicator"] == "critical" and "cord compression" in card["summary"]


def test_sib_imrt_at_previously_irradiated_site_is_critical(client: CdsClient,
                                                           examples: dict[str, PatientBuilder]) -> None:
    ex06 = example(examples, "06-")
    (card,) = check(client, ex06, ex06.draft_service_request("T8", dose_gy=35, fractions=5, technique="sib-imrt",
                                                             elective_dose_gy=20))
    assert card["indicator"] == "critical" and "irradiated before" in card["summary"]


def test_single_16_gy_spine_sbrt_warns_rtog_0631(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    ex09 = example(examples, "09-")
    (card,) = check(client, ex09, ex09.draft_service_request("L2", dose_gy=16, fractions=1, technique="sbrt"))
    assert card["indicator"] == "warning"
    assert "RTOG 0631" in card["summary"]
    assert "not among the recommended" in card["detail"]


def test_single_fraction_for_mescc_with_long_survival_warns(client: CdsClient,
                                                            examples: dict[str, PatientBuilder]) -> None:
    ex13 = example(examples, "13-")  # myeloma MESCC at T9, expected survival 24 months
    (card,) = check(client, ex13, ex13.draft_service_request("T9", dose_gy=8, fractions=1))
    assert card["indicator"] == "warning" and "SCORAD" in card["summary"]


def test_matching_order_gives_no_card(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    ex04 = example(examples, "04-")
    assert check(client, ex04, ex04.draft_service_request("T6", dose_gy=8, fractions=1)) == []
    assert check(client, ex04, ex04.draft_service_request("T6", dose_gy=20, fractions=5)) == []


def test_unrecommended_regimen_warns_and_offers_updates__req_132(client: CdsClient,
                                                                examples: dict[str, PatientBuilder]) -> None:
    ex04 = example(examples, "04-")
    draft = ex04.draft_service_request("T6", dose_gy=36, fractions=12, id="draft-30")
    (card,) = check(client, ex04, draft)
    assert card["indicator"] == "warning" and "not among the recommended" in card["summary"]
    assert card["selectionBehavior"] == "at-most-one"
    first = card["suggestions"][0]
    assert first["isRecommended"] is True and "8 Gy in 1 fraction" in first["label"]
    action = first["actions"][0]
    assert action["type"] == "update"
    updated = action["resource"]
    # the whole draft, same identity, subject and site, with the new regimen
    assert updated["id"] == "draft-30" and updated["subject"] == draft["subject"]
    assert updated["bodySite"] == draft["bodySite"] and updated["status"] == "draft"
    assert updated["note"] == [{"text": "8 Gy in 1 fraction"}]


def test_order_at_no_known_lesion_warns(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    ex04 = example(examples, "04-")
    (card,) = check(client, ex04, ex04.draft_service_request("L4", dose_gy=8, fractions=1))
    assert card["indicator"] == "warning" and "matches no documented bone metastasis" in card["summary"]


def test_order_select_focuses_on_selections(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    ex04 = example(examples, "04-")
    good = ex04.draft_service_request("T6", dose_gy=8, fractions=1, id="good")
    bad = ex04.draft_service_request("T6", dose_gy=36, fractions=12, id="bad")
    assert check(client, ex04, good, bad, hook="order-select", selections=["ServiceRequest/good"]) == []
    (card,) = check(client, ex04, good, bad, hook="order-select", selections=["ServiceRequest/bad"])
    assert "ServiceRequest/bad" in card["detail"]
    assert len(check(client, ex04, good, bad, bad | {"id": "bad2"}, hook="order-sign")) == 2


@pytest.mark.parametrize("resource", [
    {"resourceType": "MedicationRequest", "id": "m1", "status": "draft", "intent": "order",
     "subject": {"reference": "Patient/p"}},
    {"resourceType": "ServiceRequest", "id": "sr1", "status": "draft", "intent": "plan", "code": {"coding": [{}]},
     "subject": {"reference": "Patient/p"}, "reasonCode": []},
])
def test_non_radiotherapy_orders_get_no_cards_without_fetching(client: CdsClient, resource: dict[str, Any]) -> None:
    body = CdsClient.hook_body("order-sign", "p", fhir_server="http://127.0.0.1:9/unreachable",
                               draftOrders={"resourceType": "Bundle", "entry": [{"resource": resource}]})
    response = client.call("bone-mets-rt-order-sign", body)
    assert response.status_code == 200 and response.json() == {"cards": []}
