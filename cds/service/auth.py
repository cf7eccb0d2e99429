"""Client authentication: the CDS Client's signed JWT (CDS Hooks 2.0 "Trusting CDS Clients").

Order of checks: algorithm on the asymmetric allowlist (never the token's own choice), issuer on
the allowlist, ``jku`` (if any) on that issuer's allowlist, key by ``kid`` from the issuer's JWKS
file or from the allowlisted ``jku`` (fetched, cached, re-fetched once for an unknown ``kid`` so key
rotation works), signature, exact ``aud``, ``exp``/``iat`` with leeway, lifetime cap, ``jti`` not
replayed. Any failure is one generic 401; the reason goes to the log (never the token itself).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from cds.service.errors import AuthError
from cds.service.replay import ReplayCache
from cds.service.settings import ASYMMETRIC_ALGORITHMS, Settings, TrustedIssuer

log = logging.getLogger("cds.service.auth")

_KEY_FAMILY: dict[str, tuple[str, ...]] = {"EC": ("ES",), "RSA": ("RS", "PS")}
_MIN_REFETCH_SECONDS = 30.0
"""An unknown kid re-fetches a jku at most this often (a flood of bad kids must not hammer it)."""


@dataclass(frozen=True)
class ClientIdentity:
    issuer: str
    jti: str
    tenant: str | None = None
    base_url: str | None = None
    """The configured public base URL the token's ``aud`` named (links in the answer use it)."""


_MAX_CLAIM_CHARS = 200
"""jti and tenant are stored in the audit row: longer ones (or with a NUL) are not a valid token."""


def _plain_claim(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _MAX_CLAIM_CHARS and "\x00" not in value


def _numeric_date(value: Any) -> bool:
    """A NumericDate (RFC 7519): a JSON number. PyJWT also takes "1700000000" (it calls int() on it)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _JkuCache:
    """Key sets fetched from allowlisted jku URLs, with a TTL."""

    def __init__(self, ttl: float, timeout: float) -> None:
        self.ttl = ttl
        self.timeout = timeout
        self.min_refetch = _MIN_REFETCH_SECONDS
        self._sets: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def key(self, url: str, kid: str) -> dict[str, Any] | None:
        now = time.monotonic()
        with self._lock:
            cached = self._sets.get(url)
        if cached and now - cached[0] < self.ttl and kid in cached[1]:
            return cached[1][kid]
        if cached and kid not in cached[1] and now - cached[0] < self.min_refetch:
            return None
        keys = self._fetch(url)
        if keys is None:
            return cached[1].get(kid) if cached else None
        with self._lock:
            self._sets[url] = (now, keys)
        return keys.get(kid)

    def _fetch(self, url: str) -> dict[str, dict[str, Any]] | None:
        try:
            response = httpx.get(url, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
            return _keys_by_kid(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jku fetch failed for %s: %s", url, type(exc).__name__)
            return None


@lru_cache(maxsize=256)
def _public_key(jwk_json: str, alg: str) -> Any:
    """The key object of a JWK, built once (rotated keys arrive as new JWKs, hence new entries)."""
    return PyJWK(json.loads(jwk_json), algorithm=alg).key


def _keys_by_kid(jwks: Any) -> dict[str, dict[str, Any]]:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        return {}
    return {k["kid"]: k for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}


class Authenticator:
    def __init__(self, settings: Settings, replay: ReplayCache) -> None:
        self.settings = settings
        self.replay = replay
        self.algorithms = tuple(a for a in settings.jwt_algorithms if a in ASYMMETRIC_ALGORITHMS)
        self.issuers: dict[str, TrustedIssuer] = settings.issuers
        self._files: dict[str, dict[str, dict[str, Any]]] = {}
        for issuer in self.issuers.values():
            if issuer.jwks_file is not None:
                self._files[issuer.iss] = _keys_by_kid(json.loads(issuer.jwks_file.read_text(encoding="utf-8")))
        self._jku = _JkuCache(settings.jku_cache_seconds, settings.jku_timeout_seconds)

    def authenticate(self, authorization: str | None, path: str, bases: tuple[str, ...]) -> ClientIdentity:
        """``aud`` must be one of ``bases`` (configured, never from the request) followed by ``path``."""
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthError("no bearer token")
        if len(authorization) > self.settings.max_authorization_bytes:
            raise AuthError(f"Authorization header longer than {self.settings.max_authorization_bytes} bytes")
        return self.verify(authorization[len("Bearer "):].strip(), {base + path: base for base in bases})

    def verify(self, token: str, audiences: dict[str, str]) -> ClientIdentity:
        """``audiences``: the accepted ``aud`` values → the base URL each names."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except Exception as exc:  # any malformed token is a 401, whatever the parser trips on
            raise AuthError(f"malformed token: {type(exc).__name__}") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise AuthError(f"algorithm {alg!r} not allowed")
        iss = unverified.get("iss")
        issuer = self.issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise AuthError(f"untrusted issuer {iss!r}")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise AuthError("no kid")
        jwk = self._key(issuer, kid, header.get("jku"))
        if jwk.get("alg") not in (None, alg) or not str(alg).startswith(_KEY_FAMILY.get(jwk.get("kty", ""), ("?",))):
            raise AuthError("key does not match the algorithm")
        if not all(_numeric_date(unverified.get(name)) for name in ("exp", "iat")) or (
                "nbf" in unverified and not _numeric_date(unverified["nbf"])):
            raise AuthError("exp, iat or nbf is not a number")
        try:
            key = _public_key(json.dumps(jwk, sort_keys=True), alg)
            claims = jwt.decode(
                token, key=key, algorithms=[alg], issuer=issuer.iss, leeway=self.settings.jwt_leeway_seconds,
                options={"require": ["iss", "aud", "exp", "iat", "jti"], "verify_aud": False},
            )
        except Exception as exc:  # PyJWTError, and whatever odd claims make the library raise
            raise AuthError(f"invalid token: {type(exc).__name__}") from None
        aud = claims.get("aud")
        if not isinstance(aud, str) or aud not in audiences:  # one exact URL, not a list (strict)
            raise AuthError("aud is not this endpoint's configured URL")
        now = time.time()
        iat, exp = claims["iat"], claims["exp"]
        if iat > now + self.settings.jwt_leeway_seconds:
            raise AuthError("iat in the future")
        if exp - iat > self.settings.jwt_max_lifetime_seconds:
            raise AuthError("token lifetime too long")
        jti = claims["jti"]
        if not _plain_claim(jti):
            raise AuthError("no jti, or one that is not a short plain string")
        tenant = claims.get("tenant")
        if tenant is not None and not _plain_claim(tenant):
            raise AuthError("tenant is not a short plain string")
        if issuer.tenants and tenant not in issuer.tenants:
            raise AuthError("tenant not allowed")
        ttl = int(exp - now) + self.settings.jwt_leeway_seconds + 1
        if not self.replay.first_use(issuer.iss, jti, ttl):
            raise AuthError("jti replayed")
        return ClientIdentity(issuer=issuer.iss, jti=jti, tenant=tenant, base_url=audiences[aud])

    def _key(self, issuer: TrustedIssuer, kid: str, jku: Any) -> dict[str, Any]:
        if jku is not None and (not isinstance(jku, str) or jku not in issuer.jku):
            raise AuthError("jku not on the allowlist")
        key = self._files.get(issuer.iss, {}).get(kid)
        if key is None and isinstance(jku, str):
            key = self._jku.key(jku, kid)
        if key is None:
            raise AuthError("unknown kid")
        return key
