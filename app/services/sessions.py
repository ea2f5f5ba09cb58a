"""Sign-ins that end: each one is a row, named in the session cookie (and remember-me cookie) by a
secret whose hash is kept. Signing out revokes it, so a copied cookie stops working; signing out
everywhere revokes them all; a password change ends every sign-in (its version goes up)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import LoginSession, User
from app.services.errors import NotFound

# How stale "last used" may get before a request writes it again (a write per request is waste).
TOUCH_EVERY = timedelta(minutes=5)
AGENT_MAX = 200


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class SignIn:
    """A sign-in that stands: its user, its row's id and the secret its cookies carry."""

    user: User
    id: int
    secret: str


def start(user: User, *, user_agent: str, now: datetime) -> SignIn:
    """A new sign-in for ``user``; the caller's cookies name it by its secret."""
    secret = secrets.token_urlsafe(32)
    row = LoginSession(
        user_id=user.id,
        secret_hash=_hash(secret),
        user_agent=user_agent[:AGENT_MAX],
        created_at=now,
        last_used_at=now,
    )
    db.session.add(row)
    db.session.commit()
    return SignIn(user, row.id, secret)


def resolve(session_id: str, *, now: datetime) -> SignIn | None:
    """The user of a Flask-Login id ``"<user id>:<version>:<secret>"``, if that sign-in stands."""
    user_part, _, rest = session_id.partition(":")
    version_part, _, secret = rest.partition(":")
    if not (user_part.isdigit() and version_part.isdigit() and secret):
        return None
    found = db.session.execute(
        sa.select(User, LoginSession)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == int(user_part),
            LoginSession.secret_hash == _hash(secret),
            LoginSession.revoked_at.is_(None),
        )
    ).first()
    if found is None:
        return None
    user, row = found
    if user.session_version != int(version_part):
        return None
    if now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        db.session.commit()
    return SignIn(user, row.id, secret)


def end_one(session_id: int, *, now: datetime) -> None:
    """Revoke this sign-in (logging out), if it still stands."""
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()


def end(user_id: int, session_id: int, *, now: datetime) -> None:
    """Revoke one of the learner's sign-ins (from the settings page)."""
    done = db.session.execute(
        sa.update(LoginSession)
        .where(
            LoginSession.id == session_id,
            LoginSession.user_id == user_id,
            LoginSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    db.session.commit()
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"no sign-in {session_id}")


def end_all(user_id: int, *, now: datetime) -> int:
    """Revoke every sign-in of the learner, this one included; returns how many."""
    done = db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.commit()
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def active(user_id: int) -> list[LoginSession]:
    """The learner's sign-ins that still work, most recently used first."""
    return list(
        db.session.scalars(
            sa.select(LoginSession)
            .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
            .order_by(LoginSession.last_used_at.desc(), LoginSession.id.desc())
        )
    )
