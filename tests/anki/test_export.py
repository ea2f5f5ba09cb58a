"""Exports held to Anki's own library: an exported track opens in Anki with every note, field,
tag and GUID; exporting again after an edit updates Anki's notes instead of adding them; a
learner's history goes along; text, CSV and Markdown exports import back."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import genanki
import pytest
import sqlalchemy as sa
from anki import import_export_pb2 as pb
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from app.domain.anki.text import parse_text
from app.domain.banks.build import build_bank, read_sources
from app.extensions import db
from app.models import Question, ReviewLog
from app.services import banks
from app.services.interop.anki_import import plan_import, read_upload
from app.services.interop.exports import (
    ExportScope,
    export_markdown,
    export_package,
    export_text,
)
from app.services.interop.owners import Owner
from tests.anki.decks import make_deck
from tests.factories import NOW, make_user, write_os_bank


def anki_import(folder: Path, package: bytes, name: str, *, scheduling: bool = False) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(package)
    col = Collection(str(folder / "collection.anki2"))
    options = ImportAnkiPackageOptions(
        with_scheduling=scheduling,
        merge_notetypes=True,
        update_notes=pb.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    )
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))
    return col


def notes_of(col: Collection) -> dict[str, dict[str, object]]:
    found = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        deck = col.decks.name(col.get_card(note.card_ids()[0]).did)
        found[note.guid] = {
            "front": note["Front"],
            "back": note["Back"],
            "tags": note.tags,
            "deck": deck,
        }
    return found


def os_questions() -> list[Question]:
    return list(db.session.scalars(sa.select(Question).where(Question.retired_at.is_(None))))


def test_an_exported_track_opens_in_anki_with_every_note_field_tag_and_guid(app, tmp_path):
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    user = make_user()
    package = export_package(user.id, ExportScope(track="os"), with_history=False, now=NOW)
    col = anki_import(tmp_path / "anki", package, "os.apkg")
    try:
        found = notes_of(col)
    finally:
        col.close()
    questions = os_questions()
    assert len(found) == len(questions) > 40
    for question in questions:
        note = found[genanki.guid_for("rehearse", question.key)]
        assert note["front"] and note["back"]
        assert f"rehearse::{question.kind}" in note["tags"]
        assert str(note["deck"]).startswith("Rehearse::")
    choice = next(q for q in questions if q.kind == "authored")
    note = found[genanki.guid_for("rehearse", choice.key)]
    assert '<ol type="A">' in str(note["front"])
    assert choice.choices[choice.correct] in str(note["back"]).replace("<code>", "`").replace(
        "</code>", "`"
    ) or "<strong>" in str(note["back"])


def test_export_edit_and_export_again_updates_the_notes_in_anki(app, tmp_path):
    root = write_os_bank(tmp_path / "banks")
    banks.sync(root, now=NOW)
    user = make_user()
    first = export_package(user.id, ExportScope(track="os"), with_history=False, now=NOW)
    col = anki_import(tmp_path / "anki", first, "first.apkg")
    before = len(col.find_notes(""))
    col.close()
    article = root / "01-process-vs-thread.md"
    article.write_text(
        article.read_text().replace(
            "does each thread in a process have", "does every thread in a process have"
        )
    )
    banks.sync(root, now=NOW + timedelta(hours=1))
    db.session.commit()
    edited = next(q for q in os_questions() if "does every thread in a process" in q.prompt)
    second = export_package(
        user.id, ExportScope(track="os"), with_history=False, now=NOW + timedelta(hours=1)
    )
    col = anki_import(tmp_path / "anki", second, "second.apkg")
    try:
        assert len(col.find_notes("")) == before  # updated, not added
        guid = genanki.guid_for("rehearse", edited.key)
        assert "does every thread in a process" in str(notes_of(col)[guid]["front"])
    finally:
        col.close()


def test_a_learners_cards_and_history_go_to_anki(app, tmp_path):
    deck = make_deck(tmp_path / "made", "anki21b")
    learner = make_user()
    with deck.path.open("rb") as file:
        plan_import(read_upload(file, deck.path.name), Owner(learner.id), now=NOW, apply=True)
    db.session.commit()
    logs = db.session.scalar(sa.select(sa.func.count(ReviewLog.id)))
    package = export_package(learner.id, ExportScope(mine=True), with_history=True, now=NOW)
    col = anki_import(tmp_path / "anki", package, "mine.apkg", scheduling=True)
    try:
        assert col.db.scalar("select count() from revlog") == logs
        reviewed = col.db.all("select type, reps from cards where reps > 0")
        assert reviewed and reviewed[0][0] == 2  # a review card
        decks = {col.decks.name(d) for d in col.db.list("select distinct did from cards")}
        assert "Systems::Networking" in decks  # an imported deck goes back under its own name
    finally:
        col.close()


def test_text_csv_and_markdown_exports_import_back(app, tmp_path):
    root = write_os_bank(tmp_path / "banks")
    banks.sync(root, now=NOW)
    user = make_user()
    keys = {genanki.guid_for("rehearse", q.key) for q in os_questions()}
    for csv_header in (False, True):
        text = export_text(user.id, ExportScope(track="os"), csv_header=csv_header)
        incoming = parse_text(text.encode())
        assert {note.guid for note in incoming.notes} == keys
        assert not incoming.problems.errors
    markdown = export_markdown(user.id, "os", root)
    out = tmp_path / "markdown"
    zipfile.ZipFile(io.BytesIO(markdown)).extractall(out)
    parsed = build_bank(read_sources(out))
    assert not parsed.errors
    assert {q.key for q in parsed.questions} == {q.key for q in os_questions()}
    assert [t.key for t in parsed.tracks] == ["os"]


def test_nothing_to_export_and_another_learners_deck_are_not_found(app, tmp_path):
    from app.services.errors import NotFound

    deck = make_deck(tmp_path / "made", "anki21b")
    owner = make_user()
    with deck.path.open("rb") as file:
        report = plan_import(
            read_upload(file, deck.path.name), Owner(owner.id), now=NOW, apply=True
        )
    db.session.commit()
    stranger = make_user()
    with pytest.raises(NotFound):
        export_package(
            stranger.id, ExportScope(track=report.track_keys[0]), with_history=False, now=NOW
        )
    with pytest.raises(NotFound):
        export_package(stranger.id, ExportScope(mine=True), with_history=False, now=NOW)
