"""Browse tracks and read articles."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.services import catalog
from app.templating import NAVIGATION, NavItem

bp = Blueprint("catalog", __name__)
NAVIGATION.append(NavItem("catalog.tracks", "Tracks"))


@bp.get("/tracks")
def tracks() -> str:
    return render_template("catalog/tracks.html", summaries=catalog.list_tracks())


@bp.get("/tracks/<key>")
def track(key: str) -> str:
    track = catalog.get_track(key)
    return render_template(
        "catalog/track.html", track=track, articles=catalog.track_articles(track)
    )


@bp.get("/articles/<key>")
def article(key: str) -> str:
    article = catalog.get_article(key)
    questions = catalog.article_questions(article.id) if current_user.is_authenticated else []
    return render_template(
        "catalog/article.html",
        article=article,
        questions=questions,
        tracks=catalog.tracks_containing(article.id),
    )
