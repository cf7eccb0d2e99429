"""Prefetch: the templates the service registers, and how a call's data is completed.

Semantics (CDS Hooks 2.0 and the project checklist):
- key **absent** → the client did not fetch it: the service fetches it from ``fhirServer`` with the
  bearer token of ``fhirAuthorization`` (all keys in parallel, one time budget, following
  ``Bundle.link[next]`` on the same server only — the token never goes anywhere else);
- value **null** → the client says there is no data: nothing is fetched;
- value an **OperationOutcome** → the client's fetch failed: treated as absent;
- data of **another patient** than ``context.patientId`` → unusable: treated as absent;
- anything that is still missing → 412 Precondition Failed with an OperationOutcome.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
import orjson

from cds.service.errors import PreconditionFailed
from cds.service.outbound import OutboundPolicy, Resolver, guarded_client, resolve

log = logging.getLogger("cds.service.prefetch")

PATIENT = "{{context.patientId}}"

TEMPLATES: dict[str, str] = {
    "patient": f"Patient/{PATIENT}",
    "conditions": f"Condition?patient={PATIENT}",
    "observations": f"Observation?patient={PATIENT}",
    "procedures": f"Procedure?patient={PATIENT}",
    "bodystructures": f"BodyStructure?patient={PATIENT}",
    "medicationrequests": f"MedicationRequest?patient={PATIENT}",
    "medicationstatements": f"MedicationStatement?patient={PATIENT}",
    "servicerequests": f"ServiceRequest?patient={PATIENT}",
    "encounters": f"Encounter?patient={PATIENT}",
    "imagingstudies": f"ImagingStudy?patient={PATIENT}",
    "diagnosticreports": f"DiagnosticReport?patient={PATIENT}",
}
"""Everything the mapper reads, one query per resource type (only reads and ``patient=`` searches,
the subset clients are asked to support)."""

KEY_OF_TYPE: dict[str, str] = {t.split("?")[0].split("/")[0]: k for k, t in TEMPLATES.items()}

_TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
USER_TOKENS = {"Practitioner": "userPractitionerId", "PractitionerRole": "userPractitionerRoleId",
               "Patient": "userPatientId", "RelatedPerson": "userRelatedPersonId"}


class TemplateError(ValueError):
    pass


def token_values(context: Mapping[str, Any]) -> dict[str, str]:
    """Values of the prefetch tokens: ``context.X`` for root-level primitive fields, and the
    ``user…Id`` tokens derived from ``context.userId`` (``Practitioner/123`` → userPractitionerId)."""
    values: dict[str, str] = {}
    for name, value in context.items():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            values[f"context.{name}"] = str(value)
    user = context.get("userId")
    if isinstance(user, str) and "/" in user:
        kind, _, ident = user.partition("/")
        if kind in USER_TOKENS and ident:
            values[USER_TOKENS[kind]] = ident
    return values


def render_template(template: str, context: Mapping[str, Any]) -> str:
    """Replace every ``{{token}}``; a token without a value raises TemplateError."""
    values = token_values(context)

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise TemplateError(f"prefetch token {{{{{name}}}}} has no value in this context")
        return quote(values[name], safe="")  # a value is data, never more path or query

    return _TOKEN.sub(sub, template)


# --------------------------------------------------------------------------- request prefetch


def is_operation_outcome(value: Any) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def _patient_of(resource: Mapping[str, Any]) -> str | None:
    for name in ("subject", "patient"):
        ref = resource.get(name)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            parts = [p for p in ref["reference"].split("/") if p]
            if len(parts) >= 2 and parts[-2] == "Patient":
                return parts[-1]
    return None


def foreign_patient(value: Mapping[str, Any], patient_id: str) -> str | None:
    """The other patient's id if a prefetch value is about someone else than ``patient_id``."""
    if value.get("resourceType") == "Patient":
        other = value.get("id")
        return other if isinstance(other, str) and other != patient_id else None
    entries = value.get("entry") if value.get("resourceType") == "Bundle" else [{"resource": value}]
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        other = resource.get("id") if resource.get("resourceType") == "Patient" else _patient_of(resource)
        if other is not None and other != patient_id:
            return other
    return None


@dataclass
class PrefetchResult:
    data: dict[str, Any]
    """Key → resource, Bundle or None: ready for ``records_from_prefetch``."""
    fetched: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    """Keys whose prefetched value was unusable (OperationOutcome, another patient)."""


def triage(prefetch: Mapping[str, Any] | None, patient_id: str,
           templates: Mapping[str, str] = TEMPLATES) -> tuple[dict[str, Any], list[str], list[str]]:
    """(usable values, keys to fetch, ignored keys) for one call's prefetch."""
    usable: dict[str, Any] = {}
    missing: list[str] = []
    ignored: list[str] = []
    prefetch = prefetch or {}
    for key in templates:
        if key not in prefetch:
            missing.append(key)
            continue
        value = prefetch[key]
        if value is None:
            usable[key] = None  # the client found no data
            continue
        if not isinstance(value, dict) or is_operation_outcome(value):
            missing.append(key)
            ignored.append(key)
            continue
        other = foreign_patient(value, patient_id)
        if other is not None:
            log.warning("prefetch %r is about patient %s, not the context patient; ignored", key, other)
            missing.append(key)
            ignored.append(key)
            continue
        usable[key] = value
    return usable, missing, ignored


FETCH_FAILED = "The data the service needs could not be obtained from the FHIR server"
"""The one message of every failed fetch: which failure it was (refused address, closed port,
timeout, HTTP status) would let a caller probe the network; the reason goes to the log."""


