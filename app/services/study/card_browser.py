"""The card browser: every question in the learner's tracks with its card, if it has one.

Found by text, track, article, state, due day and lapses; sorted by due date, lapses or article
order; read a page at a time with a keyset cursor, so a page costs the same however deep it is and
a card changed between pages is neither skipped nor shown twice. A question the learner has not
answered yet has no card and shows as new.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.domain.scheduling import CardState
from app.domain.studyday import day_start
from app.extensions import db
from app.models import Article, Card, Enrolment, Question, Track, TrackArticle
from app.services.errors import NotFound, ValidationError
from app.services.study.learners import get_user

PAGE_MAX = 200
TEXT_MAX = 200
LAPSES_MAX = 2**31 - 1  # what the column holds


class CardFilter(StrEnum):
    """What the state filter can ask for: a card state, or one of the marks a card can carry."""

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"
    SUSPENDED = "suspended"
    BURIED = "buried"
    LEECH = "leech"
    FLAGGED = "flagged"


class CardSort(StrEnum):
    DUE = "due"  # soonest first; cards never answered last
    LAPSES = "lapses"  # most lapses first
    ARTICLE = "article"  # article by article, in the article's order


@dataclass(frozen=True)
class CardSearch:
    text: str = ""
    track: str | None = None
    article: str | None = None
    question: int | None = None  # one question's card (a link from the stats page)
    state: CardFilter | None = None
    due_by: date | None = None  # due by the end of this study day of the learner's
    min_lapses: int | None = None
    sort: CardSort = CardSort.DUE


@dataclass(frozen=True)
class BrowsedCard:
    question_id: int
    prompt: str
    kind: str
    article_key: str
    article_title: str
    state: CardState
    due: datetime | None
    suspended: bool
    buried: bool
    leech: bool
    flagged: bool
    lapses: int
    reps: int
    version: int


@dataclass(frozen=True)
class CardPage:
    cards: list[BrowsedCard]
    total: int  # cards matching the search, on every page
    after: str | None  # the cursor of the next page; None on the last


def browse(
    user_id: int, search: CardSearch, *, now: datetime, limit: int = 50, after: str | None = None
) -> CardPage:
    """One page of the learner's cards matching ``search``."""
    if not 1 <= limit <= PAGE_MAX:
        raise ValidationError({"limit": f"Use a page size from 1 to {PAGE_MAX}."})
    if len(search.text) > TEXT_MAX:
        raise ValidationError({"q": f"Search for at most {TEXT_MAX} characters."})
    if search.min_lapses is not None and not 0 <= search.min_lapses <= LAPSES_MAX:
        raise ValidationError({"min_lapses": f"Use a number from 0 to {LAPSES_MAX}."})
    matching = _matching(user_id, search, now)
    keys = _sort_keys(search.sort)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery())) or 0
    page = matching.order_by(*(key if ascending else key.desc() for key, ascending in keys))
    if after is not None:
        page = page.where(_beyond(keys, _decode(after, search.sort)))
    rows = db.session.execute(page.limit(limit + 1)).all()
    cards = [_browsed(row, now) for row in rows[:limit]]
    more = len(rows) > limit
    return CardPage(
        cards, total, _encode(_sort_values(rows[limit - 1], search.sort)) if more else None
    )


def _matching(user_id: int, search: CardSearch, now: datetime) -> sa.Select:
    tracks = (
        sa.select(TrackArticle.article_id)
        .join(Enrolment, Enrolment.track_id == TrackArticle.track_id)
        .where(Enrolment.user_id == user_id, Enrolment.left_at.is_(None))
    )
    if search.track is not None:
        track = db.session.scalar(sa.select(Track).where(Track.key == search.track))
        if track is None:
            raise NotFound(f"no track {search.track!r}")
        tracks = tracks.where(Enrolment.track_id == track.id)
    statement = (
        sa.select(
            Question.id,
            Question.prompt,
            Question.kind,
            Question.position,
            Article.key,
            Article.title,
            Card.state,
            Card.due,
            Card.suspended,
            Card.buried_until,
            Card.leech,
            Card.flagged,
            Card.lapses,
            Card.reps,
            Card.version,
        )
        .join(Article, Article.id == Question.article_id)
        .outerjoin(Card, sa.and_(Card.question_id == Question.id, Card.user_id == user_id))
        .where(
            Question.retired_at.is_(None),
            Article.retired_at.is_(None),
            Question.article_id.in_(tracks),
        )
    )
    if search.article is not None:
        statement = statement.where(Article.key == search.article)
    if search.question is not None:
        statement = statement.where(Question.id == search.question)
    if search.text.strip():
        pattern = "%" + _escape_like(search.text.strip().lower()) + "%"
        statement = statement.where(
            sa.or_(
                sa.func.lower(Question.prompt).like(pattern, escape="\\"),
                sa.func.lower(Question.answer).like(pattern, escape="\\"),
            )
        )
    if search.state is not None:
        statement = statement.where(_state_is(search.state, now))
    if search.due_by is not None:
        user = get_user(user_id)
        end = day_start(search.due_by + timedelta(days=1), user.timezone, user.day_start_hour)
        statement = statement.where(Card.due < end)
    if search.min_lapses is not None:
        statement = statement.where(sa.func.coalesce(Card.lapses, 0) >= search.min_lapses)
    return statement


