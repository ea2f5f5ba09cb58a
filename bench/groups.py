"""What reading groups cost: the weekly assignment job over many groups, and the team report of
a big, old group.

    python bench/groups.py [--database sqlite|postgres|both] [--groups 10000] [--members 10]
                           [--report-members 50] [--weeks 52]

(a) The weekly job. ``--groups`` groups of ``--members`` members each (every member with email
    reminders on), in eight time zones, each turning its week on a random weekday and hour, each
    with last week's article assigned; bulk-inserted. Then ``groups.weeks.assign_due`` at an
    instant when every group's week has turned: each gets its next article and each member a
    notice in the outbox. Then the same run again (a rerun assigns nothing).
(b) The report. One group of ``--report-members`` members with ``--weeks`` weekly quizzes of ten
    multiple-choice questions each, every member answering every quiz (about two in three right);
    ``groups.report.team_report`` timed over five runs (median and worst).

Targets: (a) under 60 s for 10,000 groups of 10 members; (b) under 200 ms for 50 members and 52
weeks.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from common import bench_app

from app.extensions import db
from app.models import (
    Article,
    Group,
    GroupMember,
    GroupQuiz,
    GroupQuizAnswer,
    GroupWeek,
    OutboxMessage,
    Question,
    Track,
    TrackArticle,
    User,
)
from app.services.groups import report, weeks

TARGET_JOB_SECONDS = 60.0
TARGET_REPORT_MS = 200.0
ZONES = (
    "UTC", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata",
    "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo",
)  # fmt: skip
AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
ARTICLES = 60
QUESTIONS_PER_ARTICLE = 10
CHUNK = 5_000
SEED = 20261201


def _insert(model: Any, rows: Iterator[dict[str, Any]]) -> int:
    n, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            db.session.execute(sa.insert(model), chunk)
            n, chunk = n + len(chunk), []
    if chunk:
        db.session.execute(sa.insert(model), chunk)
        n += len(chunk)
    return n


def _seed_track() -> None:
    at = AT - 400 * WEEK / 7
    _insert(Track, iter([{
        "id": 1, "key": "bench", "title": "Bench", "description": "", "level": "intermediate",
        "position": 0, "source_path": "bench/track.yaml", "created_at": at, "updated_at": at,
    }]))  # fmt: skip
    _insert(Article, ({
        "id": a, "key": f"bench-{a:03d}", "title": f"Topic {a}", "position": a,
        "difficulty": "intermediate", "tags": [], "aliases": [], "rubric": [],
        "key_tradeoff": f"Speed vs Safety {a}", "source_path": f"bench/{a:03d}.md",
        "body_html": "<p>Topic</p>", "content_hash": f"{a:064x}", "created_at": at,
        "updated_at": at,
    } for a in range(1, ARTICLES + 1)))  # fmt: skip
    _insert(
        TrackArticle,
        ({"track_id": 1, "article_id": a, "position": a} for a in range(1, ARTICLES + 1)),
    )
    _insert(Question, ({
        "id": q, "key": f"bench-{(q - 1) // QUESTIONS_PER_ARTICLE + 1:03d}:table:t:row{q}:which:a",
        "article_id": (q - 1) // QUESTIONS_PER_ARTICLE + 1, "kind": "table_which",
        "position": q % QUESTIONS_PER_ARTICLE, "prompt": f"Which option has property {q}?",
        "answer": f"**A** — Row {q % 4}: property {q}", "explanation": "Because.",
        "choices": ["A", "B", "C"], "correct": 0, "source_path": "bench/q.md", "source_line": q,
        "content_hash": f"{q:064x}", "created_at": at, "updated_at": at,
    } for q in range(1, ARTICLES * QUESTIONS_PER_ARTICLE + 1)))  # fmt: skip


def _users(first: int, count: int) -> Iterator[dict[str, Any]]:
    for uid in range(first, first + count):
        yield {
            "id": uid, "email": f"member{uid}@bench.example", "display_name": f"Member {uid}",
            "password_hash": "bench", "timezone": "UTC", "day_start_hour": 4, "created_at": AT,
            "session_version": 1, "reminder_channel": "email", "reminder_hour": 9, "streak": 0,
        }  # fmt: skip


def seed_groups(count: int, size: int, now: datetime) -> None:
    rng = random.Random(SEED)
    _seed_track()
    _insert(User, _users(1, count * size))
    groups = []
    for gid in range(1, count + 1):
        groups.append(Group(
            id=gid, name=f"Group {gid}", track_id=1, timezone=ZONES[gid % len(ZONES)],
            week_day=rng.randrange(7), week_hour=rng.randrange(24), week_minute=0,
            article_order=[], skipped=[], created_at=now - 3 * WEEK, version=1,
        ))  # fmt: skip
    _insert(Group, ({c.name: getattr(g, c.name) for c in Group.__table__.columns} for g in groups))
    _insert(GroupMember, ({
        "group_id": gid, "user_id": (gid - 1) * size + n + 1,
        "role": "owner" if n == 0 else "member", "joined_at": now - 3 * WEEK,
        "shows_progress": True, "shows_answers": False, "counts_quizzes": False,
    } for gid in range(1, count + 1) for n in range(size)))  # fmt: skip
    # Last week's article, assigned a week before the one the job is about to assign.
    _insert(GroupWeek, ({
        "group_id": g.id, "starts_on": weeks.week_start(g, now) - WEEK,
        "starts_at": weeks.turn_at(g, weeks.week_start(g, now) - WEEK), "article_id": 1,
        "assigned_at": now - WEEK,
    } for g in groups))  # fmt: skip
    db.session.commit()
    _reset_sequences()


def _reset_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("users", "reading_groups", "articles", "tracks", "questions", "group_weeks",
                  "group_quizzes", "group_quiz_answers", "outbox"):  # fmt: skip
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 1))"
        ))  # fmt: skip
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))


def bench_job(database: str, count: int, size: int) -> float:
    print(f"\n== (a) groups.weeks.assign_due through {database}: {count:,} groups of {size} ==")
    with bench_app(database):
        s0 = time.perf_counter()
        seed_groups(count, size, AT)
        took = time.perf_counter() - s0
        print(f"  seeded {count:,} groups, {count * size:,} members in {took:.1f} s")
        db.session.remove()
        start = time.perf_counter()
        run = weeks.assign_due(now=AT, base_url="http://bench")
        seconds = time.perf_counter() - start
        db.session.remove()
        again = time.perf_counter()
        rerun = weeks.assign_due(now=AT, base_url="http://bench")
        rerun_seconds = time.perf_counter() - again
        outbox = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        assigned = db.session.scalar(sa.select(sa.func.count()).select_from(GroupWeek))
    assert run.assigned == count and rerun.assigned == 0 and rerun.already == count
    assert assigned == 2 * count and outbox == count * size
    print(f"  assigned {run.assigned:,} weeks and wrote {run.told:,} notices in {seconds:.1f} s "
          f"({1e3 * seconds / count:.2f} ms per group); target < {TARGET_JOB_SECONDS:.0f} s: "
          f"{'met' if seconds < TARGET_JOB_SECONDS else 'MISSED'}")  # fmt: skip
    print(f"  rerun: {rerun.already:,} groups already had their week, nothing assigned, "
          f"{rerun_seconds:.1f} s")  # fmt: skip
    return seconds


def seed_report(members: int, weeks_count: int) -> int:
    rng = random.Random(SEED)
    _seed_track()
    _insert(User, _users(1, members))
    _insert(Group, iter([{
        "id": 1, "name": "Big group", "track_id": 1, "timezone": "Europe/Berlin", "week_day": 0,
        "week_hour": 9, "week_minute": 0, "article_order": [], "skipped": [],
        "created_at": AT - weeks_count * WEEK, "version": 1,
    }]))  # fmt: skip
    _insert(GroupMember, ({
        "group_id": 1, "user_id": u, "role": "owner" if u == 1 else "member",
        "joined_at": AT - weeks_count * WEEK, "shows_progress": True, "shows_answers": u % 2 == 0,
        "counts_quizzes": False,
    } for u in range(1, members + 1)))  # fmt: skip
    _insert(GroupWeek, ({
        "id": w, "group_id": 1, "starts_on": (AT - (weeks_count - w) * WEEK).date(),
        "starts_at": AT - (weeks_count - w) * WEEK, "article_id": (w - 1) % ARTICLES + 1,
        "assigned_at": AT - (weeks_count - w) * WEEK,
    } for w in range(1, weeks_count + 1)))  # fmt: skip

    def quiz_questions(w: int) -> list[int]:
        first = ((w - 1) % ARTICLES) * QUESTIONS_PER_ARTICLE + 1
        return list(range(first, first + QUESTIONS_PER_ARTICLE))

    _insert(GroupQuiz, ({
        "id": w, "group_id": 1, "week_id": w, "article_id": (w - 1) % ARTICLES + 1,
        "created_by": 1, "created_at": AT - (weeks_count - w) * WEEK,
        "deadline": AT - (weeks_count - w) * WEEK + timedelta(days=5), "closed_at": None,
        "question_ids": quiz_questions(w), "version": 1,
    } for w in range(1, weeks_count + 1)))  # fmt: skip

    def answers() -> Iterator[dict[str, Any]]:
        for w in range(1, weeks_count + 1):
            for u in range(1, members + 1):
                for q in quiz_questions(w):
                    right = rng.random() < 0.65 + 0.03 * (q % 5)
                    yield {
                        "quiz_id": w, "user_id": u, "question_id": q,
                        "response": "0" if right else "1", "correct": right,
                        "answered_at": AT - (weeks_count - w) * WEEK + timedelta(days=1),
                        "counted": False,
                    }  # fmt: skip

    n = _insert(GroupQuizAnswer, answers())
    db.session.commit()
    _reset_sequences()
    return n


def bench_report(database: str, members: int, weeks_count: int) -> float:
    print(f"\n== (b) groups.report.team_report through {database}: {members} members, "
          f"{weeks_count} weekly quizzes ==")  # fmt: skip
    with bench_app(database):
        n = seed_report(members, weeks_count)
        print(f"  seeded {n:,} quiz answers")
        times = []
        for _ in range(5):
            db.session.remove()
            start = time.perf_counter()
            found = report.team_report(1, 1, AT + WEEK)
            times.append(1e3 * (time.perf_counter() - start))
    assert found.quizzes == weeks_count and found.answers == n
    median = statistics.median(times)
    print(f"  report over {found.quizzes} quizzes, {found.answers:,} answers: "
          f"median {median:.0f} ms, "
          f"worst {max(times):.0f} ms; target < {TARGET_REPORT_MS:.0f} ms: "
          f"{'met' if median < TARGET_REPORT_MS else 'MISSED'}")  # fmt: skip
    print(f"  top of the agenda: {found.tradeoffs[0].tradeoff}, "
          f"{100 * found.tradeoffs[0].wrong_share:.0f}% wrong")  # fmt: skip
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--report-members", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    for database in databases:
        bench_job(database, args.groups, args.members)
        bench_report(database, args.report_members, args.weeks)


if __name__ == "__main__":
    main()
