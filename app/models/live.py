"""Live quizzes: a host paces questions to players in a room or on a call.

Everything lives in these rows, so any worker of any node can answer any request; players poll
the quiz's state and its ``version`` says whether anything they see has changed.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.models.content import Question


class LiveQuiz(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "live_quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The short code players type; it stops working when the quiz ends.
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    host_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reading_groups.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    question_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    guests_allowed: Mapped[bool] = mapped_column(default=False)
    # Seconds each question stays open, enforced by the server; None: until the host moves on.
    timer_seconds: Mapped[int | None]
    phase: Mapped[str] = mapped_column(sa.String(10), default="lobby")  # LivePhase
    position: Mapped[int] = mapped_column(default=-1)  # the current question; -1 in the lobby
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A group's live quiz, once ended, is kept as one of the group's closed quizzes.
    group_quiz_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("group_quizzes.id", ondelete="SET NULL")
    )
    # Bumped by every change a player can see (the poll's `since`); host changes check it.
    version: Mapped[int] = mapped_column(default=1)


class LivePlayer(db.Model):  # type: ignore[name-defined,misc]
    """A seat in a live quiz: a member's account or a guest's nickname, kept across reloads by
    its secret."""

    __tablename__ = "live_players"
    __table_args__ = (
        sa.UniqueConstraint("quiz_id", "user_id"),
        sa.UniqueConstraint("quiz_id", "nickname_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("live_quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    nickname: Mapped[str] = mapped_column(sa.String(40))
    nickname_key: Mapped[str] = mapped_column(sa.String(40))  # case-folded, for uniqueness
    seat: Mapped[str] = mapped_column(sa.String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LiveAnswer(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "live_answers"
    __table_args__ = (
        sa.UniqueConstraint("player_id", "position"),
        sa.Index("ix_live_answers_quiz_position", "quiz_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("live_quizzes.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(sa.ForeignKey("live_players.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(sa.String(20))
    correct: Mapped[bool]
    # Milliseconds from the question's opening to the answer, both by the server's clock.
    ms: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    counted: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship()
