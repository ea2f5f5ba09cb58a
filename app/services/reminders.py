"""Daily reminder digests: at the learner's chosen local hour, once per study day at most."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from app.domain.scheduling import CardState
from app.domain.studyday import day_start, study_day
from app.extensions import db
from app.models import (
    Card,
    Digest,
    Enrolment,
    OutboxMessage,
    Preset,
    Question,
    ReviewLog,
    Track,
    TrackArticle,
    User,
)
from app.services import mail
from app.services.errors import NotFound, ValidationError
from app.services.study import current_streak

log = logging.getLogger(__name__)
CHANNELS = ("email", "off")
UNSUBSCRIBE_SALT = "rehearse-unsubscribe"


def update_reminders(user_id: int, *, channel: str, hour: int) -> User:
    errors = {}
    if channel not in CHANNELS:
        errors["channel"] = "Choose email or off."
    if not 0 <= hour <= 23:
        errors["hour"] = "Choose an hour from 0 to 23."
    if errors:
        raise ValidationError(errors)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    user.reminder_channel = channel
    user.reminder_hour = hour
    db.session.commit()
    return user


def unsubscribe_token(user_id: int, *, secret: str) -> str:
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps(user_id)


def unsubscribe_target(token: str, *, secret: str) -> User:
    """The learner a signed unsubscribe link names; NotFound for a forged or stale link."""
    try:
        user_id = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        raise NotFound("that unsubscribe link is not valid") from None
    user = db.session.get(User, int(user_id))
    if user is None:
        raise NotFound("that account no longer exists")
    return user


def unsubscribe(token: str, *, secret: str) -> User:
    """Turn reminders off for the learner a signed link names (no login needed)."""
    user = unsubscribe_target(token, secret=secret)
    user.reminder_channel = "off"
    db.session.commit()
    return user


def reminder_due_at(user: User, now: datetime) -> tuple[date, datetime]:
    """The learner's current study day and the instant its reminder falls due."""
    day = study_day(now, user.timezone, user.day_start_hour)
    calendar_day = day.date
    if user.reminder_hour < user.day_start_hour:
        calendar_day += timedelta(days=1)  # e.g. 02:00 with a 04:00 day start: the next morning
    return day.date, day_start(calendar_day, user.timezone, user.reminder_hour)


@dataclass(frozen=True)
class TrackLine:
    title: str
    reviews_due: int  # cards in review due by the end of the learner's day
    learning_due: int  # cards learning or relearning due by then
    new_waiting: int  # new cards the day still offers: the daily limit less today's, at most
    # what the track has left


@dataclass
class DigestRun:
    considered: int = 0
    sent: int = 0
    already_sent: int = 0
    not_yet: int = 0
    delivered: int = 0
    user_ids: list[int] = field(default_factory=list)


def _batches(now: datetime, size: int) -> Iterator[list[User]]:
    last_id = 0
    while True:
        users = list(
            db.session.scalars(
                sa.select(User)
                .where(User.reminder_channel == "email", User.id > last_id)
                .order_by(User.id)
                .limit(size)
            )
        )
        if not users:
            return
        last_id = users[-1].id
        yield users


def _track_lines(users: Sequence[User], now: datetime) -> dict[int, list[TrackLine]]:
    """Reviews due today and new cards waiting, per learner and track, in a few queries."""
    ids = [u.id for u in users]
    enrolments = db.session.execute(
        sa.select(Enrolment.id, Enrolment.user_id, Enrolment.track_id, Track.title)
        .join(Track, Track.id == Enrolment.track_id)
        .where(Enrolment.user_id.in_(ids), Enrolment.left_at.is_(None))
        .order_by(Enrolment.created_at, Enrolment.id)
    ).all()
    if not enrolments:
        return {}
    enrolment_ids = [e.id for e in enrolments]
    due: dict[tuple[int, bool], int] = defaultdict(int)  # (enrolment, learning) -> cards
    introduced_today: dict[int, int] = defaultdict(int)
    by_day: dict[tuple[datetime, datetime], list[int]] = defaultdict(list)
    for user in users:
        day = study_day(now, user.timezone, user.day_start_hour)
        by_day[(day.start, day.end)].append(user.id)
    learning = Card.state.in_([CardState.LEARNING, CardState.RELEARNING])
    for (day_begun, day_end), user_ids in by_day.items():
        for enrolment_id, count in db.session.execute(
            sa.select(ReviewLog.enrolment_id, sa.func.count())
            .where(
                ReviewLog.user_id.in_(user_ids),
                ReviewLog.reviewed_at >= day_begun,
                ReviewLog.undone_at.is_(None),
                ReviewLog.state_before == CardState.NEW,
            )
            .group_by(ReviewLog.enrolment_id)
        ):
            if enrolment_id is not None:
                introduced_today[enrolment_id] = count
        for enrolment_id, is_learning, count in db.session.execute(
            sa.select(Card.enrolment_id, learning, sa.func.count())
            .join(Question, Question.id == Card.question_id)
            .where(
                Card.user_id.in_(user_ids),
                Card.state != CardState.NEW,
                Card.due < day_end,
                Card.suspended.is_(False),
                # As the study queue: a buried card waits for tomorrow, a retired question is gone.
                sa.or_(Card.buried_until.is_(None), Card.buried_until <= now),
                Question.retired_at.is_(None),
                Card.enrolment_id.is_not(None),
            )
            .group_by(Card.enrolment_id, learning)
        ):
            if enrolment_id is not None:
                due[(enrolment_id, bool(is_learning))] = count
    introduced = dict(
        db.session.execute(
            sa.select(Card.enrolment_id, sa.func.count())
            .where(Card.enrolment_id.in_(enrolment_ids), Card.state != CardState.NEW)
            .group_by(Card.enrolment_id)
        ).all()
    )
    latest = (
        sa.select(sa.func.max(Preset.id))
        .where(Preset.enrolment_id.in_(enrolment_ids))
        .group_by(Preset.enrolment_id)
    )
    per_day = dict(
        db.session.execute(
            sa.select(Preset.enrolment_id, Preset.new_per_day).where(Preset.id.in_(latest))
        ).all()
    )
    track_ids = {e.track_id for e in enrolments}
    sizes = dict(
        db.session.execute(
            sa.select(TrackArticle.track_id, sa.func.count(Question.id))
            .join(Question, Question.article_id == TrackArticle.article_id)
            .where(TrackArticle.track_id.in_(track_ids), Question.retired_at.is_(None))
            .group_by(TrackArticle.track_id)
        ).all()
    )
    lines: dict[int, list[TrackLine]] = defaultdict(list)
    for e in enrolments:
        waiting = max(0, sizes.get(e.track_id, 0) - introduced.get(e.id, 0))
        left_today = max(0, per_day.get(e.id, 0) - introduced_today.get(e.id, 0))
        lines[e.user_id].append(
            TrackLine(e.title, due[(e.id, False)], due[(e.id, True)], min(left_today, waiting))
        )
    return lines


