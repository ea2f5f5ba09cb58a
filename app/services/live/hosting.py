"""Hosting a live quiz: start one from a group's week, an article or a track; pace it (start,
reveal, next, end) against the version the host saw; kick a player; keep the results.

A host's change is one UPDATE guarded by the version, so two clicks (or two hosts' tabs) end in
one change and a Conflict. Opening a question sets its open time and, with a timer, its deadline,
both by the server's clock.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    Article,
    GroupQuiz,
    GroupQuizAnswer,
    LiveAnswer,
    LivePlayer,
    LiveQuiz,
    Question,
    Track,
    TrackArticle,
)
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.groups.members import GroupRole, require
from app.services.groups.quizzes import quiz_questions
from app.services.groups.weeks import current_week
from app.services.study.learners import get_user

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a screen
CODE_LENGTH = 6
TIMERS = (10, 20, 30, 60)
COUNT_MAX = 30


class LivePhase(StrEnum):
    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    ENDED = "ended"


class HostAction(StrEnum):
    NEXT = "next"  # from the lobby or a reveal: open the next question (or end after the last)
    REVEAL = "reveal"  # close the question and show its answer
    END = "end"


def start_live(
    host_id: int,
    *,
    now: datetime,
    group_id: int | None = None,
    article_key: str | None = None,
    track_key: str | None = None,
    guests_allowed: bool = False,
    timer_seconds: int | None = None,
    count: int = 10,
) -> LiveQuiz:
    """A live quiz in its lobby: from a group (this week's article; the caller hosts it), an
    article or a track (any signed-in learner, for a room of guests)."""
    get_user(host_id)
    errors: dict[str, str] = {}
    if timer_seconds is not None and timer_seconds not in TIMERS:
        errors["timer_seconds"] = "Use no timer, or 10, 20, 30 or 60 seconds."
    if not 1 <= count <= COUNT_MAX:
        errors["count"] = f"Ask 1 to {COUNT_MAX} questions."
    if sum(x is not None for x in (group_id, article_key, track_key)) != 1:
        errors["source"] = "Start from one group, one article or one track."
    if errors:
        raise ValidationError(errors)
    title = ""
    questions: list[Question] = []
    if group_id is not None:
        group, _ = require(host_id, group_id, GroupRole.HOST)
        week = current_week(group, now)
        if week is None:
            raise ValidationError({"source": f"{group.name} has no article this week."})
        title = f"{group.name}: {week.article.title}"
        questions = quiz_questions(week.article_id)[:count]
    elif article_key is not None:
        article = db.session.scalar(
            sa.select(Article).where(Article.key == article_key, Article.retired_at.is_(None))
        )
        if article is None:
            raise ValidationError({"source": f"No article {article_key!r}."})
        title = article.title
        questions = quiz_questions(article.id)[:count]
    else:
        track = db.session.scalar(
            sa.select(Track).where(Track.key == track_key, Track.retired_at.is_(None))
        )
        if track is None:
            raise ValidationError({"source": f"No track {track_key!r}."})
        title = track.title
        ids = list(
            db.session.scalars(
                sa.select(TrackArticle.article_id).where(TrackArticle.track_id == track.id)
            )
        )
        pool = quiz_questions(*ids)
        random.Random(f"{host_id}:{now.isoformat()}").shuffle(pool)
        questions = pool[:count]
    if not questions:
        raise ValidationError({"source": f"{title} has no multiple-choice questions to ask."})
    for _ in range(10):
        quiz = LiveQuiz(
            code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
            host_id=host_id, group_id=group_id, title=title[:200],
            question_ids=[q.id for q in questions], guests_allowed=guests_allowed,
            timer_seconds=timer_seconds, phase=LivePhase.LOBBY, position=-1, created_at=now,
            version=1,
        )  # fmt: skip
        db.session.add(quiz)
        try:
            db.session.commit()
        except IntegrityError:  # the code was taken: draw another
            db.session.rollback()
            continue
        return quiz
    raise Conflict("Could not find a free quiz code; try again.")


def hosted(host_id: int, quiz_id: int) -> LiveQuiz:
    quiz = db.session.get(LiveQuiz, quiz_id)
    if quiz is None or quiz.host_id != host_id:
        raise NotFound(f"no live quiz {quiz_id}")
    return quiz


def act(host_id: int, quiz_id: int, action: str, *, version: int, now: datetime) -> LiveQuiz:
    """Move the quiz on, if it is still at ``version`` (what the host's screen showed)."""
    quiz = hosted(host_id, quiz_id)
    if action not in HostAction.__members__.values():
        raise ValidationError({"action": "Use next, reveal or end."})
    values: dict[str, object]
    phase = LivePhase(quiz.phase)
    if action == HostAction.END or (
        action == HostAction.NEXT
        and phase == LivePhase.REVEAL
        and quiz.position + 1 >= len(quiz.question_ids)
    ):
        if phase == LivePhase.ENDED:
            keep_results(quiz, now)  # in case keeping them failed the first time
            return quiz
        values = {"phase": LivePhase.ENDED, "ended_at": now, "deadline": None}
    elif action == HostAction.NEXT and phase in (LivePhase.LOBBY, LivePhase.REVEAL):
        deadline = now + timedelta(seconds=quiz.timer_seconds) if quiz.timer_seconds else None
        values = {
            "phase": LivePhase.QUESTION, "position": quiz.position + 1, "opened_at": now,
            "deadline": deadline,
        }  # fmt: skip
    elif action == HostAction.REVEAL and phase == LivePhase.QUESTION:
        values = {"phase": LivePhase.REVEAL, "deadline": min(quiz.deadline or now, now)}
    else:
        raise Conflict(f"The quiz is in its {phase.value} phase: {action} does not apply now.")
    changed = db.session.execute(
        sa.update(LiveQuiz)
        .where(LiveQuiz.id == quiz_id, LiveQuiz.version == version)
        .values(version=LiveQuiz.version + 1, **values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise Conflict("The quiz moved on in another tab; this screen was behind.")
    db.session.commit()
    db.session.refresh(quiz)
    if quiz.phase == LivePhase.ENDED:
        keep_results(quiz, now)
    return quiz


def kick(host_id: int, quiz_id: int, player_id: int, now: datetime) -> None:
    quiz = hosted(host_id, quiz_id)
    player = db.session.get(LivePlayer, player_id)
    if player is None or player.quiz_id != quiz.id:
        raise NotFound(f"no player {player_id}")
    if player.kicked_at is None:
        player.kicked_at = now
        bump(quiz.id)
        db.session.commit()


def bump(quiz_id: int) -> None:
    """Tell every poller something changed (in the caller's transaction)."""
    db.session.execute(
        sa.update(LiveQuiz).where(LiveQuiz.id == quiz_id).values(version=LiveQuiz.version + 1)
    )


def keep_results(quiz: LiveQuiz, now: datetime) -> None:
    """A group's live quiz becomes one of its closed quizzes, so its members' answers feed the
    team report (guests have no account and stay out of it). Idempotent."""
    if quiz.group_id is None or quiz.group_quiz_id is not None:
        return
    first = db.session.get(Question, quiz.question_ids[0])
    assert first is not None
    group_quiz = GroupQuiz(
        group_id=quiz.group_id, week_id=None, article_id=first.article_id,
        created_by=quiz.host_id, created_at=quiz.created_at, deadline=quiz.ended_at or now,
        closed_at=quiz.ended_at or now, question_ids=list(quiz.question_ids),
    )  # fmt: skip
    db.session.add(group_quiz)
    db.session.flush()
    rows = db.session.execute(
        sa.select(LiveAnswer, LivePlayer.user_id)
        .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
        .where(LiveAnswer.quiz_id == quiz.id, LivePlayer.user_id.is_not(None))
    ).all()
    for answer, user_id in rows:
        db.session.add(GroupQuizAnswer(
            quiz_id=group_quiz.id, user_id=user_id, question_id=answer.question_id,
            response=answer.response, correct=answer.correct, answered_at=answer.answered_at,
            counted=answer.counted,
        ))  # fmt: skip
    quiz.group_quiz_id = group_quiz.id
    db.session.commit()
