"""API: the learner's stats, the same figures as the stats page."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from werkzeug.wrappers import Response

from app.api import bp
from app.clock import now
from app.services import stats as service


def _retention(r: service.Retention) -> dict[str, Any]:
    return {"n": r.n, "passed": r.passed, "rate": r.rate}


def stats_json(s: service.Stats) -> dict[str, Any]:
    """The figures as JSON; times in milliseconds, recall as probabilities from 0 to 1."""
    return {
        "today": s.today.isoformat(),
        "timezone": s.timezone,
        "day_start_hour": s.day_start_hour,
        "track": s.track.key if s.track else None,
        "tracks": [{"key": t.key, "title": t.title} for t in s.tracks],
        "heatmap": [{"date": d.date.isoformat(), "reviews": d.count} for d in s.heatmap],
        "forecast": [{"date": d.date.isoformat(), "due": d.count} for d in s.forecast],
        "retention": {
            "days": service.RETENTION_DAYS,
            "young": _retention(s.retention.young),
            "mature": _retention(s.retention.mature),
            "total": _retention(s.retention.total),
        },
        "streak": {
            "current": s.streak.current,
            "days_studied_last_30": s.streak.days_studied_last_30,
        },
        "cards": {
            "new": s.cards.new,
            "learning": s.cards.learning,
            "review": s.cards.review,
            "relearning": s.cards.relearning,
            "suspended": s.cards.suspended,
            "leeches": s.cards.leeches,
            "total": s.cards.total,
        },
        "time_spent_ms": {
            "today": s.time.today_ms,
            "last_7_days": s.time.last_7_days_ms,
            "last_30_days": s.time.last_30_days_ms,
            "all_time": s.time.all_time_ms,
        },
        "total_reviews": s.total_reviews,
        "weakest_questions": [
            {
                "question_id": w.question_id,
                "prompt": w.prompt,
                "article": {"key": w.article_key, "title": w.article_title},
                "retrievability": w.retrievability,
                "lapses": w.lapses,
            }
            for w in s.weakest_questions
        ],
        "weakest_tradeoffs": [
            {
                "article": {"key": t.article_key, "title": t.article_title},
                "key_tradeoff": t.key_tradeoff,
                "mean_retrievability": t.mean_retrievability,
                "review_cards": t.review_cards,
                "lapses": t.lapses,
            }
            for t in s.weakest_tradeoffs
        ],
    }


@bp.get("/stats")
def learner_stats() -> Response:
    track = (request.args.get("track") or "").strip() or None
    return jsonify(stats_json(service.learner_stats(g.api_user.id, now=now(), track_key=track)))
