"""Fitting FSRS parameters to one learner's history, and measuring how well they predict recall.

Predictions always come from *our* scheduling core (:mod:`app.domain.scheduling`), which uses
fractional elapsed days, so what is measured here is what the learner gets. Fitting is delegated to
fsrs-rs (``fsrs_rs_python.FSRS.compute_parameters``), the optimizer Anki uses.

Which reviews are scored
    A review is scored when it falls on a later study day of the learner than the card's previous
    review (records that carry their ``day``), or else comes at least 24 hours after it (py-fsrs'
    rule). Reviews on one day are "short-term": they still update the card's memory (FSRS-6
    short-term stability), but recall minutes or hours later says little about long-term memory and
    is not what the scheduler is asked to predict. The same rule decides which stability update
    the core applies (see `app.domain.scheduling`).

How fsrs-rs sees the history
    fsrs-rs takes, for every scored review, the card's reviews up to and including it, each with an
    integer ``delta_t`` in days since the previous review; ``delta_t == 0`` marks a same-day
    (short-term) review and the first review has ``delta_t == 0``. A short-term review gets 0, by
    the rule above, exactly as our core chooses the short-term update. A later review gets its
    elapsed time rounded to the *nearest* whole day, at least 1: our core predicts with the
    fractional time, and rounding is the integer closest to it (on the josh data nearest days fit
    better than truncated days or calendar-day differences; see bench/scheduler_quality.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import fsrs_rs_python

from app.domain.scheduling import (
    DEFAULT_PARAMETERS,
    PARAMETER_BOUNDS,
    SECONDS_PER_DAY,
    Memory,
    Preset,
    Rating,
    review,
)

__all__ = [
    "MIN_REVIEWS_TO_FIT",
    "FitResult",
    "Metrics",
    "NotEnoughReviews",
    "ReviewRecord",
    "ScoredReview",
    "evaluate",
    "fit_and_compare",
    "fit_parameters",
    "metrics",
    "predictions",
    "recommended_retention",
    "scored_reviews",
]

MIN_REVIEWS_TO_FIT: int = 3000
"""Fewest reviews (every rating, short-term ones included) before a fit is attempted.

