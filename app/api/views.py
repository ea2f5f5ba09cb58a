"""API routes about the caller's own account, and the API's own document."""

from __future__ import annotations

from typing import Any

from flask import g

from app.api import bp
from app.api.schemas.account import User
from app.api.spec import responses, spec


@bp.get("/me")
@spec.validate(resp=responses({200: (User, "The caller")}), operation_id="getMe")
def me() -> User:
    """The account the token belongs to"""
    return User.model_validate(g.api_user)


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """This document: OpenAPI 3.1, generated from the API's models. Public: needs no token."""
    return spec.spec
