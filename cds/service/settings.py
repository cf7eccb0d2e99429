"""Service configuration: environment variables prefixed ``CDS_`` and an optional ``.env`` file.

Every setting has an embedded default so ``cds serve`` runs on a fresh machine: a SQLite file in
the data folder, authentication ON with the CDS Hooks Sandbox trusted through the example
configuration in ``config/``. ``CDS_DEV_DISABLE_AUTH=1`` is the one explicit switch that turns
authentication off (and the service says so loudly at start-up).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
DEFAULT_TRUSTED_ISSUERS_FILE = REPO_CONFIG_DIR / "trusted-issuers.json"
DEFAULT_BDD_EXERCISED_FILE = REPO_CONFIG_DIR.parent / "reports" / "bdd-exercised.json"

ASYMMETRIC_ALGORITHMS: tuple[str, ...] = (
    "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
)
"""The only algorithms a client token may use (never ``none``, never HMAC: requirements 201, 203)."""


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bone-mets-cds"


class TrustedIssuer(BaseModel):
    """One CDS Client: its ``iss``, its keys (a JWKS file), and the ``jku`` URLs it may point at."""

    iss: str
    jwks_file: Path | None = None
    jku: tuple[str, ...] = ()
    """Allowlisted ``jku`` URLs; a token's ``jku`` outside this list is rejected."""
    tenants: tuple[str, ...] = ()
    """If set, the token's ``tenant`` claim must be one of these."""
    fhir_servers: tuple[str, ...] = ()
    """Base URLs this client's ``fhirServer`` may name (the service fetches absent prefetch keys there,
    with the client's access token). A call naming another server gets 412; nothing is sent to it."""
    fhir_private_networks: tuple[str, ...] = ()
    """Networks (CIDR) outside the public internet those servers may resolve to, e.g. ``10.20.0.0/16``
    for an EHR's in-house FHIR server. Loopback, private, link-local (cloud metadata) and other
    non-public addresses are refused unless listed here."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CDS_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    log_level: str = "info"

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    """SQLAlchemy URL; default ``sqlite:///<data_dir>/cds.sqlite3``. PostgreSQL:
    ``postgresql+psycopg://user@host/db``."""
    redis_url: str | None = None
    """If set, the JWT replay cache lives in Redis (shared by every worker and host)."""
    redis_key_prefix: str = "cds:"
    """Prefix of every Redis key the service writes (several services or test runs may share a server)."""
    redis_timeout_seconds: float = 2.0
    retry_after_seconds: int = 5
    """``Retry-After`` of a 503 when a backend (database, Redis) is unavailable."""
    store_timeout_seconds: float = 5.0
    """How long a hook call waits for its evaluation to be stored before answering (a card's report
    link must open): past it, or if storing fails, the call gets 503."""

    public_base_url: str | None = None
    """The URL clients call (e.g. ``https://cds.example.org``): the JWT ``aud`` must name it and the
    links in cards use it. Never taken from the request (its Host header is the caller's to choose).
    Default: this machine's loopback addresses on ``port`` (``http://127.0.0.1:8080``,
    ``http://localhost:8080``, ``http://[::1]:8080``), so the CDS Hooks Sandbox on this machine works."""
    forwarded_allow_ips: Annotated[list[str], NoDecode] = []
    """Addresses of the reverse proxies whose ``X-Forwarded-For/-Proto`` headers are believed (comma
    separated). Default: none — nobody's."""

    dev_disable_auth: bool = False
    trusted_issuers_file: Path | None = DEFAULT_TRUSTED_ISSUERS_FILE
    trusted_issuers: list[TrustedIssuer] | None = None
    """Inline alternative to the file (JSON in ``CDS_TRUSTED_ISSUERS``); wins when set."""
    jwt_algorithms: tuple[str, ...] = ASYMMETRIC_ALGORITHMS
    jwt_leeway_seconds: int = 60
    jwt_max_lifetime_seconds: int = 3600
    """Tokens valid for longer than this (exp - iat) are refused: it bounds the replay cache."""
    jku_cache_seconds: int = 3600
    jku_timeout_seconds: float = 3.0

    cors_origins: Annotated[list[str], NoDecode] = ["https://sandbox.cds-hooks.org"]
    """Browser origins allowed by CORS: a comma-separated list or a JSON array."""
    max_request_bytes: int = 10 * 1024 * 1024
    max_authorization_bytes: int = 8192
    """A longer ``Authorization`` header is refused (401) before any parsing."""
    connection_max_seconds: float = 30.0
    """A keep-alive connection is closed after its first response past this age (0: never), so that
    clients spread again over the workers, e.g. after one was restarted."""

    bdd_exercised_file: Path | None = DEFAULT_BDD_EXERCISED_FILE
    """The BDD run's record of which scenarios exercised each rule, shown on /rules when present."""

    fhir_timeout_seconds: float = 5.0
    """Budget for all FHIR callbacks of one hook call (they run in parallel)."""
    fhir_max_pages: int = 20
    fhir_max_parallel: int = 8
    fhir_servers: tuple[str, ...] = ()
    fhir_private_networks: tuple[str, ...] = ()
    """Allowed FHIR servers (and non-public networks) for calls without an authenticated client, i.e.
    with ``CDS_DEV_DISABLE_AUTH=1``; with authentication, each trusted issuer has its own."""

    retention_days: int = 90
    report_link_secret: str | None = None
    """HMAC key for signed report links; generated once and stored in the database if not set."""
    report_link_seconds: int = 7 * 24 * 3600
    evaluation_cache_seconds: int = 60
    """Re-use an evaluation of identical input for this long (0 = evaluate every call)."""
    as_of: datetime | None = None
    """Evaluate as of this instant instead of now: for reproducible demos and tests only."""

    @field_validator("cors_origins", "forwarded_allow_ips", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @property
    def public_bases(self) -> tuple[str, ...]:
        """The base URLs clients may call (``aud`` = one of them + the path); links use the first,
        or the one the caller's verified token named."""
        if self.public_base_url:
            return (self.public_base_url.rstrip("/"),)
        return tuple(f"http://{host}:{self.port}" for host in ("127.0.0.1", "localhost", "[::1]"))

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cds.sqlite3'}"

    @cached_property
    def issuers(self) -> dict[str, TrustedIssuer]:
        """Trusted issuers by ``iss``; JWKS file paths resolved against the configuration file."""
        if self.trusted_issuers is not None:
            return {i.iss: i for i in self.trusted_issuers}
        if self.trusted_issuers_file is None or not self.trusted_issuers_file.is_file():
            return {}
        raw = json.loads(self.trusted_issuers_file.read_text(encoding="utf-8"))
        base = self.trusted_issuers_file.parent
        out: dict[str, TrustedIssuer] = {}
        for item in raw.get("issuers", []):
            issuer = TrustedIssuer.model_validate(item)
            if issuer.jwks_file is not None and not issuer.jwks_file.is_absolute():
                issuer = issuer.model_copy(update={"jwks_file": base / issuer.jwks_file})
            out[issuer.iss] = issuer
        return out
