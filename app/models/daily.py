"""The daily loop: study days and streaks, reminders and their outbox, parameter fits, and the
tables the scheduler process uses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db


class StudyDay(db.Model):  # type: ignore[name-defined,misc]
    """One learner's study day, in their own day boundary; ``completed`` feeds the streak."""

    __tablename__ = "study_days"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    reviews: Mapped[int] = mapped_column(default=0)
    completed: Mapped[bool] = mapped_column(default=False)
    # The day's queue plan (see domain.day_plan.DayPlan): the candidates gathered, and the day's
    # progress through them, which each answer rewrites. None until gathered, or after a change
    # dropped it. Every write bumps the version, so a plan gathered while an answer or a change
    # was committing is never stored over theirs.
    queue: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    queue_progress: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    queue_version: Mapped[int] = mapped_column(default=0, server_default="0")


class Digest(db.Model):  # type: ignore[name-defined,misc]
    """A daily reminder that was sent. The unique key makes a second one for the day impossible."""

    __tablename__ = "digests"
    __table_args__ = (sa.UniqueConstraint("user_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outbox_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox.id", ondelete="SET NULL"))

    outbox: Mapped[OutboxMessage | None] = relationship()


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """Every email Rehearse writes. Without SMTP configured, this table is where mail goes."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "outbox" (kept here only), "sent" (handed to SMTP) or "failed" (see error).
    status: Mapped[str] = mapped_column(sa.String(20), default="outbox")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(sa.Text)


class ParameterFit(db.Model):  # type: ignore[name-defined,misc]
    """One attempt to fit FSRS parameters to an enrolment's history, kept or not."""

    __tablename__ = "parameter_fits"
    __table_args__ = (
        sa.Index("ix_parameter_fits_enrolment_created", "enrolment_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "queued" until the scheduler process runs it, then "kept", "rejected", "skipped" or "failed".
    status: Mapped[str] = mapped_column(sa.String(20))
    trigger: Mapped[str] = mapped_column(sa.String(20))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_count: Mapped[int] = mapped_column(default=0)
    log_loss_before: Mapped[float | None]
    log_loss_after: Mapped[float | None]
    parameters: Mapped[list[float] | None] = mapped_column(sa.JSON)
    recommended_retention: Mapped[float | None]
    message: Mapped[str | None] = mapped_column(sa.Text)


class SchedulerLease(db.Model):  # type: ignore[name-defined,misc]
    """Who may run scheduled jobs (SQLite; PostgreSQL uses an advisory lock instead)."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


# APScheduler's SQLAlchemyJobStore table, declared here so the schema comes from migrations
# like every other table; the job store finds it and does not create its own.
apscheduler_jobs = sa.Table(
    "apscheduler_jobs",
    db.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)


def fit_summary(fit: ParameterFit) -> dict[str, Any]:
    return {
        "id": fit.id,
        "created_at": fit.created_at.isoformat(),
        "status": fit.status,
        "trigger": fit.trigger,
        "review_count": fit.review_count,
        "log_loss_before": fit.log_loss_before,
        "log_loss_after": fit.log_loss_after,
        "recommended_retention": fit.recommended_retention,
        "message": fit.message,
    }


class ExtraNewCards(db.Model):  # type: ignore[name-defined,misc]
    """New cards a learner asked for beyond an enrolment's daily limit, for one study day (Anki's
    custom study "increase today's new card limit")."""

    __tablename__ = "extra_new_cards"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    local_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(default=0)
