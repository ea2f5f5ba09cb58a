"""Custom study sessions beside the day's queue, as Anki's custom study offers them:

* **review ahead**: review cards due in the next few days now; FSRS schedules an early review from
  the real elapsed time, so a card reviewed ahead is not pushed as far as one reviewed on time;
* **today's forgotten cards**: go over the cards rated Again today once more, until each is
  answered right;
* **an article's new cards**: the questions of one article not studied yet, beyond the day's new
  card limit (what a reading group's week offers its members who follow the track).

A session is a rule, not a list: its next card is the first that still matches, so an answer (or a
reload, another tab) moves it on without any state to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.domain import queue as q
from app.domain.scheduling import CardState, Rating
from app.domain.studyday import study_day
from app.extensions import db
from app.models import Article, Card, Enrolment, Question, ReviewLog, TrackArticle
from app.services.study.learners import get_user
from app.services.study.queue import StudyItem, answers_standing_today

AHEAD_DAYS_MAX = 30
_AHEAD = re.compile(r"ahead-(\d{1,2})")
_ARTICLE = re.compile(r"article-([a-z0-9][a-z0-9._-]{0,150})")


@dataclass(frozen=True)
class CustomSession:
    kind: str  # "ahead", "forgotten" or "article"
    days: int = 0  # for "ahead": how many days beyond today
    article: str = ""  # for "article": the article's key

    @property
    def key(self) -> str:
        if self.kind == "article":
            return f"article-{self.article}"
        return f"ahead-{self.days}" if self.kind == "ahead" else self.kind

    @property
    def title(self) -> str:
        if self.kind == "article":
            return f"New cards from the article {self.article}"
        if self.kind == "ahead":
            plural = "s" if self.days != 1 else ""
            return f"Reviewing ahead: cards due in the next {self.days} day{plural}"
        return "Today's forgotten cards"


def parse_session(text: str | None) -> CustomSession | None:
    """``ahead-N`` (N from 1 to 30), ``forgotten`` or ``article-<key>``; anything else is no
    session."""
    if text == "forgotten":
        return CustomSession("forgotten")
    article = _ARTICLE.fullmatch(text or "")
    if article:
        return CustomSession("article", article=article.group(1))
    found = _AHEAD.fullmatch(text or "")
    if found and 1 <= int(found.group(1)) <= AHEAD_DAYS_MAX:
        return CustomSession("ahead", int(found.group(1)))
    return None


def _matching(user_id: int, session: CustomSession, now: datetime) -> sa.Select:
    """The session's cards in the order it shows them, with their question and enrolment."""
    user = get_user(user_id)
    day = study_day(now, user.timezone, user.day_start_hour)
    shown = (
        sa.select(Card, Question, Enrolment)
        .join(Question, Question.id == Card.question_id)
        .join(Enrolment, Enrolment.id == Card.enrolment_id)
        .where(
            Card.user_id == user_id,
            Card.suspended.is_(False),
            sa.or_(Card.buried_until.is_(None), Card.buried_until <= now),
            Question.retired_at.is_(None),
            Enrolment.left_at.is_(None),
        )
    )
    if session.kind == "ahead":  # each card once: one reviewed today has had its turn
        return shown.where(
            Card.state == CardState.REVIEW,
            Card.due >= day.end,
            Card.due < day.end + timedelta(days=session.days),
            sa.or_(Card.last_day.is_(None), Card.last_day != day.date),
        ).order_by(Card.due, Card.id)
    latest = (  # each card's latest answer today: the session holds those rated Again
        sa.select(ReviewLog.card_id, sa.func.max(ReviewLog.id).label("last_id"))
        .where(answers_standing_today(user_id, day))
        .group_by(ReviewLog.card_id)
        .subquery()
    )
    return (
        shown.join(latest, latest.c.card_id == Card.id)
        .join(ReviewLog, ReviewLog.id == latest.c.last_id)
        .where(ReviewLog.rating == Rating.AGAIN)
        .order_by(ReviewLog.id)
    )


def _article_questions(user_id: int, session: CustomSession) -> sa.Select:
    """The article's live questions the learner has not studied yet, in article order, with the
    learner's enrolment in a track holding the article (none: the session is empty)."""
    return (
        sa.select(Question, Enrolment)
        .join(Article, Article.id == Question.article_id)
        .join(TrackArticle, TrackArticle.article_id == Article.id)
        .join(
            Enrolment,
            sa.and_(
                Enrolment.track_id == TrackArticle.track_id,
                Enrolment.user_id == user_id,
                Enrolment.left_at.is_(None),
            ),
        )
        .outerjoin(Card, sa.and_(Card.question_id == Question.id, Card.user_id == user_id))
        .where(
            Article.key == session.article,
            Question.retired_at.is_(None),
            sa.or_(
                Card.id.is_(None), sa.and_(Card.state == CardState.NEW, Card.suspended.is_(False))
            ),
        )
        .order_by(Question.position, Question.id, Enrolment.id)
    )


def session_item(user_id: int, session: CustomSession, *, now: datetime) -> StudyItem | None:
    """The session's next card, or None when it has none left."""
    if session.kind == "article":
        row = db.session.execute(_article_questions(user_id, session).limit(1)).first()
        if row is None:
            return None
        question, enrolment = row
        card = db.session.scalar(
            sa.select(Card).where(Card.user_id == user_id, Card.question_id == question.id)
        )
        return StudyItem(question, card, q.Source.NEW, enrolment.id, enrolment.track.key)
    found = db.session.execute(_matching(user_id, session, now).limit(1)).first()
    if found is None:
        return None
    card, question, enrolment = found
    learning = card.state in (CardState.LEARNING, CardState.RELEARNING)
    return StudyItem(
        question=question,
        card=card,
        source=q.Source.LEARNING if learning else q.Source.REVIEW,
        enrolment_id=enrolment.id,
        track_key=enrolment.track.key,
    )


def session_size(user_id: int, session: CustomSession, *, now: datetime) -> int:
    """How many cards the session still holds (the page's counter)."""
    if session.kind == "article":
        questions = _article_questions(user_id, session).order_by(None)
        ids = questions.with_only_columns(Question.id).distinct().subquery()
        return db.session.scalar(sa.select(sa.func.count()).select_from(ids)) or 0
    matching = _matching(user_id, session, now).order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(matching)) or 0
