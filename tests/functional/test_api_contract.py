"""The API's document against the running app.

Every API route is in the document and nothing else is; the document is valid OpenAPI 3.1; and a
bounded schemathesis run against a live server sends generated requests, valid and invalid, to
every operation and finds no server error and no response the document does not allow.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate as validate_openapi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app import create_app
from app.api.spec import spec
from app.extensions import db
from app.services import banks
from tests.conftest import app_config
from tests.factories import NOW, bearer, make_token, make_user
from tests.functional.api_client import PREFIX, Api, answer_for
from tests.integration.test_bank_sync import write_bank

IMPLICIT_METHODS = {"HEAD", "OPTIONS"}  # Flask adds these to routes by itself
PUBLIC = {("/openapi.json", "get")}  # the document itself: public, and not in itself
EXAMPLES_PER_OPERATION = 40
ANSWERED = 6
_ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


def document(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return spec.spec


def app_operations(app: Flask) -> set[tuple[str, str]]:
    """(path, method) of every API route, paths as OpenAPI writes them (``{name}``)."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            path = _ARGUMENT.sub(r"{\1}", rule.rule.removeprefix(PREFIX))
            for method in (rule.methods or set()) - IMPLICIT_METHODS:
                operations.add((path, method.lower()))
    return operations


def documented_operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    """(path, method) of every documented operation, paths relative to /api/v1."""
    return {
        (path.removeprefix(PREFIX), method)
        for path, item in doc["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch"}
    }


def test_the_route_conversion():
    assert _ARGUMENT.sub(r"{\1}", "/c/<int:q>/<any(a, b):action>") == "/c/{q}/{action}"


def test_every_route_is_documented_and_every_documented_operation_exists(app):
    in_app = app_operations(app) - PUBLIC
    in_doc = documented_operations(document(app))
    assert in_app, "no routes under /api/v1?"
    assert sorted(in_app - in_doc) == [], "routes missing from the OpenAPI document"
    assert sorted(in_doc - in_app) == [], "documented operations the app does not have"


def test_the_document_is_valid_openapi_3_1(app, client):
    served = client.get(PREFIX + "/openapi.json")
    assert served.status_code == 200 and "Authorization" not in served.request.headers
    doc = served.get_json()
    assert doc["openapi"].startswith("3.1.")
    validate_openapi(doc)


# A live quiz's players need no account: they join by code (a token makes them a member) and
# then send the seat key the join gave as a header.
SEAT_PATHS = {"/api/v1/live/state", "/api/v1/live/answers"}


def test_every_operation_has_a_unique_id_and_documents_401(app):
    doc = document(app)
    ids = []
    for path, item in doc["paths"].items():
        for operation in item.values():
            ids.append(operation["operationId"])
            security = operation.get("security", doc["security"])
            if path in SEAT_PATHS:
                assert security == [], path
                headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
                assert headers == ["X-Live-Seat"], path
                continue
            assert "401" in operation["responses"], path
            if path == "/api/v1/live/join":
                assert security == [{}, {"bearer": []}], path
            else:
                assert security == [{"bearer": []}], path
    assert len(ids) == len(set(ids))


def test_a_request_body_is_refused_whole_with_every_wrong_field_named(app, client):
    token = make_token(make_user())
    response = client.post(
        PREFIX + "/study/answers",
        json={"review_id": "", "question_id": -1, "rating": True, "colour": "blue"},
        headers=bearer(token),
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["fields"] == {
        "review_id": "Send a review id of 1 to 64 characters.",
        "question_id": "Use a number of at least 0.",
        "version": "This field is required.",
        "rating": "Use 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).",
        "colour": "Unknown field.",
    }


# ------------------------------------------------------------------------------------------------
# Generated requests against a live server
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def learner_api(make_app, live_server, tmp_path) -> tuple[str, str]:
    """A live server with the test banks, and the token of a learner midway through a day: enrolled
    in a track, some cards answered (so undo, leeches and card actions have something to act on)."""
    app = make_app()
    with app.app_context():
        banks.sync(write_bank(tmp_path / "banks"), now=NOW)
        token = make_token(make_user(email="fuzz@example.com"))
        db.session.commit()
        learner = Api(app.test_client(), token)
        learner.post("/enrolments", body={"track": "basics"}, expect=201)
        for number in range(ANSWERED):
            card = learner.get("/study/next", expect=200)["card"]
            learner.post(
                "/study/answers", body=answer_for(card, correct=number % 2 == 0), expect=201
            )
        db.session.remove()
    return live_server(app), token


def _served_document() -> Any:
    """The document as the app serves it, read once when the tests are collected."""
    app = create_app(app_config("sqlite://"))
    served = app.test_client().get(PREFIX + "/openapi.json")
    assert served.status_code == 200
    return schemathesis.openapi.from_dict(served.get_json())


generated = _served_document()


@generated.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same requests on every run: CI fails only on a real change
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_get_documented_answers_and_no_server_error(case, learner_api):
    base, token = learner_api
    # Every check but one: a request can match the schema and still be refused by meaning (steps
    # out of order, an answer to a card not shown), and that 422 is right, not a violation.
    case.call_and_validate(
        base_url=base, headers=bearer(token), excluded_checks=[positive_data_acceptance]
    )
