"""What a live quiz shows: the current question as everyone sees it (one choice order for the
whole room), the answer distribution, and the leaderboard.

The leaderboard ranks by right answers, then by the time they took, measured by the server from
each question's opening; no client can claim a faster answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa

from app.domain.questions import presented_choices
from app.domain.render import render_inline, render_markdown
from app.extensions import db
from app.models import LiveAnswer, LivePlayer, LiveQuiz, Question

LEADERBOARD_SIZE = 10


@dataclass(frozen=True)
class ShownQuestion:
    question_id: int
    prompt_html: str
    choices_html: tuple[str, ...]
    choice_ids: tuple[int, ...]
    correct_id: int
    answer_html: str
    explanation_html: str
    article_title: str


@lru_cache(maxsize=512)
def _shown(quiz_id: int, code: str, question_id: int) -> ShownQuestion:
    """A question as the room sees it; questions do not change during a quiz, so each worker
    renders it once. The random code makes the key unique to this quiz even where ids are
    reused (a database emptied and filled again)."""
    question = db.session.get(Question, question_id)
    assert question is not None and question.correct is not None
    order = presented_choices(
        tuple(question.choices or ()),
        f"live\x00{quiz_id}\x00{question.key}",
        fixed=question.fixed_order,
    )
    return ShownQuestion(
        question_id=question.id,
        prompt_html=render_markdown(question.prompt),
        choices_html=tuple(render_inline(text) for _, text in order),
        choice_ids=tuple(number for number, _ in order),
        correct_id=question.correct,
        answer_html=render_markdown(question.answer),
        explanation_html=render_markdown(question.explanation),
        article_title=question.article.title,
    )


def shown_question(quiz: LiveQuiz) -> ShownQuestion | None:
    if not 0 <= quiz.position < len(quiz.question_ids):
        return None
    return _shown(quiz.id, quiz.code, quiz.question_ids[quiz.position])


def distribution(quiz: LiveQuiz, shown: ShownQuestion) -> tuple[int, ...]:
    """How many chose each shown choice (kicked players' answers included: they were given)."""
    counts = dict(
        db.session.execute(
            sa.select(LiveAnswer.response, sa.func.count())
            .where(LiveAnswer.quiz_id == quiz.id, LiveAnswer.position == quiz.position)
            .group_by(LiveAnswer.response)
        ).all()
    )
    return tuple(counts.get(str(choice), 0) for choice in shown.choice_ids)


def answered_count(quiz: LiveQuiz) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LiveAnswer)
            .where(LiveAnswer.quiz_id == quiz.id, LiveAnswer.position == quiz.position)
        )
        or 0
    )


@dataclass(frozen=True)
class Standing:
    rank: int
    player_id: int
    nickname: str
    right: int
    ms: int  # server-measured time spent on the right answers


def standings(quiz_id: int) -> list[Standing]:
    """Every seated player, best first: most right, then least time on them, then who joined
    first."""
    right = sa.func.sum(sa.case((LiveAnswer.correct, 1), else_=0))
    ms = sa.func.sum(sa.case((LiveAnswer.correct, LiveAnswer.ms), else_=0))
    rows = db.session.execute(
        sa.select(
            LivePlayer.id, LivePlayer.nickname, sa.func.coalesce(right, 0), sa.func.coalesce(ms, 0)
        )
        .outerjoin(LiveAnswer, LiveAnswer.player_id == LivePlayer.id)
        .where(LivePlayer.quiz_id == quiz_id, LivePlayer.kicked_at.is_(None))
        .group_by(LivePlayer.id, LivePlayer.nickname)
        .order_by(sa.func.coalesce(right, 0).desc(), sa.func.coalesce(ms, 0), LivePlayer.id)
    ).all()
    return [
        Standing(rank, player_id, nickname, int(r), int(t))
        for rank, (player_id, nickname, r, t) in enumerate(rows, 1)
    ]


@dataclass(frozen=True)
class Room:
    """What every player of a quiz sees alike at one version: computed once per version by each
    worker (a version never changes what it shows), so a reveal to a full room costs one
    distribution and one leaderboard, not one per player."""

    version: int
    question: ShownQuestion | None
    counts: tuple[int, ...] | None
    standings: tuple[Standing, ...]
    players: int


_rooms: dict[tuple[int, str, int], Room] = {}
ROOMS_KEPT = 256


def room(quiz: LiveQuiz) -> Room:
    key = (quiz.id, quiz.code, quiz.version)
    found = _rooms.get(key)
    if found is not None:
        return found
    phase = quiz.phase
    question = shown_question(quiz) if phase in ("question", "reveal") else None
    counts = distribution(quiz, question) if question is not None and phase == "reveal" else None
    board = tuple(standings(quiz.id)) if phase in ("reveal", "ended") else ()
    players = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LivePlayer)
            .where(LivePlayer.quiz_id == quiz.id, LivePlayer.kicked_at.is_(None))
        )
        or 0
    )
    made = Room(quiz.version, question, counts, board, players)
    # Answers to an open question change nothing here (its distribution waits for the reveal);
    # a guest joining mid-question shows in the count at the next version.
    if len(_rooms) >= ROOMS_KEPT:
        _rooms.clear()
    _rooms[key] = made
    return made
