"""The declarative base every model derives from, and the column types they share."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC: the only clock models use for defaults."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC that always comes back timezone-aware.

    SQLite keeps no time zone, so values are normalised to naive UTC on the way in and tagged
    UTC on the way out; PostgreSQL stores ``timestamptz``. Naive datetimes are refused, because
    guessing their zone is how review schedules drift by hours.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class IntEnumType(sa.types.TypeDecorator[IntEnum]):
    """An ``IntEnum`` of the domain (card states, ratings) stored as a small integer.

    Rows come back as the enum's members and queries compare with them, so no raw number
    stands for a state anywhere outside the domain.
    """

    impl = sa.SmallInteger
    cache_ok = True

    def __init__(self, enum_class: type[IntEnum]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: int | None, dialect: sa.Dialect) -> int | None:
        return None if value is None else int(self.enum_class(value))

    def process_result_value(self, value: int | None, dialect: sa.Dialect) -> IntEnum | None:
        return None if value is None else self.enum_class(value)


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write the shared column types into migrations as the plain types they store
    (``sa.DateTime(timezone=True)``, ``sa.SmallInteger()``), so migrations never import
    application code that may change after they are written."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, IntEnumType):
        return "sa.SmallInteger()"
    return False
