"""The Anki page and API: upload, preview every problem, apply in one go, download exports; and
bodies too large refused before they are read."""

from __future__ import annotations

import io
import re
import zipfile

import sqlalchemy as sa

from app.extensions import db
from app.models import Question, Track
from app.services import banks
from tests.anki.decks import make_deck
from tests.factories import NOW, bearer, log_in, make_token, make_user, write_os_bank


def test_upload_preview_and_import_through_the_page(client, app, tmp_path):
    deck = make_deck(tmp_path, "anki21b")
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    assert client.get("/anki/").status_code == 200
    preview = client.post(
        "/anki/import",
        data={"file": (deck.path.open("rb"), "deck.apkg"), "history": "y"},
        content_type="multipart/form-data",
    )
    page = preview.data.decode()
    assert preview.status_code == 200
    assert "8 new" in page and "Systems \u203a Networking" in page
    assert "note type &#39;Image only&#39;: 1 note(s) skipped" in page
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0  # a preview only
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post("/anki/import/apply", data={"token": token, "history": "1", "shared": ""})
    assert done.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 8
    overview = client.get(done.headers["Location"]).data.decode()
    assert "Imported 6 notes: 8 questions added" in overview
    again = client.post("/anki/import/apply", data={"token": token, "history": "1"})
    assert "upload is gone" in client.get(again.headers["Location"]).data.decode()


def test_a_bad_file_is_refused_on_the_page_with_what_is_wrong(client, app):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    refused = client.post(
        "/anki/import",
        data={"file": (io.BytesIO(b"not a zip"), "deck.apkg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "deck.apkg: the file is not a zip archive" in refused.data.decode()
    shared = client.post(
        "/anki/import",
        data={"file": (io.BytesIO(b"front,back\nA,B\n"), "x.csv"), "shared": "y"},
        content_type="multipart/form-data",
    )
    assert shared.status_code == 422
    assert "Only administrators" in shared.data.decode()


def test_the_api_previews_imports_and_exports(client, app, tmp_path):
    deck = make_deck(tmp_path, "anki21")
    token = bearer(make_token(make_user()))
    sent = {"file": (deck.path.open("rb"), "deck.apkg")}
    preview = client.post("/api/v1/imports", data=sent, headers=token)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert (body["applied"], body["questions_added"], body["format"]) == (
        False,
        8,
        "collection.anki21",
    )
    applied = client.post(
        "/api/v1/imports?apply=true",
        data={"file": (deck.path.open("rb"), "deck.apkg")},
        headers=token,
    )
    assert applied.status_code == 201 and applied.get_json()["reviews"] == 7
    track = applied.get_json()["track_keys"][0]
    package = client.get(f"/api/v1/exports?track={track}&history=true", headers=token)
    assert package.status_code == 200
    assert "collection.anki2" in zipfile.ZipFile(io.BytesIO(package.data)).namelist()
    csv = client.get("/api/v1/exports?mine=true&format=csv", headers=token)
    assert csv.data.decode().startswith("front,back,deck,tags,guid")
    missing = client.post("/api/v1/imports", headers=token)
    assert missing.status_code == 422 and "field 'file'" in missing.get_json()["error"]["message"]
    both = client.get(f"/api/v1/exports?track={track}&mine=true", headers=token)
    assert both.status_code == 422
    bad = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(b"\xff\xfe"), "x.csv")}, headers=token
    )
    assert (
        bad.status_code == 422
        and "line 1: the file is not UTF-8" in bad.get_json()["error"]["message"]
    )


def test_markdown_export_of_a_bank_track_and_a_stranger_gets_nothing(client, app, tmp_path):
    app.config["BANKS_PATH"] = str(write_os_bank(tmp_path / "banks"))
    banks.sync(tmp_path / "banks", now=NOW)
    token = bearer(make_token(make_user()))
    markdown = client.get("/api/v1/exports?track=os&format=markdown", headers=token)
    names = zipfile.ZipFile(io.BytesIO(markdown.data)).namelist()
    assert "tracks/os.yaml" in names and "01-process-vs-thread.md" in names
    deck = make_deck(tmp_path / "d", "anki21b")
    owner = bearer(make_token(make_user()))
    client.post(
        "/api/v1/imports?apply=true", data={"file": (deck.path.open("rb"), "d.apkg")}, headers=owner
    )
    private = db.session.scalar(sa.select(Track.key).where(Track.owner_id.is_not(None)))
    assert client.get(f"/api/v1/exports?track={private}", headers=token).status_code == 404
    assert client.get(f"/api/v1/tracks/{private}", headers=token).status_code == 404
    assert client.post(
        "/api/v1/enrolments", json={"track": private}, headers=token
    ).status_code in (404, 422)


class Unreadable(io.RawIOBase):
    """A body that fails the test if anyone reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the body was read")

    def tell(self) -> int:
        return 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0


def test_a_200_mb_upload_is_refused_before_it_is_read(client, app):
    token = bearer(make_token(make_user()))
    response = client.post(
        "/api/v1/imports",
        input_stream=Unreadable(),
        content_type="multipart/form-data; boundary=x",
        headers=token,
        # What a client declares: the server refuses by it, before reading a byte.
        environ_overrides={"CONTENT_LENGTH": str(200 * 1024 * 1024)},
    )
    assert response.status_code == 413, response.get_json()
    assert response.get_json()["error"]["code"] == "too_large"
