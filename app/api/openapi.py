"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rehearse API",
            "version": "1",
            "description": "Personal API of Rehearse. Authenticate with a personal token from the "
            "settings page: `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                "Unauthorized": _error("Missing, unknown or revoked token."),
                "NotFound": _error("No such resource, or not yours."),
                "Invalid": _error("The request body is wrong; details.fields says where."),
                "Conflict": _error("The state changed under the request."),
            },
        },
    }


SCHEMAS: dict[str, Any] = {
    "Error": ERROR_SCHEMA,
    "User": {
        "type": "object",
        "required": ["id", "email", "display_name", "timezone", "day_start_hour"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "display_name": {"type": "string"},
            "timezone": {"type": "string"},
            "day_start_hour": {"type": "integer", "minimum": 0, "maximum": 23},
        },
    },
}

PATHS: dict[str, Any] = {
    "/me": {
        "get": {
            "summary": "The account the token belongs to",
            "operationId": "getMe",
            "responses": {
                "200": {
                    "description": "The caller",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/User"}}
                    },
                },
                "401": {"$ref": "#/components/responses/Unauthorized"},
            },
        }
    },
}
