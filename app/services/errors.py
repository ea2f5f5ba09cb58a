"""Typed errors that every service raises, so the web pages, the API and the CLI can word them."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose. ``code`` is stable; the API sends it."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationError(ServiceError):
    """Input was wrong; ``errors`` maps each field to what is wrong with it."""

    code = "invalid"
    status = 422

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.details = {"fields": errors}


class Unauthorized(ServiceError):
    """A credential was sent and is not valid (a missing one is for the caller to decide)."""

    code = "unauthorized"
    status = 401


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    code = "conflict"
    status = 409
