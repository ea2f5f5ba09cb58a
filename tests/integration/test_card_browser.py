"""The card browser on the real database: what a search finds, its order and pages, and actions
on a selection that apply to all of it or none."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.domain.scheduling import CardState, Rating
from app.extensions import db
from app.models import Card, Question
from app.services import integrity, study
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.study import CardAction, CardFilter, CardSearch, CardSort
from tests.concurrency import race
from tests.factories import NOW, make_user
from tests.integration.test_study import CORE_ALPHA, EXTRA_BETA, answer

DAY = timedelta(days=1)


def enrolled(*tracks: str) -> int:
    user_id = make_user().id
    for track in tracks:
        study.enrol(user_id, track, now=NOW)
    return user_id


def found(user_id: int, **search: object) -> list[int]:
    """Every question id the search finds, reading page after page of two."""
    ids: list[int] = []
    after = None
    while True:
        page = study.browse(user_id, CardSearch(**search), now=NOW, limit=2, after=after)  # type: ignore[arg-type]
        ids += [c.question_id for c in page.cards]
        assert page.total >= len(ids)
        if page.after is None:
            assert page.total == len(ids)
            return ids
        after = page.after


def test_every_question_of_the_learners_tracks_and_no_other(bank):
    user_id = enrolled("core")
    core = found(user_id, sort=CardSort.ARTICLE)
    questions = db.session.scalars(sa.select(Question).where(Question.id.in_(core))).all()
    assert {q.article.key for q in questions} == {"alpha", "cache"}
    assert len(core) == len(set(core))  # no page repeats a card
    assert {bank[k] for k in CORE_ALPHA} <= set(core)
    assert not {bank[k] for k in EXTRA_BETA} & set(core)
    assert found(user_id, track="extra") == []  # not enrolled there
    with pytest.raises(NotFound):
        found(user_id, track="nope")
    assert found(enrolled(), sort=CardSort.DUE) == []


def test_text_state_lapses_and_due_filters(bank):
    user_id = enrolled("core")
    alpha = [bank[k] for k in CORE_ALPHA]
    assert found(user_id, text="question 3 ABOUT alpha") == [alpha[2]]
    assert found(user_id, text="100%_") == []  # LIKE's wildcards are literal
    answer(user_id, alpha[0], NOW, rating=Rating.GOOD)
    answer(user_id, alpha[1], NOW, rating=Rating.AGAIN)
    study.suspend(user_id, alpha[2], now=NOW)
    study.bury(user_id, alpha[3], now=NOW)
    new = set(found(user_id, state=CardFilter.NEW))
    assert alpha[0] not in new and alpha[1] not in new
    assert {alpha[2], alpha[3], alpha[4]} <= new  # acted on but never answered: still new
    assert found(user_id, state=CardFilter.SUSPENDED) == [alpha[2]]
    assert found(user_id, state=CardFilter.BURIED) == [alpha[3]]
    learning = found(user_id, state=CardFilter.LEARNING)
    assert set(learning) == {alpha[0], alpha[1]}
    assert found(user_id, min_lapses=1) == []  # a failed new card has not lapsed
    assert set(found(user_id, due_by=NOW.date())) == {alpha[0], alpha[1]}
    assert found(user_id, due_by=(NOW - 2 * DAY).date()) == []


def test_sorts_and_a_cursor_survives_changes_between_pages(bank):
    user_id = enrolled("core", "wide")
    alpha = [bank[k] for k in CORE_ALPHA]
    for qid in alpha[:3]:
        answer(user_id, qid, NOW, rating=Rating.GOOD)
    due_first = found(user_id, sort=CardSort.DUE)
    assert set(due_first[:3]) == set(alpha[:3])  # due soonest first; never answered last
    dues = [
        db.session.scalar(sa.select(Card.due).where(Card.question_id == q)) for q in due_first[:3]
    ]
    assert dues == sorted(dues)
    card = db.session.scalar(sa.select(Card).where(Card.question_id == alpha[0]))
    card.lapses = 4
    db.session.commit()
    assert found(user_id, sort=CardSort.LAPSES)[0] == alpha[0]

    first = study.browse(user_id, CardSearch(sort=CardSort.DUE), now=NOW, limit=5)
    study.suspend(user_id, first.cards[-1].question_id, now=NOW)  # changes nothing it sorts by
    rest = study.browse(user_id, CardSearch(), now=NOW, limit=200, after=first.after)
    seen = [c.question_id for c in first.cards] + [c.question_id for c in rest.cards]
    assert len(seen) == len(set(seen)) == first.total


@pytest.mark.parametrize("cursor", ["not a cursor", "WzEsMl0", "WyJ4IiwiMiIsM10"])
def test_a_cursor_from_elsewhere_is_refused(bank, cursor):
    user_id = enrolled("core")
    with pytest.raises(ValidationError) as refused:
        study.browse(user_id, CardSearch(), now=NOW, after=cursor)
    assert "after" in refused.value.details["fields"]
    with pytest.raises(ValidationError):
        study.browse(user_id, CardSearch(), now=NOW, limit=0)


def test_an_action_on_a_selection_applies_to_all_or_none(bank):
    user_id = enrolled("core")
    alpha = [bank[k] for k in CORE_ALPHA]
    changed = study.change_cards(user_id, alpha[:3] + alpha[:1], CardAction.SUSPEND, now=NOW)
    assert [c.question_id for c in changed] == alpha[:3]  # each once
    assert set(found(user_id, state=CardFilter.SUSPENDED)) == set(alpha[:3])
    beta = bank[EXTRA_BETA[0]]  # not in the learner's tracks
    with pytest.raises(NotFound):
        study.change_cards(user_id, [alpha[3], beta], CardAction.SUSPEND, now=NOW)
    db.session.rollback()
    assert set(found(user_id, state=CardFilter.SUSPENDED)) == set(alpha[:3])
    study.change_cards(user_id, alpha[:3], CardAction.UNSUSPEND, now=NOW)
    study.change_cards(user_id, alpha[:2], CardAction.BURY, now=NOW)
    assert set(found(user_id, state=CardFilter.BURIED)) == set(alpha[:2])
    study.change_cards(user_id, alpha[:2], CardAction.UNBURY, now=NOW)
    assert (
        found(user_id, state=CardFilter.BURIED) == found(user_id, state=CardFilter.SUSPENDED) == []
    )
    states = db.session.scalars(sa.select(Card.state).where(Card.user_id == user_id)).all()
    assert set(states) == {CardState.NEW}
    study.change_cards(user_id, alpha[4:6], CardAction.FLAG, now=NOW)
    assert set(found(user_id, state=CardFilter.FLAGGED)) == set(alpha[4:6])
    page = study.browse(user_id, CardSearch(state=CardFilter.FLAGGED), now=NOW)
    assert all(card.flagged for card in page.cards)
    study.change_cards(user_id, alpha[5:6], CardAction.UNFLAG, now=NOW)
    assert found(user_id, state=CardFilter.FLAGGED) == [alpha[4]]
    assert study.undo_last(user_id, now=NOW) == study.Undone("unflag", [alpha[5]])
    assert set(found(user_id, state=CardFilter.FLAGGED)) == set(alpha[4:6])


def test_a_selection_racing_an_answer_ends_in_one_change_or_a_conflict(bank, app):
    user_id = enrolled("core")
    alpha = [bank[k] for k in CORE_ALPHA]
    answer(user_id, alpha[0], NOW)
    version = db.session.scalar(sa.select(Card.version).where(Card.question_id == alpha[0]))
    db.session.remove()

    def suspend_both() -> object:
        return study.change_cards(user_id, alpha[:2], CardAction.SUSPEND, now=NOW)

    def answer_again() -> object:
        return answer(user_id, alpha[0], NOW + DAY, version=version)

    outcomes = race(app, suspend_both, answer_again)
    assert all(not isinstance(o, Exception) or isinstance(o, Conflict) for o in outcomes), outcomes
    assert any(not isinstance(o, Exception) for o in outcomes)
    suspended = db.session.scalars(
        sa.select(Card.suspended).where(Card.question_id.in_(alpha[:2]), Card.user_id == user_id)
    ).all()
    assert len(set(suspended)) <= 1  # both suspended or neither: never half a selection


def test_undo_takes_back_actions_and_answers_newest_first_and_once(bank, app):
    user_id = enrolled("core")
    alpha = [bank[k] for k in CORE_ALPHA]
    answer(user_id, alpha[0], NOW)
    study.change_cards(user_id, alpha[:3], CardAction.SUSPEND, now=NOW + DAY)
    study.change_cards(user_id, alpha[1:2], CardAction.BURY, now=NOW + 2 * DAY)
    db.session.remove()

    outcomes = race(app, *[lambda: study.undo_last(user_id, now=NOW + 3 * DAY)] * 3)
    assert all(isinstance(o, study.Undone | Conflict) for o in outcomes), outcomes
    undone = [o for o in outcomes if isinstance(o, study.Undone)]
    assert undone and undone[0] == study.Undone("bury", [alpha[1]])  # the newest, first
    while True:  # the rest, one at a time, until nothing is left
        try:
            undone.append(study.undo_last(user_id, now=NOW + 3 * DAY))
        except NotFound:
            break
    # Each taken back exactly once, newest first: never twice, whatever raced.
    assert [u.what for u in undone] == ["bury", "suspend", "answer"]
    assert sorted(undone[1].question_ids) == sorted(alpha[:3])
    assert undone[2].question_ids == [alpha[0]]
    assert (
        found(user_id, state=CardFilter.SUSPENDED) == found(user_id, state=CardFilter.BURIED) == []
    )


def test_forget_resets_a_card_keeps_its_history_and_can_be_undone(bank):
    user_id = enrolled("core")
    qid = bank[CORE_ALPHA[0]]
    for day in range(3):
        answer(user_id, qid, NOW + day * 4 * DAY)
    card = db.session.scalar(sa.select(Card).where(Card.question_id == qid))
    remembered = (card.state, card.stability, card.due, card.reps)
    assert card.reps == 3

    study.change_cards(user_id, [qid], CardAction.FORGET, now=NOW + 13 * DAY)
    db.session.expire_all()
    assert (card.state, card.stability, card.due, card.reps, card.lapses) == (
        CardState.NEW,
        None,
        None,
        0,
        0,
    )
    assert qid in found(user_id, state=CardFilter.NEW)
    assert integrity.verify_cards(user_id=user_id) == (0, [])  # a new card: nothing to replay

    # Answered again, it is replayed from the reset on: the earlier log is kept but not replayed.
    answer(user_id, qid, NOW + 14 * DAY)
    assert integrity.verify_cards(user_id=user_id) == (1, [])
    assert study.undo_last(user_id, now=NOW + 14 * DAY) == study.Undone("answer", [qid])
    assert study.undo_last(user_id, now=NOW + 14 * DAY) == study.Undone("forget", [qid])
    db.session.expire_all()
    assert (card.state, card.stability, card.due, card.reps) == remembered
    assert integrity.verify_cards(user_id=user_id) == (1, [])
