"""The JSON API under /api/v1, authenticated by personal tokens (``Authorization: Bearer``)."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue

from app.api.schemas.common import ID_MAX
from app.clock import now
from app.errors import api_error
from app.extensions import csrf
from app.services.errors import NotFound
from app.services.tokens import authenticate_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are accepted here, so there is no cross-site request to forge

PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    user = authenticate_token(secret.strip(), now=now()) if scheme.lower() == "bearer" else None
    if user is None:
        response, status = api_error(
            401, "Send a valid personal API token as 'Authorization: Bearer <token>'."
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="rehearse"'
        return response, status
    g.api_user = user
    for name, value in (request.view_args or {}).items():
        if _names_nothing(value):
            raise NotFound(f"no {name.removesuffix('_id')} {value!r}")
    return None


def _names_nothing(value: object) -> bool:
    """An id too big for its column, or a key with a NUL (which PostgreSQL refuses in text).

    Either would reach the database and fail there (a 500) instead of naming nothing (a 404).
    """
    if isinstance(value, int):
        return value > ID_MAX
    return isinstance(value, str) and "\0" in value


from app.api import cards, catalog, groups, interop, interview, live, stats, study, views  # noqa: E402,F401  (routes register themselves on bp)
