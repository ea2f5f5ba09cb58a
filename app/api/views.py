"""API routes about the caller's own account."""

from __future__ import annotations

from flask import g, jsonify
from werkzeug.wrappers import Response

from app.api import bp


@bp.get("/me")
def me() -> Response:
    user = g.api_user
    return jsonify(
        {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "timezone": user.timezone,
            "day_start_hour": user.day_start_hour,
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    from app.api.openapi import document

    return jsonify(document())
