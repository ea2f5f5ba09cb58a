"""How the cost of "next card" and "answer" grows with the number of learners and cards.

    python bench/study.py [--learners 1000] [--cards-per-learner 1000]
                          [--database sqlite|postgres|both] [--samples 300] [--profile]

For each database, seeds two fresh databases — ``--learners`` learners and a tenth of that — with
bulk inserts (COPY on PostgreSQL, executemany on SQLite; never through the services): one
generated track of ``--cards-per-learner`` questions, one enrolment and default preset per learner,
and per learner 85 % review cards due over +/-60 days, 10 % learning or relearning cards, 5 % new
questions without a card (the last ones in track order), about two past review-log rows per card
and five answers today (with the study day's row they count on), then runs the scheduler's
prepare-plans job, as happens when each learner's day begins. Then times, in-process through
``app.test_client()``, ``--samples`` requests spread over random learners: the next card
(``GET /api/v1/study/next``), an answer to it (``POST /api/v1/study/answers``, a fresh review id,
the card version just shown) and a bare route in the same app; and, for 100 learners whose plan
is dropped first, the day's first next card without a prepared plan ("next, cold"). The two
sizes are measured interleaved, request by request, so that whatever else runs on the machine
slows both alike; the CPU column (this process only) is immune to such waiting. When the study
API is not registered the two study operations are timed as service calls inside a request
context instead, and the output says so.

Targets: next card p99 < 5 ms and answer median < 5 ms on PostgreSQL; 1M/100k ratio <= 1.3x.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import pstats
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import bench_app, finish_bulk_load
from flask import Flask

from app.clock import now as clock_now
from app.domain.scheduling import Preset as DomainPreset
from app.domain.studyday import study_day
from app.extensions import db
from app.models import Article, Enrolment, Preset, Question, StudyDay, Track, TrackArticle, User
from app.services import study, tokens

NEXT_URL = "/api/v1/study/next"
ANSWER_URL = "/api/v1/study/answers"
BARE_URL = "/bench-bare"
ME_URL = "/api/v1/me"
TIMEZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Kolkata")
DAY_START_HOUR = 4
QUESTIONS_PER_ARTICLE = 10
CHUNK_LEARNERS = 50  # learners generated and written per batch: bounds memory
ANSWERS_TODAY = 5
COLD_SAMPLES = 100
TARGET_NEXT_P99_MS = 5.0
TARGET_ANSWER_MEDIAN_MS = 5.0
TARGET_GROWTH = 1.3


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


CARD_COLUMNS = _names(
    "id user_id question_id enrolment_id state step stability difficulty due last_review reps "
    "lapses suspended buried_until leech version created_at"
)
LOG_COLUMNS = _names(
    "id user_id card_id enrolment_id preset_id review_id rating reviewed_at duration_ms answer "
    "correct state_before state_after stability_after difficulty_after due_after interval_days "
    "elapsed_days retrievability fuzz_seed before undone_at"
)
CARD_TIMES = tuple(
    CARD_COLUMNS.index(c) for c in ("due", "last_review", "buried_until", "created_at")
)
LOG_TIMES = tuple(LOG_COLUMNS.index(c) for c in ("reviewed_at", "due_after", "undone_at"))


# ------------------------------------------------------------------------------------------------
# Seeding
# ------------------------------------------------------------------------------------------------


@dataclass
class SeedReport:
    learners: int
    questions: int
    cards: int = 0
    logs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # question id -> the response that answers it correctly ("" for self-graded recall)
    responses: dict[int, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def _question_rows(questions: int, at: datetime) -> tuple[list[dict], list[dict], dict[int, str]]:
    """A bank of ``questions`` in articles of ten: choice, sibling and self-graded recall kinds."""
    articles: list[dict] = []
    rows: list[dict] = []
    responses: dict[int, str] = {}
    for a in range(math.ceil(questions / QUESTIONS_PER_ARTICLE)):
        key = f"bench-topic-{a:05d}"
        articles.append(
            {
                "id": a + 1,
                "key": key,
                "title": f"Topic {a}",
                "series": None,
                "part": None,
                "part_title": None,
                "position": a,
                "difficulty": "intermediate",
                "read_minutes": 10,
                "key_tradeoff": f"Alpha{a} vs Beta{a}",
                "tags": [],
                "aliases": [],
                "source_path": f"bench/{key}.md",
                "body_html": f"<p>Topic {a}</p>",
                "content_hash": f"{a:064x}",
                "created_at": at,
                "updated_at": at,
                "retired_at": None,
            }
        )
        for p in range(QUESTIONS_PER_ARTICLE):
            qid = len(rows) + 1
            if qid > questions:
                break
            if p in (0, 9):  # a trade-off asked both ways: siblings
                kind, group = ("key_tradeoff" if p == 0 else "key_tradeoff_reverse"), "tradeoff"
                choices, correct = ["Alpha", "Beta", "Gamma", "Delta"], p % 4
            elif 1 <= p <= 4:  # two table rows, two questions each: siblings per row
                kind, group = "table_which", f"row{(p - 1) // 2}"
                choices, correct = ["Option A", "Option B", "Option C"], p % 3
            else:
                kind, group, choices, correct = "self_assessment", None, [], None
            responses[qid] = "" if correct is None else str(correct)
            rows.append(
                {
                    "id": qid,
                    "key": f"{key}#q{p}",
                    "article_id": a + 1,
                    "kind": kind,
                    "position": p,
                    "prompt": f"Question {p} about topic {a}?",
                    "answer": f"Answer {p} for topic {a}.",
                    "explanation": "",
                    "choices": choices,
                    "correct": correct,
                    "cloze_answer": None,
                    "sibling_group": f"{key}#{group}" if group else None,
                    "source_path": f"bench/{key}.md",
                    "source_line": 10 + p,
                    "content_hash": f"{qid:064x}",
                    "created_at": at,
                    "updated_at": at,
                    "retired_at": None,
                }
            )
    return articles, rows, responses


class _Ids:
    def __init__(self) -> None:
        self.card = 0
        self.log = 0


def _before_json(state: int, stability: float | None, due: datetime | None, reps: int) -> str:
    return json.dumps(
        {
            "state": state,
            "step": None,
            "stability": stability,
            "difficulty": 5.0,
            "due": due.isoformat() if due else None,
            "last_review": None,
            "reps": reps,
            "lapses": 0,
            "suspended": False,
            "buried_until": None,
            "leech": False,
            "enrolment_id": None,
        }
    )


def _learner_rows(
    rng: random.Random, user_id: int, questions: int, now: datetime, ids: _Ids
) -> tuple[list[tuple], list[tuple]]:
    """One learner's cards and review log, consistent with each other and with today."""
    day = study_day(now, TIMEZONES[user_id % len(TIMEZONES)], DAY_START_HOUR)
    before_today = day.start - timedelta(minutes=1)
    since_start = max((now - day.start).total_seconds(), 60.0)
    day_s = 86400.0
    with_card = questions - round(questions * 0.05)  # the last 5 % in track order are new
    cards: list[tuple] = []
    logs: list[tuple] = []
    review_card_ids: list[int] = []
    card_info: dict[int, list[Any]] = {}
    for qid in range(1, with_card + 1):
        ids.card += 1
        cid = ids.card
        roll = rng.random()
        if roll < 0.85 / 0.95:  # review
            state, step = 2, None
            due = now + timedelta(seconds=rng.uniform(-60, 60) * day_s)
            interval = math.exp(rng.uniform(0.0, math.log(180.0))) * day_s
            last = due - timedelta(seconds=interval)
            if last > before_today:
                last = before_today - timedelta(seconds=rng.uniform(3600, 2 * day_s))
            stability = (due - last).total_seconds() / day_s * rng.uniform(0.8, 1.25)
            reps, lapses = rng.randint(3, 12), rng.choice((0, 0, 0, 0, 1, 1, 2, 3))
            review_card_ids.append(cid)
        else:  # learning or relearning
            state = 1 if rng.random() < 0.7 else 3
            step = rng.randint(0, 1) if state == 1 else 0
            due = now + timedelta(seconds=rng.uniform(-3 * day_s, 7200))
            last = min(due - timedelta(seconds=rng.uniform(60, 600)), before_today)
            stability = rng.uniform(0.2, 3.0)
            reps = rng.randint(1, 2) if state == 1 else rng.randint(4, 10)
            lapses = 0 if state == 1 else rng.randint(1, 4)
        r = rng.random()
        suspended, leech = r < 0.005, r < 0.003
        buried = day.end if 0.005 <= r < 0.007 else None
        card_info[cid] = [qid, state, step, stability, rng.uniform(1.0, 10.0), due, last, reps,
                          lapses, suspended, buried, leech]  # fmt: skip
    # Five answers today, on review cards now due in more than a day.
    future = [c for c in review_card_ids if card_info[c][5] > now + timedelta(days=1)]
    today_cards = set(rng.sample(future, min(ANSWERS_TODAY, len(future))))
    for cid, info in card_info.items():
        qid, state, step, stability, difficulty, due, last, reps, lapses, susp, buried, leech = info
        history = min(reps, rng.choice((1, 2, 2, 3)))
        times = []
        t = last
        for j in range(history):
            times.append(t)
            t = t - timedelta(seconds=max(day_s, stability * day_s / (2 ** (j + 1))))
        times.reverse()
        if cid in today_cards:
            last = day.start + timedelta(seconds=rng.uniform(0, since_start - 30))
            times.append(last)
        created = times[0] - timedelta(minutes=1)
        for j, at in enumerate(times):
            ids.log += 1
            first, latest = j == 0, j == len(times) - 1
            state_before = 0 if first and reps == len(times) else 2
            state_after = state if latest else 2
            due_after = due if latest else times[j + 1]
            elapsed = None if state_before == 0 else rng.uniform(1.0, 30.0)
            rating = rng.choices((1, 2, 3, 4), (8, 10, 72, 10))[0]
            logs.append(
                (
                    ids.log,
                    user_id,
                    cid,
                    user_id,
                    user_id,
                    f"seed-{ids.log}",
                    rating,
                    at,
                    rng.randint(2000, 20000),
                    None,
                    None,
                    state_before,
                    state_after,
                    stability,
                    difficulty,
                    due_after,
                    (due_after - at).total_seconds() / day_s,
                    elapsed,
                    None if elapsed is None else rng.uniform(0.6, 0.99),
                    cid * 7919 + j,
                    _before_json(state_before, None if first else stability, at, j),
                    None,
                )
            )
        cards.append(
            (
                cid,
                user_id,
                qid,
                user_id,
                state,
                step,
                stability,
                difficulty,
                due,
                last,
                reps,
                lapses,
                susp,
                buried,
                leech,
                reps,
                created,
            )
        )
    return cards, logs


