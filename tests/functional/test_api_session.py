"""The JSON API as a client uses it: a whole study session, every response checked against the
document the API serves (tests/functional/api_client.py)."""

from __future__ import annotations

import itertools
import json
import re
import uuid

import sqlalchemy as sa

from app.api.spec import spec
from app.extensions import db
from app.models import Card, Question
from app.services import banks
from tests.factories import NOW, bearer, make_token, make_user
from tests.functional.api_client import PREFIX, Api, answer_for
from tests.functional.test_api_contract import documented_operations
from tests.integration.test_bank_sync import write_bank


def test_a_whole_session_matches_the_document(app, client, tmp_path):
    banks.sync(write_bank(tmp_path / "banks"), now=NOW)
    ada = Api(client, make_token(make_user(email="ada@example.com")))
    eve = Api(client, make_token(make_user(email="eve@example.com")))
    anonymous = Api(client, None)
    with app.app_context():
        doc = spec.spec
    operations = documented_operations(doc)

    # The document itself is public: exactly what the models generate.
    served = client.get(PREFIX + "/openapi.json")
    assert served.status_code == 200
    assert served.get_json() == json.loads(json.dumps(doc))

    # Without a valid token, every operation is a 401 with a WWW-Authenticate challenge.
    for path, method in sorted(operations):
        if path.startswith("/live/") and "{" not in path:
            continue  # a live quiz's players join without an account (test_api_live.py)
        params = {name: "1" for name in re.findall(r"\{(\w+)\}", path)}
        params["action"] = "bury"
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
    assert card["mode"] == "choice"  # the bank's first card
    # Two steps for a graded card: the verdict first (nothing recorded), then the rating.
    check = {k: first_body[k] for k in ("question_id", "version", "response", "track")}
    verdict = ada.post("/study/checks", body=check, expect=200)
    assert verdict["correct"] is True and verdict["ratings"] == [2, 3, 4]
    assert set(verdict["intervals"]) == {"1", "2", "3", "4"}
    wrong = answer_for(card, correct=False)["response"]
    missed = ada.post("/study/checks", body={**check, "response": wrong}, expect=200)
    assert missed["correct"] is False and missed["ratings"] == [1]
    eve.post("/study/checks", body=check, expect=404)  # not in eve's tracks
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
        body = answer_for(shown["card"], correct=number % 3 != 1)
        if shown["card"]["mode"] == "choice" and number % 2:
            body["response"] = int(body["response"])  # a choice id as a number, too
        answered.append(ada.post("/study/answers", body=body, expect=201))
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
    change = "/study/cards/{question_id}/{action}"
    unsuspended = ada.post(change, action="unsuspend", expect=200, **target)
    assert (unsuspended["suspended"], unsuspended["leech"]) == (False, False)
    assert ada.post(change, action="suspend", expect=200, **target)["suspended"]
    buried = ada.post(change, action="bury", expect=200, **target)
    assert buried["buried_until"] is not None
    for action, unknown in itertools.product(("suspend", "unsuspend", "bury"), (999_999, 2**31)):
        ada.post(change, action=action, expect=404, question_id=unknown)
    eve.post(change, action="bury", expect=404, **target)  # not in eve's tracks
    assert ada.get("/study/leeches", expect=200) == {"leeches": []}

    # A stale version after those actions; then undo every answer, newest first, until a 404.
    ada.post(
        "/study/answers",
        body={**lapse, "review_id": str(uuid.uuid4()), "version": leech["version"]},
        expect=409,
    )
    # Undo is a stack: the bury, the suspend and the unsuspend come back first, newest first.
    for action, suspended in (("bury", True), ("suspend", False), ("unsuspend", True)):
        reply = ada.post("/study/undo", expect=200)
        assert (reply["undid"], reply["question_ids"]) == (action, [graduated["question_id"]])
        assert reply["cards"][0]["suspended"] is suspended
    assert reply["cards"][0]["leech"] is True and reply["cards"][0]["buried_until"] is None
    undone = []
    for _ in range(len(answered) + 1):
        reply = ada.post("/study/undo", expect=200)
        assert reply["undid"] == "answer" and reply["question_ids"] == [reply["question_id"]]
        undone.append(reply["question_id"])
    assert undone[0] == graduated["question_id"]
    assert reply["cards"][0]["state"] == "new" and reply["cards"][0]["reps"] == 0  # as before
    assert sorted(undone[1:]) == sorted(a["question_id"] for a in answered)
    ada.post("/study/undo", expect=404)
    assert ada.get("/study/today", expect=200)["counts"]["done_today"] == 0

    # Custom study: more new cards today, in one track only (their effect on the queue is
    # tested in tests/integration/test_track_progress.py).
    more = ada.post("/enrolments/{enrolment_id}/more-new", body={"count": 2}, expect=200, **mine)
    assert more == {"extra_today": 2}
    ada.post("/enrolments/{enrolment_id}/more-new", body={"count": 0}, expect=422, **mine)
    eve.post("/enrolments/{enrolment_id}/more-new", body={"count": 1}, expect=404, **mine)

    # The card browser: every card of the track, then a selection changed at once.
    listed = ada.get("/cards", query={"sort": "lapses", "limit": "50"}, expect=200)
    assert listed["total"] == len(listed["cards"]) > len(answered)
    assert listed["cards"][0]["lapses"] >= listed["cards"][-1]["lapses"]
    picked = [c["question_id"] for c in listed["cards"][:2]]
    changed = ada.post(
        "/cards/{action}", action="unbury", body={"question_ids": picked}, expect=200
    )
    assert [c["buried_until"] for c in changed["cards"]] == [None, None]
    assert eve.get("/cards", expect=200)["total"] == 0
    eve.post("/cards/{action}", action="suspend", body={"question_ids": picked}, expect=404)

    # Leaving: another learner cannot; the owner can, once.
    eve.call("delete", "/enrolments/{enrolment_id}", expect=404, **mine)
    ada.call("delete", "/enrolments/{enrolment_id}", expect=204, **mine)
    ada.call("delete", "/enrolments/{enrolment_id}", expect=404, **mine)
    ada.get("/enrolments/{enrolment_id}/preset", expect=404, **mine)
    assert ada.get("/enrolments", expect=200) == {"enrolments": []}

    # Any other documented GET without path parameters answers as documented too.
    for path, method in sorted(operations - ada.succeeded):
        if (
            method == "get"
            and "{" not in path
            and not path.startswith(("/interview", "/groups", "/live", "/imports", "/exports"))
        ):
            ada.get(path, expect=200)

    # Every documented operation was exercised, each with a success status (interview prep's in
    # test_api_interview.py, reading groups' in test_api_groups.py, live quizzes' in
    # test_api_live.py, Anki's in tests/anki/test_interop_pages.py).
    elsewhere = ("/interview", "/groups", "/live", "/imports", "/exports")
    rest = {op for op in operations if not op[0].startswith(elsewhere)}
    assert sorted(rest - ada.succeeded - eve.succeeded) == []


def test_an_unknown_api_path_is_a_json_404(client, app):
    token = make_token(make_user())
    response = client.get(PREFIX + "/no/such/thing", headers=bearer(token))
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and set(error) == {"code", "message", "details"}


def test_an_answer_with_its_track_makes_a_card_of_that_track(app, client, tmp_path):
    root = write_bank(tmp_path / "banks")
    (root / "tracks" / "more.yaml").write_text(
        "key: more\ntitle: More\ndescription: More.\nlevel: beginner\narticles:\n  - queues\n"
    )
    banks.sync(root, now=NOW)
    ada = Api(client, make_token(make_user()))
    ada.post("/enrolments", body={"track": "basics"}, expect=201)  # the earliest covers queues too
    more = ada.post("/enrolments", body={"track": "more"}, expect=201)
    card = ada.get("/study/next", query={"track": "more"}, expect=200)["card"]
    assert card["track"] == "more" and card["article"]["key"] == "queues"
    ada.post("/study/answers", body=answer_for(card), expect=201)
    stored = db.session.scalar(sa.select(Card).where(Card.question_id == card["question_id"]))
    assert stored.enrolment_id == more["id"]
