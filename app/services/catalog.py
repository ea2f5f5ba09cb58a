"""Reading the catalogue: tracks, their articles and the articles' questions."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from app.domain.daily_load import DailyLoad, daily_load
from app.domain.scheduling import Preset
from app.extensions import db
from app.models import Article, Question, Track, TrackArticle
from app.services.errors import NotFound


def visible_to(model: type[Article] | type[Track], viewer_id: int | None) -> sa.ColumnElement[bool]:
    """The shared banks, and the viewer's own imported decks."""
    if viewer_id is None:
        return model.owner_id.is_(None)
    return sa.or_(model.owner_id.is_(None), model.owner_id == viewer_id)


@dataclass(frozen=True)
class TrackSummary:
    track: Track
    article_count: int
    read_minutes: int
    question_count: int
    article_keys: frozenset[str]

    @property
    def load(self) -> DailyLoad:
        """What the track asks a day at the default preset's limits."""
        return daily_load(self.question_count, Preset())


def list_tracks(viewer_id: int | None = None) -> list[TrackSummary]:
    live_article = sa.and_(Article.id == TrackArticle.article_id, Article.retired_at.is_(None))
    questions = (
        sa.select(Question.article_id, sa.func.count().label("n"))
        .where(Question.retired_at.is_(None))
        .group_by(Question.article_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            Track.id,
            Article.key,
            sa.func.coalesce(Article.read_minutes, 0),
            sa.func.coalesce(questions.c.n, 0),
        )
        .join(TrackArticle, TrackArticle.track_id == Track.id)
        .join(Article, live_article)
        .outerjoin(questions, questions.c.article_id == Article.id)
        .where(Track.retired_at.is_(None), visible_to(Track, viewer_id))
    ).all()
    by_track: dict[int, list[tuple[str, int, int]]] = {}
    for track_id, key, minutes, count in rows:
        by_track.setdefault(track_id, []).append((key, int(minutes), int(count)))
    tracks = db.session.scalars(
        sa.select(Track)
        .where(Track.retired_at.is_(None), visible_to(Track, viewer_id))
        .order_by(Track.position, Track.id)
    )
    summaries = []
    for track in tracks:
        entries = by_track.get(track.id, [])
        summaries.append(
            TrackSummary(
                track,
                article_count=len(entries),
                read_minutes=sum(minutes for _, minutes, _ in entries),
                question_count=sum(count for _, _, count in entries),
                article_keys=frozenset(key for key, _, _ in entries),
            )
        )
    return summaries


def get_track(key: str, viewer_id: int | None = None) -> Track:
    track = db.session.scalar(
        sa.select(Track)
        .where(Track.key == key, Track.retired_at.is_(None), visible_to(Track, viewer_id))
        .options(selectinload(Track.entries).selectinload(TrackArticle.article))
    )
    if track is None:
        raise NotFound(f"no track {key!r}")
    return track


def track_articles(track: Track) -> list[Article]:
    return [e.article for e in track.entries if e.article.retired_at is None]


def list_articles(viewer_id: int | None = None) -> list[Article]:
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.retired_at.is_(None), visible_to(Article, viewer_id))
            .order_by(Article.series, Article.position, Article.key)
        )
    )


def get_article(key: str, viewer_id: int | None = None) -> Article:
    article = db.session.scalar(
        sa.select(Article).where(
            Article.key == key, Article.retired_at.is_(None), visible_to(Article, viewer_id)
        )
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


def tracks_containing(article_id: int, viewer_id: int | None = None) -> list[Track]:
    return list(
        db.session.scalars(
            sa.select(Track)
            .join(TrackArticle, TrackArticle.track_id == Track.id)
            .where(
                TrackArticle.article_id == article_id,
                Track.retired_at.is_(None),
                visible_to(Track, viewer_id),
            )
            .order_by(Track.position)
        )
    )


_SUFFIXES = ("ing", "es", "ed", "s", "e")


def stem(word: str) -> str:
    """``word`` without one common English ending, when at least four letters remain."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class ArticleSearch:
    """What the catalogue page filters by: words (all must match), a difficulty, a topic (a tag)
    and a series. Empty fields match everything."""

    text: str = ""
    difficulty: str = ""
    topic: str = ""
    series: str = ""

    @property
    def words(self) -> list[str]:
        """The search's words, each cut to a stem so "cache" finds "caching" and "caches"."""
        return [stem(word) for word in self.text.casefold().split()]

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.difficulty or self.topic or self.series)

    def matches(self, article: Article) -> bool:
        if self.difficulty and article.difficulty != self.difficulty:
            return False
        if self.series and article.series != self.series:
            return False
        tags = article.tags or []
        if self.topic and self.topic not in tags:
            return False
        haystack = " ".join(
            [
                article.title,
                article.key,
                article.key_tradeoff or "",
                article.series or "",
                article.part_title or "",
                *tags,
            ]
        ).casefold()
        return all(word in haystack for word in self.words)


@dataclass(frozen=True)
class Facets:
    """The values the filters offer, each with how many articles have it."""

    series: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    difficulties: list[tuple[str, int]]


def catalogue_articles(viewer_id: int | None = None) -> list[Article]:
    """Every live article in catalogue order, without the columns a list never shows."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.retired_at.is_(None), visible_to(Article, viewer_id))
            .options(defer(Article.body_html), defer(Article.rubric))
            .order_by(Article.series, Article.part, Article.position, Article.key)
        )
    )


def find_articles(
    search: ArticleSearch, articles: list[Article] | None = None, viewer_id: int | None = None
) -> list[Article]:
    pool = catalogue_articles(viewer_id) if articles is None else articles
    return [a for a in pool if search.matches(a)]


def facets(articles: list[Article], min_topic_articles: int = 2) -> Facets:
    """Series, topics shared by at least ``min_topic_articles`` articles, and difficulties."""
    series: dict[str, int] = {}
    topics: dict[str, int] = {}
    levels: dict[str, int] = {}
    for article in articles:
        if article.series:
            series[article.series] = series.get(article.series, 0) + 1
        for tag in article.tags or []:
            topics[tag] = topics.get(tag, 0) + 1
        levels[article.difficulty] = levels.get(article.difficulty, 0) + 1
    order = {"beginner": 0, "intermediate": 1, "advanced": 2}
    return Facets(
        series=sorted(series.items()),
        topics=sorted((t, n) for t, n in topics.items() if n >= min_topic_articles),
        difficulties=sorted(levels.items(), key=lambda item: order.get(item[0], 3)),
    )


def matching_tracks(
    summaries: list[TrackSummary], search: ArticleSearch, found: list[Article]
) -> list[TrackSummary]:
    """With no filter, every track; else the tracks whose title or description holds the words,
    or that list an article the search found."""
    if search.is_empty:
        return summaries
    keys = {a.key for a in found}
    return [
        s
        for s in summaries
        if s.article_keys & keys
        or (
            search.words
            and all(w in f"{s.track.title} {s.track.description}".casefold() for w in search.words)
            and not (search.difficulty or search.topic or search.series)
        )
    ]
