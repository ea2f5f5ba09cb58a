"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Everything here is plain data. tests/functional/test_openapi.py checks that every API route is
documented (and nothing else is), that the document is valid OpenAPI 3.1, and that every response
the running app sends matches the schema documented for its path, method and status.
"""

from __future__ import annotations

from typing import Any

from app.api import ID_MAX
from app.domain import scheduling as fsrs
from app.domain.questions import KINDS, AnswerMode
from app.services.study import REVIEW_ID_MAX

CARD_STATES = ["new", "learning", "review", "relearning"]
CARD_ACTIONS = {
    "suspend": "Suspend a card: it leaves every queue until unsuspended.",
    "unsuspend": "Unsuspend a card and clear its leech mark.",
    "bury": "Bury a card until the learner's next study day starts.",
}

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


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    """An object schema; every property is required unless ``required`` names fewer."""
    return {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _list_of(key: str, name: str, description: str) -> dict[str, Any]:
    """A 200 response ``{key: [name, ...]}``."""
    return _ok(description, _object({key: {"type": "array", "items": _ref(name)}}))


def _body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _error(description: str, code: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """An error response: the Error shape with this ``code`` (and, if given, these details)."""
    error: dict[str, Any] = {"properties": {"code": {"const": code}}}
    if details is not None:
        error["properties"]["details"] = details
        error["required"] = ["details"]
    return _ok(description, {"allOf": [_ref("Error"), {"properties": {"error": error}}]})


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX},
    }


TIMESTAMP = {"type": "string", "format": "date-time"}
MAYBE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
KEY_PARAM = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
ENROLMENT_PARAM = _path_param("enrolment_id", "An enrolment of the caller.")
QUESTION_PARAM = _path_param("question_id", "A question in one of the caller's tracks.")
TRACK_QUERY = {
    "name": "track",
    "in": "query",
    "required": False,
    "description": "Only this track (its key); the caller must be enrolled in it. "
    "Default: every enrolled track.",
    "schema": {"type": "string"},
}
UNAUTHORIZED = {"$ref": "#/components/responses/Unauthorized"}
NOT_FOUND = {"$ref": "#/components/responses/NotFound"}
INVALID = {"$ref": "#/components/responses/Invalid"}
CONFLICT = {"$ref": "#/components/responses/Conflict"}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rehearse API",
            "version": "1",
            "description": "Personal API of Rehearse. Authenticate with a personal token from the "
            "settings page: `Authorization: Bearer <token>`. Every error has the same shape: "
            '`{"error": {"code", "message", "details"}}`.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": RESPONSES,
        },
    }


RESPONSES: dict[str, Any] = {
    "Unauthorized": {
        **_error("Missing, unknown or revoked token.", "unauthorized"),
        "headers": {
            "WWW-Authenticate": {
                "description": 'Always `Bearer realm="rehearse"`.',
                "schema": {"type": "string"},
            }
        },
    },
    "NotFound": _error("No such resource, or not yours.", "not_found"),
    "Invalid": _error(
        "The request body is wrong; details.fields says where.",
        "invalid",
        _object(
            {
                "fields": {
                    "type": "object",
                    "description": "What is wrong, by field name (`body` when the body itself "
                    "is not a JSON object).",
                    "additionalProperties": {"type": "string"},
                }
            }
        ),
    ),
    "Conflict": _error("The state changed under the request.", "conflict"),
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

# ------------------------------------------------------------------------------------------------
# The catalogue
# ------------------------------------------------------------------------------------------------

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
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "getOpenAPI",
            "description": "Public: needs no token.",
            "security": [],
            "responses": {
                "200": _ok(
                    "The OpenAPI 3.1 document of /api/v1",
                    _object(
                        {
                            "openapi": {"type": "string", "pattern": r"^3\.1\."},
                            "info": {"type": "object"},
                            "servers": {"type": "array"},
                            "security": {"type": "array"},
                            "paths": {"type": "object"},
                            "components": {"type": "object"},
                        },
                        required=["openapi", "info", "paths"],
                    ),
                )
            },
        }
    },
}

# ------------------------------------------------------------------------------------------------
# Enrolments and presets
# ------------------------------------------------------------------------------------------------


def _int_range(bounds: tuple[int, int], description: str) -> dict[str, Any]:
    return {
        "type": "integer",
        "minimum": bounds[0],
        "maximum": bounds[1],
        "description": description,
    }


PARAMETERS = {
    "type": "array",
    "description": f"The {fsrs.PARAMETER_COUNT} FSRS-6 weights, each within FSRS's bounds.",
    "minItems": fsrs.PARAMETER_COUNT,
    "maxItems": fsrs.PARAMETER_COUNT,
    "prefixItems": [
        {"type": "number", "minimum": low, "maximum": high} for low, high in fsrs.PARAMETER_BOUNDS
    ],
}
STEPS = "Steps such as `1m 10m 1h 1d` (s, m, h or d; ascending; empty for none)"
PRESET_FIELDS: dict[str, Any] = {
    "desired_retention": {
        "type": "number",
        "minimum": fsrs.DESIRED_RETENTION_RANGE[0],
        "maximum": fsrs.DESIRED_RETENTION_RANGE[1],
        "description": "The probability of recall to schedule reviews for.",
    },
    "new_per_day": _int_range(fsrs.NEW_PER_DAY_RANGE, "New cards a day."),
    "max_reviews_per_day": _int_range(fsrs.MAX_REVIEWS_PER_DAY_RANGE, "Reviews a day, at most."),
    "learning_steps": {"type": "string", "description": f"{STEPS}, for new cards."},
    "relearning_steps": {"type": "string", "description": f"{STEPS}, after a lapse."},
    "maximum_interval": _int_range(fsrs.MAXIMUM_INTERVAL_RANGE, "The longest interval, in days."),
    "parameters": PARAMETERS,
    "leech_threshold": _int_range(
        fsrs.LEECH_THRESHOLD_RANGE, "Lapses that make a card a leech (0: never)."
    ),
    "leech_suspend": {"type": "boolean", "description": "Suspend a card when it becomes a leech."},
}

SCHEMAS.update(
    {
        "Preset": {
            **_object(PRESET_FIELDS),
            "description": "The scheduling settings of an enrolment, as in force now.",
        },
        "PresetUpdate": {
            "type": "object",
            "description": "Any subset of the preset's fields; the others keep their values. "
            "Every field is checked at once and an unknown field is an error.",
            "properties": {
                **PRESET_FIELDS,
                "parameters": {
                    "oneOf": [
                        PARAMETERS,
                        {
                            "type": "string",
                            "description": f"{fsrs.PARAMETER_COUNT} numbers separated by commas "
                            "or spaces, as Anki shows them.",
                        },
                    ]
                },
            },
            "additionalProperties": False,
        },
        "Enrolment": {
            **_object(
                {
                    "id": {"type": "integer"},
                    "track": {"type": "string", "description": "The track's key."},
                    "track_title": {"type": "string"},
                    "created_at": TIMESTAMP,
                    "preset": _ref("Preset"),
                }
            ),
            "description": "The caller's enrolment in one track.",
        },
        "EnrolmentCreate": _object({"track": {"type": "string", "description": "A track key."}}),
    }
)

PATHS.update(
    {
        "/enrolments": {
            "get": {
                "summary": "The caller's enrolments, oldest first",
                "operationId": "listEnrolments",
                "responses": {
                    "200": _list_of("enrolments", "Enrolment", "The enrolments"),
                    "401": UNAUTHORIZED,
                },
            },
            "post": {
                "summary": "Enrol in a track",
                "operationId": "createEnrolment",
                "description": "Enrols with the default preset (201). Enrolling again in a "
                "track you are enrolled in changes nothing and returns that enrolment (200). "
                "Enrolling again in a track you left brings back its enrolment, preset and cards "
                "(201).",
                "requestBody": _body(_ref("EnrolmentCreate"), "The track to enrol in"),
                "responses": {
                    "201": _ok("The new or restored enrolment", _ref("Enrolment")),
                    "200": _ok("The enrolment you already had", _ref("Enrolment")),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "422": INVALID,
                },
            },
        },
        "/enrolments/{enrolment_id}": {
            "delete": {
                "summary": "Leave a track",
                "operationId": "deleteEnrolment",
                "description": "Cards keep their history; cards another enrolment also covers "
                "move there. Enrolling in the track again brings the rest back.",
                "parameters": [ENROLMENT_PARAM],
                "responses": {
                    "204": {"description": "Left"},
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                },
            }
        },
        "/enrolments/{enrolment_id}/preset": {
            "get": {
                "summary": "The enrolment's preset in force",
                "operationId": "getPreset",
                "parameters": [ENROLMENT_PARAM],
                "responses": {
                    "200": _ok("The preset", _ref("Preset")),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                },
            },
            "patch": {
                "summary": "Change some preset fields",
                "operationId": "updatePreset",
                "description": "A real change adds a new preset version (earlier versions are "
                "kept so each review can be replayed with the settings it was made under); "
                "sending the current values changes nothing. An invalid value changes nothing "
                "and the 422 names every wrong field.",
                "parameters": [ENROLMENT_PARAM],
                "requestBody": _body(_ref("PresetUpdate"), "The fields to change"),
                "responses": {
                    "200": _ok("The preset now in force", _ref("Preset")),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "422": INVALID,
                },
            },
        },
    }
)

# ------------------------------------------------------------------------------------------------
# Studying
# ------------------------------------------------------------------------------------------------

SCHEMAS.update(
    {
        "Counts": {
            **_object(
                {
                    "new": {"type": "integer", "minimum": 0},
                    "learning": {"type": "integer", "minimum": 0},
                    "review": {"type": "integer", "minimum": 0},
                    "done_today": {"type": "integer", "minimum": 0},
                }
            ),
            "description": "Cards left in today's queue by kind, and answers given today.",
        },
        "Today": _object(
            {
                "date": {"type": "string", "format": "date", "description": "The study day."},
                "day_start": TIMESTAMP,
                "day_end": TIMESTAMP,
                "counts": _ref("Counts"),
                "next_due": {
                    **MAYBE_TIMESTAMP,
                    "description": "When the next card falls due, if the queue is empty.",
                },
            }
        ),
        "NextCard": {
            **_object(
                {
                    "question_id": {"type": "integer"},
                    "version": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Send back with the answer (0 for a new question).",
                    },
                    "source": {"enum": ["learning", "review", "new"]},
                    "kind": {"enum": sorted(KINDS)},
                    "mode": {
                        "enum": [m.value for m in AnswerMode],
                        "description": "choice: answer with a choice number; cloze: type the "
                        "missing words; recall: rate your own recall.",
                    },
                    "prompt": {"type": "string", "description": "Markdown."},
                    "prompt_html": {"type": "string"},
                    "choices": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Inline Markdown, in the order to show them: shuffled "
                        "per learner and review, the same on a reload.",
                    },
                    "choices_html": {"type": "array", "items": {"type": "string"}},
                    "choice_ids": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0},
                        "description": "Each shown choice's id, in the same order: send the "
                        "chosen one's id as `response`, never its position.",
                    },
                    "article": _object({"key": {"type": "string"}, "title": {"type": "string"}}),
                    "track": {"type": "string", "description": "The key of the track it is from."},
                }
            ),
            "description": "The card to show next.",
        },
        "Next": _object(
            {
                "counts": _ref("Counts"),
                "card": {
                    **_nullable(_ref("NextCard")),
                    "description": "Null when nothing is left for today.",
                },
                "next_due": {
                    **MAYBE_TIMESTAMP,
                    "description": "When the next card falls due, if `card` is null.",
                },
            }
        ),
        "AnswerRequest": {
            "type": "object",
            "required": ["review_id", "question_id", "version"],
            "properties": {
                "review_id": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": REVIEW_ID_MAX,
                    "description": "Chosen by the client, unique per answer (a UUID will do). "
                    "Sending it again replays the first result.",
                },
                "question_id": {"type": "integer", "minimum": 0, "maximum": ID_MAX},
                "version": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": ID_MAX,
                    "description": "The card version shown with the card by /study/next.",
                },
                "track": {
                    "type": "string",
                    "description": "The track being studied, as sent to /study/next; omit it "
                    "when studying all tracks. A new question that several of the caller's "
                    "tracks share becomes a card of this track (its preset and daily limit); "
                    "without it, of the enrolment that offered it in the all-tracks queue.",
                },
                "rating": {
                    "enum": [1, 2, 3, 4],
                    "description": "1 Again, 2 Hard, 3 Good, 4 Easy. Required in recall mode; "
                    "optional otherwise (default 3), and a wrong answer counts as 1 whatever "
                    "is sent.",
                },
                "response": {
                    "type": "string",
                    "description": "Required in choice mode (the chosen choice's id from "
                    "`choice_ids`) and in cloze mode (the missing words; case, punctuation, "
                    "articles and a small typo are forgiven); ignored in recall mode.",
                },
                "overrule": {
                    "type": "boolean",
                    "description": "Cloze mode only: the learner says a typed answer judged "
                    "wrong was right; it is recorded as right with `rating` (2, 3 or 4).",
                },
                "duration_ms": {"type": "integer", "minimum": 0, "maximum": 86_400_000},
            },
        },
        "AnswerResult": _object(
            {
                "review_id": {"type": "string"},
                "question_id": {"type": "integer"},
                "rating": {"enum": [1, 2, 3, 4], "description": "The rating recorded."},
                "correct": {
                    "type": ["boolean", "null"],
                    "description": "Null for self-rated recall.",
                },
                "expected": {
                    "type": "string",
                    "description": "The right answer (inline Markdown); empty for recall.",
                },
                "answer": {"type": "string", "description": "The full answer (Markdown)."},
                "explanation": {"type": "string", "description": "Markdown; may be empty."},
                "state": {"enum": CARD_STATES},
                "due": MAYBE_TIMESTAMP,
                "interval_days": {"type": "number", "minimum": 0},
                "version": {"type": "integer", "description": "The card's version now."},
                "leech": {"type": "boolean"},
                "suspended": {"type": "boolean"},
                "replayed": {
                    "type": "boolean",
                    "description": "True when this review id had been recorded before.",
                },
            }
        ),
        "Card": {
            **_object(
                {
                    "question_id": {"type": "integer"},
                    "version": {"type": "integer"},
                    "state": {"enum": CARD_STATES},
                    "due": MAYBE_TIMESTAMP,
                    "suspended": {"type": "boolean"},
                    "buried_until": MAYBE_TIMESTAMP,
                    "leech": {"type": "boolean"},
                    "lapses": {"type": "integer", "minimum": 0},
                    "reps": {"type": "integer", "minimum": 0},
                }
            ),
            "description": "The caller's memory of one question.",
        },
    }
)

ANSWER_DESCRIPTION = f"""\
Record one answer to the card that /study/next showed.

