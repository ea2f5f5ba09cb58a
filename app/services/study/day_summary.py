"""What the learner did today: answers, how many were right, time spent, and the misses to reread.

Shown when the day's queue is done (and when nothing is due right now), as Anki's end-of-session
screen does. Counted in the learner's study day; undone answers do not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.domain.scheduling import Rating
from app.domain.studyday import study_day
from app.extensions import db
from app.models import Article, Card, Question, ReviewLog
from app.services.study.learners import get_user
from app.services.study.queue import answers_standing_today

MISSES_SHOWN = 20


@dataclass(frozen=True)
class Miss:
    question_id: int
    prompt: str
    article_key: str
    article_title: str


@dataclass(frozen=True)
class DaySummary:
    answered: int
    right: int  # rated Hard, Good or Easy (a wrong choice or typed answer is Again)
    time_ms: int
    misses: list[Miss]  # questions answered Again today, latest first, each once


def day_summary(user_id: int, *, now: datetime) -> DaySummary:
    user = get_user(user_id)
    today = study_day(now, user.timezone, user.day_start_hour)
    standing = answers_standing_today(user_id, today)
    answered, right, time_ms = db.session.execute(
        sa.select(
            sa.func.count(ReviewLog.id),
            sa.func.count(ReviewLog.id).filter(ReviewLog.rating != Rating.AGAIN),
            sa.func.coalesce(sa.func.sum(ReviewLog.duration_ms), 0),
        ).where(standing)
    ).one()
    latest_miss = sa.func.max(ReviewLog.reviewed_at)
    misses = db.session.execute(
        sa.select(Question.id, Question.prompt, Article.key, Article.title)
        .select_from(ReviewLog)
        .join(Card, Card.id == ReviewLog.card_id)
        .join(Question, Question.id == Card.question_id)
        .join(Article, Article.id == Question.article_id)
        .where(standing, ReviewLog.rating == Rating.AGAIN)
        .group_by(Question.id, Question.prompt, Article.key, Article.title)
        .order_by(latest_miss.desc(), Question.id)
        .limit(MISSES_SHOWN)
    ).all()
    return DaySummary(
        answered=answered,
        right=right,
        time_ms=int(time_ms or 0),
        misses=[Miss(*row) for row in misses],
    )
