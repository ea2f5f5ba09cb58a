"""A learner's statistics: calendar heatmap, due forecast, true retention, streak, card counts,
time spent and the weakest questions and trade-offs, for all tracks or one.

Every figure is counted in the learner's own study days (their time zone and day start hour), so
a review at 02:00 with a 04:00 day start counts for the day before, as it does in the queue.
Undone reviews are ignored everywhere. A fixed number of queries serves any amount of history: the
review log is read with three range queries and the cards with one, and the rest is arithmetic.

Scope: with ``track_key`` everything is filtered by that enrolment (cards by ``enrolment_id``,
reviews by the enrolment they were made under). For all tracks, reviews count the learner's whole
history (including tracks they have since left, whose history is kept), while the card figures
count the cards of their current enrolments, which are the ones that can still come due.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.domain import scheduling as fsrs
from app.domain.studyday import day_start, study_day
from app.extensions import db
from app.models import Article, Card, Enrolment, Question, ReviewLog, User
from app.services.errors import NotFound
from app.services.study import current_preset_row, current_streak, domain_preset

HEATMAP_DAYS = 365
FORECAST_DAYS = 30
RETENTION_DAYS = 30
MATURE_DAYS = 21.0
WEAKEST_LIMIT = 10
STATE_NAMES = ("new", "learning", "review", "relearning")


@dataclass(frozen=True)
class TrackChoice:
    key: str
    title: str


@dataclass(frozen=True)
class DayCount:
    date: date
    count: int


@dataclass(frozen=True)
class Retention:
    """Reviews of Review-state cards and how many were remembered (rated Hard, Good or Easy)."""

    n: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.n if self.n else None


@dataclass(frozen=True)
class TrueRetention:
    """Young cards had a scheduled interval under 21 days before the review; mature ones 21+."""

    young: Retention
    mature: Retention

    @property
    def total(self) -> Retention:
        return Retention(self.young.n + self.mature.n, self.young.passed + self.mature.passed)


@dataclass(frozen=True)
class Streak:
    current: int
    days_studied_last_30: int


@dataclass(frozen=True)
class CardCounts:
    """Cards by state (suspended ones included), and how many are suspended and leeches."""

    new: int
    learning: int
    review: int
    relearning: int
    suspended: int
    leeches: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review + self.relearning


@dataclass(frozen=True)
class TimeSpent:
    """Milliseconds of answering time: today, the last 7 and 30 study days (today included)."""

    today_ms: int
    last_7_days_ms: int
    last_30_days_ms: int
    all_time_ms: int


@dataclass(frozen=True)
class WeakQuestion:
    question_id: int
    prompt: str
    article_key: str
    article_title: str
    retrievability: float
    lapses: int


@dataclass(frozen=True)
class WeakTradeoff:
    article_key: str
    article_title: str
    key_tradeoff: str | None
    mean_retrievability: float
    review_cards: int
    lapses: int  # over all of the learner's cards of the article, in scope


@dataclass(frozen=True)
class Stats:
    now: datetime
    today: date
    timezone: str
    day_start_hour: int
    track: TrackChoice | None
    tracks: tuple[TrackChoice, ...]
    heatmap: tuple[DayCount, ...]  # the last 365 study days, oldest first, today last
    forecast: tuple[DayCount, ...]  # today (overdue included) and the next 29 days
    retention: TrueRetention
    streak: Streak
    cards: CardCounts
    time: TimeSpent
    total_reviews: int
    weakest_questions: tuple[WeakQuestion, ...]
    weakest_tradeoffs: tuple[WeakTradeoff, ...]

    @property
    def has_history(self) -> bool:
        return self.total_reviews > 0 or self.cards.total > 0


def learner_stats(user_id: int, *, now: datetime, track_key: str | None = None) -> Stats:
    """Every figure of the stats page for one learner, for all tracks or for ``track_key``.

    Raises :class:`NotFound` for an unknown user, or a track the learner is not enrolled in.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    enrolments = list(
        db.session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.user_id == user_id, Enrolment.left_at.is_(None))
            .options(selectinload(Enrolment.track), selectinload(Enrolment.presets))
            .order_by(Enrolment.created_at, Enrolment.id)
        )
    )
    choices = tuple(TrackChoice(e.track.key, e.track.title) for e in enrolments)
    chosen: TrackChoice | None = None
    if track_key is not None:
        scope = [e for e in enrolments if e.track.key == track_key]
        if not scope:
            raise NotFound(f"you are not enrolled in a track {track_key!r}")
        chosen = TrackChoice(scope[0].track.key, scope[0].track.title)
    else:
        scope = enrolments

    tz, hour = user.timezone, user.day_start_hour
    today = study_day(now, tz, hour).date
    # starts[i] is the start of day today - 364 + i; the last entry is the end of today.
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(HEATMAP_DAYS + FORECAST_DAYS)]
    starts = [day_start(d, tz, hour) for d in days]
    end_of_today = starts[HEATMAP_DAYS]

    log_scope = _log_scope(user_id, [e.id for e in scope] if track_key is not None else None)
    heatmap, durations = _heatmap(log_scope, days[:HEATMAP_DAYS], starts[: HEATMAP_DAYS + 1])
    retention_start = starts[HEATMAP_DAYS - RETENTION_DAYS]
    retention = _retention(log_scope, retention_start, end_of_today)
    total_reviews, all_time_ms = _totals(log_scope)

    forecast_days = days[HEATMAP_DAYS - 1 : HEATMAP_DAYS - 1 + FORECAST_DAYS]
    cards, forecast, weakest, tradeoffs = _cards(
        user_id, scope, now, forecast_days, starts[HEATMAP_DAYS:]
    )

    current = current_streak(user, now=now)
    studied = sum(1 for d in heatmap[-RETENTION_DAYS:] if d.count)
    return Stats(
        now=now,
        today=today,
        timezone=tz,
        day_start_hour=hour,
        track=chosen,
        tracks=choices,
        heatmap=heatmap,
        forecast=forecast,
        retention=retention,
        streak=Streak(current=current, days_studied_last_30=studied),
        cards=cards,
        time=TimeSpent(
            today_ms=sum(durations[-1:]),
            last_7_days_ms=sum(durations[-7:]),
            last_30_days_ms=sum(durations[-30:]),
            all_time_ms=all_time_ms,
        ),
        total_reviews=total_reviews,
        weakest_questions=weakest,
        weakest_tradeoffs=tradeoffs,
    )


