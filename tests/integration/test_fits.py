"""Fitting FSRS parameters per enrolment, on a history simulated from known parameters: better
parameters are kept, worse ones rejected, small histories skipped; the nightly run does each
history once; a learner's refit request is queued by the web request and run by the job."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.domain import fitting
from app.domain.scheduling import (
    DEFAULT_PARAMETERS,
    CardState,
    Memory,
    Preset,
    Rating,
    retrievability,
    review,
)
from app.extensions import db
from app.models import Card, Enrolment, ParameterFit, Question, ReviewLog
from app.services import banks, fits, study
from tests.conftest import count
from tests.factories import log_in, make_user
from tests.integration.test_bank_sync import write_bank

MIN_REVIEWS = 300
T0 = datetime(2025, 11, 3, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DAYS, CARDS, SEED = 120, 60, 5
FIT_AT = T0 + DAYS * DAY

# The simulated learner forgets faster than FSRS' defaults assume: small initial stabilities,
# slower stability growth (w8), a steeper forgetting curve (w20).
LEARNER = (0.1, 0.5, 1.0, 3.0, *DEFAULT_PARAMETERS[4:8], 1.2, *DEFAULT_PARAMETERS[9:20], 0.3)
# Badly wrong: every initial stability at its floor and the steepest forgetting curve allowed.
WRONG = (0.001, 0.001, 0.001, 0.001, *DEFAULT_PARAMETERS[4:20], 0.8)


@dataclass(frozen=True)
class SimulatedReview:
    card: int
    rating: Rating
    at: datetime
    before: Memory
    after: Memory
    retrievability: float | None
    elapsed_days: float | None


def simulate(parameters: tuple[float, ...], *, cards: int, days: int, seed: int) -> list[Any]:
    """A learner whose recall follows ``parameters`` exactly, reviewing each card when it is due.

    Cards are introduced over the first half of the period; review intervals are stretched by a
    random 0.8-1.6 so that recall probabilities vary; recall is drawn with the probability the
    parameters give, and a recalled card is rated Hard/Good/Easy 5/85/10 %.
    """
    rng = random.Random(seed)
    preset = Preset(parameters=parameters, desired_retention=0.85)
    end = T0 + days * DAY
    reviews: list[SimulatedReview] = []
    for card in range(cards):
        memory = Memory()
        at = T0 + timedelta(days=card * days / (2 * cards), minutes=rng.randrange(120))
        while at < end:
            if memory.state is CardState.NEW:
                rating = rng.choices(list(Rating), weights=(25, 5, 60, 10))[0]
            elif rng.random() < retrievability(memory, at, parameters):
                rating = rng.choices((Rating.HARD, Rating.GOOD, Rating.EASY), (5, 85, 10))[0]
            else:
                rating = Rating.AGAIN
            outcome = review(memory, rating, at, preset)
            reviews.append(
                SimulatedReview(
                    card,
                    rating,
                    at,
                    memory,
                    outcome.memory,
                    outcome.retrievability,
                    outcome.elapsed_days,
                )
            )
            memory = outcome.memory
            assert memory.due is not None
            gap = memory.due - at
            if gap >= DAY:
                gap *= rng.uniform(0.8, 1.6)
            at += gap
    return sorted(reviews, key=lambda r: r.at)


HISTORY = simulate(LEARNER, cards=CARDS, days=DAYS, seed=SEED)


def records(history: list[SimulatedReview]) -> list[fitting.ReviewRecord]:
    return [fitting.ReviewRecord(f"card-{r.card}", int(r.rating), r.at) for r in history]


@pytest.fixture
def fit_app(make_app: Any) -> Any:
    application = make_app(FIT_MIN_REVIEWS=MIN_REVIEWS)
    with application.app_context():
        yield application


@pytest.fixture
def questions(fit_app: Any, tmp_path: Path) -> list[int]:
    articles = [(f"topic{n}", f"Topic {n}", f"Alpha{n} vs Beta{n}") for n in range(9)]
    banks.sync(write_bank(tmp_path / "banks", articles=articles), now=T0 - 30 * DAY)
    ids = list(db.session.scalars(sa.select(Question.id).order_by(Question.id)))
    assert len(ids) >= CARDS
    return ids


def learner_with_history(
    questions: list[int], history: list[SimulatedReview], *, email: str | None = None
) -> Enrolment:
    """A learner enrolled in "basics" whose cards and review log are exactly ``history``."""
    user = make_user(email=email)
    enrolment = study.enrol(user.id, "basics", now=T0 - DAY)
    preset_id = enrolment.presets[0].id
    cards: dict[int, Card] = {}
    for r in history:
        if r.card not in cards:
            cards[r.card] = Card(
                user_id=user.id,
                question_id=questions[r.card],
                enrolment_id=enrolment.id,
                created_at=r.at,
            )
        card, after = cards[r.card], r.after
        card.state, card.step = int(after.state), after.step
        card.stability, card.difficulty = after.stability, after.difficulty
        card.due, card.last_review = after.due, after.last_review
        card.reps, card.lapses = after.reps, after.lapses
    db.session.add_all(cards.values())
    db.session.flush()
    db.session.add_all(
        ReviewLog(
            user_id=user.id,
            card_id=cards[r.card].id,
            enrolment_id=enrolment.id,
            preset_id=preset_id,
            review_id=f"sim-{n}",
            rating=int(r.rating),
            reviewed_at=r.at,
            state_before=int(r.before.state),
            state_after=int(r.after.state),
            stability_after=r.after.stability,
            difficulty_after=r.after.difficulty,
            due_after=r.after.due,
            interval_days=(r.after.due - r.at).total_seconds() / 86400,
            elapsed_days=r.elapsed_days,
            retrievability=r.retrievability,
            before={},
        )
        for n, r in enumerate(history)
    )
    db.session.commit()
    return enrolment


def set_parameters(enrolment: Enrolment, parameters: tuple[float, ...]) -> None:
    study.update_preset(
        enrolment.user_id, enrolment.id, {"parameters": list(parameters)}, now=T0 - DAY
    )


def presets(enrolment_id: int) -> list[list[float]]:
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, enrolment_id)
    assert enrolment is not None
    return [list(p.parameters) for p in enrolment.presets]


def test_the_simulated_history_is_deterministic_and_large_enough() -> None:
    assert simulate(LEARNER, cards=CARDS, days=DAYS, seed=SEED) == HISTORY
    assert len(HISTORY) == 692 >= MIN_REVIEWS
    assert all(r.at < FIT_AT for r in HISTORY)


def test_better_parameters_are_kept_as_a_new_preset_version(fit_app, questions):
    enrolment = learner_with_history(questions, HISTORY)
    set_parameters(enrolment, WRONG)
    before = presets(enrolment.id)

    fit = fits.fit_enrolment(enrolment.id, now=FIT_AT, trigger="nightly", min_reviews=MIN_REVIEWS)

    assert fit.status == "kept"
    assert fit.review_count == len(HISTORY)
    assert fit.log_loss_before is not None and fit.log_loss_after is not None
    assert fit.log_loss_after < fit.log_loss_before
    assert fit.finished_at == FIT_AT
    after = presets(enrolment.id)
    assert after[:-1] == before
    assert after[-1] == fit.parameters != list(WRONG)
    # The database's history is the simulation's: the service fits exactly what the domain does.
    expected = fitting.fit_and_compare(records(HISTORY), WRONG, now=FIT_AT, min_reviews=300)
    assert expected.accepted
    assert fit.log_loss_before == pytest.approx(expected.log_loss_before)
    assert fit.parameters == list(expected.parameters)
    # The kept parameters predict the whole history better than the wrong ones did.
    assert (
        fitting.evaluate(records(HISTORY), expected.parameters).log_loss
        < fitting.evaluate(records(HISTORY), WRONG).log_loss
    )
    # Only the parameters changed in the new version.
    db.session.expire_all()
    rows = db.session.get(Enrolment, enrolment.id).presets
    assert {k: v for k, v in rows[-1].values().items() if k != "parameters"} == {
        k: v for k, v in rows[-2].values().items() if k != "parameters"
    }


def test_the_generating_parameters_are_not_replaced_by_a_worse_fit(fit_app, questions):
    enrolment = learner_with_history(questions, HISTORY)
    set_parameters(enrolment, LEARNER)
    before = presets(enrolment.id)

    fit = fits.fit_enrolment(enrolment.id, now=FIT_AT, trigger="nightly", min_reviews=MIN_REVIEWS)

    assert fit.status == "rejected"
    assert fit.log_loss_before is not None and fit.log_loss_after is not None
    assert fit.log_loss_after > fit.log_loss_before
    assert presets(enrolment.id) == before
    assert before[-1] == list(LEARNER)
    assert fit.message == "The current parameters still predict your recent reviews better."


def test_a_history_below_the_threshold_is_skipped(fit_app, questions):
    enrolment = learner_with_history(questions, HISTORY)
    set_parameters(enrolment, WRONG)
    before = presets(enrolment.id)
    needed = len(HISTORY) + 1

    fit = fits.fit_enrolment(enrolment.id, now=FIT_AT, trigger="nightly", min_reviews=needed)

    assert fit.status == "skipped"
    assert fit.message == f"{len(HISTORY)} reviews; fitting needs at least {needed}"
    assert (fit.log_loss_before, fit.log_loss_after, fit.parameters) == (None, None, None)
    assert presets(enrolment.id) == before
    assert fits.eligible_enrolments(now=FIT_AT, min_reviews=needed) == []


def test_the_nightly_run_fits_each_grown_history_once(fit_app, questions):
    enrolment = learner_with_history(questions, HISTORY, email="long@example.com")
    set_parameters(enrolment, WRONG)
    short = learner_with_history(questions, HISTORY[:250], email="short@example.com")
    # Two thirds through the period the history is 400-odd reviews; at the end, 692.
    midway = T0 + 80 * DAY
    so_far = sum(r.at <= midway for r in HISTORY)
    assert so_far >= MIN_REVIEWS and len(HISTORY) >= so_far * (1 + fits.REFIT_GROWTH)

    assert fits.eligible_enrolments(now=midway, min_reviews=MIN_REVIEWS) == [enrolment.id]
    first = fits.run_nightly(now=midway, min_reviews=MIN_REVIEWS)
    again = fits.run_nightly(now=midway, min_reviews=MIN_REVIEWS)
    grown = fits.run_nightly(now=FIT_AT, min_reviews=MIN_REVIEWS)
    last = fits.run_nightly(now=FIT_AT, min_reviews=MIN_REVIEWS)

    assert first.eligible == 1 and first.kept + first.rejected == 1
    assert again == fits.NightlyRun(eligible=0, kept=0, rejected=0, other=0)
    assert grown.eligible == 1 and grown.kept + grown.rejected == 1
    assert last == fits.NightlyRun(eligible=0, kept=0, rejected=0, other=0)
    counts = db.session.execute(
        sa.select(ParameterFit.review_count).order_by(ParameterFit.id)
    ).scalars()
    assert list(counts) == [so_far, len(HISTORY)]
    assert count(ParameterFit) == 2  # none for the short history
    assert short.id not in fits.eligible_enrolments(now=FIT_AT, min_reviews=MIN_REVIEWS)


def test_the_refit_button_queues_a_fit_that_only_the_job_runs(fit_app, questions, monkeypatch):
    enrolment = learner_with_history(questions, HISTORY, email="ada@example.com")
    set_parameters(enrolment, WRONG)
    make_user(email="mallory@example.com")
    before = presets(enrolment.id)
    requested_at = FIT_AT - timedelta(minutes=5)
    monkeypatch.setattr("app.study.views.now", lambda: requested_at)
    url = f"/study/enrolments/{enrolment.id}/refit"

    intruder = fit_app.test_client()
    log_in(intruder, "mallory@example.com")
    assert intruder.post(url).status_code == 404
    assert count(ParameterFit) == 0

    client = fit_app.test_client()
    log_in(client, "ada@example.com")
    response = client.post(url)
    assert response.status_code == 302
    assert response.location == f"/study/enrolments/{enrolment.id}/preset"
    assert client.post(url).status_code == 302  # a second press while queued: the same request

    db.session.expire_all()
    queued = db.session.scalars(sa.select(ParameterFit)).all()
    assert len(queued) == 1
    fit = queued[0]
    assert (fit.status, fit.trigger, fit.created_at) == ("queued", "on_demand", requested_at)
    assert (fit.finished_at, fit.review_count, fit.parameters) == (None, 0, None)
    assert presets(enrolment.id) == before  # nothing was fitted in the web request

    assert fits.run_queued(now=FIT_AT, min_reviews=MIN_REVIEWS) == 1
    db.session.expire_all()
    fit = db.session.get(ParameterFit, fit.id)
    assert fit is not None
    assert (fit.status, fit.finished_at, fit.review_count) == ("kept", FIT_AT, len(HISTORY))
    assert fit.recommended_retention is not None and 0.70 <= fit.recommended_retention <= 0.97
    assert presets(enrolment.id)[-1] == fit.parameters
    assert fits.run_queued(now=FIT_AT, min_reviews=MIN_REVIEWS) == 0
