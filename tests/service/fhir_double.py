"""A FHIR R4 server double served over real HTTP on loopback (uvicorn in a thread).

Modes are path prefixes, so one server covers every case:
``/ok/fhir`` normal, ``/paged/fhir`` two results per page with ``Bundle.link[next]``,
``/slow/fhir`` answers after ``slow_seconds``, ``/fail/fhir`` 500 with an OperationOutcome,
``/auth/fhir`` requires ``Authorization: Bearer good-token``, ``/leak/fhir`` pages to another host.
It also serves a JWKS at ``/jwks.json`` (for the ``jku`` tests). Every request is recorded.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

GOOD_TOKEN = "good-token"
PAGE_SIZE = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def outcome(message: str) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception",
                                                           "diagnostics": message}]}


@dataclass
class Seen:
    path: str
    query: str
    authorization: str | None


@dataclass
class FhirDouble:
    port: int = 0
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    seen: list[Seen] = field(default_factory=list)
    slow_seconds: float = 3.0
    _server: uvicorn.Server | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, mode: str = "ok") -> str:
        return f"{self.base}/{mode}/fhir"

    def load(self, patient_id: str, resources: list[dict[str, Any]]) -> None:
        self.resources[patient_id] = resources

    def _search(self, kind: str, patient: str) -> list[dict[str, Any]]:
        out = []
        for resource in self.resources.get(patient, []):
            if resource.get("resourceType") != kind:
                continue
            out.append(resource)
        return out

    async def handle(self, request: Request) -> JSONResponse:
        mode, rest = request.path_params["mode"], request.path_params["rest"]
        self.seen.append(Seen(request.url.path, request.url.query, request.headers.get("authorization")))
        if mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        if mode == "fail":
            return JSONResponse(outcome("database unavailable"), status_code=500)
        if mode == "auth" and request.headers.get("authorization") != f"Bearer {GOOD_TOKEN}":
            return JSONResponse(outcome("unauthorized"), status_code=401)
        parts = [p for p in rest.split("/") if p]
        if len(parts) == 2:  # read: Type/id
            kind, ident = parts
            for resources in self.resources.values():
                for resource in resources:
                    if resource.get("resourceType") == kind and resource.get("id") == ident:
                        return JSONResponse(resource)
            return JSONResponse(outcome(f"{kind}/{ident} not found"), status_code=404)
        kind = parts[0]
        patient = request.query_params.get("patient", "")
        matches = self._search(kind, patient)
        entries = [{"fullUrl": f"{self.url(mode)}/{r['resourceType']}/{r['id']}", "resource": r,
                    "search": {"mode": "match"}} for r in matches]
        bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(entries)}
        if mode in ("paged", "leak"):
            page = int(request.query_params.get("_page", "1"))
            start = (page - 1) * PAGE_SIZE
            bundle["entry"] = entries[start:start + PAGE_SIZE]
            if start + PAGE_SIZE < len(entries):
                host = "http://localhost.invalid" if mode == "leak" else self.base
                bundle["link"] = [{"relation": "self", "url": str(request.url)},
                                  {"relation": "next", "url": f"{host}/{mode}/fhir/{kind}?patient={patient}"
                                                              f"&_page={page + 1}"}]
        else:
            bundle["entry"] = entries
        if not bundle.get("entry"):
            bundle.pop("entry", None)
        return JSONResponse(bundle)

    async def jwks_endpoint(self, request: Request) -> JSONResponse:
        self.seen.append(Seen(request.url.path, request.url.query, None))
        return JSONResponse(self.jwks)

    def start(self) -> FhirDouble:
        self.port = free_port()
        app = Starlette(routes=[Route("/jwks.json", self.jwks_endpoint),
                                Route("/{mode}/fhir/{rest:path}", self.handle)])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        thread = threading.Thread(target=self._server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("FHIR double did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True


_shared: FhirDouble | None = None


def shared_double() -> FhirDouble:
    """The FHIR double of this test process (started on first use, stopped with the process)."""
    global _shared
    if _shared is None:
        _shared = FhirDouble().start()
    return _shared
