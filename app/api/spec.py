"""Validation and the OpenAPI document of /api/v1, both from the models in app/api/schemas.

spectree checks each request against the models a view declares before the view runs, serialises
the model a view returns, and generates the document served at /api/v1/openapi.json. A request it
refuses becomes the API's one error shape (``invalid``, with what is wrong by field name), raised as
a :class:`ValidationError` so the error handlers in app/errors.py answer it like any other.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import current_app
from pydantic import ValidationError as PydanticError
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from app.api.schemas.common import Error, Request
from app.services.errors import ValidationError

DESCRIPTION = (
    "Personal API of Rehearse. Authenticate with a personal token from the settings page: "
    "`Authorization: Bearer <token>`. Every error has the same shape: "
    '`{"error": {"code", "message", "details"}}`.'
)
ERRORS = {
    401: "Missing, unknown or revoked token.",
    403: "The caller's role in the group does not allow this.",
    404: "No such resource, or not yours.",
    409: "The state changed under the request.",
    413: "The request body is over the size limit; nothing was read.",
    422: "The request is wrong; details.fields says where.",
    429: "Too many attempts; wait and try again.",
}
BODY_MESSAGE = "Send a JSON object with Content-Type: application/json."


def _refuse(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """spectree's hook before a view: turn a refused request into the API's own 422."""
    view = current_app.view_functions.get(req.endpoint) if req.endpoint else None
    body_model = _body_model(view) if view is not None else None
    if body_model is not None and not isinstance(req.get_json(silent=True), dict):
        raise ValidationError({"body": BODY_MESSAGE})
    if isinstance(error, PydanticError):
        raise ValidationError(fields_of(error, body_model))


@functools.cache  # one lookup per view for the life of the process, not one per request
def _body_model(view: Any) -> type[Request] | None:
    """The request model a view declares for its JSON body, if any."""
    metadata = spec.get_function_metadata(view)
    name = metadata.json if metadata is not None else None
    if name is None:
        return None
    return next(model for model in _requests() if model.__name__ == name)


def _requests() -> list[type[Request]]:
    found, queue = [], list(Request.__subclasses__())
    while queue:
        model = queue.pop()
        found.append(model)
        queue.extend(model.__subclasses__())
    return found


def fields_of(error: PydanticError, model: type[Request] | None = None) -> dict[str, str]:
    """What is wrong, by field name: the first problem of each field, in words."""
    own: dict[str, str] = getattr(model, "messages", {})
    fields: dict[str, str] = {}
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "body"
        if name not in fields:
            fields[name] = own.get(name) or _message(problem)
    return fields


def _message(problem: Any) -> str:
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind == "value_error":
        return str(context.get("error", problem["msg"]))
    if kind in ("greater_than_equal", "less_than_equal"):
        word = "at least" if kind == "greater_than_equal" else "at most"
        return f"Use a number of {word} {context.get('ge', context.get('le'))}."
    if kind in ("string_too_short", "string_too_long"):
        word = "at least" if kind == "string_too_short" else "at most"
        limit = context.get("min_length", context.get("max_length"))
        return f"Use {word} {limit} characters."
    if kind in ("too_short", "too_long"):
        return f"Send {context.get('expected', context.get('max_length'))} items."
    return MESSAGES.get(kind, str(problem["msg"]) + ".")


MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
    "int_type": "Use a whole number.",
    "float_type": "Use a number.",
    "bool_type": "Use true or false.",
    "string_type": "Use a string.",
    "tuple_type": "Use a list.",
    "list_type": "Use a list.",
    "model_type": BODY_MESSAGE,
    "model_attributes_type": BODY_MESSAGE,
}


def responses(
    ok: dict[int, tuple[type | None, str]], *errors: int, public: bool = False
) -> Response:
    """The documented responses of an operation: ``ok`` and the errors it can answer."""
    codes: dict[str, Any] = {f"HTTP_{status}": value for status, value in ok.items()}
    for status in sorted({*errors, *(() if public else (401,))}):
        codes[f"HTTP_{status}"] = (Error, ERRORS[status])
    return Response(**codes)


spec = SpecTree(
    "flask",
    mode="strict",
    title="Rehearse API",
    version="1",
    description=DESCRIPTION,
    security_schemes=[
        SecurityScheme(
            name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer")
        )
    ],
    security={"bearer": []},
    validation_error_status=422,
    validation_error_model=Error,
    before=_refuse,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
)
