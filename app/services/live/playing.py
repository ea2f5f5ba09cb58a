"""Playing a live quiz: joining by code (members by account, guests by nickname when the host
allows), keeping one's seat across reloads, answering once per question before the deadline, and
the state a player polls.

A seat is a random secret given at joining; it is the player's only credential, so a guest never
has an account and can reach nothing but their seat.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.domain.questions import GradingError, grade
from app.extensions import db
from app.models import GroupMember, LiveAnswer, LivePlayer, LiveQuiz, Question, User
from app.services.errors import Conflict, Forbidden, NotFound, ValidationError
from app.services.live.board import (
    LEADERBOARD_SIZE,
    ShownQuestion,
    Standing,
    room,
    shown_question,
)
from app.services.live.hosting import LivePhase, bump
from app.services.study.cards import grading_spec
from app.services.study.outside_answers import count_if_due

NICKNAME_MAX = 30


def quiz_by_code(code: str) -> LiveQuiz:
    quiz = db.session.scalar(
        sa.select(LiveQuiz).where(LiveQuiz.code == (code or "").strip().upper()[:8])
    )
    if quiz is None:
        raise NotFound("No live quiz has that code. Check the code on the host's screen.")
    if quiz.phase == LivePhase.ENDED:
        raise Conflict("This quiz has ended; its code no longer works.")
    return quiz


def _member_of(quiz: LiveQuiz, user_id: int) -> bool:
    if quiz.group_id is None:
        return True  # a quiz of an article or a track: every signed-in learner is a member
    return db.session.get(GroupMember, (quiz.group_id, user_id)) is not None


def join(
    code: str, *, now: datetime, user_id: int | None = None, nickname: str | None = None
) -> LivePlayer:
    """A seat in the quiz: a signed-in member's (the same seat again if they had one), or a
    guest's under a nickname nobody in the quiz has."""
    quiz = quiz_by_code(code)
    if user_id is not None and _member_of(quiz, user_id):
        existing = db.session.scalar(
            sa.select(LivePlayer).where(
                LivePlayer.quiz_id == quiz.id, LivePlayer.user_id == user_id
            )
        )
        if existing is not None:
            if existing.kicked_at is not None:
                raise Forbidden("The host removed you from this quiz.")
            return existing
        user = db.session.get(User, user_id)
        assert user is not None
        name, as_user = user.display_name, user_id
    else:
        if not quiz.guests_allowed:
            raise Forbidden("This quiz is for the group's members: sign in with your account.")
        name = " ".join((nickname or "").split())
        if not 1 <= len(name) <= NICKNAME_MAX:
            raise ValidationError(
                {"nickname": f"Pick a nickname of 1 to {NICKNAME_MAX} characters."}
            )
        as_user = None
    base = name[:NICKNAME_MAX]
    for attempt in range(20):
        shown = base if attempt == 0 else f"{base[: NICKNAME_MAX - 3]} {attempt + 1}"
        if as_user is None and attempt:
            break  # a guest chooses another nickname; members get a number after their name
        player = LivePlayer(
            quiz_id=quiz.id, user_id=as_user, nickname=shown, nickname_key=shown.casefold(),
            seat=secrets.token_urlsafe(24), joined_at=now,
        )  # fmt: skip
        try:
            db.session.add(player)
            if quiz.phase == LivePhase.LOBBY:
                bump(quiz.id)  # the lobby lists who has joined
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if as_user is not None:
                again = db.session.scalar(
                    sa.select(LivePlayer).where(
                        LivePlayer.quiz_id == quiz.id, LivePlayer.user_id == as_user
                    )
                )
                if again is not None:  # the same member joined twice at once
                    return again
            continue
        return player
    raise ValidationError(
        {"nickname": f"Someone in this quiz is already called {name!r}; pick another."}
    )


