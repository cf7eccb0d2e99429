"""Every error the service returns is a FHIR OperationOutcome (the CDS Hooks 3.0 draft asks for
it); a failure never leaks a stack trace, only an error id that is also in the server log."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

ISSUE_CODE = {
    400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
    412: "incomplete", 413: "too-long", 415: "not-supported", 500: "exception", 503: "transient",
}

AUTH_FAILED = "Authentication failed"
"""The one message of every 401: the caller learns nothing about which check failed."""


class ServiceError(Exception):
    """An error with its HTTP status and a message that is safe to show the caller."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or ISSUE_CODE.get(status, "processing")
        self.headers = headers or {}


class AuthError(ServiceError):
    def __init__(self, reason: str = "") -> None:
        # ``reason`` is for the server log only; the response says AUTH_FAILED.
        super().__init__(401, AUTH_FAILED, headers={"WWW-Authenticate": "Bearer"})
        self.reason = reason


class PreconditionFailed(ServiceError):
    def __init__(self, message: str, *, code: str = "incomplete") -> None:
        super().__init__(412, message, code=code)


class BackendUnavailable(ServiceError):
    """A backend the answer depends on (database, Redis) does not answer: 503, try again later. The
    service fails closed — no answer without its replay check or without storing what it answers."""

    def __init__(self, backend: str, retry_after: int = 5) -> None:
        super().__init__(503, f"Service temporarily unavailable ({backend}); retry later",
                         headers={"Retry-After": str(retry_after)})
        self.backend = backend


class RequestTooLarge(ServiceError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body larger than {limit} bytes")


def operation_outcome(message: str, code: str = "processing", severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


def error_response(status: int, message: str, *, code: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(operation_outcome(message, code or ISSUE_CODE.get(status, "processing")),
                        status_code=status, headers=headers)


def service_error_response(exc: ServiceError) -> JSONResponse:
    return error_response(exc.status, exc.message, code=exc.code, headers=exc.headers)
