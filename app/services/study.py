"""Studying: enrolments and presets, today's queue, answering, undo, suspend, bury and leeches.

A question becomes a card for a learner the first time they answer it. Cards are addressed by
question id within one learner's account, so no request can name another learner's card.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.domain import queue as q
from app.domain import scheduling as fsrs
from app.domain.questions import (
    AnswerMode,
    GradeResult,
    GradingError,
    GradingSpec,
    answer_mode,
    grade,
)
from app.domain.studyday import StudyDay, study_day
from app.extensions import db
from app.models import Card, Enrolment, Preset, Question, ReviewLog, Track, TrackArticle, User
from app.models import StudyDay as StudyDayRow
from app.services.errors import Conflict, NotFound, ValidationError

REVIEW_ID_MAX = 64
FUZZ_SEED_FACTOR = 7919
# At most this many windows of new-question candidates are read per enrolment and request.
NEW_PAGES = 5
# Due reviews read beyond today's remaining review limit, for the siblings the queue skips.
REVIEW_MARGIN = 100


# ------------------------------------------------------------------------------------------------
# Enrolments and presets
# ------------------------------------------------------------------------------------------------


def list_enrolments(user_id: int) -> list[Enrolment]:
    """The learner's current enrolments, oldest first (a left track is not listed)."""
    # Track and presets come in the same query: every caller reads the preset in force, and
    # the API reads the track (two lazy loads per request otherwise).
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .options(joinedload(Enrolment.track), joinedload(Enrolment.presets))
            .where(Enrolment.user_id == user_id, Enrolment.left_at.is_(None))
            .order_by(Enrolment.created_at, Enrolment.id)
        ).unique()
    )


def get_enrolment(user_id: int, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user_id or enrolment.left_at is not None:
        raise NotFound(f"no enrolment {enrolment_id}")
    return enrolment


def _any_enrolment_for_track(user_id: int, track_key: str) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment)
        .join(Track, Track.id == Enrolment.track_id)
        .where(Enrolment.user_id == user_id, Track.key == track_key)
    )


def enrolment_for_track(user_id: int, track_key: str) -> Enrolment | None:
    enrolment = _any_enrolment_for_track(user_id, track_key)
    return enrolment if enrolment is not None and enrolment.left_at is None else None


def _preset_row(enrolment: Enrolment, values: Mapping[str, Any], now: datetime) -> Preset:
    return Preset(enrolment_id=enrolment.id, created_at=now, **values)


def _stored_values(preset: fsrs.Preset) -> dict[str, Any]:
    return {
        "desired_retention": preset.desired_retention,
        "new_per_day": preset.new_per_day,
        "max_reviews_per_day": preset.max_reviews_per_day,
        "learning_steps": fsrs.format_steps(preset.learning_steps),
        "relearning_steps": fsrs.format_steps(preset.relearning_steps),
        "maximum_interval": preset.maximum_interval,
        "parameters": list(preset.parameters),
        "leech_threshold": preset.leech_threshold,
        "leech_suspend": preset.leech_suspend,
    }


def enrol(user_id: int, track_key: str, *, now: datetime) -> Enrolment:
    """Enrol in a track with the default preset; enrolling twice returns the first enrolment.

    Enrolling again in a track one left brings that enrolment back, with its preset and cards.
    """
    track = db.session.scalar(
        sa.select(Track).where(Track.key == track_key, Track.retired_at.is_(None))
    )
    if track is None:
        raise NotFound(f"no track {track_key!r}")
    enrolment = _any_enrolment_for_track(user_id, track_key)
    if enrolment is not None and enrolment.left_at is None:
        return enrolment
    if enrolment is None:
        enrolment = Enrolment(user_id=user_id, track_id=track.id, created_at=now)
        db.session.add(enrolment)
        db.session.flush()
        db.session.add(_preset_row(enrolment, _stored_values(fsrs.Preset()), now))
    else:
        enrolment.left_at = None
    # Cards kept from tracks the learner left come back under this one if it covers them.
    for card in _homeless_cards_in_track(user_id, track.id):
        card.enrolment_id = enrolment.id
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = enrolment_for_track(user_id, track_key)
        if existing is None:
            raise
        return existing
    return enrolment


