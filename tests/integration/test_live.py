"""Live quizzes on the real database: seats kept across rejoins, the ranking (right answers
first, then server-measured time), one answer per player per question under concurrent submits,
late answers refused, host controls out of players' reach, and a group's live quiz feeding its
team report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import GroupQuizAnswer, LiveAnswer, LiveQuiz, Question
from app.services import banks
from app.services.errors import Conflict, Forbidden, NotFound, ValidationError
from app.services.groups import groups, invites, report
from app.services.live import hosting, playing
from app.services.live.host_view import host_state
from tests.concurrency import race
from tests.factories import make_user, write_os_bank

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)


@pytest.fixture
def room(app: Any, tmp_path: Path) -> dict[str, Any]:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    host = make_user(email="host@example.com", name="Hana")
    member = make_user(email="mia@example.com", name="Mia")
    quiz = hosting.start_live(
        host.id, now=NOW, article_key="process-vs-thread", guests_allowed=True, count=3,
        timer_seconds=10,
    )  # fmt: skip
    return {"host": host.id, "member": member.id, "quiz": quiz.id, "code": quiz.code}


def _quiz(quiz_id: int) -> LiveQuiz:
    db.session.expire_all()
    quiz = db.session.get(LiveQuiz, quiz_id)
    assert quiz is not None
    return quiz


def _next(room: dict[str, Any], at: datetime, action: str = "next") -> LiveQuiz:
    quiz = _quiz(room["quiz"])
    return hosting.act(room["host"], quiz.id, action, version=quiz.version, now=at)


def _right_and_wrong(quiz: LiveQuiz) -> tuple[str, str]:
    question = db.session.get(Question, quiz.question_ids[quiz.position])
    assert question is not None and question.correct is not None
    return str(question.correct), str((question.correct + 1) % len(question.choices))


def test_seats_codes_and_guests(room: dict[str, Any]) -> None:
    member = playing.join(room["code"].lower(), now=NOW, user_id=room["member"])
    assert playing.join(room["code"], now=NOW, user_id=room["member"]).seat == member.seat
    guest = playing.join(room["code"], now=NOW, nickname="  Zed ")
    assert guest.nickname == "Zed" and guest.user_id is None
    with pytest.raises(ValidationError, match="already called"):
        playing.join(room["code"], now=NOW, nickname="zed")
    with pytest.raises(NotFound):
        playing.join("NOPE42", now=NOW, nickname="Ann")
    before = playing.player_state(guest.seat)
    assert before is not None and before.players == 2
    seen = before.quiz.version
    assert playing.player_state(guest.seat, since=seen) is None  # a 204
    hosting.kick(room["host"], room["quiz"], guest.id, NOW)
    with pytest.raises(Forbidden, match="removed"):
        playing.player_state(guest.seat)
    assert playing.player_state(member.seat, since=seen) is not None  # the kick changed it
    closed = hosting.start_live(room["host"], now=NOW, article_key="memory-management")
    with pytest.raises(Forbidden, match="members"):
        playing.join(closed.code, now=NOW, nickname="Guest")
    _next(room, NOW)
    _next(room, NOW, "end")
    with pytest.raises(Conflict, match="ended"):
        playing.join(room["code"], now=NOW, nickname="Late")


def test_the_board_ranks_right_answers_then_server_time(room: dict[str, Any]) -> None:
    fast = playing.join(room["code"], now=NOW, nickname="Fast")
    slow = playing.join(room["code"], now=NOW, nickname="Slow")
    wrong = playing.join(room["code"], now=NOW, nickname="Wrong")
    at = NOW
    for _ in range(3):
        quiz = _next(room, at)
        right, miss = _right_and_wrong(quiz)
        playing.answer(fast.seat, position=quiz.position, response=right, now=at + 2 * S)
        playing.answer(slow.seat, position=quiz.position, response=right, now=at + 7 * S)
        playing.answer(wrong.seat, position=quiz.position, response=miss, now=at + 1 * S)
        at += 20 * S
        _next(room, at, "reveal")
    board = [(s.nickname, s.right, s.ms) for s in host_state(room["host"], room["quiz"]).leaders]
    assert board == [("Fast", 3, 6000), ("Slow", 3, 21000), ("Wrong", 0, 0)]
    ended = _next(room, at)  # next after the last question ends the quiz
    assert ended.phase == "ended"
    state = playing.player_state(slow.seat)
    assert state is not None and state.me is not None and state.me.rank == 2


def test_late_answers_are_refused_and_each_place_takes_one_answer(
    app: Any, room: dict[str, Any]
) -> None:
    player = playing.join(room["code"], now=NOW, nickname="Pat")
    quiz = _next(room, NOW)
    right, miss = _right_and_wrong(quiz)
    with pytest.raises(Conflict, match="Time is up"):
        playing.answer(
            player.seat, position=0, response=right, now=NOW + 10 * S + timedelta(milliseconds=1)
        )
    seat, quiz_id = player.seat, quiz.id
    db.session.remove()
    outcomes = race(
        app,
        *[
            (
                lambda response=response: (
                    playing.answer(seat, position=0, response=response, now=NOW + 3 * S).response
                )
            )
            for response in (right, miss, right, miss)
        ],
    )
    answers = db.session.scalars(sa.select(LiveAnswer).where(LiveAnswer.quiz_id == quiz_id)).all()
    assert len(answers) == 1
    assert all(o == answers[0].response or isinstance(o, Conflict) for o in outcomes), outcomes
    with pytest.raises(Conflict, match="not open"):
        playing.answer(seat, position=1, response=right, now=NOW + 3 * S)


def test_host_controls_are_out_of_players_reach(room: dict[str, Any]) -> None:
    player = playing.join(room["code"], now=NOW, user_id=room["member"])
    quiz = _quiz(room["quiz"])
    for attempt in (
        lambda: hosting.act(room["member"], quiz.id, "next", version=quiz.version, now=NOW),
        lambda: hosting.kick(room["member"], quiz.id, player.id, NOW),
        lambda: host_state(room["member"], quiz.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert _quiz(room["quiz"]).phase == "lobby"
    # Two clicks on the host's stale screen: one change, then a Conflict.
    seen = quiz.version
    hosting.act(room["host"], quiz.id, "next", version=seen, now=NOW)
    with pytest.raises(Conflict, match="another tab"):
        hosting.act(room["host"], quiz.id, "reveal", version=seen, now=NOW)


def test_a_groups_live_quiz_feeds_its_team_report(room: dict[str, Any]) -> None:
    host, member = room["host"], room["member"]
    group = groups.create_group(
        host, name="G", track_key="os", timezone="UTC", week_day=0, week_hour=9, now=NOW
    )
    invites.join(member, invites.create_invite(host, group.id, days=7, now=NOW).code, now=NOW)
    live = hosting.start_live(host, now=NOW, group_id=group.id, guests_allowed=True, count=2)
    mia = playing.join(live.code, now=NOW, user_id=member)
    guest = playing.join(live.code, now=NOW, nickname="Visitor")
    room = {**room, "quiz": live.id}
    at = NOW
    for _ in range(2):
        quiz = _next(room, at)
        _, miss = _right_and_wrong(quiz)
        playing.answer(mia.seat, position=quiz.position, response=miss, now=at + S)
        playing.answer(guest.seat, position=quiz.position, response=miss, now=at + S)
        _next(room, at + 5 * S, "reveal")
        at += 10 * S
    _next(room, at, "end")
    kept = db.session.scalars(sa.select(GroupQuizAnswer)).all()
    assert {(a.user_id, a.correct) for a in kept} == {(member, False)}  # guests stay out
    assert len(kept) == 2
    agenda = report.team_report(member, group.id, at + S)
    assert agenda.quizzes == 1 and agenda.answers == 2
    _next(room, at, "end")  # ending twice keeps the results once
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupQuizAnswer)) == 2
