"""Recording the answer at one place of a drill or a round exactly once.

Two requests answering the same place race on the (parent, position) unique key and the parent's
version: the first commits, the second gets the first's answer back, never a second answer.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.services.errors import Conflict

Answer = TypeVar("Answer")


def commit_once(answer: Answer, parent: Any, position: int, what: str) -> Answer:
    """Commit ``answer`` (already added, with its parent moved on); if another request answered
    the same ``position`` of ``parent`` (a column: DrillAnswer.drill_id == id) first, return
    that answer instead."""
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        model = type(answer)
        first = db.session.scalar(
            sa.select(model).where(parent, model.position == position)  # type: ignore[attr-defined,arg-type]
        )
        if first is None:
            raise Conflict(f"This {what} changed in another tab; reload it.") from None
        return first
    return answer
