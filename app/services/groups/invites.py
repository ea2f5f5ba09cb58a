"""Joining a group: invite codes that expire and can be revoked.

A code is a random 12-character token; the web and API layers rate-limit join attempts, so codes
cannot be guessed at speed.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Group, GroupInvite, GroupMember
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.groups.members import GroupRole, require

INVITE_DAYS = (1, 7, 30)
CODE_MAX = 32


def create_invite(user_id: int, group_id: int, *, days: int, now: datetime) -> GroupInvite:
    require(user_id, group_id, GroupRole.HOST)
    if days not in INVITE_DAYS:
        raise ValidationError({"days": "An invite lasts 1, 7 or 30 days."})
    invite = GroupInvite(
        group_id=group_id,
        code=secrets.token_urlsafe(9),
        created_by=user_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invite)
    db.session.commit()
    return invite


def invites(user_id: int, group_id: int, now: datetime) -> list[GroupInvite]:
    """The invites still usable, newest first (hosts only)."""
    require(user_id, group_id, GroupRole.HOST, active=False)
    return list(
        db.session.scalars(
            sa.select(GroupInvite)
            .where(
                GroupInvite.group_id == group_id,
                GroupInvite.revoked_at.is_(None),
                GroupInvite.expires_at > now,
            )
            .order_by(GroupInvite.created_at.desc())
        )
    )


def revoke_invite(user_id: int, group_id: int, invite_id: int, now: datetime) -> None:
    require(user_id, group_id, GroupRole.HOST)
    invite = db.session.get(GroupInvite, invite_id)
    if invite is None or invite.group_id != group_id:
        raise NotFound(f"no invite {invite_id}")
    if invite.revoked_at is None:
        invite.revoked_at = now
        db.session.commit()


def invite_for(code: str, now: datetime) -> tuple[GroupInvite, Group]:
    """The usable invite behind a code; a clear refusal for one expired, revoked or unknown."""
    code = (code or "").strip()
    invite = db.session.scalar(sa.select(GroupInvite).where(GroupInvite.code == code[:CODE_MAX]))
    if invite is None:
        raise NotFound("No group has that invite code. Check it with whoever sent it.")
    if invite.revoked_at is not None:
        raise Conflict("This invite was revoked. Ask a host of the group for a new one.")
    if invite.expires_at <= now:
        raise Conflict("This invite has expired. Ask a host of the group for a new one.")
    group = db.session.get(Group, invite.group_id)
    assert group is not None
    if group.archived_at is not None:
        raise Conflict(f"{group.name} is archived and takes no new members.")
    return invite, group


def join(user_id: int, code: str, *, now: datetime) -> tuple[Group, bool]:
    """Join the group an invite code names; joining twice changes nothing. Returns the group and
    whether the caller just joined."""
    _, group = invite_for(code, now)
    if db.session.get(GroupMember, (group.id, user_id)) is not None:
        return group, False
    db.session.add(
        GroupMember(group_id=group.id, user_id=user_id, role=GroupRole.MEMBER, joined_at=now)
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same join sent twice at once
        db.session.rollback()
        return group, False
    return group, True
