"""``rehearse backup`` writes a consistent snapshot and ``rehearse restore`` brings it back, on
SQLite (its online backup API) and on PostgreSQL (pg_dump and pg_restore)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.factories import make_user


def emails() -> set[str]:
    return set(db.session.scalars(sa.select(User.email)))


def test_backup_then_restore_brings_the_data_back(app, runner, tmp_path):
    make_user(email="kept@example.com")
    db.session.commit()
    target = tmp_path / "snapshot.bak"
    made = runner.invoke(args=["backup", str(target)])
    assert made.exit_code == 0, made.output
    assert target.stat().st_size > 0 and "backup:" in made.output

    make_user(email="later@example.com")  # after the snapshot
    db.session.execute(sa.delete(User).where(User.email == "kept@example.com"))
    db.session.commit()
    assert emails() == {"later@example.com"}

    done = runner.invoke(args=["restore", str(target), "--yes"])
    assert done.exit_code == 0, done.output
    assert emails() == {"kept@example.com"}


def test_restore_refuses_a_missing_or_broken_file(app, runner, tmp_path):
    missing = runner.invoke(args=["restore", str(tmp_path / "nope.bak"), "--yes"])
    assert missing.exit_code != 0 and "no such backup file" in missing.output
    if db.engine.dialect.name == "sqlite":
        broken = tmp_path / "broken.bak"
        broken.write_bytes(b"not a database at all" * 100)
        refused = runner.invoke(args=["restore", str(broken), "--yes"])
        assert refused.exit_code != 0 and "is not a SQLite backup" in refused.output
