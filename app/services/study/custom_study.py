"""Custom study: more new cards today than the preset's daily limit (Anki's "increase today's new
card limit"). The extra counts for one study day and one enrolment; the day's plan is gathered
again with the larger limit. This module owns extra_new_cards."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.domain.studyday import study_day
from app.extensions import db
from app.models import ExtraNewCards
from app.services.concurrency import one_change
from app.services.errors import ValidationError
from app.services.plans import upsert
from app.services.study.enrolments import get_enrolment
from app.services.study.learners import forget_plans, get_user

EXTRA_MAX = 9999
TABLE = ExtraNewCards.__table__


def extra_new_today(user_id: int, local_date: date) -> dict[int, int]:
    """Extra new cards allowed on ``local_date``, by enrolment."""
    return dict(
        db.session.execute(
            sa.select(ExtraNewCards.enrolment_id, ExtraNewCards.count).where(
                ExtraNewCards.user_id == user_id, ExtraNewCards.local_date == local_date
            )
        ).all()
    )


def study_more_new(user_id: int, enrolment_id: int, count: int, *, now: datetime) -> int:
    """Allow ``count`` more new cards today in one enrolment; returns today's extra in all."""
    if isinstance(count, bool) or not 1 <= count <= EXTRA_MAX:
        raise ValidationError({"count": f"Use a whole number from 1 to {EXTRA_MAX}."})
    with one_change():
        enrolment = get_enrolment(user_id, enrolment_id)
        user = get_user(user_id)
        today = study_day(now, user.timezone, user.day_start_hour).date
        statement = upsert()(TABLE).values(
            user_id=user_id, local_date=today, enrolment_id=enrolment.id, count=count
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[TABLE.c.user_id, TABLE.c.local_date, TABLE.c.enrolment_id],
                set_={"count": TABLE.c.count + count},
            )
        )
        forget_plans(user_id, now)
        db.session.commit()
    return extra_new_today(user_id, today)[enrolment.id]
