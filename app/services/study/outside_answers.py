"""Answers given outside the daily queue — in a drill or a group quiz — that the learner lets
count toward their schedule.

As Anki's filtered decks with rescheduling on, such an answer is a review only when it is the
card's first answer of the learner's study day and the card is due today or being relearned after
a failure. New questions, cards not due, suspended or buried cards and every later answer on the
same day stay out of FSRS.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.domain import scheduling as fsrs
from app.domain.studyday import StudyDay, study_day
from app.extensions import db
from app.models import Card, ReviewLog
from app.services.study.answers import answer
from app.services.study.learners import get_user


def counts_as_review(card: Card | None, day: StudyDay, now: datetime) -> bool:
    """Anki's rule for a rescheduling filtered deck, on one answer: the card's first answer of
    the study day, on a card that is due today or relearning after a failure."""
    if card is None or card.state == fsrs.CardState.NEW or card.suspended:
        return False
    if card.buried_until is not None and card.buried_until > now:
        return False
    answered_today = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReviewLog)
        .where(
            ReviewLog.card_id == card.id,
            ReviewLog.study_date == day.date,
            ReviewLog.undone_at.is_(None),
        )
    )
    if answered_today:
        return False
    if card.state in (fsrs.CardState.LEARNING, fsrs.CardState.RELEARNING):
        return True
    return card.due is not None and card.due < day.end


def count_if_due(
    user_id: int,
    question_id: int,
    *,
    review_id: str,
    now: datetime,
    rating: int | None = None,
    response: str | None = None,
    duration_ms: int | None = None,
) -> bool:
    """Record the answer as a review of the learner's card if the rule above allows; whether it
    did. ``rating`` for a recall question, ``response`` for a choice or typed one."""
    user = get_user(user_id)
    day = study_day(now, user.timezone, user.day_start_hour)
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )
    if card is None or not counts_as_review(card, day, now):
        return False
    answer(
        user_id,
        review_id=review_id,
        question_id=question_id,
        version=card.version,
        now=now,
        rating=rating,
        response=response,
        duration_ms=duration_ms,
    )
    return True
