"""Live quizzes through the JSON API, every response checked against the served document: a host
with a token, a member and a guest joining by code, polling by version, answering, the reveal,
the board, a kick; and a guest reaching nothing but their seat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.api.spec import spec
from app.extensions import db
from app.models import Question
from app.services import banks
from tests.factories import NOW, make_token, make_user, write_os_bank
from tests.functional.api_client import Api
from tests.functional.test_api_contract import documented_operations


def _right(shown: dict[str, Any]) -> int:
    question = db.session.get(Question, shown["question_id"])
    assert question is not None and question.correct is not None
    assert sorted(shown["choice_ids"]) == list(range(len(question.choices)))
    return question.correct


def test_a_live_quiz_through_the_api(app: Any, client: Any, tmp_path: Path) -> None:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    host = Api(client, make_token(make_user(email="host@example.com", name="Hana")))
    mia = Api(client, make_token(make_user(email="mia@example.com", name="Mia")))
    anyone = Api(client, None)

    host.post("/live", body={"article": "process-vs-thread", "track": "os"}, expect=422)
    live = host.post(
        "/live",
        body={"article": "process-vs-thread", "guests_allowed": True, "count": 2},
        expect=201,
    )
    assert (
        live["phase"] == "lobby" and live["total"] == 2 and live["join_url"].endswith(live["code"])
    )
    member_seat = mia.post("/live/join", body={"code": live["code"]}, expect=201)
    assert member_seat["nickname"] == "Mia"
    assert (
        mia.post("/live/join", body={"code": live["code"]}, expect=201)["seat"]
        == member_seat["seat"]
    )
    guest_seat = anyone.post(
        "/live/join", body={"code": live["code"], "nickname": "Zed"}, expect=201
    )
    anyone.post("/live/join", body={"code": live["code"], "nickname": "ZED"}, expect=422)
    anyone.post("/live/join", body={"code": live["code"]}, token="rh_bad", expect=401)
    seats = {
        "mia": {"X-Live-Seat": member_seat["seat"]},
        "zed": {"X-Live-Seat": guest_seat["seat"]},
    }

    def state(who: str, since: int | None = None, expect: int = 200) -> Any:
        query = {"since": str(since)} if since is not None else None
        response = client.get("/api/v1/live/state", headers=seats[who], query_string=query)
        assert response.status_code == expect, response.get_data(as_text=True)
        from tests.functional.api_client import check

        return check(app, response, "/live/state", "get")

    lobby = state("zed")
    assert lobby["phase"] == "lobby" and lobby["players"] == 2 and lobby["you"] == "Zed"
    state("zed", since=lobby["version"], expect=204)
    assert client.get("/api/v1/live/state").status_code == 422  # no seat key: says which header
    assert client.get("/api/v1/live/state", headers={"X-Live-Seat": "nope"}).status_code == 404

    view = host.get("/live/{quiz_id}", quiz_id=live["id"], expect=200)
    assert [p["nickname"] for p in view["players"]] == ["Mia", "Zed"]
    opened = host.post(
        "/live/{quiz_id}/actions",
        quiz_id=live["id"],
        body={"action": "next", "version": view["version"]},
        expect=200,
    )
    host.post(
        "/live/{quiz_id}/actions",
        quiz_id=live["id"],
        body={"action": "reveal", "version": view["version"]},
        expect=409,
    )
    question = state("zed", since=lobby["version"])
    assert (
        question["phase"] == "question"
        and question["question"]["choice_ids"] == opened["question"]["choice_ids"]
    )
    right = _right(question["question"])
    wrong = next(i for i in question["question"]["choice_ids"] if i != right)
    body = {"position": 0, "response": right}
    ack = client.post("/api/v1/live/answers", json=body, headers=seats["mia"])
    assert ack.status_code == 200 and ack.get_json()["response"] == str(right)
    again = client.post(
        "/api/v1/live/answers", json={"position": 0, "response": wrong}, headers=seats["mia"]
    )
    assert again.get_json()["response"] == str(right)  # one answer per player per question
    client.post(
        "/api/v1/live/answers", json={"position": 0, "response": wrong}, headers=seats["zed"]
    )
    assert host.get("/live/{quiz_id}", quiz_id=live["id"], expect=200)["answered"] == 2
    revealed = host.post(
        "/live/{quiz_id}/actions",
        quiz_id=live["id"],
        body={"action": "reveal", "version": opened["version"]},
        expect=200,
    )
    assert revealed["reveal"]["correct_id"] == right and sum(revealed["reveal"]["counts"]) == 2
    assert [s["nickname"] for s in revealed["leaderboard"]] == ["Mia", "Zed"]
    mine = state("mia")
    assert mine["my_answer"]["correct"] is True and mine["me"]["rank"] == 1
    kim = anyone.post("/live/join", body={"code": live["code"], "nickname": "Kim"}, expect=201)
    late = client.post(
        "/api/v1/live/answers",
        json={"position": 0, "response": right},
        headers={"X-Live-Seat": kim["seat"]},
    )
    assert late.status_code == 409  # the question closed with the reveal

    zed_id = next(p["player_id"] for p in revealed["players"] if p["nickname"] == "Zed")
    host.post(
        "/live/{quiz_id}/players/{player_id}/kick", quiz_id=live["id"], player_id=zed_id, expect=204
    )
    assert client.get("/api/v1/live/state", headers=seats["zed"]).status_code == 403
    mia.get("/live/{quiz_id}", quiz_id=live["id"], expect=404)  # players do not host
    mia.post(
        "/live/{quiz_id}/actions",
        quiz_id=live["id"],
        body={"action": "end", "version": 1},
        expect=404,
    )
    mia.post(
        "/live/{quiz_id}/players/{player_id}/kick", quiz_id=live["id"], player_id=zed_id, expect=404
    )
    # A seat key is no token: with it alone a guest reaches no member endpoint.
    assert client.get("/api/v1/me", headers=seats["zed"]).status_code == 401
    ended = host.post(
        "/live/{quiz_id}/actions",
        quiz_id=live["id"],
        body={
            "action": "end",
            "version": host.get("/live/{quiz_id}", quiz_id=live["id"], expect=200)["version"],
        },
        expect=200,
    )
    assert ended["phase"] == "ended"
    anyone.post("/live/join", body={"code": live["code"], "nickname": "Late"}, expect=409)

    with app.app_context():
        live_operations = {
            op for op in documented_operations(spec.spec) if op[0].startswith("/live")
        }
    exercised = (
        host.succeeded
        | mia.succeeded
        | anyone.succeeded
        | {("/live/state", "get"), ("/live/answers", "post")}
    )
    assert sorted(live_operations - exercised) == []


def test_guests_reach_nothing_but_their_seat(app: Any, client: Any, tmp_path: Path) -> None:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    host = Api(client, make_token(make_user(email="host@example.com")))
    live = host.post(
        "/live", body={"article": "process-vs-thread", "guests_allowed": True}, expect=201
    )
    joined = client.post(f"/live/play/{live['code']}", data={"nickname": "Guest"})
    assert joined.status_code == 302
    assert client.get(f"/live/play/{live['code']}").status_code == 200
    for page in (
        "/study/",
        "/interview/",
        "/groups/",
        "/account/",
        "/stats",
        f"/live/{live['id']}/host",
    ):
        response = client.get(page)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], page
