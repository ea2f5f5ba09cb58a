"""Rapid-fire rounds: multiple-choice trade-off questions one after another against the clock.

The server's clock is the only clock: the round's deadline is fixed when it starts, each answer's
time is measured from when the server served its question, and an answer that arrives after the
deadline is refused. Rounds rank by correct answers, then by the time spent on them.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.domain.questions import GradingError, grade
from app.extensions import db
from app.models import Article, Question, RapidAnswer, RapidRound, Track, User
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.interview.answered import commit_once
from app.services.interview.scopes import RAPID_KINDS, Scope, resolve
from app.services.study.cards import grading_spec, presented_choices
from app.services.study.learners import get_user

ROUND_SECONDS = (60, 120)
MIN_QUESTIONS = 4
ROUND_QUESTIONS_MAX = 200  # more than anyone answers in 120 s


class RoundOver(Conflict):
    """An answer after the round's deadline."""

    code = "round_over"


@dataclass(frozen=True)
class RoundScope:
    """ "all", "track:<key>" or "article:<key>", with its title."""

    key: str
    title: str
    scope: Scope


def parse_scope(key: str | None) -> RoundScope:
    key = (key or "all").strip()
    if key == "all":
        return RoundScope("all", "All my tracks", Scope())
    kind, _, name = key.partition(":")
    if kind == "track":
        track = db.session.scalar(
            sa.select(Track).where(Track.key == name, Track.retired_at.is_(None))
        )
        if track is not None:
            return RoundScope(key, track.title, Scope(tracks=(name,)))
    elif kind == "article":
        article = db.session.scalar(
            sa.select(Article).where(Article.key == name, Article.retired_at.is_(None))
        )
        if article is not None:
            return RoundScope(key, article.title, Scope(articles=(name,)))
    raise ValidationError(
        {"scope": f"No scope {key!r}: use all, track:<track key> or article:<article key>."}
    )


def get_round(user_id: int, round_id: int) -> RapidRound:
    found = db.session.get(RapidRound, round_id)
    if found is None or found.user_id != user_id:
        raise NotFound(f"no round {round_id}")
    return found


def start_round(user_id: int, *, scope_key: str | None, seconds: int, now: datetime) -> RapidRound:
    if seconds not in ROUND_SECONDS:
        raise ValidationError({"seconds": "A round lasts 60 or 120 seconds."})
    get_user(user_id)
    scope = parse_scope(scope_key)
    questions = [q for q in resolve(user_id, scope.scope, now) if q.kind in RAPID_KINDS]
    if len(questions) < MIN_QUESTIONS:
        raise ValidationError(
            {"scope": f"{scope.title} has too few multiple-choice trade-off questions for a round."}
        )
    questions.sort(key=lambda q: q.id)
    random.Random(f"{user_id}:{now.isoformat()}").shuffle(questions)
    started = now
    row = RapidRound(
        user_id=user_id,
        scope_key=scope.key,
        scope_title=scope.title,
        seconds=seconds,
        question_ids=[q.id for q in questions[:ROUND_QUESTIONS_MAX]],
        started_at=started,
        deadline=started + timedelta(seconds=seconds),
        shown_at=started,
    )
    db.session.add(row)
    db.session.commit()
    return row


def is_over(row: RapidRound, now: datetime) -> bool:
    return now >= row.deadline or row.position >= len(row.question_ids)


def seconds_left(row: RapidRound, now: datetime) -> float:
    return max(0.0, (row.deadline - now).total_seconds())


def choices_of(row: RapidRound, question: Question) -> list[tuple[int, str]]:
    """The choices in this round's order for the question (stable across reloads)."""
    return presented_choices(row.user_id, question, row.id * 1000 + row.position)


def question_of(row: RapidRound, now: datetime) -> Question | None:
    """The round's open question, or None once it is over."""
    if is_over(row, now):
        return None
    question = db.session.get(Question, row.question_ids[row.position])
    assert question is not None
    return question


