"""The day plan, pure: an answer changes the queue read from the plan the way it changes the cards,
the stored form reads back to the same queue, and a kept head holds only until time alone would
change the queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from app.domain.day_plan import (
    ALL_TRACKS,
    HEAD_REST,
    WINDOW,
    DayPlan,
    EnrolmentPlan,
    ScopePlan,
    heads_from_json,
)
from app.domain.queue import Candidate, Done, Limits, Queue, Source

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY_END = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def make_plan(reviews_per_day: int = 10) -> DayPlan:
    learning = [Candidate(1, 7, Source.LEARNING, "row-a", 101, NOW + 30 * MINUTE)]
    reviews = [
        Candidate(2, 7, Source.REVIEW, "row-a", 102, None, 0.5),
        Candidate(3, 7, Source.REVIEW, "row-b", 103, None, 0.7),
        Candidate(4, 7, Source.REVIEW, None, 104, None, 0.9),
    ]
    new = [Candidate(5, 7, Source.NEW, "row-c", None, None, None, (0, 1, 1))]
    return DayPlan(
        enrolments={
            7: EnrolmentPlan("core", 70, Limits(new_per_day=5, reviews_per_day=reviews_per_day), {})
        },
        done={},
        answered={},
        last=None,
        answers=0,
        scopes={ALL_TRACKS: ScopePlan((7,), learning, reviews, new)},
    )


def order(plan: DayPlan, at: datetime = NOW) -> list[int]:
    return [c.question_id for c in plan.queue(ALL_TRACKS, at, DAY_END).items]


def stored(plan: DayPlan) -> DayPlan:
    """The plan as it comes back from the database's JSON columns."""
    base = json.loads(json.dumps(plan.base_json()))
    progress = json.loads(json.dumps(plan.progress_json()))
    restored = DayPlan.from_json(base, progress)
    assert restored is not None
    return restored


def test_the_row_a_review_waits_while_its_learning_sibling_is_in_the_queue():
    assert order(make_plan()) == [3, 5, 4]


def test_an_answer_takes_the_card_out_blocks_its_siblings_and_counts_against_the_limit():
    plan = make_plan()
    plan.record_answer(
        question_id=3, enrolment_id=7, sibling_group="row-b", state_before=2, again=None
    )
    assert order(plan) == [4, 5]
    assert plan.done == {7: Done(new=0, reviews=1)} and plan.answers == 1
    # Back as a learning card due in ten minutes: shown early once nothing else is left.
    again = Candidate(3, 7, Source.LEARNING, "row-b", 103, NOW + 10 * MINUTE)
    plan.record_answer(
        question_id=3, enrolment_id=7, sibling_group="row-b", state_before=2, again=again
    )
    queue = plan.queue(ALL_TRACKS, NOW, DAY_END)
    assert [c.question_id for c in queue.ahead] == [3]
    assert queue.count(Source.LEARNING) == 2


def test_reviews_left_follows_the_limit_and_the_siblings():
    plan = make_plan(reviews_per_day=1)
    assert plan.reviews_left() is True
    plan.record_answer(
        question_id=4, enrolment_id=7, sibling_group=None, state_before=2, again=None
    )
    assert plan.reviews_left() is False  # the one review allowed today is used


def test_the_stored_plan_gives_the_same_queue_and_progress():
    plan = make_plan()
    again = Candidate(5, 7, Source.LEARNING, "row-c", 105, NOW + MINUTE)
    plan.record_answer(
        question_id=5, enrolment_id=7, sibling_group="row-c", state_before=0, again=again
    )
    restored = stored(plan)
    for at in (NOW, NOW + 2 * MINUTE, NOW + 31 * MINUTE):
        assert restored.queue(ALL_TRACKS, at, DAY_END) == plan.queue(ALL_TRACKS, at, DAY_END)
    assert restored.done == plan.done and restored.answered == plan.answered
    assert restored.offered_by(ALL_TRACKS, 5) is None  # answered: no longer offered as new
    assert stored(make_plan()).offered_by(ALL_TRACKS, 5) == 7


def head_view(queue: Queue) -> tuple[int | None, int, int, int]:
    nxt = queue.next
    return (
        None if nxt is None else nxt.question_id,
        queue.count(Source.NEW),
        queue.count(Source.LEARNING),
        queue.count(Source.REVIEW),
    )


def test_a_kept_head_gives_the_queues_head_at_any_time_of_the_day():
    plan = make_plan()
    plan.remember_head(ALL_TRACKS, NOW, DAY_END)
    head = stored(plan).heads[ALL_TRACKS]
    # Before the learning card (due at +30 min) is within LEARN_AHEAD, after, and once due.
    for at in (NOW, NOW + 10 * MINUTE, NOW + 30 * MINUTE, DAY_END - MINUTE):
        found = head.at(at)
        assert found is not None
        nxt, *counts = found
        assert (None if nxt is None else nxt.question_id, *counts) == head_view(
            plan.queue(ALL_TRACKS, at, DAY_END)
        )
    assert head.at(NOW + 30 * MINUTE)[0].question_id == 1  # type: ignore[index,union-attr]
    assert head.at(NOW - MINUTE) is None  # worked out later than asked
    assert head.at(DAY_END) is None  # another day
    plan.record_answer(
        question_id=3, enrolment_id=7, sibling_group="row-b", state_before=2, again=None
    )
    assert plan.heads == {}


