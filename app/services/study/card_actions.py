"""What a learner does to a card besides answering it: undo the last answer, suspend, unsuspend,
bury, and the leech list.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.domain.studyday import study_day
from app.extensions import db
from app.models import (
    Card,
    Enrolment,
    ReviewLog,
)
from app.services.errors import Conflict, NotFound
from app.services.plans import DAYS
from app.services.study.cards import get_question, home_enrolment
from app.services.study.learners import forget_plans, get_user

log = logging.getLogger(__name__)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def undo(user_id: int, *, now: datetime) -> int:
    """Undo the learner's latest answer, restoring the card exactly. Returns its question id."""
    log = db.session.scalar(
        sa.select(ReviewLog)
        .where(ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None))
        .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
        .limit(1)
    )
    if log is None:
        raise NotFound("there is no answer to undo")
    card = db.session.get(Card, log.card_id)
    assert card is not None
    before = log.before
    card.state = before["state"]
    card.step = before["step"]
    card.stability = before["stability"]
    card.difficulty = before["difficulty"]
    card.due = _parse_time(before["due"])
    card.last_review = _parse_time(before["last_review"])
    card.reps = before["reps"]
    card.lapses = before["lapses"]
    card.suspended = before["suspended"]
    card.buried_until = _parse_time(before["buried_until"])
    card.leech = before["leech"]
    home = before.get("enrolment_id")
    if home is not None and db.session.get(Enrolment, home) is not None:
        card.enrolment_id = home
    log.undone_at = now
    user = get_user(user_id)
    answered_on = study_day(log.reviewed_at, user.timezone, user.day_start_hour).date
    db.session.execute(
        sa.update(DAYS)
        .where(DAYS.c.user_id == user_id, DAYS.c.local_date == answered_on, DAYS.c.reviews > 0)
        .values(reviews=DAYS.c.reviews - 1)
    )
    forget_plans(user_id, now)
    _commit_card_change()
    return card.question_id


def _commit_card_change() -> None:
    """Commit a change to a card; another tab changing it first is a conflict, not a crash."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict("This card changed in another tab; reload and try again.") from None


def _card_for_action(user_id: int, question_id: int, now: datetime) -> Card:
    question = get_question(question_id)
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )
    if card is None:
        card = Card(
            user_id=user_id,
            question_id=question.id,
            enrolment_id=home_enrolment(user_id, question).id,
            created_at=now,
        )
        db.session.add(card)
    return card


def suspend(user_id: int, question_id: int, *, now: datetime) -> Card:
    card = _card_for_action(user_id, question_id, now)
    card.suspended = True
    forget_plans(user_id, now)
    _commit_card_change()
    return card


def unsuspend(user_id: int, question_id: int, *, now: datetime) -> Card:
    card = _card_for_action(user_id, question_id, now)
    card.suspended = False
    card.leech = False
    forget_plans(user_id, now)
    _commit_card_change()
    return card


def bury(user_id: int, question_id: int, *, now: datetime) -> Card:
    """Hide the card until the learner's next day starts."""
    user = get_user(user_id)
    card = _card_for_action(user_id, question_id, now)
    card.buried_until = study_day(now, user.timezone, user.day_start_hour).end
    forget_plans(user_id, now)
    _commit_card_change()
    return card


def leeches(user_id: int) -> list[Card]:
    return list(
        db.session.scalars(
            sa.select(Card)
            .where(Card.user_id == user_id, Card.leech.is_(True))
            .order_by(Card.lapses.desc(), Card.id)
        )
    )
