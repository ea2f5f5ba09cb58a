"""What the scheduler process's jobs cost: fitting parameters for many enrolments, and the
hourly digest job over many learners.

    python bench/jobs.py [--database sqlite|postgres|both] [--part all|fits|nightly|digests]
                         [--enrolments 10000] [--reviews 300] [--workers 2]
                         [--db-enrolments 200] [--learners 100000]

(a) Fitting. ``--enrolments`` synthetic review histories of exactly ``--reviews`` reviews each,
    deterministic (seeded per enrolment): each simulated learner has their own FSRS parameters (the
    defaults with the initial stabilities, the stability growth and the forgetting curve perturbed),
    introduces five new cards a day and reviews every card when due, intervals stretched by a random
    0.8-1.6, recalling with the probability their parameters give. Each history is fitted with
    ``app.domain.fitting.fit_and_compare(history, DEFAULT_PARAMETERS, min_reviews=--reviews)`` in a
    multiprocessing pool of ``--workers`` processes (1: in this process). Generating a history is
    timed apart from fitting it; both run in the workers.
    Then, through the database, ``fits.run_nightly`` over ``--db-enrolments`` learners seeded with
    the same kind of histories (bulk inserts), extrapolated linearly to 10,000 enrolments. The
    nightly run is one process, as the job is; kept fits also compute a recommended retention, and
    the time that takes is shown apart.
(b) Digests. ``--learners`` learners with reminders on, in eight time zones, each with an enrolment,
    its preset and four cards, bulk-inserted; then ``reminders.send_digests`` at an instant when
    every one of them is due (no SMTP: messages go to the outbox), and once more the same hour,
    when there is nothing left to send (the hourly job's cost on the other 23 hours of the day).

Targets: (a) under 5 minutes for 10,000 enrolments of 300 reviews; (b) under 60 s for 100,000
learners.
"""

from __future__ import annotations

import argparse
import heapq
import math
import multiprocessing
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from common import bench_app, finish_bulk_load

from app.domain import fitting
from app.domain.scheduling import (
    DEFAULT_PARAMETERS,
    PARAMETER_BOUNDS,
    CardState,
    Memory,
    Rating,
    retrievability,
    review,
)
from app.domain.scheduling import Preset as DomainPreset
from app.extensions import db
from app.models import (
    Article,
    Card,
    Enrolment,
    Preset,
    Question,
    ReviewLog,
    Track,
    TrackArticle,
    User,
)
from app.services import fits, reminders, study

TARGET_FIT_SECONDS = 300.0  # 10,000 enrolments of 300 reviews
TARGET_DIGEST_SECONDS = 60.0  # 100,000 learners
TARGET_FIT_ENROLMENTS = 10_000
TARGET_DIGEST_LEARNERS = 100_000

T0 = datetime(2025, 9, 1, 7, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NEW_PER_DAY = 5
SEED = 20260302
INSERT_CHUNK = 5_000
QUESTIONS = 400  # enough for the cards of any synthetic history
QUESTIONS_PER_ARTICLE = 10

DIGEST_AT = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
DIGEST_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Pacific/Auckland",
)
DAY_START_HOUR = 4


# ------------------------------------------------------------------------------------------------
# Synthetic learners
# ------------------------------------------------------------------------------------------------


def learner_parameters(rng: random.Random) -> tuple[float, ...]:
    """The FSRS defaults with a learner's own initial stabilities, growth and forgetting curve."""
    w = list(DEFAULT_PARAMETERS)
    scale = math.exp(rng.uniform(-1.2, 0.8))
    for i in range(4):
        w[i] *= scale * math.exp(rng.uniform(-0.3, 0.3))
    w[8] *= rng.uniform(0.6, 1.3)
    w[20] = rng.uniform(0.12, 0.5)
    return tuple(
        min(max(round(v, 4), low), high) for v, (low, high) in zip(w, PARAMETER_BOUNDS, strict=True)
    )


