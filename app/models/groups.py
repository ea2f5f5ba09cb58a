"""Reading groups: a team following a track one article a week, its invites, its weekly
assignments and its quizzes with a deadline."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.models.content import Article, Question, Track
from app.models.users import User


class Group(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "reading_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="CASCADE"))
    # The week turns on this weekday (0 Monday … 6 Sunday) at this local time, in this zone.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    week_day: Mapped[int] = mapped_column(sa.SmallInteger)
    week_hour: Mapped[int] = mapped_column(sa.SmallInteger)
    week_minute: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # The host's order of the track's articles (ids), and the ones to skip.
    article_order: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    skipped: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=0)

    track: Mapped[Track] = relationship()
    members: Mapped[list[GroupMember]] = relationship(
        order_by="GroupMember.joined_at", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}


class GroupMember(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "group_members"
    __table_args__ = (sa.Index("ix_group_members_user", "user_id"),)

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reading_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(10))  # owner, host or member (GroupRole)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the other members may see: progress with the week's article, and quiz answers.
    shows_progress: Mapped[bool] = mapped_column(default=True)
    shows_answers: Mapped[bool] = mapped_column(default=False)
    # Quiz answers also count in the member's own schedule (the drills' rule).
    counts_quizzes: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class GroupInvite(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "group_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reading_groups.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GroupWeek(db.Model):  # type: ignore[name-defined,misc]
    """One week of a group and the article assigned to it; one row per (group, week)."""

    __tablename__ = "group_weeks"
    __table_args__ = (sa.UniqueConstraint("group_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("reading_groups.id", ondelete="CASCADE"))
    # The group's local date on which the week turned, and that instant.
    starts_on: Mapped[date] = mapped_column(sa.Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship()


class GroupRead(db.Model):  # type: ignore[name-defined,misc]
    """A member's "I have read it" for a week's article."""

    __tablename__ = "group_reads"

    week_id: Mapped[int] = mapped_column(
        sa.ForeignKey("group_weeks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupQuiz(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "group_quizzes"
    __table_args__ = (sa.Index("ix_group_quizzes_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("reading_groups.id", ondelete="CASCADE"))
    week_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("group_weeks.id", ondelete="SET NULL")
    )
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(default=0)

    article: Mapped[Article] = relationship()

    __mapper_args__ = {"version_id_col": version}


class GroupQuizAnswer(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "group_quiz_answers"
    __table_args__ = (sa.UniqueConstraint("quiz_id", "user_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("group_quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(sa.String(20))
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Also recorded as a review in the member's own schedule.
    counted: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship()