class FhirFetcher:
    """Fetch absent prefetch keys from the client's FHIR server (async httpx, parallel, time-boxed),
    only from the servers the client may name (``outbound``), with one httpx client per client so a
    connection opened under one client's allowance is never re-used for another's."""

    def __init__(self, policies: Mapping[str | None, OutboundPolicy], *, timeout: float, max_pages: int,
                 max_parallel: int, resolver: Resolver = resolve) -> None:
        self.policies = dict(policies)
        self.timeout = timeout
        self.max_pages = max_pages
        self.semaphore = asyncio.Semaphore(max_parallel)
        self.resolver = resolver
        self._clients: dict[str | None, httpx.AsyncClient] = {}

    def _client(self, client_id: str | None) -> httpx.AsyncClient:
        if client_id not in self._clients:
            self._clients[client_id] = guarded_client(self.policies[client_id], self.timeout, self.resolver)
        return self._clients[client_id]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def fetch(self, client_id: str | None, server: str, token: str | None,
                    queries: Mapping[str, str]) -> dict[str, Any]:
        """Key → resource or searchset Bundle, fetched for the trusted client ``client_id`` (its
        issuer; None without authentication). Raises PreconditionFailed: naming the reason when the
        server is not one the client may use (nothing is sent), the generic FETCH_FAILED otherwise."""
        policy = self.policies.get(client_id)
        if policy is None or not policy.allows_url(server.rstrip("/") + "/"):
            log.warning("fhirServer %r is not allowed for client %s; nothing sent", server[:200], client_id)
            raise PreconditionFailed("fhirServer is not a FHIR server this client is allowed to use "
                                     "(see the service's allowed FHIR servers); no data could be fetched")
        base = server.rstrip("/") + "/"
        headers = {"Accept": "application/fhir+json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        http = self._client(client_id)
        tasks = {key: asyncio.create_task(self._one(http, policy, base, query, headers))
                 for key, query in queries.items()}
        _, pending = await asyncio.wait(tasks.values(), timeout=self.timeout)
        for task in pending:
            task.cancel()
        out: dict[str, Any] = {}
        failed: list[str] = []
        for key, task in tasks.items():
            if task in pending:
                failed.append(f"{key} (timed out after {self.timeout:g} s)")
                continue
            exc = task.exception()
            if exc is not None:
                failed.append(f"{key} ({exc})")
                continue
            out[key] = task.result()
        if failed:
            log.warning("FHIR fetch from %s failed: %s", base[:200], "; ".join(failed)[:1000])
            raise PreconditionFailed(FETCH_FAILED)
        return out

    async def _get(self, http: httpx.AsyncClient, policy: OutboundPolicy, url: str,
                   headers: dict[str, str]) -> Any:
        if not policy.allows_url(url):  # a query or next link that leaves the allowed server path
            raise _FetchError("the URL leaves the allowed FHIR server")
        async with self.semaphore:
            try:
                response = await http.get(url, headers=headers)
            except httpx.HTTPError as exc:
                raise _FetchError(f"{type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise _FetchError(f"HTTP {response.status_code}")
        if b"\\u0000" in response.content:
            raise _FetchError("the response holds a NUL character")
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise _FetchError("not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("resourceType"), str):
            raise _FetchError("not a FHIR resource")
        if is_operation_outcome(body):
            raise _FetchError("the server answered with an OperationOutcome")
        return body

    async def _one(self, http: httpx.AsyncClient, policy: OutboundPolicy, base: str, query: str,
                   headers: dict[str, str]) -> Any:
        url = urljoin(base, query)
        first = await self._get(http, policy, url, headers)
        if first.get("resourceType") != "Bundle":
            return first
        entries = list(first.get("entry") or [])
        page, seen = first, {url}
        for _ in range(self.max_pages - 1):
            nxt = _next_link(page)
            if nxt is None:
                break
            nxt = urljoin(base, nxt)
            if not _same_server(base, nxt):
                raise _FetchError("a next link points to another server")  # the token goes nowhere else
            if nxt in seen:
                raise _FetchError("the next links loop")
            seen.add(nxt)
            page = await self._get(http, policy, nxt, headers)
            entries.extend(page.get("entry") or [])
        else:
            if _next_link(page) is not None:
                raise _FetchError(f"more than {self.max_pages} pages")
        return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}


class _FetchError(Exception):
    pass


def _next_link(bundle: Mapping[str, Any]) -> str | None:
    for link in bundle.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return link["url"]
    return None


def _same_server(base: str, url: str) -> bool:
    a, b = urlsplit(base), urlsplit(url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc) and b.path.startswith(a.path.rstrip("/"))


def prefetch_from_entries(entries: Iterable[Mapping[str, Any]], patient_id: str) -> dict[str, Any]:
    """A complete prefetch map (one value per template key) from Bundle entries of one patient:
    what a conformant client sends. fullUrls are kept (``urn:uuid`` references need them). Used
    by the tests, the benchmark and the FHIR server double."""
    out: dict[str, Any] = {key: {"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": []}
                           for key in TEMPLATES if key != "patient"}
    out["patient"] = None
    for entry in entries:
        resource = entry.get("resource")
        if not isinstance(resource, Mapping):
            continue
        kind = resource.get("resourceType")
        if kind == "Patient":
            if resource.get("id") == patient_id:
                out["patient"] = dict(resource)
            continue
        key = KEY_OF_TYPE.get(str(kind))
        if key is None:
            continue
        full_url = entry.get("fullUrl") or f"{kind}/{resource.get('id')}"
        out[key]["entry"].append({"fullUrl": full_url, "resource": dict(resource), "search": {"mode": "match"}})
        out[key]["total"] += 1
    return out


def prefetch_from_resources(resources: Iterable[Mapping[str, Any]], patient_id: str) -> dict[str, Any]:
    return prefetch_from_entries(({"resource": r} for r in resources), patient_id)
