"""Where imported Anki notes came from, so a re-import updates them instead of adding them again."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class AnkiNote(db.Model):  # type: ignore[name-defined,misc]
    """One Anki note a learner imported (or, with ``owner_id`` None, an administrator imported into
    the shared banks). Its questions carry keys made from the note's GUID."""

    __tablename__ = "anki_notes"
    __table_args__ = (sa.UniqueConstraint("owner_key", "guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "user-<id>" for a learner's personal bank, "shared" for the banks everyone sees.
    owner_key: Mapped[str] = mapped_column(sa.String(40))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(sa.String(64))
    note_id: Mapped[int] = mapped_column(sa.BigInteger)
    notetype: Mapped[str] = mapped_column(sa.String(200))
    modified: Mapped[int] = mapped_column(sa.BigInteger)  # Anki's note mod, seconds since epoch
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
