"""The OpenAPI document of /api/v1 against the running app.

Every route is documented with its methods and nothing else is; the document is valid OpenAPI 3.1;
and a whole study session driven through the API gets only documented statuses, each with a body
that matches the schema documented for it (and no field the schema does not name).
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, Response
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.api.openapi import document
from app.extensions import db
from app.models import Card, Question
from app.services import banks
from tests.factories import NOW, bearer, make_token, make_user
from tests.integration.test_bank_sync import write_bank

PREFIX = "/api/v1"
DOC_URI = "urn:rehearse:openapi"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}  # Flask adds these to routes by itself
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


# ------------------------------------------------------------------------------------------------
# Routes and documented operations
# ------------------------------------------------------------------------------------------------


def openapi_paths(rule: str) -> list[str]:
    """A Flask rule as OpenAPI paths: ``<int:x>`` is ``{x}``, ``<any(a, b):x>`` one path each."""
    pieces: list[list[str]] = []
    position = 0
    for match in _ARGUMENT.finditer(rule):
        pieces.append([rule[position : match.start()]])
        if match["converter"] == "any":
            pieces.append([c.strip().strip("'\"") for c in match["args"].split(",")])
        else:
            pieces.append([f"{{{match['name']}}}"])
        position = match.end()
    pieces.append([rule[position:]])
    return ["".join(choice) for choice in itertools.product(*pieces)]


def app_operations(app: Flask) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        for path in openapi_paths(rule.rule.removeprefix(PREFIX)):
            for method in (rule.methods or set()) - IMPLICIT_METHODS:
                operations.add((path, method.lower()))
    return operations


def documented_operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in doc["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_the_path_conversion():
    assert openapi_paths("/e/<int:enrolment_id>/preset") == ["/e/{enrolment_id}/preset"]
    assert openapi_paths("/c/<int:q>/<any(suspend, 'bury'):action>") == [
        "/c/{q}/suspend",
        "/c/{q}/bury",
    ]
    assert openapi_paths("/plain") == ["/plain"]


def test_every_route_is_documented_and_every_documented_operation_exists(app):
    in_app = app_operations(app)
    in_doc = documented_operations(document())
    assert in_app, "no routes under /api/v1?"
    assert sorted(in_app - in_doc) == [], "routes missing from the OpenAPI document"
    assert sorted(in_doc - in_app) == [], "documented operations the app does not have"


def test_the_document_is_valid_openapi_3_1():
    doc = document()
    assert doc["openapi"].startswith("3.1.")
    validate_openapi(json.loads(json.dumps(doc)))  # exactly what /openapi.json serves


def test_every_operation_has_a_unique_id_and_documents_401_unless_public():
    doc = document()
    ids = []
    for path, method in documented_operations(doc):
        operation = doc["paths"][path][method]
        ids.append(operation["operationId"])
        public = operation.get("security", doc["security"]) == []
        assert ("401" in operation["responses"]) is not public, (path, method)
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------------------------------------
# Checking responses against the document
# ------------------------------------------------------------------------------------------------


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


class Contract:
    """Checks responses against the document and records which operations were exercised."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.registry: Registry = Registry().with_resource(
            DOC_URI, Resource(contents=doc, specification=DRAFT202012)
        )
        self.seen: set[tuple[str, str, str]] = set()

    def _at(self, pointer: str) -> Any:
        node: Any = self.doc
        for segment in pointer.lstrip("/").split("/"):
            segment = segment.replace("~1", "/").replace("~0", "~")
            node = node[int(segment)] if isinstance(node, list) else node[segment]
        return node

    def _follow(self, pointer: str) -> tuple[Any, str]:
        node = self._at(pointer)
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/"), f"only local references are supported: {ref}"
            pointer = ref[1:]
            node = self._at(pointer)
        return node, pointer

    def check(self, response: Response, path: str, method: str) -> Any:
        """Fail unless the status is documented for this operation and the body matches."""
        operation = self.doc["paths"][path][method]
        status = str(response.status_code)
        assert status in operation["responses"], (
            f"{method.upper()} {path} answered {status}, which is not documented "
            f"(documented: {', '.join(sorted(operation['responses']))}): "
            f"{response.get_data(as_text=True)[:500]}"
        )
        self.seen.add((path, method, status))
        base = f"/paths/{_escape(path)}/{method}/responses/{status}"
        documented, pointer = self._follow(base)
        for header in documented.get("headers", {}):
            assert header in response.headers, f"{method.upper()} {path} {status}: no {header}"
        if "content" not in documented:
            assert response.get_data() == b"", f"{method.upper()} {path} {status} has a body"
            return None
        assert response.mimetype == "application/json", response.mimetype
        body = response.get_json()
        schema_pointer = f"{pointer}/content/{_escape('application/json')}/schema"
        validator = Draft202012Validator(
            {"$ref": f"{DOC_URI}#{schema_pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(body)]
        errors += self.undocumented_fields(body, [self._at(schema_pointer)])
        assert not errors, f"{method.upper()} {path} {status}:\n" + "\n".join(errors)
        return body

    def _properties(self, schemas: list[Any]) -> tuple[dict[str, list[Any]], bool]:
        """The properties the schemas name (through $ref, allOf, anyOf, oneOf); open if none do."""
        named: dict[str, list[Any]] = {}
        open_ = False
        pending = list(schemas)
        while pending:
            schema = pending.pop()
            if not isinstance(schema, dict):
                continue
            if "$ref" in schema:
                pending.append(self._follow(schema["$ref"][1:])[0])
            for keyword in ("allOf", "anyOf", "oneOf"):
                pending.extend(schema.get(keyword, []))
            for name, sub in schema.get("properties", {}).items():
                named.setdefault(name, []).append(sub)
            if schema.get("additionalProperties", False) is not False:
                open_ = True
        return named, open_ or not named

    def undocumented_fields(self, instance: Any, schemas: list[Any], where: str = "$") -> list[str]:
        """Every key of the instance that none of the schemas names, however deep."""
        problems: list[str] = []
        if isinstance(instance, dict):
            named, open_ = self._properties(schemas)
            if not open_:
                problems += [
                    f"{where}.{key}: not documented" for key in instance if key not in named
                ]
            for key, value in instance.items():
                problems += self.undocumented_fields(value, named.get(key, []), f"{where}.{key}")
        elif isinstance(instance, list):
            items = self._items(schemas)
            for index, value in enumerate(instance):
                problems += self.undocumented_fields(value, items, f"{where}[{index}]")
        return problems

    def _items(self, schemas: list[Any]) -> list[Any]:
        found: list[Any] = []
        pending = list(schemas)
        while pending:
            schema = pending.pop()
            if not isinstance(schema, dict):
                continue
            if "$ref" in schema:
                pending.append(self._follow(schema["$ref"][1:])[0])
            for keyword in ("allOf", "anyOf", "oneOf"):
                pending.extend(schema.get(keyword, []))
            if "items" in schema:
                found.append(schema["items"])
        return found


class Api:
    """Calls the API as one learner and checks every response against the document."""

    def __init__(self, client: FlaskClient, contract: Contract, token: str | None) -> None:
        self.client = client
        self.contract = contract
        self.token = token

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
        checked = self.contract.check(response, path, method)
        assert response.status_code == expect, (
            f"{method.upper()} {url}: expected {expect}, got {response.status_code}: {checked}"
        )
        return checked

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("get", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("post", path, **kwargs)


def fake_response(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def test_the_contract_rejects_an_undocumented_status_a_wrong_body_and_an_unnamed_field():
    contract = Contract(document())
    me = {"id": 1, "email": "a@b.c", "display_name": "A", "timezone": "UTC", "day_start_hour": 4}
    assert contract.check(fake_response(200, me), "/me", "get") == me
    with pytest.raises(AssertionError, match="418, which is not documented"):
        contract.check(fake_response(418, {}), "/me", "get")
    with pytest.raises(AssertionError, match="day_start_hour"):
        contract.check(fake_response(200, {**me, "day_start_hour": 30}), "/me", "get")
    with pytest.raises(AssertionError, match=r"\$\.secret: not documented"):
        contract.check(fake_response(200, {**me, "secret": "x"}), "/me", "get")
    error = {"error": {"code": "not_found", "message": "gone", "details": {}}}
    with pytest.raises(AssertionError, match="not documented"):
        contract.check(fake_response(404, error), "/me", "get")
    with pytest.raises(AssertionError, match="has a body"):
        contract.check(fake_response(204, {}), "/enrolments/{enrolment_id}", "delete")
    with pytest.raises(AssertionError, match="fields"):
        contract.check(fake_response(422, {**error, "code": "invalid"}), "/enrolments", "post")


# ------------------------------------------------------------------------------------------------
# A whole session through the API
# ------------------------------------------------------------------------------------------------


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


def test_a_whole_session_matches_the_document(app, client, tmp_path):
    banks.sync(write_bank(tmp_path / "banks"), now=NOW)
    contract = Contract(document())
    ada = Api(client, contract, make_token(make_user(email="ada@example.com")))
    eve = Api(client, contract, make_token(make_user(email="eve@example.com")))
    anonymous = Api(client, contract, None)

    # The document itself is public and is what document() builds.
    served = anonymous.get("/openapi.json", expect=200)
    assert served == json.loads(json.dumps(document()))

    # Without a valid token, every operation is a 401 with a WWW-Authenticate challenge.
    for path, method in sorted(documented_operations(contract.doc)):
        if path == "/openapi.json":
            continue
        params = {name: "1" for name in re.findall(r"\{(\w+)\}", path)}
        body = anonymous.call(method, path, expect=401, body={}, **params)
        assert body["error"]["code"] == "unauthorized"
    anonymous.get("/me", expect=401, token="rh_not-a-real-token")

    # The account and the catalogue.
    assert ada.get("/me", expect=200)["email"] == "ada@example.com"
    assert [t["key"] for t in ada.get("/tracks", expect=200)["tracks"]] == ["basics"]
    assert len(ada.get("/tracks/{key}", key="basics", expect=200)["articles"]) == 3
    assert len(ada.get("/articles", expect=200)["articles"]) == 3
    assert ada.get("/articles/{key}", key="caching", expect=200)["questions"]
    for unknown in ("nope", "a%00b"):  # PostgreSQL refuses a NUL: still a 404, not a 500
        ada.get("/tracks/{key}", key=unknown, expect=404)
        ada.get("/articles/{key}", key=unknown, expect=404)

    # Nothing to study before enrolling.
    assert ada.get("/enrolments", expect=200) == {"enrolments": []}
    assert ada.get("/study/next", expect=200)["card"] is None
    assert ada.get("/study/today", expect=200)["counts"]["new"] == 0
    ada.get("/study/leeches", expect=200)
    ada.post("/study/undo", expect=404)

    # Enrolling: bad bodies, an unknown track, then twice (the second returns the first).
    for bad in ({}, {"track": 5}, {"track": "basics\0"}):
        ada.post("/enrolments", body=bad, expect=422)
    invalid = ada.post("/enrolments", raw="not json", expect=422)
    assert "body" in invalid["error"]["details"]["fields"]
    ada.post("/enrolments", body={"track": "nope"}, expect=404)
    enrolment = ada.post("/enrolments", body={"track": "basics"}, expect=201)
    again = ada.post("/enrolments", body={"track": "basics"}, expect=200)
    assert again["id"] == enrolment["id"]
    assert [e["id"] for e in ada.get("/enrolments", expect=200)["enrolments"]] == [enrolment["id"]]
    mine = {"enrolment_id": enrolment["id"]}

    # The preset: read, a bad change (every wrong field named, nothing changed), a good change.
    preset = ada.get("/enrolments/{enrolment_id}/preset", expect=200, **mine)
    assert preset == enrolment["preset"]
    bad = ada.call(
        "patch",
        "/enrolments/{enrolment_id}/preset",
        body={"new_per_day": -1, "desired_retention": "high", "colour": "blue"},
        expect=422,
        **mine,
    )
    assert set(bad["error"]["details"]["fields"]) == {"new_per_day", "desired_retention", "colour"}
    ada.call("patch", "/enrolments/{enrolment_id}/preset", raw="[1]", expect=422, **mine)
    assert ada.get("/enrolments/{enrolment_id}/preset", expect=200, **mine) == preset
    changed = ada.call(
        "patch",
        "/enrolments/{enrolment_id}/preset",
        body={"learning_steps": "", "leech_threshold": 1, "new_per_day": 50},
        expect=200,
        **mine,
    )
    assert (changed["learning_steps"], changed["leech_threshold"]) == ("", 1)
    for unknown in (999_999, 2**31, 2**64):  # beyond what an id column holds, too
        ada.call(
            "patch", "/enrolments/{enrolment_id}/preset", body={}, expect=404, enrolment_id=unknown
        )
        ada.call("delete", "/enrolments/{enrolment_id}", expect=404, enrolment_id=unknown)
    eve.get("/enrolments/{enrolment_id}/preset", expect=404, **mine)

    # Today, for every track or one.
    today = ada.get("/study/today", query={"track": "basics"}, expect=200)
    assert today["counts"]["new"] > 0 and today["counts"]["done_today"] == 0
    ada.get("/study/today", query={"track": "nope"}, expect=404)
    ada.get("/study/next", query={"track": "nope"}, expect=404)

    # The first answer is recorded (201); the same review id again is replayed (200).
    card = ada.get("/study/next", query={"track": "basics"}, expect=200)["card"]
    assert card["version"] == 0 and card["source"] == "new"
    first_body = answer_for(card)
    first = ada.post("/study/answers", body=first_body, expect=201)
    assert first["replayed"] is False and first["question_id"] == card["question_id"]
    replay = ada.post("/study/answers", body={**first_body, "rating": 1}, expect=200)
    assert replay == {**first, "replayed": True}

    # A stale version is a conflict and records nothing; so is a review id reused elsewhere.
    stale = ada.post(
        "/study/answers",
        body={**answer_for(card), "version": card["version"]},
        expect=409,
    )
    assert stale["error"]["code"] == "conflict"
    other = next(
        q["id"]
        for q in ada.get("/articles/{key}", key="queues", expect=200)["questions"]
        if q["id"] != card["question_id"]
    )
    ada.post(
        "/study/answers",
        body={**first_body, "question_id": other, "version": 0},
        expect=409,
    )

    # Bad bodies are 422s naming the field; an unknown question is a 404.
    for bad, field in (
        ({**first_body, "review_id": None}, "review_id"),
        ({**answer_for(card), "version": "1"}, "version"),
        ({**answer_for(card), "question_id": None}, "question_id"),
        ({**answer_for(card), "rating": 7}, "rating"),
        ({**answer_for(card), "duration_ms": -5}, "duration_ms"),
        ({**answer_for(card), "review_id": "x" * 65}, "review_id"),
        ({**answer_for(card), "question_id": 2**31}, "question_id"),
        ({**answer_for(card), "version": -1}, "version"),
        ({**answer_for(card), "track": 1}, "track"),
        ({**answer_for(card), "review_id": "nul\0"}, "review_id"),
    ):
        invalid = ada.post("/study/answers", body=bad, expect=422)
        assert field in invalid["error"]["details"]["fields"], invalid
    ada.post("/study/answers", raw="{", expect=422)
    ada.post(
        "/study/answers",
        body={**answer_for(card), "question_id": 999_999, "version": 0},
        expect=404,
    )

    # Answer through the queue: every mode, right and wrong.
    modes: set[str] = set()
    answered = [first]
    for number in range(12):
        shown = ada.get("/study/next", expect=200)
        if shown["card"] is None:
            assert shown["next_due"] is not None
            break
        modes.add(shown["card"]["mode"])
        answered.append(
            ada.post(
                "/study/answers",
                body=answer_for(shown["card"], correct=number % 3 != 1),
                expect=201,
            )
        )
    assert modes == {"choice", "cloze", "recall"}
    assert any(a["correct"] is False and a["rating"] == 1 for a in answered)
    assert ada.get("/study/today", expect=200)["counts"]["done_today"] == len(answered)

    # A lapse on a review card with leech_threshold 1 makes it a suspended leech.
    graduated = next(a for a in answered if a["state"] == "review")
    lapse = {
        "review_id": str(uuid.uuid4()),
        "question_id": graduated["question_id"],
        "version": graduated["version"],
        "rating": 1,
        "response": "",
    }
    question = db.session.get(Question, graduated["question_id"])
    if question.choices:
        lapse["response"] = str((question.correct + 1) % len(question.choices))
    elif question.cloze_answer:
        lapse["response"] = "wrong words"
    leech = ada.post("/study/answers", body=lapse, expect=201)
    assert (leech["state"], leech["leech"], leech["suspended"]) == ("relearning", True, True)
    leeches = ada.get("/study/leeches", expect=200)["leeches"]
    assert [c["question_id"] for c in leeches] == [graduated["question_id"]]
    assert eve.get("/study/leeches", expect=200) == {"leeches": []}

    # Card actions: unsuspend clears the leech; suspend, bury; unknown questions are 404s.
    target = {"question_id": graduated["question_id"]}
    unsuspended = ada.post("/study/cards/{question_id}/unsuspend", expect=200, **target)
    assert (unsuspended["suspended"], unsuspended["leech"]) == (False, False)
    assert ada.post("/study/cards/{question_id}/suspend", expect=200, **target)["suspended"]
    buried = ada.post("/study/cards/{question_id}/bury", expect=200, **target)
    assert buried["buried_until"] is not None
    for action, unknown in itertools.product(("suspend", "unsuspend", "bury"), (999_999, 2**31)):
        ada.post(f"/study/cards/{{question_id}}/{action}", expect=404, question_id=unknown)
    eve.post("/study/cards/{question_id}/bury", expect=404, **target)  # not in eve's tracks
    assert ada.get("/study/leeches", expect=200) == {"leeches": []}

    # A stale version after those actions; then undo every answer, newest first, until a 404.
    ada.post(
        "/study/answers",
        body={**lapse, "review_id": str(uuid.uuid4()), "version": leech["version"]},
        expect=409,
    )
    undone = []
    for _ in range(len(answered) + 1):
        undone.append(ada.post("/study/undo", expect=200)["question_id"])
    assert undone[0] == graduated["question_id"]
    assert sorted(undone[1:]) == sorted(a["question_id"] for a in answered)
    ada.post("/study/undo", expect=404)
    assert ada.get("/study/today", expect=200)["counts"]["done_today"] == 0

    # Leaving: another learner cannot; the owner can, once.
    eve.call("delete", "/enrolments/{enrolment_id}", expect=404, **mine)
    ada.call("delete", "/enrolments/{enrolment_id}", expect=204, **mine)
    ada.call("delete", "/enrolments/{enrolment_id}", expect=404, **mine)
    ada.get("/enrolments/{enrolment_id}/preset", expect=404, **mine)
    assert ada.get("/enrolments", expect=200) == {"enrolments": []}

    # Any other documented GET without path parameters answers as documented too.
    def succeeded() -> set[tuple[str, str]]:
        return {(path, method) for path, method, status in contract.seen if int(status) < 300}

    for path, method in sorted(documented_operations(contract.doc) - succeeded()):
        if method == "get" and "{" not in path:
            ada.get(path, expect=200)

    # Every documented operation was exercised, each with a success status.
    assert sorted(documented_operations(contract.doc) - succeeded()) == []


def test_an_unknown_api_path_is_a_json_404(client, app):
    token = make_token(make_user())
    response = client.get(PREFIX + "/no/such/thing", headers=bearer(token))
    assert response.status_code == 404
    errors = list(
        Draft202012Validator(document()["components"]["schemas"]["Error"]).iter_errors(
            response.get_json()
        )
    )
    assert not errors


def test_an_answer_with_its_track_makes_a_card_of_that_track(app, client, tmp_path):
    root = write_bank(tmp_path / "banks")
    (root / "tracks" / "more.yaml").write_text(
        "key: more\ntitle: More\ndescription: More.\nlevel: beginner\narticles:\n  - queues\n"
    )
    banks.sync(root, now=NOW)
    ada = Api(client, Contract(document()), make_token(make_user()))
    ada.post("/enrolments", body={"track": "basics"}, expect=201)  # the earliest covers queues too
    more = ada.post("/enrolments", body={"track": "more"}, expect=201)
    card = ada.get("/study/next", query={"track": "more"}, expect=200)["card"]
    assert card["track"] == "more" and card["article"]["key"] == "queues"
    ada.post("/study/answers", body=answer_for(card), expect=201)
    stored = db.session.scalar(sa.select(Card).where(Card.question_id == card["question_id"]))
    assert stored.enrolment_id == more["id"]
