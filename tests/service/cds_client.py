"""An in-repo CDS Client (the EHR side of CDS Hooks), used by the service tests and the benchmark.

It signs every call with its own key (ES384 or RS384), ``aud`` = the exact URL it calls, a fresh
``jti``, and speaks to any httpx client — FastAPI's TestClient or a real HTTP connection.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def new_key(alg: str) -> PrivateKey:
    if alg.startswith("ES"):
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
        return ec.generate_private_key(curve)
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: PrivateKey, kid: str, alg: str) -> dict[str, Any]:
    algorithm = ECAlgorithm if alg.startswith("ES") else RSAAlgorithm
    jwk: dict[str, Any] = algorithm.to_jwk(key.public_key(), as_dict=True)  # type: ignore[arg-type]
    jwk.update({"kid": kid, "alg": alg, "use": "sig"})
    return jwk


@dataclass
class Signer:
    """A CDS Client's signing identity."""

    iss: str
    key: PrivateKey
    kid: str
    alg: str = "ES384"
    jku: str | None = None
    lifetime: int = 300
    tenant: str | None = None

    def token(self, url: str, *, headers: dict[str, Any] | None = None, **claims: Any) -> str:
        """A token for calling ``url`` (its ``aud``); ``claims`` override or (None) remove claims."""
        now = int(time.time())
        payload: dict[str, Any] = {"iss": self.iss, "aud": url, "exp": now + self.lifetime, "iat": now,
                                   "jti": str(uuid.uuid4())}
        if self.tenant:
            payload["tenant"] = self.tenant
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        header: dict[str, Any] = {"kid": self.kid, "typ": "JWT"}
        if self.jku:
            header["jku"] = self.jku
        header.update(headers or {})
        return jwt.encode(payload, self.key, algorithm=self.alg, headers=header)

    def jwk(self) -> dict[str, Any]:
        return public_jwk(self.key, self.kid, self.alg)


@dataclass
class CdsClient:
    http: httpx.Client
    base_url: str
    signer: Signer | None = None
    origin: str | None = None
    sent_tokens: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def headers(self, path: str) -> dict[str, str]:
        out = {"Content-Type": "application/json"}
        if self.origin:
            out["Origin"] = self.origin
        if self.signer is not None:
            token = self.signer.token(self.url(path))
            self.sent_tokens.append(token)
            out["Authorization"] = f"Bearer {token}"
        return out

    def discovery(self) -> httpx.Response:
        return self.http.get(self.url("/cds-services"), headers=self.headers("/cds-services"))

    def call(self, service_id: str, body: dict[str, Any]) -> httpx.Response:
        path = f"/cds-services/{service_id}"
        return self.http.post(self.url(path), json=body, headers=self.headers(path))

    def feedback(self, service_id: str, items: list[dict[str, Any]]) -> httpx.Response:
        path = f"/cds-services/{service_id}/feedback"
        return self.http.post(self.url(path), json={"feedback": items}, headers=self.headers(path))

    @staticmethod
    def hook_body(hook: str, patient_id: str, *, prefetch: dict[str, Any] | None = None,
                  fhir_server: str | None = None, access_token: str | None = None,
                  **context: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()),
                                "context": {"userId": "Practitioner/example", "patientId": patient_id, **context}}
        if prefetch is not None:
            body["prefetch"] = prefetch
        if fhir_server:
            body["fhirServer"] = fhir_server
        if access_token:
            body["fhirAuthorization"] = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                                         "scope": "patient/*.read", "subject": "cds-service"}
        return body
