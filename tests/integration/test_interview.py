"""Interview prep on the real database: drills apart from the schedule (and Anki's rule when they
count toward it), server-timed rapid-fire rounds, mock interviews scored against the article's
rubric, and privacy between learners."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.domain.scheduling import CardState, Rating
from app.extensions import db
from app.models import Card, DrillAnswer, Question, RapidAnswer, ReviewLog
from app.services import banks, study
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.interview import Scope, drills, mocks, prep, rapid_fire
from app.services.interview.rapid_fire import RoundOver
from tests.factories import NOW, make_user, write_os_bank

DAY = timedelta(days=1)
LATER = NOW + 60 * DAY  # every card answered Easy at NOW is due by then
_ids = itertools.count(1)


@pytest.fixture
def learner(app: Any, tmp_path: Path) -> int:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    user = make_user()
    study.enrol(user.id, "os", now=NOW)
    return user.id


def _questions(kind: str) -> list[Question]:
    return list(
        db.session.scalars(sa.select(Question).where(Question.kind == kind).order_by(Question.id))
    )


def _card(user_id: int, question_id: int) -> Card | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )


def _review(user_id: int, question: Question, rating: int, now: Any) -> None:
    card = _card(user_id, question.id)
    study.answer(
        user_id,
        review_id=f"r{next(_ids)}",
        question_id=question.id,
        version=card.version if card else 0,
        now=now,
        rating=rating,
        track_key="os",
    )


def _right(question: Question) -> str:
    return str(question.correct) if question.correct is not None else ""


def _memory(user_id: int) -> list[tuple[Any, ...]]:
    db.session.expire_all()
    return [
        (c.question_id, c.state, c.stability, c.difficulty, c.due, c.reps, c.lapses, c.version)
        for c in db.session.scalars(
            sa.select(Card).where(Card.user_id == user_id).order_by(Card.id)
        )
    ]


def _run(user_id: int, drill_id: int, now: Any, *, wrong: bool = False) -> None:
    """Answer every question of the drill: choices right (or wrong), recall as Good (or
    missed)."""
    while True:
        drill, question = drills.current_question(user_id, drill_id, now)
        if question is None:
            return
        if question.correct is not None:
            answer = (question.correct + 1) % len(question.choices) if wrong else question.correct
            drills.answer_drill(
                user_id, drill_id, position=drill.position, response=str(answer), now=now
            )
        elif question.cloze_answer:
            drills.answer_drill(
                user_id,
                drill_id,
                position=drill.position,
                response="nothing like it" if wrong else question.cloze_answer,
                now=now,
            )
        else:
            drills.answer_drill(
                user_id, drill_id, position=drill.position, rating=1 if wrong else 3, now=now
            )


def test_a_drill_off_the_schedule_changes_no_card_and_no_limit(learner: int) -> None:
    recall = _questions("self_assessment")
    for question in recall[:4]:
        _review(learner, question, Rating.EASY, NOW)
    before = _memory(learner)
    logs = db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog))
    counts = study.today(learner, now=LATER).counts

    drill = drills.start_drill(learner, Scope(tracks=("os",)), now=LATER, count=30)
    assert not drill.counts and len(drill.question_ids) == 30
    _run(learner, drill.id, LATER, wrong=True)

    assert _memory(learner) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog)) == logs
    assert study.today(learner, now=LATER).counts == counts
    results = drills.drill_results(learner, drill.id, LATER)
    assert (results.answered, results.correct, results.counted) == (30, 0, 0)
    assert len(results.misses) == 30
    assert drill.finished_at is not None


def test_a_drill_that_counts_follows_ankis_rule(learner: int) -> None:
    """Only the first answer of the study day on a card that is due or relearning is a review."""
    due, not_due, relearning, reviewed_today, suspended, new = _questions("self_assessment")[:6]
    for question in (due, relearning, reviewed_today, suspended):
        _review(learner, question, Rating.EASY, NOW)
    _review(learner, not_due, Rating.EASY, LATER - DAY)  # due again days after LATER
    _review(learner, relearning, Rating.AGAIN, LATER - DAY)  # a lapse: relearning, due by LATER
    _review(learner, reviewed_today, Rating.GOOD, LATER - timedelta(minutes=5))
    study.suspend(learner, suspended.id, now=NOW)
    assert _card(learner, relearning.id).state == CardState.RELEARNING  # type: ignore[union-attr]
    before = {
        q.id: _card(learner, q.id).version
        for q in (due, not_due, relearning, reviewed_today, suspended)
    }  # type: ignore[union-attr]
    chosen = (due, not_due, relearning, reviewed_today, suspended, new)

    drill = drills.start_drill(
        learner, Scope(questions=tuple(q.id for q in chosen)), now=LATER, order="track", counts=True
    )
    _run(learner, drill.id, LATER)

    counted = {
        a.question_id: a.counted
        for a in db.session.scalars(sa.select(DrillAnswer).where(DrillAnswer.drill_id == drill.id))
    }
    assert counted == {
        due.id: True,  # due today, first answer today: a review
        relearning.id: True,  # failed yesterday, relearning: a review
        not_due.id: False,  # not due yet: would be reviewing ahead
        reviewed_today.id: False,  # already answered today
        suspended.id: False,  # suspended cards stay out
        new.id: False,  # new questions do not spend the day's new cards
    }
    assert _card(learner, new.id) is None
    for question, changed in (
        (due, True),
        (relearning, True),
        (not_due, False),
        (reviewed_today, False),
        (suspended, False),
    ):
        card = _card(learner, question.id)
        assert card is not None
        assert (card.version != before[question.id]) is changed, question.key
    logs = db.session.scalars(
        sa.select(ReviewLog).where(ReviewLog.review_id.like(f"drill-{drill.id}-%"))
    ).all()
    assert sorted(log.card_id for log in logs) == sorted(
        _card(learner, q.id).id
        for q in (due, relearning)  # type: ignore[union-attr]
    )

    # A second drill the same day: the due card has had its review today.
    again = drills.start_drill(learner, Scope(questions=(due.id,)), now=LATER, counts=True)
    version = _card(learner, due.id).version  # type: ignore[union-attr]
    _run(learner, again.id, LATER + timedelta(minutes=1))
    assert _card(learner, due.id).version == version  # type: ignore[union-attr]
    assert not drills.drill_results(learner, again.id, LATER).counted


def test_drill_orders_bounds_and_again(learner: int) -> None:
    with pytest.raises(ValidationError) as refused:
        drills.start_drill(learner, Scope(tracks=("nope",)), now=NOW)
    assert "tracks" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        drills.start_drill(learner, Scope(), now=NOW, count=0, order="sideways")
    assert set(refused.value.errors) == {"count", "order"}
    with pytest.raises(ValidationError) as refused:
        drills.start_drill(learner, Scope(missed_today=True), now=NOW)
    assert "scope" in refused.value.errors

    tradeoffs = drills.start_drill(learner, Scope(tradeoffs_only=True), now=NOW, count=100)
    kinds = {db.session.get(Question, qid).kind for qid in tradeoffs.question_ids}  # type: ignore[union-attr]
    assert kinds and kinds <= {
        "key_tradeoff",
        "key_tradeoff_reverse",
        "table_which",
        "table_side",
        "table_compare",
    }

    timed = drills.start_drill(learner, Scope(), now=NOW, minutes=1, order="random")
    drill, question = drills.current_question(learner, timed.id, NOW + timedelta(seconds=61))
    assert question is None and drill.finished_at == NOW + timedelta(minutes=1)
    with pytest.raises(Conflict):
        drills.answer_drill(
            learner, timed.id, position=0, rating=3, now=NOW + timedelta(seconds=62)
        )

    drill = drills.start_drill(
        learner, Scope(articles=("process-vs-thread",)), now=NOW, count=4, order="track"
    )
    _run(learner, drill.id, NOW, wrong=True)
    with pytest.raises(Conflict):
        drills.answer_drill(learner, drill.id, position=7, rating=3, now=NOW)
    # The same position again returns the first answer, changing nothing.
    first = drills.answer_drill(learner, drill.id, position=0, rating=4, now=NOW)
    assert not first.correct
    missed = drills.drill_again(learner, drill.id, now=NOW)
    assert missed.question_ids == drill.question_ids

    # What was missed today is a scope, and "my weakest" ranks the seen questions.
    today = drills.start_drill(learner, Scope(missed_today=True), now=NOW, count=50)
    assert set(today.question_ids) == set(drill.question_ids)


def test_weakest_ranks_lowest_recall_and_most_lapses_first(learner: int) -> None:
    strong, weak, lapsed = _questions("self_assessment")[:3]
    _review(learner, strong, Rating.EASY, NOW + 19 * DAY)
    _review(learner, weak, Rating.HARD, NOW)
    _review(learner, lapsed, Rating.GOOD, NOW)
    _review(learner, lapsed, Rating.GOOD, NOW + timedelta(minutes=11))
    _review(learner, lapsed, Rating.AGAIN, NOW + 20 * DAY)
    _review(learner, lapsed, Rating.GOOD, NOW + 20 * DAY + timedelta(minutes=11))
    drill = drills.start_drill(learner, Scope(weakest=2), now=NOW + 21 * DAY)
    # strong: Easy two days ago; weak: Hard three weeks ago; lapsed: relearned yesterday.
    assert drill.question_ids == [weak.id, lapsed.id]


def test_a_rapid_round_is_timed_by_the_server(learner: int) -> None:
    with pytest.raises(ValidationError):
        rapid_fire.start_round(learner, scope_key="track:os", seconds=90, now=NOW)
    with pytest.raises(ValidationError):
        rapid_fire.start_round(learner, scope_key="track:nope", seconds=60, now=NOW)
    round_ = rapid_fire.start_round(learner, scope_key="track:os", seconds=60, now=NOW)
    assert round_.deadline == NOW + timedelta(seconds=60)
    moment = NOW
    for step in range(3):
        row, question = rapid_fire.current_question(learner, round_.id, moment)
        assert question is not None and question.kind in rapid_fire.RAPID_KINDS
        moment += timedelta(seconds=2 + step)
        wrong = step == 1
        answer = (question.correct + 1) % len(question.choices) if wrong else question.correct  # type: ignore[operator]
        result = rapid_fire.answer_round(
            learner, round_.id, position=row.position, response=str(answer), now=moment
        )
        assert result.correct is not wrong
        assert result.ms == (2 + step) * 1000  # measured from when the server served it
    row = rapid_fire.get_round(learner, round_.id)
    assert (row.correct, row.answered, row.correct_ms) == (2, 3, 2000 + 4000)

    late = NOW + timedelta(seconds=60, milliseconds=1)
    with pytest.raises(RoundOver):
        rapid_fire.answer_round(learner, round_.id, position=3, response="0", now=late)
    assert rapid_fire.current_question(learner, round_.id, late)[1] is None
    assert rapid_fire.get_round(learner, round_.id).answered == 3

    # Personal bests: more correct wins; on a tie, less time.
    better = rapid_fire.start_round(learner, scope_key="track:os", seconds=60, now=NOW + DAY)
    moment = NOW + DAY
    for _ in range(2):
        row, question = rapid_fire.current_question(learner, better.id, moment)
        assert question is not None
        moment += timedelta(seconds=1)
        rapid_fire.answer_round(
            learner, better.id, position=row.position, response=_right(question), now=moment
        )
    after = NOW + 3 * DAY
    bests = rapid_fire.personal_bests(learner, after)
    assert [b.id for b in bests] == [better.id]  # 2 right in 2 s beats 2 right in 6 s
    code = rapid_fire.share_round(learner, better.id, after)
    shared = rapid_fire.shared_round(code)
    assert (shared.correct, shared.answered, shared.seconds) == (2, 2, 60)
    assert rapid_fire.share_round(learner, better.id, after) == code


def test_a_mock_interview_is_scored_against_the_articles_rubric(learner: int) -> None:
    choices = mocks.prompts(learner)
    assert [c.article.key for c in choices] == ["process-vs-thread", "memory-management"]
    with pytest.raises(ValidationError):
        mocks.start_mock(learner, "process-vs-thread", minutes=0, now=NOW)
    mock = mocks.start_mock(learner, "process-vs-thread", minutes=4, now=NOW)
    assert mock.prompt and len(mock.points) >= 5
    with pytest.raises(ValidationError):
        mocks.score_mock(learner, mock.id, covered=[len(mock.points)], now=NOW)
    mocks.score_mock(learner, mock.id, covered=[0, 1], now=NOW + timedelta(minutes=5))
    assert mocks.mock_score(mock) == 2 / len(mock.points)
    mocks.score_mock(learner, mock.id, covered=[1, 0], now=NOW + timedelta(minutes=6))  # same
    with pytest.raises(Conflict):
        mocks.score_mock(learner, mock.id, covered=[0], now=NOW + timedelta(minutes=6))

    # Missed points' questions are the next drill, and rank first among the weakest.
    missed_keys = {k for p in mocks.missed_points(mock) for k in p["question_keys"]}
    assert missed_keys
    drill = drills.start_drill(learner, Scope(mock=mock.id), now=NOW, count=100)
    keys = {db.session.get(Question, q).key for q in drill.question_ids}  # type: ignore[union-attr]
    assert keys == missed_keys
    weakest = drills.start_drill(learner, Scope(weakest=3), now=NOW)
    assert {db.session.get(Question, q).key for q in weakest.question_ids} <= missed_keys  # type: ignore[union-attr]
    overview = prep.overview(learner, NOW)
    assert overview.mocks[0].id == mock.id
    assert overview.weakest[0].article.key == "process-vs-thread"


def test_another_learners_drills_rounds_and_mocks_are_out_of_reach(learner: int) -> None:
    other = make_user().id
    drill = drills.start_drill(learner, Scope(), now=NOW)
    round_ = rapid_fire.start_round(learner, scope_key="all", seconds=60, now=NOW)
    mock = mocks.start_mock(learner, "memory-management", minutes=3, now=NOW)
    attempts = [
        lambda: drills.current_question(other, drill.id, NOW),
        lambda: drills.answer_drill(other, drill.id, position=0, rating=3, now=NOW),
        lambda: drills.drill_results(other, drill.id, NOW),
        lambda: drills.drill_again(other, drill.id, now=NOW),
        lambda: rapid_fire.current_question(other, round_.id, NOW),
        lambda: rapid_fire.answer_round(other, round_.id, position=0, response="0", now=NOW),
        lambda: rapid_fire.share_round(other, round_.id, NOW),
        lambda: mocks.score_mock(other, mock.id, covered=[0], now=NOW),
        lambda: drills.start_drill(other, Scope(mock=mock.id), now=NOW),
    ]
    for attempt in attempts:
        with pytest.raises((NotFound, ValidationError)):
            attempt()
    assert drills.get_drill(learner, drill.id).position == 0
    assert rapid_fire.get_round(learner, round_.id).answered == 0
    assert mocks.get_mock(learner, mock.id).covered is None


def test_two_answers_to_one_place_race_to_one(app: Any, learner: int) -> None:
    from tests.concurrency import race

    question = next(q for q in _questions("table_side") if q.correct is not None)
    drill = drills.start_drill(learner, Scope(questions=(question.id,)), now=NOW)
    right = str(question.correct)
    wrong = str((question.correct or 0) + 1)
    round_ = rapid_fire.start_round(learner, scope_key="all", seconds=60, now=NOW)
    first = db.session.get(Question, round_.question_ids[0])
    assert first is not None and first.correct is not None
    drill_id, round_id, choice = drill.id, round_.id, str(first.correct)
    db.session.remove()

    outcomes = race(
        app,
        lambda: drills.answer_drill(learner, drill_id, position=0, response=right, now=NOW),
        lambda: drills.answer_drill(learner, drill_id, position=0, response=wrong, now=NOW),
        lambda: rapid_fire.answer_round(learner, round_id, position=0, response=choice, now=NOW),
        lambda: rapid_fire.answer_round(learner, round_id, position=0, response=choice, now=NOW),
    )
    assert all(isinstance(o, DrillAnswer | RapidAnswer | Conflict) for o in outcomes), outcomes
    stored = db.session.scalars(sa.select(DrillAnswer).where(DrillAnswer.drill_id == drill_id))
    assert len(stored.all()) == 1
    assert drills.get_drill(learner, drill_id).position == 1
    row = rapid_fire.get_round(learner, round_id)
    assert (row.answered, row.correct, len(row.answers)) == (1, 1, 1)
