"""Hook calls: validate, authenticate, complete the prefetch, evaluate, answer with cards.

The handler is async (reading the body, fetching FHIR data in parallel); the CPU-bound part —
mapping, rules, cards — runs in the thread pool, where the rules engine takes its process-wide
lock. The evaluation, cards and audit row are written after the answer is sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from cds.service.audit import CallRecord, CallWriter
from cds.service.auth import Authenticator, ClientIdentity
from cds.service.cards import REPORT_PLACEHOLDER, BuiltCard, CardSettings, fresh_copy, patient_view_cards
from cds.service.db import Database
from cds.service.discovery import SERVICES, ServiceDefinition
from cds.service.errors import AuthError, BackendUnavailable, PreconditionFailed, ServiceError
from cds.service.evaluator import EvaluationResult, Evaluator
from cds.service.json_input import JsonInputError, parse_json
from cds.service.orders import draft_resources, order_cards
from cds.service.prefetch import TEMPLATES, FhirFetcher, TemplateError, render_template, triage
from cds.service.replay import ReplayCache
from cds.service.reports import LinkSigner
from cds.service.settings import Settings
from fhir_mappings.orders import DraftRadiotherapyOrder, parse_draft_orders

log = logging.getLogger("cds.service.hooks")


FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
"""FHIR's id syntax: ``context.patientId`` is a Patient.id (and goes into the prefetch queries)."""


class FhirAuthorization(BaseModel):
    model_config = ConfigDict(extra="allow")
    access_token: str = Field(min_length=1, max_length=8192)
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None


class HookRequest(BaseModel):
    """Lengths are those of the audit columns: a value that could not be stored is refused here."""

    model_config = ConfigDict(extra="allow")
    hook: str = Field(min_length=1, max_length=50)
    hookInstance: str = Field(min_length=1, max_length=100)
    context: dict[str, Any]
    fhirServer: str | None = Field(default=None, max_length=2000)
    fhirAuthorization: FhirAuthorization | None = None
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _checks(self) -> HookRequest:
        if self.fhirAuthorization is not None and not self.fhirServer:
            raise ValueError("fhirAuthorization needs fhirServer")
        if self.fhirServer and not self.fhirServer.startswith(("http://", "https://")):
            raise ValueError("fhirServer must be an http(s) URL")
        patient = self.context.get("patientId")
        if not isinstance(patient, str) or not patient.strip():
            raise ValueError("context.patientId is required")
        if not FHIR_ID.fullmatch(patient):
            raise ValueError("context.patientId must be a FHIR id (letters, digits, '-' and '.', at most 64)")
        user = self.context.get("userId")
        if user is not None and (not isinstance(user, str) or not 0 < len(user) <= 200):
            raise ValueError("context.userId must be a reference of at most 200 characters")
        return self

    def __repr__(self) -> str:  # never print the access token
        return f"HookRequest(hook={self.hook!r}, hookInstance={self.hookInstance!r})"


@dataclass
class ServiceState:
    settings: Settings
    db: Database
    authenticator: Authenticator | None
    replay: ReplayCache
    evaluator: Evaluator
    fetcher: FhirFetcher
    signer: LinkSigner
    writer: CallWriter


def base_url(settings: Settings, identity: ClientIdentity | None) -> str:
    """The base of the links in the answer: the configured URL the caller's verified token named,
    else the first configured one. Never the request's Host or forwarded headers."""
    if identity is not None and identity.base_url:
        return identity.base_url
    return settings.public_bases[0]


async def read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise ServiceError(400, "The request body is empty; a JSON object is required")
    try:
        return parse_json(raw)
    except JsonInputError as exc:
        raise ServiceError(400, f"The request body is not acceptable JSON: {exc}") from None


async def authenticate(state: ServiceState, request: Request, call: CallRecord | None = None) -> ClientIdentity | None:
    if state.authenticator is None:
        return None
    try:
        identity = await run_in_threadpool(state.authenticator.authenticate, request.headers.get("authorization"),
                                           request.url.path, state.settings.public_bases)
    except AuthError as exc:
        log.warning("401 on %s: %s", request.url.path, exc.reason)
        raise
    if call is not None:
        call.issuer, call.tenant, call.jti = identity.issuer, identity.tenant, identity.jti
    return identity


