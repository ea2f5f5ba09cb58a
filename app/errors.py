"""Error responses: JSON of one stable shape under /api, a page elsewhere, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.services.errors import ServiceError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(
    status: int, message: str, *, code: str | None = None, details: dict[str, object] | None = None
) -> tuple[Response, int]:
    """The one error shape of the JSON API: ``{"error": {"code", "message", "details"}}``."""
    from app.observability import request_id_detail

    body = {
        "error": {
            "code": code or CODES.get(status, "error"),
            "message": message,
            "details": {**(details or {}), **request_id_detail()},
        }
    }
    return jsonify(body), status


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[object, int]:
        message = "The form expired or was sent from another site. Go back, reload and try again."
        if wants_json():
            return api_error(400, message, code="csrf")
        return _page(400, "Form expired", message)

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError) -> tuple[object, int]:
        if wants_json():
            return api_error(error.status, error.message, code=error.code, details=error.details)
        return _page(error.status, "Something is not right", error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[object, int] | HTTPException:
        status = error.code or 500
        if 300 <= status < 400:
            return error
        message = error.description or "Something went wrong."
        if status == 429:
            message = "Too many attempts. Wait a minute and try again."
        if wants_json():
            response, code = api_error(status, message)
            if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
                response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
            return response, code
        titles = {403: "Not allowed", 404: "Page not found", 429: "Slow down"}
        return _page(status, titles.get(status, error.name), message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[object, int]:
        if isinstance(error, HTTPException):
            return http_error(error)  # type: ignore[return-value]
        log.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        message = InternalServerError.description
        if wants_json():
            return api_error(500, "Something went wrong on our side; it has been logged.")
        return _page(500, "Something went wrong", message)
