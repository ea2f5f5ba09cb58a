"""Scoring, metrics and parameter fitting, on hand-made and deterministic synthetic histories."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.fitting import (
    FALLBACK_RETENTION,
    MIN_REVIEWS_TO_FIT,
    NotEnoughReviews,
    ReviewRecord,
    evaluate,
    fit_and_compare,
    fit_parameters,
    predictions,
    recommended_retention,
    scored_reviews,
)
from app.domain.scheduling import (
    DEFAULT_PARAMETERS,
    PARAMETER_BOUNDS,
    CardState,
    Memory,
    Preset,
    Rating,
    make_preset,
    retrievability,
    review,
)

T0 = datetime(2024, 3, 1, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DECAY = -DEFAULT_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def r(card: str, rating: int, at: datetime) -> ReviewRecord:
    return ReviewRecord(card_id=card, rating=rating, reviewed_at=at)


# --------------------------------------------------------------------------------------------------
# Which reviews are scored
# --------------------------------------------------------------------------------------------------


def test_only_reviews_a_day_or_more_after_the_previous_one_are_scored() -> None:
    records = [
        r("a", 3, T0),
        r("a", 3, T0 + timedelta(minutes=10)),  # same session: not scored
        r("a", 1, T0 + timedelta(hours=20)),  # next morning, under 24 h: not scored
        r("a", 3, T0 + timedelta(hours=20, minutes=10)),
        r("a", 3, T0 + timedelta(hours=20, minutes=10) + 3 * DAY),  # scored, recalled
        r("a", 1, T0 + timedelta(hours=20, minutes=10) + 9 * DAY),  # scored, forgotten
    ]
    scored = predictions(records, DEFAULT_PARAMETERS)
    assert [recalled for _, recalled in scored] == [1, 0]
    assert all(0 < p < 1 for p, _ in scored)
    detail = scored_reviews(records, DEFAULT_PARAMETERS)
    assert [s.review_index for s in detail] == [2, 3]
    assert [s.prior_lapses for s in detail] == [0, 0]  # the short-term Again does not count
    assert detail[0].elapsed_days == pytest.approx(3.0)


def test_history_shapes_the_memory_but_is_not_scored() -> None:
    early = [r("a", 3, T0), r("a", 3, T0 + 2 * DAY)]
    late = [r("a", 3, T0 + 10 * DAY)]
    alone = predictions(late, DEFAULT_PARAMETERS)
    assert alone == []  # a card's first review is never scored
    with_history = evaluate(late, DEFAULT_PARAMETERS, history=early)
    together = predictions(early + late, DEFAULT_PARAMETERS)
    assert with_history.count == 1
    assert with_history.log_loss == pytest.approx(-math.log(together[-1][0]))


def test_bad_records_are_all_reported() -> None:
    records = [r("a", 5, T0), r("b", 3, datetime(2024, 3, 1, 9)), r("c", 3, T0)]
    with pytest.raises(ValueError) as caught:
        predictions(records, DEFAULT_PARAMETERS)
    message = str(caught.value)
    assert message.startswith("2 bad review records: ")
    assert "card a at 2024-03-01T18:00:00+00:00: rating 5 is not 1-4" in message
    assert "card b: reviewed_at 2024-03-01T09:00:00 has no timezone" in message


# --------------------------------------------------------------------------------------------------
# Metrics computed by hand
# --------------------------------------------------------------------------------------------------


def test_evaluate_on_a_hand_made_history() -> None:
    s_good, s_again, s_easy = DEFAULT_PARAMETERS[2], DEFAULT_PARAMETERS[0], DEFAULT_PARAMETERS[3]
    records = [
        # Good, then recalled exactly S0(Good) = 2.3065 days later: R = 0.9
        r("a", 3, T0),
        r("a", 3, T0 + timedelta(days=s_good)),
        # Again (S0 = 0.212), then recalled one day later: R = (1 + F / 0.212) ** -0.1542
        r("b", 1, T0),
        r("b", 3, T0 + DAY),
        # Easy (S0 = 8.2956), then forgotten 8.2956 days later: R = 0.9
        r("c", 4, T0),
        r("c", 1, T0 + timedelta(days=s_easy)),
    ]
    r_b = (1 + FACTOR * 1 / s_again) ** DECAY
    assert r_b == pytest.approx(0.766196, abs=1e-6)
    assert predictions(records, DEFAULT_PARAMETERS) == [  # in review-time order: b, a, c
        pytest.approx((r_b, 1)),
        pytest.approx((0.9, 1)),
        pytest.approx((0.9, 0)),
    ]

    metrics = evaluate(records, DEFAULT_PARAMETERS)

    log_loss = -(math.log(0.9) + math.log(r_b) + math.log(1 - 0.9)) / 3
    assert metrics.log_loss == pytest.approx(log_loss)
    assert metrics.log_loss == pytest.approx(0.891421, abs=1e-6)
    # bins (elapsed days, review index, lapses): a (2 d) and b (1 d) share (2.48, 4, 0); c (8 d) is
    # alone in (8.98, 4, 0). Weighted by count: 2 * (mean p - mean y)^2 + 1 * (0.9 - 0)^2.
    rmse_bins = math.sqrt((2 * ((0.9 + r_b) / 2 - 1) ** 2 + (0.9 - 0) ** 2) / 3)
    assert metrics.rmse_bins == pytest.approx(rmse_bins)
    assert metrics.rmse_bins == pytest.approx(0.537188, abs=1e-6)
    # positives 0.9 and 0.766 against the negative 0.9: one tie (1/2), one loss (0) -> 0.25
    assert metrics.auc == pytest.approx(0.25)
    assert metrics.count == 3


def test_auc_is_none_with_a_single_class_and_empty_input_is_refused() -> None:
    records = [r("a", 3, T0), r("a", 3, T0 + 3 * DAY)]
    assert evaluate(records, DEFAULT_PARAMETERS).auc is None
    with pytest.raises(NotEnoughReviews):
        evaluate([r("a", 3, T0)], DEFAULT_PARAMETERS)


# --------------------------------------------------------------------------------------------------
# Fitting on deterministic synthetic histories
# --------------------------------------------------------------------------------------------------

# A learner who forgets faster than FSRS' defaults assume: small initial stabilities, slower
# stability growth (w8), steeper forgetting curve (w20).
LEARNER = (0.1, 0.5, 1.0, 3.0, *DEFAULT_PARAMETERS[4:8], 1.2, *DEFAULT_PARAMETERS[9:20], 0.3)


def synthetic_history(
    parameters: tuple[float, ...], *, cards: int, days: int, seed: int
) -> list[ReviewRecord]:
    """Reviews of a simulated learner whose recall follows ``parameters`` exactly.

    Cards are introduced over the first half of the period; each review comes when the card is
    due, review intervals stretched by a random 0.8-1.6 so that recall probabilities vary; recall
    is drawn with probability R, and a recalled card is rated Hard/Good/Easy 5/85/10 %.
    """
    rng = random.Random(seed)
    preset = Preset(parameters=parameters, desired_retention=0.85)
    end = T0 + timedelta(days=days)
    records = []
    for card in range(cards):
        memory = Memory()
        now = T0 + timedelta(days=card * days / (2 * cards), minutes=rng.randrange(120))
        while now < end:
            if memory.state is CardState.NEW:
                rating = rng.choices(list(Rating), weights=(25, 5, 60, 10))[0]
            elif rng.random() < retrievability(memory, now, parameters):
                rating = rng.choices((Rating.HARD, Rating.GOOD, Rating.EASY), weights=(5, 85, 10))[
                    0
                ]
            else:
                rating = Rating.AGAIN
            records.append(r(f"card-{card}", int(rating), now))
            memory = review(memory, rating, now, preset).memory
            assert memory.due is not None
            gap = memory.due - now
            if gap >= DAY:
                gap *= rng.uniform(0.8, 1.6)
            now += gap
    return sorted(records, key=lambda record: record.reviewed_at)


def test_synthetic_history_is_deterministic() -> None:
    first = synthetic_history(LEARNER, cards=60, days=40, seed=3)
    assert first == synthetic_history(LEARNER, cards=60, days=40, seed=3)
    assert len(first) == 394
    assert len(predictions(first, LEARNER)) == 199


def test_a_fit_on_a_small_history_gives_valid_parameters() -> None:
    records = synthetic_history(LEARNER, cards=60, days=40, seed=3)

    fitted = fit_parameters(records)

    assert len(fitted) == 21
    assert all(low <= w <= high for w, (low, high) in zip(fitted, PARAMETER_BOUNDS, strict=True))
    assert make_preset(parameters=fitted).parameters == fitted
    # With this little history fsrs-rs fits the initial stabilities only; they move from the
    # defaults (0.212, 1.2931, 2.3065, 8.2956) towards the learner's (0.1, 0.5, 1.0, 3.0).
    assert fitted[:4] == pytest.approx((0.1073, 0.6547, 1.1679, 4.2003), abs=1e-3)
    assert fitted[4:] == DEFAULT_PARAMETERS[4:]
    assert evaluate(records, fitted).log_loss == pytest.approx(0.4744, abs=1e-4)
    assert evaluate(records, DEFAULT_PARAMETERS).log_loss == pytest.approx(0.4800, abs=1e-4)


def test_fsrs_rs_keeps_the_defaults_with_almost_no_history() -> None:
    records = [r("a", 3, T0), r("a", 3, T0 + 2 * DAY), r("b", 1, T0), r("b", 3, T0 + DAY)]
    assert fit_parameters(records) == DEFAULT_PARAMETERS
    assert fit_parameters([]) == DEFAULT_PARAMETERS


HISTORY = synthetic_history(LEARNER, cards=400, days=120, seed=3)
NOW = T0 + 120 * DAY


def test_the_synthetic_history_is_large_enough_to_fit() -> None:
    assert len(HISTORY) == 4308 >= MIN_REVIEWS_TO_FIT


def test_fit_and_compare_rejects_a_fit_worse_than_the_true_parameters() -> None:
    result = fit_and_compare(HISTORY, LEARNER, now=NOW)

    assert result.accepted is False
    assert result.parameters == LEARNER
    assert result.review_count == 4308
    assert result.log_loss_before == pytest.approx(0.4678, abs=1e-4)  # the generating parameters
    assert result.log_loss_after == pytest.approx(0.4741, abs=1e-4)  # fitted on the first 80 %
    assert result.log_loss_after > result.log_loss_before


def test_fit_and_compare_adopts_a_fit_better_than_the_defaults() -> None:
    result = fit_and_compare(HISTORY, DEFAULT_PARAMETERS, now=NOW)

    assert result.accepted is True
    assert result.log_loss_before == pytest.approx(0.4843, abs=1e-4)
    assert result.log_loss_after == pytest.approx(0.4741, abs=1e-4)
    assert result.parameters != DEFAULT_PARAMETERS
    assert result.parameters == fit_parameters(HISTORY)  # refitted on every review
    assert (
        evaluate(HISTORY, result.parameters).log_loss
        < evaluate(HISTORY, DEFAULT_PARAMETERS).log_loss
    )


def test_fit_and_compare_needs_enough_reviews_and_ignores_the_future() -> None:
    with pytest.raises(NotEnoughReviews, match=f"fitting needs at least {MIN_REVIEWS_TO_FIT}"):
        fit_and_compare(HISTORY[: MIN_REVIEWS_TO_FIT - 1], DEFAULT_PARAMETERS, now=NOW)
    cutoff = HISTORY[MIN_REVIEWS_TO_FIT - 2].reviewed_at
    with pytest.raises(NotEnoughReviews, match=f"{MIN_REVIEWS_TO_FIT - 1} reviews"):
        fit_and_compare(HISTORY, DEFAULT_PARAMETERS, now=cutoff)
    with pytest.raises(ValueError, match="holdout_fraction"):
        fit_and_compare(HISTORY, DEFAULT_PARAMETERS, now=NOW, holdout_fraction=1.0)


# --------------------------------------------------------------------------------------------------
# Desired retention
# --------------------------------------------------------------------------------------------------


def test_recommended_retention_falls_back_when_cmrr_sits_on_its_bound() -> None:
    # fsrs-rs' CMRR returns its lower bound, 0.70, for the FSRS-6 defaults: no real optimum
    assert recommended_retention(DEFAULT_PARAMETERS) == FALLBACK_RETENTION == 0.90


def test_recommended_retention_falls_back_when_the_simulator_fails() -> None:
    assert recommended_retention((1.0, 2.0)) == FALLBACK_RETENTION
