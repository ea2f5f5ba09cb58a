"""Which questions a drill or a rapid-fire round draws from, and how weak the learner is on each.

A scope is what the learner chose (tracks, articles, tags, trade-offs only, their weakest N, what
they missed today, a mock interview's missed points, or an explicit list for "drill these again").
It resolves to live questions of the banks; nothing here writes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.domain import scheduling as fsrs
from app.domain.studyday import study_day
from app.extensions import db
from app.models import (
    Article,
    Card,
    Drill,
    DrillAnswer,
    Enrolment,
    MockInterview,
    Question,
    RapidAnswer,
    RapidRound,
    ReviewLog,
    Track,
    TrackArticle,
)
from app.services.catalog import visible_to
from app.services.errors import ValidationError
from app.services.study.learners import get_user
from app.services.study.presets import current_preset_row, domain_preset

# The kinds that ask about a trade-off: the key trade-off and the trade-off tables' rows.
TRADEOFF_KINDS = frozenset(
    {
        "key_tradeoff",
        "key_tradeoff_reverse",
        "table_which",
        "table_side",
        "table_compare",
        "tradeoff_note",
        "pros_cons",
    }
)
# The multiple-choice ones, answerable in seconds: what rapid-fire rounds ask.
RAPID_KINDS = frozenset({"key_tradeoff", "key_tradeoff_reverse", "table_which", "table_side"})

WEAKEST_MAX = 100
LAPSE_WEIGHT = 0.1
LIST_MAX = 200


class DrillOrder(StrEnum):
    WEAKEST = "weakest"
    RANDOM = "random"
    TRACK = "track"


@dataclass(frozen=True)
class Scope:
    """What to draw questions from. Empty tracks and articles mean the learner's tracks."""

    tracks: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tradeoffs_only: bool = False
    weakest: int | None = None
    missed_today: bool = False
    mock: int | None = None
    questions: tuple[int, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "tracks": list(self.tracks),
            "articles": list(self.articles),
            "tags": list(self.tags),
            "tradeoffs_only": self.tradeoffs_only,
            "weakest": self.weakest,
            "missed_today": self.missed_today,
            "mock": self.mock,
            "questions": list(self.questions),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scope:
        return cls(
            tracks=tuple(data.get("tracks") or ()),
            articles=tuple(data.get("articles") or ()),
            tags=tuple(data.get("tags") or ()),
            tradeoffs_only=bool(data.get("tradeoffs_only")),
            weakest=data.get("weakest"),
            missed_today=bool(data.get("missed_today")),
            mock=data.get("mock"),
            questions=tuple(data.get("questions") or ()),
        )

    def describe(self) -> str:
        """A title for people: "Weakest 10 · trade-offs only · caching-strategies"."""
        parts: list[str] = []
        if self.questions:
            parts.append(f"{len(self.questions)} chosen questions")
        if self.mock is not None:
            parts.append("missed mock-interview points")
        if self.missed_today:
            parts.append("missed today")
        if self.weakest:
            parts.append(f"weakest {self.weakest}")
        if self.tradeoffs_only:
            parts.append("trade-offs only")
        parts.extend(self.tracks)
        parts.extend(self.articles)
        parts.extend(f"#{tag}" for tag in self.tags)
        return " · ".join(parts) or "all my tracks"


def check_scope(user_id: int, scope: Scope) -> None:
    """Refuse a scope that names nothing that exists (for this learner), saying which part."""
    errors: dict[str, str] = {}
    if scope.mock is not None:
        mock = db.session.get(MockInterview, scope.mock)
        if mock is None or mock.user_id != user_id:
            errors["mock"] = f"No mock interview {scope.mock}."
        elif mock.covered is None:
            errors["mock"] = "Score this mock interview first: its missed points are the drill."
    if scope.weakest is not None and not 1 <= scope.weakest <= WEAKEST_MAX:
        errors["weakest"] = f"Choose from 1 to {WEAKEST_MAX} weakest questions."
    if len(scope.questions) > LIST_MAX:
        errors["questions"] = f"Name at most {LIST_MAX} questions."
    if scope.tracks:
        known = set(
            db.session.scalars(
                sa.select(Track.key).where(
                    Track.key.in_(scope.tracks),
                    Track.retired_at.is_(None),
                    visible_to(Track, user_id),
                )
            )
        )
        unknown = [key for key in scope.tracks if key not in known]
        if unknown:
            errors["tracks"] = "No track " + ", ".join(repr(key) for key in unknown) + "."
    if scope.articles:
        known = set(
            db.session.scalars(
                sa.select(Article.key).where(
                    Article.key.in_(scope.articles),
                    Article.retired_at.is_(None),
                    visible_to(Article, user_id),
                )
            )
        )
        unknown = [key for key in scope.articles if key not in known]
        if unknown:
            errors["articles"] = "No article " + ", ".join(repr(key) for key in unknown) + "."
    if errors:
        raise ValidationError(errors)


def _learner_track_ids(user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Enrolment.track_id).where(
                Enrolment.user_id == user_id, Enrolment.left_at.is_(None)
            )
        )
    )


