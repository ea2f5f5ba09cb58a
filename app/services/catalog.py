"""Reading the catalogue: tracks, their articles and the articles' questions."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Article, Question, Track, TrackArticle
from app.services.errors import NotFound


@dataclass(frozen=True)
class TrackSummary:
    track: Track
    article_count: int
    read_minutes: int


def list_tracks() -> list[TrackSummary]:
    rows = db.session.execute(
        sa.select(
            Track,
            sa.func.count(Article.id),
            sa.func.coalesce(sa.func.sum(Article.read_minutes), 0),
        )
        .outerjoin(TrackArticle, TrackArticle.track_id == Track.id)
        .outerjoin(
            Article, sa.and_(Article.id == TrackArticle.article_id, Article.retired_at.is_(None))
        )
        .where(Track.retired_at.is_(None))
        .group_by(Track.id)
        .order_by(Track.position, Track.id)
    )
    return [TrackSummary(track, int(n or 0), int(minutes or 0)) for track, n, minutes in rows]


def get_track(key: str) -> Track:
    track = db.session.scalar(
        sa.select(Track)
        .where(Track.key == key, Track.retired_at.is_(None))
        .options(selectinload(Track.entries).selectinload(TrackArticle.article))
    )
    if track is None:
        raise NotFound(f"no track {key!r}")
    return track


def track_articles(track: Track) -> list[Article]:
    return [e.article for e in track.entries if e.article.retired_at is None]


def list_articles() -> list[Article]:
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.retired_at.is_(None))
            .order_by(Article.series, Article.position, Article.key)
        )
    )


def get_article(key: str) -> Article:
    article = db.session.scalar(
        sa.select(Article).where(Article.key == key, Article.retired_at.is_(None))
    )
    if article is None:
        raise NotFound(f"no article {key!r}")
    return article


def article_questions(article_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.article_id == article_id, Question.retired_at.is_(None))
            .order_by(Question.position)
        )
    )


def tracks_containing(article_id: int) -> list[Track]:
    return list(
        db.session.scalars(
            sa.select(Track)
            .join(TrackArticle, TrackArticle.track_id == Track.id)
            .where(TrackArticle.article_id == article_id, Track.retired_at.is_(None))
            .order_by(Track.position)
        )
    )
