"""Creating a group, listing one's groups, and what the group page shows: this week's article and
what each member has done with it (as each allows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    Card,
    Group,
    GroupMember,
    GroupQuiz,
    GroupQuizAnswer,
    GroupRead,
    GroupWeek,
    Question,
    Track,
)
from app.services.errors import ValidationError
from app.services.groups.members import GroupRole, membership
from app.services.groups.weeks import AssignRun, assign_groups, current_week, next_turn

NAME_MAX = 100
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZONES = available_timezones()


def create_group(
    user_id: int,
    *,
    name: str,
    track_key: str,
    timezone: str,
    week_day: int,
    week_hour: int,
    week_minute: int = 0,
    now: datetime,
) -> Group:
    """A new group owned by the caller; its first week starts now, with the track's first
    article."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"Name the group in 1 to {NAME_MAX} characters."
    track = db.session.scalar(
        sa.select(Track).where(Track.key == track_key, Track.retired_at.is_(None))
    )
    if track is None:
        errors["track"] = f"No track {track_key!r}."
    if timezone not in _ZONES:
        errors["timezone"] = f"{timezone!r} is not a time zone; use a name like Europe/Berlin."
    if not 0 <= week_day <= 6:
        errors["week_day"] = "Use 0 (Monday) to 6 (Sunday)."
    if not 0 <= week_hour <= 23:
        errors["week_hour"] = "Use an hour from 0 to 23."
    if not 0 <= week_minute <= 59:
        errors["week_minute"] = "Use a minute from 0 to 59."
    if errors:
        raise ValidationError(errors)
    assert track is not None
    group = Group(
        name=name,
        track_id=track.id,
        timezone=timezone,
        week_day=week_day,
        week_hour=week_hour,
        week_minute=week_minute,
        article_order=[],
        skipped=[],
        created_at=now,
    )
    group.members.append(GroupMember(user_id=user_id, role=GroupRole.OWNER, joined_at=now))
    db.session.add(group)
    db.session.flush()
    # This week's article, from the start; the owner who just made the group needs no notice.
    assign_groups([group], now, "", {}, AssignRun(), tell=False)
    db.session.commit()
    return group


def my_groups(user_id: int) -> list[tuple[Group, GroupMember]]:
    return [
        (group, member)
        for group, member in db.session.execute(
            sa.select(Group, GroupMember)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(GroupMember.user_id == user_id)
            .order_by(Group.archived_at.is_not(None), Group.name)
        )
    ]


@dataclass(frozen=True)
class MemberProgress:
    member: GroupMember
    visible: bool  # False: the member keeps their progress to themselves
    read: bool
    quizzed: bool
    reviewed: int  # the week's article's questions the member has reviewed
    questions: int


@dataclass(frozen=True)
class GroupPage:
    group: Group
    me: GroupMember
    week: GroupWeek | None
    next_turn: datetime
    progress: tuple[MemberProgress, ...]
    quizzes: tuple[GroupQuiz, ...]


def group_page(user_id: int, group_id: int, now: datetime) -> GroupPage:
    group, me = membership(user_id, group_id)
    week = current_week(group, now)
    progress: list[MemberProgress] = []
    if week is not None:
        ids = [m.user_id for m in group.members]
        read = set(
            db.session.scalars(
                sa.select(GroupRead.user_id).where(
                    GroupRead.week_id == week.id, GroupRead.user_id.in_(ids)
                )
            )
        )
        quizzed = set(
            db.session.scalars(
                sa.select(GroupQuizAnswer.user_id)
                .join(GroupQuiz, GroupQuiz.id == GroupQuizAnswer.quiz_id)
                .where(GroupQuiz.week_id == week.id, GroupQuizAnswer.user_id.in_(ids))
            )
        )
        questions = (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Question)
                .where(Question.article_id == week.article_id, Question.retired_at.is_(None))
            )
            or 0
        )
        reviewed = dict(
            db.session.execute(
                sa.select(Card.user_id, sa.func.count())
                .join(Question, Question.id == Card.question_id)
                .where(
                    Question.article_id == week.article_id,
                    Card.user_id.in_(ids),
                    Card.reps > 0,
                )
                .group_by(Card.user_id)
            ).all()
        )
        for member in group.members:
            visible = member.shows_progress or member.user_id == user_id
            progress.append(
                MemberProgress(
                    member,
                    visible,
                    visible and member.user_id in read,
                    visible and member.user_id in quizzed,
                    reviewed.get(member.user_id, 0) if visible else 0,
                    questions,
                )
            )
    quizzes = tuple(
        db.session.scalars(
            sa.select(GroupQuiz)
            .where(GroupQuiz.group_id == group_id)
            .order_by(GroupQuiz.created_at.desc())
            .limit(10)
        )
    )
    return GroupPage(group, me, week, next_turn(group, now), tuple(progress), quizzes)


def mark_read(user_id: int, group_id: int, now: datetime) -> None:
    """The member has read this week's article (idempotent)."""
    group, _ = membership(user_id, group_id)
    week = current_week(group, now)
    if week is None:
        raise ValidationError({"week": "This group has no article assigned yet."})
    if db.session.get(GroupRead, (week.id, user_id)) is None:
        db.session.add(GroupRead(week_id=week.id, user_id=user_id, read_at=now))
        try:
            db.session.commit()
        except IntegrityError:  # marked in another tab at the same moment
            db.session.rollback()


def local_time(group: Group, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(group.timezone))
