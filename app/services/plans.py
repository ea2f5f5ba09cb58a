"""The study days table, whose only writer this module is: each learner's day plan, kept on the
study day's row with a version, the day's answer count and whether the day is complete.

The plan (see :class:`app.domain.day_plan.DayPlan`) is a cache of the queue's inputs, so the rules
for keeping it right are those of any cache written next to the data it mirrors:

* a plan gathered by a read is stored only if nothing changed the row since that read began
  (``queue_version``), so a slow read never stores a plan that misses a concurrent answer;
* an answer updates the plan in the same transaction as the card, or drops it when the row moved;
* every other change to the queue's inputs drops the learner's plans before it commits, and
  touches today's row so that a plan being gathered at that moment is not stored after it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Result

from app.domain.day_plan import DayPlan, Head, heads_from_json
from app.extensions import db
from app.models import StudyDay

DAYS = StudyDay.__table__


# The values that drop a plan.
DROPPED = {
    "queue": sa.null(),
    "queue_progress": sa.null(),
    "queue_version": DAYS.c.queue_version + 1,
}


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT, with ON CONFLICT support."""
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def upsert() -> Any:
    """INSERT with ON CONFLICT support for the session's database."""
    return insert_for(db.session.get_bind().dialect.name)


def rowcount(result: Result[Any]) -> int:
    """Rows a session's UPDATE or INSERT touched."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


# Read on every request for a card: built once, then only bound and run, on the session's
# connection (in its transaction) without the ORM layer, which this plain read does not need. The
# candidates come as JSON text, parsed only when the head kept in the progress does not do.
_READ = sa.select(
    sa.cast(DAYS.c.queue, sa.Text), DAYS.c.queue_progress, DAYS.c.queue_version
).where(DAYS.c.user_id == sa.bindparam("user_id"), DAYS.c.local_date == sa.bindparam("local_date"))


@dataclass
class Stored:
    """A study day's row as read for the next card: the plan's parts and the row's version."""

    base_text: str | None
    progress: dict[str, Any] | None
    version: int | None  # None: no row yet

    @property
    def has_plan(self) -> bool:
        return bool(self.base_text) and bool(self.progress)

    def heads(self) -> dict[str, Head]:
        return heads_from_json(self.progress) if self.has_plan and self.progress else {}

    @property
    def answers(self) -> int:
        return int(self.progress["answers"]) if self.progress else 0

    def plan(self) -> DayPlan | None:
        if not self.has_plan or self.base_text is None:
            return None
        return decode(self.base_text, self.progress)


def read(user_id: int, local_date: date) -> Stored:
    row = (
        db.session.connection()
        .execute(_READ, {"user_id": user_id, "local_date": local_date})
        .first()
    )
    if row is None:
        return Stored(None, None, None)
    return Stored(*row)


def load(user_id: int, local_date: date) -> tuple[DayPlan | None, int | None]:
    """The stored plan (None if there is none) and the row's version (None if no row yet)."""
    stored = read(user_id, local_date)
    return stored.plan(), stored.version


def decode(base: str | None, progress: Any) -> DayPlan | None:
    """The plan from its stored parts (the candidates as JSON text, parsed when first used)."""
    return DayPlan.from_json(base, progress) if base and progress else None


def store(user_id: int, local_date: date, plan: DayPlan, *, seen_version: int | None) -> bool:
    """Store a plan gathered after reading ``seen_version``, unless the row has moved since.

    Commits. Returns whether the plan was stored."""
    insert = upsert()
    statement = insert(DAYS).values(
        user_id=user_id,
        local_date=local_date,
        reviews=0,
        completed=False,
        queue=plan.base_json(),
        queue_progress=plan.progress_json(),
        queue_version=1,
    )
    if seen_version is None:
        statement = statement.on_conflict_do_nothing(
            index_elements=[DAYS.c.user_id, DAYS.c.local_date]
        )
    else:
        statement = statement.on_conflict_do_update(
            index_elements=[DAYS.c.user_id, DAYS.c.local_date],
            set_={
                "queue": statement.excluded.queue,
                "queue_progress": statement.excluded.queue_progress,
                "queue_version": DAYS.c.queue_version + 1,
            },
            where=DAYS.c.queue_version == seen_version,
        )
    stored = rowcount(db.session.execute(statement)) == 1
    db.session.commit()
    return stored


