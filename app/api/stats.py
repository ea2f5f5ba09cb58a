"""API: the learner's stats, the same figures as the stats page."""

from __future__ import annotations

from flask import g

from app.api import bp
from app.api.schemas.stats import Stats
from app.api.schemas.study import TrackQuery
from app.api.spec import responses, spec
from app.clock import now
from app.services import stats as service


@bp.get("/stats")
@spec.validate(
    query=TrackQuery,
    resp=responses({200: (Stats, "The stats")}, 404, 422),
    operation_id="getStats",
)
def learner_stats(query: TrackQuery) -> Stats:
    """The caller's stats, as on the stats page"""
    track = (query.track or "").strip() or None
    return Stats.of(service.learner_stats(g.api_user.id, now=now(), track_key=track))
