"""A learner's study day: it starts at their chosen hour in their own time zone.

As in Anki, a review at 01:30 with a 04:00 day start still belongs to the day before. Days are
computed from instants, not wall-clock arithmetic, so a daylight-saving change makes one day 23
or 25 hours long instead of moving its start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class StudyDay:
    date: date
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive


def day_start(day: date, timezone: str, hour: int) -> datetime:
    """The UTC instant at which ``day`` starts for a learner."""
    local = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC)


def study_day(now: datetime, timezone: str, hour: int) -> StudyDay:
    """The study day containing ``now`` (a timezone-aware instant)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    day = now.astimezone(ZoneInfo(timezone)).date()
    start = day_start(day, timezone, hour)
    if now < start:
        day -= timedelta(days=1)
        start = day_start(day, timezone, hour)
    return StudyDay(date=day, start=start, end=day_start(day + timedelta(days=1), timezone, hour))


def local_date(moment: datetime, timezone: str, hour: int) -> date:
    """Which study day an instant belongs to (for streaks, heatmaps and the review log)."""
    return study_day(moment, timezone, hour).date
