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


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


KEY_PARAM = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
UNAUTHORIZED = {"$ref": "#/components/responses/Unauthorized"}
NOT_FOUND = {"$ref": "#/components/responses/NotFound"}
INVALID = {"$ref": "#/components/responses/Invalid"}
CONFLICT = {"$ref": "#/components/responses/Conflict"}

SCHEMAS.update(
    {
        "Track": {
            "type": "object",
            "required": ["key", "title", "description", "level"],
            "properties": {
                "key": {"type": "string"},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "level": {"type": "string"},
                "article_count": {"type": "integer"},
            },
        },
        "Article": {
            "type": "object",
            "required": ["key", "title", "difficulty"],
            "properties": {
                "key": {"type": "string"},
                "title": {"type": "string"},
                "series": {"type": ["string", "null"]},
                "part": {"type": ["integer", "null"]},
                "part_title": {"type": ["string", "null"]},
                "position": {"type": ["integer", "null"]},
                "difficulty": {"type": "string"},
                "read_minutes": {"type": ["integer", "null"]},
                "key_tradeoff": {"type": ["string", "null"]},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
)

PATHS: dict[str, Any] = {
    "/tracks": {
        "get": {
            "summary": "Every track, in catalogue order",
            "operationId": "listTracks",
            "responses": {
                "200": _ok(
                    "The tracks",
                    {
                        "type": "object",
                        "required": ["tracks"],
                        "properties": {"tracks": {"type": "array", "items": _ref("Track")}},
                    },
                ),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/tracks/{key}": {
        "get": {
            "summary": "One track with its articles in order",
            "operationId": "getTrack",
            "parameters": [KEY_PARAM],
            "responses": {
                "200": _ok(
                    "The track",
                    {
                        "allOf": [
                            _ref("Track"),
                            {
                                "type": "object",
                                "required": ["articles"],
                                "properties": {
                                    "articles": {"type": "array", "items": _ref("Article")}
                                },
                            },
                        ]
                    },
                ),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
    "/articles": {
        "get": {
            "summary": "Every article",
            "operationId": "listArticles",
            "responses": {
                "200": _ok(
                    "The articles",
                    {
                        "type": "object",
                        "required": ["articles"],
                        "properties": {"articles": {"type": "array", "items": _ref("Article")}},
                    },
                ),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/articles/{key}": {
        "get": {
            "summary": "One article and the questions it generates",
            "operationId": "getArticle",
            "parameters": [KEY_PARAM],
            "responses": {
                "200": _ok(
                    "The article",
                    {
                        "allOf": [
                            _ref("Article"),
                            {
                                "type": "object",
                                "required": ["questions"],
                                "properties": {
                                    "questions": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "key", "kind", "prompt"],
                                            "properties": {
                                                "id": {"type": "integer"},
                                                "key": {"type": "string"},
                                                "kind": {"type": "string"},
                                                "prompt": {"type": "string"},
                                            },
                                        },
                                    }
                                },
                            },
                        ]
                    },
                ),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
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
