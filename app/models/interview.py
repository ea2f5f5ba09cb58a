"""Interview prep: drills over a chosen scope, timed rapid-fire rounds and mock interviews.

None of these rows is a review: the long-term schedule (cards, review_logs) changes only when a
drill counts toward it, and then through the study core's own answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.models.content import Article, Question


class Drill(db.Model):  # type: ignore[name-defined,misc]
    """A fixed list of questions drilled in order, bounded by its count and, optionally, a time."""

    __tablename__ = "drills"
    __table_args__ = (sa.Index("ix_drills_user_started_at", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    # The scope as chosen (DrillScope.as_json()), so "drill these again" can repeat it.
    scope: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    order: Mapped[str] = mapped_column(sa.String(16))
    question_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    # Whether answers may count toward the long-term schedule (Anki's "reschedule").
    counts: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)

    answers: Mapped[list[DrillAnswer]] = relationship(
        order_by="DrillAnswer.position", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}


class DrillAnswer(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "drill_answers"
    __table_args__ = (sa.UniqueConstraint("drill_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(sa.ForeignKey("drills.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    response: Mapped[str | None] = mapped_column(sa.Text)
    correct: Mapped[bool]
    rating: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None]
    # The answer also went into the long-term schedule as a review (study.outside_answers).
    counted: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship()


class RapidRound(db.Model):  # type: ignore[name-defined,misc]
    """A timed round of multiple-choice questions; the server's clock is the only clock."""

    __tablename__ = "rapid_rounds"
    __table_args__ = (sa.Index("ix_rapid_rounds_user_scope", "user_id", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(sa.String(200))
    scope_title: Mapped[str] = mapped_column(sa.String(200))
    seconds: Mapped[int]
    question_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    position: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the current question was served: its answer time is measured from here.
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)
    correct: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)
    # Server-measured milliseconds spent on the questions answered right (the tie-breaker).
    correct_ms: Mapped[int] = mapped_column(default=0)
    # Set when the learner shares the round: the link shows its score, nothing else.
    share_code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    version: Mapped[int] = mapped_column(default=0)

    answers: Mapped[list[RapidAnswer]] = relationship(
        order_by="RapidAnswer.position", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}


class RapidAnswer(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "rapid_answers"
    __table_args__ = (sa.UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rapid_rounds.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    response: Mapped[str]
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ms: Mapped[int]

    question: Mapped[Question] = relationship()


class MockInterview(db.Model):  # type: ignore[name-defined,misc]
    """One spoken answer to an article's interview prompt, scored against its rubric."""

    __tablename__ = "mock_interviews"
    __table_args__ = (sa.Index("ix_mock_interviews_user_started_at", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    prompt: Mapped[str] = mapped_column(sa.Text)
    minutes: Mapped[int]
    # The article's rubric when the interview started: [{"text", "source", "question_keys"}].
    points: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    # Indexes of the points the learner ticked as covered; None until scored.
    covered: Mapped[list[int] | None] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=0)

    article: Mapped[Article] = relationship()

    __mapper_args__ = {"version_id_col": version}
