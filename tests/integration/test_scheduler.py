"""The scheduler process: one runner holds the lease and runs jobs, a standby takes over when the
holder dies; jobs live in the database's job store; jobs that run twice do the work once.

``scheduler run`` blocks forever, so it is never invoked here: ``SchedulerRunner.tick`` is the step
its loop repeats.
"""

from __future__ import annotations

import pickle
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED

from app import jobs
from app.extensions import db
from app.jobs import JOBS, LEASE_NAME, SchedulerRunner, build_scheduler, run_job
from app.models import Digest, OutboxMessage, SchedulerLease
from app.models.daily import apscheduler_jobs
from app.services import reminders
from app.services.lease import AdvisoryLease, RowLease
from tests.conftest import count
from tests.factories import make_user

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
SECOND = timedelta(seconds=1)


class Schedulers:
    """A scheduler factory for the runners: real BackgroundSchedulers with no jobs."""

    def __init__(self) -> None:
        self.made: list[BackgroundScheduler] = []

    def __call__(self, app: Any) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(jobstores={"default": MemoryJobStore()}, timezone="UTC")
        self.made.append(scheduler)
        return scheduler


def _lease_row() -> tuple[str, datetime] | None:
    db.session.expire_all()
    row = db.session.get(SchedulerLease, LEASE_NAME)
    return None if row is None else (row.holder, row.expires_at)


def _take_over(runner: SchedulerRunner, moment: datetime, seconds: float = 10.0) -> bool:
    """The server releases a dead session's locks as soon as it notices: retry briefly."""
    deadline = time.monotonic() + seconds
    while not runner.tick(moment):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_one_runner_holds_the_lease_and_a_standby_takes_over_when_it_dies(app):
    schedulers = Schedulers()
    first = SchedulerRunner(app, ttl=TTL, scheduler_factory=schedulers)
    second = SchedulerRunner(app, ttl=TTL, scheduler_factory=schedulers)
    try:
        assert first.tick(T0) is True
        assert first.active
        assert [s.state for s in schedulers.made] == [STATE_RUNNING]

        assert second.tick(T0) is False
        assert not second.active
        assert len(schedulers.made) == 1  # the standby never started a scheduler

        assert first.tick(T0 + 10 * SECOND) is True  # the holder renews
        assert second.tick(T0 + 10 * SECOND) is False

        if db.engine.dialect.name == "postgresql":
            assert isinstance(first.lease, AdvisoryLease)
            # The lock is not timed: a live holder keeps it however long the standby waits.
            assert second.tick(T0 + TTL + SECOND) is False
            assert second.tick(T0 + timedelta(days=1)) is False
            # The holder dies: its connection to the server closes.
            assert first.lease.connection is not None
            first.lease.connection.connection.dbapi_connection.close()
            moment = T0 + 20 * SECOND  # well within the ttl: only the lock matters
            assert _take_over(second, moment)
        else:
            assert isinstance(first.lease, RowLease)
            assert _lease_row() == (first.lease.holder, T0 + 10 * SECOND + TTL)
            # Renewed at T0 + 10 s, so held until T0 + 40 s, past the first term.
            assert second.tick(T0 + TTL + SECOND) is False
            assert second.tick(T0 + 10 * SECOND + TTL) is False  # expiry is exclusive
            # The holder dies: it stops renewing. Once its lease has expired, the standby takes it.
            moment = T0 + 10 * SECOND + TTL + SECOND
            assert second.tick(moment) is True
            assert _lease_row() == (second.lease.holder, moment + TTL)

        assert second.active
        # The old holder, if it ever runs again, finds the lease gone and stops its jobs.
        assert first.tick(moment) is False
        assert not first.active
        assert [s.state for s in schedulers.made] == [STATE_STOPPED, STATE_RUNNING]
        # ...and cannot take it back while the new holder renews.
        assert second.tick(moment + 10 * SECOND) is True
        assert first.tick(moment + 10 * SECOND) is False
        assert len(schedulers.made) == 2
    finally:
        for runner in (first, second):
            runner._stop_scheduler()
            runner.lease.release()


