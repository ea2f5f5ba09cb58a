"""Answering a card: exactly once per review id, version-checked, with its effect on the day
plan."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.domain import day_plan as dp
from app.domain import queue as q
from app.domain import scheduling as fsrs
from app.domain.questions import (
    AnswerMode,
    GradeResult,
    GradingError,
    answer_mode,
    grade,
)
from app.domain.studyday import study_day
from app.extensions import db
from app.models import (
    Card,
    Question,
    ReviewLog,
)
from app.services import plans as day_plans
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.plans import DAYS
from app.services.study.cards import (
    FUZZ_SEED_FACTOR,
    card_memory,
    grading_spec,
    memory_columns,
    scheduling_enrolment,
)
from app.services.study.learners import get_user
from app.services.study.presets import (
    current_preset_row,
    domain_preset,
    preset_from_values,
)
from app.services.study.streaks import complete_day, reviews_left

log = logging.getLogger(__name__)


REVIEW_ID_MAX = 64


@dataclass(frozen=True)
class AnswerResult:
    review_id: str
    question_id: int
    rating: fsrs.Rating
    correct: bool | None
    expected: str
    answer: str
    explanation: str
    state: fsrs.CardState
    due: datetime | None
    interval_days: float
    version: int
    leech: bool
    suspended: bool
    replayed: bool


def _result_from_log(
    log: ReviewLog, card: Card, question: Question, *, replayed: bool
) -> AnswerResult:
    return AnswerResult(
        review_id=log.review_id,
        question_id=card.question_id,
        rating=fsrs.Rating(log.rating),
        correct=log.correct,
        expected=_expected(question),
        answer=question.answer,
        explanation=question.explanation,
        state=fsrs.CardState(log.state_after),
        due=log.due_after,
        interval_days=log.interval_days,
        version=card.version,
        leech=card.leech,
        suspended=card.suspended,
        replayed=replayed,
    )


def _expected(question: Question) -> str:
    """The right answer as the learner would give it: the correct choice or the cloze words."""
    if question.correct is not None and question.choices:
        return question.choices[question.correct]
    return question.cloze_answer or ""


def _replay_of(user_id: int, review_id: str, question_id: int) -> AnswerResult | None:
    log = db.session.scalar(
        sa.select(ReviewLog).where(ReviewLog.user_id == user_id, ReviewLog.review_id == review_id)
    )
    if log is None:
        return None
    card = db.session.get(Card, log.card_id)
    assert card is not None
    if card.question_id != question_id:
        raise Conflict(
            f"review id {review_id!r} was already used for another question; send a new one"
        )
    if log.undone_at is not None:  # a replay would claim an answer that no longer stands
        raise Conflict(
            f"the answer with review id {review_id!r} was undone; answer again with a new one"
        )
    return _result_from_log(log, card, card.question, replayed=True)


def _decide_rating(
    question: Question, rating: int | None, response: str | None, overrule: bool = False
) -> tuple[fsrs.Rating, GradeResult | None, bool]:
    """The rating an answer is recorded with, and the grade of a typed or chosen response.

    A wrong answer is Again whatever was asked for, unless the learner overrules the grade of a
    typed answer ("I was right", as Anki lets one rate a typed answer freely): then it counts as
    right, with the rating the learner chose (Hard, Good or Easy).
    """
    spec = grading_spec(question)
    mode = answer_mode(spec)
    if rating is not None and rating not in (1, 2, 3, 4):
        raise ValidationError({"rating": "Use 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."})
    if overrule and mode is not AnswerMode.CLOZE:
        raise ValidationError({"overrule": "Only a typed answer's grade can be overruled."})
    if overrule and rating not in (2, 3, 4):
        raise ValidationError({"rating": "Overruling says you were right: rate 2, 3 or 4."})
    if mode is AnswerMode.RECALL:
        if rating is None:
            raise ValidationError({"rating": "Rate your recall: 1 Again, 2 Hard, 3 Good, 4 Easy."})
        return fsrs.Rating(rating), None, False
    if response is None or not response.strip():
        field = "response"
        message = "Choose an answer." if mode is AnswerMode.CHOICE else "Type the missing words."
        raise ValidationError({field: message})
    try:
        result = grade(spec, response)
    except GradingError as error:
        raise ValidationError({"response": str(error)}) from None
    if overrule and not result.correct:
        return fsrs.Rating(rating or fsrs.Rating.GOOD), replace(result, correct=True), True
    if not result.correct:
        return fsrs.Rating.AGAIN, result, False  # a wrong answer is Again, whatever was asked
    return fsrs.Rating(rating or fsrs.Rating.GOOD), result, False


def answer(
    user_id: int,
    *,
    review_id: str,
    question_id: int,
    version: int,
    now: datetime,
    rating: int | None = None,
    response: str | None = None,
    duration_ms: int | None = None,
    fuzz: bool = True,
    track_key: str | None = None,
    overrule: bool = False,
) -> AnswerResult:
    """Record one answer, exactly once per ``review_id``.

    ``overrule`` records a typed answer the grader judged wrong as right (see `_decide_rating`).

    ``version`` is the card version the learner was shown (0 for a new question). If the card has
    changed since — another tab answered it — a :class:`Conflict` says so and nothing is recorded.
    ``track_key`` is the track being studied, as given to :func:`today`: a new question shared by
    several tracks becomes a card of that track, under its preset and its daily limit.
    """
    review_id = (review_id or "").strip()
    if not review_id or len(review_id) > REVIEW_ID_MAX:
        raise ValidationError(
            {"review_id": f"Send a review id of 1 to {REVIEW_ID_MAX} characters."}
        )
    if duration_ms is not None and not 0 <= duration_ms <= 86_400_000:
        raise ValidationError({"duration_ms": "Use a duration from 0 to 86400000 ms."})
    request = _Answer(
        user_id=user_id,
        review_id=review_id,
        question_id=question_id,
        version=version,
        now=now,
        rating=rating,
        response=response,
        duration_ms=duration_ms,
        fuzz=fuzz,
        track_key=track_key,
        overrule=overrule,
    )
    try:
        return _apply(request)
    except (IntegrityError, StaleDataError, Conflict, NotFound, ValidationError) as error:
        # A review id already recorded comes back here: its card's version has moved on (a
        # Conflict), or the log's unique key fired (the same answer, sent twice at once). Either
        # way the first result is the answer; so it is for a request that no longer fits the
        # card, as sending an answer again must return what it returned the first time.
        db.session.rollback()
        replay = _replay_of(user_id, review_id, question_id)
        if replay is not None:
            return replay
        if isinstance(error, Conflict | NotFound | ValidationError):
            raise
        raise Conflict("This card changed in another tab or device; load the next card.") from None


def _home_and_preset(
    user_id: int,
    question: Question,
    card: Card | None,
    plan: dp.DayPlan | None,
    track_key: str | None,
) -> tuple[int, int, fsrs.Preset]:
    """The enrolment that schedules this answer, its preset version's id, and the preset.

    The day plan knows them for cards of current enrolments and for the new questions it offers;
    anything else (a card of a track the learner left, a question answered outside the queue) is
    looked up."""
    if plan is not None:
        home: int | None = None
        if card is not None and card.enrolment_id in plan.enrolments:
            home = card.enrolment_id
        elif card is None or card.state == fsrs.CardState.NEW:
            home = plan.offered_by(track_key or dp.ALL_TRACKS, question.id)
        if home is not None:
            enrolment = plan.enrolments[home]
            return home, enrolment.preset_id, preset_from_values(enrolment.preset)
    row = scheduling_enrolment(user_id, question, card, track_key)
    preset_row = current_preset_row(row)
    return row.id, preset_row.id, domain_preset(preset_row)


_CARDS = Card.__table__


_LOGS = ReviewLog.__table__


# The answer's statements are built once and only bound per request (building one costs more than
# running it); they run on the session's connection, inside its transaction.
_ANSWER_READ = (
    sa.select(
        Question,
        Card,
        # The candidates as text, parsed only if this answer needs them (see DayPlan).
        sa.cast(DAYS.c.queue, sa.Text),
        DAYS.c.queue_progress,
        DAYS.c.queue_version,
        DAYS.c.completed,
    )
    .select_from(Question)
    .outerjoin(
        Card, sa.and_(Card.question_id == Question.id, Card.user_id == sa.bindparam("user_id"))
    )
    .outerjoin(
        DAYS,
        sa.and_(
            DAYS.c.user_id == sa.bindparam("user_id"),
            DAYS.c.local_date == sa.bindparam("local_date"),
        ),
    )
    .where(Question.id == sa.bindparam("question_id"))
)


_NEW_CARD = sa.insert(_CARDS).returning(_CARDS.c.id)


# The version check: a card another tab changed since this one read it matches no row.
_UPDATE_CARD = sa.update(_CARDS).where(
    _CARDS.c.id == sa.bindparam("card_id"), _CARDS.c.version == sa.bindparam("seen_version")
)


_INSERT_LOG = sa.insert(_LOGS)


_NEW_CARD_BEFORE = {
    "state": int(fsrs.CardState.NEW),
    "step": None,
    "stability": None,
    "difficulty": None,
    "due": None,
    "last_review": None,
    "last_day": None,
    "reps": 0,
    "lapses": 0,
    "suspended": False,
    "buried_until": None,
    "leech": False,
}


@dataclass(frozen=True)
class _Answer:
    """One answer as `answer` received it, checked."""

    user_id: int
    review_id: str
    question_id: int
    version: int
    now: datetime
    rating: int | None
    response: str | None
    duration_ms: int | None
    fuzz: bool
    track_key: str | None
    overrule: bool


def _apply(request: _Answer) -> AnswerResult:
    user_id, review_id, question_id = request.user_id, request.review_id, request.question_id
    version, now, rating, response = request.version, request.now, request.rating, request.response
    duration_ms, fuzz, track_key = request.duration_ms, request.fuzz, request.track_key
    overrule = request.overrule
    user = get_user(user_id)
    day = study_day(now, user.timezone, user.day_start_hour)
    # The question, the learner's card for it and today's plan, in one statement.
    found = db.session.execute(
        _ANSWER_READ, {"user_id": user_id, "local_date": day.date, "question_id": question_id}
    ).first()
    if found is None or found[0].retired_at is not None:
        raise NotFound(f"no question {question_id}")
    question, card, base, progress, plan_version, completed = found
    chosen, graded, overruled = _decide_rating(question, rating, response, overrule)
    if (card.version if card is not None else 0) != version:
        raise Conflict("This card changed in another tab or device; load the next card.")
    plan = day_plans.decode(base, progress)
    home, preset_id, preset = _home_and_preset(user_id, question, card, plan, track_key)
    connection = db.session.connection()
    if card is None:
        card_id = connection.execute(
            _NEW_CARD,
            {"user_id": user_id, "question_id": question.id, "enrolment_id": home,
             "created_at": now, "version": 0},
        ).scalar_one()  # fmt: skip
        before: dict[str, Any] = {**_NEW_CARD_BEFORE, "enrolment_id": home}
        memory, leech, suspended = fsrs.Memory(), False, False
    else:
        card_id = card.id
        before = {**card.snapshot(), "enrolment_id": home}
        memory, leech, suspended = card_memory(card), card.leech, card.suspended
    seed = card_id * FUZZ_SEED_FACTOR + memory.reps if fuzz else None
    try:
        outcome = fsrs.review(memory, chosen, now, preset, fuzz_seed=seed, today=day.date)
    except ValueError as error:
        raise Conflict(str(error)) from None
    after = outcome.memory
    if fsrs.is_leech(outcome, preset):
        leech = True
        suspended = suspended or preset.leech_suspend
    updated = connection.execute(
        _UPDATE_CARD,
        {
            **memory_columns(after),
            "card_id": card_id,
            "seen_version": version,
            "enrolment_id": home,
            "buried_until": None,
            "leech": leech,
            "suspended": suspended,
            "version": version + 1,
        },
    )
    if day_plans.rowcount(updated) != 1:
        raise Conflict("This card changed in another tab or device; load the next card.")
    interval_days = outcome.interval.total_seconds() / 86400
    # The review id's uniqueness fires here when the same answer was sent twice at once.
    connection.execute(
        _INSERT_LOG,
        {
            "user_id": user_id,
            "card_id": card_id,
            "enrolment_id": home,
            "preset_id": preset_id,
            "review_id": review_id,
            "rating": int(chosen),
            "reviewed_at": now,
            "study_date": day.date,
            "duration_ms": duration_ms,
            "answer": response,
            "correct": graded.correct if graded else None,
            "overruled": overruled,
            "state_before": before["state"],
            "state_after": int(after.state),
            "stability_after": after.stability,
            "difficulty_after": after.difficulty,
            "due_after": after.due,
            "interval_days": interval_days,
            "elapsed_days": outcome.elapsed_days,
            "retrievability": outcome.retrievability,
            "fuzz_seed": seed,
            "before": before,
            "undone_at": None,
        },
    )
    if plan is not None:
        again = None
        if not suspended and after.due is not None and after.due < day.end:
            again = _again(question, card_id, home, after, now, preset)
        # Keep the head of the queue answered from up to date, so that asking for the next card
        # is a plain read; work it out from the candidates when the head cannot tell.
        scope = track_key or dp.ALL_TRACKS
        plan.record_answer(
            question_id=question.id,
            enrolment_id=home,
            sibling_group=question.sibling_group,
            state_before=before["state"],
            again=again,
            scope=scope,
            now=now,
        )
        if scope not in plan.heads and scope in plan.scopes:
            plan.renew_head(scope, now, day.end)
    plan_kept = day_plans.count_answer(user_id, day.date, plan, plan_version)
    if not completed:
        left = plan.reviews_left() if plan is not None and plan_kept else None
        if left is None:
            left = reviews_left(user_id, day, now)
        if not left:
            complete_day(user, day)
    result = AnswerResult(
        review_id=review_id,
        question_id=question.id,
        rating=chosen,
        correct=graded.correct if graded else None,
        expected=_expected(question),
        answer=question.answer,
        explanation=question.explanation,
        state=after.state,
        due=after.due,
        interval_days=interval_days,
        version=version + 1,
        leech=leech,
        suspended=suspended,
        replayed=False,
    )
    db.session.commit()
    return result


def _again(
    question: Question,
    card_id: int,
    home: int,
    after: fsrs.Memory,
    now: datetime,
    preset: fsrs.Preset,
) -> q.Candidate | None:
    """The answered card as a candidate for the rest of today, when it is due again before the
    day ends: a learning step, or a review only on a 25-hour day."""
    group = question.sibling_group
    if after.state in (fsrs.CardState.LEARNING, fsrs.CardState.RELEARNING):
        return q.Candidate(question.id, home, q.Source.LEARNING, group, card_id, after.due)
    if after.state == fsrs.CardState.REVIEW:
        recall = fsrs.retrievability(after, now, preset.parameters)
        return q.Candidate(question.id, home, q.Source.REVIEW, group, card_id, None, recall)
    return None