def _state_is(wanted: CardFilter, now: datetime) -> ColumnElement[bool]:
    if wanted is CardFilter.NEW:
        return sa.or_(Card.id.is_(None), Card.state == CardState.NEW)
    if wanted is CardFilter.SUSPENDED:
        return Card.suspended.is_(True)
    if wanted is CardFilter.BURIED:
        return Card.buried_until > now
    if wanted is CardFilter.LEECH:
        return Card.leech.is_(True)
    if wanted is CardFilter.FLAGGED:
        return Card.flagged.is_(True)
    return Card.state == CardState[wanted.name]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Each sort is a list of (expression, ascending) that never ties on the last key and has no NULL:
# a NULL due date is kept apart by a flag before it.
def _sort_keys(sort: CardSort) -> list[tuple[Any, bool]]:
    if sort is CardSort.LAPSES:
        return [(sa.func.coalesce(Card.lapses, 0), False), (Question.id, True)]
    if sort is CardSort.ARTICLE:
        return [(Article.key, True), (Question.position, True), (Question.id, True)]
    never_due = sa.case((Card.due.is_(None), 1), else_=0)
    return [(never_due, True), (Card.due, True), (Question.id, True)]


def _beyond(keys: list[tuple[Any, bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows after the one whose sort values are ``values``, in the order of ``keys``.

    A None value can only follow a flag that already set NULLs apart: within that group every row
    holds NULL there, so the key is equal for all of them and is left out of the comparison.
    """
    clauses = []
    equal: list[ColumnElement[bool]] = []
    for (key, ascending), value in zip(keys, values, strict=True):
        if value is None:
            continue
        clauses.append(sa.and_(*equal, key > value if ascending else key < value))
        equal.append(key == value)
    return sa.or_(*clauses)


def _sort_values(row: Any, sort: CardSort) -> list[Any]:
    """The values of ``_sort_keys(sort)`` for one row, as JSON can hold them."""
    if sort is CardSort.LAPSES:
        return [row.lapses or 0, row.id]
    if sort is CardSort.ARTICLE:
        return [row.key, row.position, row.id]
    return [1 if row.due is None else 0, row.due.isoformat() if row.due else None, row.id]


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


# What each position of a cursor must hold, per sort ("due" is an ISO instant or null).
_CURSOR_TYPES: dict[CardSort, tuple[str, ...]] = {
    CardSort.LAPSES: ("int", "int"),
    CardSort.ARTICLE: ("str", "int", "int"),
    CardSort.DUE: ("int", "due", "int"),
}


def _decode(cursor: str, sort: CardSort) -> list[Any]:
    """The sort values a cursor carries, checked: a cursor from anywhere else is a 422."""
    problem = ValidationError({"after": "Use the cursor a previous page returned."})
    try:
        values = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise problem from None
    types = _CURSOR_TYPES[sort]
    if not isinstance(values, list) or len(values) != len(types):
        raise problem
    decoded: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        if kind == "due":
            value = _due(value, problem)
        elif not _holds(kind, value):
            raise problem
        decoded.append(value)
    return decoded


def _due(value: object, problem: ValidationError) -> datetime | None:
    """A cursor's due date: null (never answered) or an ISO instant with its offset."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise problem
    return moment


def _holds(kind: str, value: object) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def _browsed(row: Any, now: datetime) -> BrowsedCard:
    return BrowsedCard(
        question_id=row.id,
        prompt=row.prompt,
        kind=row.kind,
        article_key=row.key,
        article_title=row.title,
        state=row.state if row.state is not None else CardState.NEW,
        due=row.due,
        suspended=bool(row.suspended),
        buried=row.buried_until is not None and row.buried_until > now,
        leech=bool(row.leech),
        flagged=bool(row.flagged),
        lapses=row.lapses or 0,
        reps=row.reps or 0,
        version=row.version or 0,
    )
