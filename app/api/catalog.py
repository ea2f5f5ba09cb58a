"""API: the tracks and articles of the catalogue."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from app.api import bp
from app.models import Article, Track
from app.services import catalog


def article_json(article: Article) -> dict[str, Any]:
    return {
        "key": article.key,
        "title": article.title,
        "series": article.series,
        "part": article.part,
        "part_title": article.part_title,
        "position": article.position,
        "difficulty": article.difficulty,
        "read_minutes": article.read_minutes,
        "key_tradeoff": article.key_tradeoff,
        "tags": list(article.tags or []),
    }


def track_json(track: Track, *, article_count: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": track.key,
        "title": track.title,
        "description": track.description,
        "level": track.level,
    }
    if article_count is not None:
        body["article_count"] = article_count
    return body


@bp.get("/tracks")
def list_tracks() -> Response:
    return jsonify(
        {
            "tracks": [
                track_json(s.track, article_count=s.article_count) for s in catalog.list_tracks()
            ]
        }
    )


@bp.get("/tracks/<key>")
def get_track(key: str) -> Response:
    track = catalog.get_track(key)
    articles = catalog.track_articles(track)
    return jsonify(
        {
            **track_json(track, article_count=len(articles)),
            "articles": [article_json(a) for a in articles],
        }
    )


@bp.get("/articles")
def list_articles() -> Response:
    return jsonify({"articles": [article_json(a) for a in catalog.list_articles()]})


@bp.get("/articles/<key>")
def get_article(key: str) -> Response:
    article = catalog.get_article(key)
    questions = catalog.article_questions(article.id)
    return jsonify(
        {
            **article_json(article),
            "questions": [
                {"id": q.id, "key": q.key, "kind": q.kind, "prompt": q.prompt} for q in questions
            ],
        }
    )
