"""Signing a browser in and out: each sign-in is a row the cookies name (services.sessions)."""

from __future__ import annotations

from flask import request
from flask_login import login_user, logout_user

from app.clock import now
from app.models import User
from app.services import sessions


def sign_in(user: User, *, remember: bool = False) -> None:
    sessions.start(user, user_agent=request.headers.get("User-Agent", ""), now=now())
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this sign-in for good: its cookie and remember-me cookie stop working anywhere."""
    sessions.end_current(now=now())
    logout_user()
