"""Drills: a chosen scope, in a chosen order, bounded by a count or a time, answered apart from
the long-term schedule.

As Anki's filtered decks with rescheduling off, a drill's answers are logged in `drill_answers`
and change no card. A learner may opt in to "count toward my schedule"; then an answer also goes
into the schedule by Anki's rescheduling rule (`study.outside_answers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.domain import scheduling as fsrs
from app.domain.questions import AnswerMode, GradingError, answer_mode, grade
from app.extensions import db
from app.models import Drill, DrillAnswer, Question
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.interview.answered import commit_once
from app.services.interview.scopes import DrillOrder, Scope, check_scope, ordered, resolve
from app.services.study.cards import grading_spec
from app.services.study.learners import get_user
from app.services.study.outside_answers import count_if_due

COUNT_MAX = 100
# A drill's choices are shuffled by the drill and the question's place in it (stable on reload).
DRILL_ORDER_STRIDE = 1000
MINUTES_MAX = 60


@dataclass(frozen=True)
class DrillResults:
    drill: Drill
    answered: int
    correct: int
    counted: int
    seconds: int
    misses: tuple[DrillAnswer, ...]

    @property
    def score(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def get_drill(user_id: int, drill_id: int) -> Drill:
    """The learner's drill; another learner's is as absent as one that never existed."""
    drill = db.session.get(Drill, drill_id)
    if drill is None or drill.user_id != user_id:
        raise NotFound(f"no drill {drill_id}")
    return drill


def start_drill(
    user_id: int,
    scope: Scope,
    *,
    now: datetime,
    order: str = DrillOrder.WEAKEST,
    count: int = 20,
    minutes: int | None = None,
    counts: bool = False,
) -> Drill:
    errors: dict[str, str] = {}
    if order not in DrillOrder.__members__.values():
        errors["order"] = "Use weakest, random or track."
    if not 1 <= count <= COUNT_MAX:
        errors["count"] = f"Choose from 1 to {COUNT_MAX} questions."
    if minutes is not None and not 1 <= minutes <= MINUTES_MAX:
        errors["minutes"] = f"Choose from 1 to {MINUTES_MAX} minutes, or no time limit."
    if errors:
        raise ValidationError(errors)
    check_scope(user_id, scope)
    get_user(user_id)
    questions = resolve(user_id, scope, now)
    if not questions:
        raise ValidationError({"scope": f"No questions match {scope.describe()}: widen the scope."})
    chosen = ordered(user_id, questions, DrillOrder(order), now, f"{user_id}:{now.isoformat()}")
    drill = Drill(
        user_id=user_id,
        title=scope.describe(),
        scope=scope.as_json(),
        order=str(order),
        question_ids=[q.id for q in chosen[:count]],
        counts=counts,
        started_at=now,
        ends_at=now + timedelta(minutes=minutes) if minutes else None,
    )
    db.session.add(drill)
    db.session.commit()
    return drill


def is_over(drill: Drill, now: datetime) -> bool:
    return (
        drill.finished_at is not None
        or drill.position >= len(drill.question_ids)
        or (drill.ends_at is not None and now >= drill.ends_at)
    )


def current_question(user_id: int, drill_id: int, now: datetime) -> tuple[Drill, Question | None]:
    """The drill and the question to answer now, or None once it is over (then it is finished)."""
    drill = get_drill(user_id, drill_id)
    if is_over(drill, now):
        _finish(drill, now)
        return drill, None
    question = db.session.get(Question, drill.question_ids[drill.position])
    assert question is not None
    return drill, question


def _finish(drill: Drill, now: datetime) -> None:
    if drill.finished_at is None:
        drill.finished_at = min(now, drill.ends_at) if drill.ends_at else now
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()


def finish_drill(user_id: int, drill_id: int, now: datetime) -> Drill:
    drill = get_drill(user_id, drill_id)
    _finish(drill, now)
    return drill


def _grade(question: Question, response: str | None, rating: int | None) -> tuple[bool, int]:
    """Whether the answer was right, and the rating it would carry into the schedule."""
    spec = grading_spec(question)
    if answer_mode(spec) is AnswerMode.RECALL:
        if rating not in (1, 2, 3, 4):
            raise ValidationError(
                {"rating": "Say how it went: 1 missed it, 2 Hard, 3 Good, 4 Easy."}
            )
        return rating != 1, rating
    if response is None or not response.strip():
        raise ValidationError({"response": "Give an answer."})
    try:
        correct = bool(grade(spec, response).correct)
    except GradingError as error:
        raise ValidationError({"response": str(error)}) from None
    return correct, fsrs.Rating.GOOD if correct else fsrs.Rating.AGAIN


def answer_drill(
    user_id: int,
    drill_id: int,
    *,
    position: int,
    now: datetime,
    response: str | None = None,
    rating: int | None = None,
    duration_ms: int | None = None,
) -> DrillAnswer:
    """Record the answer to the drill's question at ``position``, once.

    Sending the same position again returns the first answer; a position that is not the current
    one, or a drill that is over, is a Conflict that says so."""
    drill = get_drill(user_id, drill_id)
    done = next((a for a in drill.answers if a.position == position), None)
    if done is not None:
        return done
    if is_over(drill, now):
        _finish(drill, now)
        raise Conflict("This drill is over; see its results.")
    if position != drill.position:
        raise Conflict(f"Question {position + 1} is not the current one; reload the drill.")
    if duration_ms is not None and not 0 <= duration_ms <= 86_400_000:
        raise ValidationError({"duration_ms": "Use a duration from 0 to 86400000 ms."})
    question = db.session.get(Question, drill.question_ids[position])
    if question is None:
        raise NotFound("that question is gone from the banks")
    correct, chosen = _grade(question, response, rating)
    recall = answer_mode(grading_spec(question)) is AnswerMode.RECALL
    counted = drill.counts and count_if_due(
        user_id,
        question.id,
        review_id=f"drill-{drill.id}-{position}",
        now=now,
        rating=chosen if recall else None,
        response=None if recall else response,
        duration_ms=duration_ms,
    )
    if counted:
        drill = get_drill(user_id, drill_id)  # the review's commit expired it
    row = DrillAnswer(
        drill_id=drill.id,
        position=position,
        question_id=question.id,
        response=response,
        correct=correct,
        rating=int(chosen),
        answered_at=now,
        duration_ms=duration_ms,
        counted=counted,
    )
    db.session.add(row)
    drill.position = position + 1
    return commit_once(row, DrillAnswer.drill_id == drill_id, position, "drill")


def drill_results(user_id: int, drill_id: int, now: datetime) -> DrillResults:
    drill = get_drill(user_id, drill_id)
    answers = list(drill.answers)
    end = drill.finished_at or (answers[-1].answered_at if answers else now)
    seconds = int((end - drill.started_at).total_seconds())
    return DrillResults(
        drill=drill,
        answered=len(answers),
        correct=sum(a.correct for a in answers),
        counted=sum(a.counted for a in answers),
        seconds=max(0, seconds),
        misses=tuple(a for a in answers if not a.correct),
    )


def drill_again(user_id: int, drill_id: int, *, now: datetime, misses_only: bool = True) -> Drill:
    """A new drill over this one's misses (or all its questions), in the same order rule."""
    drill = get_drill(user_id, drill_id)
    if misses_only:
        ids = [a.question_id for a in drill.answers if not a.correct]
        if not ids:
            raise ValidationError({"drill": "Nothing was missed in this drill."})
    else:
        ids = list(drill.question_ids)
    return start_drill(
        user_id,
        Scope(questions=tuple(dict.fromkeys(ids))),
        now=now,
        order=drill.order,
        count=min(COUNT_MAX, len(ids)),
        counts=drill.counts,
    )


def recent_drills(user_id: int, limit: int = 10) -> list[Drill]:
    return list(
        db.session.scalars(
            sa.select(Drill)
            .where(Drill.user_id == user_id)
            .order_by(Drill.started_at.desc(), Drill.id.desc())
            .limit(limit)
        )
    )