def _homeless_cards_in_track(user_id: int, track_id: int) -> list[Card]:
    left = sa.select(Enrolment.id).where(
        Enrolment.user_id == user_id, Enrolment.left_at.is_not(None)
    )
    return list(
        db.session.scalars(
            sa.select(Card)
            .join(Question, Question.id == Card.question_id)
            .join(TrackArticle, TrackArticle.article_id == Question.article_id)
            .where(
                Card.user_id == user_id,
                sa.or_(Card.enrolment_id.is_(None), Card.enrolment_id.in_(left)),
                TrackArticle.track_id == track_id,
            )
        )
    )


def leave(user_id: int, enrolment_id: int, *, now: datetime) -> None:
    """Leave a track. Cards keep their history; those another enrolment also covers move there.

    The enrolment is kept, marked left, so its preset versions stay and every review it scheduled
    can still be replayed exactly; enrolling again brings it back.
    """
    enrolment = get_enrolment(user_id, enrolment_id)
    others = [e for e in list_enrolments(user_id) if e.id != enrolment.id]
    cards = list(db.session.scalars(sa.select(Card).where(Card.enrolment_id == enrolment.id)))
    if others and cards:
        article_ids = {c.question.article_id for c in cards}
        covering = db.session.execute(
            sa.select(TrackArticle.article_id, TrackArticle.track_id).where(
                TrackArticle.article_id.in_(article_ids),
                TrackArticle.track_id.in_([e.track_id for e in others]),
            )
        ).all()
        by_track = {e.track_id: e for e in others}
        home: dict[int, Enrolment] = {}
        for article_id, track_id in covering:
            candidate = by_track[track_id]
            if article_id not in home or candidate.created_at < home[article_id].created_at:
                home[article_id] = candidate
        for card in cards:
            new_home = home.get(card.question.article_id)
            if new_home is not None:
                card.enrolment_id = new_home.id
    enrolment.left_at = now
    db.session.commit()


def current_preset_row(enrolment: Enrolment) -> Preset:
    return enrolment.presets[-1]


@functools.lru_cache(maxsize=1024)
def _domain_preset(values: tuple[tuple[str, Any], ...]) -> fsrs.Preset:
    return fsrs.make_preset(**dict(values))


def domain_preset(row: Preset) -> fsrs.Preset:
    values = row.values()
    values["parameters"] = tuple(values["parameters"])
    return _domain_preset(tuple(sorted(values.items())))


def add_preset_version(
    enrolment: Enrolment, changes: Mapping[str, Any], *, now: datetime
) -> Preset:
    """Validate every field at once; a real change adds a preset version (not committed)."""
    current = current_preset_row(enrolment)
    merged = current.values()
    merged.update(changes)
    try:
        preset = fsrs.make_preset(**merged)
    except fsrs.PresetError as error:
        raise ValidationError(dict(error.errors)) from None
    values = _stored_values(preset)
    if values == current.values():
        return current
    row = _preset_row(enrolment, values, now)
    enrolment.presets.append(row)
    db.session.flush()
    return row


def update_preset(
    user_id: int, enrolment_id: int, raw: Mapping[str, Any], *, now: datetime
) -> Preset:
    enrolment = get_enrolment(user_id, enrolment_id)
    row = add_preset_version(enrolment, raw, now=now)
    db.session.commit()
    return row


