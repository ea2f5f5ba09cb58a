"""A group's weeks: when its week turns, which article each week gets, and the weekly job.

The week turns on the group's weekday at its local time, in its own time zone, so a daylight-
saving change moves the UTC instant, never the local time. The job assigns each due week once:
a (group, week) row is unique, so a second or late run finds it and does nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Article, Group, GroupMember, GroupWeek, OutboxMessage, TrackArticle, User
from app.services.errors import ValidationError
from app.services.groups.members import GroupRole, commit_guarded, membership, require

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)


def turn_at(group: Group, local: date) -> datetime:
    """The UTC instant of the group's turn on ``local`` (its local date)."""
    zone = ZoneInfo(group.timezone)
    moment = datetime(
        local.year, local.month, local.day, group.week_hour, group.week_minute, tzinfo=zone
    )
    return moment.astimezone(UTC)


def week_start(group: Group, now: datetime) -> date:
    """The local date on which the group's current week turned."""
    local_today = now.astimezone(ZoneInfo(group.timezone)).date()
    start = local_today - timedelta(days=(local_today.weekday() - group.week_day) % 7)
    if turn_at(group, start) > now:
        start -= WEEK
    return start


def next_turn(group: Group, now: datetime) -> datetime:
    return turn_at(group, week_start(group, now) + WEEK)


def track_order(track_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(TrackArticle.article_id)
            .join(Article, Article.id == TrackArticle.article_id)
            .where(TrackArticle.track_id == track_id, Article.retired_at.is_(None))
            .order_by(TrackArticle.position)
        )
    )


def host_order(group: Group, track: Sequence[int]) -> list[int]:
    """Every live article of the track in the order the host set, then any the track gained
    since; skipped ones included."""
    live = set(track)
    order = [a for a in group.article_order or () if a in live]
    placed = set(order)
    return order + [a for a in track if a not in placed]


def planned_order(group: Group, track: Sequence[int] | None = None) -> list[int]:
    """The articles in the order the group reads them, skipped ones left out."""
    track = list(track) if track is not None else track_order(group.track_id)
    skipped = set(group.skipped or ())
    return [a for a in host_order(group, track) if a not in skipped]


def next_article(
    group: Group, assigned: set[int], track: Sequence[int] | None = None
) -> int | None:
    return next((a for a in planned_order(group, track) if a not in assigned), None)


def current_week(group: Group, now: datetime) -> GroupWeek | None:
    """The latest week assigned (this week's, unless the job has not run yet)."""
    return db.session.scalar(
        sa.select(GroupWeek)
        .where(GroupWeek.group_id == group.id, GroupWeek.starts_on <= week_start(group, now))
        .order_by(GroupWeek.starts_on.desc())
        .limit(1)
    )


def weeks_of(group_id: int) -> list[GroupWeek]:
    return list(
        db.session.scalars(
            sa.select(GroupWeek)
            .where(GroupWeek.group_id == group_id)
            .order_by(GroupWeek.starts_on.desc())
        )
    )


def upcoming(user_id: int, group_id: int) -> list[tuple[Article, bool]]:
    """The track's articles not assigned yet, in the group's order, each with whether the host
    skipped it."""
    group, _ = membership(user_id, group_id)
    assigned = {w.article_id for w in weeks_of(group.id)}
    order = host_order(group, track_order(group.track_id))
    skipped = set(group.skipped or ())
    articles = {
        a.id: a for a in db.session.scalars(sa.select(Article).where(Article.id.in_(order)))
    }
    return [(articles[a], a in skipped) for a in order if a not in assigned]


def move(user_id: int, group_id: int, article_id: int, action: str) -> list[int]:
    """The host reorders what is still to come: ``up``, ``down``, ``skip`` or ``unskip``.
    Returns the articles to come, in order."""
    group, _ = require(user_id, group_id, GroupRole.HOST)
    track = track_order(group.track_id)
    if article_id not in track:
        raise ValidationError({"article": f"Article {article_id} is not in {group.track.title}."})
    assigned = {w.article_id for w in weeks_of(group_id)}
    if article_id in assigned:
        raise ValidationError({"article": "That article was assigned already."})
    order = host_order(group, track)
    skipped = list(group.skipped or ())
    index = order.index(article_id)
    if action == "up" and index > 0:
        order[index - 1], order[index] = order[index], order[index - 1]
    elif action == "down" and index < len(order) - 1:
        order[index + 1], order[index] = order[index], order[index + 1]
    elif action == "skip" and article_id not in skipped:
        skipped.append(article_id)
    elif action == "unskip" and article_id in skipped:
        skipped.remove(article_id)
    elif action not in ("up", "down", "skip", "unskip"):
        raise ValidationError({"action": "Use up, down, skip or unskip."})
    group.article_order = order
    group.skipped = skipped
    commit_guarded(group)
    return [a for a in planned_order(group, track) if a not in assigned]


