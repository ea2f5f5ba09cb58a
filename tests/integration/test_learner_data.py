"""A learner's export holds all their data and no secret; deleting the account removes all of it,
their imported decks included, and nobody else's."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.domain.anki.text import parse_text
from app.extensions import db
from app.models import Article, Question, Track
from app.services import banks, study
from app.services.interop.anki_import import plan_import
from app.services.interop.owners import Owner
from tests.factories import NOW, PASSWORD, log_in, make_token, make_user, write_os_bank


def rows_of(user_id: int) -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        if "user_id" in table.c:
            n = db.session.scalar(
                sa.select(sa.func.count()).select_from(table).where(table.c.user_id == user_id)
            )
            if n:
                counts[table.name] = n
    return counts


def count(where: sa.ColumnElement[bool]) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).where(where)) or 0)


def test_export_everything_and_delete_everything(client, app, tmp_path):
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    ada = make_user(email="ada@example.com")
    bob = make_user(email="bob@example.com")
    for user in (ada, bob):
        study.enrol(user.id, "os", now=NOW)
        make_token(user)
    deck = (
        "#separator:tab\n#guid column:1\n#notetype column:2\n#deck column:3\n"
        "A1\tBasic\tMine::Deck\tWhat is A?\tIt is A.\n"
    )
    plan_import(parse_text(deck.encode()), Owner(ada.id), now=NOW, apply=True)
    db.session.commit()
    log_in(client, "ada@example.com")
    card = client.get("/study/review")
    assert card.status_code == 200
    exported = client.get("/account/export")
    assert exported.headers["Cache-Control"] == "no-store"
    data = json.loads(exported.data)
    assert data["account"]["email"] == "ada@example.com"
    assert "password_hash" not in data["account"]
    assert [e["user_id"] for e in data["enrolments"]] == [ada.id, ada.id]  # os and the deck
    assert len(data["presets"]) == 2
    assert data["api_tokens"] and "token_hash" not in data["api_tokens"][0]
    assert data["login_sessions"] and "secret_hash" not in data["login_sessions"][0]
    assert [q["prompt"] for q in data["own_questions"]] == ["What is A?"]
    assert data["anki_notes"][0]["guid"]
    assert not any(bob.email in json.dumps(v) for v in data.values())

    before_bob = rows_of(bob.id)
    gone = client.post("/account/delete", data={"password": PASSWORD})
    assert gone.status_code == 302
    assert rows_of(ada.id) == {}
    assert (
        db.session.scalar(sa.select(sa.func.count(Article.id)).where(Article.owner_id == ada.id))
        == 0
    )
    assert (
        db.session.scalar(sa.select(sa.func.count(Track.id)).where(Track.owner_id == ada.id)) == 0
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Question.id)).where(Question.prompt == "What is A?")
        )
        == 0
    )
    assert rows_of(bob.id) == before_bob
