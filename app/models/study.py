"""A learner's study state: enrolments with their presets, cards, and the review log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import IntEnumType, UTCDateTime, utcnow
from app.domain.scheduling import CardState, Rating
from app.extensions import db
from app.models.content import Question, Track


class Enrolment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "enrolments"
    __table_args__ = (sa.UniqueConstraint("user_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("tracks.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the learner leaves the track; the row stays so its presets and history do.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    track: Mapped[Track] = relationship()
    # Every version of the settings, oldest first; the last one is in force. Earlier versions stay
    # so that each review can be replayed with the settings it was made under.
    presets: Mapped[list[Preset]] = relationship(
        order_by="Preset.id", cascade="all, delete-orphan", passive_deletes=True
    )


class Preset(db.Model):  # type: ignore[name-defined,misc]
    """One version of an enrolment's scheduling settings. Never updated: a change adds a row."""

    __tablename__ = "presets"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    desired_retention: Mapped[float]
    new_per_day: Mapped[int]
    max_reviews_per_day: Mapped[int]
    learning_steps: Mapped[str] = mapped_column(sa.String(200))
    relearning_steps: Mapped[str] = mapped_column(sa.String(200))
    maximum_interval: Mapped[int]
    parameters: Mapped[list[float]] = mapped_column(sa.JSON)
    leech_threshold: Mapped[int]
    leech_suspend: Mapped[bool]

    def values(self) -> dict[str, Any]:
        return {
            "desired_retention": self.desired_retention,
            "new_per_day": self.new_per_day,
            "max_reviews_per_day": self.max_reviews_per_day,
            "learning_steps": self.learning_steps,
            "relearning_steps": self.relearning_steps,
            "maximum_interval": self.maximum_interval,
            "parameters": list(self.parameters),
            "leech_threshold": self.leech_threshold,
            "leech_suspend": self.leech_suspend,
        }


class Card(db.Model):  # type: ignore[name-defined,misc]
    """One learner's memory of one question, created when the question is first answered."""

    __tablename__ = "cards"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "question_id"),
        sa.Index("ix_cards_user_state_due", "user_id", "state", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    # The enrolment whose preset schedules this card: the one that introduced it.
    enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[CardState] = mapped_column(IntEnumType(CardState), default=CardState.NEW)
    step: Mapped[int | None] = mapped_column(sa.SmallInteger)
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The learner's study day of the last review: a review on the same day is short-term.
    last_day: Mapped[date | None] = mapped_column(sa.Date)
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    suspended: Mapped[bool] = mapped_column(default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leech: Mapped[bool] = mapped_column(default=False)
    # Marked by the learner in the card browser, to find again (as Anki's flag).
    flagged: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Bumped by every change, so two tabs answering the same card cannot both win.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship()

    # Every UPDATE checks and bumps the version, so a concurrent change raises StaleDataError.
    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict[str, Any]:
        """Everything an undo must restore, as JSON-ready values."""
        return card_snapshot({name: getattr(self, name) for name in SNAPSHOT_FIELDS})


# What a review log keeps of the card before the answer, so an undo can restore it.
SNAPSHOT_FIELDS = (
    "state", "step", "stability", "difficulty", "due", "last_review", "last_day", "reps",
    "lapses", "suspended", "buried_until", "leech", "enrolment_id",
)  # fmt: skip


def card_snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """A card's columns (``SNAPSHOT_FIELDS``) as the JSON-ready snapshot a review log keeps."""
    snapshot = {}
    for name in SNAPSHOT_FIELDS:
        value = values[name]
        snapshot[name] = value.isoformat() if isinstance(value, date) else value  # datetimes too
    snapshot["state"] = int(values["state"])
    return snapshot


class ReviewLog(db.Model):  # type: ignore[name-defined,misc]
    """One answer. Rows are only ever added; an undo stamps ``undone_at`` and nothing else."""

    __tablename__ = "review_logs"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "review_id"),
        sa.Index("ix_review_logs_user_reviewed_at", "user_id", "reviewed_at"),
        sa.Index("ix_review_logs_card_reviewed_at", "card_id", "reviewed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(sa.ForeignKey("cards.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolments.id", ondelete="SET NULL")
    )
    preset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("presets.id", ondelete="SET NULL"))
    # Chosen by the client; sending the same one again returns this row's result.
    review_id: Mapped[str] = mapped_column(sa.String(64))
    rating: Mapped[Rating] = mapped_column(IntEnumType(Rating))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The learner's study day at the review (time zone and day start then), for replays.
    study_date: Mapped[date | None] = mapped_column(sa.Date)
    duration_ms: Mapped[int | None]
    answer: Mapped[str | None] = mapped_column(sa.Text)
    correct: Mapped[bool | None]
    # The learner said "I was right" over a typed answer the grader judged wrong.
    overruled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    state_before: Mapped[CardState] = mapped_column(IntEnumType(CardState))
    state_after: Mapped[CardState] = mapped_column(IntEnumType(CardState))
    stability_after: Mapped[float | None]
    difficulty_after: Mapped[float | None]
    due_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interval_days: Mapped[float]
    elapsed_days: Mapped[float | None]
    retrievability: Mapped[float | None]
    # card id x 7919 + reps: passes 2**31 once card ids pass 271,180, so a 32-bit column overflows.
    fuzz_seed: Mapped[int | None] = mapped_column(sa.BigInteger)
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CardChange(db.Model):  # type: ignore[name-defined,misc]
    """One card's suspend, unsuspend, bury, unbury, flag, unflag or forget, kept so it can be
    undone.

    The cards changed by one action share its ``batch``: an undo takes the whole action back. Rows
    are only ever added; an undo stamps ``undone_at``.
    """

    __tablename__ = "card_changes"
    __table_args__ = (sa.Index("ix_card_changes_user_changed_at", "user_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    card_id: Mapped[int] = mapped_column(sa.ForeignKey("cards.id", ondelete="CASCADE"))
    batch: Mapped[str] = mapped_column(sa.String(32), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))
    # The card as it was (Card.snapshot() and flagged): what an undo restores.
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