Sources: fsrs-rs returns the defaults below 8 scored items and fits only the four initial
stabilities below 64 (``training.rs``); Anki asked for 1,000 reviews, then 400 (24.04), then
dropped the limit (24.06) and relies on "new parameters must beat the current ones"; FSRS research
(ankitects/anki#3094) found ~200 reviews enough for parameters that hold up on the next 1,000.

Measured on the josh data (``bench/scheduler_quality.py --min-reviews``): fit on the first N
reviews, then compare with the defaults on the next 1,000 / 2,000 / 4,000 reviews. Every fit on
400 to 2,400 reviews is *worse* than the defaults on every window (e.g. N = 800: +0.27 log loss on
the next 2,000), because an early history holds only short intervals and the fitted initial
stabilities collapse (w0 = 0.001, w1 = 0.03 at N = 800). From 3,000 reviews (about 700 scored
items, 4.5 months of this learner) fits are better on the 2,000- and 4,000-review windows
(+0.025 / +0.007 at N = 3,000; +0.029 / +0.009 at 3,200). The held-out check in
:func:`fit_and_compare` does not catch the early failures by itself: at N = 800, 2,000 and 2,400 it
accepted fits that then did worse on the next 2,000 reviews, since its holdout is small and as
short-interval as the training data. Hence a threshold well above Anki's.
"""

_PROBABILITY_FLOOR = 1e-12


class NotEnoughReviews(ValueError):
    """There is too little history to fit or to judge a fit."""


@dataclass(frozen=True)
class ReviewRecord:
    card_id: str
    rating: int
    reviewed_at: datetime
    day: date | None = None  # the learner's study day of the review, when known


@dataclass(frozen=True)
class ScoredReview:
    """One scored review: the prediction and the features RMSE(bins) groups by."""

    predicted: float
    recalled: int
    elapsed_days: float
    review_index: int
    """1 for the card's first review, +1 per scored (24 h or more) review, this one included."""
    prior_lapses: int
    """Earlier scored reviews of the card that were rated Again."""
    reviewed_at: datetime


@dataclass(frozen=True)
class Metrics:
    log_loss: float
    rmse_bins: float
    auc: float | None
    count: int


@dataclass(frozen=True)
class FitResult:
    parameters: tuple[float, ...]
    review_count: int
    log_loss_before: float
    log_loss_after: float
    accepted: bool


# --------------------------------------------------------------------------------------------------
# Replaying histories
# --------------------------------------------------------------------------------------------------

# reviewed_at (UTC), original position, rating, scored, study day
_Event = tuple[datetime, int, int, bool, date | None]


def _by_card(
    records: Iterable[ReviewRecord], history: Iterable[ReviewRecord] = ()
) -> dict[str, list[_Event]]:
    """Group records by card in time order, marking which may be scored; validate all at once."""
    cards: dict[str, list[_Event]] = defaultdict(list)
    problems: list[str] = []
    position = 0
    for source, scored in ((history, False), (records, True)):
        for record in source:
            position += 1
            at = record.reviewed_at
            if at.tzinfo is None or at.utcoffset() is None:
                problems.append(
                    f"card {record.card_id}: reviewed_at {at.isoformat()} has no timezone"
                )
                continue
            if record.rating not in (1, 2, 3, 4):
                problems.append(
                    f"card {record.card_id} at {at.isoformat()}: rating {record.rating!r} "
                    "is not 1-4"
                )
                continue
            cards[record.card_id].append(
                (at.astimezone(UTC), position, record.rating, scored, record.day)
            )
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ValueError(f"{len(problems)} bad review records: {shown}{more}")
    for events in cards.values():
        events.sort(key=lambda event: (event[0], event[1]))
    return cards


def short_term(
    previous: datetime, previous_day: date | None, at: datetime, day: date | None
) -> bool:
    """Whether a review counts as on the same day as the one before it (see the module doc)."""
    if previous_day is not None and day is not None:
        return previous_day == day
    return (at - previous).total_seconds() < SECONDS_PER_DAY


def scored_reviews(
    records: Iterable[ReviewRecord],
    parameters: Sequence[float],
    *,
    history: Iterable[ReviewRecord] = (),
) -> list[ScoredReview]:
    """Replay each card (``history`` and ``records`` together) with our scheduling core and score
    every review from ``records`` that comes 24 hours or more after the card's previous review.

    ``history`` holds earlier reviews that shape the memory state but are not scored (the training
    part of a time split). The result is in review-time order.
    """
    preset = Preset(parameters=tuple(parameters))
    scored: list[tuple[int, ScoredReview]] = []
    for events in _by_card(records, history).values():
        memory = Memory()
        previous: datetime | None = None
        previous_day: date | None = None
        review_index = 1
        lapses = 0
        for at, position, rating, may_score, day in events:
            outcome = review(memory, Rating(rating), at, preset, today=day)
            memory = outcome.memory
            if previous is not None and not short_term(previous, previous_day, at, day):
                review_index += 1
                if may_score:
                    assert outcome.retrievability is not None and outcome.elapsed_days is not None
                    scored.append(
                        (
                            position,
                            ScoredReview(
                                predicted=outcome.retrievability,
                                recalled=int(rating > 1),
                                elapsed_days=outcome.elapsed_days,
                                review_index=review_index,
                                prior_lapses=lapses,
                                reviewed_at=at,
                            ),
                        )
                    )
                lapses += int(rating == 1)
            previous, previous_day = at, day
    scored.sort(key=lambda pair: (pair[1].reviewed_at, pair[0]))
    return [item for _, item in scored]


def predictions(
    records: Iterable[ReviewRecord], parameters: Sequence[float]
) -> list[tuple[float, int]]:
    """(predicted recall, 1 if recalled else 0) for every scored review, in review-time order."""
    return [(s.predicted, s.recalled) for s in scored_reviews(records, parameters)]


# --------------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------------


def _log_bin(value: float, base: float, scale: float) -> float:
    return round(scale * base ** math.floor(math.log(value) / math.log(base)), 2)


def _rmse_bins(scored: Sequence[ScoredReview]) -> float:
    """RMSE(bins) as defined by srs-benchmark (``rmse_matrix``) and fsrs-rs (``r_matrix_index``).

    Reviews are grouped by log-spaced bins of elapsed whole days, of the review index, and of the
    number of earlier lapses; the metric is the root of the count-weighted mean of the squared
    difference between mean prediction and mean outcome in each group.
    """
    groups: dict[tuple[float, float, float], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for s in scored:
        key = (
            _log_bin(max(math.floor(s.elapsed_days), 1), 3.62, 2.48),
            round(_log_bin(s.review_index, 1.89, 1.99)),
            round(_log_bin(s.prior_lapses, 1.73, 1.65)) if s.prior_lapses else 0,
        )
        group = groups[key]
        group[0] += s.predicted
        group[1] += s.recalled
        group[2] += 1
    weighted = sum(n * (p / n - y / n) ** 2 for p, y, n in groups.values())
    return math.sqrt(weighted / len(scored))


def _auc(scored: Sequence[ScoredReview]) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties share their mean rank); None with one class."""
    positives = sum(s.recalled for s in scored)
    negatives = len(scored) - positives
    if positives == 0 or negatives == 0:
        return None
    ordered = sorted(scored, key=lambda s: s.predicted)
    rank_sum = 0.0
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1].predicted == ordered[start].predicted:
            end += 1
        mean_rank = (start + end) / 2 + 1
        rank_sum += mean_rank * sum(s.recalled for s in ordered[start : end + 1])
        start = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def metrics(scored: Sequence[ScoredReview]) -> Metrics:
    """Log loss (natural log, mean), RMSE(bins) and AUC of scored reviews."""
    if not scored:
        raise NotEnoughReviews("no review comes 24 hours or more after its card's previous one")
    total = 0.0
    for s in scored:
        p = min(max(s.predicted, _PROBABILITY_FLOOR), 1 - _PROBABILITY_FLOOR)
        total -= math.log(p) if s.recalled else math.log(1 - p)
    return Metrics(
        log_loss=total / len(scored),
        rmse_bins=_rmse_bins(scored),
        auc=_auc(scored),
        count=len(scored),
    )


def evaluate(
    records: Iterable[ReviewRecord],
    parameters: Sequence[float],
    *,
    history: Iterable[ReviewRecord] = (),
) -> Metrics:
    """How well ``parameters`` predict the scored reviews of ``records`` (after ``history``)."""
    return metrics(scored_reviews(records, parameters, history=history))


# --------------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------------


def _delta_t(previous: datetime, previous_day: date | None, at: datetime, day: date | None) -> int:
    """0 for a short-term review, else the nearest whole number of days, at least 1."""
    if short_term(previous, previous_day, at, day):
        return 0
    return max(1, math.floor((at - previous).total_seconds() / SECONDS_PER_DAY + 0.5))


def _fsrs_items(records: Iterable[ReviewRecord]) -> list[fsrs_rs_python.FSRSItem]:
    """One fsrs-rs item per scored review: the card's reviews up to it (see the module doc)."""
    items: list[tuple[datetime, int, fsrs_rs_python.FSRSItem]] = []
    for events in _by_card(records).values():
        reviews: list[fsrs_rs_python.FSRSReview] = []
        previous: datetime | None = None
        previous_day: date | None = None
        for at, position, rating, _, day in events:
            delta_t = 0 if previous is None else _delta_t(previous, previous_day, at, day)
            reviews.append(fsrs_rs_python.FSRSReview(rating, delta_t))
            if delta_t > 0:
                items.append((at, position, fsrs_rs_python.FSRSItem(list(reviews))))
            previous, previous_day = at, day
    items.sort(key=lambda item: (item[0], item[1]))
    return [item for _, _, item in items]


def _within_bounds(weights: Sequence[float]) -> tuple[float, ...]:
    """Round to 4 decimals (as Anki shows them) and clip into the bounds py-fsrs accepts."""
    return tuple(
        min(max(round(float(w), 4), low), high)
        for w, (low, high) in zip(weights, PARAMETER_BOUNDS, strict=True)
    )


def fit_parameters(records: Iterable[ReviewRecord]) -> tuple[float, ...]:
    """FSRS-6 parameters fitted to ``records`` by fsrs-rs (deterministic: fixed seed).

    With little data fsrs-rs itself falls back: under 8 scored reviews it returns the defaults, and
    on small histories it fits only the four initial stabilities (``training.rs`` says under 64
    items; the installed version did so for a synthetic history of 394 reviews, 199 scored, too).
    Use :func:`fit_and_compare` to decide whether to adopt the result.
    """
    items = _fsrs_items(records)
    if not items:
        return DEFAULT_PARAMETERS
    fitted = fsrs_rs_python.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items)
    return _within_bounds(fitted)


