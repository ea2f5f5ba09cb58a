"""API: the tracks and articles of the catalogue."""

from __future__ import annotations

from app.api import bp
from app.api.schemas.catalog import (
    Article,
    ArticleDetail,
    Articles,
    QuestionSummary,
    Track,
    TrackDetail,
    Tracks,
)
from app.api.spec import responses, spec
from app.services import catalog


@bp.get("/tracks")
@spec.validate(resp=responses({200: (Tracks, "The tracks")}), operation_id="listTracks")
def list_tracks() -> Tracks:
    """Every track, in catalogue order"""
    return Tracks(tracks=[Track.of(s.track, s.article_count) for s in catalog.list_tracks()])


@bp.get("/tracks/<key>")
@spec.validate(resp=responses({200: (TrackDetail, "The track")}, 404), operation_id="getTrack")
def get_track(key: str) -> TrackDetail:
    """One track with its articles in order"""
    track = catalog.get_track(key)
    articles = catalog.track_articles(track)
    return TrackDetail(
        **dict(Track.of(track, len(articles))),
        articles=[Article.model_validate(a) for a in articles],
    )


@bp.get("/articles")
@spec.validate(resp=responses({200: (Articles, "The articles")}), operation_id="listArticles")
def list_articles() -> Articles:
    """Every article"""
    return Articles(articles=[Article.model_validate(a) for a in catalog.list_articles()])


@bp.get("/articles/<key>")
@spec.validate(
    resp=responses({200: (ArticleDetail, "The article")}, 404), operation_id="getArticle"
)
def get_article(key: str) -> ArticleDetail:
    """One article and the questions it generates"""
    article = catalog.get_article(key)
    questions = catalog.article_questions(article.id)
    return ArticleDetail(
        **dict(Article.model_validate(article)),
        questions=[QuestionSummary.model_validate(q) for q in questions],
    )