def test_a_runner_that_stops_releases_the_lease_at_once(app):
    schedulers = Schedulers()
    first = SchedulerRunner(app, ttl=TTL, scheduler_factory=schedulers)
    second = SchedulerRunner(app, ttl=TTL, scheduler_factory=schedulers)
    try:
        assert first.tick(T0) is True
        first._stop_scheduler()
        first.lease.release()  # what run_forever does on SIGTERM
        assert second.tick(T0 + SECOND) is True  # no waiting for the ttl
        if db.engine.dialect.name != "postgresql":
            assert _lease_row() == (second.lease.holder, T0 + SECOND + TTL)
    finally:
        for runner in (first, second):
            runner._stop_scheduler()
            runner.lease.release()


def test_build_scheduler_stores_every_job_once_with_coalesce_and_one_instance(app):
    assert count(apscheduler_jobs) == 0
    for _ in range(2):  # every start of the process adds the jobs again: replaced, not doubled
        scheduler = build_scheduler(app)
        scheduler.start(paused=True)
        scheduler.shutdown(wait=False)

    rows = db.session.execute(
        sa.select(
            apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time, apscheduler_jobs.c.job_state
        )
    ).all()
    stored = {job_id: (next_run, pickle.loads(state)) for job_id, next_run, state in rows}
    assert set(stored) == {
        "send-digests",
        "assign-group-weeks",
        "prepare-plans",
        "nightly-fits",
        "queued-fits",
    }
    assert set(stored) == {spec.id for spec in JOBS}
    for spec in JOBS:
        next_run, state = stored[spec.id]
        assert next_run is not None
        assert state["coalesce"] is True
        assert state["max_instances"] == 1
        assert state["misfire_grace_time"] == 3600
        assert state["func"] == f"app.jobs:{spec.func.__name__}"
        assert str(state["trigger"]) == str(spec.trigger)
    assert str(stored["send-digests"][1]["trigger"]) == "cron[minute='1']"


def _learners(n: int) -> list[int]:
    ids = []
    for _ in range(n):
        user = make_user(timezone="Asia/Kolkata")
        reminders.update_reminders(user.id, channel="email", hour=9)
        ids.append(user.id)
    return ids


def test_the_digest_job_twice_at_the_same_moment_sends_one_digest(app, runner, monkeypatch):
    (user_id,) = _learners(1)
    at = datetime(2026, 3, 2, 4, 1, tzinfo=UTC)  # 09:31 in Kolkata
    monkeypatch.setattr(jobs, "now", lambda: at)

    run_job("send-digests", app)
    run_job("send-digests", app)
    result = runner.invoke(args=["scheduler", "run-job", "send-digests"])

    assert result.exit_code == 0, result.output
    assert result.output == "send-digests: done\n"
    assert count(Digest) == count(OutboxMessage) == 1
    assert db.session.scalars(sa.select(Digest.user_id)).all() == [user_id]


def test_the_cli_names_the_jobs_and_refuses_an_unknown_one(app, runner):
    listed = runner.invoke(args=["scheduler", "jobs"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.output.splitlines()] == [s.id for s in JOBS]
    unknown = runner.invoke(args=["scheduler", "run-job", "send-everything"])
    assert unknown.exit_code == 2
    assert (
        "choose one of send-digests, assign-group-weeks, prepare-plans, nightly-fits, queued-fits"
        in unknown.output
    )


def test_two_digest_runs_racing_send_each_learner_one_digest(app):
    learners = _learners(3)
    at = datetime(2026, 3, 2, 4, 1, tzinfo=UTC)
    barrier = threading.Barrier(2)
    results: list[reminders.DigestRun] = []
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(reminders.send_digests(now=at, secret="s", base_url="http://x"))
            except BaseException as error:  # reported below, with the assertion
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(uid for r in results for uid in r.user_ids) == learners
    assert sum(r.sent for r in results) == 3
    # The losing run rolled back its outbox messages along with its digests.
    assert count(Digest) == count(OutboxMessage) == 3