def fit_and_compare(
    records: Sequence[ReviewRecord],
    current: tuple[float, ...],
    *,
    holdout_fraction: float = 0.2,
    now: datetime,
    min_reviews: int = MIN_REVIEWS_TO_FIT,
) -> FitResult:
    """Fit new parameters and adopt them only if they predict held-out reviews better.

    Records reviewed after ``now`` are ignored. The most recent ``holdout_fraction`` of the scored
    reviews is held out; parameters are fitted on every review before the first held-out one, and
    ``current`` and the candidate are compared by log loss on the held-out reviews
    (``log_loss_before`` / ``log_loss_after``). ``accepted`` is True only if the candidate is
    strictly better.

    When accepted, the returned parameters are **refitted on all records** (held-out ones included):
    the holdout validates the fitting on this learner's data, and the most recent reviews are the
    most informative ones to keep. As a last guard (Anki's own check), the refit must also beat
    ``current`` on all records, else the result is rejected. When rejected, ``current`` is returned.

    Raises :class:`NotEnoughReviews` below ``min_reviews`` (default :data:`MIN_REVIEWS_TO_FIT`)
    reviews or when either side of the split has nothing to score.
    """
    if not 0 < holdout_fraction < 1:
        raise ValueError(f"holdout_fraction must be between 0 and 1, got {holdout_fraction}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    usable = [r for r in records if r.reviewed_at <= now]
    if len(usable) < min_reviews:
        raise NotEnoughReviews(f"{len(usable)} reviews; fitting needs at least {min_reviews}")
    scored_times = [s.reviewed_at for s in scored_reviews(usable, current)]
    holdout_size = math.ceil(len(scored_times) * holdout_fraction)
    if holdout_size == 0 or holdout_size >= len(scored_times):
        raise NotEnoughReviews(
            f"only {len(scored_times)} reviews can be scored; nothing to hold out"
        )
    split_at = scored_times[-holdout_size]
    train = [r for r in usable if r.reviewed_at < split_at]
    test = [r for r in usable if r.reviewed_at >= split_at]

    candidate = fit_parameters(train)
    before = evaluate(test, current, history=train).log_loss
    after = evaluate(test, candidate, history=train).log_loss
    accepted = after < before
    parameters = current
    if accepted:
        refit = fit_parameters(usable)
        if evaluate(usable, refit).log_loss < evaluate(usable, current).log_loss:
            parameters = refit
        else:
            accepted = False
    return FitResult(
        parameters=parameters,
        review_count=len(usable),
        log_loss_before=before,
        log_loss_after=after,
        accepted=accepted,
    )


# --------------------------------------------------------------------------------------------------
# Desired retention
# --------------------------------------------------------------------------------------------------

FALLBACK_RETENTION = 0.90
_RETENTION_RANGE = (0.70, 0.97)


def recommended_retention(parameters: Sequence[float]) -> float:
    """A desired retention to suggest for these parameters. Takes 1-2 s: call it from a job.

    Runs fsrs-rs' ``optimal_retention`` (CMRR: the retention that minimises simulated study time
    per card memorised) on its default simulator, with a 3,000-card deck over a year instead of
    10,000 cards (13 s; smaller decks are too noisy: 1,000-2,000 cards answer 0.71-0.75 where 3,000
    and 10,000 agree). With FSRS-6 the search ends on its lower bound, 0.70, for every parameter
    set we tried (the defaults, parameters fitted to the josh data, a synthetic weak learner): the
    simulated cost keeps falling as retention falls, so there is no optimum to report, which is
    why Anki dropped CMRR in 25.05. On that bound, or if the simulation fails, we return
    :data:`FALLBACK_RETENTION` (0.90, the FSRS and Anki default) rather than advise the lowest
    retention allowed; an interior answer is rounded and capped at 0.97.
    """
    low, high = _RETENTION_RANGE
    try:
        config = fsrs_rs_python.default_simulator_config()
        config.deck_size = 3000
        config.learn_span = 365
        value = float(fsrs_rs_python.optimal_retention(config, list(parameters)))
    except Exception:  # any failure of the simulator means "no recommendation"
        return FALLBACK_RETENTION
    if not math.isfinite(value) or value < low + 0.01:
        return FALLBACK_RETENTION
    return round(min(value, high), 2)
