"""The stats page: one service call, drawn as inline SVG with a table behind every chart."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.clock import now
from app.services import stats
from app.stats import charts
from app.templating import NAVIGATION, NavItem

bp = Blueprint("stats", __name__, url_prefix="/stats")
NAVIGATION.append(NavItem("stats.index", "Stats", signed_in_only=True))


@bp.get("")
@login_required
def index() -> str:
    track = (request.args.get("track") or "").strip() or None
    figures = stats.learner_stats(current_user.id, now=now(), track_key=track)
    return render_template(
        "stats/index.html",
        stats=figures,
        heatmap=charts.heatmap(figures.heatmap),
        forecast=charts.forecast(figures.forecast),
        duration=charts.duration,
        percent=charts.percent,
        day_label=charts.day_label,
        plural=charts.plural,
    )
