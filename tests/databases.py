"""Test databases: a temporary SQLite file, or a throwaway PostgreSQL database per use.

Set ``REHEARSE_TEST_DATABASE_URL`` to a PostgreSQL server URL to run the suite there; each run (and
each migration test) creates its own uniquely named database and drops it afterwards, so reruns and
parallel runs never collide.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.config import normalise_database_url

ENV_VAR = "REHEARSE_TEST_DATABASE_URL"


def server_url() -> str | None:
    url = os.environ.get(ENV_VAR, "").strip()
    return normalise_database_url(url) if url else None


def is_postgres() -> bool:
    url = server_url()
    return bool(url and url.startswith("postgresql"))


@contextlib.contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database, and remove it afterwards."""
    base = server_url()
    if base is None:
        path = tmp_dir / f"rehearse-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    url = make_url(base)
    name = f"rehearse_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