def _base_query(user_id: int, scope: Scope) -> sa.Select[Any]:
    query = (
        sa.select(Question)
        .join(Article, Article.id == Question.article_id)
        .where(
            Question.retired_at.is_(None),
            Article.retired_at.is_(None),
            visible_to(Article, user_id),
        )
    )
    if scope.questions:
        return query.where(Question.id.in_(scope.questions))
    if scope.tracks or scope.articles:
        in_tracks = (
            sa.select(TrackArticle.article_id)
            .join(Track, Track.id == TrackArticle.track_id)
            .where(Track.key.in_(scope.tracks))
        )
        query = query.where(
            sa.or_(Question.article_id.in_(in_tracks), Article.key.in_(scope.articles))
        )
    elif scope.mock is None and not scope.missed_today:
        # What the learner picked by name stands; otherwise their own tracks (a learner in no
        # track drills the whole catalogue).
        track_ids = _learner_track_ids(user_id)
        if track_ids:
            query = query.where(
                Question.article_id.in_(
                    sa.select(TrackArticle.article_id).where(TrackArticle.track_id.in_(track_ids))
                )
            )
    return query


def resolve(user_id: int, scope: Scope, now: datetime) -> list[Question]:
    """The live questions in ``scope``, in no particular order."""
    questions: list[Question] = list(db.session.scalars(_base_query(user_id, scope)))
    if scope.tags:
        wanted = set(scope.tags)
        questions = [q for q in questions if wanted & set(q.article.tags or ())]
    if scope.tradeoffs_only:
        questions = [q for q in questions if q.kind in TRADEOFF_KINDS]
    if scope.missed_today:
        missed = missed_today(user_id, now)
        questions = [q for q in questions if q.id in missed]
    if scope.mock is not None:
        missed_points = mock_missed_questions(user_id, [scope.mock])
        questions = [q for q in questions if q.id in missed_points]
    if scope.weakest:
        weakness = weakness_of(user_id, [q.id for q in questions], now)
        seen = [q for q in questions if q.id in weakness]
        seen.sort(key=lambda q: weakness[q.id])
        questions = seen[: scope.weakest]
    return questions


def missed_today(user_id: int, now: datetime) -> set[int]:
    """Questions the learner got wrong today: in reviews, drills and rapid-fire rounds."""
    user = get_user(user_id)
    day = study_day(now, user.timezone, user.day_start_hour)
    reviews = sa.select(Card.question_id).join(ReviewLog, ReviewLog.card_id == Card.id)
    reviews = reviews.where(
        ReviewLog.user_id == user_id,
        ReviewLog.study_date == day.date,
        ReviewLog.rating == fsrs.Rating.AGAIN,
        ReviewLog.undone_at.is_(None),
    )
    drills = (
        sa.select(DrillAnswer.question_id)
        .join(Drill, Drill.id == DrillAnswer.drill_id)
        .where(
            Drill.user_id == user_id,
            DrillAnswer.correct.is_(False),
            DrillAnswer.answered_at >= day.start,
            DrillAnswer.answered_at < day.end,
        )
    )
    rounds = (
        sa.select(RapidAnswer.question_id)
        .join(RapidRound, RapidRound.id == RapidAnswer.round_id)
        .where(
            RapidRound.user_id == user_id,
            RapidAnswer.correct.is_(False),
            RapidAnswer.answered_at >= day.start,
            RapidAnswer.answered_at < day.end,
        )
    )
    return set(db.session.scalars(sa.union(reviews, drills, rounds)))