def _log_scope(user_id: int, enrolment_ids: list[int] | None) -> list[sa.ColumnElement[bool]]:
    conditions = [ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None)]
    if enrolment_ids is not None:
        conditions.append(ReviewLog.enrolment_id.in_(enrolment_ids))
    return conditions


def _heatmap(
    scope: list[sa.ColumnElement[bool]], days: Sequence[date], bounds: Sequence[datetime]
) -> tuple[tuple[DayCount, ...], list[int]]:
    """Reviews and milliseconds per study day. ``bounds`` holds each day's start, then the last end.

    Days are found by bisecting their start instants, so a 23- or 25-hour day (a daylight-saving
    change) is counted right without converting every review to local time.
    """
    counts = [0] * len(days)
    durations = [0] * len(days)
    rows = db.session.execute(
        sa.select(ReviewLog.reviewed_at, ReviewLog.duration_ms).where(
            *scope, ReviewLog.reviewed_at >= bounds[0], ReviewLog.reviewed_at < bounds[-1]
        )
    )
    for reviewed_at, duration_ms in rows:
        index = bisect.bisect_right(bounds, reviewed_at) - 1
        if 0 <= index < len(days):
            counts[index] += 1
            durations[index] += duration_ms or 0
    heatmap = tuple(DayCount(d, n) for d, n in zip(days, counts, strict=True))
    return heatmap, durations


def _retention(
    scope: list[sa.ColumnElement[bool]], start: datetime, end: datetime
) -> TrueRetention:
    young = [0, 0]
    mature = [0, 0]
    rows = db.session.execute(
        sa.select(ReviewLog.rating, ReviewLog.before).where(
            *scope,
            ReviewLog.state_before == int(fsrs.CardState.REVIEW),
            ReviewLog.reviewed_at >= start,
            ReviewLog.reviewed_at < end,
        )
    )
    for rating, before in rows:
        interval = _scheduled_interval(before)
        if interval is None:
            continue  # a Review-state snapshot always has both dates; skip a damaged row
        bucket = mature if interval >= MATURE_DAYS else young
        bucket[0] += 1
        bucket[1] += int(rating > fsrs.Rating.AGAIN)
    return TrueRetention(young=Retention(*young), mature=Retention(*mature))


def _scheduled_interval(before: Any) -> float | None:
    """Days between the card's last review and the due date it had before this review."""
    if not isinstance(before, dict):
        return None
    try:
        elapsed = datetime.fromisoformat(before["due"]) - datetime.fromisoformat(
            before["last_review"]
        )
    except (KeyError, TypeError, ValueError):
        return None
    return elapsed.total_seconds() / fsrs.SECONDS_PER_DAY


