"""The learner's stats: the same figures as the stats page."""

from __future__ import annotations

from datetime import date as Date

from pydantic import Field

from app.api.schemas.common import Count, Probability, Reply
from app.api.schemas.study import ArticleRef
from app.services import stats as service


class TrackRef(Reply):
    key: str
    title: str


class DayReviews(Reply):
    date: Date
    reviews: Count


class DayDue(Reply):
    date: Date
    due: Count


class RetentionFigure(Reply):
    n: Count
    passed: Count
    rate: Probability | None = Field(description="Null without reviews.")

    @classmethod
    def of(cls, r: service.Retention) -> RetentionFigure:
        return cls(n=r.n, passed=r.passed, rate=r.rate)


class RetentionFigures(Reply):
    days: Count
    young: RetentionFigure
    mature: RetentionFigure
    total: RetentionFigure


class StreakFigures(Reply):
    current: Count
    days_studied_last_30: Count


class CardFigures(Reply):
    new: Count
    learning: Count
    review: Count
    relearning: Count
    suspended: Count
    leeches: Count
    total: Count


class TimeSpent(Reply):
    today: Count
    last_7_days: Count
    last_30_days: Count
    all_time: Count


class WeakQuestion(Reply):
    question_id: int
    prompt: str
    article: ArticleRef
    retrievability: Probability
    lapses: Count


class WeakTradeoff(Reply):
    article: ArticleRef
    key_tradeoff: str | None
    mean_retrievability: Probability
    review_cards: Count
    lapses: Count


class Stats(Reply):
    """Counted in the caller's study days (time zone and day start hour); undone answers are
    ignored. Times are in milliseconds; recall is a probability."""

    today: Date
    timezone: str
    day_start_hour: int = Field(ge=0, le=23)
    track: str | None
    tracks: list[TrackRef]
    heatmap: list[DayReviews] = Field(
        min_length=365,
        max_length=365,
        description="Reviews on each of the last 365 days, oldest first.",
    )
    forecast: list[DayDue] = Field(
        min_length=30,
        max_length=30,
        description="Cards due on each of the next 30 days, today first (overdue included).",
    )
    retention: RetentionFigures = Field(
        description="Of the last 30 days' reviews of cards in review, the share not rated Again; "
        "young cards had an interval under 21 days, mature ones 21 or more."
    )
    streak: StreakFigures
    cards: CardFigures
    time_spent_ms: TimeSpent
    total_reviews: Count
    weakest_questions: list[WeakQuestion] = Field(max_length=10)
    weakest_tradeoffs: list[WeakTradeoff] = Field(max_length=10)

    @classmethod
    def of(cls, s: service.Stats) -> Stats:
        return cls(
            today=s.today,
            timezone=s.timezone,
            day_start_hour=s.day_start_hour,
            track=s.track.key if s.track else None,
            tracks=[TrackRef(key=t.key, title=t.title) for t in s.tracks],
            heatmap=[DayReviews(date=d.date, reviews=d.count) for d in s.heatmap],
            forecast=[DayDue(date=d.date, due=d.count) for d in s.forecast],
            retention=RetentionFigures(
                days=service.RETENTION_DAYS,
                young=RetentionFigure.of(s.retention.young),
                mature=RetentionFigure.of(s.retention.mature),
                total=RetentionFigure.of(s.retention.total),
            ),
            streak=StreakFigures(
                current=s.streak.current, days_studied_last_30=s.streak.days_studied_last_30
            ),
            cards=CardFigures.model_validate(s.cards, from_attributes=True),
            time_spent_ms=TimeSpent(
                today=s.time.today_ms,
                last_7_days=s.time.last_7_days_ms,
                last_30_days=s.time.last_30_days_ms,
                all_time=s.time.all_time_ms,
            ),
            total_reviews=s.total_reviews,
            weakest_questions=[
                WeakQuestion(
                    question_id=w.question_id,
                    prompt=w.prompt,
                    article=ArticleRef(key=w.article_key, title=w.article_title),
                    retrievability=w.retrievability,
                    lapses=w.lapses,
                )
                for w in s.weakest_questions
            ],
            weakest_tradeoffs=[
                WeakTradeoff(
                    article=ArticleRef(key=t.article_key, title=t.article_title),
                    key_tradeoff=t.key_tradeoff,
                    mean_retrievability=t.mean_retrievability,
                    review_cards=t.review_cards,
                    lapses=t.lapses,
                )
                for t in s.weakest_tradeoffs
            ],
        )
