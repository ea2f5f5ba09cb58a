"""What a learner does to a card besides answering it: undo the last answer, suspend, unsuspend,
bury and unbury (one card or a selection), and the leech list.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from app.domain import scheduling as fsrs
from app.domain.studyday import study_day
from app.extensions import db
from app.models import (
    Card,
    CardChange,
    Enrolment,
    ReviewLog,
)
from app.services import plans as day_plans
from app.services.concurrency import one_change
from app.services.errors import Conflict, NotFound
from app.services.plans import rowcount
from app.services.study.cards import (
    get_question,
    home_enrolment,
    memory_columns,
    memory_from_snapshot,
    parse_time,
)
from app.services.study.learners import forget_plans, get_user

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Undone:
    """What an undo took back: an answer, or one action on one or more cards."""

    what: str  # "answer", or a CardAction's value
    question_ids: list[int]


def undo_last(user_id: int, *, now: datetime) -> Undone:
    """Undo the learner's latest answer or card action, whichever came last: a stack, undone one
    at a time in reverse order, each saying what it was."""
    answered = db.session.scalar(
        sa.select(ReviewLog.reviewed_at)
        .where(ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None))
        .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
        .limit(1)
    )
    change = db.session.execute(
        sa.select(CardChange.batch, CardChange.changed_at)
        .where(CardChange.user_id == user_id, CardChange.undone_at.is_(None))
        .order_by(CardChange.changed_at.desc(), CardChange.id.desc())
        .limit(1)
    ).first()
    if change is not None and (answered is None or change.changed_at >= answered):
        return _undo_change(user_id, change.batch, now)
    if answered is None:
        raise NotFound("there is nothing to undo")
    return Undone("answer", [undo(user_id, now=now)])


def _undo_change(user_id: int, batch: str, now: datetime) -> Undone:
    with one_change("That action was undone or changed at the same moment; reload and try again."):
        rows = list(
            db.session.scalars(
                sa.select(CardChange).where(
                    CardChange.user_id == user_id,
                    CardChange.batch == batch,
                    CardChange.undone_at.is_(None),
                )
            )
        )
        claimed = db.session.execute(
            sa.update(CardChange)
            .where(CardChange.batch == batch, CardChange.undone_at.is_(None))
            .values(undone_at=now)
            .execution_options(synchronize_session=False)
        )
        if not rows or rowcount(claimed) != len(rows):
            raise Conflict("That action was already undone.")
        question_ids = []
        for row in rows:
            card = db.session.get(Card, row.card_id)
            assert card is not None
            card.suspended = row.before["suspended"]
            card.leech = row.before["leech"]
            card.buried_until = parse_time(row.before["buried_until"])
            card.flagged = row.before.get("flagged", card.flagged)
            if row.action == CardAction.FORGET.value:
                for name, value in memory_columns(memory_from_snapshot(row.before)).items():
                    setattr(card, name, value)
            question_ids.append(card.question_id)
        forget_plans(user_id, now)
        db.session.commit()
    return Undone(rows[0].action, question_ids)


def undo(user_id: int, *, now: datetime) -> int:
    """Undo the learner's latest answer, restoring the card exactly. Returns its question id.

    The answer is claimed first (its log marked undone only if nobody has marked it yet), and
    the card restored only if it has not changed since: two undos at once undo it once, and an
    undo racing an answer to the same card is a Conflict, never a half-applied undo.
    """
    with one_change("That answer was undone or changed at the same moment; reload and try again."):
        with db.session.no_autoflush:
            log = db.session.scalar(
                sa.select(ReviewLog)
                .where(ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None))
                .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
                .limit(1)
            )
        if log is None:
            raise NotFound("there is no answer to undo")
        claimed = db.session.execute(
            sa.update(ReviewLog)
            .where(ReviewLog.id == log.id, ReviewLog.undone_at.is_(None))
            .values(undone_at=now)
        )
        if rowcount(claimed) != 1:
            raise Conflict("That answer was already undone.")
        card = db.session.get(Card, log.card_id)
        assert card is not None
        before = log.before
        home = before.get("enrolment_id")
        if home is not None and db.session.get(Enrolment, home) is None:
            home = card.enrolment_id
        restored = db.session.execute(
            sa.update(Card)
            .where(Card.id == card.id, Card.version == card.version)
            .values(
                **memory_columns(memory_from_snapshot(before)),
                suspended=before["suspended"],
                buried_until=parse_time(before["buried_until"]),
                leech=before["leech"],
                enrolment_id=home if home is not None else card.enrolment_id,
                version=card.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if rowcount(restored) != 1:
            raise Conflict("The card changed at the same moment; reload and try again.")
        user = get_user(user_id)
        answered_on = study_day(log.reviewed_at, user.timezone, user.day_start_hour).date
        day_plans.uncount_answer(user_id, answered_on)
        forget_plans(user_id, now)
        db.session.commit()
    db.session.expire_all()
    return card.question_id


def card_of(user_id: int, question_id: int) -> Card | None:
    """The learner's card of a question, if it has one."""
    return db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )


