"""Cards with a history brought from elsewhere (an Anki package): each card's answers replayed
through Rehearse's own scheduler, in order, so its memory is exactly what FSRS makes of them.

The answers become review-log rows like any other (their review ids say where they came from),
so fitting, statistics and ``cards verify`` see them; the replay is unfuzzed, as a fresh
``scheduling.replay`` of the same ratings is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.domain import scheduling as fsrs
from app.domain.studyday import study_day
from app.extensions import db
from app.models import Card, ReviewLog, Track
from app.models.study import card_snapshot
from app.services.study.cards import memory_columns
from app.services.study.enrolments import enrolment_row
from app.services.study.learners import get_user
from app.services.study.presets import current_preset_row, domain_preset

_BATCH = 5_000
# An imported card is neither suspended, buried nor a leech while its history is replayed.
_NEW_FLAGS = {"suspended": False, "buried_until": None, "leech": False}


@dataclass(frozen=True)
class ImportedCard:
    question_id: int
    track_id: int
    ratings: Sequence[tuple[fsrs.Rating, datetime, int]]  # (rating, when, time taken in ms)
    review_ids: Sequence[str]  # one per rating, unique for this learner
    suspended: bool = False
    flagged: bool = False


def add_imported_cards(user_id: int, cards: Sequence[ImportedCard], *, now: datetime) -> int:
    """Give the learner these cards, enrolling them in each card's track, inside the caller's
    transaction. A question the learner already has a card for is left as it is. Returns how many
    cards were added."""
    user = get_user(user_id)
    have = (
        set(
            db.session.scalars(
                sa.select(Card.question_id).where(
                    Card.user_id == user_id, Card.question_id.in_({c.question_id for c in cards})
                )
            )
        )
        if cards
        else set()
    )
    enrolments: dict[int, tuple[int, int | None, fsrs.Preset]] = {}
    card_rows, log_rows = [], []
    for imported in cards:
        if imported.question_id in have:
            continue
        if imported.track_id not in enrolments:
            track = db.session.get(Track, imported.track_id)
            assert track is not None
            enrolment = enrolment_row(user_id, track, now)
            row = current_preset_row(enrolment)
            enrolments[imported.track_id] = (enrolment.id, row.id, domain_preset(row))
        enrolment_id, preset_id, preset = enrolments[imported.track_id]
        memory, logs = fsrs.Memory(), []
        for (rating, at, took), review_id in zip(
            imported.ratings, imported.review_ids, strict=True
        ):
            today = study_day(at, user.timezone, user.day_start_hour).date
            outcome = fsrs.review(memory, rating, at, preset, today=today)
            after = outcome.memory
            logs.append(
                {
                    "user_id": user_id,
                    "enrolment_id": enrolment_id,
                    "preset_id": preset_id,
                    "review_id": review_id,
                    "rating": int(rating),
                    "reviewed_at": at,
                    "study_date": today,
                    "duration_ms": took or None,
                    "answer": None,
                    "correct": None,
                    "overruled": False,
                    "state_before": int(memory.state),
                    "state_after": int(after.state),
                    "stability_after": after.stability,
                    "difficulty_after": after.difficulty,
                    "due_after": after.due,
                    "interval_days": outcome.interval.total_seconds() / 86400,
                    "elapsed_days": outcome.elapsed_days,
                    "retrievability": outcome.retrievability,
                    "fuzz_seed": None,
                    "before": card_snapshot(
                        {**memory_columns(memory), **_NEW_FLAGS, "enrolment_id": enrolment_id}
                    ),
                    "undone_at": None,
                }
            )
            memory = after
        card_rows.append(
            {
                "user_id": user_id,
                "question_id": imported.question_id,
                "enrolment_id": enrolment_id,
                **memory_columns(memory),
                "suspended": imported.suspended,
                "buried_until": None,
                "leech": False,
                "flagged": imported.flagged,
                "version": 0,
                "created_at": now,
            }
        )
        log_rows.append((imported.question_id, logs))
    for start in range(0, len(card_rows), _BATCH):
        db.session.execute(sa.insert(Card), card_rows[start : start + _BATCH])
    ids: dict[int, int] = {}
    if card_rows:
        query = sa.select(Card.question_id, Card.id).where(
            Card.user_id == user_id,
            Card.question_id.in_([row["question_id"] for row in card_rows]),
        )
        ids = {question_id: card_id for question_id, card_id in db.session.execute(query)}
    pending: list[dict[str, Any]] = []
    for question_id, logs in log_rows:
        for log in logs:
            pending.append({**log, "card_id": ids[question_id]})
        if len(pending) >= _BATCH:
            db.session.execute(sa.insert(ReviewLog), pending)
            pending = []
    if pending:
        db.session.execute(sa.insert(ReviewLog), pending)
    return len(card_rows)
