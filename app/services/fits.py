"""Fitting FSRS parameters to each learner's own history, per enrolment.

Fits run only in the scheduler process: nightly for every enrolment whose history has grown
enough, and on demand when a learner asks (the request is queued, never run in the web request).
New parameters are kept only when they predict the learner's held-out recent reviews better.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.domain import fitting
from app.extensions import db
from app.models import Enrolment, ParameterFit, ReviewLog
from app.services import study
from app.services.errors import Conflict

log = logging.getLogger(__name__)
# A nightly refit is worth it once the history has grown this much since the last fit.
REFIT_GROWTH = 0.2


def _records(enrolment_id: int, now: datetime) -> list[fitting.ReviewRecord]:
    rows = db.session.execute(
        sa.select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at, ReviewLog.study_date)
        .where(
            ReviewLog.enrolment_id == enrolment_id,
            ReviewLog.undone_at.is_(None),
            ReviewLog.reviewed_at <= now,
        )
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    return [fitting.ReviewRecord(str(card), rating, at, day) for card, rating, at, day in rows]


def fit_enrolment(
    enrolment_id: int,
    *,
    now: datetime,
    trigger: str,
    min_reviews: int = fitting.MIN_REVIEWS_TO_FIT,
    with_retention: bool = False,
    fit: ParameterFit | None = None,
) -> ParameterFit:
    """Fit, compare on held-out reviews, keep the better parameters, and record the attempt."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise Conflict(f"enrolment {enrolment_id} no longer exists")
    if fit is None:
        fit = ParameterFit(
            enrolment_id=enrolment_id, created_at=now, trigger=trigger, status="queued"
        )
        db.session.add(fit)
    records = _records(enrolment_id, now)
    fit.review_count = len(records)
    current_row = study.current_preset_row(enrolment)
    current = tuple(current_row.parameters)
    try:
        result = fitting.fit_and_compare(records, current, now=now, min_reviews=min_reviews)
    except fitting.NotEnoughReviews as error:
        fit.status, fit.message = "skipped", str(error)
    except Exception as error:  # the optimiser is native code: record, never crash the job
        log.exception("fit of enrolment %s failed", enrolment_id)
        fit.status, fit.message = "failed", f"{type(error).__name__}: {error}"
    else:
        fit.log_loss_before = result.log_loss_before
        fit.log_loss_after = result.log_loss_after
        fit.parameters = list(result.parameters)
        if result.accepted:
            fit.status = "kept"
            fit.message = "New parameters predict your recent reviews better; they are in use."
            study.add_preset_version(enrolment, {"parameters": list(result.parameters)}, now=now)
        else:
            fit.status = "rejected"
            fit.message = "The current parameters still predict your recent reviews better."
        if with_retention:
            # 1-2 s of simulation: only for fits a learner asked for, never for the nightly batch.
            fit.recommended_retention = fitting.recommended_retention(result.parameters)
    fit.finished_at = now
    db.session.commit()
    log.info(
        "fit enrolment=%s trigger=%s reviews=%s status=%s log_loss %s -> %s",
        enrolment_id,
        trigger,
        fit.review_count,
        fit.status,
        fit.log_loss_before,
        fit.log_loss_after,
    )
    return fit


def request_refit(user_id: int, enrolment_id: int, *, now: datetime) -> ParameterFit:
    """Queue a fit for the scheduler process; a second request while one is queued is the same."""
    study.get_enrolment(user_id, enrolment_id)
    queued = db.session.scalar(
        sa.select(ParameterFit).where(
            ParameterFit.enrolment_id == enrolment_id, ParameterFit.status == "queued"
        )
    )
    if queued is not None:
        return queued
    fit = ParameterFit(
        enrolment_id=enrolment_id, created_at=now, trigger="on_demand", status="queued"
    )
    db.session.add(fit)
    db.session.commit()
    return fit


def run_queued(*, now: datetime, min_reviews: int = fitting.MIN_REVIEWS_TO_FIT) -> int:
    queued = list(
        db.session.scalars(
            sa.select(ParameterFit).where(ParameterFit.status == "queued").order_by(ParameterFit.id)
        )
    )
    for fit in queued:
        fit_enrolment(
            fit.enrolment_id,
            now=now,
            trigger=fit.trigger,
            min_reviews=min_reviews,
            with_retention=True,
            fit=fit,
        )
    return len(queued)


@dataclass(frozen=True)
class NightlyRun:
    eligible: int
    kept: int
    rejected: int
    other: int


def eligible_enrolments(*, now: datetime, min_reviews: int) -> list[int]:
    """Enrolments with enough reviews whose history grew by REFIT_GROWTH since their last fit."""
    counts = (
        sa.select(ReviewLog.enrolment_id, sa.func.count().label("n"))
        .join(Enrolment, Enrolment.id == ReviewLog.enrolment_id)
        .where(
            Enrolment.left_at.is_(None),
            ReviewLog.undone_at.is_(None),
            ReviewLog.reviewed_at <= now,
        )
        .group_by(ReviewLog.enrolment_id)
        .having(sa.func.count() >= min_reviews)
        .subquery()
    )
    last_fit = (
        sa.select(ParameterFit.enrolment_id, sa.func.max(ParameterFit.review_count).label("fitted"))
        .where(ParameterFit.status.in_(["kept", "rejected"]))
        .group_by(ParameterFit.enrolment_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(counts.c.enrolment_id, counts.c.n, last_fit.c.fitted)
        .outerjoin(last_fit, last_fit.c.enrolment_id == counts.c.enrolment_id)
        .order_by(counts.c.enrolment_id)
    ).all()
    return [
        enrolment_id
        for enrolment_id, n, fitted in rows
        if fitted is None or n >= fitted * (1 + REFIT_GROWTH)
    ]


def run_nightly(*, now: datetime, min_reviews: int = fitting.MIN_REVIEWS_TO_FIT) -> NightlyRun:
    """Fit every eligible enrolment; idempotent, because a fitted history is not eligible again."""
    ids = eligible_enrolments(now=now, min_reviews=min_reviews)
    kept = rejected = other = 0
    for enrolment_id in ids:
        fit = fit_enrolment(enrolment_id, now=now, trigger="nightly", min_reviews=min_reviews)
        if fit.status == "kept":
            kept += 1
        elif fit.status == "rejected":
            rejected += 1
        else:
            other += 1
    log.info(
        "nightly fits: %d eligible, %d kept, %d rejected, %d other", len(ids), kept, rejected, other
    )
    return NightlyRun(len(ids), kept, rejected, other)


def history(user_id: int, enrolment_id: int, *, limit: int = 20) -> list[ParameterFit]:
    study.get_enrolment(user_id, enrolment_id)
    return list(
        db.session.scalars(
            sa.select(ParameterFit)
            .where(ParameterFit.enrolment_id == enrolment_id)
            .order_by(ParameterFit.created_at.desc(), ParameterFit.id.desc())
            .limit(limit)
        )
    )
