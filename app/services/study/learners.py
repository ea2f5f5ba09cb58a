"""The learner a study request is for, and dropping their day plans when the inputs of their queue
change.
"""

from __future__ import annotations

from datetime import datetime

from app.domain.studyday import study_day
from app.extensions import db
from app.models import (
    User,
)
from app.services import plans as day_plans
from app.services.errors import NotFound


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def forget_plans(user_id: int, now: datetime) -> None:
    """Drop the learner's day plans: call before committing any change to what their queue is
    made from (enrolments, presets, a card's suspension or burial, an undone answer)."""
    user = get_user(user_id)
    day_plans.forget(user_id, study_day(now, user.timezone, user.day_start_hour).date)
