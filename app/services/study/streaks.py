"""Study days: whether a day is complete, and the streak of completed days."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.domain import scheduling as fsrs
from app.domain.studyday import StudyDay, study_day
from app.extensions import db
from app.models import (
    Card,
    Question,
    ReviewLog,
    User,
)
from app.services import plans as day_plans
from app.services.study.enrolments import list_enrolments
from app.services.study.presets import current_preset_row
from app.services.study.queue import answers_standing_today, available


def reviews_left(user_id: int, day: StudyDay, now: datetime) -> bool:
    """Whether today's queue still has a due review to offer.

    Like the queue, this skips retired questions, reviews whose sibling was answered today (they
    wait for tomorrow) and tracks whose daily review limit is used up; otherwise such cards would
    keep the day from ever completing.
    """
    enrolments = list_enrolments(user_id)
    done = dict(
        db.session.execute(
            sa.select(ReviewLog.enrolment_id, sa.func.count())
            .where(
                answers_standing_today(user_id, day),
                ReviewLog.state_before == fsrs.CardState.REVIEW,
            )
            .group_by(ReviewLog.enrolment_id)
        ).all()
    )
    open_ids = [
        e.id for e in enrolments if done.get(e.id, 0) < current_preset_row(e).max_reviews_per_day
    ]
    if not open_ids:
        return False
    sibling_card = aliased(Card)
    sibling = aliased(Question)
    sibling_answered_today = (
        sa.select(ReviewLog.id)
        .join(sibling_card, sibling_card.id == ReviewLog.card_id)
        .join(sibling, sibling.id == sibling_card.question_id)
        .where(
            answers_standing_today(user_id, day),
            sibling.sibling_group == Question.sibling_group,
            sibling.id != Question.id,
        )
        .exists()
    )
    return (
        db.session.scalar(
            sa.select(Card.id)
            .join(Question, Question.id == Card.question_id)
            .where(
                Card.user_id == user_id,
                Card.state == fsrs.CardState.REVIEW,
                Card.due < day.end,
                Card.enrolment_id.in_(open_ids),
                available(now),
                Question.retired_at.is_(None),
                ~sibling_answered_today,
            )
            .limit(1)
        )
        is not None
    )


def complete_day(user: User, day: StudyDay) -> None:
    """Mark the day complete — its due reviews are done, or it had none and the learner answered
    a card — and extend the streak by one. Only the first answer to complete it counts."""
    if not day_plans.mark_completed(user.id, day.date) or user.streak_last_day == day.date:
        return
    if user.streak_last_day == day.date - timedelta(days=1):
        user.streak += 1
    else:
        user.streak = 1
    user.streak_last_day = day.date


def current_streak(user: User, *, now: datetime) -> int:
    """The streak as it stands: alive while the last completed day is today or yesterday."""
    if user.streak_last_day is None:
        return 0
    today_date = study_day(now, user.timezone, user.day_start_hour).date
    if today_date - user.streak_last_day <= timedelta(days=1):
        return user.streak
    return 0
