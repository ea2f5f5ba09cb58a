"""A learner's card: its memory state, the enrolment that schedules it, and how its question is
shown and graded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.domain import scheduling as fsrs
from app.domain.questions import (
    GradeResult,
    GradingError,
    GradingSpec,
    grade,
)
from app.domain.questions import presented_choices as choice_presentation
from app.domain.studyday import study_day
from app.extensions import db
from app.models import (
    Card,
    Enrolment,
    Question,
    Track,
    TrackArticle,
)
from app.services.errors import NotFound, ValidationError
from app.services.study.learners import get_user
from app.services.study.presets import current_preset_row, domain_preset

# The card columns that hold its memory, in the domain's names: one mapping, both ways.
MEMORY_FIELDS = (
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "last_day",
    "reps",
    "lapses",
)


def memory_columns(memory: fsrs.Memory) -> dict[str, Any]:
    """A memory as the card columns that store it."""
    return {name: getattr(memory, name) for name in MEMORY_FIELDS}


def memory_from_snapshot(before: Mapping[str, Any]) -> fsrs.Memory:
    """The memory a card had, from the JSON snapshot an answer keeps for undo."""
    return fsrs.Memory(
        state=fsrs.CardState(before["state"]),
        step=before["step"],
        stability=before["stability"],
        difficulty=before["difficulty"],
        due=parse_time(before["due"]),
        last_review=parse_time(before["last_review"]),
        reps=before["reps"],
        lapses=before["lapses"],
        last_day=date.fromisoformat(before["last_day"]) if before.get("last_day") else None,
    )


def parse_time(value: str | None) -> datetime | None:
    """A snapshot's ISO time, or None."""
    return datetime.fromisoformat(value) if value else None


def card_memory(card: Card) -> fsrs.Memory:
    return fsrs.Memory(
        state=fsrs.CardState(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=card.reps,
        lapses=card.lapses,
        last_day=card.last_day,
    )


def presented_choices(user_id: int, question: Question, version: int) -> list[tuple[int, str]]:
    """A question's choices as (number, text) in the order this learner sees them now.

    Seeded by the question, the learner and the card's version: a reload, a resent answer and the
    result page show the same order, while the next review of the card shows a new one, so no
    learner can learn a position instead of the answer. Answers send the number, never the
    position, so grading and replay do not depend on the order.
    """
    return choice_presentation(
        tuple(question.choices or ()),
        f"{question.key}\x00{user_id}\x00{version}",
        fixed=question.fixed_order,
    )


def grading_spec(question: Question) -> GradingSpec:
    return GradingSpec(
        kind=question.kind,
        choices=tuple(question.choices or ()),
        correct=question.correct,
        cloze_answer=question.cloze_answer,
        accepted=tuple(question.accepted or ()),
    )


def get_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.retired_at is not None:
        raise NotFound(f"no question {question_id}")
    return question


def check_answer(question_id: int, response: str) -> GradeResult:
    """Grade a response without recording anything (the page shows the result before rating)."""
    question = get_question(question_id)
    try:
        return grade(grading_spec(question), response)
    except GradingError as error:
        raise ValidationError({"response": str(error)}) from None


def home_enrolment(user_id: int, question: Question, track_key: str | None = None) -> Enrolment:
    """The enrolment a new card belongs to: the studied track's if it covers the question (that
    track's queue offered it), else the earliest that does (as the combined queue offers it)."""
    covering = (
        sa.select(Enrolment)
        .join(TrackArticle, TrackArticle.track_id == Enrolment.track_id)
        .where(
            Enrolment.user_id == user_id,
            Enrolment.left_at.is_(None),
            TrackArticle.article_id == question.article_id,
        )
        .order_by(Enrolment.created_at, Enrolment.id)
        .limit(1)
    )
    enrolment = None
    if track_key is not None:
        enrolment = db.session.scalar(
            covering.join(Track, Track.id == Enrolment.track_id).where(Track.key == track_key)
        )
    if enrolment is None:
        enrolment = db.session.scalar(covering)
    if enrolment is None:
        raise NotFound(f"question {question.id} is not in any of your tracks")
    return enrolment


def scheduling_enrolment(
    user_id: int, question: Question, card: Card | None, track_key: str | None
) -> Enrolment:
    """The enrolment whose preset schedules the learner's card of ``question``: the card's own,
    while the learner is still enrolled there, else the one a new card would belong to."""
    enrolment = None
    if card is not None and card.enrolment_id is not None:
        enrolment = db.session.get(
            Enrolment, card.enrolment_id, options=[joinedload(Enrolment.presets)]
        )
    if enrolment is None or enrolment.left_at is not None:
        enrolment = home_enrolment(user_id, question, track_key)
    return enrolment


FUZZ_SEED_FACTOR = 7919


def fuzz_seed(card: Card) -> int:
    return card.id * FUZZ_SEED_FACTOR


def next_intervals(
    user_id: int, question: Question, track_key: str | None, *, now: datetime
) -> dict[fsrs.Rating, timedelta]:
    """What each rating would schedule for the learner's card of ``question`` now, without fuzz:
    the labels of the rating buttons, from the scheduler itself."""
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question.id)
    )
    enrolment = scheduling_enrolment(user_id, question, card, track_key)
    user = get_user(user_id)
    today = study_day(now, user.timezone, user.day_start_hour).date
    memory = card_memory(card) if card is not None else fsrs.Memory()
    return fsrs.preview_intervals(
        memory, now, domain_preset(current_preset_row(enrolment)), today=today
    )
