"""Shared set-up for benchmarks: an app on a throwaway database, migrated to head."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402

from app import create_app  # noqa: E402
from tests.databases import ENV_VAR, fresh_database  # noqa: E402


@contextlib.contextmanager
def bench_app(database: str = "sqlite", **config: Any) -> Iterator[Flask]:
    """An app on a new database ("sqlite", or "postgres" using REHEARSE_TEST_DATABASE_URL)."""
    previous = os.environ.get(ENV_VAR)
    if database == "sqlite":
        os.environ.pop(ENV_VAR, None)
    elif not previous:
        os.environ[ENV_VAR] = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    try:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as url:
            app = create_app(
                {
                    "ENV_NAME": "testing",
                    "SECRET_KEY": "bench",
                    "SQLALCHEMY_DATABASE_URI": url,
                    "LOG_LEVEL": "WARNING",
                    "RATELIMIT_ENABLED": False,
                    **config,
                }
            )
            with app.app_context():
                from flask_migrate import upgrade

                from app.extensions import db

                upgrade(directory=str(ROOT / "migrations"))
                try:
                    yield app
                finally:
                    db.session.remove()
                    db.engine.dispose()
    finally:
        if previous is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = previous


@contextlib.contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


SEEDED_TABLES = (
    "users", "articles", "tracks", "questions", "enrolments", "presets", "cards", "review_logs",
)  # fmt: skip


def finish_bulk_load() -> None:
    """After inserting rows with explicit ids on PostgreSQL: move each id sequence past them, and
    VACUUM ANALYZE, as autovacuum would a minute after a load this size. No-op on SQLite."""
    from app.extensions import db

    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as conn:
        for table in SEEDED_TABLES:
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 1))"
                )
            )
        conn.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
