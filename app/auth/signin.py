"""Signing a browser in and out: each sign-in is a row the cookies name (services/sessions.py).

The sign-in a request runs under is kept on ``g`` (its row id and secret): ``User.get_id`` puts
the secret in the session and the remember-me cookie, and signing out revokes that row.
"""

from __future__ import annotations

from flask import g, request
from flask_login import login_user, logout_user

from app.clock import now
from app.models import User
from app.services import sessions


def _hold(sign_in: sessions.SignIn) -> None:
    g.session_secret = sign_in.secret
    g.login_session_id = sign_in.id


def sign_in(user: User, *, remember: bool = False) -> None:
    _hold(sessions.start(user, user_agent=request.headers.get("User-Agent", ""), now=now()))
    login_user(user, remember=remember)


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the user of a sign-in that still stands."""
    found = sessions.resolve(session_id, now=now())
    if found is None:
        return None
    _hold(found)
    return found.user


def current_sign_in() -> int | None:
    """The id of the sign-in this request runs under."""
    return g.get("login_session_id")


def sign_out() -> None:
    """End this sign-in for good: its cookie and remember-me cookie stop working anywhere."""
    session_id = current_sign_in()
    if session_id is not None:
        sessions.end_one(session_id, now=now())
    logout_user()
