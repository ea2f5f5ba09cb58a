"""Registering, authenticating and looking after accounts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain.studyday import local_date
from app.extensions import db
from app.models import User
from app.services import plans
from app.services.errors import NotFound, ValidationError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
# Hash a throwaway password once so a login for an unknown email costs as much as a real one.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    """scrypt through Werkzeug: a memory-hard KDF with a per-password salt."""
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    return None


def timezone_problem(name: str) -> str | None:
    if name not in available_timezones():
        return f"{name!r} is not an IANA time zone, such as Europe/Berlin or America/New_York."
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not an IANA time zone."
    return None


def register(*, email: str, display_name: str, password: str, now: datetime) -> User:
    email = normalise_email(email)
    errors: dict[str, str] = {}
    if not email or "@" not in email:
        errors["email"] = "Enter an email address."
    if not display_name.strip():
        errors["display_name"] = "Enter a display name."
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    if not errors and db.session.scalar(sa.select(User.id).where(User.email == email)):
        errors["email"] = "An account with this email already exists."
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        created_at=now,
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password these are, or None — never saying which part was wrong."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def change_password(user_id: int, *, current: str, new: str) -> User:
    user = get_user(user_id)
    errors: dict[str, str] = {}
    if not check_password_hash(user.password_hash, current):
        errors["current_password"] = "That is not your current password."
    problem = password_problem(new)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise ValidationError(errors)
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.commit()
    return user


def update_profile(
    user_id: int, *, display_name: str, timezone: str, day_start_hour: int, now: datetime
) -> User:
    user = get_user(user_id)
    errors: dict[str, str] = {}
    if not display_name.strip():
        errors["display_name"] = "Enter a display name."
    problem = timezone_problem(timezone)
    if problem:
        errors["timezone"] = problem
    if not 0 <= day_start_hour <= 23:
        errors["day_start_hour"] = "Choose an hour from 0 to 23."
    if errors:
        raise ValidationError(errors)
    user.display_name = display_name.strip()
    if (timezone, day_start_hour) != (user.timezone, user.day_start_hour):
        user.timezone = timezone
        user.day_start_hour = day_start_hour
        # The study day moved: plans made for the old boundaries no longer apply.
        plans.forget(user.id, local_date(now, timezone, day_start_hour))
    db.session.commit()
    return user


def delete_account(user_id: int, *, password: str) -> None:
    """Remove the user and everything that belongs to them: their rows through ON DELETE CASCADE,
    and their imported decks, which name their owner without a foreign key."""
    from app.services.data_export import delete_own_decks

    user = get_user(user_id)
    if not check_password_hash(user.password_hash, password):
        raise ValidationError({"password": "That is not your password."})
    delete_own_decks(user_id)
    db.session.delete(user)
    db.session.commit()
