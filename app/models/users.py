"""Accounts and the personal API tokens that act for them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import g, has_request_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    day_start_hour: Mapped[int] = mapped_column(sa.SmallInteger, default=4)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on password change so every other session (and remember-me cookie) stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Daily reminder: "email" or "off", at this hour of the learner's local time.
    reminder_channel: Mapped[str] = mapped_column(sa.String(10), default="off")
    reminder_hour: Mapped[int] = mapped_column(sa.SmallInteger, default=9)
    # The streak: consecutive completed study days, up to the last one completed.
    streak: Mapped[int] = mapped_column(default=0)
    streak_last_day: Mapped[date | None] = mapped_column(sa.Date)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the account, its
        session version and the secret of this request's sign-in (services/sessions.py)."""
        secret = g.get("session_secret", "") if has_request_context() else ""
        return f"{self.id}:{self.session_version}:{secret}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # Only the SHA-256 of the token is kept: a leaked database does not leak working tokens.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginSession(db.Model):  # type: ignore[name-defined,misc]
    """One sign-in on one browser: its cookie (and remember-me cookie) work until it is signed out,
    here or from another device, or the password changes."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only the SHA-256 of the secret the cookie carries is kept.
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
