"""Feedback: what clinicians did with the cards (accepted a suggestion, or overrode with a reason).

Stored idempotently — the same (card, outcome, accepted suggestions / override reason, timestamp)
reported again is one row — and linked to the card's evaluation, rule ids and suggestion, so the
report can show accept and override rates per rule. Feedback about a card the service never sent
(or has purged) is stored anyway and flagged ``known_card = False``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cds.service.cards import OVERRIDE_REASON_SYSTEM, OVERRIDE_REASONS
from cds.service.db import CardRecord, Database, FeedbackRecord
from cds.service.errors import ServiceError


class Coding(BaseModel):
    """Lengths are those of the feedback columns: longer values are refused (400), not truncated."""

    model_config = ConfigDict(extra="allow")
    system: str | None = Field(default=None, max_length=300)
    code: str | None = Field(default=None, max_length=100)
    display: str | None = Field(default=None, max_length=300)


class OverrideReason(BaseModel):
    model_config = ConfigDict(extra="allow")
    reason: Coding | None = None
    userComment: str | None = Field(default=None, max_length=10_000)


class AcceptedSuggestion(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1, max_length=200)


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = Field(default=None, max_length=50)
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _accepted_needs_suggestions(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("an accepted outcome needs acceptedSuggestions")
        if self.outcomeTimestamp is not None and outcome_time(self.outcomeTimestamp) is None:
            raise ValueError("outcomeTimestamp must be an ISO 8601 instant with a time zone")
        return self


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


def outcome_time(text: str) -> datetime | None:
    """An outcomeTimestamp (FHIR instant) as an aware datetime; None if it is not one."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def parse_feedback(body: Any) -> FeedbackRequest:
    try:
        return FeedbackRequest.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ServiceError(400, f"Invalid feedback: {where}: {first.get('msg')}".replace(": :", ":")) from None


def dedupe_key(service_id: str, item: FeedbackItem) -> str:
    reason = item.overrideReason.reason if item.overrideReason else None
    identity = {
        "service": service_id, "card": item.card, "outcome": item.outcome,
        "accepted": sorted(s.id for s in item.acceptedSuggestions or []),
        "reason": [reason.system, reason.code] if reason else None,
        "comment": item.overrideReason.userComment if item.overrideReason else None,
        "at": item.outcomeTimestamp,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def store_feedback(db: Database, service_id: str, request: FeedbackRequest) -> tuple[int, int]:
    """(stored, duplicates)."""
    stored = duplicates = 0
    for item in request.feedback:
        key = dedupe_key(service_id, item)
        with db.session() as s:
            if s.execute(select(FeedbackRecord.id).where(FeedbackRecord.dedupe_key == key)).first():
                duplicates += 1
                continue
            card = s.get(CardRecord, item.card)
        accepted = [a.id for a in item.acceptedSuggestions or []]
        suggestion = next((a for a in accepted if card and a in card.suggestions), accepted[0] if accepted else None)
        rules: list[str] = list(card.rule_ids) if card else []
        if card and suggestion in card.suggestions:
            rules = list(card.suggestions[suggestion].get("rules") or rules)
        reason = item.overrideReason.reason if item.overrideReason else None
        display = None
        if reason is not None:
            display = (OVERRIDE_REASONS.get(reason.code or "") if reason.system == OVERRIDE_REASON_SYSTEM
                       else None) or reason.display
        row = FeedbackRecord(
            dedupe_key=key, service_id=service_id, card_uuid=item.card, known_card=card is not None,
            evaluation_id=card.evaluation_id if card else None, rule_ids=rules, outcome=item.outcome,
            accepted_suggestions=accepted, suggestion_id=suggestion,
            override_system=reason.system if reason else None, override_code=reason.code if reason else None,
            override_display=display,
            user_comment=item.overrideReason.userComment if item.overrideReason else None,
            outcome_timestamp=item.outcomeTimestamp,
        )
        try:
            with db.session() as s:
                s.add(row)
            stored += 1
        except IntegrityError:
            duplicates += 1  # the same feedback arrived concurrently at another worker
    return stored, duplicates


def final_outcomes(rows: Iterable[FeedbackRecord]) -> list[FeedbackRecord]:
    """The last outcome reported for each card. A client may report several (the Sandbox leaves a
    card on screen after a suggestion is accepted, so it can then be overridden too): the card's
    final outcome is the latest by outcomeTimestamp, then by arrival."""
    latest: dict[str, tuple[tuple[float, int], FeedbackRecord]] = {}
    for row in rows:
        at = outcome_time(row.outcome_timestamp) if row.outcome_timestamp else None
        order = (at.timestamp() if at else row.received_at.timestamp() if row.received_at else 0.0, row.id)
        if row.card_uuid not in latest or order > latest[row.card_uuid][0]:
            latest[row.card_uuid] = (order, row)
    return [row for _, row in latest.values()]


def feedback_summary(db: Database) -> list[dict[str, Any]]:
    """Per rule: cards shown, cards whose final outcome is accepted / overridden (each card counted
    once), accept rate, top override reasons of the overridden ones."""
    shown: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    overridden: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    with db.session() as s:
        for (rule_ids,) in s.execute(select(CardRecord.rule_ids)):
            for rule in rule_ids or []:
                shown[rule] += 1
        for row in final_outcomes(s.execute(select(FeedbackRecord)).scalars()):
            for rule in row.rule_ids or ["(unknown card)"]:
                if row.outcome == "accepted":
                    accepted[rule] += 1
                else:
                    overridden[rule] += 1
                    label = row.override_display or row.override_code or "(no reason given)"
                    reasons[rule][label] += 1
    out = []
    for rule in sorted(set(shown) | set(accepted) | set(overridden)):
        decided = accepted[rule] + overridden[rule]
        out.append({
            "rule": rule, "shown": shown[rule], "accepted": accepted[rule], "overridden": overridden[rule],
            "accept_rate": round(accepted[rule] / decided, 3) if decided else None,
            "override_reasons": [{"reason": r, "count": n} for r, n in reasons[rule].most_common(3)],
        })
    return out