def synthetic_history(index: int, reviews: int) -> list[tuple[int, int, datetime, Any, Any]]:
    """Exactly ``reviews`` reviews of one simulated learner, in time order.

    Each item is (card number, rating, reviewed at, memory before, outcome).
    """
    rng = random.Random(SEED * 1_000_003 + index)
    parameters = learner_parameters(rng)
    preset = DomainPreset(parameters=parameters)
    start = T0 + timedelta(minutes=rng.randrange(24 * 60))
    every = DAY / NEW_PER_DAY
    due: list[tuple[datetime, int]] = []
    memories: list[Memory] = []
    history: list[tuple[int, int, datetime, Any, Any]] = []
    while len(history) < reviews:
        next_new = start + len(memories) * every
        if due and due[0][0] <= next_new:
            at, card = heapq.heappop(due)
        else:
            at, card = next_new, len(memories)
            memories.append(Memory())
        memory = memories[card]
        if memory.state is CardState.NEW:
            rating = rng.choices(list(Rating), weights=(25, 5, 60, 10))[0]
        elif rng.random() < retrievability(memory, at, parameters):
            rating = rng.choices((Rating.HARD, Rating.GOOD, Rating.EASY), (5, 85, 10))[0]
        else:
            rating = Rating.AGAIN
        outcome = review(memory, rating, at, preset)
        history.append((card, int(rating), at, memory, outcome))
        memories[card] = outcome.memory
        gap = outcome.memory.due - at
        if gap >= DAY:
            gap *= rng.uniform(0.8, 1.6)
        heapq.heappush(due, (at + gap, card))
    return history


def records_of(history: list[tuple[int, int, datetime, Any, Any]]) -> list[fitting.ReviewRecord]:
    return [fitting.ReviewRecord(str(card), rating, at) for card, rating, at, _, _ in history]


# ------------------------------------------------------------------------------------------------
# (a) fit_and_compare on 10,000 histories
# ------------------------------------------------------------------------------------------------


def _fit_one(task: tuple[int, int]) -> tuple[float, float, bool, int, int]:
    index, reviews = task
    g0 = time.perf_counter()
    history = synthetic_history(index, reviews)
    records = records_of(history)
    g1 = time.perf_counter()
    result = fitting.fit_and_compare(
        records, DEFAULT_PARAMETERS, now=records[-1].reviewed_at, min_reviews=reviews
    )
    g2 = time.perf_counter()
    cards = 1 + max(card for card, *_ in history)
    return g1 - g0, g2 - g1, result.accepted, cards, os.getpid()


def bench_fit_and_compare(enrolments: int, reviews: int, workers: int) -> None:
    print(f"\n== (a) fit_and_compare: {enrolments:,} enrolments x {reviews} reviews ==")
    tasks = [(i, reviews) for i in range(enrolments)]
    start = time.perf_counter()
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = list(pool.imap_unordered(_fit_one, tasks, chunksize=20))
        how = f"a multiprocessing pool of {workers} worker processes"
    else:
        results = [_fit_one(task) for task in tasks]
        how = "one process (in-process)"
    wall = time.perf_counter() - start
    generate = sum(r[0] for r in results)
    fit = [r[1] for r in results]
    kept = sum(r[2] for r in results)
    per_process = max(1, len({r[4] for r in results}))
    fit_wall = wall * sum(fit) / (sum(fit) + generate)
    ordered = sorted(fit)
    print(f"  run in {how}")
    print(
        f"  histories: {statistics.fmean(r[3] for r in results):.0f} cards on average; "
        f"fits kept {kept:,} / {enrolments:,} (current parameters: the FSRS defaults)"
    )
    print(
        f"  per fit: median {statistics.median(fit) * 1000:.1f} ms, "
        f"p99 {ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] * 1000:.1f} ms, "
        f"mean {statistics.fmean(fit) * 1000:.1f} ms"
    )
    print(
        f"  fitting, summed over the {per_process} process(es): {sum(fit):.1f} s; generating the "
        f"histories: {generate:.1f} s (not part of the figure)"
    )
    print(f"  wall clock, generation and fitting together: {wall:.1f} s")
    scaled = fit_wall * TARGET_FIT_ENROLMENTS / enrolments
    label = "" if enrolments == TARGET_FIT_ENROLMENTS else " (scaled to 10,000)"
    verdict = "meets" if scaled < TARGET_FIT_SECONDS else "MISSES"
    print(
        f"  => fitting {TARGET_FIT_ENROLMENTS:,} enrolments: {scaled:.1f} s wall{label} "
        f"(its share of the wall clock)   target < {TARGET_FIT_SECONDS:.0f} s: {verdict}"
    )


# ------------------------------------------------------------------------------------------------
# Seeding (bulk inserts, never through the services)
# ------------------------------------------------------------------------------------------------


