"""A learner's data, all of it, as JSON: the account, and every row that is theirs — enrolments
and presets, cards, the review log, card changes, custom study, drills, rapid rounds and mock
interviews, reading-group memberships, reads and quiz answers, live-quiz seats and answers,
reports, imported Anki notes and decks, API tokens and sign-ins (without their secrets), and the
messages sent to them.

Rows are found through the schema itself: every table with a ``user_id`` column, and the tables
that hang from those (presets from enrolments, drill answers from drills, …). A table added later
is exported without touching this file; secrets (password and token hashes) never are.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Article, Question, Track, User

SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "secret_hash", "seat"})
# Tables that belong to a learner through a parent row of theirs: (table, column, parent table).
CHILDREN = (
    ("presets", "enrolment_id", "enrolments"),
    ("parameter_fits", "enrolment_id", "enrolments"),
    ("drill_answers", "drill_id", "drills"),
    ("rapid_answers", "round_id", "rapid_rounds"),
    ("live_answers", "player_id", "live_players"),
)
FORMAT_VERSION = 1


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _rows(table: sa.Table, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    columns = [c for c in table.columns if c.name not in SECRET_COLUMNS]
    result = db.session.execute(sa.select(*columns).where(where).order_by(*table.primary_key))
    return [{k: _value(v) for k, v in row._mapping.items()} for row in result]


def export_user(user_id: int, *, now: datetime) -> dict[str, Any]:
    user = db.session.get(User, user_id)
    assert user is not None
    tables = db.metadata.tables
    data: dict[str, Any] = {
        "format": "rehearse-learner-export",
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "account": _rows(tables["users"], tables["users"].c.id == user_id)[0],
    }
    ids: dict[str, list[Any]] = {}
    for table in db.metadata.sorted_tables:
        if "user_id" in table.c and table.name != "users":
            rows = _rows(table, table.c.user_id == user_id)
            data[table.name] = rows
            ids[table.name] = [row["id"] for row in rows if "id" in row]
    for name, column, parent in CHILDREN:
        table = tables[name]
        data[name] = _rows(table, table.c[column].in_(ids.get(parent, [])))
    data["anki_notes"] = _rows(tables["anki_notes"], tables["anki_notes"].c.owner_id == user_id)
    own_articles = sa.select(Article.id).where(Article.owner_id == user_id)
    data["own_articles"] = _rows(tables["articles"], tables["articles"].c.owner_id == user_id)
    data["own_tracks"] = _rows(tables["tracks"], tables["tracks"].c.owner_id == user_id)
    data["own_questions"] = _rows(
        tables["questions"], tables["questions"].c.article_id.in_(own_articles)
    )
    return data


def delete_own_decks(user_id: int) -> None:
    """Remove the learner's imported decks (their questions go with their articles)."""
    db.session.execute(sa.delete(Track).where(Track.owner_id == user_id))
    article_ids = sa.select(Article.id).where(Article.owner_id == user_id)
    db.session.execute(sa.delete(Question).where(Question.article_id.in_(article_ids)))
    db.session.execute(sa.delete(Article).where(Article.owner_id == user_id))
