"""Reminder digests on a fixed clock: the learner's local hour across time zones, once per study
day, the digest's content, unsubscribing through the signed link, SMTP delivery and its failure,
and the reminder settings and outbox pages."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.extensions import db
from app.jobs import run_job
from app.models import Card, Digest, OutboxMessage, Question, User
from app.services import banks, mail, reminders, study
from tests.conftest import count
from tests.factories import log_in, make_user
from tests.integration.test_bank_sync import write_bank
from tests.integration.test_study import answer

SECRET = "test-secret-key"  # tests.conftest.app_config
BASE_URL = "http://rehearse.test"
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in March 2026, UTC."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def learner(timezone: str, day_start: int, hour: int, *, channel: str = "email", **kw: Any) -> int:
    user = make_user(timezone=timezone, day_start_hour=day_start, **kw)
    reminders.update_reminders(user.id, channel=channel, hour=hour)
    return user.id


def run(at: datetime, **kw: Any) -> reminders.DigestRun:
    return reminders.send_digests(now=at, secret=SECRET, base_url=BASE_URL, **kw)


def digests(user_id: int | None = None) -> list[tuple[int, date, datetime]]:
    query = sa.select(Digest.user_id, Digest.local_date, Digest.created_at).order_by(Digest.id)
    if user_id is not None:
        query = query.where(Digest.user_id == user_id)
    return [tuple(row) for row in db.session.execute(query)]


def only_message(user_id: int) -> OutboxMessage:
    messages = reminders.outbox(user_id)
    assert len(messages) == 1
    return messages[0]


# ------------------------------------------------------------------------------------------------
# When a digest is sent
# ------------------------------------------------------------------------------------------------

# (time zone, day start, reminder hour, the UTC instant of that local hour on the study day of
# 2026-03-02, the last instant of that study day, in UTC)
SCHEDULES = {
    "utc": ("UTC", 4, 9, utc(2, 9), utc(3, 3, 59, 59)),
    # PST, UTC-8: 07:00 local is 15:00 UTC; the day ends at 04:00 PST on the 3rd, 12:00 UTC.
    "los-angeles": ("America/Los_Angeles", 4, 7, utc(2, 15), utc(3, 11, 59, 59)),
    # IST, UTC+05:30: 09:00 local is 03:30 UTC; the day ends at 04:00 IST on the 3rd, 22:30 UTC.
    "kolkata": ("Asia/Kolkata", 4, 9, utc(2, 3, 30), utc(2, 22, 29, 59)),
    # NZDT, UTC+13, reminder at 02:00, before the 04:00 day start: the study day of the 2nd is
    # reminded at 02:00 on the 3rd (13:00 UTC on the 2nd) and ends two hours later.
    "auckland-before-day-start": ("Pacific/Auckland", 4, 2, utc(2, 13), utc(2, 14, 59, 59)),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_a_digest_comes_at_the_local_hour_once_per_study_day(app, name):
    timezone, day_start, hour, due, day_end = SCHEDULES[name]
    user_id = learner(timezone, day_start, hour)
    first_day = date(2026, 3, 2)

    an_hour_early = run(due - HOUR)
    a_second_early = run(due - SECOND)
    assert (an_hour_early.sent, an_hour_early.not_yet) == (0, 1)
    assert (a_second_early.sent, a_second_early.not_yet) == (0, 1)
    assert digests() == []

    on_time = run(due)
    assert (on_time.sent, on_time.user_ids) == (1, [user_id])
    assert digests() == [(user_id, first_day, due)]
    local = due.astimezone(ZoneInfo(timezone))
    assert (local.hour, local.minute) == (hour, 0)

    rerun = run(due)
    late = run(day_end)
    assert (rerun.sent, rerun.already_sent) == (0, 1)
    assert (late.sent, late.already_sent) == (0, 1)
    assert count(Digest) == count(OutboxMessage) == 1

    # The next study day has begun, but its hour has not come yet; then it has.
    assert run(day_end + SECOND).sent == 0
    assert run(due + DAY - SECOND).sent == 0
    next_day = run(due + DAY)
    assert next_day.sent == 1
    assert digests() == [(user_id, first_day, due), (user_id, date(2026, 3, 3), due + DAY)]


def test_an_hourly_job_reaches_every_time_zone_at_its_hour_across_a_clock_change(app):
    """The cron trigger fires at minute 1 of every UTC hour. Four days of it, over the night the
    clocks go forward in Los Angeles (02:00 on 8 March 2026)."""
    utc = learner("UTC", 4, 9)
    los_angeles = learner("America/Los_Angeles", 4, 7)
    kolkata = learner("Asia/Kolkata", 4, 9)
    auckland = learner("Pacific/Auckland", 4, 2)
    learner("Europe/Berlin", 4, 9, channel="off")
    start = datetime(2026, 3, 5, 23, 1, tzinfo=UTC)

    sent_per_run = [run(start + n * HOUR).sent for n in range(97)]

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, 1, tzinfo=UTC)

    # Reminders were turned on just before the first run. Where the 5th's hour had passed, that
    # run sends the 5th's digest late; after that, each comes at its hour.
    catch_up = (date(2026, 3, 5), start)
    expected = {
        utc: [catch_up] + [(date(2026, 3, d), at(d, 9)) for d in (6, 7, 8, 9)],
        # 07:01 PST (15:01 UTC) until the clocks change, then 07:01 PDT (14:01 UTC).
        los_angeles: [
            catch_up,
            (date(2026, 3, 6), at(6, 15)),
            (date(2026, 3, 7), at(7, 15)),
            (date(2026, 3, 8), at(8, 14)),
            (date(2026, 3, 9), at(9, 14)),
        ],
        # 09:00 IST is 03:30 UTC: the first run after it is 04:01 UTC, 09:31 local.
        kolkata: [(date(2026, 3, d), at(d, 4)) for d in (6, 7, 8, 9)],
        # 02:01 NZDT the next morning, 13:01 UTC, for the study day before it.
        auckland: [(date(2026, 3, d), at(d, 13)) for d in (6, 7, 8, 9)],
    }
    for user_id, sends in expected.items():
        assert [(d, t) for _, d, t in digests(user_id)] == sends, user_id
    assert sent_per_run[0] == 2
    assert sum(sent_per_run) == 18 == count(Digest)
    for user_id, _, sent_at in digests():
        if sent_at == start:
            continue
        user = db.session.get(User, user_id)
        assert user is not None
        assert sent_at.astimezone(ZoneInfo(user.timezone)).hour == user.reminder_hour


def test_a_job_that_runs_hours_late_still_sends_that_days_digest(app):
    user_id = learner("UTC", 4, 9)
    assert run(datetime(2026, 3, 2, 17, 45, tzinfo=UTC)).sent == 1
    assert digests() == [(user_id, date(2026, 3, 2), datetime(2026, 3, 2, 17, 45, tzinfo=UTC))]


def test_nobody_with_reminders_off_gets_a_digest(app):
    learner("UTC", 4, 9, channel="off")
    on = learner("UTC", 4, 9)
    result = run(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    assert (result.considered, result.sent, result.user_ids) == (1, 1, [on])


# ------------------------------------------------------------------------------------------------
# What a digest says
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def two_tracks(app: Any, tmp_path: Path) -> dict[str, int]:
    """Track "basics" (caching, queues, indexes) and track "extra" (queues only)."""
    root = write_bank(tmp_path / "banks")
    (root / "tracks" / "extra.yaml").write_text(
        "key: extra\ntitle: Extra\ndescription: More.\nlevel: beginner\narticles:\n  - queues\n"
    )
    banks.sync(root, now=datetime(2026, 1, 1, tzinfo=UTC))
    return dict(db.session.execute(sa.select(Question.key, Question.id)).all())


def _questions(ids: dict[str, int], article: str) -> list[int]:
    return sorted(v for k, v in ids.items() if k.startswith(f"{article}:"))


def test_the_digest_lists_each_tracks_reviews_due_new_waiting_and_the_streak(two_tracks):
    caching, queues = _questions(two_tracks, "caching"), _questions(two_tracks, "queues")
    indexes = _questions(two_tracks, "indexes")
    # The bank as the numbers below assume it: 11 questions per article.
    assert (len(caching), len(queues), len(indexes)) == (11, 11, 11)
    at = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)  # 09:00 in Kolkata; the day ends 22:30 UTC
    user_id = learner("Asia/Kolkata", 4, 9, name="Ada")
    basics = study.enrol(user_id, "basics", now=datetime(2026, 2, 1, tzinfo=UTC))
    extra = study.enrol(user_id, "extra", now=datetime(2026, 2, 1, 0, 0, 1, tzinfo=UTC))
    study.update_preset(user_id, extra.id, {"new_per_day": 3}, now=datetime(2026, 2, 1, tzinfo=UTC))
    user = db.session.get(User, user_id)
    assert user is not None
    user.streak, user.streak_last_day = 5, date(2026, 3, 1)  # completed yesterday, local time
    retired = db.session.get(Question, caching[9])
    assert retired is not None
    retired.retired_at = datetime(2026, 2, 20, tzinfo=UTC)

    def card(question_id: int, enrolment_id: int, state: int, due: datetime, **kw: Any) -> None:
        db.session.add(
            Card(
                user_id=user_id,
                question_id=question_id,
                enrolment_id=enrolment_id,
                state=state,
                step=0 if state in (1, 3) else None,
                stability=3.0,
                difficulty=5.0,
                due=due,
                last_review=datetime(2026, 2, 20, tzinfo=UTC),
                reps=3,
                created_at=datetime(2026, 2, 10, tzinfo=UTC),
                **kw,
            )
        )

    # basics: 4 reviews and 1 learning card due today. Not due: tomorrow's, next week's, a
    # suspended card, a card buried until tomorrow and the card of a retired question.
    card(caching[0], basics.id, 2, datetime(2026, 3, 1, 8, 0, tzinfo=UTC))  # overdue
    card(caching[1], basics.id, 2, datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    card(caching[2], basics.id, 2, datetime(2026, 3, 2, 22, 29, tzinfo=UTC))  # last minute
    card(caching[3], basics.id, 2, datetime(2026, 2, 25, tzinfo=UTC))  # long overdue
    card(caching[4], basics.id, 1, datetime(2026, 3, 2, 4, 0, tzinfo=UTC))  # learning
    card(caching[5], basics.id, 2, datetime(2026, 3, 2, 22, 30, tzinfo=UTC))  # tomorrow
    card(caching[6], basics.id, 2, datetime(2026, 3, 9, tzinfo=UTC))
    card(caching[7], basics.id, 2, datetime(2026, 3, 1, tzinfo=UTC), suspended=True)
    card(caching[8], basics.id, 2, datetime(2026, 3, 1, tzinfo=UTC), buried_until=at + DAY)
    card(caching[9], basics.id, 2, datetime(2026, 3, 1, tzinfo=UTC))  # retired question
    card(caching[10], basics.id, 0, datetime(2026, 3, 1, tzinfo=UTC))  # new: not introduced
    # extra: a relearning card due today.
    card(queues[0], extra.id, 3, datetime(2026, 3, 2, 5, 0, tzinfo=UTC))
    db.session.commit()

    result = run(at)

    assert result.sent == 1
    message = only_message(user_id)
    token = reminders.unsubscribe_token(user_id, secret=SECRET)
    # basics: 32 live questions, 10 introduced -> 22 waiting, shown up to new_per_day = 10.
    # extra: 11 questions, 1 introduced -> 10 waiting, shown up to new_per_day = 3.
    # Learning and relearning cards are not called reviews.
    assert message.subject == "Rehearse: 4 reviews due today, 2 learning, 13 new"
    assert message.body_text == (
        "Hello Ada,\n"
        "\n"
        "Today in your tracks:\n"
        "  - Basics: 4 reviews, 1 learning, 10 new\n"
        "  - Extra: 0 reviews, 1 learning, 3 new\n"
        "\n"
        "Streak: 5 days.\n"
        "\n"
        "Study now: http://rehearse.test/study/\n"
        "\n"
        f"Stop these reminders: http://rehearse.test/unsubscribe/{token}\n"
    )
    assert message.to_address == db.session.get(User, user_id).email
    assert message.status == "outbox"  # no SMTP configured: kept in the outbox

    # New cards introduced today count against the day's limit: two of extra's three are taken.
    for question_id in queues[1:3]:
        answer(user_id, question_id, at, track="extra")
    lines = reminders._track_lines([db.session.get(User, user_id)], at)[user_id]
    assert [line.new_waiting for line in lines] == [10, 1]


def test_a_digest_for_a_learner_with_no_track_and_a_lapsed_streak(app):
    user_id = learner("UTC", 4, 9, name="Grace")
    user = db.session.get(User, user_id)
    assert user is not None
    user.streak, user.streak_last_day = 7, date(2026, 2, 27)  # three days ago: broken
    db.session.commit()
    run(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    message = only_message(user_id)
    assert message.subject == "Rehearse: 0 reviews due today"
    assert "You are not enrolled in any track yet.\n" in message.body_text
    assert "Streak: 0 days.\n" in message.body_text


# ------------------------------------------------------------------------------------------------
# Unsubscribing through the signed link
# ------------------------------------------------------------------------------------------------


def _unsubscribe_path(body: str) -> str:
    match = re.search(r"Stop these reminders: http://rehearse\.test(/unsubscribe/\S+)\n", body)
    assert match is not None, body
    return match.group(1)


def test_the_link_in_the_digest_asks_first_then_unsubscribes(app, client):
    user_id = learner("UTC", 4, 9)
    run(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    path = _unsubscribe_path(only_message(user_id).body_text)

    page = client.get(path)
    assert page.status_code == 200
    assert b"Stop the daily reminder emails?" in page.data
    assert b'<form method="post">' in page.data
    db.session.expire_all()
    assert db.session.get(User, user_id).reminder_channel == "email"

    done = client.post(path)
    assert done.status_code == 200
    assert b'id="unsubscribed"' in done.data
    db.session.expire_all()
    assert db.session.get(User, user_id).reminder_channel == "off"

    tomorrow = run(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    assert (tomorrow.considered, tomorrow.sent) == (0, 0)
    assert count(Digest) == 1


def test_a_forged_unsubscribe_link_is_not_found_and_changes_nothing(app, client):
    user_id = learner("UTC", 4, 9)
    genuine = reminders.unsubscribe_token(user_id, secret=SECRET)
    forged = [
        reminders.unsubscribe_token(user_id, secret="someone-elses-secret"),
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
        "bm90LWEtdG9rZW4",
    ]
    for token in forged:
        for response in (client.get(f"/unsubscribe/{token}"), client.post(f"/unsubscribe/{token}")):
            assert response.status_code == 404, token
            assert b"not valid" in response.data
            assert b"Unsubscribe</button>" not in response.data
    db.session.expire_all()
    assert db.session.get(User, user_id).reminder_channel == "email"
    assert run(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)).sent == 1


# ------------------------------------------------------------------------------------------------
# SMTP delivery
# ------------------------------------------------------------------------------------------------


class _Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    """A real SMTP server on 127.0.0.1, in a thread, for the length of one test."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def test_the_job_delivers_the_digest_over_smtp_and_marks_it_sent(
    make_app, smtp_server, monkeypatch
):
    port, inbox = smtp_server
    app = make_app(
        SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, BASE_URL=BASE_URL + "/"
    )
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    monkeypatch.setattr("app.jobs.now", lambda: at)
    with app.app_context():
        user_id = learner("UTC", 4, 9, email="ada@example.com")
        run_job("send-digests", app)

        assert len(inbox.envelopes) == 1
        envelope = inbox.envelopes[0]
        assert envelope.mail_from == "rehearse@localhost"
        assert envelope.rcpt_tos == ["ada@example.com"]
        received = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert received["Subject"] == "Rehearse: 0 reviews due today"
        assert received["To"] == "ada@example.com"
        token = reminders.unsubscribe_token(user_id, secret=SECRET)
        body = received.get_body().get_content().replace("\r\n", "\n")
        assert f"Stop these reminders: http://rehearse.test/unsubscribe/{token}\n" in body
        db.session.expire_all()
        message = only_message(user_id)
        assert (message.status, message.sent_at, message.error) == ("sent", at, None)

        run_job("send-digests", app)  # the same hour again: nothing more is sent
        assert len(inbox.envelopes) == 1


