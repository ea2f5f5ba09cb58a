"""Importing packages Anki's own library wrote, in each of its formats: every note and review,
memory states as Rehearse's scheduler replays them, re-imports that update and never duplicate,
and bad files refused with nothing changed."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import zstandard
from anki.collection import Collection

from app.domain import scheduling as fsrs
from app.domain.anki import package
from app.extensions import db
from app.models import AnkiNote, Article, Card, Enrolment, Question, ReviewLog, Track
from app.services.errors import ValidationError
from app.services.interop.anki_import import plan_import, read_upload
from app.services.interop.owners import Owner
from tests.anki.decks import FORMATS, HISTORY, START, export, make_deck
from tests.factories import NOW, make_user


def import_file(path: Path, owner: Owner, *, apply: bool = True):
    with path.open("rb") as file:
        incoming = read_upload(file, path.name)
    report = plan_import(incoming, owner, now=NOW, apply=apply)
    db.session.commit()
    return report


def question_key(owner: Owner, guid: str, ord_: int = 0) -> str:
    return owner.question_key(guid, ord_)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_note_and_review_of_each_format(app, tmp_path, fmt):
    deck = make_deck(tmp_path, fmt)
    owner = Owner(make_user().id)
    report = import_file(deck.path, owner)
    # Basic x3, reversed (2 cards), cloze (2 cards), the note with an image: 8 questions.
    assert report.questions_added == 8
    assert report.notes == 6
    assert {d.name: d.questions for d in report.decks} == {
        "Systems::Networking": 7,
        "Systems::Storage": 1,
    }
    assert report.reviews == len(HISTORY) and report.cards_with_history == 1
    assert any("'Image only'" in e and "1 note(s) skipped" in e for e in report.errors)
    assert any("dropped" in w for w in report.warnings)
    prompts = set(db.session.scalars(sa.select(Question.prompt)))
    assert "What does <b>TCP</b> guarantee?" in prompts
    assert "[…] runs over UDP" in prompts and "QUIC runs over [a transport]" in prompts
    assert "Opens a TCP connection" in prompts  # the reversed card
    assert not any("Please update" in p for p in prompts)  # never the stub collection
    tracks = {t.title: t for t in db.session.scalars(sa.select(Track))}
    assert set(tracks) == {"Systems \u203a Networking", "Systems \u203a Storage"}
    assert all(t.owner_id == owner.user_id for t in tracks.values())
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == 2
    tags = db.session.scalar(sa.select(AnkiNote.tags).where(AnkiNote.guid == deck.guid_of_first))
    assert tags == ["tcp", "transport"]
    logs = db.session.scalar(sa.select(sa.func.count(ReviewLog.id)))
    assert logs == len(HISTORY)


def test_memory_after_import_is_the_schedulers_replay_and_close_to_ankis(app, tmp_path):
    deck = make_deck(tmp_path, "anki21b")
    owner = Owner(make_user().id)
    import_file(deck.path, owner)
    card = db.session.scalar(
        sa.select(Card)
        .join(Question, Question.id == Card.question_id)
        .where(Question.key == question_key(owner, deck.guid_of_first))
    )
    ratings = [
        (fsrs.Rating(ease), START + timedelta(days=day, hours=hour - 8), None)
        for day, hour, ease, _ in HISTORY
    ]
    reference = fsrs.replay(
        [(r, at, at.date()) for r, at, _ in ratings], fsrs.Preset(), fuzz_seed=None
    )
    assert (card.state, card.reps, card.lapses) == (reference.state, reference.reps, 1)
    assert card.stability == pytest.approx(reference.stability, abs=1e-9)
    assert card.difficulty == pytest.approx(reference.difficulty, abs=1e-9)
    assert card.due == reference.due
    # Anki's own engine, from the same review log in the collection it was written to.
    col = Collection(str(deck.collection))
    try:
        theirs = col.compute_memory_state(deck.card_with_history)
    finally:
        col.close()
    assert card.stability == pytest.approx(theirs.stability, rel=0.01)
    assert card.difficulty == pytest.approx(theirs.difficulty, rel=0.001)


def test_a_reimport_of_an_edited_deck_updates_notes_and_adds_nothing(app, tmp_path):
    deck = make_deck(tmp_path, "anki21b")
    owner = Owner(make_user().id)
    import_file(deck.path, owner)
    before = db.session.scalar(sa.select(sa.func.count(Question.id)))
    same = import_file(deck.path, owner)  # the same file again: Anki's modification times agree
    assert (same.questions_added, same.questions_updated) == (0, 0)
    assert same.questions_unchanged == 8
    col = Collection(str(deck.collection))
    note = col.get_note(col.get_card(deck.card_with_history).nid)
    note["Front"] = "What does TCP promise the application?"
    col.update_note(note)
    # Edited later than the copy imported (here within the same second, so say so).
    col.db.execute("update notes set mod = mod + 10 where id = ?", note.id)
    edited = export(col, tmp_path / "edited.apkg", "anki21b")
    col.close()
    report = import_file(edited, owner)
    assert (report.questions_added, report.questions_updated) == (0, 1)
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == before
    prompts = set(db.session.scalars(sa.select(Question.prompt)))
    assert "What does TCP promise the application?" in prompts
    assert db.session.scalar(sa.select(sa.func.count(ReviewLog.id))) == len(HISTORY)


def test_a_preview_changes_nothing_and_names_every_problem(app, tmp_path):
    deck = make_deck(tmp_path, "anki21")
    owner = Owner(make_user().id)
    report = import_file(deck.path, owner, apply=False)
    assert report.questions_added == 8 and not report.applied
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    assert any(e.startswith("note type 'Image only'") for e in report.errors)


def test_personal_decks_stay_out_of_a_bank_sync_and_other_learners_catalogue(app, tmp_path):
    from app.services import banks, catalog
    from tests.integration.test_bank_sync import write_bank

    deck = make_deck(tmp_path, "anki21b")
    owner = Owner(make_user().id)
    import_file(deck.path, owner)
    banks.sync(write_bank(tmp_path / "banks"), now=NOW)  # retires what the files do not hold
    db.session.commit()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Question.id)).where(Question.retired_at.is_(None))
        )
        > 8
    )
    mine = [s.track.title for s in catalog.list_tracks(viewer_id=owner.user_id)]
    theirs = [s.track.title for s in catalog.list_tracks(viewer_id=make_user().id)]
    assert "Systems \u203a Networking" in mine and "Systems \u203a Networking" not in theirs


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return path


def test_bad_packages_are_refused_with_what_is_wrong(app, tmp_path, monkeypatch):
    owner = Owner(make_user().id)
    corrupt = tmp_path / "corrupt.apkg"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip")
    plain = tmp_path / "empty.db"
    sqlite3.connect(plain).execute("create table other (x)").connection.commit()
    cases = {
        corrupt: "not a zip archive",
        _zip(tmp_path / "nocol.apkg", {"readme.txt": b"hi"}): "no collection in the package",
        _zip(tmp_path / "notdb.apkg", {"collection.anki2": b"x" * 5000}): "not a readable SQLite",
        _zip(tmp_path / "other.apkg", {"collection.anki21": plain.read_bytes()}): "not an Anki",
        _zip(tmp_path / "badzstd.apkg", {"collection.anki21b": b"\x28\xb5\x2f\xfd junk"}): "zstd",
    }
    monkeypatch.setattr(package, "MAX_UNCOMPRESSED", 1024 * 1024)
    cases[_zip(tmp_path / "bomb.apkg", {"collection.anki2": bytes(2 * 1024 * 1024)})] = "MiB"
    monkeypatch.setattr(package, "MAX_COLLECTION", 1024 * 1024)
    squeezed = zstandard.ZstdCompressor().compress(bytes(2 * 1024 * 1024))
    cases[_zip(tmp_path / "zstdbomb.apkg", {"collection.anki21b": squeezed})] = "more than 1 MiB"
    monkeypatch.setattr(package, "MAX_ENTRIES", 10)
    cases[_zip(tmp_path / "many.apkg", {str(n): b"" for n in range(11)})] = "11 files"
    for path, message in cases.items():
        with pytest.raises(ValidationError) as refused:
            import_file(path, owner)
        assert path.name in str(refused.value) and message in str(refused.value), path.name
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0
