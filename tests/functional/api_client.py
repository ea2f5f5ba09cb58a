"""Calling /api/v1 as one learner, with every response checked against the served document.

The check is schemathesis's own (status documented, body matching its schema, content type), so
the tests hold the server to the same document a client reads, not to a copy of it.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Question
from tests.factories import bearer

PREFIX = "/api/v1"


_loaded: list[Any] = []


def _document(app: Flask) -> Any:
    """The document as schemathesis reads it (generated once, as the app serves it)."""
    if not _loaded:
        with app.app_context():
            from app.api.spec import spec

            _loaded.append(schemathesis.openapi.from_dict(spec.spec))
    return _loaded[0]


def check(app: Flask, response: TestResponse, path: str, method: str) -> Any:
    """Fail unless the response is one the document allows; return its JSON body (or None)."""
    operation = _document(app)[PREFIX + path][method.upper()]
    operation.validate_response(response)
    if response.status_code == 204:
        assert not response.get_data(), f"{method.upper()} {path}: a 204 has a body"
        return None
    return response.get_json()


class Api:
    """Calls the API as one learner and checks every response against the document."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token
        self.succeeded: set[tuple[str, str]] = set()

    def call(
        self,
        method: str,
        path: str,
        *,
        expect: int,
        query: dict[str, str] | None = None,
        body: Any = None,
        raw: str | None = None,
        token: str | None = None,
        **params: Any,
    ) -> Any:
        secret = token if token is not None else self.token
        headers = bearer(secret) if secret else {}
        options: dict[str, Any] = {"headers": headers, "query_string": query}
        if raw is not None:
            options.update(data=raw, content_type="application/json")
        elif body is not None:
            options["json"] = body
        url = PREFIX + path.format(**params)
        response = self.client.open(url, method=method.upper(), **options)
        assert response.status_code == expect, (
            f"{method.upper()} {url}: expected {expect}, got {response.status_code}: "
            f"{response.get_data(as_text=True)[:500]}"
        )
        checked = check(self.client.application, response, path, method)
        if response.status_code < 300:
            self.succeeded.add((path, method))
        return checked

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("get", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("post", path, **kwargs)


def answer_for(card: dict[str, Any], *, correct: bool = True) -> dict[str, Any]:
    """The body that answers the card shown by /study/next, rightly or wrongly."""
    question = db.session.get(Question, card["question_id"])
    assert question is not None
    body: dict[str, Any] = {
        "review_id": str(uuid.uuid4()),
        "question_id": card["question_id"],
        "version": card["version"],
        "track": card["track"],
        "duration_ms": 4200,
    }
    if card["mode"] == "choice":
        # The card shows the choices in its own order; an answer names the chosen one's id.
        assert sorted(card["choice_ids"]) == list(range(len(question.choices)))
        assert card["choices"] == [question.choices[i] for i in card["choice_ids"]]
        wrong = next(i for i in card["choice_ids"] if i != question.correct)
        body["response"] = str(question.correct if correct else wrong)
    elif card["mode"] == "cloze":
        body["response"] = question.cloze_answer if correct else "something else entirely"
    else:
        body["rating"] = 3 if correct else 1
    return body
