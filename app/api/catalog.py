"""API: the tracks and articles of the catalogue."""

from __future__ import annotations

from flask import g

from app.api import bp
from app.api.schemas.catalog import (
    Article,
    ArticleDetail,
    ArticleQuery,
    Articles,
    QuestionSummary,
    Track,
    TrackDetail,
    TrackInCatalogue,
    Tracks,
)
from app.api.spec import responses, spec
from app.services import catalog


@bp.get("/tracks")
@spec.validate(resp=responses({200: (Tracks, "The tracks")}), operation_id="listTracks")
def list_tracks() -> Tracks:
    """Every track, in catalogue order, with its size and daily load at the default preset"""
    return Tracks(
        tracks=[TrackInCatalogue.of_summary(s) for s in catalog.list_tracks(g.api_user.id)]
    )


@bp.get("/tracks/<key>")
@spec.validate(resp=responses({200: (TrackDetail, "The track")}, 404), operation_id="getTrack")
def get_track(key: str) -> TrackDetail:
    """One track with its articles in order"""
    track = catalog.get_track(key, g.api_user.id)
    articles = catalog.track_articles(track)
    return TrackDetail(
        **dict(Track.of(track, len(articles))),
        articles=[Article.model_validate(a) for a in articles],
    )


@bp.get("/articles")
@spec.validate(
    query=ArticleQuery,
    resp=responses({200: (Articles, "The articles found")}, 422),
    operation_id="listArticles",
)
def list_articles(query: ArticleQuery) -> Articles:
    """The articles, in catalogue order, found by words, difficulty, topic and series

    Every word must appear in an article's title, key trade-off, series, part or tags; the
    filters left empty match every article.
    """
    search = catalog.ArticleSearch(
        text=query.q, difficulty=query.difficulty, topic=query.topic, series=query.series
    )
    return Articles(
        articles=[
            Article.model_validate(a)
            for a in catalog.find_articles(search, viewer_id=g.api_user.id)
        ]
    )


@bp.get("/articles/<key>")
@spec.validate(
    resp=responses({200: (ArticleDetail, "The article")}, 404), operation_id="getArticle"
)
def get_article(key: str) -> ArticleDetail:
    """One article and the questions it generates"""
    article = catalog.get_article(key, g.api_user.id)
    questions = catalog.article_questions(article.id)
    return ArticleDetail(
        **dict(Article.model_validate(article)),
        questions=[QuestionSummary.model_validate(q) for q in questions],
    )
