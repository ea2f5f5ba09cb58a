"""The interview prep overview: readiness per track, the weakest trade-offs, recent bests and
scores, and today's suggested drill."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Article,
    Drill,
    Enrolment,
    MockInterview,
    Question,
    RapidRound,
    Track,
    TrackArticle,
)
from app.services.interview import drills, mocks, rapid_fire
from app.services.interview.scopes import TRADEOFF_KINDS, Scope, missed_today, weakness_of

READY_RECALL = 0.9
WEAKEST_TRADEOFFS = 5
SUGGESTED_COUNT = 10


@dataclass(frozen=True)
class Readiness:
    track: Track
    questions: int  # the track's trade-off questions
    ready: int  # of them, predicted recall now at least READY_RECALL

    @property
    def share(self) -> float:
        return self.ready / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class WeakTradeoff:
    article: Article
    recall: float  # mean predicted recall over the trade-off questions seen
    lapses: int
    missed_points: int


@dataclass(frozen=True)
class Suggestion:
    title: str
    reason: str
    scope: Scope
    order: str


@dataclass(frozen=True)
class PrepOverview:
    readiness: tuple[Readiness, ...]
    weakest: tuple[WeakTradeoff, ...]
    bests: tuple[RapidRound, ...]
    mocks: tuple[MockInterview, ...]
    drills: tuple[Drill, ...]
    suggestion: Suggestion


def _tracks(user_id: int) -> list[Track]:
    return list(
        db.session.scalars(
            sa.select(Track)
            .join(Enrolment, Enrolment.track_id == Track.id)
            .where(Enrolment.user_id == user_id, Enrolment.left_at.is_(None))
            .order_by(Track.position, Track.key)
        )
    )


def _tradeoff_questions(track_ids: list[int]) -> list[tuple[int, int, int]]:
    """(track id, question id, article id) for the live trade-off questions of the tracks."""
    if not track_ids:
        return []
    return [
        (track_id, question_id, article_id)
        for track_id, question_id, article_id in db.session.execute(
            sa.select(TrackArticle.track_id, Question.id, Question.article_id)
            .join(Question, Question.article_id == TrackArticle.article_id)
            .where(
                TrackArticle.track_id.in_(track_ids),
                Question.retired_at.is_(None),
                Question.kind.in_(TRADEOFF_KINDS),
            )
        )
    ]


def suggested_drill(user_id: int, now: datetime, seen_any: bool) -> Suggestion:
    if missed_today(user_id, now):
        return Suggestion(
            "What I missed today",
            "Go over today's misses while they are fresh.",
            Scope(missed_today=True),
            "weakest",
        )
    if seen_any:
        return Suggestion(
            f"My weakest {SUGGESTED_COUNT} trade-offs",
            "The trade-offs you are most likely to forget, and the points missed in mock "
            "interviews.",
            Scope(weakest=SUGGESTED_COUNT, tradeoffs_only=True),
            "weakest",
        )
    return Suggestion(
        f"{SUGGESTED_COUNT} trade-offs from my tracks",
        "Start with the trade-off tables, in the order your tracks teach them.",
        Scope(tradeoffs_only=True),
        "track",
    )


def overview(user_id: int, now: datetime) -> PrepOverview:
    tracks = _tracks(user_id)
    rows = _tradeoff_questions([t.id for t in tracks])
    weakness = weakness_of(user_id, {question_id for _, question_id, _ in rows}, now)
    per_track: dict[int, list[int]] = defaultdict(list)
    article_recall: dict[int, list[float]] = defaultdict(list)
    article_lapses: dict[int, int] = defaultdict(int)
    article_missed: dict[int, int] = defaultdict(int)
    seen_questions: set[int] = set()
    for track_id, question_id, article_id in rows:
        per_track[track_id].append(question_id)
        if question_id in weakness and question_id not in seen_questions:
            seen_questions.add(question_id)
            not_missed, _, recall, negative_lapses = weakness[question_id]
            article_recall[article_id].append(recall)
            article_lapses[article_id] += -negative_lapses
            article_missed[article_id] += int(not not_missed)
    readiness = tuple(
        Readiness(
            track,
            len(set(per_track[track.id])),
            sum(
                1
                for q in set(per_track[track.id])
                if q in weakness and weakness[q][2] >= READY_RECALL and weakness[q][0]
            ),
        )
        for track in tracks
    )
    ranked = sorted(
        article_recall,
        key=lambda a: (
            -article_missed[a],
            sum(article_recall[a]) / len(article_recall[a]),
            -article_lapses[a],
        ),
    )[:WEAKEST_TRADEOFFS]
    articles = {
        a.id: a for a in db.session.scalars(sa.select(Article).where(Article.id.in_(ranked)))
    }
    weakest = tuple(
        WeakTradeoff(
            articles[a],
            sum(article_recall[a]) / len(article_recall[a]),
            article_lapses[a],
            article_missed[a],
        )
        for a in ranked
    )
    return PrepOverview(
        readiness=readiness,
        weakest=weakest,
        bests=tuple(rapid_fire.personal_bests(user_id, now)),
        mocks=tuple(mocks.recent_mocks(user_id, 5)),
        drills=tuple(drills.recent_drills(user_id, 5)),
        suggestion=suggested_drill(user_id, now, bool(seen_questions)),
    )