**Idempotent by `review_id`.** The client picks a new `review_id` (1 to {REVIEW_ID_MAX} characters)
for each answer. The first request with it records the answer and returns **201**; sending the same
`review_id` again (a retry after a timeout, say) records nothing and returns **200** with the
first result and `"replayed": true`; a different rating or response in the retry is not applied.
Reusing a `review_id` for a different question is a **409**.

**Version check.** `version` is the card version /study/next returned (0 for a new question). If
the card changed since (another tab or device answered, suspended or buried it), nothing is
recorded and the answer is a **409** conflict: fetch /study/next again.

A wrong choice or cloze answer is recorded as Again (1) whatever `rating` says. A missing or wrong
field, a rating outside 1-4, or a response that cannot be graded is a **422** naming the field.
"""

PATHS.update(
    {
        "/study/today": {
            "get": {
                "summary": "Today's study day and queue counts",
                "operationId": "getToday",
                "parameters": [TRACK_QUERY],
                "responses": {
                    "200": _ok("Today", _ref("Today")),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                },
            }
        },
        "/study/next": {
            "get": {
                "summary": "The next card to study",
                "operationId": "getNextCard",
                "parameters": [TRACK_QUERY],
                "responses": {
                    "200": _ok("The next card, or null when done for today", _ref("Next")),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                },
            }
        },
        "/study/answers": {
            "post": {
                "summary": "Answer a card (idempotent by review_id)",
                "operationId": "answerCard",
                "description": ANSWER_DESCRIPTION,
                "requestBody": _body(_ref("AnswerRequest"), "The answer"),
                "responses": {
                    "201": _ok("Recorded", _ref("AnswerResult")),
                    "200": _ok(
                        "Already recorded under this review id: the first result, replayed",
                        _ref("AnswerResult"),
                    ),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "409": CONFLICT,
                    "422": INVALID,
                },
            }
        },
        "/study/undo": {
            "post": {
                "summary": "Undo the caller's latest answer",
                "operationId": "undoAnswer",
                "description": "Restores the card exactly as it was before the answer. 404 when "
                "there is no answer left to undo.",
                "responses": {
                    "200": _ok("Undone", _object({"question_id": {"type": "integer"}})),
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "409": CONFLICT,
                },
            }
        },
        **{
            f"/study/cards/{{question_id}}/{action}": {
                "post": {
                    "summary": summary,
                    "operationId": f"{action}Card",
                    "parameters": [QUESTION_PARAM],
                    "responses": {
                        "200": _ok("The card now", _ref("Card")),
                        "401": UNAUTHORIZED,
                        "404": NOT_FOUND,
                    },
                }
            }
            for action, summary in CARD_ACTIONS.items()
        },
        "/study/leeches": {
            "get": {
                "summary": "The caller's leeches, most lapses first",
                "operationId": "listLeeches",
                "responses": {
                    "200": _list_of("leeches", "Card", "The leeches"),
                    "401": UNAUTHORIZED,
                },
            }
        },
    }
)

# ------------------------------------------------------------------------------------------------
# Stats (app/api/stats.py)
# ------------------------------------------------------------------------------------------------

_COUNT = {"type": "integer", "minimum": 0}
_DATE = {"type": "string", "format": "date"}
_PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
_STATS_RETENTION = _object(
    {"n": _COUNT, "passed": _COUNT, "rate": {**_PROBABILITY, "type": ["number", "null"]}}
)
_STATS_ARTICLE = _object({"key": {"type": "string"}, "title": {"type": "string"}})
PATHS["/stats"] = {
    "get": {
        "summary": "The caller's stats, as on the stats page",
        "operationId": "getStats",
        "description": "Counted in the caller's study days (time zone and day start hour); "
        "undone answers are ignored. `heatmap`: reviews on each of the last 365 days, oldest "
        "first. `forecast`: cards due on each of the next 30 days, today first (overdue "
        "included). `retention`: of the last 30 days' reviews of cards in review, the share not "
        "rated Again; young cards had an interval under 21 days, mature ones 21 or more; `rate` "
        "is null without reviews. Times are in milliseconds; recall is a probability.",
        "parameters": [TRACK_QUERY],
        "responses": {
            "200": _ok(
                "The stats",
                _object(
                    {
                        "today": _DATE,
                        "timezone": {"type": "string"},
                        "day_start_hour": {"type": "integer", "minimum": 0, "maximum": 23},
                        "track": {"type": ["string", "null"]},
                        "tracks": {
                            "type": "array",
                            "items": _object(
                                {"key": {"type": "string"}, "title": {"type": "string"}}
                            ),
                        },
                        "heatmap": {
                            "type": "array",
                            "minItems": 365,
                            "maxItems": 365,
                            "items": _object({"date": _DATE, "reviews": _COUNT}),
                        },
                        "forecast": {
                            "type": "array",
                            "minItems": 30,
                            "maxItems": 30,
                            "items": _object({"date": _DATE, "due": _COUNT}),
                        },
                        "retention": _object(
                            {
                                "days": _COUNT,
                                "young": _STATS_RETENTION,
                                "mature": _STATS_RETENTION,
                                "total": _STATS_RETENTION,
                            }
                        ),
                        "streak": _object({"current": _COUNT, "days_studied_last_30": _COUNT}),
                        "cards": _object(
                            {
                                name: _COUNT
                                for name in (
                                    *CARD_STATES,
                                    "suspended",
                                    "leeches",
                                    "total",
                                )
                            }
                        ),
                        "time_spent_ms": _object(
                            {
                                "today": _COUNT,
                                "last_7_days": _COUNT,
                                "last_30_days": _COUNT,
                                "all_time": _COUNT,
                            }
                        ),
                        "total_reviews": _COUNT,
                        "weakest_questions": {
                            "type": "array",
                            "maxItems": 10,
                            "items": _object(
                                {
                                    "question_id": {"type": "integer"},
                                    "prompt": {"type": "string"},
                                    "article": _STATS_ARTICLE,
                                    "retrievability": _PROBABILITY,
                                    "lapses": _COUNT,
                                }
                            ),
                        },
                        "weakest_tradeoffs": {
                            "type": "array",
                            "maxItems": 10,
                            "items": _object(
                                {
                                    "article": _STATS_ARTICLE,
                                    "key_tradeoff": {"type": ["string", "null"]},
                                    "mean_retrievability": _PROBABILITY,
                                    "review_cards": _COUNT,
                                    "lapses": _COUNT,
                                }
                            ),
                        },
                    }
                ),
            ),
            "401": UNAUTHORIZED,
            "404": NOT_FOUND,
        },
    }
}