def _totals(scope: list[sa.ColumnElement[bool]]) -> tuple[int, int]:
    count, total = db.session.execute(
        sa.select(
            sa.func.count(ReviewLog.id), sa.func.coalesce(sa.func.sum(ReviewLog.duration_ms), 0)
        ).where(*scope)
    ).one()
    return int(count or 0), int(total or 0)


def _cards(
    user_id: int,
    scope: list[Enrolment],
    now: datetime,
    days: Sequence[date],
    bounds: Sequence[datetime],
) -> tuple[CardCounts, tuple[DayCount, ...], tuple[WeakQuestion, ...], tuple[WeakTradeoff, ...]]:
    """Counts, the forecast and the weakest lists from one read of the learner's cards.

    ``days`` are today and the next 29; ``bounds`` holds each one's end instant. Cards of retired
    questions are left out: they never come up for review again.
    """
    by_state = [0, 0, 0, 0]
    suspended = leeches = 0
    due_per_day = [0] * FORECAST_DAYS
    if not scope:
        empty = CardCounts(0, 0, 0, 0, 0, 0)
        return empty, tuple(DayCount(d, 0) for d in days), (), ()

    parameters = {e.id: domain_preset(current_preset_row(e)).parameters for e in scope}
    rows = db.session.execute(
        sa.select(
            Card.question_id,
            Card.enrolment_id,
            Card.state,
            Card.due,
            Card.stability,
            Card.last_review,
            Card.lapses,
            Card.suspended,
            Card.leech,
            Question.article_id,
        )
        .join(Question, Question.id == Card.question_id)
        .where(
            Card.user_id == user_id,
            Card.enrolment_id.in_(list(parameters)),
            Question.retired_at.is_(None),
        )
    )
    weak: list[tuple[float, int, int]] = []  # (R, -lapses, question id)
    article_recall: dict[int, list[float]] = defaultdict(list)
    article_lapses: dict[int, int] = defaultdict(int)
    for (
        question_id,
        enrolment_id,
        state,
        due,
        stability,
        last_review,
        lapses,
        is_suspended,
        is_leech,
        article_id,
    ) in rows:
        by_state[state] += 1
        suspended += int(is_suspended)
        leeches += int(is_leech)
        article_lapses[article_id] += lapses
        if state != fsrs.CardState.NEW and not is_suspended and due is not None:
            index = bisect.bisect_right(bounds, due)
            if index < FORECAST_DAYS:
                due_per_day[index] += 1
        if state == fsrs.CardState.REVIEW and stability is not None and last_review is not None:
            memory = fsrs.Memory(
                state=fsrs.CardState.REVIEW, stability=stability, last_review=last_review, due=due
            )
            # enrolment_id is never None here: the query keeps only the scope's enrolments.
            recall = fsrs.retrievability(memory, now, parameters[enrolment_id or 0])
            weak.append((recall, -lapses, question_id))
            article_recall[article_id].append(recall)

    weak.sort()
    weakest = _weak_questions(weak[:WEAKEST_LIMIT])
    tradeoffs = _weak_tradeoffs(article_recall, article_lapses)
    new, learning, review, relearning = by_state
    counts = CardCounts(new, learning, review, relearning, suspended, leeches)
    forecast = tuple(DayCount(d, n) for d, n in zip(days, due_per_day, strict=True))
    return counts, forecast, weakest, tradeoffs


def _weak_questions(weak: list[tuple[float, int, int]]) -> tuple[WeakQuestion, ...]:
    if not weak:
        return ()
    details = {
        qid: (prompt, key, title)
        for qid, prompt, key, title in db.session.execute(
            sa.select(Question.id, Question.prompt, Article.key, Article.title)
            .join(Article, Article.id == Question.article_id)
            .where(Question.id.in_([qid for _, _, qid in weak]))
        )
    }
    return tuple(
        WeakQuestion(qid, *details[qid], retrievability=recall, lapses=-negative_lapses)
        for recall, negative_lapses, qid in weak
    )


def _weak_tradeoffs(
    recall: dict[int, list[float]], lapses: dict[int, int]
) -> tuple[WeakTradeoff, ...]:
    if not recall:
        return ()
    ranked = sorted(
        ((sum(values) / len(values), -lapses[aid], aid) for aid, values in recall.items())
    )[:WEAKEST_LIMIT]
    articles = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Article).where(Article.id.in_([aid for _, _, aid in ranked]))
        )
    }
    return tuple(
        WeakTradeoff(
            article_key=articles[aid].key,
            article_title=articles[aid].title,
            key_tradeoff=articles[aid].key_tradeoff,
            mean_retrievability=mean,
            review_cards=len(recall[aid]),
            lapses=lapses[aid],
        )
        for mean, _, aid in ranked
    )