def mock_missed_questions(user_id: int, mock_ids: Sequence[int] | None = None) -> set[int]:
    """The questions behind the rubric points the learner missed in their scored mock interviews
    (the ones named, or every one)."""
    query = sa.select(MockInterview).where(
        MockInterview.user_id == user_id, MockInterview.covered.is_not(None)
    )
    if mock_ids is not None:
        query = query.where(MockInterview.id.in_(mock_ids))
    keys: set[str] = set()
    for mock in db.session.scalars(query):
        covered = set(mock.covered or ())
        for index, point in enumerate(mock.points):
            if index not in covered:
                keys.update(point.get("question_keys") or ())
    if not keys:
        return set()
    return set(
        db.session.scalars(
            sa.select(Question.id).where(Question.key.in_(keys), Question.retired_at.is_(None))
        )
    )


def weakness_of(user_id: int, question_ids: Iterable[int], now: datetime) -> dict[int, tuple]:
    """A sort key per question the learner has seen, weakest first: questions behind a missed
    mock-interview point, then lowest predicted recall now, where each lapse counts as
    LAPSE_WEIGHT less recall (a card forgotten three times is weak even just after relearning),
    then most lapses.

    The key is (not missed, weakness, recall, -lapses)."""
    ids = list(question_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Card).where(
            Card.user_id == user_id,
            Card.question_id.in_(ids),
            Card.state != fsrs.CardState.NEW,
        )
    ).scalars()
    parameters: dict[int | None, tuple[float, ...]] = {None: fsrs.DEFAULT_PARAMETERS}
    missed = mock_missed_questions(user_id)
    found: dict[int, tuple] = {}
    for card in rows:
        if card.enrolment_id not in parameters:
            enrolment = db.session.get(Enrolment, card.enrolment_id)
            parameters[card.enrolment_id] = (
                domain_preset(current_preset_row(enrolment)).parameters
                if enrolment is not None
                else fsrs.DEFAULT_PARAMETERS
            )
        memory = fsrs.Memory(
            state=fsrs.CardState(card.state),
            stability=card.stability,
            last_review=card.last_review,
            due=card.due,
        )
        recall = fsrs.retrievability(memory, now, parameters[card.enrolment_id])
        weakness = recall - LAPSE_WEIGHT * card.lapses
        found[card.question_id] = (card.question_id not in missed, weakness, recall, -card.lapses)
    for question_id in missed & set(ids):
        found.setdefault(question_id, (False, 0.0, 0.0, 0))
    return found


def _track_position(user_id: int, questions: Sequence[Question]) -> dict[int, tuple]:
    rows = db.session.execute(
        sa.select(TrackArticle.article_id, Track.position, TrackArticle.position).join(
            Track, Track.id == TrackArticle.track_id
        )
    )
    place: dict[int, tuple[int, int]] = {}
    for article_id, track_position, position in rows:
        place[article_id] = min(
            place.get(article_id, (track_position, position)), (track_position, position)
        )
    return {q.id: (*place.get(q.article_id, (1 << 30, 0)), q.position) for q in questions}


def ordered(
    user_id: int, questions: Sequence[Question], order: DrillOrder, now: datetime, seed: str
) -> list[Question]:
    """``questions`` in the drill's order: weakest first (unseen after every seen one), random
    (seeded, so a reload is stable) or as the tracks list them."""
    if order is DrillOrder.RANDOM:
        shuffled = sorted(questions, key=lambda q: q.id)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    if order is DrillOrder.TRACK:
        place = _track_position(user_id, questions)
        return sorted(questions, key=lambda q: place[q.id])
    weakness = weakness_of(user_id, [q.id for q in questions], now)
    unseen = (True, 2.0, 2.0, 0)
    return sorted(questions, key=lambda q: (weakness.get(q.id, unseen), q.id))