# ------------------------------------------------------------------------------------------------
# Today's queue
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    new: int
    learning: int
    review: int
    done_today: int

    @property
    def remaining(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class StudyItem:
    question: Question
    card: Card | None
    source: q.Source
    enrolment: Enrolment

    @property
    def version(self) -> int:
        return self.card.version if self.card else 0

    @property
    def mode(self) -> AnswerMode:
        return answer_mode(grading_spec(self.question))


@dataclass(frozen=True)
class Today:
    day: StudyDay
    counts: Counts
    item: StudyItem | None
    next_due: datetime | None


def card_memory(card: Card) -> fsrs.Memory:
    return fsrs.Memory(
        state=fsrs.CardState(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=card.reps,
        lapses=card.lapses,
    )


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def _scope(user_id: int, track_key: str | None) -> list[Enrolment]:
    enrolments = list_enrolments(user_id)
    if track_key is None:
        return enrolments
    chosen = [e for e in enrolments if e.track.key == track_key]
    if not chosen:
        raise NotFound(f"you are not enrolled in {track_key!r}")
    return chosen


def _available(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        Card.suspended.is_(False),
        sa.or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


def _overdue(now: datetime) -> sa.ColumnElement[Any]:
    """Elapsed days since the last review over stability, in SQL: lower recall ranks higher."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        elapsed = (
            sa.func.extract(
                "epoch", sa.cast(sa.literal(now), sa.DateTime(timezone=True)) - Card.last_review
            )
            / 86400.0
        )
    else:
        naive = now.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        elapsed = sa.func.julianday(naive) - sa.func.julianday(Card.last_review)
    return elapsed / sa.func.coalesce(Card.stability, 1.0)


def _build(user: User, enrolments: list[Enrolment], now: datetime) -> tuple[q.Queue, StudyDay, int]:
    day = study_day(now, user.timezone, user.day_start_hour)
    if not enrolments:
        return q.Queue(items=()), day, 0
    scope_ids = [e.id for e in enrolments]
    presets = {e.id: domain_preset(current_preset_row(e)) for e in enrolments}
    limits = {
        e: q.Limits(new_per_day=p.new_per_day, reviews_per_day=p.max_reviews_per_day)
        for e, p in presets.items()
    }

    today_rows = db.session.execute(
        sa.select(
            ReviewLog.enrolment_id,
            ReviewLog.state_before,
            Card.question_id,
            Question.sibling_group,
        )
        .join(Card, Card.id == ReviewLog.card_id)
        .join(Question, Question.id == Card.question_id)
        .where(
            ReviewLog.user_id == user.id,
            ReviewLog.reviewed_at >= day.start,
            ReviewLog.undone_at.is_(None),
        )
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    done_new: dict[int, int] = defaultdict(int)
    done_reviews: dict[int, int] = defaultdict(int)
    answered: dict[str, set[int]] = defaultdict(set)
    last: q.Candidate | None = None
    for enrolment_id, state_before, question_id, group in today_rows:
        if enrolment_id is not None:
            if state_before == fsrs.CardState.NEW:
                done_new[enrolment_id] += 1
            elif state_before == fsrs.CardState.REVIEW:
                done_reviews[enrolment_id] += 1
        if group:
            answered[group].add(question_id)
        last = q.Candidate(question_id, enrolment_id or 0, q.Source.REVIEW, sibling_group=group)
    done = {e: q.Done(new=done_new[e], reviews=done_reviews[e]) for e in scope_ids}

    columns = (
        Card.id,
        Card.question_id,
        Card.enrolment_id,
        Card.state,
        Card.due,
        Card.stability,
        Card.last_review,
        Question.sibling_group,
    )
    due_today = (
        sa.select(*columns)
        .join(Question, Question.id == Card.question_id)
        .where(
            Card.user_id == user.id,
            Card.due < day.end,
            Card.enrolment_id.in_(scope_ids),
            Question.retired_at.is_(None),
            _available(now),
        )
    )
    learning_rows = db.session.execute(
        due_today.where(Card.state.in_([1, 3])).order_by(Card.due).limit(2000)
    ).all()
    # Only as many reviews as today's limits can use (plus room for siblings the queue skips),
    # the most overdue first: recall falls as elapsed time over stability grows, so SQL can rank
    # them and a learner with a large backlog does not load all of it on every card.
    review_room = sum(max(0, limits[e].reviews_per_day - done[e].reviews) for e in scope_ids)
    review_rows = (
        db.session.execute(
            due_today.where(Card.state == 2)
            .order_by(_overdue(now).desc(), Card.id)
            .limit(review_room + REVIEW_MARGIN)
        ).all()
        if review_room
        else []
    )
    learning: list[q.Candidate] = []
    reviews: list[q.Candidate] = []
    for card_id, question_id, home, _, due, _, _, group in learning_rows:
        assert home is not None  # the query keeps only cards of enrolments in scope
        learning.append(q.Candidate(question_id, home, q.Source.LEARNING, group, card_id, due))
    for card_id, question_id, home, _, due, stability, last_review, group in review_rows:
        assert home is not None
        memory = fsrs.Memory(
            state=fsrs.CardState.REVIEW, stability=stability, last_review=last_review, due=due
        )
        recall = fsrs.retrievability(memory, now, presets[home].parameters)
        reviews.append(q.Candidate(question_id, home, q.Source.REVIEW, group, card_id, due, recall))

    # The queue skips new questions whose sibling was answered today or is due; they are dropped
    # here too, page by page, or they could fill the window and starve the day's new cards. (As a
    # query filter the list of groups made every learner's statement different, so PostgreSQL
    # planned each one afresh.)
    busy_groups = set(answered) | {c.sibling_group for c in learning + reviews if c.sibling_group}
    new: list[q.Candidate] = []
    shared = aliased(TrackArticle)
    for order, enrolment in enumerate(enrolments):
        allowance = limits[enrolment.id].new_per_day - done[enrolment.id].new
        if allowance <= 0:
            continue
        # A question shared with an earlier enrolment in scope is that enrolment's (answer() gives
        # it the same home), so only that enrolment offers it, within its own daily limit.
        earlier = [e.track_id for e in enrolments[:order]]
        query = (
            sa.select(
                Question.id,
                Question.sibling_group,
                TrackArticle.position,
                Question.position,
                Card.id,
            )
            .join(TrackArticle, TrackArticle.article_id == Question.article_id)
            .outerjoin(Card, sa.and_(Card.question_id == Question.id, Card.user_id == user.id))
            .where(
                TrackArticle.track_id == enrolment.track_id,
                Question.retired_at.is_(None),
                sa.or_(Card.id.is_(None), sa.and_(Card.state == 0, _available(now))),
                ~sa.exists().where(
                    shared.article_id == Question.article_id, shared.track_id.in_(earlier)
                ),
            )
            .order_by(TrackArticle.position, Question.position)
        )
        window = allowance * 4 + 20
        offered: list[q.Candidate] = []
        groups: set[str] = set()
        for page in range(NEW_PAGES):
            rows = db.session.execute(query.offset(page * window).limit(window)).all()
            for question_id, group, article_position, question_position, card_id in rows:
                if group is not None and (group in busy_groups or group in groups):
                    continue
                if group is not None:
                    groups.add(group)
                offered.append(
                    q.Candidate(
                        question_id,
                        enrolment.id,
                        q.Source.NEW,
                        group,
                        card_id,
                        order=(order, article_position, question_position),
                    )
                )
            if len(offered) >= allowance or len(rows) < window:
                break
        new.extend(offered)

    built = q.build_queue(
        now=now,
        learning=learning,
        reviews=reviews,
        new=new,
        limits=limits,
        done=done,
        answered_today={g: frozenset(ids) for g, ids in answered.items()},
        last_answered=last,
        day_end=day.end,
    )
    return built, day, len(today_rows)


def today(user_id: int, *, now: datetime, track_key: str | None = None) -> Today:
    """Today's counts and the next card to show (None when done for today)."""
    user = _get_user(user_id)
    enrolments = _scope(user_id, track_key)
    built, day, done_today = _build(user, enrolments, now)
    counts = Counts(
        new=built.count(q.Source.NEW),
        learning=built.count(q.Source.LEARNING),
        review=built.count(q.Source.REVIEW),
        done_today=done_today,
    )
    nxt = built.next
    item = None
    if nxt is not None:
        question = db.session.get(Question, nxt.question_id, options=[joinedload(Question.article)])
        card = db.session.get(Card, nxt.card_id) if nxt.card_id else None
        enrolment = next(e for e in enrolments if e.id == nxt.enrolment_id)
        assert question is not None
        item = StudyItem(question=question, card=card, source=nxt.source, enrolment=enrolment)
    next_due = None
    if item is None:
        next_due = _next_due(user_id, [e.id for e in enrolments], now)
    return Today(day=day, counts=counts, item=item, next_due=next_due)


def _next_due(user_id: int, enrolment_ids: list[int], now: datetime) -> datetime | None:
    if not enrolment_ids:
        return None
    return db.session.scalar(
        sa.select(sa.func.min(Card.due)).where(
            Card.user_id == user_id,
            Card.enrolment_id.in_(enrolment_ids),
            Card.state.in_([1, 2, 3]),
            Card.suspended.is_(False),
            Card.due > now,
        )
    )


# ------------------------------------------------------------------------------------------------
# Answering
# ------------------------------------------------------------------------------------------------


def grading_spec(question: Question) -> GradingSpec:
    return GradingSpec(
        kind=question.kind,
        choices=tuple(question.choices or ()),
        correct=question.correct,
        cloze_answer=question.cloze_answer,
    )


def get_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.retired_at is not None:
        raise NotFound(f"no question {question_id}")
    return question


def check_answer(question_id: int, response: str) -> GradeResult:
    """Grade a response without recording anything (the page shows the result before rating)."""
    question = get_question(question_id)
    try:
        return grade(grading_spec(question), response)
    except GradingError as error:
        raise ValidationError({"response": str(error)}) from None


@dataclass(frozen=True)
class AnswerResult:
    review_id: str
    question_id: int
    rating: fsrs.Rating
    correct: bool | None
    expected: str
    state: fsrs.CardState
    due: datetime | None
    interval_days: float
    version: int
    leech: bool
    suspended: bool
    replayed: bool


def _result_from_log(log: ReviewLog, card: Card, *, replayed: bool) -> AnswerResult:
    question = card.question
    expected = ""
    if question.correct is not None and question.choices:
        expected = question.choices[question.correct]
    elif question.cloze_answer:
        expected = question.cloze_answer
    return AnswerResult(
        review_id=log.review_id,
        question_id=card.question_id,
        rating=fsrs.Rating(log.rating),
        correct=log.correct,
        expected=expected,
        state=fsrs.CardState(log.state_after),
        due=log.due_after,
        interval_days=log.interval_days,
        version=card.version,
        leech=card.leech,
        suspended=card.suspended,
        replayed=replayed,
    )


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
    return _result_from_log(log, card, replayed=True)


def _home_enrolment(user_id: int, question: Question, track_key: str | None = None) -> Enrolment:
    """The enrolment a new card belongs to: the studied track's if it covers the question (that
    track's queue offered it), else the earliest that does (as the combined queue offers it)."""
    covering = (
        sa.select(Enrolment)
        .join(TrackArticle, TrackArticle.track_id == Enrolment.track_id)
        .where(
            Enrolment.user_id == user_id,
            Enrolment.left_at.is_(None),
            TrackArticle.article_id == question.article_id,
        )
        .order_by(Enrolment.created_at, Enrolment.id)
        .limit(1)
    )
    enrolment = None
    if track_key is not None:
        enrolment = db.session.scalar(
            covering.join(Track, Track.id == Enrolment.track_id).where(Track.key == track_key)
        )
    if enrolment is None:
        enrolment = db.session.scalar(covering)
    if enrolment is None:
        raise NotFound(f"question {question.id} is not in any of your tracks")
    return enrolment


def _decide_rating(
    question: Question, rating: int | None, response: str | None
) -> tuple[fsrs.Rating, GradeResult | None]:
    spec = grading_spec(question)
    mode = answer_mode(spec)
    if rating is not None and rating not in (1, 2, 3, 4):
        raise ValidationError({"rating": "Use 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."})
    if mode is AnswerMode.RECALL:
        if rating is None:
            raise ValidationError({"rating": "Rate your recall: 1 Again, 2 Hard, 3 Good, 4 Easy."})
        return fsrs.Rating(rating), None
    if response is None or not response.strip():
        field = "response"
        message = "Choose an answer." if mode is AnswerMode.CHOICE else "Type the missing words."
        raise ValidationError({field: message})
    try:
        result = grade(spec, response)
    except GradingError as error:
        raise ValidationError({"response": str(error)}) from None
    if not result.correct:
        return fsrs.Rating.AGAIN, result  # a wrong answer is Again, whatever was asked for
    return fsrs.Rating(rating or fsrs.Rating.GOOD), result


def fuzz_seed(card: Card) -> int:
    return card.id * FUZZ_SEED_FACTOR


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
) -> AnswerResult:
    """Record one answer, exactly once per ``review_id``.

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
    replay = _replay_of(user_id, review_id, question_id)
    if replay is not None:
        return replay
    question = get_question(question_id)
    chosen, graded = _decide_rating(question, rating, response)
    try:
        result = _apply(
            user_id,
            question,
            chosen,
            graded,
            review_id,
            version,
            now,
            response,
            duration_ms,
            fuzz,
            track_key,
        )
    except (IntegrityError, StaleDataError, Conflict) as error:
        # The same review id may have been recorded by a concurrent request between our check
        # above and now (the card's version then moved on too): that answer is this one.
        db.session.rollback()
        replay = _replay_of(user_id, review_id, question_id)
        if replay is not None:
            return replay
        if isinstance(error, Conflict):
            raise
        raise Conflict("This card changed in another tab or device; load the next card.") from None
    return result


def _apply(
    user_id: int,
    question: Question,
    rating: fsrs.Rating,
    graded: GradeResult | None,
    review_id: str,
    version: int,
    now: datetime,
    response: str | None,
    duration_ms: int | None,
    fuzz: bool,
    track_key: str | None = None,
) -> AnswerResult:
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question.id)
    )
    if card is None:
        if version != 0:
            raise Conflict("This card changed in another tab or device; load the next card.")
        enrolment = _home_enrolment(user_id, question, track_key)
        card = Card(
            user_id=user_id,
            question_id=question.id,
            enrolment_id=enrolment.id,
            created_at=now,
            version=0,
        )
        db.session.add(card)
        db.session.flush()
    elif card.version != version:
        raise Conflict("This card changed in another tab or device; load the next card.")
    home = None
    if card.enrolment_id is not None:
        home = db.session.get(Enrolment, card.enrolment_id, options=[joinedload(Enrolment.presets)])
    if home is None or home.left_at is not None:
        home = _home_enrolment(user_id, question, track_key)
        card.enrolment_id = home.id
    preset_row = current_preset_row(home)
    preset = domain_preset(preset_row)
    before = card.snapshot()
    memory = card_memory(card)
    seed = fuzz_seed(card) + memory.reps if fuzz else None
    try:
        outcome = fsrs.review(memory, rating, now, preset, fuzz_seed=seed)
    except ValueError as error:
        raise Conflict(str(error)) from None
    after = outcome.memory
    card.state = int(after.state)
    card.step = after.step
    card.stability = after.stability
    card.difficulty = after.difficulty
    card.due = after.due
    card.last_review = after.last_review
    card.reps = after.reps
    card.lapses = after.lapses
    card.buried_until = None
    if fsrs.is_leech(outcome, preset):
        card.leech = True
        if preset.leech_suspend:
            card.suspended = True
    log = ReviewLog(
        user_id=user_id,
        card_id=card.id,
        enrolment_id=card.enrolment_id,
        preset_id=preset_row.id,
        review_id=review_id,
        rating=int(rating),
        reviewed_at=now,
        duration_ms=duration_ms,
        answer=response,
        correct=graded.correct if graded else None,
        state_before=before["state"],
        state_after=int(after.state),
        stability_after=after.stability,
        difficulty_after=after.difficulty,
        due_after=after.due,
        interval_days=outcome.interval.total_seconds() / 86400,
        elapsed_days=outcome.elapsed_days,
        retrievability=outcome.retrievability,
        fuzz_seed=seed,
        before=before,
    )
    db.session.add(log)
    db.session.flush()  # the version check and the review-id uniqueness both fire here
    _record_study_day(user_id, now)
    # Read the result before the commit expires the card, log and question (3 reloads).
    result = _result_from_log(log, card, replayed=False)
    db.session.commit()
    return result


def _reviews_left(user_id: int, day: StudyDay, now: datetime) -> bool:
    """Whether today's queue still has a due review to offer.

    Like the queue, this skips retired questions, reviews whose sibling was answered today (they
    wait for tomorrow) and tracks whose daily review limit is used up; otherwise such cards would
    keep the day from ever completing.
    """
    enrolments = list_enrolments(user_id)
    done = dict(
        db.session.execute(
            sa.select(ReviewLog.enrolment_id, sa.func.count())
            .where(
                ReviewLog.user_id == user_id,
                ReviewLog.reviewed_at >= day.start,
                ReviewLog.undone_at.is_(None),
                ReviewLog.state_before == fsrs.CardState.REVIEW,
            )
            .group_by(ReviewLog.enrolment_id)
        ).all()
    )
    open_ids = [
        e.id for e in enrolments if done.get(e.id, 0) < current_preset_row(e).max_reviews_per_day
    ]
    if not open_ids:
        return False
    sibling_card = aliased(Card)
    sibling = aliased(Question)
    sibling_answered_today = (
        sa.select(ReviewLog.id)
        .join(sibling_card, sibling_card.id == ReviewLog.card_id)
        .join(sibling, sibling.id == sibling_card.question_id)
        .where(
            ReviewLog.user_id == user_id,
            ReviewLog.reviewed_at >= day.start,
            ReviewLog.undone_at.is_(None),
            sibling.sibling_group == Question.sibling_group,
            sibling.id != Question.id,
        )
        .exists()
    )
    return (
        db.session.scalar(
            sa.select(Card.id)
            .join(Question, Question.id == Card.question_id)
            .where(
                Card.user_id == user_id,
                Card.state == fsrs.CardState.REVIEW,
                Card.due < day.end,
                Card.enrolment_id.in_(open_ids),
                _available(now),
                Question.retired_at.is_(None),
                ~sibling_answered_today,
            )
            .limit(1)
        )
        is not None
    )


def _record_study_day(user_id: int, now: datetime) -> None:
    """Count the answer towards today, and complete the day once no due review is left.

    A day completes when the learner has finished that day's due reviews, or answered at least
    one card on a day with nothing due; each completed day extends the streak by one.
    """
    user = _get_user(user_id)
    day = study_day(now, user.timezone, user.day_start_hour)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = StudyDayRow.__table__
    # One statement counts the answer, whether or not the day's row exists yet.
    statement = insert(table).values(
        user_id=user_id, local_date=day.date, reviews=1, completed=False
    )
    completed = db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.local_date],
            set_={"reviews": table.c.reviews + 1},
        ).returning(table.c.completed)
    ).scalar_one()
    if completed or _reviews_left(user_id, day, now):
        return
    db.session.execute(
        sa.update(table)
        .where(table.c.user_id == user_id, table.c.local_date == day.date)
        .values(completed=True)
    )
    if user.streak_last_day == day.date:
        return
    if user.streak_last_day == day.date - timedelta(days=1):
        user.streak += 1
    else:
        user.streak = 1
    user.streak_last_day = day.date


def current_streak(user: User, *, now: datetime) -> int:
    """The streak as it stands: alive while the last completed day is today or yesterday."""
    if user.streak_last_day is None:
        return 0
    today_date = study_day(now, user.timezone, user.day_start_hour).date
    if today_date - user.streak_last_day <= timedelta(days=1):
        return user.streak
    return 0


# ------------------------------------------------------------------------------------------------
# Undo, suspend, bury, leeches
# ------------------------------------------------------------------------------------------------


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def undo(user_id: int, *, now: datetime) -> int:
    """Undo the learner's latest answer, restoring the card exactly. Returns its question id."""
    log = db.session.scalar(
        sa.select(ReviewLog)
        .where(ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None))
        .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
        .limit(1)
    )
    if log is None:
        raise NotFound("there is no answer to undo")
    card = db.session.get(Card, log.card_id)
    assert card is not None
    before = log.before
    card.state = before["state"]
    card.step = before["step"]
    card.stability = before["stability"]
    card.difficulty = before["difficulty"]
    card.due = _parse_time(before["due"])
    card.last_review = _parse_time(before["last_review"])
    card.reps = before["reps"]
    card.lapses = before["lapses"]
    card.suspended = before["suspended"]
    card.buried_until = _parse_time(before["buried_until"])
    card.leech = before["leech"]
    home = before.get("enrolment_id")
    if home is not None and db.session.get(Enrolment, home) is not None:
        card.enrolment_id = home
    log.undone_at = now
    user = _get_user(user_id)
    answered_on = study_day(log.reviewed_at, user.timezone, user.day_start_hour).date
    days = StudyDayRow.__table__
    db.session.execute(
        sa.update(days)
        .where(days.c.user_id == user_id, days.c.local_date == answered_on, days.c.reviews > 0)
        .values(reviews=days.c.reviews - 1)
    )
    _commit_card_change()
    return card.question_id


def _commit_card_change() -> None:
    """Commit a change to a card; another tab changing it first is a conflict, not a crash."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict("This card changed in another tab; reload and try again.") from None


def _card_for_action(user_id: int, question_id: int, now: datetime) -> Card:
    question = get_question(question_id)
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )
    if card is None:
        card = Card(
            user_id=user_id,
            question_id=question.id,
            enrolment_id=_home_enrolment(user_id, question).id,
            created_at=now,
        )
        db.session.add(card)
    return card


def suspend(user_id: int, question_id: int, *, now: datetime) -> Card:
    card = _card_for_action(user_id, question_id, now)
    card.suspended = True
    _commit_card_change()
    return card


def unsuspend(user_id: int, question_id: int, *, now: datetime) -> Card:
    card = _card_for_action(user_id, question_id, now)
    card.suspended = False
    card.leech = False
    _commit_card_change()
    return card


def bury(user_id: int, question_id: int, *, now: datetime) -> Card:
    """Hide the card until the learner's next day starts."""
    user = _get_user(user_id)
    card = _card_for_action(user_id, question_id, now)
    card.buried_until = study_day(now, user.timezone, user.day_start_hour).end
    _commit_card_change()
    return card


def leeches(user_id: int) -> list[Card]:
    return list(
        db.session.scalars(
            sa.select(Card)
            .where(Card.user_id == user_id, Card.leech.is_(True))
            .order_by(Card.lapses.desc(), Card.id)
        )
    )
