"""Reading an Anki package (.apkg) safely: its zip, the collection it holds, and the media list.

A package is a zip holding one collection, a SQLite database, in one of three formats:
``collection.anki2`` (Anki 2.0), ``collection.anki21`` (schema 11, Anki 2.1 up to 2.1.49) and
``collection.anki21b`` (zstd-compressed, schema 18, Anki 2.1.50 on). Packages of the newer
formats also hold a ``collection.anki2`` that is only a note asking to update Anki; the newest
collection present is the one read. Limits on entries and sizes are checked before anything is
decompressed, and decompression stops at the limit, so a zip bomb costs nothing.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import zstandard

from app.domain.anki import wire

MAX_ENTRIES = 50_000
MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB across the whole package
MAX_COLLECTION = 512 * 1024 * 1024
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
_CHUNK = 1024 * 1024


class PackageError(ValueError):
    """The file is not a package Rehearse can read; the message says what is wrong."""


@dataclass(frozen=True)
class Template:
    ord: int
    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    is_cloze: bool
    fields: tuple[str, ...]
    templates: tuple[Template, ...]


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    notetype_id: int
    mod: int  # seconds since the epoch
    tags: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CardRow:
    id: int
    note_id: int
    deck_id: int  # the card's home deck (its original deck while it sits in a filtered deck)
    ord: int
    queue: int  # -1 suspended, -2/-3 buried, 0 new, 1/3 learning, 2 review
    flags: int


@dataclass(frozen=True)
class RevlogEntry:
    id: int  # milliseconds since the epoch: when the review happened
    card_id: int
    ease: int  # 1 Again .. 4 Easy; 0 for a manual change
    interval: int
    kind: int  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled
    time_ms: int


@dataclass
class Collection:
    format: str  # the member read: collection.anki21b, collection.anki21 or collection.anki2
    notetypes: dict[int, NoteType]
    decks: dict[int, str]  # id -> full name, levels joined by "::"
    notes: list[Note]
    cards: list[CardRow]
    revlog: list[RevlogEntry]
    media: list[str]  # file names the package carries


def _check_zip(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise PackageError(f"the package holds {len(entries):,} files; at most {MAX_ENTRIES:,}")
    total = sum(info.file_size for info in entries)
    if total > MAX_UNCOMPRESSED:
        raise PackageError(
            f"the package unpacks to {total / 2**20:,.0f} MiB; at most "
            f"{MAX_UNCOMPRESSED / 2**20:,.0f} MiB"
        )


def _copy_capped(source: IO[bytes], target: IO[bytes], cap: int, what: str) -> None:
    written = 0
    while chunk := source.read(_CHUNK):
        written += len(chunk)
        if written > cap:
            raise PackageError(f"{what} unpacks to more than {cap / 2**20:,.0f} MiB")
        target.write(chunk)


def _extract_collection(archive: zipfile.ZipFile, workdir: Path) -> tuple[str, Path]:
    names = set(archive.namelist())
    member = next((name for name in COLLECTIONS if name in names), None)
    if member is None:
        raise PackageError(
            "no collection in the package (expected collection.anki21b, collection.anki21 or "
            "collection.anki2): is it an Anki deck package?"
        )
    path = workdir / "collection.sqlite"
    with archive.open(member) as source, path.open("wb") as target:
        if member.endswith("b"):
            reader = zstandard.ZstdDecompressor().stream_reader(source)
            try:
                _copy_capped(reader, target, MAX_COLLECTION, member)
            except zstandard.ZstdError as error:
                raise PackageError(f"{member} is not valid zstd data ({error})") from None
        else:
            _copy_capped(source, target, MAX_COLLECTION, member)
    return member, path


def _media_names(archive: zipfile.ZipFile) -> list[str]:
    if "media" not in archive.namelist():
        return []
    raw = archive.read("media")
    if raw[:4] == b"\x28\xb5\x2f\xfd":  # zstd: MediaEntries { repeated MediaEntry entries = 1 }
        try:
            raw = zstandard.ZstdDecompressor().decompress(raw, max_output_size=64 * 2**20)
            return [
                wire.text(entry, 1)
                for n, entry in wire.fields(raw)
                if n == 1 and isinstance(entry, bytes)
            ]
        except (zstandard.ZstdError, wire.WireError):
            raise PackageError("the package's media list is unreadable") from None
    try:
        mapping = json.loads(raw or b"{}")
    except ValueError:
        raise PackageError("the package's media list is not JSON") from None
    return [str(name) for name in mapping.values()] if isinstance(mapping, dict) else []


@contextmanager
def open_package(file: IO[bytes] | Path, workdir: Path) -> Iterator[Collection]:
    """Read the package in ``file`` (a path or a binary file object), unpacking into ``workdir``."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError):
        raise PackageError("the file is not a zip archive, so not an Anki package") from None
    with archive:
        _check_zip(archive)
        try:
            member, path = _extract_collection(archive, workdir)
            media = _media_names(archive)
        except (zipfile.BadZipFile, EOFError, zlib.error) as error:
            raise PackageError(f"the package is damaged ({error})") from None
    yield read_collection(path, member, media)


