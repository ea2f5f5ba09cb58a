"""Studying: enrolments and presets, today's queue, answering, undo, suspend, bury and leeches.

A question becomes a card for a learner the first time they answer it. Cards are addressed by
question id within one learner's account, so no request can name another learner's card.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
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
from app.domain.questions import presented_choices as choice_presentation
from app.domain.studyday import StudyDay, study_day
from app.extensions import db
from app.models import (
    Article,
    Card,
    Enrolment,
    Preset,
    Question,
    ReviewLog,
    Track,
    TrackArticle,
    User,
)
from app.services import plans as day_plans
from app.services.errors import Conflict, NotFound, ValidationError

log = logging.getLogger(__name__)

_DAYS = day_plans.DAYS

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
    forget_plans(user_id, now)
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
    forget_plans(user_id, now)
    db.session.commit()


def forget_plans(user_id: int, now: datetime) -> None:
    """Drop the learner's day plans: call before committing any change to what their queue is
    made from (enrolments, presets, a card's suspension or burial, an undone answer)."""
    user = _get_user(user_id)
    day_plans.forget(user_id, study_day(now, user.timezone, user.day_start_hour).date)


def current_preset_row(enrolment: Enrolment) -> Preset:
    return enrolment.presets[-1]


@functools.lru_cache(maxsize=1024)
def _domain_preset(values: tuple[tuple[str, Any], ...]) -> fsrs.Preset:
    return fsrs.make_preset(**dict(values))


def domain_preset(row: Preset) -> fsrs.Preset:
    return preset_from_values(row.values())


def preset_from_values(stored: Mapping[str, Any]) -> fsrs.Preset:
    """The scheduler's preset for a preset version's stored values (made once per distinct set)."""
    values = dict(stored)
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
    forget_plans(enrolment.user_id, now)
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
    enrolment_id: int
    track_key: str

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


def _today_answers(
    user_id: int, day: StudyDay
) -> tuple[dict[int, q.Done], dict[str, frozenset[int]], q.Candidate | None, int]:
    """What the learner answered today: per-enrolment counts, answered sibling groups, the last
    answer and how many answers in all."""
    rows = db.session.execute(
        sa.select(
            ReviewLog.enrolment_id,
            ReviewLog.state_before,
            Card.question_id,
            Question.sibling_group,
        )
        .join(Card, Card.id == ReviewLog.card_id)
        .join(Question, Question.id == Card.question_id)
        .where(
            ReviewLog.user_id == user_id,
            ReviewLog.reviewed_at >= day.start,
            ReviewLog.undone_at.is_(None),
        )
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    done_new: dict[int, int] = defaultdict(int)
    done_reviews: dict[int, int] = defaultdict(int)
    answered: dict[str, set[int]] = defaultdict(set)
    last: q.Candidate | None = None
    for enrolment_id, state_before, question_id, group in rows:
        if enrolment_id is not None:
            if state_before == fsrs.CardState.NEW:
                done_new[enrolment_id] += 1
            elif state_before == fsrs.CardState.REVIEW:
                done_reviews[enrolment_id] += 1
        if group:
            answered[group].add(question_id)
        last = q.Candidate(question_id, enrolment_id or 0, q.Source.REVIEW, sibling_group=group)
    done = {e: q.Done(new=done_new[e], reviews=done_reviews[e]) for e in {*done_new, *done_reviews}}
    return done, {g: frozenset(ids) for g, ids in answered.items()}, last, len(rows)


def _gather_scope(
    user_id: int,
    enrolments: list[Enrolment],
    plans: Mapping[int, q.EnrolmentPlan],
    done: Mapping[int, q.Done],
    answered: Mapping[str, frozenset[int]],
    now: datetime,
    day: StudyDay,
) -> q.ScopePlan:
    """Today's candidates from these enrolments: learning cards, due reviews, new questions."""
    scope_ids = [e.id for e in enrolments]
    if not scope_ids:
        return q.ScopePlan(enrolment_ids=(), learning=[], reviews=[], new=[])
    limits = {e: plans[e].limits for e in scope_ids}
    used = {e: done.get(e, q.Done()) for e in scope_ids}
    columns = (
        Card.id,
        Card.question_id,
        Card.enrolment_id,
        Card.due,
        Card.stability,
        Card.last_review,
        Question.sibling_group,
    )
    due_today = (
        sa.select(*columns)
        .join(Question, Question.id == Card.question_id)
        .where(
            Card.user_id == user_id,
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
    # them and a learner with a large backlog does not load all of it. As answers use up the
    # limit, the candidates read stay a superset of what a fresh read would give.
    review_room = sum(max(0, limits[e].reviews_per_day - used[e].reviews) for e in scope_ids)
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
    for card_id, question_id, home, due, _, _, group in learning_rows:
        assert home is not None  # the query keeps only cards of enrolments in scope
        learning.append(q.Candidate(question_id, home, q.Source.LEARNING, group, card_id, due))
    for card_id, question_id, home, due, stability, last_review, group in review_rows:
        assert home is not None
        memory = fsrs.Memory(
            state=fsrs.CardState.REVIEW, stability=stability, last_review=last_review, due=due
        )
        recall = fsrs.retrievability(memory, now, preset_from_values(plans[home].preset).parameters)
        # Reviews are ranked by recall, not due time: the plan leaves their due time out.
        reviews.append(
            q.Candidate(question_id, home, q.Source.REVIEW, group, card_id, None, recall)
        )

    # The queue skips new questions whose sibling was answered today or is due; they are dropped
    # here too, page by page, or they could fill the window and starve the day's new cards. (As a
    # query filter the list of groups made every learner's statement different, so PostgreSQL
    # planned each one afresh.)
    busy_groups = set(answered) | {c.sibling_group for c in learning + reviews if c.sibling_group}
    new: list[q.Candidate] = []
    cut: set[int] = set()
    shared = aliased(TrackArticle)
    for order, enrolment in enumerate(enrolments):
        allowance = limits[enrolment.id].new_per_day - used[enrolment.id].new
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
            .outerjoin(Card, sa.and_(Card.question_id == Question.id, Card.user_id == user_id))
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
            if len(rows) < window:
                break
            if len(offered) >= allowance:
                cut.add(enrolment.id)
                break
        new.extend(offered)
    return q.ScopePlan(
        enrolment_ids=tuple(scope_ids),
        learning=learning,
        reviews=reviews,
        new=new,
        new_cut=frozenset(cut),
    )


def _enrolment_plan(enrolment: Enrolment) -> q.EnrolmentPlan:
    row = current_preset_row(enrolment)
    return q.EnrolmentPlan(
        track_key=enrolment.track.key,
        preset_id=row.id,
        limits=q.Limits(new_per_day=row.new_per_day, reviews_per_day=row.max_reviews_per_day),
        preset=row.values(),
    )


def _gather(user_id: int, day: StudyDay, scope: str, now: datetime) -> q.DayPlan:
    """Read the day's plan from the cards, for ``scope`` and for all tracks."""
    enrolments = list_enrolments(user_id)
    chosen = {q.ALL_TRACKS: enrolments}
    if scope != q.ALL_TRACKS:
        chosen[scope] = [e for e in enrolments if e.track.key == scope]
        if not chosen[scope]:
            raise NotFound(f"you are not enrolled in {scope!r}")
    plans = {e.id: _enrolment_plan(e) for e in enrolments}
    done, answered, last, answers = _today_answers(user_id, day)
    return q.DayPlan(
        enrolments=plans,
        done=done,
        answered=answered,
        last=last,
        answers=answers,
        scopes={
            key: _gather_scope(user_id, chosen_enrolments, plans, done, answered, now, day)
            for key, chosen_enrolments in chosen.items()
        },
    )


def _gather_and_store(
    user_id: int, day: StudyDay, scope: str, now: datetime, seen_version: int | None
) -> tuple[q.DayPlan, q.Queue]:
    """Gather the plan, work out the scope's queue and its head, and store them."""
    plan = _gather(user_id, day, scope, now)
    built = plan.remember_head(scope, now, day.end)
    day_plans.store(user_id, day.date, plan, seen_version=seen_version)
    return plan, built


# Run for every card shown: built once, then only bound.
_ITEM = (
    sa.select(Question, Card)
    .options(joinedload(Question.article).load_only(Article.key, Article.title))
    .outerjoin(
        Card, sa.and_(Card.question_id == Question.id, Card.user_id == sa.bindparam("user_id"))
    )
    .where(Question.id == sa.bindparam("question_id"))
)


def _item(user_id: int, nxt: q.Candidate, track_key: str, now: datetime) -> StudyItem | None:
    """The next card with its question, or None if the plan no longer matches the database
    (a change it was not told about): the caller then gathers the plan afresh."""
    found = db.session.execute(_ITEM, {"user_id": user_id, "question_id": nxt.question_id}).first()
    if found is None:
        return None
    question, card = found
    if question.retired_at is not None:
        return None
    if card is not None:
        hidden = card.suspended or (card.buried_until is not None and card.buried_until > now)
        expected = {q.Source.NEW: (0,), q.Source.LEARNING: (1, 3), q.Source.REVIEW: (2,)}
        if hidden or card.state not in expected[nxt.source]:
            return None
        if nxt.source is not q.Source.NEW and card.id != nxt.card_id:
            return None
        if nxt.source is q.Source.LEARNING and (
            card.due is None or nxt.due is None or abs((card.due - nxt.due).total_seconds()) > 0.001
        ):
            return None
    elif nxt.card_id is not None:
        return None
    return StudyItem(
        question=question,
        card=card,
        source=nxt.source,
        enrolment_id=nxt.enrolment_id,
        track_key=track_key,
    )


def _plan_item(user_id: int, plan: q.DayPlan, nxt: q.Candidate, now: datetime) -> StudyItem | None:
    enrolment = plan.enrolments.get(nxt.enrolment_id)
    return None if enrolment is None else _item(user_id, nxt, enrolment.track_key, now)


def today(user_id: int, *, now: datetime, track_key: str | None = None) -> Today:
    """Today's counts and the next card to show (None when done for today).

    Reads the head of the day's plan when it still holds; else the plan itself, gathering it
    from the cards on the day's first request or after a change dropped it (see
    :class:`app.domain.queue.DayPlan`)."""
    user = _get_user(user_id)
    day = study_day(now, user.timezone, user.day_start_hour)
    scope = track_key or q.ALL_TRACKS
    row = day_plans.read(user_id, day.date)
    head = row.heads().get(scope)
    found = head.at(now) if head is not None else None
    if head is not None and found is not None:
        nxt, new, learning, review = found
        item = None
        if nxt is not None and nxt.enrolment_id in head.track_keys:
            item = _item(user_id, nxt, head.track_keys[nxt.enrolment_id], now)
        if nxt is None or item is not None:
            counts = Counts(new, learning, review, done_today=row.answers)
            return _today(user_id, day, counts, item, head.enrolment_ids, now)

    stored, version = row.plan(), row.version
    if stored is None or scope not in stored.scopes:
        plan, built = _gather_and_store(user_id, day, scope, now, version)
        fresh = True
    else:
        plan, built, fresh = stored, stored.queue(scope, now, day.end), False
    while True:
        item = _plan_item(user_id, plan, built.next, now) if built.next is not None else None
        stale = (built.next is not None and item is None) or plan.short_of_new(scope, built)
        if fresh or not stale:
            break
        (plan, built), fresh = _gather_and_store(user_id, day, scope, now, version), True
    counts = Counts(
        new=built.count(q.Source.NEW),
        learning=built.count(q.Source.LEARNING),
        review=built.count(q.Source.REVIEW),
        done_today=plan.answers,
    )
    return _today(user_id, day, counts, item, plan.scopes[scope].enrolment_ids, now)


def _today(
    user_id: int,
    day: StudyDay,
    counts: Counts,
    item: StudyItem | None,
    enrolment_ids: tuple[int, ...],
    now: datetime,
) -> Today:
    next_due = None if item is not None else _next_due(user_id, list(enrolment_ids), now)
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


def presented_choices(user_id: int, question: Question, version: int) -> list[tuple[int, str]]:
    """A question's choices as (number, text) in the order this learner sees them now.

    Seeded by the question, the learner and the card's version: a reload, a resent answer and the
    result page show the same order, while the next review of the card shows a new one, so no
    learner can learn a position instead of the answer. Answers send the number, never the
    position, so grading and replay do not depend on the order.
    """
    return choice_presentation(
        tuple(question.choices or ()),
        f"{question.key}\x00{user_id}\x00{version}",
        fixed=question.fixed_order,
    )


def grading_spec(question: Question) -> GradingSpec:
    return GradingSpec(
        kind=question.kind,
        choices=tuple(question.choices or ()),
        correct=question.correct,
        cloze_answer=question.cloze_answer,
        accepted=tuple(question.accepted or ()),
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
    return _result_from_log(log, card, card.question, replayed=True)


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
    try:
        return _apply(
            user_id,
            review_id,
            question_id,
            version,
            now,
            rating,
            response,
            duration_ms,
            fuzz,
            track_key,
            overrule,
        )
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
    plan: q.DayPlan | None,
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
            home = plan.offered_by(track_key or q.ALL_TRACKS, question.id)
        if home is not None:
            enrolment = plan.enrolments[home]
            return home, enrolment.preset_id, preset_from_values(enrolment.preset)
    row: Enrolment | None = None
    if card is not None and card.enrolment_id is not None:
        row = db.session.get(Enrolment, card.enrolment_id, options=[joinedload(Enrolment.presets)])
    if row is None or row.left_at is not None:
        row = _home_enrolment(user_id, question, track_key)
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
        _DAYS.c.queue,
        _DAYS.c.queue_progress,
        _DAYS.c.queue_version,
        _DAYS.c.completed,
    )
    .select_from(Question)
    .outerjoin(
        Card, sa.and_(Card.question_id == Question.id, Card.user_id == sa.bindparam("user_id"))
    )
    .outerjoin(
        _DAYS,
        sa.and_(
            _DAYS.c.user_id == sa.bindparam("user_id"),
            _DAYS.c.local_date == sa.bindparam("local_date"),
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
    "reps": 0,
    "lapses": 0,
    "suspended": False,
    "buried_until": None,
    "leech": False,
}


def _apply(
    user_id: int,
    review_id: str,
    question_id: int,
    version: int,
    now: datetime,
    rating: int | None,
    response: str | None,
    duration_ms: int | None,
    fuzz: bool,
    track_key: str | None,
    overrule: bool,
) -> AnswerResult:
    user = _get_user(user_id)
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
        outcome = fsrs.review(memory, chosen, now, preset, fuzz_seed=seed)
    except ValueError as error:
        raise Conflict(str(error)) from None
    after = outcome.memory
    if fsrs.is_leech(outcome, preset):
        leech = True
        suspended = suspended or preset.leech_suspend
    updated = connection.execute(
        _UPDATE_CARD,
        {
            "card_id": card_id,
            "seen_version": version,
            "enrolment_id": home,
            "state": int(after.state),
            "step": after.step,
            "stability": after.stability,
            "difficulty": after.difficulty,
            "due": after.due,
            "last_review": after.last_review,
            "reps": after.reps,
            "lapses": after.lapses,
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
        plan.record_answer(
            question_id=question.id,
            enrolment_id=home,
            sibling_group=question.sibling_group,
            state_before=before["state"],
            again=again,
        )
        # Work out what comes next now, so that asking for it is a plain read.
        scope = track_key or q.ALL_TRACKS
        if scope in plan.scopes:
            plan.remember_head(scope, now, day.end)
    plan_kept = _count_answer(user_id, day, plan, plan_version)
    if not completed:
        left = plan.reviews_left() if plan is not None and plan_kept else None
        if left is None:
            left = _reviews_left(user_id, day, now)
        if not left:
            _complete_day(user, day)
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


@functools.cache
def _count_statement(dialect: str, with_plan: bool) -> Any:
    """Count an answer on today's row, creating it if need be, and write the plan's progress
    if the row is still at the version the plan was read at (else drop the plan)."""
    statement = day_plans.insert_for(dialect)(_DAYS).values(
        user_id=sa.bindparam("b_user"),
        local_date=sa.bindparam("b_date"),
        reviews=1,
        completed=False,
        queue_progress=sa.bindparam("b_progress", type_=_DAYS.c.queue_progress.type),
        queue_version=1,
    )
    kept: Any = sa.null()
    progress: Any = sa.null()
    if with_plan:
        # The candidates stay as gathered; only the progress through them is written.
        unmoved = _DAYS.c.queue_version == sa.bindparam("b_seen")
        kept = sa.case((unmoved, _DAYS.c.queue), else_=sa.null())
        progress = sa.case((unmoved, statement.excluded.queue_progress), else_=sa.null())
    return statement.on_conflict_do_update(
        index_elements=[_DAYS.c.user_id, _DAYS.c.local_date],
        set_={
            "reviews": _DAYS.c.reviews + 1,
            "queue": kept,
            "queue_progress": progress,
            "queue_version": _DAYS.c.queue_version + 1,
        },
    ).returning(_DAYS.c.queue_version)


def _count_answer(
    user_id: int, day: StudyDay, plan: q.DayPlan | None, plan_version: int | None
) -> bool:
    """Count the answer on today's row and store the updated plan with it, in one statement.

    The plan is stored only if the row is still at the version it was read at; otherwise (an
    answer in another tab, a change to the learner's tracks) it is dropped, to be gathered again.
    Returns whether the plan was kept."""
    with_plan = plan is not None and plan_version is not None
    connection = db.session.connection()
    statement = _count_statement(connection.dialect.name, with_plan)
    params: dict[str, Any] = {
        "b_user": user_id,
        "b_date": day.date,
        "b_progress": plan.progress_json() if plan is not None and with_plan else None,
    }
    if with_plan:
        params["b_seen"] = plan_version
    version = connection.execute(statement, params).scalar_one()
    return with_plan and version == (plan_version or 0) + 1


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


def _complete_day(user: User, day: StudyDay) -> None:
    """Mark the day complete — its due reviews are done, or it had none and the learner answered
    a card — and extend the streak by one. Only the first answer to complete it counts."""
    marked = day_plans.rowcount(
        db.session.execute(
            sa.update(_DAYS)
            .where(
                _DAYS.c.user_id == user.id,
                _DAYS.c.local_date == day.date,
                _DAYS.c.completed.is_(False),
            )
            .values(completed=True)
        )
    )
    if marked != 1 or user.streak_last_day == day.date:
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
    db.session.execute(
        sa.update(_DAYS)
        .where(_DAYS.c.user_id == user_id, _DAYS.c.local_date == answered_on, _DAYS.c.reviews > 0)
        .values(reviews=_DAYS.c.reviews - 1)
    )
    forget_plans(user_id, now)
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
    forget_plans(user_id, now)
    _commit_card_change()
    return card


def unsuspend(user_id: int, question_id: int, *, now: datetime) -> Card:
    card = _card_for_action(user_id, question_id, now)
    card.suspended = False
    card.leech = False
    forget_plans(user_id, now)
    _commit_card_change()
    return card


def bury(user_id: int, question_id: int, *, now: datetime) -> Card:
    """Hide the card until the learner's next day starts."""
    user = _get_user(user_id)
    card = _card_for_action(user_id, question_id, now)
    card.buried_until = study_day(now, user.timezone, user.day_start_hour).end
    forget_plans(user_id, now)
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


# ------------------------------------------------------------------------------------------------
# Preparing the day
# ------------------------------------------------------------------------------------------------

# Learners who answered within this many days get their plan gathered before they ask for it.
ACTIVE_DAYS = 30


@dataclass
class PrepareRun:
    considered: int = 0
    prepared: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.prepared} day plans gathered for {self.considered} active learners" + (
            f", {self.failed} failed" if self.failed else ""
        )


def prepare_plans(*, now: datetime, batch_size: int = 500) -> PrepareRun:
    """Gather today's plan for every recently active learner whose day has begun without one.

    The plan is what makes the day's first card as quick as the rest; a learner this misses (new,
    or back after a month away) has theirs gathered by their first request instead. Safe to run
    at any time and as often as wanted: a learner with a plan for today is skipped.
    """
    run = PrepareRun()
    since = now.date() - timedelta(days=ACTIVE_DAYS + 1)
    active = (
        sa.select(_DAYS.c.user_id)
        .where(_DAYS.c.local_date >= since, _DAYS.c.reviews > 0)
        .distinct()
        .scalar_subquery()
    )
    enrolled = sa.select(Enrolment.user_id).where(Enrolment.left_at.is_(None)).scalar_subquery()
    last_id = 0
    while True:
        users = list(
            db.session.scalars(
                sa.select(User)
                .where(User.id > last_id, User.id.in_(active), User.id.in_(enrolled))
                .order_by(User.id)
                .limit(batch_size)
            )
        )
        if not users:
            return run
        last_id = users[-1].id
        run.considered += len(users)
        today_of = {u.id: study_day(now, u.timezone, u.day_start_hour) for u in users}
        db.session.expunge_all()  # each plan is committed on its own: keep none of these loaded
        rows = db.session.execute(
            sa.select(
                _DAYS.c.user_id,
                _DAYS.c.local_date,
                _DAYS.c.queue.is_not(None),
                _DAYS.c.queue_version,
            ).where(
                _DAYS.c.user_id.in_(today_of),
                _DAYS.c.local_date.in_({day.date for day in today_of.values()}),
            )
        ).all()
        stored = {(u, d): (has_plan, version) for u, d, has_plan, version in rows}
        for user_id, day in today_of.items():
            has_plan, version = stored.get((user_id, day.date), (False, None))
            if has_plan:
                continue
            try:
                _gather_and_store(user_id, day, q.ALL_TRACKS, now, version)
            except Exception:
                db.session.rollback()
                run.failed += 1
                log.exception("could not gather the day plan of learner %s", user_id)
            else:
                run.prepared += 1
            db.session.expunge_all()