def test_an_unreachable_smtp_server_marks_the_message_failed_without_crashing(app):
    user_id = learner("UTC", 4, 9)
    settings = mail.SmtpSettings(
        host="127.0.0.1",
        port=_free_port(),  # nothing listens there
        username="",
        password="",
        starttls=False,
        sender="Rehearse <rehearse@localhost>",
    )
    result = run(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), smtp=settings)
    assert (result.sent, result.delivered) == (1, 0)
    db.session.expire_all()
    message = only_message(user_id)
    assert message.status == "failed"
    assert message.sent_at is None
    assert message.error is not None and message.error.startswith("SMTP unreachable: ")
    assert digests(user_id) != []  # recorded: the next hour's run does not write it again


# ------------------------------------------------------------------------------------------------
# Reminder settings and the outbox page
# ------------------------------------------------------------------------------------------------


def test_reminder_settings_are_validated_and_saved(app, client):
    user = make_user(email="ada@example.com")
    log_in(client, "ada@example.com")

    for data in ({"channel": "email", "hour": "25"}, {"channel": "sms", "hour": "7"}):
        response = client.post("/account/reminders", data=data)
        assert response.status_code == 422, data
        assert b"Not a valid choice" in response.data
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored is not None
    assert (stored.reminder_channel, stored.reminder_hour) == ("off", 9)

    saved = client.post("/account/reminders", data={"channel": "email", "hour": "7"})
    assert saved.status_code == 302
    assert saved.location == "/account/"
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored is not None
    assert (stored.reminder_channel, stored.reminder_hour) == ("email", 7)


def test_the_outbox_page_shows_the_learners_own_messages(app, client):
    mine = learner("UTC", 4, 9, email="ada@example.com")
    learner("UTC", 4, 9, email="grace@example.com")
    run(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert count(OutboxMessage) == 2
    log_in(client, "ada@example.com")

    page = client.get("/account/outbox")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Rehearse: 0 reviews due today" in text
    assert "to ada@example.com · kept here" in text
    assert reminders.unsubscribe_token(mine, secret=SECRET) in text
    assert "grace@example.com" not in text
