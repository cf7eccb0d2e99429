"""Settings: embedded defaults, environment variables with the CDS_ prefix, and .env."""

from __future__ import annotations

from pathlib import Path

import pytest

from cds.service.settings import DEFAULT_TRUSTED_ISSUERS_FILE, Settings


def test_defaults_run_on_a_fresh_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.dev_disable_auth is False
    assert settings.database == f"sqlite:///{tmp_path / 'bone-mets-cds' / 'cds.sqlite3'}"
    assert settings.trusted_issuers_file == DEFAULT_TRUSTED_ISSUERS_FILE
    assert "https://sandbox.cds-hooks.org" in settings.issuers
    assert settings.cors_origins == ["https://sandbox.cds-hooks.org"]
    assert set(settings.jwt_algorithms) <= {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384",
                                            "PS512"}


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CDS_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("CDS_DEV_DISABLE_AUTH", "1")
    monkeypatch.setenv("CDS_TRUSTED_ISSUERS", '[{"iss": "https://ehr.example", "jku": ["https://ehr.example/jwks"]}]')
    env_file = tmp_path / ".env"
    env_file.write_text("CDS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test\nCDS_RETENTION_DAYS=30\n")
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.dev_disable_auth is True
    assert settings.database.startswith("postgresql+psycopg://")
    assert settings.retention_days == 30
    assert settings.issuers["https://ehr.example"].jku == ("https://ehr.example/jwks",)


def test_relative_jwks_paths_resolve_against_the_issuers_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "issuers.json").write_text(
        '{"issuers": [{"iss": "https://x", "jwks_file": "keys.json"}]}')
    settings = Settings(_env_file=None, trusted_issuers_file=tmp_path / "conf" / "issuers.json")  # type: ignore[call-arg]
    assert settings.issuers["https://x"].jwks_file == tmp_path / "conf" / "keys.json"