def current_question(
    user_id: int, round_id: int, now: datetime
) -> tuple[RapidRound, Question | None]:
    row = get_round(user_id, round_id)
    return row, question_of(row, now)


def answer_round(
    user_id: int, round_id: int, *, position: int, response: str, now: datetime
) -> RapidAnswer:
    """Record the answer at ``position``; the same position again returns the first answer."""
    row = get_round(user_id, round_id)
    done = next((a for a in row.answers if a.position == position), None)
    if done is not None:
        return done
    if now > row.deadline:
        raise RoundOver("Time is up: this round ended, and late answers do not count.")
    if position != row.position:
        raise Conflict(f"Question {position + 1} is not the current one; reload the round.")
    if row.position >= len(row.question_ids):
        raise RoundOver("This round has no more questions.")
    question = db.session.get(Question, row.question_ids[position])
    if question is None:
        raise NotFound("that question is gone from the banks")
    try:
        correct = bool(grade(grading_spec(question), response).correct)
    except GradingError as error:
        raise ValidationError({"response": str(error)}) from None
    ms = max(0, int((now - row.shown_at).total_seconds() * 1000))
    answer = RapidAnswer(
        round_id=row.id,
        position=position,
        question_id=question.id,
        response=response.strip(),
        correct=correct,
        answered_at=now,
        ms=ms,
    )
    db.session.add(answer)
    row.position = position + 1
    row.answered += 1
    row.shown_at = now
    if correct:
        row.correct += 1
        row.correct_ms += ms
    return commit_once(answer, RapidAnswer.round_id == round_id, position, "round")


def rank_key(row: RapidRound) -> tuple[int, int]:
    """Correct answers first, then less time spent on them."""
    return (-row.correct, row.correct_ms)


def personal_bests(user_id: int, now: datetime) -> list[RapidRound]:
    """The best finished round per scope and length, best scopes first."""
    rounds = db.session.scalars(
        sa.select(RapidRound).where(RapidRound.user_id == user_id, RapidRound.answered > 0)
    )
    best: dict[tuple[str, int], RapidRound] = {}
    for row in rounds:
        if not is_over(row, now):
            continue
        slot = (row.scope_key, row.seconds)
        if slot not in best or rank_key(row) < rank_key(best[slot]):
            best[slot] = row
    return sorted(best.values(), key=lambda r: (r.scope_title, r.seconds))


def is_personal_best(row: RapidRound, now: datetime) -> bool:
    return any(best.id == row.id for best in personal_bests(row.user_id, now))


def share_round(user_id: int, round_id: int, now: datetime) -> str:
    """The round's share code, made once; only a finished round can be shared."""
    row = get_round(user_id, round_id)
    if not is_over(row, now):
        raise Conflict("Finish the round before sharing it.")
    if row.share_code is None:
        row.share_code = secrets.token_urlsafe(12)
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            row = get_round(user_id, round_id)
    assert row.share_code is not None
    return row.share_code


@dataclass(frozen=True)
class SharedRound:
    """What a share link shows: the score, never the learner's answers or history."""

    name: str
    scope_title: str
    seconds: int
    correct: int
    answered: int
    correct_ms: int
    played_at: datetime


def shared_round(code: str) -> SharedRound:
    row = db.session.scalar(sa.select(RapidRound).where(RapidRound.share_code == code))
    if row is None:
        raise NotFound("no shared round with that link")
    user = db.session.get(User, row.user_id)
    return SharedRound(
        name=user.display_name if user is not None else "A learner",
        scope_title=row.scope_title,
        seconds=row.seconds,
        correct=row.correct,
        answered=row.answered,
        correct_ms=row.correct_ms,
        played_at=row.started_at,
    )


def recent_rounds(user_id: int, limit: int = 10) -> list[RapidRound]:
    return list(
        db.session.scalars(
            sa.select(RapidRound)
            .where(RapidRound.user_id == user_id)
            .order_by(RapidRound.started_at.desc(), RapidRound.id.desc())
            .limit(limit)
        )
    )