def parse_hook_request(body: Any, service: ServiceDefinition) -> HookRequest:
    if not isinstance(body, dict):
        raise ServiceError(400, "The request body must be a JSON object")
    try:
        req = HookRequest.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "request"
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise ServiceError(400, f"Invalid hook request: {where}: {msg}") from None
    if req.hook != service.hook:
        raise ServiceError(400, f"Service {service.id} answers the {service.hook} hook, not {req.hook}")
    if service.kind == "order-check":
        draft = req.context.get("draftOrders")
        if not isinstance(draft, dict) or draft.get("resourceType") != "Bundle":
            raise ServiceError(400, "Invalid hook request: context.draftOrders must be a Bundle")
        if req.hook == "order-select":
            selections = req.context.get("selections")
            if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
                raise ServiceError(400, "Invalid hook request: context.selections must be a list of references")
    return req


async def complete_prefetch(state: ServiceState, req: HookRequest, call: CallRecord,
                            identity: ClientIdentity | None) -> dict[str, Any]:
    patient_id = req.context["patientId"]
    usable, missing, ignored = triage(req.prefetch, patient_id)
    if ignored:
        call.outcome = f"ignored prefetch: {', '.join(ignored)}"
    if not missing:
        return usable
    if not req.fhirServer:
        unusable = (f"; unusable (an OperationOutcome or another patient's data): {', '.join(ignored)}"
                    if ignored else "")
        raise PreconditionFailed("Prefetch incomplete and no fhirServer to fetch from; missing: "
                                 + ", ".join(k for k in missing if k not in ignored) + unusable)
    try:
        queries = {key: render_template(TEMPLATES[key], req.context) for key in missing}
    except TemplateError as exc:
        raise PreconditionFailed(str(exc)) from None
    token = req.fhirAuthorization.access_token if req.fhirAuthorization else None
    fetched = await state.fetcher.fetch(identity.issuer if identity else None, req.fhirServer, token, queries)
    call.fetched_keys = list(fetched)
    return {**usable, **fetched}


def _evaluate_and_build(state: ServiceState, service: ServiceDefinition, req: HookRequest,
                        prefetch: dict[str, Any], base: str,
                        orders: list[DraftRadiotherapyOrder]) -> tuple[EvaluationResult, list[BuiltCard]]:
    result = state.evaluator.evaluate(prefetch, req.context["patientId"], service_id=service.id)
    report_url = state.signer.url(base, result.id)
    version = result.evaluation.ruleset.version
    if service.kind != "patient-view":
        settings = CardSettings(base_url=base, report_url=report_url, ruleset_version=version)
        return result, order_cards(result.evaluation, orders, draft_resources(req.context["draftOrders"]), settings)
    # patient-view cards depend only on the evaluation: built once per evaluation, then copied
    # with fresh uuids and this call's signed report link.
    key = (result.id, base)
    with _templates_lock:
        template = _card_templates.get(key)
    if template is None:
        settings = CardSettings(base_url=base, report_url=REPORT_PLACEHOLDER, ruleset_version=version)
        template = patient_view_cards(result.evaluation, settings, result.body_sites)
        with _templates_lock:
            _card_templates[key] = template
            while len(_card_templates) > _TEMPLATES:
                _card_templates.popitem(last=False)
    return result, fresh_copy(template, report_url)


def _evaluate_build_and_remember(state: ServiceState, service: ServiceDefinition, req: HookRequest,
                                 prefetch: dict[str, Any], base: str, orders: list[DraftRadiotherapyOrder],
                                 call: CallRecord) -> list[BuiltCard]:
    """In the thread pool, rows for the database included (the evaluation as a dict: ~0.7 ms that
    would otherwise hold up every connection of the event loop)."""
    result, cards = _evaluate_and_build(state, service, req, prefetch, base, orders)
    _remember(call, result, cards, service, req, state.writer)
    return cards


_TEMPLATES = 256
_card_templates: OrderedDict[tuple[str, str], list[BuiltCard]] = OrderedDict()
_templates_lock = threading.Lock()


