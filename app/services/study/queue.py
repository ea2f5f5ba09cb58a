"""Today's queue: gathering the learner's day plan and offering the next card from it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app.domain import day_plan as dp
from app.domain import queue as q
from app.domain import scheduling as fsrs
from app.domain.questions import (
    AnswerMode,
    answer_mode,
)
from app.domain.scheduling import CardState
from app.domain.studyday import StudyDay, study_day
from app.extensions import db
from app.models import (
    Article,
    Card,
    Enrolment,
    Question,
    ReviewLog,
    TrackArticle,
)
from app.services import plans as day_plans
from app.services.errors import NotFound
from app.services.study.cards import grading_spec
from app.services.study.custom_study import extra_new_today
from app.services.study.enrolments import list_enrolments
from app.services.study.learners import get_user
from app.services.study.presets import current_preset_row, preset_from_values

log = logging.getLogger(__name__)


LEARNING_STATES = (CardState.LEARNING, CardState.RELEARNING)
# At most this many windows of new-question candidates are read per enrolment and request.
NEW_PAGES = 5


# Due reviews read beyond today's remaining review limit, for the siblings the queue skips.
REVIEW_MARGIN = 100


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


def available(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        Card.suspended.is_(False),
        sa.or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


def answers_standing_today(user_id: int, day: StudyDay) -> sa.ColumnElement[bool]:
    """The learner's answers made since the study day began and not undone."""
    return sa.and_(
        ReviewLog.user_id == user_id,
        ReviewLog.reviewed_at >= day.start,
        ReviewLog.undone_at.is_(None),
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
        .where(answers_standing_today(user_id, day))
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
    plans: Mapping[int, dp.EnrolmentPlan],
    done: Mapping[int, q.Done],
    answered: Mapping[str, frozenset[int]],
    now: datetime,
    day: StudyDay,
) -> dp.ScopePlan:
    """Today's candidates from these enrolments: learning cards, due reviews, new questions."""
    scope_ids = [e.id for e in enrolments]
    if not scope_ids:
        return dp.ScopePlan(enrolment_ids=(), learning=[], reviews=[], new=[])
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
            available(now),
        )
    )
    learning_rows = db.session.execute(
        due_today.where(Card.state.in_([CardState.LEARNING, CardState.RELEARNING]))
        .order_by(Card.due)
        .limit(2000)
    ).all()
    # Only as many reviews as today's limits can use (plus room for siblings the queue skips),
    # the most overdue first: recall falls as elapsed time over stability grows, so SQL can rank
    # them and a learner with a large backlog does not load all of it. As answers use up the
    # limit, the candidates read stay a superset of what a fresh read would give.
    review_room = sum(max(0, limits[e].reviews_per_day - used[e].reviews) for e in scope_ids)
    review_rows = (
        db.session.execute(
            due_today.where(Card.state == CardState.REVIEW)
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
                sa.or_(Card.id.is_(None), sa.and_(Card.state == CardState.NEW, available(now))),
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
    return dp.ScopePlan(
        enrolment_ids=tuple(scope_ids),
        learning=learning,
        reviews=reviews,
        new=new,
        new_cut=frozenset(cut),
    )


def _enrolment_plan(enrolment: Enrolment, extra_new: int = 0) -> dp.EnrolmentPlan:
    """An enrolment as the day's plan needs it: its preset, and its limits for the day (the
    preset's, with any extra new cards the learner asked for today)."""
    row = current_preset_row(enrolment)
    return dp.EnrolmentPlan(
        track_key=enrolment.track.key,
        preset_id=row.id,
        limits=q.Limits(
            new_per_day=row.new_per_day + extra_new, reviews_per_day=row.max_reviews_per_day
        ),
        preset=row.values(),
    )


def _gather(user_id: int, day: StudyDay, scope: str, now: datetime) -> dp.DayPlan:
    """Read the day's plan from the cards, for ``scope`` and for all tracks."""
    enrolments = list_enrolments(user_id)
    chosen = {dp.ALL_TRACKS: enrolments}
    if scope != dp.ALL_TRACKS:
        chosen[scope] = [e for e in enrolments if e.track.key == scope]
        if not chosen[scope]:
            raise NotFound(f"you are not enrolled in {scope!r}")
    extra = extra_new_today(user_id, day.date)
    plans = {e.id: _enrolment_plan(e, extra.get(e.id, 0)) for e in enrolments}
    done, answered, last, answers = _today_answers(user_id, day)
    return dp.DayPlan(
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


def gather_and_store(
    user_id: int, day: StudyDay, scope: str, now: datetime, seen_version: int | None
) -> tuple[dp.DayPlan, q.Queue]:
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


def _plan_item(user_id: int, plan: dp.DayPlan, nxt: q.Candidate, now: datetime) -> StudyItem | None:
    enrolment = plan.enrolments.get(nxt.enrolment_id)
    return None if enrolment is None else _item(user_id, nxt, enrolment.track_key, now)


def today(user_id: int, *, now: datetime, track_key: str | None = None) -> Today:
    """Today's counts and the next card to show (None when done for today).

    Reads the head of the day's plan when it still holds; else the plan itself, gathering it
    from the cards on the day's first request or after a change dropped it (see
    :class:`app.domain.day_plan.DayPlan`)."""
    user = get_user(user_id)
    day = study_day(now, user.timezone, user.day_start_hour)
    scope = track_key or dp.ALL_TRACKS
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
            return _today(user_id, day, counts, item, head.enrolment_ids, now, track_key)

    stored, version = row.plan(), row.version
    if stored is None or scope not in stored.scopes:
        plan, built = gather_and_store(user_id, day, scope, now, version)
        fresh = True
    else:
        plan, built, fresh = stored, stored.queue(scope, now, day.end), False
    while True:
        item = _plan_item(user_id, plan, built.next, now) if built.next is not None else None
        stale = (built.next is not None and item is None) or plan.short_of_new(scope, built)
        if fresh or not stale:
            break
        (plan, built), fresh = gather_and_store(user_id, day, scope, now, version), True
    counts = Counts(
        new=built.count(q.Source.NEW),
        learning=built.count(q.Source.LEARNING),
        review=built.count(q.Source.REVIEW),
        done_today=plan.answers,
    )
    return _today(user_id, day, counts, item, plan.scopes[scope].enrolment_ids, now, track_key)


def _today(
    user_id: int,
    day: StudyDay,
    counts: Counts,
    item: StudyItem | None,
    enrolment_ids: tuple[int, ...],
    now: datetime,
    track_key: str | None,
) -> Today:
    if track_key is not None:  # the plan counts every track's answers; a track's own are asked
        done = db.session.scalar(
            sa.select(sa.func.count(ReviewLog.id)).where(
                answers_standing_today(user_id, day), ReviewLog.enrolment_id.in_(enrolment_ids)
            )
        )
        counts = replace(counts, done_today=done or 0)
    next_due = None if item is not None else _next_due(user_id, list(enrolment_ids), now)
    return Today(day=day, counts=counts, item=item, next_due=next_due)


def _next_due(user_id: int, enrolment_ids: list[int], now: datetime) -> datetime | None:
    if not enrolment_ids:
        return None
    return db.session.scalar(
        sa.select(sa.func.min(Card.due)).where(
            Card.user_id == user_id,
            Card.enrolment_id.in_(enrolment_ids),
            Card.state != CardState.NEW,
            Card.suspended.is_(False),
            Card.due > now,
        )
    )
