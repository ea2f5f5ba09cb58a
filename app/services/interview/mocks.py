"""Mock interviews: an article's prompt, answered out loud against a timer, then scored by ticking
the points of a rubric drawn from the article (its one thing to remember, its trade-off table
rows, its self-assessment answers and any points the author added).

Missed points are kept: their questions rank first among the learner's weakest and can become
the next drill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Article, MockInterview
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.study.learners import get_user

MINUTES = (3, 4, 5)
MINUTES_MIN, MINUTES_MAX = 1, 15
# The series whose articles are interview questions in themselves: offered first.
FIRST_SERIES = "system-design-mastery"


@dataclass(frozen=True)
class PromptChoice:
    """An article one can be interviewed on, with the learner's last score on it."""

    article: Article
    prompt: str
    points: int
    last_score: float | None


def prompts(user_id: int) -> list[PromptChoice]:
    """Every live article with a rubric, System Design first, then by series order."""
    articles = db.session.scalars(
        sa.select(Article).where(
            Article.retired_at.is_(None), Article.interview_prompt.is_not(None)
        )
    )
    last: dict[int, float] = {}
    for mock in db.session.scalars(
        sa.select(MockInterview)
        .where(MockInterview.user_id == user_id, MockInterview.scored_at.is_not(None))
        .order_by(MockInterview.scored_at)
    ):
        score = mock_score(mock)
        if score is not None:
            last[mock.article_id] = score
    found = [
        PromptChoice(a, a.interview_prompt or "", len(a.rubric or ()), last.get(a.id))
        for a in articles
        if a.rubric
    ]
    found.sort(
        key=lambda c: (
            c.article.series != FIRST_SERIES,
            c.article.series or "",
            c.article.position or 0,
            c.article.title,
        )
    )
    return found


def get_mock(user_id: int, mock_id: int) -> MockInterview:
    mock = db.session.get(MockInterview, mock_id)
    if mock is None or mock.user_id != user_id:
        raise NotFound(f"no mock interview {mock_id}")
    return mock


def start_mock(user_id: int, article_key: str, *, minutes: int, now: datetime) -> MockInterview:
    if not MINUTES_MIN <= minutes <= MINUTES_MAX:
        raise ValidationError(
            {"minutes": f"Choose from {MINUTES_MIN} to {MINUTES_MAX} minutes to speak."}
        )
    get_user(user_id)
    article = db.session.scalar(
        sa.select(Article).where(Article.key == article_key, Article.retired_at.is_(None))
    )
    if article is None:
        raise ValidationError({"article": f"No article {article_key!r}."})
    if not article.rubric or not article.interview_prompt:
        raise ValidationError({"article": f"{article.title} has no interview rubric yet."})
    mock = MockInterview(
        user_id=user_id,
        article_id=article.id,
        prompt=article.interview_prompt,
        minutes=minutes,
        points=[dict(point) for point in article.rubric],
        started_at=now,
    )
    db.session.add(mock)
    db.session.commit()
    return mock


def score_mock(
    user_id: int, mock_id: int, *, covered: Sequence[int], now: datetime
) -> MockInterview:
    """Keep which points the learner covered. Scoring twice with the same points is a no-op;
    with other points, a Conflict (a score is a record, not a draft)."""
    mock = get_mock(user_id, mock_id)
    chosen = sorted(set(covered))
    bad = [i for i in chosen if not 0 <= i < len(mock.points)]
    if bad:
        raise ValidationError(
            {"covered": f"No point {bad[0]}: points are numbered 0 to {len(mock.points) - 1}."}
        )
    if mock.covered is not None:
        if sorted(mock.covered) == chosen:
            return mock
        raise Conflict("This mock interview is already scored.")
    mock.covered = chosen
    mock.scored_at = now
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        mock = get_mock(user_id, mock_id)
        if mock.covered is None or sorted(mock.covered) != chosen:
            raise Conflict("This mock interview was scored in another tab.") from None
    return mock


def mock_score(mock: MockInterview) -> float | None:
    if mock.covered is None or not mock.points:
        return None
    return len(mock.covered) / len(mock.points)


def missed_points(mock: MockInterview) -> list[dict[str, object]]:
    covered = set(mock.covered or ())
    return [point for i, point in enumerate(mock.points) if i not in covered]


def recent_mocks(user_id: int, limit: int = 10) -> list[MockInterview]:
    return list(
        db.session.scalars(
            sa.select(MockInterview)
            .where(MockInterview.user_id == user_id, MockInterview.scored_at.is_not(None))
            .order_by(MockInterview.scored_at.desc(), MockInterview.id.desc())
            .limit(limit)
        )
    )
