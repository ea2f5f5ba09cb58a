"""Connection settings SQLite needs to behave like the database the schema was written for."""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_installed = False


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        # Without this, ON DELETE CASCADE is ignored and deleted accounts leave their data behind.
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets the scheduler process write while web workers read.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def install_sqlite_pragmas() -> None:
    global _installed
    if not _installed:
        sa.event.listen(Engine, "connect", _on_connect)
        _installed = True
