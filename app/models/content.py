"""What the question banks become in the database: articles, tracks and their questions.

Rows are never deleted by a sync: an article or question that leaves the banks is retired (kept,
with every learner's history, and hidden from new study) and comes back un-retired if it returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.domain.banks.limits import (
    KEY_MAX,
    KIND_MAX,
    PATH_MAX,
    QUESTION_KEY_MAX,
    SERIES_MAX,
    TITLE_MAX,
)
from app.extensions import db


class Article(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX), unique=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    series: Mapped[str | None] = mapped_column(sa.String(SERIES_MAX))
    part: Mapped[int | None]
    part_title: Mapped[str | None] = mapped_column(sa.String(TITLE_MAX))
    position: Mapped[int | None]
    difficulty: Mapped[str] = mapped_column(sa.String(20))
    read_minutes: Mapped[int | None]
    key_tradeoff: Mapped[str | None] = mapped_column(sa.String(TITLE_MAX))
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # What a mock interview on the article asks, and the points a good answer covers:
    # [{"text": Markdown, "source": "table" | "one_thing" | "self_assessment" | "author",
    #   "question_keys": [...]}] (question_banks/README.md, "Interview rubric").
    interview_prompt: Mapped[str | None] = mapped_column(sa.Text)
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list, server_default="[]")
    source_path: Mapped[str] = mapped_column(sa.String(PATH_MAX))
    # A learner's own article (imported from Anki): only its owner (a users.id) sees it; None for
    # the banks. No foreign key: SQLite adds one to an existing table only by copying the table.
    owner_id: Mapped[int | None] = mapped_column(index=True)
    body_html: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questions: Mapped[list[Question]] = relationship(
        back_populates="article", order_by="Question.position"
    )


class Track(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX), unique=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    level: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int] = mapped_column(default=0)
    source_path: Mapped[str] = mapped_column(sa.String(PATH_MAX))
    # A learner's own track (an imported Anki deck): only its owner sees it; None for the banks.
    owner_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entries: Mapped[list[TrackArticle]] = relationship(
        back_populates="track",
        order_by="TrackArticle.position",
        cascade="all, delete-orphan",
    )


class TrackArticle(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "track_articles"

    track_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int]

    track: Mapped[Track] = relationship(back_populates="entries")
    article: Mapped[Article] = relationship()


class Question(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "questions"
    __table_args__ = (sa.Index("ix_questions_article_position", "article_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Identity from the question's place in its article, never its wording
    # (question_banks/README.md, "Identity").
    key: Mapped[str] = mapped_column(sa.String(QUESTION_KEY_MAX), unique=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(KIND_MAX))
    position: Mapped[int]
    prompt: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.Text)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    choices: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    correct: Mapped[int | None]
    cloze_answer: Mapped[str | None] = mapped_column(sa.Text)
    # More typed answers that count as right (the author's `accept` directive).
    accepted: Mapped[list[str] | None] = mapped_column(sa.JSON)
    # Choices shown as written (the author's `keep-order`), never shuffled.
    fixed_order: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sibling_group: Mapped[str | None] = mapped_column(sa.String(QUESTION_KEY_MAX))
    source_path: Mapped[str] = mapped_column(sa.String(PATH_MAX))
    source_line: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship(back_populates="questions")

    def grading_fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "choices": tuple(self.choices or ()),
            "correct": self.correct,
            "cloze_answer": self.cloze_answer,
            "accepted": tuple(self.accepted or ()),
        }


class QuestionReport(db.Model):  # type: ignore[name-defined,misc]
    """A learner's report of a problem with a question, for the instance's administrators."""

    __tablename__ = "question_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    question: Mapped[Question] = relationship()


class BankFingerprint(db.Model):  # type: ignore[name-defined,misc]
    """What a sync last applied from one part of the banks: a hash of its files and of the code
    that turns them into questions. An unchanged fingerprint means nothing to apply."""

    __tablename__ = "bank_fingerprints"

    scope: Mapped[str] = mapped_column(sa.String(PATH_MAX), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