def _table_names(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def read_collection(path: Path, member: str, media: list[str]) -> Collection:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            tables = _table_names(db)
            missing = {"col", "notes", "cards", "revlog"} - tables
            if missing:
                raise PackageError(
                    f"{member} is a SQLite database but not an Anki collection "
                    f"(no {', '.join(sorted(missing))} table)"
                )
            if "notetypes" in tables:
                notetypes = _notetypes_v18(db)
                decks = {
                    i: n.replace("\x1f", "::") for i, n in db.execute("SELECT id, name FROM decks")
                }
            else:
                models_json, decks_json = db.execute("SELECT models, decks FROM col").fetchone()
                notetypes = _notetypes_v11(json.loads(models_json))
                decks = {int(i): str(d.get("name", i)) for i, d in json.loads(decks_json).items()}
            notes = [
                Note(
                    int(i),
                    str(g),
                    int(m),
                    int(mod),
                    tuple(str(t).split()),
                    tuple(str(f).split("\x1f")),
                )
                for i, g, m, mod, t, f in db.execute(
                    "SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id"
                )
            ]
            cards = [
                CardRow(int(i), int(n), int(od) if od else int(d), int(o), int(q), int(fl))
                for i, n, d, od, o, q, fl in db.execute(
                    "SELECT id, nid, did, odid, ord, queue, flags FROM cards ORDER BY id"
                )
            ]
            revlog = [
                RevlogEntry(int(i), int(c), int(e), int(v), int(t), int(ms))
                for i, c, e, v, t, ms in db.execute(
                    "SELECT id, cid, ease, ivl, type, time FROM revlog ORDER BY id"
                )
            ]
    except sqlite3.DatabaseError as error:
        raise PackageError(f"{member} is not a readable SQLite database ({error})") from None
    except (ValueError, TypeError, AttributeError) as error:
        raise PackageError(f"{member} has a collection Rehearse cannot read ({error})") from None
    return Collection(member, notetypes, decks, notes, cards, revlog, media)


def _notetypes_v11(models: dict[str, dict[str, Any]]) -> dict[int, NoteType]:
    found = {}
    for key, model in models.items():
        fields = sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))
        templates = sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0))
        found[int(key)] = NoteType(
            id=int(key),
            name=str(model.get("name", key)),
            is_cloze=model.get("type") == 1,
            fields=tuple(str(f["name"]) for f in fields),
            templates=tuple(
                Template(
                    int(t.get("ord", n)),
                    str(t.get("name", "")),
                    str(t.get("qfmt", "")),
                    str(t.get("afmt", "")),
                )
                for n, t in enumerate(templates)
            ),
        )
    return found


def _notetypes_v18(db: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(str(name))
    templates: dict[int, list[Template]] = {}
    for ntid, order, name, config in db.execute(
        "SELECT ntid, ord, name, config FROM templates ORDER BY ntid, ord"
    ):
        blob = bytes(config or b"")
        templates.setdefault(int(ntid), []).append(
            Template(int(order), str(name), wire.text(blob, 1), wire.text(blob, 2))
        )
    found = {}
    for ntid, name, config in db.execute("SELECT id, name, config FROM notetypes"):
        kind = wire.first(bytes(config or b""), 1, 0)
        found[int(ntid)] = NoteType(
            id=int(ntid),
            name=str(name),
            is_cloze=kind == 1,
            fields=tuple(fields.get(int(ntid), [])),
            templates=tuple(templates.get(int(ntid), [])),
        )
    return found