async def handle_hook(state: ServiceState, request: Request, service_id: str) -> JSONResponse:
    started = time.perf_counter()
    call = CallRecord(service_id=service_id)
    try:
        service = SERVICES.get(service_id)
        if service is None:
            raise ServiceError(404, f"No CDS service with id {service_id!r}")
        identity = await authenticate(state, request, call)
        req = parse_hook_request(await read_json(request), service)
        call.hook, call.hook_instance = req.hook, req.hookInstance
        call.user_id = req.context.get("userId")
        call.patient_id = req.context["patientId"]
        orders: list[DraftRadiotherapyOrder] = []
        if service.kind == "order-check":
            selections = req.context.get("selections") if req.hook == "order-select" else None
            orders = await run_in_threadpool(parse_draft_orders, req.context["draftOrders"], selections)
            if not orders:  # nothing radiotherapy to check: no data needed, no guidance
                call.outcome = "no radiotherapy order"
                return _answer([], call, started, state)
        prefetch = await complete_prefetch(state, req, call, identity)
        cards = await run_in_threadpool(_evaluate_build_and_remember, state, service, req, prefetch,
                                        base_url(state.settings, identity), orders, call)
        await _store_before_answering(state, call, cards, started)
        return _answer(cards, call, started, state, submitted=True)
    except ServiceError as exc:
        call.status, call.outcome = exc.status, exc.message[:300]
        call.latency_ms = (time.perf_counter() - started) * 1000
        call.evaluation_row, call.card_rows = None, []
        if call.status != 404:
            state.writer.submit(call)
        raise


async def _store_before_answering(state: ServiceState, call: CallRecord, cards: list[BuiltCard],
                                  started: float) -> None:
    """Cards link to their stored evaluation: a new evaluation is committed (batched with other
    calls by the writer thread) before the answer goes, so no 200 carries a link that does not open.
    Storing failed or took too long: 503 (the clinician's EHR may retry), never a dead link."""
    call.card_count = len(cards)
    call.latency_ms = (time.perf_counter() - started) * 1000  # the audit row's latency: until stored
    confirm = call.evaluation_row is not None and bool(cards)
    future = state.writer.submit(call, confirm=confirm)
    if future is None:
        return
    try:
        stored = await asyncio.wait_for(asyncio.wrap_future(future), state.settings.store_timeout_seconds)
    except TimeoutError:
        stored = False
    if not stored:
        log.error("hook instance %s: the evaluation could not be stored; answering 503", call.hook_instance)
        raise BackendUnavailable("database", state.settings.retry_after_seconds)


def _remember(call: CallRecord, result: EvaluationResult, cards: list[BuiltCard], service: ServiceDefinition,
              req: HookRequest, writer: CallWriter) -> None:
    evaluation = result.evaluation
    call.ruleset_version, call.ruleset_sha256 = evaluation.ruleset.version, evaluation.ruleset.sha256
    call.evaluation_id = result.id
    call.recommendation_codes = list(dict.fromkeys(r.code for r in evaluation.recommendations))
    if not writer.is_stored(result.id):  # a re-used evaluation is stored once (confirmed by the writer)
        call.evaluation_row = {"id": result.id, "patient_id": evaluation.patient.id,
                               "ruleset_version": evaluation.ruleset.version,
                               "ruleset_sha256": evaluation.ruleset.sha256, "body": evaluation.to_dict()}
    call.card_rows = [{
        "uuid": c.card["uuid"], "evaluation_id": result.id, "service_id": service.id,
        "hook_instance": req.hookInstance, "patient_id": evaluation.patient.id, "lesion": c.lesion,
        "indicator": c.card["indicator"], "summary": c.card["summary"], "rule_ids": c.rule_ids,
        "recommendation_codes": c.codes, "suggestions": c.suggestions,
    } for c in cards]


def _answer(cards: list[BuiltCard], call: CallRecord, started: float, state: ServiceState, *,
            submitted: bool = False) -> JSONResponse:
    if not submitted:  # the audit row is written by the writer thread: nobody waits for it
        call.card_count = len(cards)
        call.latency_ms = (time.perf_counter() - started) * 1000
        state.writer.submit(call)
    return FastJSONResponse({"cards": [c.card for c in cards]})


class FastJSONResponse(JSONResponse):
    """JSON rendered by orjson (about 15 times faster than the standard encoder for cards)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
