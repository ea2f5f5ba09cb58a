"""Integrity: every card's stored state must be what replaying its review log gives."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.domain import scheduling as fsrs
from app.extensions import db
from app.models import Card, CardChange, Preset, ReviewLog
from app.services.study import CardAction, card_memory, domain_preset
from app.services.study.cards import MEMORY_FIELDS


@dataclass(frozen=True)
class Mismatch:
    card_id: int
    user_id: int
    field: str
    stored: object
    replayed: object


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    if isinstance(a, datetime) and isinstance(b, datetime):
        return abs(a - b) <= timedelta(milliseconds=1)
    return a == b


def verify_cards(*, user_id: int | None = None, batch: int = 500) -> tuple[int, list[Mismatch]]:
    """Replay every card's log with the preset in force at each review; report any difference."""
    presets: dict[int, fsrs.Preset] = {}
    mismatches: list[Mismatch] = []
    checked = 0
    query = sa.select(Card).where(Card.reps > 0).order_by(Card.id)
    if user_id is not None:
        query = query.where(Card.user_id == user_id)
    last_id = 0
    while True:
        cards = list(db.session.scalars(query.where(Card.id > last_id).limit(batch)))
        if not cards:
            break
        logs: dict[int, list[ReviewLog]] = defaultdict(list)
        for log in db.session.scalars(
            sa.select(ReviewLog)
            .where(ReviewLog.card_id.in_([c.id for c in cards]), ReviewLog.undone_at.is_(None))
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        ):
            logs[log.card_id].append(log)
        # A card the learner reset ("forget") starts again from new: replay what came after.
        forgotten = dict(
            db.session.execute(
                sa.select(CardChange.card_id, sa.func.max(CardChange.changed_at))
                .where(
                    CardChange.card_id.in_([c.id for c in cards]),
                    CardChange.action == CardAction.FORGET.value,
                    CardChange.undone_at.is_(None),
                )
                .group_by(CardChange.card_id)
            ).all()
        )
        for card in cards:
            checked += 1
            memory = fsrs.Memory()
            reset_at = forgotten.get(card.id)
            for log in logs[card.id]:
                if reset_at is not None and log.reviewed_at <= reset_at:
                    continue
                key = log.preset_id or 0
                if key not in presets:
                    row = db.session.get(Preset, key) if key else None
                    presets[key] = domain_preset(row) if row else fsrs.Preset()
                outcome = fsrs.review(
                    memory,
                    fsrs.Rating(log.rating),
                    log.reviewed_at,
                    presets[key],
                    fuzz_seed=log.fuzz_seed,
                    today=log.study_date,
                )
                memory = outcome.memory
            stored = card_memory(card)
            for name in MEMORY_FIELDS:
                a, b = getattr(stored, name), getattr(memory, name)
                if not _close(a, b):
                    mismatches.append(Mismatch(card.id, card.user_id, name, a, b))
        last_id = cards[-1].id
    return checked, mismatches
