"""How well does the scheduler predict recall? Replays a real review log with 5-split time-series
cross-validation and prints log loss, RMSE(bins) and AUC beside the reference figures.

    python bench/scheduler_quality.py [--csv PATH] [--min-reviews] [--day-start-utc HOUR]

The CSV has columns card_id,review_rating,review_time (ISO-8601 UTC) like
../shared/data/review_logs_josh.csv (the default, found relative to this file).

Method (ours): every prediction comes from app.domain.scheduling (fractional elapsed days) through
app.domain.fitting, twice: by the learner's day (what Rehearse does: a review on a later study day
than the card's previous one is long-term and scored, one on the same day short-term; the day
starts at --day-start-utc) and by the 24-hour rule (long-term and scored 24 h or more after the
previous review) for comparison.
The scored reviews, in time order, are cut into 6 equal chunks (fsrs-rs ``TimeSeriesSplit``);
fold k trains on every review before chunk k+1 and tests on chunk k+1, so the first fold trains on
the first chunk. Test predictions of the 5 folds are pooled before computing the metrics.

Cross-check (the reference's method): the reference figures in ../shared/data/README.md come from
fsrs-rs itself, scoring every review on a later *calendar day* of the learner than the previous one,
with elapsed time counted in whole calendar days. The second table reruns exactly that, to show the
reference is reproduced and where the two methods differ.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.domain.fitting import (  # noqa: E402
    ReviewRecord,
    ScoredReview,
    fit_parameters,
    metrics,
    scored_reviews,
)
from app.domain.scheduling import (  # noqa: E402
    DEFAULT_PARAMETERS,
    Memory,
    Preset,
    Rating,
    review,
)

DEFAULT_CSV = REPO.parent / "shared" / "data" / "review_logs_josh.csv"
SPLITS = 5

REFERENCE = {
    "FSRS-6 fitted": (0.4389, 0.0410, 0.6750),
    "FSRS-6 default": (0.4417, 0.0625, 0.6753),
    "constant average": (0.5113, 0.1243, 0.5089),
}


def load(path: Path) -> list[ReviewRecord]:
    with path.open(newline="") as handle:
        return [
            ReviewRecord(
                card_id=row["card_id"],
                rating=int(row["review_rating"]),
                reviewed_at=datetime.fromisoformat(row["review_time"]).astimezone(UTC),
            )
            for row in csv.DictReader(handle)
        ]


def fold_bounds(count: int) -> list[tuple[int, int]]:
    """(start, end) indexes of the test chunk of each fold, as fsrs-rs TimeSeriesSplit cuts them."""
    size = count // (SPLITS + 1)
    return [((k + 1) * size, count if k == SPLITS - 1 else (k + 2) * size) for k in range(SPLITS)]


def row(name: str, values: tuple[float, float, float | None], count: int, seconds: float) -> str:
    log_loss, rmse, auc = values
    auc_text = f"{auc:.4f}" if auc is not None else "  -   "
    ref = REFERENCE.get(name)
    ref_text = f"{ref[0]:.4f}  {ref[1]:.4f}  {ref[2]:.4f}" if ref else ""
    return (
        f"{name:<18} {log_loss:.4f}  {rmse:.4f}  {auc_text}  {count:>6}  {seconds:>7.2f}s"
        f"   | {ref_text}"
    )


def header(title: str) -> None:
    print(f"\n{title}")
    print(
        f"{'model':<18} {'logloss':<7} {'RMSE(b)':<7} {'AUC':<6}  {'scored':>6}  {'time':>8}"
        "   | reference: logloss RMSE(b) AUC"
    )


def ours(records: list[ReviewRecord], rule: str) -> None:
    started = time.perf_counter()
    scored_all = scored_reviews(records, DEFAULT_PARAMETERS)
    pooled: dict[str, list[ScoredReview]] = defaultdict(list)
    seconds: dict[str, float] = defaultdict(float)
    fitted_sets: list[tuple[float, ...]] = []
    for start, end in fold_bounds(len(scored_all)):
        first = scored_all[start].reviewed_at
        last = scored_all[end].reviewed_at if end < len(scored_all) else None
        train = [r for r in records if r.reviewed_at < first]
        test = [
            r for r in records if r.reviewed_at >= first and (last is None or r.reviewed_at < last)
        ]

        clock = time.perf_counter()
        pooled["FSRS-6 default"] += scored_reviews(test, DEFAULT_PARAMETERS, history=train)
        seconds["FSRS-6 default"] += time.perf_counter() - clock

        clock = time.perf_counter()
        fitted = fit_parameters(train)
        fitted_sets.append(fitted)
        pooled["FSRS-6 fitted"] += scored_reviews(test, fitted, history=train)
        seconds["FSRS-6 fitted"] += time.perf_counter() - clock

        clock = time.perf_counter()
        mean_recall = statistics.fmean(
            s.recalled for s in scored_reviews(train, DEFAULT_PARAMETERS)
        )
        pooled["constant average"] += [
            replace(s, predicted=mean_recall)
            for s in scored_reviews(test, DEFAULT_PARAMETERS, history=train)
        ]
        seconds["constant average"] += time.perf_counter() - clock

    header(
        f"Ours, {rule}: app.domain scheduling core, fractional elapsed days "
        f"({len(scored_all)} of {len(records)} reviews scored; "
        f"{sum(e - s for s, e in fold_bounds(len(scored_all)))} in the 5 test chunks)"
    )
    for name in ("FSRS-6 fitted", "FSRS-6 default", "constant average"):
        m = metrics(pooled[name])
        print(row(name, (m.log_loss, m.rmse_bins, m.auc), m.count, seconds[name]))
    print(f"total wall time {time.perf_counter() - started:.2f}s")
    print("parameters fitted on the first 5/6 (last fold):")
    print("  " + ", ".join(f"{w:.4f}" for w in fitted_sets[-1]))


# --------------------------------------------------------------------------------------------------
# Cross-check: the reference's own method (fsrs-rs, calendar days)
# --------------------------------------------------------------------------------------------------


class _Item(NamedTuple):
    reviewed_at: datetime
    reviews: tuple[tuple[int, int], ...]  # (rating, calendar days since the previous review)
    review_index: int
    prior_lapses: int


def reference_method(records: list[ReviewRecord], day_start_utc: int) -> None:
    """fsrs-rs on calendar-day items, fsrs-rs' own whole-day predictions: the reference's method.

    Calendar days start at ``day_start_utc`` o'clock UTC (the learner's "next day starts at").
    This file has no review between 06:00 and 15:00 UTC, so any hour in that range gives the same
    figures.
    """
    import fsrs_rs_python as fsrs_rs  # only this cross-check talks to fsrs-rs directly

    shift = timedelta(hours=day_start_utc)
    by_card: dict[str, list[ReviewRecord]] = defaultdict(list)
    for record in records:
        by_card[record.card_id].append(record)
    items: list[_Item] = []
    short_gap = 0
    for history in by_card.values():
        history.sort(key=lambda r: r.reviewed_at)
        reviews: list[tuple[int, int]] = []
        previous: datetime | None = None
        long_term = 1
        lapses = 0
        for record in history:
            day = (record.reviewed_at - shift).date()
            delta = 0 if previous is None else (day - (previous - shift).date()).days
            reviews.append((record.rating, delta))
            if delta > 0:
                assert previous is not None
                long_term += 1
                short_gap += (record.reviewed_at - previous) < timedelta(days=1)
                items.append(_Item(record.reviewed_at, tuple(reviews), long_term, lapses))
                lapses += record.rating == 1
            previous = record.reviewed_at
    items.sort(key=lambda item: item.reviewed_at)

    def to_item(reviews: Sequence[tuple[int, int]]) -> fsrs_rs.FSRSItem:
        return fsrs_rs.FSRSItem([fsrs_rs.FSRSReview(r, d) for r, d in reviews])

    def predict(parameters: Sequence[float], chunk: Sequence[_Item]) -> list[ScoredReview]:
        decay = -parameters[20]
        factor = 0.9 ** (1 / decay) - 1
        states = fsrs_rs.FSRS(list(parameters)).memory_state_batch(
            [to_item(item.reviews[:-1]) for item in chunk]
        )
        return [
            ScoredReview(
                predicted=(1 + factor * item.reviews[-1][1] / state.stability) ** decay,
                recalled=int(item.reviews[-1][0] > 1),
                elapsed_days=float(item.reviews[-1][1]),
                review_index=item.review_index,
                prior_lapses=item.prior_lapses,
                reviewed_at=item.reviewed_at,
            )
            for item, state in zip(chunk, states, strict=True)
        ]

    pooled: dict[str, list[ScoredReview]] = defaultdict(list)
    started = time.perf_counter()
    for start, end in fold_bounds(len(items)):
        train, test = items[:start], items[start:end]
        fitted = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(
            [to_item(item.reviews) for item in train]
        )
        pooled["FSRS-6 fitted"] += predict(fitted, test)
        pooled["FSRS-6 default"] += predict(DEFAULT_PARAMETERS, test)
        mean_recall = statistics.fmean(int(item.reviews[-1][0] > 1) for item in train)
        pooled["constant average"] += [
            replace(s, predicted=mean_recall) for s in predict(DEFAULT_PARAMETERS, test)
        ]
    elapsed = time.perf_counter() - started

    header(
        "Cross-check, the reference's method: fsrs-rs, reviews on a later calendar day (day starts "
        f"{day_start_utc:02d}:00 UTC; {len(items)} reviews, {short_gap} of them < 24 h after the "
        "previous one), whole-day elapsed time"
    )
    for name in ("FSRS-6 fitted", "FSRS-6 default", "constant average"):
        m = metrics(pooled[name])
        spent = elapsed if name == "FSRS-6 fitted" else 0.0
        print(row(name, (m.log_loss, m.rmse_bins, m.auc), m.count, spent))


# --------------------------------------------------------------------------------------------------
# How many reviews before fitting helps (MIN_REVIEWS_TO_FIT)
# --------------------------------------------------------------------------------------------------


def min_reviews(records: list[ReviewRecord]) -> None:
    """Fit on the first N reviews and compare with the defaults on the reviews that follow."""
    windows = (1000, 2000, 4000)
    print("\nFit on the first N reviews; log-loss gain over the defaults on the next W reviews")
    print(f"{'N':>6} {'items':>6} {'days':>5} " + " ".join(f"{'W=' + str(w):>9}" for w in windows))
    for n in (200, 400, 800, 1200, 1600, 2000, 2400, 2800, 3000, 3200, 3600, 4000, 4800, 6400):
        train = records[:n]
        fitted = fit_parameters(train)
        gains = []
        for window in windows:
            test = records[n : n + window]
            default = metrics(scored_reviews(test, DEFAULT_PARAMETERS, history=train)).log_loss
            mine = metrics(scored_reviews(test, fitted, history=train)).log_loss
            gains.append(f"{default - mine:>+9.4f}")
        items = len(scored_reviews(train, DEFAULT_PARAMETERS))
        span = (train[-1].reviewed_at - train[0].reviewed_at).days
        print(f"{n:>6} {items:>6} {span:>5} " + " ".join(gains))


def review_timing() -> None:
    preset = Preset()
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    ratings = [Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD, Rating.HARD, Rating.EASY] * 5
    runs = 2000
    clock = time.perf_counter()
    for seed in range(runs):
        memory = Memory()
        moment = start
        for rating in ratings:
            memory = review(memory, rating, moment, preset, fuzz_seed=seed).memory
            moment = max(moment + timedelta(minutes=10), memory.due or moment)
    per_review = (time.perf_counter() - clock) / (runs * len(ratings))
    print(f"\nreview(): {per_review * 1e6:.1f} µs per call (fuzzed, {runs * len(ratings)} calls)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--csv", type=Path, default=DEFAULT_CSV, help=f"review log (default {DEFAULT_CSV})"
    )
    parser.add_argument(
        "--min-reviews", action="store_true", help="also measure fits on the first N reviews"
    )
    parser.add_argument(
        "--day-start-utc",
        type=int,
        default=10,
        help="the learner's day boundary, UTC hour",
    )
    args = parser.parse_args(argv)
    records = sorted(load(args.csv), key=lambda r: r.reviewed_at)
    print(f"{args.csv}: {len(records)} reviews of {len({r.card_id for r in records})} cards")
    shift = timedelta(hours=args.day_start_utc)
    by_day = [replace(r, day=(r.reviewed_at - shift).date()) for r in records]
    ours(by_day, f"the learner's day (starting {args.day_start_utc:02d}:00 UTC)")
    ours(records, "the 24-hour rule")
    reference_method(records, args.day_start_utc)
    if args.min_reviews:
        min_reviews(records)
    review_timing()


if __name__ == "__main__":
    main()
