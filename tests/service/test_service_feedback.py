"""Feedback: persisted idempotently and linked to the card, its evaluation, rules and suggestion."""

from __future__ import annotations

from typing import Any

import pytest
from cds_client import CdsClient
from fastapi.testclient import TestClient
from service_helpers import example, full_prefetch
from sqlalchemy import select

from cds.service.cards import OVERRIDE_REASON_SYSTEM
from cds.service.db import CardRecord, Database, FeedbackRecord
from cds.service.feedback import feedback_summary
from cds.synthetic.builder import PatientBuilder


def db_of(http: TestClient) -> Database:
    return http.app.state.cds.db  # type: ignore[attr-defined,no-any-return]


def cards_for(client: CdsClient, builder: PatientBuilder) -> list[dict[str, Any]]:
    response = client.call("bone-mets-rt", CdsClient.hook_body("patient-view", builder.patient_id,
                                                               prefetch=full_prefetch(builder)))
    return response.json()["cards"]  # type: ignore[no-any-return]


def test_accepted_feedback_is_linked_to_card_rules_and_suggestion__req_148(
        client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    card = cards_for(client, example(examples, "04-"))[0]
    suggestion = next(s for s in card["suggestions"] if s["isRecommended"])
    item = {"card": card["uuid"], "outcome": "accepted", "acceptedSuggestions": [{"id": suggestion["uuid"]}],
            "outcomeTimestamp": "2026-11-20T10:00:00Z"}
    response = client.feedback("bone-mets-rt", [item])
    assert response.status_code == 200 and response.json() == {"received": 1, "stored": 1, "duplicates": 0}
    with db_of(client.http).session() as s:  # type: ignore[arg-type]
        row = s.execute(select(FeedbackRecord)).scalar_one()
        stored_card = s.get(CardRecord, card["uuid"])
        assert stored_card is not None and row.known_card
        assert row.evaluation_id == stored_card.evaluation_id
        assert row.suggestion_id == suggestion["uuid"]
        assert row.rule_ids == ["pain.single-fraction"]  # the rule behind the accepted suggestion


def test_repeated_feedback_is_stored_once(client: CdsClient, examples: dict[str, PatientBuilder]) -> None:
    card = cards_for(client, example(examples, "04-"))[0]
    item = {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z",
            "overrideReason": {"reason": {"system": OVERRIDE_REASON_SYSTEM, "code": "patient-preference"},
                               "userComment": "prefers one visit"}}
    assert client.feedback("bone-mets-rt", [item, item]).json() == {"received": 2, "stored": 1, "duplicates": 1}
    assert client.feedback("bone-mets-rt", [item]).json()["duplicates"] == 1
    later = item | {"outcomeTimestamp": "2026-11-21T10:00:00Z"}  # a new decision, later
    assert client.feedback("bone-mets-rt", [later]).json()["stored"] == 1
    with db_of(client.http).session() as s:  # type: ignore[arg-type]
        rows = s.execute(select(FeedbackRecord)).scalars().all()
        assert len(rows) == 2
        assert rows[0].override_display == "Patient preference"  # our display for our code
        assert rows[0].user_comment == "prefers one visit"


def test_unknown_card_is_stored_and_flagged(client: CdsClient) -> None:
    item = {"card": "not-one-of-ours", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00Z",
            "overrideReason": {"reason": {"system": "http://example.org/override", "code": "pt-declined"}}}
    assert client.feedback("bone-mets-rt", [item]).status_code == 200
    with db_of(client.http).session() as s:  # type: ignore[arg-type]
        row = s.execute(select(FeedbackRecord)).scalar_one()
        assert not row.known_card and row.override_code == "pt-declined" and row.override_display is None


def test_invalid_feedback_is_400(client: CdsClient) -> None:
    for items in ([{"card": "c", "outcome": "accepted"}],  # accepted needs acceptedSuggestions
                  [{"card": "c", "outcome": "maybe"}], [{"outcome": "overridden"}], []):
        response = client.feedback("bone-mets-rt", items)
        assert response.status_code == 400, items
        assert response.json()["resourceType"] == "OperationOutcome"
    assert client.feedback("no-such-service", [{"card": "c", "outcome": "overridden"}]).status_code == 404


def test_summary_per_rule_counts_each_cards_final_outcome_once(client: CdsClient,
                                                                 examples: dict[str, PatientBuilder]) -> None:
    """Issue 11 item 10: the Sandbox leaves a card on screen after its suggestion is accepted, so the
    clinician can then override it; the card's final outcome is counted, once."""
    first, second = cards_for(client, example(examples, "04-"))[0], cards_for(client, example(examples, "04-"))[0]
    accepted = {"card": first["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-20T10:00:00Z",
                "acceptedSuggestions": [{"id": next(s for s in first["suggestions"] if s["isRecommended"])["uuid"]}]}
    overridden = {"card": first["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-20T11:00:00+00:00",
                  "overrideReason": {"reason": {"system": OVERRIDE_REASON_SYSTEM, "code": "clinical-judgement"}}}
    # the override arrives first, the (earlier) acceptance later and again: the latest decision wins
    assert client.feedback("bone-mets-rt", [overridden, accepted, accepted]).json()["stored"] == 2
    client.feedback("bone-mets-rt", [{
        "card": second["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-11-20T09:00:00Z",
        "acceptedSuggestions": [{"id": next(s for s in second["suggestions"] if s["isRecommended"])["uuid"]}]}])
    rows = {r["rule"]: r for r in feedback_summary(db_of(client.http))}  # type: ignore[arg-type]
    single = rows["pain.single-fraction"]
    assert single["shown"] == 2 and single["accepted"] == 1 and single["overridden"] == 1
    assert single["accept_rate"] == 0.5
    assert single["override_reasons"] == [{"reason": "Clinical judgement differs from the recommendation",
                                           "count": 1}]


def test_outcome_timestamp_must_be_an_instant(client: CdsClient) -> None:
    item = {"card": "c", "outcome": "overridden", "outcomeTimestamp": "yesterday"}
    response = client.feedback("bone-mets-rt", [item])
    assert response.status_code == 400 and "outcomeTimestamp" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize(("item", "field"), [
    ({"card": "c" * 201, "outcome": "overridden"}, "card"),
    ({"card": "c\x00", "outcome": "overridden"}, "card"),
    ({"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:00:00." + "0" * 30 + "Z"},
     "outcomeTimestamp"),
    ({"card": "c", "outcome": "overridden", "overrideReason": {"reason": {"code": "x" * 101}}}, "code"),
    ({"card": "c", "outcome": "overridden", "overrideReason": {"reason": {"system": "s" * 301}}}, "system"),
    ({"card": "c", "outcome": "overridden", "overrideReason": {"reason": {"code": "a\x00"}}}, "code"),
    ({"card": "c", "outcome": "accepted", "acceptedSuggestions": [{"id": "s" * 201}]}, "id"),
    ({"card": "c", "outcome": "overridden", "overrideReason": {"userComment": "x" * 10_001}}, "userComment"),
])
def test_over_long_or_nul_feedback_is_400_not_500(client: CdsClient, item: dict[str, Any], field: str) -> None:
    """Issue 11 item 4: on PostgreSQL these were 500s (value too long for the column, or a NUL)."""
    response = client.feedback("bone-mets-rt", [item])
    assert response.status_code == 400, response.text
    assert field in response.json()["issue"][0]["diagnostics"]