def seat(secret: str) -> tuple[LivePlayer, LiveQuiz]:
    player = db.session.scalar(sa.select(LivePlayer).where(LivePlayer.seat == (secret or "")[:64]))
    if player is None or not secret:
        raise NotFound("No seat with that key: join the quiz again with its code.")
    if player.kicked_at is not None:
        raise Forbidden("The host removed you from this quiz.")
    quiz = db.session.get(LiveQuiz, player.quiz_id)
    assert quiz is not None
    return player, quiz


def answer(secret: str, *, position: int, response: str, now: datetime) -> LiveAnswer:
    """The player's answer to the open question, once; the same answer again returns the first."""
    player, quiz = seat(secret)
    done = db.session.scalar(
        sa.select(LiveAnswer).where(
            LiveAnswer.player_id == player.id, LiveAnswer.position == position
        )
    )
    if done is not None:
        return done
    if quiz.phase != LivePhase.QUESTION or position != quiz.position:
        raise Conflict("That question is not open any more.")
    if quiz.deadline is not None and now > quiz.deadline:
        raise Conflict("Time is up for this question: the answer came after its deadline.")
    shown = shown_question(quiz)
    assert shown is not None and quiz.opened_at is not None
    question = db.session.get(Question, shown.question_id)
    assert question is not None
    try:
        correct = bool(grade(grading_spec(question), response).correct)
    except GradingError as error:
        raise ValidationError({"response": str(error)}) from None
    counted = False
    if player.user_id is not None and quiz.group_id is not None:
        member = db.session.get(GroupMember, (quiz.group_id, player.user_id))
        if member is not None and member.counts_quizzes:
            counted = count_if_due(
                player.user_id, question.id, review_id=f"live-{quiz.id}-{position}", now=now,
                response=response,
            )  # fmt: skip
    row = LiveAnswer(
        quiz_id=quiz.id, player_id=player.id, position=position, question_id=question.id,
        response=response.strip()[:20], correct=correct,
        ms=max(0, int((now - quiz.opened_at).total_seconds() * 1000)), answered_at=now,
        counted=counted,
    )  # fmt: skip
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # the same player answered twice at once: the first stands
        db.session.rollback()
        first = db.session.scalar(
            sa.select(LiveAnswer).where(
                LiveAnswer.player_id == player.id, LiveAnswer.position == position
            )
        )
        if first is None:
            raise Conflict("That answer could not be recorded; send it again.") from None
        return first
    return row


@dataclass(frozen=True)
class PlayerState:
    quiz: LiveQuiz
    player: LivePlayer
    question: ShownQuestion | None
    my_answer: LiveAnswer | None
    players: int
    counts: tuple[int, ...] | None  # in the reveal: how many chose each shown choice
    leaders: tuple[Standing, ...]  # in the reveal and at the end
    me: Standing | None


_VERSION_OF_SEAT = (
    sa.select(LiveQuiz.version, LivePlayer.kicked_at)
    .join(LiveQuiz, LiveQuiz.id == LivePlayer.quiz_id)
    .where(LivePlayer.seat == sa.bindparam("seat"))
)


def player_state(secret: str, *, since: int | None = None) -> PlayerState | None:
    """What the player sees now, or None when nothing changed since ``since`` (the version).

    Most polls change nothing: they cost one indexed read of the seat and its quiz's version."""
    if since is not None:
        found = db.session.execute(_VERSION_OF_SEAT, {"seat": (secret or "")[:64]}).first()
        if found is not None and found.kicked_at is None and found.version == since:
            db.session.rollback()  # end the read's transaction: nothing else happens here
            return None
    player, quiz = seat(secret)
    shared = room(quiz)
    question = shared.question
    mine = None
    if question is not None:
        mine = db.session.scalar(
            sa.select(LiveAnswer).where(
                LiveAnswer.player_id == player.id, LiveAnswer.position == quiz.position
            )
        )
    leaders = shared.standings[:LEADERBOARD_SIZE]
    me = next((s for s in shared.standings if s.player_id == player.id), None)
    counts, players = shared.counts, shared.players
    return PlayerState(quiz, player, question, mine, players, counts, leaders, me)
