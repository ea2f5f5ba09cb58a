"""Which scheduler process may run jobs. Exactly one holds the lease; the others wait.

PostgreSQL: a session-level advisory lock on a dedicated connection. If the holder dies, its
connection closes and the server releases the lock at once.
SQLite (and anything else): a row with a holder and an expiry; the holder renews it, and once it
stops renewing (it died) another process takes the row over after the expiry.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from app.models import SchedulerLease


class Lease(Protocol):
    holder: str

    def acquire(self, now: datetime) -> bool: ...
    def renew(self, now: datetime) -> bool: ...
    def release(self) -> None: ...


class RowLease:
    def __init__(self, engine: Engine, name: str, holder: str, ttl: timedelta) -> None:
        self.engine, self.name, self.holder, self.ttl = engine, name, holder, ttl
        self.table = SchedulerLease.__table__

    def _claim(self, now: datetime, *, take_expired: bool) -> bool:
        t = self.table
        mine = t.c.holder == self.holder
        condition = sa.or_(mine, t.c.expires_at < now) if take_expired else mine
        try:
            with self.engine.begin() as connection:
                updated = connection.execute(
                    sa.update(t)
                    .where(t.c.name == self.name, condition)
                    .values(holder=self.holder, expires_at=now + self.ttl)
                ).rowcount
                if updated:
                    return True
                if not take_expired:
                    return False
                exists = connection.execute(
                    sa.select(t.c.name).where(t.c.name == self.name)
                ).first()
                if exists:
                    return False
                connection.execute(
                    sa.insert(t).values(
                        name=self.name, holder=self.holder, expires_at=now + self.ttl
                    )
                )
                return True
        except (IntegrityError, OperationalError):
            return False  # another process inserted or held the write lock first

    def acquire(self, now: datetime) -> bool:
        return self._claim(now, take_expired=True)

    def renew(self, now: datetime) -> bool:
        return self._claim(now, take_expired=False)

    def release(self) -> None:
        t = self.table
        with self.engine.begin() as connection:
            connection.execute(sa.delete(t).where(t.c.name == self.name, t.c.holder == self.holder))


class AdvisoryLease:
    def __init__(self, engine: Engine, name: str, holder: str) -> None:
        self.engine, self.holder = engine, holder
        digest = hashlib.sha256(f"rehearse:{name}".encode()).digest()
        # A positive 63-bit key, so pg_locks' (classid, objid) pair maps back to it exactly.
        self.key = int.from_bytes(digest[:8], "big") & 0x7FFFFFFFFFFFFFFF
        self.connection: Connection | None = None

    def acquire(self, now: datetime) -> bool:
        if self.connection is not None:
            return self.renew(now)
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(sa.select(sa.func.pg_try_advisory_lock(self.key))).scalar()
        if got:
            self.connection = connection
            return True
        connection.close()
        return False

    def renew(self, now: datetime) -> bool:
        if self.connection is None:
            return False
        try:
            held = self.connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": self.key},
            ).scalar()
        except sa.exc.DBAPIError:
            self._drop()
            return False
        if not held:
            self._drop()
        return bool(held)

    def _drop(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                self.connection.close()
            self.connection = None

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(sa.select(sa.func.pg_advisory_unlock(self.key)))
            finally:
                self._drop()


def lease_for(engine: Engine, name: str, holder: str, ttl: timedelta) -> Lease:
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine, name, holder)
    return RowLease(engine, name, holder, ttl)
