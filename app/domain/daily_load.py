"""What studying a track costs a day: how long its new cards take to come in, and how many answers a
day that asks, worked out with the scheduler itself at a preset's limits.

Every new card follows the schedule a learner who always answers Good would get from FSRS (no fuzz):
its learning steps on the first day, then each interval the scheduler gives. A card answered on a
later day is forgotten with probability ``1 - desired_retention``, and each such lapse costs one
answer more (its relearning step) that day. Cards come in ``new_per_day`` a day, and review answers
on one day are capped at ``max_reviews_per_day``, as the daily queue caps them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from app.domain.scheduling import Memory, Preset, Rating, review

HORIZON_DAYS = 365
_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DailyLoad:
    new_per_day: int
    days_to_start_all: int  # days until every card of the track has come in
    answers_first_day: int
    answers_per_day: int  # on average over the days the new cards come in
    peak_answers_per_day: int


@lru_cache(maxsize=64)
def good_schedule(preset: Preset) -> tuple[int, ...]:
    """The day (0 = the day it comes in) of every answer a card gets when each answer is Good."""
    memory, moment = Memory(), _START
    days: list[int] = []
    while True:
        day = (moment.date() - _START.date()).days
        if day > HORIZON_DAYS:
            return tuple(days)
        days.append(day)
        memory = review(memory, Rating.GOOD, moment, preset, today=moment.date()).memory
        assert memory.due is not None
        # Answer on time: a learning step when it comes due, a review on its due day's morning.
        due = memory.due
        moment = due if due.date() == moment.date() else due.replace(hour=9, minute=0)


def daily_load(questions: int, preset: Preset) -> DailyLoad:
    """The expected daily answers of a track of ``questions`` cards studied at ``preset``."""
    return _daily_load(questions, preset)


@lru_cache(maxsize=1024)
def _daily_load(questions: int, preset: Preset) -> DailyLoad:
    per_day = preset.new_per_day
    intake_days = max(1, math.ceil(questions / per_day)) if questions else 0
    offsets = Counter(good_schedule(preset))
    first_day_answers = offsets.pop(0, 0)
    review_answers = {d: n * (2 - preset.desired_retention) for d, n in offsets.items()}

    def coming_in(day: int) -> int:
        return min(per_day, max(0, questions - day * per_day)) if day >= 0 else 0

    totals: list[float] = []
    for day in range(intake_days + HORIZON_DAYS):
        reviews = sum(coming_in(day - after) * n for after, n in review_answers.items())
        totals.append(coming_in(day) * first_day_answers + min(reviews, preset.max_reviews_per_day))
    during = totals[:intake_days] or [0.0]
    return DailyLoad(
        new_per_day=per_day,
        days_to_start_all=intake_days,
        answers_first_day=round(totals[0]) if totals else 0,
        answers_per_day=round(sum(during) / len(during)),
        peak_answers_per_day=round(max(totals, default=0.0)),
    )