def _sqlite_times(rows: list[tuple], positions: tuple[int, ...]) -> Iterator[tuple]:
    """Naive-UTC text exactly as SQLAlchemy's SQLite DATETIME writes it (microseconds always)."""
    for row in rows:
        values = list(row)
        for i in positions:
            v = values[i]
            if v is not None:
                values[i] = v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        yield tuple(values)


class _Writer:
    """Bulk writes of card and log rows: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.raw = db.engine.raw_connection()
        conn: Any = self.raw.driver_connection  # psycopg or sqlite3
        self.conn = conn
        if dialect == "postgresql":
            with self.conn.cursor() as cur:
                # Rows are generated consistent; skip per-row foreign-key triggers while loading.
                cur.execute("SET session_replication_role = replica")

    def write(
        self, table: str, columns: tuple[str, ...], times: tuple[int, ...], rows: list
    ) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            with (
                self.conn.cursor() as cur,
                cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                _sqlite_times(rows, times),
            )

    def finish(self) -> None:
        if self.dialect == "postgresql":
            with self.conn.cursor() as cur:
                cur.execute("RESET session_replication_role")
        self.conn.commit()
        self.raw.close()


def seed(learners: int, questions: int, now: datetime, rng_seed: int) -> SeedReport:
    report = SeedReport(learners=learners, questions=questions)
    dialect = db.engine.dialect.name
    start = time.perf_counter()
    at = now - timedelta(days=400)
    articles, question_rows, report.responses = _question_rows(questions, at)
    track = {
        "id": 1,
        "key": "bench",
        "title": "Bench",
        "description": "",
        "level": "intermediate",
        "position": 0,
        "source_path": "bench/track.yaml",
        "created_at": at,
        "updated_at": at,
        "retired_at": None,
    }
    preset_values = study.stored_values(DomainPreset())
    users = [
        {
            "id": u,
            "email": f"learner{u}@bench.example",
            "display_name": f"Learner {u}",
            "password_hash": "bench-not-a-real-hash",
            "timezone": TIMEZONES[u % len(TIMEZONES)],
            "day_start_hour": DAY_START_HOUR,
            "created_at": at,
            "session_version": 1,
        }
        for u in range(1, learners + 1)
    ]
    db.session.execute(sa.insert(Track), [track])
    db.session.execute(sa.insert(Article), articles)
    db.session.execute(
        sa.insert(TrackArticle),
        [{"track_id": 1, "article_id": a["id"], "position": a["position"]} for a in articles],
    )
    db.session.execute(sa.insert(Question), question_rows)
    db.session.execute(sa.insert(User), users)
    db.session.execute(
        sa.insert(Enrolment),
        [{"id": u["id"], "user_id": u["id"], "track_id": 1, "created_at": at} for u in users],
    )
    db.session.execute(
        sa.insert(Preset),
        [
            {"id": u["id"], "enrolment_id": u["id"], "created_at": at, **preset_values}
            for u in users
        ],
    )
    db.session.commit()
    report.seconds["bank, learners, enrolments"] = time.perf_counter() - start

    start = time.perf_counter()
    generate = 0.0
    writer = _Writer(dialect)
    ids = _Ids()
    for first in range(1, learners + 1, CHUNK_LEARNERS):
        g0 = time.perf_counter()
        cards: list[tuple] = []
        logs: list[tuple] = []
        for user_id in range(first, min(first + CHUNK_LEARNERS, learners + 1)):
            rng = random.Random(rng_seed * 1_000_003 + user_id)
            c, lg = _learner_rows(rng, user_id, questions, now, ids)
            cards += c
            logs += lg
        generate += time.perf_counter() - g0
        writer.write("cards", CARD_COLUMNS, CARD_TIMES, cards)
        writer.write("review_logs", LOG_COLUMNS, LOG_TIMES, logs)
        report.cards += len(cards)
        report.logs += len(logs)
    writer.finish()
    # Each learner's study day so far: the five answers of today (as answering would count them).
    db.session.execute(
        sa.insert(StudyDay),
        [
            {
                "user_id": u["id"],
                "local_date": study_day(now, u["timezone"], DAY_START_HOUR).date,
                "reviews": ANSWERS_TODAY,
                "completed": False,
            }
            for u in users
        ],
    )
    db.session.commit()
    total = time.perf_counter() - start
    report.seconds["generate rows (python)"] = generate
    report.seconds["write cards + logs"] = total - generate

    start = time.perf_counter()
    finish_bulk_load()
    report.seconds["sequences, vacuum analyze" if dialect == "postgresql" else "finish"] = (
        time.perf_counter() - start
    )
    return report


# ------------------------------------------------------------------------------------------------
# Measuring
# ------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this thread's CPU: immune to waiting
    queries: list[int] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.ms)

    def p99(self) -> float:
        ordered = sorted(self.ms)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]

    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    def mean_queries(self) -> float:
        return statistics.fmean(self.queries) if self.queries else 0.0


@dataclass
class Run:
    learners: int
    cards: int
    logs: int
    via_api: bool
    next: Sample = field(default_factory=Sample)
    answer: Sample = field(default_factory=Sample)
    bare: Sample = field(default_factory=Sample)
    # The day's first "next card" of a learner the prepare-plans job missed: the plan is gathered.
    cold: Sample = field(default_factory=Sample)
    profile: str = ""


class _QueryCounter:
    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        self.engine = engine
        sa.event.listen(engine, "before_cursor_execute", self._hit)

    def _hit(self, *_: Any) -> None:
        self.count += 1

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._hit)


def _has_api(app: Flask) -> bool:
    rules = {r.rule for r in app.url_map.iter_rules()}
    return NEXT_URL in rules and ANSWER_URL in rules


def _api_next(client: Any, headers: dict[str, str]) -> tuple[int, int] | None:
    response = client.get(NEXT_URL, headers=headers)
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True))
    card = response.get_json()["card"]
    return None if card is None else (int(card["question_id"]), int(card["version"]))


def _api_answer(
    client: Any, headers: dict[str, str], question_id: int, version: int, response: str
) -> None:
    body: dict[str, Any] = {
        "review_id": uuid.uuid4().hex,
        "question_id": question_id,
        "version": version,
        "rating": 3,
        "duration_ms": 5000,
    }
    if response:
        body["response"] = response
    reply = client.post(ANSWER_URL, json=body, headers=headers)
    assert reply.status_code == 201, (reply.status_code, reply.get_data(as_text=True))


def _service_next(app: Flask, user_id: int) -> tuple[int, int] | None:
    with app.test_request_context(NEXT_URL):
        item = study.today(user_id, now=clock_now()).item
        return (item.question.id, item.version) if item else None


def _service_answer(
    app: Flask, user_id: int, question_id: int, version: int, response: str
) -> None:
    with app.test_request_context(ANSWER_URL, method="POST"):
        study.answer(
            user_id,
            review_id=uuid.uuid4().hex,
            question_id=question_id,
            version=version,
            now=clock_now(),
            rating=3,
            response=response or None,
            duration_ms=5000,
        )


class _Target:
    """One seeded app being measured: its client, tokens and figures."""

    def __init__(self, app: Flask, report: SeedReport, learners: list[int]) -> None:
        self.app = app
        self.report = report
        self.learners = learners
        self.via_api = _has_api(app)
        self.run = Run(report.learners, report.cards, report.logs, self.via_api)
        self.headers: dict[int, dict[str, str]] = {}
        with app.app_context():
            self.counter = _QueryCounter(db.engine)
            for user_id in sorted(set(learners)):
                secret = tokens.create_token(user_id, name="bench", now=clock_now()).secret
                self.headers[user_id] = {"Authorization": f"Bearer {secret}"}
        self.client = app.test_client()

    def timed(self, sample: Sample | None, call: Callable[[], Any]) -> Any:
        self.counter.count = 0
        c0 = time.thread_time()
        t0 = time.perf_counter()
        result = call()
        elapsed = (time.perf_counter() - t0) * 1000
        cpu = (time.thread_time() - c0) * 1000
        if sample is not None:
            sample.ms.append(elapsed)
            sample.cpu_ms.append(cpu)
            sample.queries.append(self.counter.count)
        return result

    def one(self, user_id: int, keep: bool) -> None:
        """Bare route, next card, then the answer to it, for one learner."""
        run, client, h = self.run, self.client, self.headers[user_id]
        # Untimed: the learner is mid-session, so the token's last-used stamp (written at most
        # once a minute, with its own commit) is fresh and stays out of the figures.
        assert client.get(ME_URL, headers=h).status_code == 200
        self.timed(run.bare if keep else None, lambda: client.get(BARE_URL))
        if self.via_api:
            shown = self.timed(run.next if keep else None, lambda: _api_next(client, h))
        else:
            shown = self.timed(run.next if keep else None, lambda: _service_next(self.app, user_id))
        if shown is None:
            return  # nothing left today for this learner: no answer to time
        qid, version = shown
        response = self.report.responses.get(qid, "")
        if self.via_api:
            call = lambda: _api_answer(client, h, qid, version, response)  # noqa: E731
        else:
            call = lambda: _service_answer(self.app, user_id, qid, version, response)  # noqa: E731
        self.timed(run.answer if keep else None, call)

    def cold(self, user_id: int) -> None:
        """The day's first "next card" for a learner without a prepared plan: drop the plan
        (untimed), then time the request that gathers it again."""
        with self.app.app_context():
            study.forget_plans(user_id, clock_now())
            db.session.commit()
        if self.via_api:
            self.timed(self.run.cold, lambda: _api_next(self.client, self.headers[user_id]))
        else:
            self.timed(self.run.cold, lambda: _service_next(self.app, user_id))


def measure(
    seeded: list[tuple[Flask, SeedReport]], samples: int, warmup: int, profile: bool
) -> list[Run]:
    """Time every seeded app, interleaving them request by request (alternating which goes
    first) so that load from anything else on the machine falls on all of them alike.

    Runs in a worker thread, so that each request gets its own app context and session exactly
    as under a WSGI server (the caller's app context is not inherited). With ``profile``, an
    untimed pass of up to 100 learners on the first app then runs under cProfile."""
    rng = random.Random(12345)
    picks = [
        [rng.randint(1, report.learners) for _ in range(samples + warmup)] for _, report in seeded
    ]
    profiled = [rng.randint(1, seeded[0][1].learners) for _ in range(min(samples, 100))]
    cold = [
        rng.sample(range(1, report.learners + 1), min(COLD_SAMPLES, report.learners))
        for _, report in seeded
    ]

    def body() -> list[Run]:
        targets = [
            _Target(app, report, chosen + cold_ones + (profiled if i == 0 and profile else []))
            for i, ((app, report), chosen, cold_ones) in enumerate(
                zip(seeded, picks, cold, strict=True)
            )
        ]
        try:
            for i in range(samples + warmup):
                order = targets if i % 2 == 0 else targets[::-1]
                for target in order:
                    target.one(target.learners[i], keep=i >= warmup)
            for target, cold_ones in zip(targets, cold, strict=True):
                for user_id in cold_ones:
                    target.cold(user_id)
            if profile:
                profiler = cProfile.Profile()
                for user_id in profiled:
                    profiler.runcall(targets[0].one, user_id, False)
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(40)
                stats.sort_stats("tottime").print_stats(25)
                targets[0].run.profile = out.getvalue()
        finally:
            for target in targets:
                target.counter.close()
        return [t.run for t in targets]

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(body).result()


# ------------------------------------------------------------------------------------------------
# Reporting
# ------------------------------------------------------------------------------------------------


def _label(database: str) -> str:
    return {"sqlite": "SQLite", "postgres": "PostgreSQL"}[database]


def print_table(database: str, big: Run, small: Run, samples: int, load: str) -> None:
    mode = (
        "HTTP through app.test_client(): GET /api/v1/study/next, POST /api/v1/study/answers"
        if big.via_api and small.via_api
        else "SERVICE CALLS (study.today / study.answer) inside app.test_request_context() — "
        "the /api/v1/study endpoints were not registered; bare route through app.test_client()"
    )
    pg = database == "postgres"
    print()
    print(
        f"=== {_label(database)}: {samples} timed requests of each kind per size, random learners,"
    )
    print("    both sizes measured interleaved, request by request")
    print(f"    measured: {mode}")
    print(f"    A = {big.learners} learners, {big.cards:,} cards, {big.logs:,} review logs")
    print(f"    B = {small.learners} learners, {small.cards:,} cards, {small.logs:,} review logs")
    print(f"    load average while measuring: {load}")
    line = "-" * 112
    print(line)
    print(
        f"{'':<11}| {'A: ' + str(big.learners) + ' learners':^36} | "
        f"{'B: ' + str(small.learners) + ' learners':^23} | {'A / B':^15} |"
    )
    print(
        f"{'operation':<11}| {'median':>7} {'p99':>7} {'cpu':>6} {'SQL':>5} {'x bare':>7} "
        f"| {'median':>7} {'p99':>7} {'x bare':>7} | {'median':>7} {'p99':>7} | target"
    )
    print(line)
    for name, a, b in (
        ("next card", big.next, small.next),
        ("answer", big.answer, small.answer),
        ("next, cold", big.cold, small.cold),
        ("bare route", big.bare, small.bare),
    ):
        if not a.ms or not b.ms:
            print(f"{name:<11}| no samples")
            continue
        ratio_med, ratio_p99 = a.median() / b.median(), a.p99() / b.p99()
        target = ""
        if name == "next card":
            met = a.p99() < TARGET_NEXT_P99_MS
            target = f"p99 < {TARGET_NEXT_P99_MS:g} ms" + (
                f" {'met' if met else 'MISSED'}" if pg else " (on PG)"
            )
        elif name == "answer":
            met = a.median() < TARGET_ANSWER_MEDIAN_MS
            target = f"median < {TARGET_ANSWER_MEDIAN_MS:g} ms" + (
                f" {'met' if met else 'MISSED'}" if pg else " (on PG)"
            )
        elif name == "next, cold":
            target = "a day's first request without a prepared plan; no target"
        if name in ("next card", "answer"):
            grown = ratio_med <= TARGET_GROWTH
            target += f"; A/B <= {TARGET_GROWTH}x {'met' if grown else 'MISSED'}"
        print(
            f"{name:<11}| {a.median():7.2f} {a.p99():7.2f} {a.cpu_median():6.2f} "
            f"{a.mean_queries():5.1f} {a.median() / big.bare.median():6.1f}x "
            f"| {b.median():7.2f} {b.p99():7.2f} {b.median() / small.bare.median():6.1f}x "
            f"| {ratio_med:6.2f}x {ratio_p99:6.2f}x | {target}"
        )
    print(line)
    print(
        "    times in ms, wall clock per request; cpu = this process's CPU time per request "
        "(median;\n    excludes the PostgreSQL server and time spent waiting for a core); SQL = "
        "statements per request;\n    x bare = median / bare-route median of the same size"
    )


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def run_database(database: str, args: argparse.Namespace) -> None:
    sizes = (args.learners, max(1, args.learners // 10))
    seeded: list[tuple[Flask, SeedReport]] = []
    with contextlib.ExitStack() as stack:
        for learners in sizes:
            app = stack.enter_context(bench_app(database))
            app.add_url_rule(BARE_URL, "bench_bare", lambda: "ok", methods=["GET"])
            with app.app_context():
                report = seed(learners, args.cards_per_learner, clock_now(), args.seed)
                # As the scheduler's prepare-plans job does when each learner's day begins.
                t0 = time.perf_counter()
                prepared = study.prepare_plans(now=clock_now())
                report.seconds["prepare-plans job"] = time.perf_counter() - t0
                assert prepared.prepared == learners and not prepared.failed, prepared
            print(
                f"{_label(database):<10} seeded {learners:>5} learners, {report.cards:>9,} cards, "
                f"{report.logs:>9,} review logs in {report.total:6.1f} s  ("
                + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
                + ")",
                flush=True,
            )
            seeded.append((app, report))
        before = _load()
        big, small = measure(seeded, args.samples, args.warmup, args.profile)
        load = f"{before} before, {_load()} after (1/5/15 min; this box has {os.cpu_count()} cores)"
        if big.profile:
            print(f"--- cProfile, {_label(database)}, {big.learners} learners (next + answer) ---")
            print(big.profile)
        print_table(database, big, small, args.samples, load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--cards-per-learner", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile the larger run")
    args = parser.parse_args()
    if not 1 <= args.learners <= 100_000 or not 20 <= args.cards_per_learner <= 100_000:
        parser.error("use 1..100000 learners and 20..100000 cards per learner")
    if not 10 <= args.samples <= 100_000:
        parser.error("use 10..100000 samples")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        run_database(database, args)


if __name__ == "__main__":
    main()
