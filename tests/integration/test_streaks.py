"""Streaks through ``study.answer``: a study day completes when no due review is left (or with
one answer on a day when nothing was due); consecutive completed days extend the streak, a missed
day resets it, and days follow the learner's own boundary."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.domain.questions import AnswerMode, answer_mode
from app.domain.scheduling import CardState, Rating
from app.extensions import db
from app.models import Card, Question, StudyDay, User
from app.services import banks, study
from tests.factories import make_user
from tests.integration.test_bank_sync import write_bank

_review_ids = itertools.count(1)


@pytest.fixture
def bank(app: Any, tmp_path: Path) -> dict[str, int]:
    banks.sync(write_bank(tmp_path / "banks"), now=datetime(2026, 1, 1, tzinfo=UTC))
    return dict(db.session.execute(sa.select(Question.key, Question.id)).all())


def enrolled(**profile: object) -> int:
    user = make_user(**profile)
    study.enrol(user.id, "basics", now=datetime(2026, 2, 1, tzinfo=UTC))
    return user.id


def answer(user_id: int, question_id: int, at: datetime, rating: Rating = Rating.EASY) -> None:
    """Answer right, as the review page would, with the card version it shows."""
    question = db.session.get(Question, question_id)
    assert question is not None
    mode = answer_mode(study.grading_spec(question))
    response = None
    if mode is AnswerMode.CHOICE:
        response = str(question.correct)
    elif mode is AnswerMode.CLOZE:
        response = question.cloze_answer
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )
    study.answer(
        user_id,
        review_id=f"streak-{next(_review_ids)}",
        question_id=question_id,
        version=card.version if card else 0,
        now=at,
        rating=rating,
        response=response,
        fuzz=False,
    )


def streak(user_id: int) -> tuple[int, date | None]:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return user.streak, user.streak_last_day


def current(user_id: int, at: datetime) -> int:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return study.current_streak(user, now=at)


def days(user_id: int) -> list[tuple[date, int, bool]]:
    """The days the learner answered on (a day's row exists from its first request, to hold the
    day's plan, so days with no answer are left out)."""
    db.session.expire_all()
    return [
        (row.local_date, row.reviews, row.completed)
        for row in db.session.scalars(
            sa.select(StudyDay)
            .where(StudyDay.user_id == user_id, StudyDay.reviews > 0)
            .order_by(StudyDay.local_date)
        )
    ]


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_consecutive_days_extend_the_streak_and_a_missed_day_resets_it(bank):
    user_id = enrolled(timezone="UTC", day_start_hour=4)
    q = sorted(bank.values())
    assert streak(user_id) == (0, None)

    answer(user_id, q[0], utc(2, 10))  # nothing was due: one answer completes the day
    assert streak(user_id) == (1, date(2026, 3, 2))
    answer(user_id, q[1], utc(2, 11))
    assert streak(user_id) == (1, date(2026, 3, 2))  # the same day counts once
    answer(user_id, q[2], utc(3, 9))
    assert streak(user_id) == (2, date(2026, 3, 3))

    # Nothing on the 4th: the streak still stands that day, and is gone the day after.
    assert current(user_id, utc(4, 23)) == 2
    assert current(user_id, utc(5, 3, 59)) == 2  # still the 4th until 04:00
    assert current(user_id, utc(5, 4)) == 0

    answer(user_id, q[3], utc(5, 8))
    assert streak(user_id) == (1, date(2026, 3, 5))
    assert current(user_id, utc(5, 8)) == 1
    assert days(user_id) == [
        (date(2026, 3, 2), 2, True),
        (date(2026, 3, 3), 1, True),
        (date(2026, 3, 5), 1, True),
    ]


RECALL = ["caching:self_assessment:1", "caching:self_assessment:2", "queues:self_assessment:1"]
# Questions with no sibling among each other or the recall ones above.
OTHERS = [
    "queues:self_assessment:2",
    "queues:one_thing",
    "indexes:one_thing",
    "indexes:self_assessment:1",
    "indexes:self_assessment:2",
    "queues:key_tradeoff",
    "indexes:key_tradeoff",
    "caching:one_thing",
]


def test_a_day_with_due_reviews_completes_with_the_last_of_them(bank):
    user_id = enrolled(timezone="UTC", day_start_hour=4)
    first, second, third = (bank[key] for key in RECALL)
    for n, question_id in enumerate((first, second, third)):
        answer(user_id, question_id, utc(2, 10, n))  # Easy: straight to review
    due = {c.due for c in db.session.scalars(sa.select(Card).where(Card.user_id == user_id))}
    assert len(due) == 3 and {d.date() for d in due} == {date(2026, 3, 10)}
    # A new card each day in between, with nothing due: every day completes. Each of them is
    # due eight days later, after the 10th's study day has ended.
    for day, key in zip(range(3, 10), OTHERS, strict=False):
        answer(user_id, bank[key], utc(day, 9))
    assert streak(user_id) == (8, date(2026, 3, 9))

    answer(user_id, first, utc(10, 12), Rating.GOOD)
    answer(user_id, second, utc(10, 12, 1), Rating.GOOD)
    answer(user_id, bank[OTHERS[-1]], utc(10, 12, 2))  # a new card does not finish the reviews
    assert streak(user_id) == (8, date(2026, 3, 9))
    assert days(user_id)[-1] == (date(2026, 3, 10), 3, False)
    assert current(user_id, utc(10, 12, 3)) == 8  # alive: yesterday was completed

    answer(user_id, third, utc(10, 12, 3), Rating.GOOD)
    assert streak(user_id) == (9, date(2026, 3, 10))
    assert days(user_id)[-1] == (date(2026, 3, 10), 4, True)


def test_a_review_of_a_retired_question_does_not_hold_the_day_open(bank):
    """A retired question is never offered again, so its card cannot be the review left."""
    user_id = enrolled(timezone="UTC", day_start_hour=4)
    kept, gone = bank[RECALL[0]], bank[RECALL[1]]
    answer(user_id, kept, utc(2, 10))
    answer(user_id, gone, utc(2, 10, 1))
    retired = db.session.get(Question, gone)
    assert retired is not None
    retired.retired_at = utc(5, 0)
    db.session.commit()

    answer(user_id, kept, utc(10, 12), Rating.GOOD)  # the retired one is due too

    assert study.today(user_id, now=utc(10, 12, 1)).counts.review == 0
    assert days(user_id)[-1] == (date(2026, 3, 10), 1, True)


def test_a_sibling_the_queue_holds_back_until_tomorrow_does_not_hold_the_day_open(bank):
    """Two questions of one table row are due the same day; once one is answered, the queue keeps
    the other for tomorrow. The learner has done all the day offers, so the day completes."""
    user_id = enrolled(timezone="UTC", day_start_hour=4)
    through = bank["caching:table:write-policies:latency:which:write-through"]
    back = bank["caching:table:write-policies:latency:which:write-back"]
    answer(user_id, through, utc(2, 10))
    answer(user_id, back, utc(2, 10, 5))  # answered outside the queue, which would wait a day
    for day, key in zip(range(3, 10), OTHERS, strict=False):
        answer(user_id, bank[key], utc(day, 9))
    assert streak(user_id) == (8, date(2026, 3, 9))
    cards = {
        c.question_id: c for c in db.session.scalars(sa.select(Card).where(Card.user_id == user_id))
    }
    assert cards[through].state == cards[back].state == CardState.REVIEW
    assert {cards[through].due.date(), cards[back].due.date()} == {date(2026, 3, 10)}

    answer(user_id, through, utc(10, 12), Rating.GOOD)

    assert study.today(user_id, now=utc(10, 12, 1)).counts.review == 0  # back waits a day
    assert streak(user_id) == (9, date(2026, 3, 10))


def test_the_day_boundary_is_the_learners(bank):
    """New York, day start 04:00 (EST, UTC-5): 02:00 local on the 4th still belongs to the 3rd."""
    user_id = enrolled(timezone="America/New_York", day_start_hour=4)
    q = sorted(bank.values())

    answer(user_id, q[0], utc(2, 15))  # 10:00 on the 2nd
    assert streak(user_id) == (1, date(2026, 3, 2))
    answer(user_id, q[1], utc(4, 7))  # 02:00 on the 4th: the 3rd's study day
    assert streak(user_id) == (2, date(2026, 3, 3))  # consecutive, not a gap on the 3rd
    answer(user_id, q[2], utc(4, 8, 59))  # 03:59 on the 4th: still the 3rd
    assert streak(user_id) == (2, date(2026, 3, 3))
    answer(user_id, q[3], utc(4, 9))  # 04:00 on the 4th: a new day
    assert streak(user_id) == (3, date(2026, 3, 4))
    assert days(user_id) == [
        (date(2026, 3, 2), 1, True),
        (date(2026, 3, 3), 2, True),
        (date(2026, 3, 4), 1, True),
    ]
    # Midnight UTC on the 5th is 19:00 on the 4th in New York: the streak is alive, at 3.
    assert current(user_id, utc(5, 0)) == 3
    # 03:59 local on the 6th is still the 5th, the day after the last completed one.
    assert current(user_id, utc(6, 8, 59)) == 3
    assert current(user_id, utc(6, 9)) == 0


def test_a_backlog_beyond_the_daily_review_limit_does_not_hold_the_day_open(bank):
    """With two reviews due and a limit of one, the queue offers one; answering it ends the day."""
    user_id = enrolled(timezone="UTC", day_start_hour=4)
    first, second = bank[RECALL[0]], bank[RECALL[1]]
    answer(user_id, first, utc(2, 10))
    answer(user_id, second, utc(2, 10, 1))
    enrolment = study.list_enrolments(user_id)[0]
    study.update_preset(
        user_id, enrolment.id, {"max_reviews_per_day": 1, "new_per_day": 0}, now=utc(2, 11)
    )
    state = study.today(user_id, now=utc(10, 12))
    assert state.counts.review == 1 and state.item is not None

    answer(user_id, state.item.question.id, utc(10, 12), Rating.GOOD)

    assert study.today(user_id, now=utc(10, 12, 1)).item is None
    assert days(user_id)[-1] == (date(2026, 3, 10), 1, True)
