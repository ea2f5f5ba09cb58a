"""The learner's day is FSRS's day: a review on a later study day is long-term however few hours
after the last one, in answering, undo and replay alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.domain.scheduling import CardState, Rating
from app.extensions import db
from app.models import Card, ReviewLog, User
from app.services import integrity, study
from tests.integration.test_study import CORE_ALPHA, answer, enrolled

BERLIN = "Europe/Berlin"  # UTC+1 in March
EVENING = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)  # 22:00 in Berlin, 2 March


def learned_last_evening(user_id: int, qid: int) -> Card:
    answer(user_id, qid, EVENING, rating=Rating.GOOD)
    answer(user_id, qid, EVENING + timedelta(minutes=10), rating=Rating.GOOD)
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == qid)
    )
    assert card is not None and card.state == CardState.REVIEW
    assert card.last_day == date(2026, 3, 2)
    return card


def test_the_next_morning_is_a_new_day_for_the_scheduler(bank):
    user_id = enrolled("core", timezone=BERLIN, day_start_hour=4)
    qid = bank[CORE_ALPHA[0]]
    learned_last_evening(user_id, qid)
    morning = EVENING + timedelta(hours=10)  # 08:10 on 3 March in Berlin: 10 hours later

    result = answer(user_id, qid, morning, rating=Rating.GOOD)

    # Slept on: long-term, the interval grows past three days (the 24-hour rule gives one).
    assert result.interval_days >= 3
    log = db.session.scalars(sa.select(ReviewLog).order_by(ReviewLog.id.desc())).first()
    assert log.study_date == date(2026, 3, 3)
    assert integrity.verify_cards(user_id=user_id) == (1, [])


def test_before_the_day_starts_it_is_still_yesterday(bank):
    user_id = enrolled("core", timezone=BERLIN, day_start_hour=4)
    qid = bank[CORE_ALPHA[0]]
    learned_last_evening(user_id, qid)
    night = EVENING + timedelta(hours=4)  # 02:10 in Berlin: before the 04:00 day start

    result = answer(user_id, qid, night, rating=Rating.GOOD)

    assert result.interval_days < 3  # the same study day: short-term
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == qid)
    )
    assert card.last_day == date(2026, 3, 2)


def test_replay_uses_the_day_of_each_review_even_after_a_move(bank):
    user_id = enrolled("core", timezone=BERLIN, day_start_hour=4)
    qid = bank[CORE_ALPHA[0]]
    learned_last_evening(user_id, qid)
    answer(user_id, qid, EVENING + timedelta(hours=10), rating=Rating.GOOD)
    # The learner moves to Los Angeles: in that zone both reviews were on 2 March, but they were
    # made on two Berlin days, and replay must agree with what was scheduled then.
    db.session.get(User, user_id).timezone = "America/Los_Angeles"
    db.session.commit()
    assert integrity.verify_cards(user_id=user_id) == (1, [])


def test_undo_restores_the_day_of_the_last_review(bank):
    user_id = enrolled("core", timezone=BERLIN, day_start_hour=4)
    qid = bank[CORE_ALPHA[0]]
    learned_last_evening(user_id, qid)
    answer(user_id, qid, EVENING + timedelta(hours=10), rating=Rating.GOOD)
    study.undo(user_id, now=EVENING + timedelta(hours=11))
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == qid)
    )
    assert card.last_day == date(2026, 3, 2)
