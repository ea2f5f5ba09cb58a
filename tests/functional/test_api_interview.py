"""Interview prep through the JSON API, every response checked against the served document:
a drill from the suggestion to "drill these again", a rapid-fire round against the server's
clock, a mock interview scored against its rubric, and another learner kept out of all three."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.api.spec import spec
from app.extensions import db
from app.models import Question
from app.services import banks, study
from tests.factories import NOW, make_token, make_user, write_os_bank
from tests.functional.api_client import Api
from tests.functional.test_api_contract import documented_operations


def _answer(shown: dict[str, Any], *, right: bool) -> dict[str, Any]:
    question = db.session.get(Question, shown["question_id"])
    assert question is not None
    if shown["mode"] == "recall":
        return {"rating": 3 if right else 1}
    if shown["mode"] == "choice":
        assert sorted(shown["choice_ids"]) == list(range(len(question.choices)))
        wrong = next(i for i in shown["choice_ids"] if i != question.correct)
        return {"response": question.correct if right else wrong}
    return {"response": question.cloze_answer if right else "not it at all"}


def test_interview_prep_through_the_api(
    app: Any, client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    ada_user = make_user(email="ada@example.com")
    study.enrol(ada_user.id, "os", now=NOW)
    ada = Api(client, make_token(ada_user))
    eve = Api(client, make_token(make_user(email="eve@example.com")))
    moment = [NOW]
    monkeypatch.setattr("app.api.interview.now", lambda: moment[0])

    # The overview suggests a drill that can be posted as it is.
    overview = ada.get("/interview", expect=200)
    assert [r["track"] for r in overview["readiness"]] == ["os"]
    assert overview["readiness"][0]["ready"] == 0 and overview["readiness"][0]["questions"] > 0
    drill = ada.post("/interview/drills", body=overview["suggestion"]["drill"], expect=201)
    assert drill["total"] == 10 and drill["counts"] is False and drill["question"]

    # Answer all ten, every other one wrong; the same position again replays the first answer.
    missed = []
    while drill["question"] is not None:
        right = drill["position"] % 2 == 0
        body = {"position": drill["position"], **_answer(drill["question"], right=right)}
        result = ada.post(
            "/interview/drills/{drill_id}/answers", drill_id=drill["id"], body=body, expect=200
        )
        assert result["correct"] is right and result["counted"] is False
        if not right:
            missed.append(result["question_id"])
        again = ada.post(
            "/interview/drills/{drill_id}/answers", drill_id=drill["id"], body=body, expect=200
        )
        assert again == result
        drill = ada.get("/interview/drills/{drill_id}", drill_id=drill["id"], expect=200)
    assert drill["finished"] is True
    late = ada.post(
        "/interview/drills/{drill_id}/answers",
        drill_id=drill["id"],
        body={"position": 10, "rating": 3},
        expect=409,
    )
    assert "over" in late["error"]["message"]
    results = ada.get("/interview/drills/{drill_id}/results", drill_id=drill["id"], expect=200)
    assert (results["answered"], results["correct"], results["score"]) == (10, 5, 0.5)
    assert [m["question_id"] for m in results["misses"]] == missed
    redo = ada.post("/interview/drills/{drill_id}/again", drill_id=drill["id"], body={}, expect=201)
    assert redo["total"] == 5
    refused = ada.post(
        "/interview/drills", body={"count": 0, "scope": {"tracks": ["nope"]}}, expect=422
    )
    assert refused["error"]["details"]["fields"].keys() >= {"count"}
    refused = ada.post("/interview/drills", body={"scope": {"tracks": ["nope"]}}, expect=422)
    assert "tracks" in refused["error"]["details"]["fields"]

    # A rapid-fire round: the server measures each answer and refuses one after the deadline.
    round_ = ada.post("/interview/rounds", body={"scope": "track:os", "seconds": 60}, expect=201)
    assert round_["seconds_left"] == 60 and round_["question"]["mode"] == "choice"
    for step in range(3):
        moment[0] = moment[0] + timedelta(seconds=3)
        shown = round_["question"]
        body = {"position": round_["position"], **_answer(shown, right=step != 1)}
        answered = ada.post(
            "/interview/rounds/{round_id}/answers", round_id=round_["id"], body=body, expect=200
        )
        assert answered["ms"] == 3000 and answered["correct"] is (step != 1)
        round_ = answered["round"]
    assert (round_["correct"], round_["answered"], round_["correct_ms"]) == (2, 3, 6000)
    eve.post("/interview/rounds/{round_id}/share", round_id=round_["id"], expect=404)
    ada.post("/interview/rounds/{round_id}/share", round_id=round_["id"], expect=409)  # not over
    moment[0] = NOW + timedelta(seconds=61)
    body = {"position": round_["position"], **_answer(round_["question"], right=True)}
    over = ada.post(
        "/interview/rounds/{round_id}/answers", round_id=round_["id"], body=body, expect=409
    )
    assert over["error"]["code"] == "round_over"
    finished = ada.get("/interview/rounds/{round_id}", round_id=round_["id"], expect=200)
    assert finished["over"] is True and finished["question"] is None and finished["answered"] == 3
    assert [r["id"] for r in ada.get("/interview/rounds", expect=200)["rounds"]] == [round_["id"]]
    link = ada.post("/interview/rounds/{round_id}/share", round_id=round_["id"], expect=200)["url"]
    page = client.get(link.replace("http://localhost", ""))
    assert page.status_code == 200 and b"2 right of 3" in page.data
    ada.post("/interview/rounds", body={"scope": "track:os", "seconds": 90}, expect=422)

    # A mock interview: the prompt and rubric from the article, scored once.
    prompts = ada.get("/interview/mocks/prompts", expect=200)["prompts"]
    assert [p["article"]["key"] for p in prompts] == ["process-vs-thread", "memory-management"]
    mock = ada.post(
        "/interview/mocks", body={"article": "process-vs-thread", "minutes": 3}, expect=201
    )
    assert mock["prompt"] == prompts[0]["prompt"] and mock["score"] is None
    assert all(p["covered"] is None for p in mock["points"])
    eve.get("/interview/mocks/{mock_id}", mock_id=mock["id"], expect=404)
    eve.post(
        "/interview/mocks/{mock_id}/score", mock_id=mock["id"], body={"covered": [0]}, expect=404
    )
    scored = ada.post(
        "/interview/mocks/{mock_id}/score", mock_id=mock["id"], body={"covered": [0, 2]}, expect=200
    )
    assert scored["score"] == pytest.approx(2 / len(mock["points"]))
    assert [p["covered"] for p in scored["points"]][:3] == [True, False, True]
    ada.post(
        "/interview/mocks/{mock_id}/score", mock_id=mock["id"], body={"covered": [1]}, expect=409
    )
    ada.post("/interview/mocks", body={"article": "nope"}, expect=422)
    assert ada.get("/interview/mocks/{mock_id}", mock_id=mock["id"], expect=200) == scored
    from_mock = ada.post(
        "/interview/drills", body={"scope": {"mock": mock["id"]}, "count": 100}, expect=201
    )
    assert from_mock["total"] > 0

    # Another learner reads and changes nothing of Ada's.
    eve.get("/interview/drills/{drill_id}", drill_id=drill["id"], expect=404)
    eve.get("/interview/drills/{drill_id}/results", drill_id=drill["id"], expect=404)
    eve.post(
        "/interview/drills/{drill_id}/answers",
        drill_id=redo["id"],
        body={"position": 0, "rating": 3},
        expect=404,
    )
    eve.post("/interview/drills/{drill_id}/again", drill_id=drill["id"], body={}, expect=404)
    eve.get("/interview/rounds/{round_id}", round_id=round_["id"], expect=404)
    eve.post(
        "/interview/rounds/{round_id}/answers",
        round_id=round_["id"],
        body={"position": 0, "response": 0},
        expect=404,
    )
    assert eve.get("/interview/rounds", expect=200) == {"rounds": []}
    assert eve.get("/interview", expect=200)["mocks"] == []

    with app.app_context():
        interview_operations = {
            op for op in documented_operations(spec.spec) if op[0].startswith("/interview")
        }
    assert sorted(interview_operations - ada.succeeded) == []