def test_a_head_keeps_only_the_first_cards_and_still_never_shows_two_siblings_in_a_row():
    reviews = [
        Candidate(10 + i, 7, Source.REVIEW, f"row-{i}", 200 + i, None, 0.01 * i) for i in range(20)
    ]
    # The last answer was a learning sibling of the most forgotten review (row-0).
    plan = DayPlan(
        enrolments={7: EnrolmentPlan("core", 70, Limits(5, 100), {})},
        done={},
        answered={},
        last=Candidate(9, 7, Source.REVIEW, "row-0"),
        answers=1,
        scopes={ALL_TRACKS: ScopePlan((7,), [], reviews, [])},
    )
    plan.remember_head(ALL_TRACKS, NOW, DAY_END)
    head = stored(plan).heads[ALL_TRACKS]
    assert len(head.rest()) == HEAD_REST and head.review_total == 20 and len(head.reviews) == 20
    found = head.at(NOW)
    assert found is not None and found[0] is not None
    assert found[0].question_id == 11 == plan.queue(ALL_TRACKS, NOW, DAY_END).items[0].question_id


def long_plan() -> DayPlan:
    """A day of 60 reviews and 100 new cards, some of them siblings, over two enrolments."""
    reviews = [
        Candidate(100 + i, 7 + i % 2, Source.REVIEW, f"r-{i // 3}" if i % 4 else None, 500 + i,
                  None, 0.3 + 0.005 * i)
        for i in range(60)
    ]  # fmt: skip
    new = [
        Candidate(300 + i, 7 + i % 2, Source.NEW, f"n-{i // 2}" if i % 5 else None, None, None,
                  None, (i % 2, i // 10, i))
        for i in range(100)
    ]  # fmt: skip
    return DayPlan(
        enrolments={
            7: EnrolmentPlan("core", 70, Limits(new_per_day=30, reviews_per_day=25), {}),
            8: EnrolmentPlan("extra", 80, Limits(new_per_day=30, reviews_per_day=25), {}),
        },
        done={},
        answered={},
        last=None,
        answers=0,
        scopes={ALL_TRACKS: ScopePlan((7, 8), [], reviews, new)},
    )


def test_answer_after_answer_the_kept_head_gives_the_queue_worked_out_afresh():
    plan = long_plan()
    plan.remember_head(ALL_TRACKS, NOW, DAY_END)
    at, kept, renewed = NOW, 0, 0
    while True:
        plan = stored(plan)
        head = plan.heads[ALL_TRACKS]
        found = head.at(at)
        assert found is not None
        nxt, *counts = found
        expected = plan.queue(ALL_TRACKS, at, DAY_END)
        assert (None if nxt is None else nxt.question_id, *counts) == head_view(expected)
        if nxt is None:
            break
        # Folded into the candidates as heads renew: at most the two windows answered through.
        assert len(plan.answered_since) <= 2 * WINDOW
        # Every third card comes back as a learning card ten minutes later.
        comes_back = nxt.source is not Source.LEARNING and nxt.question_id % 3 == 0
        again = (
            Candidate(nxt.question_id, nxt.enrolment_id, Source.LEARNING, nxt.sibling_group,
                      nxt.card_id or 900 + nxt.question_id, at + 10 * MINUTE)
            if comes_back else None
        )  # fmt: skip
        state_before = {Source.NEW: 0, Source.LEARNING: 1, Source.REVIEW: 2}[nxt.source]
        plan.record_answer(
            question_id=nxt.question_id,
            enrolment_id=nxt.enrolment_id,
            sibling_group=nxt.sibling_group,
            state_before=state_before,
            again=again,
            scope=ALL_TRACKS,
            now=at,
        )
        if ALL_TRACKS in plan.heads:
            kept += 1
        else:
            renewed += 1
            plan.renew_head(ALL_TRACKS, at, DAY_END)
        at += MINUTE
    # The day ran to its end: the limits used up where siblings left enough candidates.
    assert plan.done[7].new == 30 and all(d.reviews <= 25 for d in plan.done.values())
    assert plan.answers > 100
    # Almost every answer kept the head; a few, as it ran short, worked it out again.
    assert kept > 5 * renewed > 0


def test_a_head_is_renewed_when_the_card_answered_is_not_one_it_kept():
    plan = long_plan()
    plan.remember_head(ALL_TRACKS, NOW, DAY_END)
    head = plan.heads[ALL_TRACKS]
    outside = plan.queue(ALL_TRACKS, NOW, DAY_END).items[-1]
    assert outside not in head.reviews + head.new
    plan.record_answer(
        question_id=outside.question_id,
        enrolment_id=outside.enrolment_id,
        sibling_group=outside.sibling_group,
        state_before=0 if outside.source is Source.NEW else 2,
        again=None,
        scope=ALL_TRACKS,
        now=NOW,
    )
    assert plan.heads == {}


def test_a_plan_stored_in_an_earlier_format_is_not_read():
    plan = make_plan()
    plan.remember_head(ALL_TRACKS, NOW, DAY_END)
    progress = json.loads(json.dumps(plan.progress_json()))
    del progress["format"]  # as plans stored before the format was kept with the progress
    assert DayPlan.from_json(json.dumps(plan.base_json()), progress) is None
    assert heads_from_json(progress) == {}
    assert heads_from_json(plan.progress_json())[ALL_TRACKS] == plan.heads[ALL_TRACKS]
