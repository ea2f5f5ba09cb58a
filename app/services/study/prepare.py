"""Preparing day plans ahead: the scheduler gathers today's plan for active learners as their
day begins, so their first card is as quick as the rest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.domain import day_plan as dp
from app.domain.studyday import study_day
from app.extensions import db
from app.models import Enrolment, User
from app.services.plans import DAYS
from app.services.study.queue import gather_and_store

log = logging.getLogger(__name__)


# Learners who answered within this many days get their plan gathered before they ask for it.
ACTIVE_DAYS = 30


@dataclass
class PrepareRun:
    considered: int = 0
    prepared: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.prepared} day plans gathered for {self.considered} active learners" + (
            f", {self.failed} failed" if self.failed else ""
        )


def prepare_plans(*, now: datetime, batch_size: int = 500) -> PrepareRun:
    """Gather today's plan for every recently active learner whose day has begun without one.

    The plan is what makes the day's first card as quick as the rest; a learner this misses (new,
    or back after a month away) has theirs gathered by their first request instead. Safe to run
    at any time and as often as wanted: a learner with a plan for today is skipped.
    """
    run = PrepareRun()
    since = now.date() - timedelta(days=ACTIVE_DAYS + 1)
    active = (
        sa.select(DAYS.c.user_id)
        .where(DAYS.c.local_date >= since, DAYS.c.reviews > 0)
        .distinct()
        .scalar_subquery()
    )
    enrolled = sa.select(Enrolment.user_id).where(Enrolment.left_at.is_(None)).scalar_subquery()
    last_id = 0
    while True:
        users = list(
            db.session.scalars(
                sa.select(User)
                .where(User.id > last_id, User.id.in_(active), User.id.in_(enrolled))
                .order_by(User.id)
                .limit(batch_size)
            )
        )
        if not users:
            return run
        last_id = users[-1].id
        run.considered += len(users)
        today_of = {u.id: study_day(now, u.timezone, u.day_start_hour) for u in users}
        db.session.expunge_all()  # each plan is committed on its own: keep none of these loaded
        rows = db.session.execute(
            sa.select(
                DAYS.c.user_id,
                DAYS.c.local_date,
                DAYS.c.queue.is_not(None),
                DAYS.c.queue_version,
            ).where(
                DAYS.c.user_id.in_(today_of),
                DAYS.c.local_date.in_({day.date for day in today_of.values()}),
            )
        ).all()
        stored = {(u, d): (has_plan, version) for u, d, has_plan, version in rows}
        for user_id, day in today_of.items():
            has_plan, version = stored.get((user_id, day.date), (False, None))
            if has_plan:
                continue
            try:
                gather_and_store(user_id, day, dp.ALL_TRACKS, now, version)
            except Exception:
                db.session.rollback()
                run.failed += 1
                log.exception("could not gather the day plan of learner %s", user_id)
            else:
                run.prepared += 1
            db.session.expunge_all()