def _card_for_action(user_id: int, question_id: int, now: datetime) -> Card:
    question = get_question(question_id)
    card = card_of(user_id, question_id)
    if card is None:
        card = Card(
            user_id=user_id,
            question_id=question.id,
            enrolment_id=home_enrolment(user_id, question).id,
            created_at=now,
        )
        db.session.add(card)
    return card


CARD_CHANGED = "This card changed in another tab or device; reload and try again."


class CardAction(StrEnum):
    SUSPEND = "suspend"  # out of every queue until unsuspended
    UNSUSPEND = "unsuspend"  # back, and no longer marked a leech
    BURY = "bury"  # out of the queue until the learner's next day starts
    UNBURY = "unbury"  # back today
    FLAG = "flag"  # marked, to find again in the card browser
    UNFLAG = "unflag"
    FORGET = "forget"  # back to new, its memory reset (the review log is kept)


def change_cards(
    user_id: int, question_ids: Sequence[int], action: CardAction, *, now: datetime
) -> list[Card]:
    """Apply one action to each of the learner's cards, all or none (a card changed meanwhile
    is a Conflict). A question outside the learner's tracks is a NotFound and changes nothing.
    The action is kept, so undo can take it back."""
    with one_change(CARD_CHANGED):
        user = get_user(user_id)
        cards = [_card_for_action(user_id, qid, now) for qid in dict.fromkeys(question_ids)]
        db.session.flush()  # new cards get their ids
        batch = uuid.uuid4().hex
        for card in cards:
            db.session.add(
                CardChange(
                    user_id=user_id,
                    card_id=card.id,
                    batch=batch,
                    action=action.value,
                    before={**card.snapshot(), "flagged": card.flagged},
                    changed_at=now,
                )
            )
            if action is CardAction.SUSPEND:
                card.suspended = True
            elif action is CardAction.UNSUSPEND:
                card.suspended = False
                card.leech = False
            elif action is CardAction.BURY:
                card.buried_until = study_day(now, user.timezone, user.day_start_hour).end
            elif action is CardAction.UNBURY:
                card.buried_until = None
            elif action is CardAction.FORGET:
                for name, value in memory_columns(fsrs.Memory()).items():
                    setattr(card, name, value)
                card.leech = False
            else:
                card.flagged = action is CardAction.FLAG
        forget_plans(user_id, now)
        db.session.commit()
    return cards


def suspend(user_id: int, question_id: int, *, now: datetime) -> Card:
    return change_cards(user_id, [question_id], CardAction.SUSPEND, now=now)[0]


def unsuspend(user_id: int, question_id: int, *, now: datetime) -> Card:
    return change_cards(user_id, [question_id], CardAction.UNSUSPEND, now=now)[0]


def bury(user_id: int, question_id: int, *, now: datetime) -> Card:
    """Hide the card until the learner's next day starts."""
    return change_cards(user_id, [question_id], CardAction.BURY, now=now)[0]


def leeches(user_id: int) -> list[Card]:
    return list(
        db.session.scalars(
            sa.select(Card)
            .where(Card.user_id == user_id, Card.leech.is_(True))
            .order_by(Card.lapses.desc(), Card.id)
        )
    )
