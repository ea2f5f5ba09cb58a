"""Builders for test data, with fixed UTC datetimes."""

from __future__ import annotations

import itertools
import shutil
from datetime import UTC, datetime
from pathlib import Path

from flask.testing import FlaskClient

from app.config import PROJECT_ROOT
from app.models import User
from app.services import accounts, tokens

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(
    *, email: str | None = None, name: str = "Ada", password: str = PASSWORD, **profile: object
) -> User:
    user = accounts.register(
        email=email or f"user{next(_seq)}@example.com",
        display_name=name,
        password=password,
        now=NOW,
    )
    if profile:
        accounts.update_profile(
            user.id,
            display_name=str(profile.get("display_name", user.display_name)),
            timezone=str(profile.get("timezone", user.timezone)),
            day_start_hour=int(profile.get("day_start_hour", user.day_start_hour)),  # type: ignore[call-overload]
            now=NOW,
        )
    return user


def make_token(user: User, name: str = "laptop") -> str:
    return tokens.create_token(user.id, name=name, now=NOW).secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, **extra: str) -> object:
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


# Two shipped articles in a small track "os": real questions of every kind, quick to sync.
ARTICLES = ("01-process-vs-thread.md", "02-memory-management.md")
TRACK = """\
key: os
title: OS
description: Two articles for tests.
level: beginner
articles:
  - process-vs-thread
  - memory-management
"""


def write_os_bank(root: Path) -> Path:
    (root / "tracks").mkdir(parents=True)
    for name in ARTICLES:
        shutil.copy(PROJECT_ROOT / "question_banks" / "backend-engineering-mastery" / name, root)
    (root / "tracks" / "os.yaml").write_text(TRACK)
    return root
