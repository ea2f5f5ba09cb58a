"""Consistent snapshots of the database, and restoring one.

* SQLite: SQLite's online backup API copies the database page by page under a read transaction,
  so the copy is consistent even while the app writes; restoring copies it back the same way.
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, by PostgreSQL's own MVCC) and
  ``pg_restore --clean --if-exists --single-transaction``. These are PostgreSQL's own tools and
  the better ones: they must be on the PATH (Debian: ``postgresql-client``), and they also serve
  for point-in-time recovery setups this command does not replace.

Stop the web server and the scheduler before restoring: a restore replaces every table.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from app.extensions import db


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _postgres_args(url: str) -> list[str]:
    parsed = make_url(url).set(drivername="postgresql")
    return ["--dbname", parsed.render_as_string(hide_password=False)]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on the PATH: install PostgreSQL's client tools")
    return found


def backup(url: str, target: Path) -> Path:
    """Write a consistent snapshot of the database at ``url`` to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    dialect = make_url(url).get_backend_name()
    if dialect == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    if dialect == "postgresql":
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)]
        done = subprocess.run([*command, *_postgres_args(url)], capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        return target
    raise BackupError(f"no backup for {dialect} databases")


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the snapshot in ``source``."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    dialect = make_url(url).get_backend_name()
    if dialect == "sqlite":
        try:
            with sqlite3.connect(source) as snapshot:
                if snapshot.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                    raise BackupError(f"{source} is not a sound SQLite database")
                with sqlite3.connect(_sqlite_path(url)) as live:
                    snapshot.backup(live)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup ({error})") from None
        return
    if dialect == "postgresql":
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
        ]
        done = subprocess.run(
            [*command, *_postgres_args(url), str(source)], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
        return
    raise BackupError(f"no restore for {dialect} databases")
