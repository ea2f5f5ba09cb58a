"""A learner's study day: its date, start and end in their own zone, with a day-start hour."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.studyday import StudyDay, day_start, local_date, study_day

HOUR = timedelta(hours=1)
NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------------------------------
# The day-start hour
# --------------------------------------------------------------------------------------------------


def test_a_review_at_0130_with_a_0400_start_belongs_to_the_previous_day() -> None:
    day = study_day(utc(2026, 3, 2, 1, 30), "UTC", 4)

    assert day == StudyDay(date=date(2026, 3, 1), start=utc(2026, 3, 1, 4), end=utc(2026, 3, 2, 4))


def test_the_start_is_inclusive_and_the_end_exclusive() -> None:
    just_before = study_day(utc(2026, 3, 2, 3, 59, 59), "UTC", 4)
    at_start = study_day(utc(2026, 3, 2, 4), "UTC", 4)

    assert just_before.date == date(2026, 3, 1)
    assert just_before.end == at_start.start == utc(2026, 3, 2, 4)
    assert at_start.date == date(2026, 3, 2)
    assert at_start.end == utc(2026, 3, 3, 4)


def test_a_midnight_start_follows_the_calendar() -> None:
    day = study_day(utc(2026, 3, 2, 0, 0), "UTC", 0)

    assert (day.date, day.start, day.end) == (
        date(2026, 3, 2),
        utc(2026, 3, 2),
        utc(2026, 3, 3),
    )
    assert study_day(utc(2026, 3, 1, 23, 59), "UTC", 0).date == date(2026, 3, 1)


def test_a_late_start_hour_keeps_the_evening_in_the_previous_day() -> None:
    # With a 23:00 start, 22:00 on the 2nd still belongs to the day that began on the 1st.
    assert study_day(utc(2026, 3, 2, 22), "UTC", 23).date == date(2026, 3, 1)
    assert study_day(utc(2026, 3, 2, 23), "UTC", 23).date == date(2026, 3, 2)


def test_local_date_is_the_date_of_the_study_day() -> None:
    assert local_date(utc(2026, 3, 2, 1, 30), "UTC", 4) == date(2026, 3, 1)
    assert local_date(utc(2026, 3, 2, 4, 0), "UTC", 4) == date(2026, 3, 2)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        study_day(datetime(2026, 3, 2, 12), "UTC", 4)


def test_an_aware_datetime_in_another_zone_is_the_same_instant() -> None:
    instant = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo(KOLKATA))  # 04:00 UTC
    assert study_day(instant, "UTC", 4) == study_day(utc(2026, 3, 2, 4), "UTC", 4)


# --------------------------------------------------------------------------------------------------
# Time zones
# --------------------------------------------------------------------------------------------------


def test_new_york_days_start_at_0400_eastern_standard_time() -> None:
    # 2026-03-02 is EST (UTC-5): 04:00 local is 09:00 UTC.
    before = study_day(utc(2026, 3, 2, 8, 59), NEW_YORK, 4)
    after = study_day(utc(2026, 3, 2, 9, 0), NEW_YORK, 4)

    assert before.date == date(2026, 3, 1)
    assert after.date == date(2026, 3, 2)
    assert after.start == utc(2026, 3, 2, 9)
    assert after.end == utc(2026, 3, 3, 9)


def test_utc_midnight_is_not_a_day_boundary_in_new_york() -> None:
    # 23:30 and 00:30 UTC are 18:30 and 19:30 the evening before in New York: one study day.
    evening = study_day(utc(2026, 3, 2, 23, 30), NEW_YORK, 4)
    later = study_day(utc(2026, 3, 3, 0, 30), NEW_YORK, 4)

    assert evening == later
    assert evening.date == date(2026, 3, 2)


def test_kolkata_is_five_and_a_half_hours_ahead() -> None:
    # 04:00 IST (UTC+05:30) on the 2nd is 22:30 UTC on the 1st.
    before = study_day(utc(2026, 3, 1, 22, 29), KOLKATA, 4)
    after = study_day(utc(2026, 3, 1, 22, 30), KOLKATA, 4)

    assert before.date == date(2026, 3, 1)
    assert after.date == date(2026, 3, 2)
    assert after.start == utc(2026, 3, 1, 22, 30)
    assert after.end == utc(2026, 3, 2, 22, 30)
    assert after.end - after.start == 24 * HOUR


def test_the_same_instant_is_a_different_day_in_different_zones() -> None:
    instant = utc(2026, 3, 2, 2, 0)  # 02:00 UTC, 21:00 EST the day before, 07:30 IST

    assert study_day(instant, "UTC", 4).date == date(2026, 3, 1)
    assert study_day(instant, NEW_YORK, 4).date == date(2026, 3, 1)
    assert study_day(instant, KOLKATA, 4).date == date(2026, 3, 2)
    assert study_day(instant, KOLKATA, 8).date == date(2026, 3, 1)


# --------------------------------------------------------------------------------------------------
# Daylight saving time in New York: 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00
# --------------------------------------------------------------------------------------------------


def test_the_calendar_day_of_the_spring_change_is_23_hours_long() -> None:
    day = study_day(utc(2026, 3, 8, 12), NEW_YORK, 0)

    assert day.date == date(2026, 3, 8)
    assert day.start == utc(2026, 3, 8, 5)  # 00:00 EST
    assert day.end == utc(2026, 3, 9, 4)  # 00:00 EDT
    assert day.end - day.start == 23 * HOUR


def test_the_calendar_day_of_the_autumn_change_is_25_hours_long() -> None:
    day = study_day(utc(2026, 11, 1, 12), NEW_YORK, 0)

    assert day.date == date(2026, 11, 1)
    assert day.start == utc(2026, 11, 1, 4)  # 00:00 EDT
    assert day.end == utc(2026, 11, 2, 5)  # 00:00 EST
    assert day.end - day.start == 25 * HOUR


def test_across_the_spring_change_days_start_at_0400_local_on_both_sides() -> None:
    # The clocks jump at 02:00 on the 8th, inside the study day that began at 04:00 on the 7th.
    day = study_day(utc(2026, 3, 8, 6), NEW_YORK, 4)  # 01:00 EST on the 8th

    assert day.date == date(2026, 3, 7)
    assert day.start == utc(2026, 3, 7, 9)  # 04:00 EST
    assert day.end == utc(2026, 3, 8, 8)  # 04:00 EDT
    assert day.end - day.start == 23 * HOUR
    for boundary in (day.start, day.end):
        local = boundary.astimezone(ZoneInfo(NEW_YORK))
        assert (local.hour, local.minute) == (4, 0)

    following = study_day(utc(2026, 3, 8, 8), NEW_YORK, 4)
    assert following.date == date(2026, 3, 8)
    assert following.start == day.end
    assert following.end == utc(2026, 3, 9, 8)
    assert following.end - following.start == 24 * HOUR


def test_just_before_the_spring_day_start_in_utc_terms_is_still_the_previous_day() -> None:
    # 07:59 UTC on the 8th is 03:59 EDT: a fixed UTC-5 offset would wrongly call it 02:59.
    assert study_day(utc(2026, 3, 8, 7, 59), NEW_YORK, 4).date == date(2026, 3, 7)
    assert study_day(utc(2026, 3, 8, 8, 0), NEW_YORK, 4).date == date(2026, 3, 8)


def test_across_the_autumn_change_days_start_at_0400_local_on_both_sides() -> None:
    # The clocks fall back at 02:00 on 1 November, inside the study day that began on 31 October.
    day = study_day(utc(2026, 11, 1, 6), NEW_YORK, 4)  # 01:00 EST, the second 01:00

    assert day.date == date(2026, 10, 31)
    assert day.start == utc(2026, 10, 31, 8)  # 04:00 EDT
    assert day.end == utc(2026, 11, 1, 9)  # 04:00 EST
    assert day.end - day.start == 25 * HOUR
    for boundary in (day.start, day.end):
        local = boundary.astimezone(ZoneInfo(NEW_YORK))
        assert (local.hour, local.minute) == (4, 0)

    # 08:30 UTC would be 04:30 under summer time, but it is 03:30 EST: still the 31st.
    assert study_day(utc(2026, 11, 1, 8, 30), NEW_YORK, 4).date == date(2026, 10, 31)
    following = study_day(utc(2026, 11, 1, 9), NEW_YORK, 4)
    assert following.date == date(2026, 11, 1)
    assert following.end - following.start == 24 * HOUR


def test_day_start_is_computed_from_the_zone_on_that_date() -> None:
    assert day_start(date(2026, 3, 7), NEW_YORK, 4) == utc(2026, 3, 7, 9)
    assert day_start(date(2026, 3, 8), NEW_YORK, 4) == utc(2026, 3, 8, 8)
    assert day_start(date(2026, 10, 31), NEW_YORK, 4) == utc(2026, 10, 31, 8)
    assert day_start(date(2026, 11, 1), NEW_YORK, 4) == utc(2026, 11, 1, 9)


# --------------------------------------------------------------------------------------------------
# Every instant falls in exactly one day, and the days chain without gaps
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timezone", "first"),
    [
        ("UTC", utc(2026, 3, 1)),
        (NEW_YORK, utc(2026, 3, 5)),
        (NEW_YORK, utc(2026, 10, 29)),
        (KOLKATA, utc(2026, 3, 1)),
        # Chile falls back at midnight (24:00 -> 23:00) and springs forward at midnight.
        ("America/Santiago", utc(2026, 4, 2)),
        ("America/Santiago", utc(2026, 9, 3)),
        # Lord Howe Island changes by half an hour.
        ("Australia/Lord_Howe", utc(2026, 4, 2)),
    ],
)
@pytest.mark.parametrize("hour", [0, 1, 2, 4, 23])
def test_every_instant_lies_in_its_day_and_days_chain(
    timezone: str, first: datetime, hour: int
) -> None:
    step = timedelta(minutes=15)
    previous: StudyDay | None = None
    moment = first
    while moment < first + timedelta(days=6):
        day = study_day(moment, timezone, hour)
        assert day.start <= moment < day.end, (moment, day)
        assert timedelta(hours=22) <= day.end - day.start <= timedelta(hours=26), day
        if previous is not None and day != previous:
            assert day.start == previous.end, (previous, day)
            assert day.date == previous.date + timedelta(days=1), (previous, day)
        previous = day
        moment += step