def forget(user_id: int, today: date) -> None:
    """Drop a learner's plans because their queue's inputs are changing (not committed)."""
    db.session.execute(
        sa.update(DAYS)
        .where(DAYS.c.user_id == user_id, DAYS.c.local_date != today, DAYS.c.queue.is_not(None))
        .values(DROPPED)
    )
    insert = upsert()
    statement = insert(DAYS).values(
        user_id=user_id, local_date=today, reviews=0, completed=False, queue_version=1
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[DAYS.c.user_id, DAYS.c.local_date],
            set_=DROPPED,
        )
    )


def forget_all() -> int:
    """Drop every learner's plans, as a bank sync changes what is in the tracks (not committed).

    Returns how many were dropped."""
    result = db.session.execute(sa.update(DAYS).where(DAYS.c.queue.is_not(None)).values(DROPPED))
    return rowcount(result)


# --- The day's answers and completion ----------------------------------------------------------


@functools.cache
def _count_statement(dialect: str, with_plan: bool, with_base: bool) -> Any:
    """Count an answer on today's row, creating it if need be, and write the plan's progress
    (and its candidates, when they changed) if the row is still at the version the plan was read
    at (else drop the plan)."""
    statement = insert_for(dialect)(DAYS).values(
        user_id=sa.bindparam("b_user"),
        local_date=sa.bindparam("b_date"),
        reviews=1,
        completed=False,
        queue_progress=sa.bindparam("b_progress", type_=DAYS.c.queue_progress.type),
        queue_version=1,
    )
    kept: Any = sa.null()
    progress: Any = sa.null()
    if with_plan:
        # The candidates stay as they were unless the answer folded its progress into them.
        unmoved = DAYS.c.queue_version == sa.bindparam("b_seen")
        base = sa.bindparam("b_base", type_=DAYS.c.queue.type) if with_base else DAYS.c.queue
        kept = sa.case((unmoved, base), else_=sa.null())
        progress = sa.case((unmoved, statement.excluded.queue_progress), else_=sa.null())
    return statement.on_conflict_do_update(
        index_elements=[DAYS.c.user_id, DAYS.c.local_date],
        set_={
            "reviews": DAYS.c.reviews + 1,
            "queue": kept,
            "queue_progress": progress,
            "queue_version": DAYS.c.queue_version + 1,
        },
    ).returning(DAYS.c.queue_version)


def count_answer(
    user_id: int, local_date: date, plan: DayPlan | None, plan_version: int | None
) -> bool:
    """Count the answer on today's row and store the updated plan with it, in one statement.

    The plan is stored only if the row is still at the version it was read at; otherwise (an
    answer in another tab, a change to the learner's tracks) it is dropped, to be gathered again.
    Returns whether the plan was kept."""
    with_plan = plan is not None and plan_version is not None
    connection = db.session.connection()
    with_base = with_plan and plan is not None and plan.base_changed
    statement = _count_statement(connection.dialect.name, with_plan, with_base)
    params: dict[str, Any] = {
        "b_user": user_id,
        "b_date": local_date,
        "b_progress": plan.progress_json() if plan is not None and with_plan else None,
    }
    if with_plan:
        params["b_seen"] = plan_version
    if with_base and plan is not None:
        params["b_base"] = plan.base_json()
    version = connection.execute(statement, params).scalar_one()
    return with_plan and version == (plan_version or 0) + 1


def uncount_answer(user_id: int, local_date: date) -> None:
    """An undone answer no longer counts on the day it was made."""
    db.session.execute(
        sa.update(DAYS)
        .where(DAYS.c.user_id == user_id, DAYS.c.local_date == local_date, DAYS.c.reviews > 0)
        .values(reviews=DAYS.c.reviews - 1)
    )


def mark_completed(user_id: int, local_date: date) -> bool:
    """Mark the day complete; True only for the call that completed it."""
    result = db.session.execute(
        sa.update(DAYS)
        .where(
            DAYS.c.user_id == user_id,
            DAYS.c.local_date == local_date,
            DAYS.c.completed.is_(False),
        )
        .values(completed=True)
    )
    return rowcount(result) == 1
