"""The scheduler process: APScheduler 3 jobs that each push an app context and call a service.

Only the process holding the lease runs jobs. Jobs are stored in the app's database (a
SQLAlchemyJobStore), run in UTC, coalesce missed runs, never overlap themselves, and are
idempotent, so a job that runs twice or late does the work once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from app.clock import now
from app.extensions import db
from app.models import OutboxMessage
from app.observability import timed_job
from app.services import fits, groups, mail, reminders, study
from app.services.lease import Lease, lease_for

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
_app: Flask | None = None


def _context() -> Any:
    if _app is None:
        raise RuntimeError("the scheduler process has not bound an app")
    return _app.app_context()


def smtp_settings(config: Any) -> mail.SmtpSettings:
    return mail.SmtpSettings(
        host=config["SMTP_HOST"],
        port=int(config["SMTP_PORT"]),
        username=config["SMTP_USERNAME"],
        password=config["SMTP_PASSWORD"],
        starttls=bool(config["SMTP_STARTTLS"]),
        sender=config["MAIL_FROM"],
    )


@timed_job("send-digests")
def send_digests() -> None:
    with _context():
        config = current_app.config
        run = reminders.send_digests(
            now=now(),
            secret=config["SECRET_KEY"],
            base_url=config["BASE_URL"],
            smtp=smtp_settings(config),
        )
        log.info("job send_digests: sent %d, %d already had one today", run.sent, run.already_sent)


@timed_job("assign-group-weeks")
def assign_group_weeks() -> None:
    with _context():
        config = current_app.config
        run = groups.weeks.assign_due(now=now(), base_url=config["BASE_URL"])
        smtp = smtp_settings(config)
        if run.message_ids and smtp.enabled:
            notices = list(
                db.session.scalars(
                    sa.select(OutboxMessage).where(OutboxMessage.id.in_(run.message_ids))
                )
            )
            mail.deliver(notices, smtp, now=now())
            db.session.commit()
        if run.assigned:
            log.info("job assign_group_weeks: %d weeks assigned, %d told", run.assigned, run.told)


@timed_job("prepare-plans")
def prepare_plans() -> None:
    with _context():
        run = study.prepare_plans(now=now())
        if run.considered:
            log.info("job prepare_plans: %s", run)


@timed_job("nightly-fits")
def nightly_fits() -> None:
    with _context():
        run = fits.run_nightly(now=now(), min_reviews=current_app.config["FIT_MIN_REVIEWS"])
        log.info("job nightly_fits: %s", run)


@timed_job("queued-fits")
def queued_fits() -> None:
    with _context():
        done = fits.run_queued(now=now(), min_reviews=current_app.config["FIT_MIN_REVIEWS"])
        if done:
            log.info("job queued_fits: ran %d requested fit(s)", done)


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[], None]
    trigger: Any
    description: str


JOBS = (
    JobSpec(
        "send-digests",
        send_digests,
        CronTrigger(minute=1, timezone="UTC"),
        "hourly: reminder digests for learners whose local hour has come",
    ),
    JobSpec(
        "assign-group-weeks",
        assign_group_weeks,
        CronTrigger(minute="*/5", timezone="UTC"),
        "every 5 min: give each reading group whose week has turned its next article",
    ),
    JobSpec(
        "prepare-plans",
        prepare_plans,
        CronTrigger(minute="*/15", timezone="UTC"),
        "every 15 min: gather today's queue plan for active learners whose day has begun",
    ),
    JobSpec(
        "nightly-fits",
        nightly_fits,
        CronTrigger(hour=3, minute=17, timezone="UTC"),
        "nightly: fit FSRS parameters for enrolments whose history has grown",
    ),
    JobSpec(
        "queued-fits",
        queued_fits,
        IntervalTrigger(seconds=30, timezone="UTC"),
        "every 30 s: run fits learners asked for",
    ),
)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """A scheduler storing its jobs in the app's database, with every job added (idempotently)."""
    with app.app_context():
        engine = db.engine
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC",
    )
    for spec in JOBS:
        scheduler.add_job(
            spec.func, spec.trigger, id=spec.id, name=spec.description, replace_existing=True
        )
    return scheduler


class SchedulerRunner:
    """Waits for the lease, runs the scheduler while it holds it, stops the moment it loses it."""

    def __init__(
        self,
        app: Flask,
        *,
        lease: Lease | None = None,
        ttl: timedelta = timedelta(seconds=30),
        scheduler_factory: Callable[[Flask], Any] = build_scheduler,
    ) -> None:
        global _app
        _app = app
        self.app = app
        self.ttl = ttl
        holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        if lease is None:
            with app.app_context():
                lease = lease_for(db.engine, LEASE_NAME, holder, ttl)
        self.lease = lease
        self.scheduler_factory = scheduler_factory
        self.scheduler: Any = None
        self.stopping = False

    @property
    def active(self) -> bool:
        return self.scheduler is not None

    def tick(self, moment: Any = None) -> bool:
        """One step: hold (or try to take) the lease, and start or stop the scheduler to match."""
        moment = moment or now()
        if self.active:
            if self.lease.renew(moment):
                return True
            log.warning("scheduler %s lost its lease; stopping jobs", self.lease.holder)
            self._stop_scheduler()
            return False
        if self.lease.acquire(moment):
            log.info("scheduler %s holds the lease; starting jobs", self.lease.holder)
            self.scheduler = self.scheduler_factory(self.app)
            self.scheduler.start()
            return True
        return False

    def _stop_scheduler(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    def stop(self, *_: object) -> None:
        self.stopping = True

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        interval = max(1.0, self.ttl.total_seconds() / 3)
        waiting_said = False
        try:
            while not self.stopping:
                if not self.tick() and not waiting_said:
                    log.info("another scheduler holds the lease; waiting to take over")
                    waiting_said = True
                elif self.active:
                    waiting_said = False
                deadline = time.monotonic() + interval
                while not self.stopping and time.monotonic() < deadline:
                    time.sleep(0.2)
        finally:
            self._stop_scheduler()
            self.lease.release()
            log.info("scheduler %s stopped", self.lease.holder)


def run_job(job_id: str, app: Flask) -> None:
    """Run one job now, in this process (for operators and tests)."""
    global _app
    _app = app
    for spec in JOBS:
        if spec.id == job_id:
            spec.func()
            return
    raise KeyError(job_id)