def digest_text(
    user: User, lines: Sequence[TrackLine], streak: int, *, study_url: str, unsubscribe_url: str
) -> tuple[str, str]:
    total = sum(line.reviews_due for line in lines)
    learning = sum(line.learning_due for line in lines)
    new = sum(line.new_waiting for line in lines)
    subject = f"Rehearse: {total} review{'s' if total != 1 else ''} due today"
    if learning:
        subject += f", {learning} learning"
    if new:
        subject += f", {new} new"
    body = [f"Hello {user.display_name},", ""]
    if lines:
        body.append("Today in your tracks:")
        body += [
            f"  - {line.title}: {line.reviews_due} review{'s' if line.reviews_due != 1 else ''}, "
            f"{line.learning_due} learning, {line.new_waiting} new"
            for line in lines
        ]
    else:
        body.append("You are not enrolled in any track yet.")
    body += [
        "",
        f"Streak: {streak} day{'s' if streak != 1 else ''}.",
        "",
        f"Study now: {study_url}",
        "",
        f"Stop these reminders: {unsubscribe_url}",
    ]
    return subject, "\n".join(body) + "\n"


def send_digests(
    *,
    now: datetime,
    secret: str,
    base_url: str,
    smtp: mail.SmtpSettings | None = None,
    batch_size: int = 1000,
) -> DigestRun:
    """Send every learner whose reminder hour has come today's digest, if not sent already.

    Safe to run twice or late: a digest row per (learner, study day) is unique, so the second run
    finds it and sends nothing.
    """
    run = DigestRun()
    base_url = base_url.rstrip("/")
    for users in _batches(now, batch_size):
        run.considered += len(users)
        due: list[tuple[User, date]] = []
        for user in users:
            local, at = reminder_due_at(user, now)
            if now >= at:
                due.append((user, local))
            else:
                run.not_yet += 1
        if not due:
            continue
        sent_before = set(
            db.session.execute(
                sa.select(Digest.user_id, Digest.local_date).where(
                    Digest.user_id.in_([u.id for u, _ in due]),
                    Digest.local_date.in_({d for _, d in due}),
                )
            ).all()
        )
        todo = [(u, d) for u, d in due if (u.id, d) not in sent_before]
        run.already_sent += len(due) - len(todo)
        if not todo:
            continue
        lines = _track_lines([u for u, _ in todo], now)
        messages = []
        for user, local in todo:
            token = unsubscribe_token(user.id, secret=secret)
            subject, body = digest_text(
                user,
                lines.get(user.id, []),
                current_streak(user, now=now),
                study_url=f"{base_url}/study/",
                unsubscribe_url=f"{base_url}/unsubscribe/{token}",
            )
            message = mail.write(user.id, user.email, subject, body, now=now)
            messages.append(message)
            db.session.add(
                Digest(user_id=user.id, local_date=local, created_at=now, outbox=message)
            )
            run.user_ids.append(user.id)
        try:
            db.session.commit()
        except IntegrityError:
            # Another run got there first for someone in this batch: keep only what is new.
            db.session.rollback()
            run.user_ids = run.user_ids[: len(run.user_ids) - len(todo)]
            log.warning("digest batch collided with another run; it will be retried next hour")
            continue
        run.sent += len(todo)
        if smtp is not None:
            run.delivered += mail.deliver(messages, smtp, now=now)
    log.info(
        "digests: %d learners considered, %d sent, %d already had one, %d not yet due",
        run.considered,
        run.sent,
        run.already_sent,
        run.not_yet,
    )
    return run


def outbox(user_id: int, *, limit: int = 50) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.user_id == user_id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )
