"""The day plan: the queue read from it is the queue a fresh read of the cards gives, answer after
answer; every other change drops it; a stale plan is never stored, and one that no longer matches
the cards heals itself."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.domain import day_plan as dp
from app.domain import queue as q
from app.domain.scheduling import Rating
from app.domain.studyday import StudyDay as StudyDayRange
from app.domain.studyday import study_day
from app.extensions import db
from app.models import Card, Question, StudyDay, User
from app.services import banks, plans, study
from app.services.study.queue import _gather as gather
from tests.factories import NOW
from tests.integration.test_study import (
    CORE_ALPHA,
    DAY,
    HOUR,
    MINUTE,
    answer,
    bank,  # noqa: F401  (the fixture every test here uses)
    enrolled,
    set_preset,
    write_study_bank,
)

pytestmark = pytest.mark.usefixtures("bank")


def day_of(user_id: int, at: datetime) -> StudyDayRange:
    user = db.session.get(User, user_id)
    assert user is not None
    return study_day(at, user.timezone, user.day_start_hour)


def stored(user_id: int, at: datetime) -> dp.DayPlan | None:
    db.session.expire_all()
    return plans.load(user_id, day_of(user_id, at).date)[0]


def shape(queue: q.Queue) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    return (
        [(c.question_id, int(c.source)) for c in queue.items],
        [c.question_id for c in queue.ahead],
        [c.question_id for c in queue.later],
    )


def assert_plan_matches_the_cards(user_id: int, at: datetime, scope: str) -> None:
    """The stored plan's queue is exactly the queue gathered afresh from the database."""
    day = day_of(user_id, at)
    plan = stored(user_id, at)
    assert plan is not None and scope in plan.scopes
    fresh = gather(user_id, day, scope, at)
    expected = fresh.queue(scope, at, day.end)
    assert shape(plan.queue(scope, at, day.end)) == shape(expected)
    head = plan.heads.get(scope)
    found = head.at(at) if head is not None else None
    if found is not None:  # what the next-card request reads
        nxt, new, learning, review = found
        assert (None if nxt is None else (nxt.question_id, nxt.source)) == (
            None if expected.next is None else (expected.next.question_id, expected.next.source)
        )
        assert (new, learning, review) == (
            expected.count(q.Source.NEW),
            expected.count(q.Source.LEARNING),
            expected.count(q.Source.REVIEW),
        )
    assert plan.done == {e: d for e, d in fresh.done.items() if d != q.Done()} | {
        e: d for e, d in plan.done.items() if d == q.Done()
    }
    assert plan.reviews_left() == fresh.reviews_left()


def test_answer_after_answer_the_plan_gives_the_queue_a_fresh_read_gives():
    user_id = enrolled("core", "extra", "wide")
    for track in ("core", "extra", "wide"):
        set_preset(user_id, track, new_per_day=8, learning_steps="1m 10m")
    rng = random.Random(7)
    for day_number in range(4):
        start = NOW + day_number * DAY + 2 * HOUR
        for step in range(60):
            at = start + step * 30 * timedelta(seconds=1) + (step // 10) * 15 * MINUTE
            scope = (dp.ALL_TRACKS, "core", "wide")[step % 3]
            state = study.today(user_id, now=at, track_key=None if scope == "*" else scope)
            assert_plan_matches_the_cards(user_id, at, scope)
            if state.item is None:
                break
            rating = rng.choice([Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.GOOD, Rating.EASY])
            answer(
                user_id,
                state.item.question.id,
                at,
                rating=rating,
                right=rating != Rating.AGAIN,
                track=None if scope == "*" else scope,
            )
            assert_plan_matches_the_cards(user_id, at, dp.ALL_TRACKS)


def test_the_first_request_of_the_day_stores_the_plan_and_answers_keep_it():
    user_id = enrolled("core")
    assert stored(user_id, NOW + HOUR) is None
    item = study.today(user_id, now=NOW + HOUR).item
    assert item is not None
    plan = stored(user_id, NOW + HOUR)
    assert plan is not None and set(plan.scopes) == {dp.ALL_TRACKS}
    answer(user_id, item.question.id, NOW + HOUR)
    after = stored(user_id, NOW + HOUR)
    assert after is not None
    assert after.answered_since == {item.question.id} and after.answers == 1
    study.today(user_id, now=NOW + HOUR, track_key="core")
    kept = stored(user_id, NOW + HOUR)
    assert kept is not None and set(kept.scopes) == {dp.ALL_TRACKS, "core"}


def test_every_change_to_the_queue_inputs_drops_the_plan(tmp_path):
    user_id = enrolled("core")
    at = NOW + HOUR
    first = study.today(user_id, now=at).item
    assert first is not None
    answer(user_id, first.question.id, at)

    def drops(change) -> None:  # type: ignore[no-untyped-def]
        study.today(user_id, now=at)
        assert stored(user_id, at) is not None
        change()
        assert stored(user_id, at) is None

    qid = study.today(user_id, now=at).item.question.id  # type: ignore[union-attr]
    drops(lambda: study.bury(user_id, qid, now=at))
    assert study.today(user_id, now=at).item.question.id != qid  # type: ignore[union-attr]
    drops(lambda: study.suspend(user_id, qid, now=at))
    drops(lambda: study.unsuspend(user_id, qid, now=at))
    drops(lambda: study.undo(user_id, now=at))
    drops(lambda: set_preset(user_id, "core", new_per_day=3))
    assert study.today(user_id, now=at).counts.new == 3
    drops(lambda: study.enrol(user_id, "extra", now=at))
    extra = study.enrolment_for_track(user_id, "extra")
    assert extra is not None
    drops(lambda: study.leave(user_id, extra.id, now=at))
    drops(lambda: _update_profile(user_id, at))
    root = write_study_bank(tmp_path / "banks")
    (root / "01-alpha.md").write_text(
        (root / "01-alpha.md").read_text() + "- [ ] One more?\n  - Yes.\n"
    )
    drops(lambda: banks.sync(root, now=at))
    assert study.today(user_id, now=at).counts.new == 3


def _update_profile(user_id: int, at: datetime) -> None:
    from app.services import accounts

    accounts.update_profile(
        user_id, display_name="Learner", timezone="Asia/Tokyo", day_start_hour=4, now=at
    )


def test_a_plan_read_before_a_change_is_not_stored_after_it():
    user_id = enrolled("core")
    at = NOW + HOUR
    day = day_of(user_id, at)
    _, version = plans.load(user_id, day.date)
    gathered = gather(user_id, day, dp.ALL_TRACKS, at)
    study.forget_plans(user_id, at)  # a change commits while the plan is being read
    db.session.commit()
    assert plans.store(user_id, day.date, gathered, seen_version=version) is False
    assert stored(user_id, at) is None


def test_an_answer_on_a_row_that_moved_drops_the_plan_instead_of_guessing():
    user_id = enrolled("core")
    at = NOW + HOUR
    item = study.today(user_id, now=at).item
    assert item is not None
    days = StudyDay.__table__
    day = day_of(user_id, at)
    db.session.execute(  # as if another tab's answer had committed in between
        sa.update(days)
        .where(days.c.user_id == user_id, days.c.local_date == day.date)
        .values(queue_version=days.c.queue_version + 1)
    )
    db.session.commit()
    version = plans.load(user_id, day.date)[1]
    assert version is not None
    # The answer read the plan at an earlier version: its update must not be stored.
    plan = stored(user_id, at)
    assert plan is not None
    assert plans.count_answer(user_id, day.date, plan, version - 1) is False
    db.session.commit()
    assert stored(user_id, at) is None
    assert study.today(user_id, now=at).item is not None


def test_a_plan_that_no_longer_matches_its_next_card_is_gathered_again():
    user_id = enrolled("core")
    at = NOW + HOUR
    first = study.today(user_id, now=at).item
    assert first is not None
    answer(user_id, first.question.id, at)
    item = study.today(user_id, now=at + 2 * MINUTE).item
    assert item is not None
    # Changes the plan was not told of (a bank sync racing the plan's first read): the next
    # question is retired, and a card the plan holds is suspended.
    db.session.execute(
        sa.update(Question).where(Question.id == item.question.id).values(retired_at=at)
    )
    db.session.execute(
        sa.update(Card)
        .where(Card.user_id == user_id, Card.question_id == first.question.id)
        .values(suspended=True)
    )
    db.session.commit()
    healed = study.today(user_id, now=at + 2 * MINUTE)
    assert healed.item is not None and healed.item.question.id != item.question.id
    assert_plan_matches_the_cards(user_id, at + 2 * MINUTE, dp.ALL_TRACKS)


def test_prepare_plans_gathers_today_for_active_learners_and_is_safe_to_repeat():
    active = enrolled("core")
    idle = enrolled("core")
    answer(active, study.today(active, now=NOW).item.question.id, NOW)  # type: ignore[union-attr]
    plans.forget(active, day_of(active, NOW).date)
    db.session.commit()

    tomorrow = NOW + DAY
    run = study.prepare_plans(now=tomorrow)
    assert (run.considered, run.prepared, run.failed) == (1, 1, 0)
    assert stored(active, tomorrow) is not None
    assert stored(idle, tomorrow) is None
    again = study.prepare_plans(now=tomorrow)
    assert (again.considered, again.prepared) == (1, 0)
    # The prepared plan is the one the learner's first request then reads.
    plan = stored(active, tomorrow)
    assert plan is not None
    assert study.today(active, now=tomorrow).counts.new == plan.queue(
        dp.ALL_TRACKS, tomorrow, day_of(active, tomorrow).end
    ).count(q.Source.NEW)


def test_the_alpha_questions_come_in_track_order_from_a_stored_plan():
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=50)
    at = NOW + HOUR
    shown = []
    for step in range(6):
        item = study.today(user_id, now=at + step * MINUTE).item
        assert item is not None
        shown.append(item.question.id)
        answer(user_id, item.question.id, at + step * MINUTE, rating=Rating.EASY)
    ids = dict(db.session.execute(sa.select(Question.key, Question.id)).all())
    assert shown[:6] == [ids[k] for k in CORE_ALPHA]
