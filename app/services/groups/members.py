"""Who may do what in a group: roles, and the membership a request stands on.

Someone outside a group is told it does not exist (404): group ids are not secrets to guess at.
A member short of the role an action needs is told so (403).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Group, GroupMember
from app.services.errors import Conflict, Forbidden, NotFound, ValidationError


class GroupRole(StrEnum):
    OWNER = "owner"
    HOST = "host"
    MEMBER = "member"


RANK = {GroupRole.MEMBER: 1, GroupRole.HOST: 2, GroupRole.OWNER: 3}
ACTION_BY = {GroupRole.HOST: "a host or the owner", GroupRole.OWNER: "the owner"}


def has_role(member: GroupMember, role: GroupRole) -> bool:
    """Whether the member's role is at least ``role`` (an owner can do what a host can)."""
    return RANK[GroupRole(member.role)] >= RANK[role]


def commit_guarded(group: Group) -> None:
    """Commit a change to the group's members through the group row's version, so two owners'
    changes at once (two transfers, say) end in one change and a Conflict, never two owners."""
    flag_modified(group, "name")
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("The group changed in another tab; reload it and try again.") from None


def membership(user_id: int, group_id: int) -> tuple[Group, GroupMember]:
    """The group and the caller's membership; NotFound for anyone outside it."""
    found = db.session.execute(
        sa.select(Group, GroupMember)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(Group.id == group_id, GroupMember.user_id == user_id)
    ).first()
    if found is None:
        raise NotFound(f"no group {group_id}")
    return found[0], found[1]


def require(
    user_id: int, group_id: int, role: GroupRole, *, active: bool = True
) -> tuple[Group, GroupMember]:
    """The membership, if it has at least ``role``; an archived group refuses changes."""
    group, member = membership(user_id, group_id)
    if not has_role(member, role):
        raise Forbidden(f"Only {ACTION_BY[role]} of {group.name} can do that.")
    if active and group.archived_at is not None:
        raise Conflict(f"{group.name} is archived: it can be read, not changed.")
    return group, member


def _other(group: Group, user_id: int) -> GroupMember:
    member = next((m for m in group.members if m.user_id == user_id), None)
    if member is None:
        raise NotFound(f"no member {user_id} in {group.name}")
    return member


def set_role(owner_id: int, group_id: int, user_id: int, role: str) -> GroupMember:
    """Make a member a host, or a host a member again (the owner only)."""
    group, _ = require(owner_id, group_id, GroupRole.OWNER)
    if role not in (GroupRole.HOST, GroupRole.MEMBER):
        raise ValidationError(
            {"role": "Make a member a host or a member; ownership is transferred."}
        )
    member = _other(group, user_id)
    if member.role == GroupRole.OWNER:
        raise Conflict("The owner's role changes only by transferring ownership.")
    member.role = role
    commit_guarded(group)
    return member


def transfer(owner_id: int, group_id: int, user_id: int) -> GroupMember:
    """Hand the group to another member; the former owner stays as a host."""
    group, me = require(owner_id, group_id, GroupRole.OWNER)
    member = _other(group, user_id)
    if member.user_id == owner_id:
        raise ValidationError({"user_id": "You own this group already."})
    member.role = GroupRole.OWNER
    me.role = GroupRole.HOST
    commit_guarded(group)
    return member


def remove(owner_id: int, group_id: int, user_id: int) -> None:
    group, _ = require(owner_id, group_id, GroupRole.OWNER)
    member = _other(group, user_id)
    if member.role == GroupRole.OWNER:
        raise Conflict("The owner cannot be removed; transfer ownership first.")
    db.session.delete(member)
    db.session.commit()


def leave(user_id: int, group_id: int) -> None:
    group, member = membership(user_id, group_id)
    if member.role == GroupRole.OWNER and len(group.members) > 1:
        raise Conflict("Transfer ownership to another member before leaving.")
    if member.role == GroupRole.OWNER:
        raise Conflict("You are the only member: archive the group instead of leaving it.")
    db.session.delete(member)
    db.session.commit()


def update_sharing(
    user_id: int,
    group_id: int,
    *,
    shows_progress: bool,
    shows_answers: bool,
    counts_quizzes: bool,
) -> GroupMember:
    """What the member lets the others see, and whether quizzes count in their schedule."""
    _, member = membership(user_id, group_id)
    member.shows_progress = shows_progress
    member.shows_answers = shows_answers
    member.counts_quizzes = counts_quizzes
    db.session.commit()
    return member


def archive(owner_id: int, group_id: int, now: datetime) -> Group:
    group, _ = require(owner_id, group_id, GroupRole.OWNER)
    group.archived_at = now
    db.session.commit()
    return group
