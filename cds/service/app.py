"""The FastAPI application: ``create_app(settings)``.

Endpoints: ``/`` (index with version and health), ``/healthz``, ``/rules`` (rule catalogue),
``GET /cds-services`` (discovery), ``POST /cds-services/{id}`` (hooks),
``POST /cds-services/{id}/feedback``, ``GET /reports/{evaluation_id}`` (full evaluation report).
Middleware, outermost first: CORS (configured origins only) → request size limit → error
barrier (every failure becomes an OperationOutcome; never a traceback).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from cds import __version__
from cds.service.audit import CallWriter, install_redaction
from cds.service.auth import Authenticator
from cds.service.db import Database
from cds.service.discovery import SERVICES, discovery_document
from cds.service.errors import (
    AuthError,
    BackendUnavailable,
    RequestTooLarge,
    ServiceError,
    error_response,
    service_error_response,
)
from cds.service.evaluator import Evaluator
from cds.service.feedback import parse_feedback, store_feedback
from cds.service.hooks import ServiceState, authenticate, handle_hook, read_json
from cds.service.outbound import OutboundPolicy
from cds.service.prefetch import FhirFetcher
from cds.service.replay import make_replay_cache
from cds.service.reports import LinkSigner, escape, page, render_catalogue_page, render_report
from cds.service.settings import Settings

log = logging.getLogger("cds.service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

AUTH_DISABLED_WARNING = (
    "\n" + "!" * 78 + "\n!!  AUTHENTICATION IS DISABLED (CDS_DEV_DISABLE_AUTH=1): any caller can use this service."
    "\n!!  Development only. Never expose it to a network with patient data.\n" + "!" * 78)


class ErrorBarrier:
    """Innermost middleware: an unexpected exception becomes a 500 OperationOutcome with an error id
    (the traceback goes to the log, never to the caller); a body over the limit becomes a 413."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except RequestTooLarge as exc:
            if not started:
                await service_error_response(exc)(scope, receive, send)
        except Exception:
            error_id = uuid.uuid4().hex[:12]
            log.exception("unexpected error %s on %s %s", error_id, scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(500, f"Internal error (error id {error_id})")
                await response(scope, receive, send)


class SizeLimit:
    """413 for a body over the limit: early from Content-Length, or while streaming (chunked)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await service_error_response(RequestTooLarge(self.limit))(scope, receive, send)
                return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise RequestTooLarge(self.limit)
            return message

        await self.app(scope, limited_receive, send)


def outbound_policies(settings: Settings) -> dict[str | None, OutboundPolicy]:
    """Each trusted issuer's allowed FHIR servers; ``None``: calls without authentication (dev)."""
    policies: dict[str | None, OutboundPolicy] = {
        iss: OutboundPolicy(issuer.fhir_servers, issuer.fhir_private_networks)
        for iss, issuer in settings.issuers.items()}
    if settings.dev_disable_auth:
        policies[None] = OutboundPolicy(settings.fhir_servers, settings.fhir_private_networks)
    return policies


def build_state(settings: Settings) -> ServiceState:
    db = Database(settings.database)
    db.create_all()
    replay = make_replay_cache(settings.redis_url, db, prefix=settings.redis_key_prefix,
                               timeout=settings.redis_timeout_seconds, retry_after=settings.retry_after_seconds)
    authenticator = None if settings.dev_disable_auth else Authenticator(settings, replay)
    secret = settings.report_link_secret or db.secret("report-link")
    return ServiceState(
        settings=settings, db=db, authenticator=authenticator, replay=replay,
        evaluator=Evaluator(settings.evaluation_cache_seconds, settings.as_of),
        fetcher=FhirFetcher(outbound_policies(settings), timeout=settings.fhir_timeout_seconds,
                            max_pages=settings.fhir_max_pages, max_parallel=settings.fhir_max_parallel),
        signer=LinkSigner(secret, settings.report_link_seconds),
        writer=CallWriter(db, retention_days=settings.retention_days),
    )


BACKEND_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, DisconnectionError,
                                               redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
"""A database or Redis that does not answer: 503 with Retry-After, never a 500."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    install_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.dev_disable_auth:
            log.warning(AUTH_DISABLED_WARNING)
        elif not settings.issuers:
            log.warning("no trusted issuers configured (CDS_TRUSTED_ISSUERS_FILE): every hook call will get 401")
        if not settings.public_base_url and settings.host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("CDS_PUBLIC_BASE_URL is not set: only tokens for %s are accepted; set it to the URL "
                        "clients call", ", ".join(settings.public_bases))
        state = build_state(settings)
        app.state.cds = state
        await run_in_threadpool(state.evaluator.warm_up)
        removed = await run_in_threadpool(state.db.purge, settings.retention_days)
        if removed:
            log.info("purged %d rows older than %d days", removed, settings.retention_days)
        try:
            yield
        finally:
            await state.fetcher.aclose()
            state.writer.close()
            state.db.dispose()

    app = FastAPI(title="Bone-mets RT decision support (CDS Hooks)", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(ErrorBarrier)
    app.add_middleware(SizeLimit, limit=settings.max_request_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
                       allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["Authorization", "Content-Type"],
                       max_age=600)

    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> Response:
        return service_error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, str(exc.detail))
        headers = dict(exc.headers or {})
        return error_response(exc.status_code, message, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> Response:
        return error_response(400, "Invalid request")

    async def _backend_error(request: Request, exc: Exception) -> Response:
        log.warning("backend unavailable on %s: %s", request.url.path, type(exc).__name__)
        return service_error_response(BackendUnavailable("database or Redis", settings.retry_after_seconds))

    for error in BACKEND_ERRORS:
        app.add_exception_handler(error, _backend_error)

    @app.exception_handler(RecursionError)
    async def _too_deep(_: Request, exc: RecursionError) -> Response:
        # only input nests deep enough for this (the body parser refuses more than 1024 levels)
        return error_response(400, "The request is nested too deeply")

    def state_of(request: Request) -> ServiceState:
        return request.app.state.cds  # type: ignore[no-any-return]

    def health_of(state: ServiceState) -> dict[str, str]:
        """Every backend an answer depends on: the database (evaluations, cards, audit) and the
        replay cache (Redis, or the replay database)."""
        try:
            with state.db.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            database = "ok"
        except Exception:
            database = "unavailable"
        try:
            state.replay.check()
            replay = "ok"
        except ServiceError:
            replay = "unavailable"
        return {"service": "ok", "database": database,
                ("redis" if settings.redis_url else "replay cache"): replay,
                "authentication": "disabled (development)" if state.authenticator is None else "ok"}

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        state = state_of(request)
        ruleset = state.evaluator.ruleset
        links = {"Discovery (CDS Hooks)": "cds-services", "Rule catalogue": "rules", "Health (JSON)": "healthz"}
        try:
            from cds.views.html import render_index

            return HTMLResponse(render_index(version=__version__, ruleset=ruleset, health=health_of(state),
                                             links=links))
        except ImportError:
            pass
        rows = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in health_of(state).items())
        services = "".join(f"<li><code>{escape(s.id)}</code> ({escape(s.hook)}): {escape(s.description)}</li>"
                           for s in SERVICES.values())
        body = (f"<h1>Bone-mets RT decision support</h1><p>CDS Hooks service version {escape(__version__)}, "
                f"ruleset {escape(ruleset.version)} (<code>{escape(ruleset.sha256[:12])}</code>).</p>"
                f"<ul>{rows}</ul><ul>{services}</ul>"
                + " · ".join(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in links.items()))
        return HTMLResponse(page("Bone-mets RT decision support", body))

    @app.get("/healthz")
    def healthz(request: Request) -> JSONResponse:
        state = state_of(request)
        ruleset = state.evaluator.ruleset
        health = health_of(state)
        backends = {k: v for k, v in health.items() if k not in ("service", "authentication")}
        healthy = all(v == "ok" for v in backends.values())
        headers = {} if healthy else {"Retry-After": str(settings.retry_after_seconds)}
        return JSONResponse({"status": "ok" if healthy else "degraded", "version": __version__,
                             "ruleset": {"version": ruleset.version, "sha256": ruleset.sha256},
                             **backends, "auth": state.authenticator is not None, "worker": os.getpid()},
                            status_code=200 if healthy else 503, headers=headers)

    @app.get("/rules", response_class=HTMLResponse)
    def rules() -> HTMLResponse:
        return HTMLResponse(render_catalogue_page(settings.bdd_exercised_file))

    @app.get("/cds-services")
    def discovery() -> JSONResponse:
        # Public on purpose: it lists no patient data, and clients must always reach it (req. 5).
        return JSONResponse(discovery_document())

    @app.post("/cds-services/{service_id}")
    async def hook(service_id: str, request: Request) -> Response:
        return await handle_hook(state_of(request), request, service_id)

    @app.post("/cds-services/{service_id}/feedback")
    async def feedback(service_id: str, request: Request) -> Response:
        state = state_of(request)
        if service_id not in SERVICES:
            raise ServiceError(404, f"No CDS service with id {service_id!r}")
        await authenticate(state, request)
        parsed = parse_feedback(await read_json(request))
        await run_in_threadpool(state.writer.flush)  # this worker's cards are in the database
        stored, duplicates = await run_in_threadpool(store_feedback, state.db, service_id, parsed)
        return JSONResponse({"received": len(parsed.feedback), "stored": stored, "duplicates": duplicates})

    @app.get("/reports/{evaluation_id}", response_class=HTMLResponse)
    async def report(evaluation_id: str, request: Request) -> Response:
        state = state_of(request)
        signed = state.signer.valid(evaluation_id, request.query_params.get("expires"),
                                    request.query_params.get("signature"))
        if not signed and state.authenticator is not None:
            if not request.headers.get("authorization"):
                raise AuthError("report without signature or token")
            await authenticate(state, request)
        await run_in_threadpool(state.writer.flush)
        body = await run_in_threadpool(state.db.evaluation, evaluation_id)
        if body is None:
            raise ServiceError(404, "No such evaluation (it may have passed the retention period)")
        html = await run_in_threadpool(render_report, body)
        return HTMLResponse(html, headers={"Cache-Control": "private, no-store",
                                           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                                      "img-src data:"})

    return app
