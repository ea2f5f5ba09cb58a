"""Uploads kept between an import's preview and its confirmation: one file per upload in the
instance folder, named by its owner and a random token, removed once applied or an hour old."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

MAX_AGE_SECONDS = 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def keep(user_id: int, upload: FileStorage) -> tuple[str, Path]:
    """Store the upload; returns its token and path. The original name's suffix is kept."""
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    name = secure_filename(upload.filename or "upload") or "upload"
    path = folder / f"{user_id}-{token}-{name}"
    upload.save(path)
    return token, path


def find(user_id: int, token: str) -> Path | None:
    """The kept upload of this user with this token, if it is still there."""
    for path in _folder().glob(f"{user_id}-{token}-*"):
        return path
    return None


def original_name(path: Path) -> str:
    return path.name.split("-", 2)[2]
