"""Today's queue: learning first, then reviews and new cards mixed, within limits and sibling
rules, never two siblings in a row, and learning cards shown early only when nothing is left."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from app.domain.queue import (
    LEARN_AHEAD,
    Candidate,
    Done,
    Limits,
    Queue,
    Source,
    build_queue,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY_END = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
ROOMY = Limits(new_per_day=100, reviews_per_day=1000)


def learning(qid: int, due: datetime, *, group: str | None = None, enrolment: int = 1) -> Candidate:
    return Candidate(qid, enrolment, Source.LEARNING, group, card_id=qid, due=due)


def review(qid: int, recall: float, *, group: str | None = None, enrolment: int = 1) -> Candidate:
    return Candidate(
        qid, enrolment, Source.REVIEW, group, card_id=qid, due=NOW - MINUTE, retrievability=recall
    )


def new(qid: int, *order: int, group: str | None = None, enrolment: int = 1) -> Candidate:
    return Candidate(qid, enrolment, Source.NEW, group, order=order or (0, 0, qid))


def build(
    *,
    learning: Iterable[Candidate] = (),
    reviews: Iterable[Candidate] = (),
    new: Iterable[Candidate] = (),
    limits: Mapping[int, Limits] | None = None,
    done: Mapping[int, Done] | None = None,
    answered_today: Mapping[str, frozenset[int]] | None = None,
    last_answered: Candidate | None = None,
    day_end: datetime | None = DAY_END,
) -> Queue:
    return build_queue(
        now=NOW,
        learning=learning,
        reviews=reviews,
        new=new,
        limits=limits if limits is not None else {1: ROOMY, 2: ROOMY},
        done=done or {},
        answered_today=answered_today or {},
        last_answered=last_answered,
        day_end=day_end,
    )


def ids(queue: Queue) -> list[int]:
    return [c.question_id for c in queue.items]


# --------------------------------------------------------------------------------------------------
# Order
# --------------------------------------------------------------------------------------------------


def test_an_empty_day_has_nothing_next() -> None:
    queue = build()

    assert queue.items == ()
    assert queue.next is None
    assert queue.remaining == 0


def test_learning_cards_due_now_come_before_reviews_and_new_cards() -> None:
    queue = build(
        learning=[learning(1, NOW - MINUTE), learning(2, NOW - 5 * MINUTE)],
        reviews=[review(10, 0.5)],
        new=[new(20)],
    )

    assert ids(queue)[:2] == [2, 1]  # the most overdue learning card first
    assert set(ids(queue)[2:]) == {10, 20}
    assert queue.next is not None and queue.next.question_id == 2


def test_reviews_come_lowest_retrievability_first() -> None:
    queue = build(reviews=[review(1, 0.85), review(2, 0.40), review(3, 0.99), review(4, 0.70)])

    assert ids(queue) == [2, 4, 1, 3]


def test_new_cards_come_in_track_order_not_id_order() -> None:
    queue = build(
        new=[
            new(1, 0, 2, 0),  # third article of the first track
            new(2, 1, 0, 0),  # second enrolment
            new(3, 0, 1, 5),
            new(4, 0, 1, 2),
            new(5, 0, 0, 9),
        ]
    )

    assert ids(queue) == [5, 4, 3, 1, 2]


def test_new_cards_are_spread_evenly_among_reviews() -> None:
    reviews = [review(i, 0.5 + i / 100) for i in range(1, 7)]
    queue = build(reviews=reviews, new=[new(101), new(102)])

    order = ids(queue)
    assert order == [1, 2, 101, 3, 4, 5, 102, 6]
    # Each list keeps its own order.
    assert [q for q in order if q < 100] == [1, 2, 3, 4, 5, 6]
    assert [q for q in order if q > 100] == [101, 102]


def test_with_no_reviews_new_cards_come_in_order() -> None:
    assert ids(build(new=[new(3), new(1), new(2)])) == [1, 2, 3]


# --------------------------------------------------------------------------------------------------
# Limits, per enrolment
# --------------------------------------------------------------------------------------------------


def test_the_daily_new_limit_is_per_enrolment() -> None:
    queue = build(
        new=[new(i, 0, 0, i) for i in range(1, 6)]
        + [new(10 + i, 1, 0, i, enrolment=2) for i in range(1, 6)],
        limits={1: Limits(new_per_day=2, reviews_per_day=100), 2: ROOMY},
    )

    assert ids(queue) == [1, 2, 11, 12, 13, 14, 15]


def test_new_cards_already_introduced_today_count_against_the_limit() -> None:
    queue = build(
        new=[new(i) for i in range(1, 6)],
        limits={1: Limits(new_per_day=3, reviews_per_day=100)},
        done={1: Done(new=2)},
    )

    assert ids(queue) == [1]
    assert queue.count(Source.NEW) == 1


def test_the_review_limit_keeps_the_least_likely_to_be_recalled() -> None:
    queue = build(
        reviews=[review(1, 0.9), review(2, 0.3), review(3, 0.6), review(4, 0.1, enrolment=2)],
        limits={1: Limits(new_per_day=0, reviews_per_day=2), 2: Limits(0, 5)},
    )

    assert ids(queue) == [4, 2, 3]


def test_a_used_up_limit_shows_nothing_and_an_overused_one_does_not_go_negative() -> None:
    queue = build(
        reviews=[review(1, 0.5)],
        new=[new(2)],
        limits={1: Limits(new_per_day=1, reviews_per_day=1)},
        done={1: Done(new=3, reviews=5)},
    )

    assert queue.items == ()
    assert queue.next is None


def test_learning_cards_are_never_limited() -> None:
    queue = build(
        learning=[learning(i, NOW - i * MINUTE) for i in range(1, 4)],
        limits={1: Limits(new_per_day=0, reviews_per_day=0)},
        done={1: Done(new=10, reviews=10)},
    )

    assert sorted(ids(queue)) == [1, 2, 3]


def test_an_enrolment_without_limits_gets_nothing() -> None:
    queue = build(new=[new(1, enrolment=9)], reviews=[review(2, 0.5, enrolment=9)])

    assert queue.items == ()


# --------------------------------------------------------------------------------------------------
# Siblings
# --------------------------------------------------------------------------------------------------


def test_siblings_of_a_question_answered_today_wait_for_tomorrow() -> None:
    queue = build(
        reviews=[review(2, 0.5, group="row"), review(5, 0.6)],
        new=[new(3, group="row"), new(4)],
        answered_today={"row": frozenset({1})},
    )

    assert sorted(ids(queue)) == [4, 5]


def test_a_question_is_not_blocked_by_its_own_answer_today() -> None:
    queue = build(
        reviews=[review(1, 0.5, group="row")],
        answered_today={"row": frozenset({1})},
    )

    assert ids(queue) == [1]


def test_a_question_is_blocked_when_a_sibling_and_itself_were_answered_today() -> None:
    queue = build(
        new=[new(1, group="row")],
        answered_today={"row": frozenset({1, 2})},
    )

    assert queue.items == ()


def test_only_one_sibling_of_a_group_is_offered_per_day() -> None:
    queue = build(
        reviews=[review(1, 0.8, group="row"), review(2, 0.2, group="row")],
        new=[new(3, group="row"), new(4, group="other"), new(5, group="other")],
    )

    assert ids(queue) == [2, 4]


def test_a_learning_sibling_keeps_its_group_out_of_reviews_and_new_cards() -> None:
    queue = build(
        learning=[learning(1, NOW - MINUTE, group="row")],
        reviews=[review(2, 0.1, group="row")],
        new=[new(3, group="row"), new(4)],
    )

    assert ids(queue) == [1, 4]


def test_a_blocked_sibling_does_not_use_up_the_limit() -> None:
    queue = build(
        new=[new(1, group="row"), new(2), new(3)],
        limits={1: Limits(new_per_day=2, reviews_per_day=0)},
        answered_today={"row": frozenset({9})},
    )

    assert ids(queue) == [2, 3]


def test_a_sibling_is_never_shown_right_after_the_last_answer() -> None:
    last = Candidate(1, 1, Source.LEARNING, "row", card_id=1)
    queue = build(
        learning=[learning(2, NOW - 2 * MINUTE, group="row"), learning(3, NOW - MINUTE)],
        last_answered=last,
    )

    assert ids(queue) == [3, 2]


def test_the_first_non_sibling_moves_forward_and_the_rest_keep_their_order() -> None:
    last = Candidate(1, 1, Source.LEARNING, "row", card_id=1)
    queue = build(
        learning=[
            learning(2, NOW - 3 * MINUTE, group="row"),
            learning(3, NOW - 2 * MINUTE, group="row"),
        ],
        reviews=[review(4, 0.2), review(5, 0.3)],
        last_answered=last,
    )

    assert ids(queue) == [4, 2, 3, 5]


def test_a_sibling_is_shown_after_the_last_answer_only_when_nothing_else_is_left() -> None:
    last = Candidate(1, 1, Source.LEARNING, "row", card_id=1)
    queue = build(learning=[learning(2, NOW - MINUTE, group="row")], last_answered=last)

    assert ids(queue) == [2]


def test_the_same_card_again_is_not_a_sibling_of_itself() -> None:
    last = Candidate(1, 1, Source.LEARNING, "row", card_id=1)
    queue = build(
        learning=[learning(1, NOW - 2 * MINUTE, group="row"), learning(3, NOW - MINUTE)],
        last_answered=last,
    )

    assert ids(queue) == [1, 3]


def test_questions_without_a_group_are_never_siblings() -> None:
    last = Candidate(1, 1, Source.REVIEW, None, card_id=1)
    queue = build(reviews=[review(2, 0.1), review(3, 0.2)], last_answered=last)

    assert ids(queue) == [2, 3]


# --------------------------------------------------------------------------------------------------
# Learning ahead
# --------------------------------------------------------------------------------------------------


def test_a_learning_card_due_soon_is_shown_early_only_when_nothing_else_is_left() -> None:
    soon = learning(1, NOW + 5 * MINUTE)

    busy = build(learning=[soon], new=[new(2)])
    assert ids(busy) == [2]
    assert busy.next is not None and busy.next.question_id == 2
    assert busy.ahead == (soon,)

    idle = build(learning=[soon])
    assert idle.items == ()
    assert idle.next == soon
    assert idle.remaining == 1


def test_learn_ahead_covers_exactly_the_window() -> None:
    edge = learning(1, NOW + LEARN_AHEAD)
    beyond = learning(2, NOW + LEARN_AHEAD + timedelta(seconds=1))

    queue = build(learning=[beyond, edge])

    assert queue.ahead == (edge,)
    assert queue.later == (beyond,)
    assert queue.next == edge


def test_learning_cards_due_later_today_are_counted_but_not_shown() -> None:
    later = learning(1, NOW + timedelta(hours=3))
    tomorrow = learning(2, DAY_END + MINUTE)

    queue = build(learning=[later, tomorrow])

    assert queue.next is None
    assert queue.later == (later,)
    assert queue.count(Source.LEARNING) == 1
    assert queue.remaining == 1


def test_without_a_day_end_nothing_is_counted_for_later() -> None:
    queue = build(learning=[learning(1, NOW + timedelta(hours=3))], day_end=None)

    assert queue.later == ()
    assert queue.remaining == 0


def test_the_earliest_learning_card_ahead_comes_first() -> None:
    queue = build(learning=[learning(1, NOW + 15 * MINUTE), learning(2, NOW + 2 * MINUTE)])

    assert queue.next is not None and queue.next.question_id == 2


def test_counts_by_source() -> None:
    queue = build(
        learning=[
            learning(1, NOW - MINUTE),
            learning(2, NOW + MINUTE),
            learning(3, NOW + timedelta(hours=2)),
        ],
        reviews=[review(4, 0.5), review(5, 0.6)],
        new=[new(6)],
    )

    assert queue.count(Source.LEARNING) == 3
    assert queue.count(Source.REVIEW) == 2
    assert queue.count(Source.NEW) == 1
    assert queue.remaining == 6


def test_inputs_are_not_mutated() -> None:
    learning_in = [learning(2, NOW - MINUTE), learning(1, NOW - 2 * MINUTE)]
    reviews_in = [review(3, 0.9), review(4, 0.1)]
    new_in = [new(6), new(5)]

    build(learning=learning_in, reviews=reviews_in, new=new_in)

    assert [c.question_id for c in learning_in] == [2, 1]
    assert [c.question_id for c in reviews_in] == [3, 4]
    assert [c.question_id for c in new_in] == [6, 5]
