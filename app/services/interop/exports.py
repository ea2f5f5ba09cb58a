"""Exporting questions to Anki: a track, an article or the learner's own cards, as a package
(optionally with the learner's scheduling and review log), as Anki text or as CSV; and a track of
the shared banks as the Markdown files it is built from, which import back to the same questions.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import yaml

from app.domain.anki import IMPORTED_SOURCE
from app.domain.anki.outgoing import (
    OutgoingNote,
    Review,
    Schedule,
    tag,
    write_anki_text,
    write_csv,
    write_package,
)
from app.domain.questions import KINDS, AnswerMode
from app.domain.render import render_inline, render_markdown
from app.extensions import db
from app.models import Article, Card, Question, ReviewLog, TrackArticle
from app.services import catalog
from app.services.errors import NotFound, ValidationError


@dataclass(frozen=True)
class ExportScope:
    """Exactly one of: a track's key, an article's key, or the learner's own cards."""

    track: str | None = None
    article: str | None = None
    mine: bool = False

    @property
    def name(self) -> str:
        return self.track or self.article or "my-cards"


def _questions(user_id: int, scope: ExportScope) -> list[tuple[Question, Article]]:
    query = (
        sa.select(Question, Article)
        .join(Article, Article.id == Question.article_id)
        .where(Question.retired_at.is_(None), Article.retired_at.is_(None))
    )
    if scope.track:
        track = catalog.get_track(scope.track, user_id)
        order = {e.article_id: e.position for e in track.entries}
        rows = db.session.execute(
            query.join(TrackArticle, TrackArticle.article_id == Article.id).where(
                TrackArticle.track_id == track.id
            )
        ).all()
        return sorted(((q, a) for q, a in rows), key=lambda r: (order[r[1].id], r[0].position))
    if scope.article:
        article = catalog.get_article(scope.article, user_id)
        query = query.where(Article.id == article.id)
    elif scope.mine:
        query = query.join(Card, Card.question_id == Question.id).where(Card.user_id == user_id)
    else:
        raise ValidationError({"scope": "Choose a track, an article or your own cards."})
    ordered = query.order_by(Article.series, Article.position, Question.position)
    return [(q, a) for q, a in db.session.execute(ordered)]


def _deck(article: Article) -> str:
    if article.source_path.startswith(IMPORTED_SOURCE):
        return article.source_path[len(IMPORTED_SOURCE) :]
    parts = ["Rehearse"]
    if article.series:
        parts.append(article.series.replace("-", " ").title())
    if article.part_title:
        parts.append(article.part_title)
    parts.append(article.title)
    return "::".join(p.replace("::", ":") for p in parts)


def _sides(question: Question) -> tuple[str, str]:
    explanation = render_markdown(question.explanation) if question.explanation else ""
    if KINDS[question.kind].mode is AnswerMode.CHOICE and question.choices:
        letters = "ABCDEFGHIJ"
        items = "".join(f"<li>{render_inline(choice)}</li>" for choice in question.choices)
        front = f'{render_markdown(question.prompt)}<ol type="A">{items}</ol>'
        right = question.correct if question.correct is not None else 0
        answer = question.choices[right]
        back = f"<p><strong>{letters[right]}.</strong> {render_inline(answer)}</p>{explanation}"
        return front, back
    return render_markdown(question.prompt), render_markdown(question.answer) + explanation


def _schedules(user_id: int, question_ids: Sequence[int]) -> dict[int, Schedule]:
    cards = {
        card.question_id: card
        for card in db.session.scalars(
            sa.select(Card).where(Card.user_id == user_id, Card.question_id.in_(question_ids))
        )
    }
    reviews: dict[int, list[Review]] = {}
    if cards:
        by_card = {card.id: question_id for question_id, card in cards.items()}
        for log in db.session.scalars(
            sa.select(ReviewLog)
            .where(ReviewLog.card_id.in_(by_card), ReviewLog.undone_at.is_(None))
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        ):
            reviews.setdefault(by_card[log.card_id], []).append(
                Review(
                    log.reviewed_at,
                    log.rating,
                    log.state_before,
                    log.interval_days,
                    log.duration_ms,
                )
            )
    return {
        question_id: Schedule(
            card.state,
            card.due,
            card.last_review,
            card.stability,
            card.difficulty,
            card.reps,
            card.lapses,
            card.suspended,
            tuple(reviews.get(question_id, ())),
        )
        for question_id, card in cards.items()
    }


def outgoing_notes(user_id: int, scope: ExportScope, *, with_history: bool) -> list[OutgoingNote]:
    rows = _questions(user_id, scope)
    schedules = _schedules(user_id, [q.id for q, _ in rows]) if with_history else {}
    notes = []
    for question, article in rows:
        front, back = _sides(question)
        tags = tuple(tag(t) for t in (*(article.tags or []), f"rehearse::{question.kind}"))
        notes.append(
            OutgoingNote(
                question.key, _deck(article), front, back, tags, schedules.get(question.id)
            )
        )
    if not notes:
        raise NotFound(f"nothing to export in {scope.name}")
    return notes


def export_package(user_id: int, scope: ExportScope, *, with_history: bool, now: datetime) -> bytes:
    notes = outgoing_notes(user_id, scope, with_history=with_history)
    with tempfile.TemporaryDirectory() as workdir:
        path = write_package(notes, Path(workdir) / "export.apkg", now=now)
        return path.read_bytes()


def export_text(user_id: int, scope: ExportScope, *, csv_header: bool) -> str:
    notes = outgoing_notes(user_id, scope, with_history=False)
    return write_csv(notes) if csv_header else write_anki_text(notes)


def export_markdown(user_id: int, track_key: str, banks_path: Path) -> bytes:
    """A zip of the track's article files and a track file: ``rehearse banks sync`` of it gives the
    same question keys. Only tracks of the shared banks have files to give."""
    track = catalog.get_track(track_key, user_id)
    if track.owner_id is not None or track.source_path.startswith(IMPORTED_SOURCE):
        raise ValidationError(
            {"format": "An imported Anki deck has no Markdown source: export it as a package."}
        )
    buffer = io.BytesIO()
    keys = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in track.entries:
            article = entry.article
            # A source path names the banks' folder first: question_banks/<series>/<file>.md
            source = banks_path.parent / article.source_path
            if article.retired_at is not None or not source.is_file():
                continue
            archive.write(source, Path(article.source_path).relative_to(banks_path.name))
            keys.append(article.key)
        track_file = {
            "key": track.key,
            "title": track.title,
            "description": track.description,
            "level": track.level,
            "articles": keys,
        }
        archive.writestr(f"tracks/{track.key}.yaml", yaml.safe_dump(track_file, sort_keys=False))
    return buffer.getvalue()


# Each format a download comes in: its media type and its file's suffix.
FORMATS = {
    "apkg": ("application/octet-stream", "apkg"),
    "anki-text": ("text/plain; charset=utf-8", "txt"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "markdown": ("application/zip", "zip"),
}


def export_file(
    user_id: int,
    scope: ExportScope,
    fmt: str,
    *,
    with_history: bool,
    banks_path: Path,
    now: datetime,
) -> bytes:
    """The download of ``scope`` in ``fmt`` (one of ``FORMATS``)."""
    if fmt == "apkg":
        return export_package(user_id, scope, with_history=with_history, now=now)
    if fmt in ("anki-text", "csv"):
        return export_text(user_id, scope, csv_header=fmt == "csv").encode()
    if not scope.track:
        raise ValidationError({"format": "Markdown exports a whole track: choose a track."})
    return export_markdown(user_id, scope.track, banks_path)