def _insert(model: Any, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    n = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= INSERT_CHUNK:
            db.session.execute(sa.insert(model), chunk)
            n += len(chunk)
            chunk = []
    if chunk:
        db.session.execute(sa.insert(model), chunk)
        n += len(chunk)
    return n


def _seed_bank(questions: int, at: datetime) -> list[int]:
    articles = math.ceil(questions / QUESTIONS_PER_ARTICLE)
    _insert(
        Track,
        [
            {
                "id": 1,
                "key": "bench",
                "title": "Bench",
                "description": "",
                "level": "intermediate",
                "position": 0,
                "source_path": "bench/track.yaml",
                "created_at": at,
                "updated_at": at,
            }
        ],
    )
    _insert(
        Article,
        (
            {
                "id": a + 1,
                "key": f"bench-{a:04d}",
                "title": f"Topic {a}",
                "position": a,
                "difficulty": "intermediate",
                "tags": [],
                "aliases": [],
                "source_path": f"bench/{a:04d}.md",
                "body_html": f"<p>Topic {a}</p>",
                "content_hash": f"{a:064x}",
                "created_at": at,
                "updated_at": at,
            }
            for a in range(articles)
        ),
    )
    _insert(
        TrackArticle,
        ({"track_id": 1, "article_id": a + 1, "position": a} for a in range(articles)),
    )
    _insert(
        Question,
        (
            {
                "id": q + 1,
                "key": f"bench-{q // QUESTIONS_PER_ARTICLE:04d}:self_assessment:{q}",
                "article_id": q // QUESTIONS_PER_ARTICLE + 1,
                "kind": "self_assessment",
                "position": q % QUESTIONS_PER_ARTICLE,
                "prompt": f"Question {q}?",
                "answer": f"Answer {q}.",
                "explanation": "",
                "choices": [],
                "source_path": "bench/q.md",
                "source_line": q,
                "content_hash": f"{q:064x}",
                "created_at": at,
                "updated_at": at,
            }
            for q in range(questions)
        ),
    )
    return list(range(1, questions + 1))


def _users(first: int, count: int, at: datetime, **extra: Callable[[int], Any]) -> Iterator[dict]:
    for uid in range(first, first + count):
        row = {
            "id": uid,
            "email": f"learner{uid}@bench.example",
            "display_name": f"Learner {uid}",
            "password_hash": "bench-not-a-real-hash",
            "timezone": "UTC",
            "day_start_hour": DAY_START_HOUR,
            "created_at": at,
            "session_version": 1,
            "reminder_channel": "off",
            "reminder_hour": 9,
            "streak": 0,
        }
        row.update({k: f(uid) for k, f in extra.items()})
        yield row


def _enrolments_and_presets(count: int, at: datetime) -> None:
    preset = study.stored_values(DomainPreset())
    _insert(
        Enrolment,
        ({"id": u, "user_id": u, "track_id": 1, "created_at": at} for u in range(1, count + 1)),
    )
    _insert(
        Preset,
        ({"id": u, "enrolment_id": u, "created_at": at, **preset} for u in range(1, count + 1)),
    )


def _reset_sequences() -> None:
    finish_bulk_load()


def _card_row(card_id: int, uid: int, question_id: int, memory: Memory, created: datetime) -> dict:
    return {
        "id": card_id,
        "user_id": uid,
        "question_id": question_id,
        "enrolment_id": uid,
        "state": int(memory.state),
        "step": memory.step,
        "stability": memory.stability,
        "difficulty": memory.difficulty,
        "due": memory.due,
        "last_review": memory.last_review,
        "reps": memory.reps,
        "lapses": memory.lapses,
        "suspended": False,
        "leech": False,
        "version": memory.reps,
        "created_at": created,
    }


# ------------------------------------------------------------------------------------------------
# (a, continued) run_nightly through the database
# ------------------------------------------------------------------------------------------------


def seed_fit_learners(enrolments: int, reviews: int) -> int:
    at = T0 - 10 * DAY
    questions = _seed_bank(QUESTIONS, at)
    _insert(User, _users(1, enrolments, at))
    _enrolments_and_presets(enrolments, at)
    card_id = log_id = 0
    cards: list[dict] = []
    logs: list[dict] = []
    for uid in range(1, enrolments + 1):
        history = synthetic_history(uid - 1, reviews)
        ids: dict[int, int] = {}
        created: dict[int, datetime] = {}
        final: dict[int, Memory] = {}
        for card, rating, reviewed_at, before, outcome in history:
            if card not in ids:
                card_id += 1
                ids[card], created[card] = card_id, reviewed_at
            final[card] = outcome.memory
            log_id += 1
            after = outcome.memory
            logs.append(
                {
                    "id": log_id,
                    "user_id": uid,
                    "card_id": ids[card],
                    "enrolment_id": uid,
                    "preset_id": uid,
                    "review_id": f"seed-{log_id}",
                    "rating": rating,
                    "reviewed_at": reviewed_at,
                    "state_before": int(before.state),
                    "state_after": int(after.state),
                    "stability_after": after.stability,
                    "difficulty_after": after.difficulty,
                    "due_after": after.due,
                    "interval_days": outcome.interval.total_seconds() / 86400,
                    "elapsed_days": outcome.elapsed_days,
                    "retrievability": outcome.retrievability,
                    "before": {},
                }
            )
        cards += [
            _card_row(ids[card], uid, questions[card], memory, created[card])
            for card, memory in final.items()
        ]
        if len(logs) >= 20 * INSERT_CHUNK:
            _insert(Card, cards)
            _insert(ReviewLog, logs)
            cards, logs = [], []
    _insert(Card, cards)
    _insert(ReviewLog, logs)
    db.session.commit()
    _reset_sequences()
    return log_id


def bench_nightly(database: str, enrolments: int, reviews: int, scale_to: int) -> None:
    print(f"\n== (a) fits.run_nightly through {database}: {enrolments} enrolments ==")
    with bench_app(database):
        s0 = time.perf_counter()
        logs = seed_fit_learners(enrolments, reviews)
        print(f"  seeded {enrolments} learners, {logs:,} review-log rows in "
              f"{time.perf_counter() - s0:.1f} s")  # fmt: skip
        retention = _Timer(fitting, "recommended_retention")
        try:
            now = datetime(2026, 3, 2, 3, 17, tzinfo=UTC)
            start = time.perf_counter()
            run = fits.run_nightly(now=now, min_reviews=reviews)
            seconds = time.perf_counter() - start
            again = time.perf_counter()
            rerun = fits.run_nightly(now=now, min_reviews=reviews)
            rerun_seconds = time.perf_counter() - again
        finally:
            retention.restore()
    fitting_only = seconds - retention.seconds
    print(
        f"  {run.eligible} eligible: {run.kept} kept, {run.rejected} rejected, {run.other} other; "
        f"{seconds:.1f} s ({seconds / max(1, run.eligible) * 1000:.0f} ms per enrolment)"
    )
    print(
        f"  of which recommended_retention for the {retention.calls} kept fits: "
        f"{retention.seconds:.1f} s ({retention.seconds / max(1, retention.calls):.2f} s each); "
        f"the rest (read history, fit, compare, write): {fitting_only:.1f} s"
    )
    print(f"  second run: {rerun.eligible} eligible, {rerun_seconds:.2f} s (idempotent)")
    factor = scale_to / enrolments
    total = seconds * factor
    verdict = "meets" if total < TARGET_FIT_SECONDS else "MISSES"
    print(
        f"  => extrapolated linearly to {scale_to:,} enrolments (x{factor:.0f}, one process): "
        f"{total / 60:.1f} min, of which recommended_retention "
        f"{retention.seconds * factor / 60:.1f} min   target < {TARGET_FIT_SECONDS / 60:.0f} min: "
        f"{verdict}"
    )


class _Timer:
    """Wraps a module function to add up the time spent in it (the real function still runs)."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name = module, name
        self.original = getattr(module, name)
        self.seconds = 0.0
        self.calls = 0

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        setattr(module, name, timed)

    def restore(self) -> None:
        setattr(self.module, self.name, self.original)


# ------------------------------------------------------------------------------------------------
# (b) the digest job
# ------------------------------------------------------------------------------------------------


def _due_hour(zone: str, rng: random.Random) -> int:
    """A reminder hour that has come by DIGEST_AT in ``zone`` (with a 04:00 day start)."""
    local = DIGEST_AT.astimezone(ZoneInfo(zone)).hour
    if local >= DAY_START_HOUR:
        return rng.randint(DAY_START_HOUR, local)
    return rng.randint(0, local)  # before the day start: the reminder of the day now ending


def seed_digest_learners(learners: int) -> None:
    at = DIGEST_AT - 100 * DAY
    rng = random.Random(SEED)
    questions = _seed_bank(40, at)
    zones = {u: DIGEST_ZONES[u % len(DIGEST_ZONES)] for u in range(1, learners + 1)}
    hours = {u: _due_hour(zones[u], rng) for u in zones}
    yesterday = (DIGEST_AT - DAY).date()
    _insert(
        User,
        _users(
            1,
            learners,
            at,
            timezone=zones.__getitem__,
            reminder_channel=lambda u: "email",
            reminder_hour=hours.__getitem__,
            streak=lambda u: u % 30,
            streak_last_day=lambda u: yesterday if u % 3 else None,
        ),
    )
    _enrolments_and_presets(learners, at)

    def cards() -> Iterator[dict]:
        card_id = 0
        for uid in range(1, learners + 1):
            for n in range(4):
                card_id += 1
                state = CardState.LEARNING if n == 3 else CardState.REVIEW
                due = DIGEST_AT + timedelta(hours=rng.uniform(-72, 72))
                memory = Memory(
                    state=state,
                    step=0 if n == 3 else None,
                    stability=rng.uniform(1, 30),
                    difficulty=5.0,
                    due=due,
                    last_review=due - 3 * DAY,
                    reps=3,
                )
                yield _card_row(card_id, uid, questions[(uid + n * 7) % 40], memory, at)

    _insert(Card, cards())
    db.session.commit()
    _reset_sequences()


def bench_digests(database: str, learners: int) -> None:
    print(f"\n== (b) reminders.send_digests through {database}: {learners:,} learners ==")
    with bench_app(database):
        s0 = time.perf_counter()
        seed_digest_learners(learners)
        print(f"  seeded {learners:,} learners, {learners * 4:,} cards in "
              f"{time.perf_counter() - s0:.1f} s")  # fmt: skip
        db.session.remove()
        start = time.perf_counter()
        run = reminders.send_digests(now=DIGEST_AT, secret="bench", base_url="http://bench")
        seconds = time.perf_counter() - start
        db.session.remove()
        again = time.perf_counter()
        rerun = reminders.send_digests(now=DIGEST_AT, secret="bench", base_url="http://bench")
        rerun_seconds = time.perf_counter() - again
    print(
        f"  at {DIGEST_AT:%Y-%m-%d %H:%M} UTC: {run.considered:,} considered, {run.sent:,} sent, "
        f"{run.not_yet:,} not yet due, {run.already_sent:,} already sent"
    )
    scaled = seconds * TARGET_DIGEST_LEARNERS / max(1, learners)
    label = "" if learners == TARGET_DIGEST_LEARNERS else f" ({scaled:.1f} s scaled to 100,000)"
    verdict = "meets" if scaled < TARGET_DIGEST_SECONDS else "MISSES"
    print(
        f"  => {seconds:.1f} s, {learners / seconds:,.0f} learners/s{label}   "
        f"target < {TARGET_DIGEST_SECONDS:.0f} s for 100,000: {verdict}"
    )
    print(
        f"  the same hour again: {rerun.sent} sent, {rerun.already_sent:,} already had one; "
        f"{rerun_seconds:.1f} s ({learners / rerun_seconds:,.0f} learners/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--part", choices=("all", "fits", "nightly", "digests"), default="all")
    parser.add_argument("--enrolments", type=int, default=TARGET_FIT_ENROLMENTS)
    parser.add_argument("--reviews", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db-enrolments", type=int, default=200)
    parser.add_argument("--learners", type=int, default=TARGET_DIGEST_LEARNERS)
    args = parser.parse_args()
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    print(f"bench/jobs.py on {os.cpu_count()} cores; databases: {', '.join(databases)}")
    if args.part in ("all", "fits"):
        bench_fit_and_compare(args.enrolments, args.reviews, args.workers)
    if args.part in ("all", "nightly"):
        for database in databases:
            bench_nightly(database, args.db_enrolments, args.reviews, TARGET_FIT_ENROLMENTS)
    if args.part in ("all", "digests"):
        for database in databases:
            bench_digests(database, args.learners)


if __name__ == "__main__":
    main()