@dataclass
class AssignRun:
    considered: int = 0
    assigned: int = 0
    already: int = 0
    finished: int = 0  # groups whose track has no article left
    told: int = 0
    message_ids: list[int] = field(default_factory=list)  # the notices, to hand to SMTP


def _notice(group: Group, article: Article, base_url: str) -> tuple[str, str]:
    subject = f"{group.name}: this week's article is {article.title}"
    body = (
        f"This week {group.name} reads “{article.title}”.\n\n"
        f"Read it: {base_url}/articles/{article.key}\n"
        f"The group: {base_url}/groups/{group.id}\n\n"
        "Its questions are waiting as new cards in your study queue if you follow the track.\n"
        "You get this because your reminders are on; turn them off under Settings."
    )
    return subject, body


def assign_due(
    *,
    now: datetime,
    base_url: str = "",
    batch_size: int = 1000,
    group_ids: Sequence[int] | None = None,
) -> AssignRun:
    """Assign every group whose week has turned its next article, once, and tell its members
    who get reminders by email (the outbox, sent by SMTP when configured)."""
    run = AssignRun()
    base_url = base_url.rstrip("/")
    query = sa.select(Group).where(Group.archived_at.is_(None)).order_by(Group.id)
    if group_ids is not None:
        query = query.where(Group.id.in_(group_ids))
    offset_id = 0
    tracks: dict[int, list[int]] = {}
    while True:
        groups = list(db.session.scalars(query.where(Group.id > offset_id).limit(batch_size)))
        if not groups:
            break
        offset_id = groups[-1].id
        run.considered += len(groups)
        assign_groups(groups, now, base_url, tracks, run)
    log.info(
        "group weeks: %d groups considered, %d assigned, %d had theirs, %d finished their track",
        run.considered, run.assigned, run.already, run.finished,
    )  # fmt: skip
    return run


def assign_groups(
    groups: list[Group],
    now: datetime,
    base_url: str,
    tracks: dict[int, list[int]],
    run: AssignRun,
    *,
    tell: bool = True,
) -> None:
    starts = {g.id: week_start(g, now) for g in groups}
    ids = list(starts)
    assigned: dict[int, set[int]] = defaultdict(set)
    have: set[tuple[int, date]] = set()
    for group_id, starts_on, article_id in db.session.execute(
        sa.select(GroupWeek.group_id, GroupWeek.starts_on, GroupWeek.article_id).where(
            GroupWeek.group_id.in_(ids)
        )
    ):
        assigned[group_id].add(article_id)
        have.add((group_id, starts_on))
    rows: list[dict[str, object]] = []
    chosen: dict[int, int] = {}
    for group in groups:
        if (group.id, starts[group.id]) in have:
            run.already += 1
            continue
        if group.track_id not in tracks:
            tracks[group.track_id] = track_order(group.track_id)
        picked = next_article(group, assigned[group.id], tracks[group.track_id])
        if picked is None:
            run.finished += 1
            continue
        chosen[group.id] = picked
        rows.append({
            "group_id": group.id, "starts_on": starts[group.id],
            "starts_at": turn_at(group, starts[group.id]), "article_id": picked,
            "assigned_at": now,
        })  # fmt: skip
    if not rows:
        return
    try:
        db.session.execute(sa.insert(GroupWeek), rows)
        told = _tell_members(groups, chosen, now, base_url) if tell else []
        db.session.commit()
    except IntegrityError:
        # Another run assigned some of these weeks meanwhile: do them one by one.
        db.session.rollback()
        for group in groups:
            if group.id in chosen:
                assign_groups([group], now, base_url, tracks, run, tell=tell)
        return
    run.assigned += len(rows)
    run.told += len(told)
    run.message_ids.extend(told)


def _tell_members(
    groups: list[Group], chosen: dict[int, int], now: datetime, base_url: str
) -> list[int]:
    by_id = {g.id: g for g in groups if g.id in chosen}
    articles = {
        a.id: a
        for a in db.session.scalars(sa.select(Article).where(Article.id.in_(set(chosen.values()))))
    }
    members = db.session.execute(
        sa.select(GroupMember.group_id, User.id, User.email)
        .join(User, User.id == GroupMember.user_id)
        .where(GroupMember.group_id.in_(list(by_id)), User.reminder_channel == "email")
    ).all()
    if not members:
        return []
    messages = []
    notices = {gid: _notice(by_id[gid], articles[aid], base_url) for gid, aid in chosen.items()}
    for group_id, user_id, email in members:
        subject, body = notices[group_id]
        messages.append({
            "user_id": user_id, "to_address": email, "subject": subject[:200],
            "body_text": body, "created_at": now, "status": "outbox",
        })  # fmt: skip
    inserted = db.session.execute(sa.insert(OutboxMessage).returning(OutboxMessage.id), messages)
    return list(inserted.scalars())
