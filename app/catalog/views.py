"""Browse tracks and read articles."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.catalog.forms import CatalogueSearchForm, series_title
from app.domain.scheduling import Preset
from app.services import catalog
from app.templating import NAVIGATION, NavItem

bp = Blueprint("catalog", __name__)
NAVIGATION.append(NavItem("catalog.tracks", "Catalogue"))


ARTICLES_PER_PAGE = 60


def _viewer() -> int | None:
    """Whose imported decks show beside the shared banks: the signed-in learner's."""
    return current_user.id if current_user.is_authenticated else None


@bp.get("/tracks")
def tracks() -> tuple[str, int]:
    """The catalogue: every track with its size and daily load, and the articles, searchable."""
    viewer = _viewer()
    articles = catalog.catalogue_articles(viewer)
    form = CatalogueSearchForm(request.args, meta={"csrf": False})
    form.offer(catalog.facets(articles))
    valid = form.validate()
    search = form.search() if valid else catalog.ArticleSearch()
    found = catalog.find_articles(search, articles) if valid else []
    page = form.page.data or 1
    shown = found[(page - 1) * ARTICLES_PER_PAGE : page * ARTICLES_PER_PAGE]

    def page_url(number: int) -> str:
        args = MultiDict(request.args)
        args["page"] = str(number)
        return url_for("catalog.tracks", **args.to_dict()) + "#articles"

    return render_template(
        "catalog/tracks.html",
        form=form,
        search=search,
        summaries=catalog.matching_tracks(catalog.list_tracks(viewer), search, found),
        found=found,
        shown=shown,
        total_articles=len(articles),
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page * ARTICLES_PER_PAGE < len(found) else None,
        series_title=series_title,
        defaults=Preset(),
    ), (200 if valid else 422)


@bp.get("/tracks/<key>")
def track(key: str) -> str:
    track = catalog.get_track(key, _viewer())
    return render_template(
        "catalog/track.html", track=track, articles=catalog.track_articles(track)
    )


@bp.get("/articles/<key>")
def article(key: str) -> str:
    article = catalog.get_article(key, _viewer())
    questions = catalog.article_questions(article.id) if current_user.is_authenticated else []
    return render_template(
        "catalog/article.html",
        article=article,
        questions=questions,
        tracks=catalog.tracks_containing(article.id, _viewer()),
    )
