"""A lost race becomes a Conflict: every unit of work applies whole or answers 409, never 500.

Two requests that change the same rows at the same moment meet in the database: one commits, the
other finds a version that moved (StaleDataError), a unique key already taken (IntegrityError), or
on PostgreSQL a serialization failure or deadlock, and on SQLite a locked database. Each of those
means "someone else changed this first": the loser's transaction is rolled back and the caller is
told to reload, whichever statement of the unit of work it happened in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.services.errors import Conflict

# PostgreSQL's serialization failure and deadlock: retrying the whole request is the cure.
_RACE_STATES = frozenset({"40001", "40P01"})
RELOAD = "This changed in another tab or device at the same moment; reload and try again."


def lost_race(error: BaseException) -> bool:
    """Whether a database error means another transaction changed the same rows first."""
    if isinstance(error, StaleDataError | IntegrityError):
        return True
    if isinstance(error, DBAPIError):
        state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        if state in _RACE_STATES:
            return True
        return "database is locked" in str(error.orig)
    return False


@contextmanager
def one_change(message: str = RELOAD) -> Iterator[None]:
    """Run a unit of work (its commit included); a lost race rolls it back as a Conflict."""
    try:
        yield
    except Exception as error:
        if not lost_race(error):
            raise
        db.session.rollback()
        raise Conflict(message) from None
