"""Every race ends in one applied change or a clear Conflict, never a crash and never twice.

Real threads, each in its own app context as two requests are, start together at a barrier and
act on the same learner: answer, undo, suspend, unsuspend, bury, enrol, leave and a preset change,
pairwise, then a crowd of undos and a crowd of enrolments. Runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.domain.scheduling import Rating
from app.extensions import db
from app.models import Card, Enrolment, ReviewLog
from app.services import study
from app.services.errors import Conflict, NotFound
from tests.concurrency import race
from tests.integration.test_study import (
    CORE_ALPHA,
    NOW,
    answer,
    enrolled,
    enrolment,
    version_of,
)

AT = NOW + timedelta(hours=1)


EXPECTED = (Conflict, NotFound)


@dataclass
class World:
    """One learner in the "core" track who has answered two cards; `qid` is the second."""

    user_id: int
    qid: int
    other: int
    core: int

    @classmethod
    def make(cls, bank: dict[str, int]) -> World:
        user_id = enrolled("core")
        first, second = bank[CORE_ALPHA[0]], bank[CORE_ALPHA[1]]
        answer(user_id, first, NOW, rating=Rating.GOOD)
        answer(user_id, second, NOW + timedelta(minutes=1), rating=Rating.GOOD)
        world = cls(user_id, second, first, enrolment(user_id, "core").id)
        db.session.commit()  # hold no transaction while the threads run
        return world


def _answer(w: World) -> object:
    return study.answer(
        w.user_id,
        review_id=uuid.uuid4().hex,
        question_id=w.qid,
        version=version_of(w.user_id, w.qid),
        now=AT,
        rating=Rating.GOOD,
        fuzz=False,
    )


OPERATIONS: dict[str, Callable[[World], object]] = {
    "answer": _answer,
    "undo": lambda w: study.undo(w.user_id, now=AT),
    "suspend": lambda w: study.suspend(w.user_id, w.qid, now=AT),
    "unsuspend": lambda w: study.unsuspend(w.user_id, w.qid, now=AT),
    "bury": lambda w: study.bury(w.user_id, w.qid, now=AT),
    "enrol": lambda w: study.enrol(w.user_id, "extra", now=AT),
    "leave": lambda w: study.leave(w.user_id, w.core, now=AT),
    "preset": lambda w: study.update_preset(w.user_id, w.core, {"new_per_day": 7}, now=AT),
}


def failures(outcomes: list[object]) -> list[object]:
    return [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, EXPECTED)]


def undone_logs(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ReviewLog)
        .where(ReviewLog.user_id == user_id, ReviewLog.undone_at.is_not(None))
    )


PAIRS = list(itertools.combinations_with_replacement(sorted(OPERATIONS), 2))


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_two_changes_at_once_apply_or_conflict(app, bank, first, second):
    world = World.make(bank)
    outcomes = race(app, lambda: OPERATIONS[first](world), lambda: OPERATIONS[second](world))

    assert failures(outcomes) == [], outcomes
    db.session.expire_all()
    # An undo that answered undid exactly one answer (undo alone returns a plain question id).
    undos = [o for o in outcomes if type(o) is int]
    assert undone_logs(world.user_id) == len(undos)
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == world.user_id, Card.question_id == world.qid)
    )
    assert card is not None
    # Whatever won, the card's state is the one its latest standing answer left it in.
    standing = db.session.scalars(
        sa.select(ReviewLog)
        .where(ReviewLog.card_id == card.id, ReviewLog.undone_at.is_(None))
        .order_by(ReviewLog.id)
    ).all()
    assert card.reps == len(standing)
    enrolments = db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrolment).where(Enrolment.user_id == world.user_id)
    )
    assert enrolments == (2 if "enrol" in (first, second) else 1)


def test_a_crowd_of_undos_undoes_each_answer_once(app, bank):
    world = World.make(bank)
    outcomes = race(app, *[lambda: study.undo(world.user_id, now=AT)] * 4)

    assert failures(outcomes) == [], outcomes
    undone = [o for o in outcomes if isinstance(o, int)]
    db.session.expire_all()
    assert undone_logs(world.user_id) == len(undone) >= 1
    # The latest answer was undone first; a second undo, if any won, took the one before.
    assert sorted(undone) == sorted([world.qid, world.other][: len(undone)])
    for qid in (world.qid, world.other):
        card = db.session.scalar(
            sa.select(Card).where(Card.user_id == world.user_id, Card.question_id == qid)
        )
        assert card is not None
        assert card.reps == (0 if qid in undone else 1)


def test_a_crowd_enrolling_in_one_track_makes_one_enrolment(app, bank):
    user_id = enrolled()
    db.session.commit()
    outcomes = race(app, *[lambda: study.enrol(user_id, "core", now=AT).id] * 5)

    assert failures(outcomes) == [], outcomes
    returned = {o for o in outcomes if type(o) is int}
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Enrolment).where(Enrolment.user_id == user_id)).all()
    assert len(rows) == 1
    assert returned == {rows[0].id}


def test_an_answer_racing_a_suspend_of_its_card_never_crashes(app, bank):
    for _ in range(3):
        world = World.make(bank)
        outcomes = race(
            app,
            lambda w=world: _answer(w),
            lambda w=world: study.suspend(w.user_id, w.qid, now=AT),
        )
        assert failures(outcomes) == [], outcomes
        assert any(not isinstance(o, Exception) for o in outcomes)
