"""What the host's screen shows: the code to join by, who has joined, how many answered the open
question, the distribution and the leaderboard."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import LivePlayer, LiveQuiz
from app.services.live.board import (
    LEADERBOARD_SIZE,
    ShownQuestion,
    Standing,
    answered_count,
    distribution,
    shown_question,
    standings,
)
from app.services.live.hosting import LivePhase, hosted


@dataclass(frozen=True)
class HostState:
    quiz: LiveQuiz
    players: tuple[LivePlayer, ...]  # seated, in joining order
    question: ShownQuestion | None
    answered: int
    counts: tuple[int, ...] | None
    leaders: tuple[Standing, ...]


def host_state(host_id: int, quiz_id: int) -> HostState:
    quiz = hosted(host_id, quiz_id)
    players = tuple(
        db.session.scalars(
            sa.select(LivePlayer)
            .where(LivePlayer.quiz_id == quiz.id, LivePlayer.kicked_at.is_(None))
            .order_by(LivePlayer.joined_at, LivePlayer.id)
        )
    )
    phase = LivePhase(quiz.phase)
    question = shown_question(quiz) if phase in (LivePhase.QUESTION, LivePhase.REVEAL) else None
    counts = (
        distribution(quiz, question) if question is not None and phase == LivePhase.REVEAL else None
    )
    leaders = (
        tuple(standings(quiz.id)[:LEADERBOARD_SIZE])
        if phase in (LivePhase.REVEAL, LivePhase.ENDED)
        else ()
    )
    return HostState(
        quiz, players, question, answered_count(quiz) if question else 0, counts, leaders
    )
