"""Reading groups through the JSON API, every response checked against the served document: a
group started, joined by code, scheduled, quizzed, closed and reported on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from app import clock
from app.api.spec import spec
from app.extensions import db
from app.models import Question
from app.services import banks
from tests.factories import make_token, make_user, write_os_bank
from tests.functional.api_client import Api
from tests.functional.test_api_contract import documented_operations


def test_a_reading_group_through_the_api(app: Any, client: Any, tmp_path: Path) -> None:
    banks.sync(write_os_bank(tmp_path / "banks"), now=clock.now())
    olga = Api(client, make_token(make_user(email="olga@example.com", name="Olga")))
    ann_user = make_user(email="ann@example.com", name="Ann")
    ann = Api(client, make_token(ann_user))
    eve = Api(client, make_token(make_user(email="eve@example.com", name="Eve")))

    refused = olga.post(
        "/groups",
        body={
            "name": "Club",
            "track": "os",
            "timezone": "Mars/Base",
            "week_day": 0,
            "week_hour": 9,
        },
        expect=422,
    )
    assert "timezone" in refused["error"]["details"]["fields"]
    group = olga.post(
        "/groups",
        body={
            "name": "Club",
            "track": "os",
            "timezone": "Europe/Berlin",
            "week_day": 0,
            "week_hour": 9,
        },
        expect=201,
    )
    gid = group["id"]
    assert group["week"]["article"]["key"] == "process-vs-thread"
    assert group["week"]["study_session"] == "article-process-vs-thread"
    assert olga.get("/groups", expect=200)["groups"][0]["role"] == "owner"

    invite = olga.post("/groups/{group_id}/invites", group_id=gid, body={"days": 7}, expect=201)
    assert invite["url"].endswith(f"/groups/join/{invite['code']}")
    assert [
        i["id"] for i in olga.get("/groups/{group_id}/invites", group_id=gid, expect=200)["invites"]
    ] == [invite["id"]]
    joined = ann.post("/groups/join", body={"code": invite["code"]}, expect=200)
    assert joined == {
        "group": {"id": gid, "name": "Club", "track": "os", "role": "member", "archived": False},
        "joined": True,
    }
    assert ann.post("/groups/join", body={"code": invite["code"]}, expect=200)["joined"] is False
    ann.post("/groups/join", body={"code": "nope"}, expect=404)
    spare = olga.post("/groups/{group_id}/invites", group_id=gid, body={"days": 1}, expect=201)
    olga.post(
        "/groups/{group_id}/invites/{invite_id}/revoke",
        group_id=gid,
        invite_id=spare["id"],
        expect=204,
    )
    assert (
        "revoked"
        in eve.post("/groups/join", body={"code": spare["code"]}, expect=409)["error"]["message"]
    )

    schedule = olga.get("/groups/{group_id}/schedule", group_id=gid, expect=200)
    assert [u["article"]["key"] for u in schedule["upcoming"]] == ["memory-management"]
    skipped = olga.post(
        "/groups/{group_id}/schedule",
        group_id=gid,
        body={"article": "memory-management", "action": "skip"},
        expect=200,
    )
    assert skipped["upcoming"][0]["skipped"] is True
    ann.post(
        "/groups/{group_id}/schedule",
        group_id=gid,
        body={"article": "memory-management", "action": "unskip"},
        expect=403,
    )

    ann.post("/groups/{group_id}/read", group_id=gid, expect=204)
    ann.post(
        "/groups/{group_id}/sharing",
        group_id=gid,
        body={"shows_progress": True, "shows_answers": True, "counts_quizzes": False},
        expect=200,
    )
    page = olga.get("/groups/{group_id}", group_id=gid, expect=200)
    assert next(m for m in page["members"] if m["name"] == "Ann")["read"] is True

    deadline = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    olga.post(
        "/groups/{group_id}/quizzes",
        group_id=gid,
        body={"deadline": deadline + "+02:00"},
        expect=422,
    )
    quiz = olga.post(
        "/groups/{group_id}/quizzes", group_id=gid, body={"deadline": deadline}, expect=201
    )
    assert quiz["open"] is True and quiz["answered"] is False and quiz["questions"]
    assert [
        q["id"] for q in ann.get("/groups/{group_id}/quizzes", group_id=gid, expect=200)["quizzes"]
    ] == [quiz["id"]]
    ann.get(
        "/groups/{group_id}/quizzes/{quiz_id}/results", group_id=gid, quiz_id=quiz["id"], expect=409
    )
    responses = []
    for shown in quiz["questions"]:
        question = db.session.get(Question, shown["question_id"])
        assert question is not None and sorted(shown["choice_ids"]) == list(
            range(len(question.choices))
        )
        responses.append({"question_id": shown["question_id"], "response": question.correct})
    responses[0]["response"] = (responses[0]["response"] + 1) % len(quiz["questions"][0]["choices"])
    answered = ann.post(
        "/groups/{group_id}/quizzes/{quiz_id}/answers",
        group_id=gid,
        quiz_id=quiz["id"],
        body={"responses": responses},
        expect=201,
    )
    assert answered["answered"] is True and answered["questions"][0]["my_correct"] is False
    ann.post(
        "/groups/{group_id}/quizzes/{quiz_id}/answers",
        group_id=gid,
        quiz_id=quiz["id"],
        body={"responses": responses},
        expect=409,
    )
    assert (
        ann.get(
            "/groups/{group_id}/quizzes/{quiz_id}", group_id=gid, quiz_id=quiz["id"], expect=200
        )["answered"]
        is True
    )
    closed = olga.post(
        "/groups/{group_id}/quizzes/{quiz_id}/close", group_id=gid, quiz_id=quiz["id"], expect=200
    )
    assert closed["open"] is False
    results = olga.get(
        "/groups/{group_id}/quizzes/{quiz_id}/results", group_id=gid, quiz_id=quiz["id"], expect=200
    )
    total = len(quiz["questions"])
    assert [(m["name"], m["right"], m["answered"]) for m in results["members"]] == [
        ("Ann", total - 1, total)
    ]
    assert (
        results["questions"][0]["right"] == 0
        and sum(c["count"] for c in results["questions"][0]["choices"]) == 1
    )
    agenda = olga.get("/groups/{group_id}/report", group_id=gid, expect=200)
    assert (agenda["quizzes"], agenda["answers"], agenda["latest_quiz"]) == (1, total, quiz["id"])
    assert agenda["questions"][0]["question_id"] == responses[0]["question_id"]
    assert agenda["this_week"][0]["wrong"] == 1

    # Roles: make Ann a host, hand her the group, and the former owner leaves.
    ann_id = ann_user.id
    assert olga.post(
        "/groups/{group_id}/members/{user_id}/role",
        group_id=gid,
        user_id=ann_id,
        body={"role": "host"},
        expect=200,
    )["members"]
    olga.post(
        "/groups/{group_id}/members/{user_id}/transfer", group_id=gid, user_id=ann_id, expect=200
    )
    olga.post("/groups/{group_id}/leave", group_id=gid, expect=204)
    olga.get("/groups/{group_id}", group_id=gid, expect=404)
    eve_id = make_user(email="eve2@example.com").id
    ann.post(
        "/groups/{group_id}/members/{user_id}/remove", group_id=gid, user_id=eve_id, expect=404
    )
    second = ann.post("/groups/{group_id}/invites", group_id=gid, body={"days": 30}, expect=201)
    eve.post("/groups/join", body={"code": second["code"]}, expect=200)
    eve_member = next(
        m
        for m in ann.get("/groups/{group_id}", group_id=gid, expect=200)["members"]
        if m["name"] == "Eve"
    )
    ann.post(
        "/groups/{group_id}/members/{user_id}/remove",
        group_id=gid,
        user_id=eve_member["user_id"],
        expect=204,
    )
    archived = ann.post("/groups/{group_id}/archive", group_id=gid, expect=200)
    assert archived["archived"] is True
    ann.post("/groups/{group_id}/invites", group_id=gid, body={"days": 7}, expect=409)

    with app.app_context():
        group_operations = {
            op for op in documented_operations(spec.spec) if op[0].startswith("/groups")
        }
    assert sorted(group_operations - olga.succeeded - ann.succeeded - eve.succeeded) == []
