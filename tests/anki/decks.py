"""Decks made by Anki's own library (the ``anki`` package, a test dependency), in each package
format Anki has written: the oracle the importer and exporter are held to."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from anki.collection import Collection, ExportAnkiPackageOptions

FORMATS = ("anki21b", "anki21", "anki2")
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

# (days after START, hour, ease, revlog type): learning, reviews, a lapse and its relearning step
# on the same day, then a review; in the learner's own zone (UTC in these tests). Reviews fall at
# the same hour of their days, so whole days (Anki's measure) and exact times (Rehearse's) agree.
HISTORY = [
    (0, 8, 3, 0),
    (0, 8.2, 3, 0),
    (3, 8, 3, 1),
    (12, 8, 1, 1),
    (12, 8.2, 3, 2),
    (14, 8.2, 4, 1),
    (30, 8.2, 3, 1),
]


@dataclass
class Deck:
    path: Path
    collection: Path
    card_with_history: int
    guid_of_first: str


def _add(col: Collection, notetype: str, fields: dict[str, str], deck: int, tags=()) -> int:
    note = col.new_note(col.models.by_name(notetype))
    for name, value in fields.items():
        note[name] = value
    note.tags = list(tags)
    col.add_note(note, deck)
    return note.id


def _unmappable_notetype(col: Collection) -> None:
    model = col.models.new("Image only")
    col.models.add_field(model, col.models.new_field("Picture"))
    col.models.add_field(model, col.models.new_field("Caption"))
    template = col.models.new_template("Card 1")
    template["qfmt"] = "{{Picture}}"
    template["afmt"] = "{{FrontSide}}"  # the back adds nothing to ask for
    col.models.add_template(model, template)
    col.models.add(model)


def build_collection(folder: Path) -> tuple[Collection, int]:
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    col.set_config("fsrs", True)
    deck = col.decks.id("Systems::Networking")
    other = col.decks.id("Systems::Storage")
    tcp = {"Front": "What does <b>TCP</b> guarantee?", "Back": "Ordered, reliable bytes"}
    first = _add(col, "Basic", tcp, deck, tags=("tcp", "transport"))
    _add(col, "Basic", {"Front": "UDP header size?", "Back": "8 bytes"}, deck, tags=("udp",))
    _add(col, "Basic", {"Front": "fsync does what?", "Back": "Flushes to stable storage"}, other)
    _add(col, "Basic (and reversed card)", {"Front": "SYN", "Back": "Opens a TCP connection"}, deck)
    _add(col, "Cloze", {"Text": "{{c1::QUIC}} runs over {{c2::UDP::a transport}}"}, deck)
    _add(col, "Basic", {"Front": 'Port of HTTPS? <img src="lock.png">', "Back": "443"}, deck)
    _unmappable_notetype(col)
    _add(col, "Image only", {"Picture": '<img src="x.png">', "Caption": "x"}, deck)
    card = col.find_cards(f"nid:{first}")[0]
    for day, hour, ease, kind in HISTORY:
        at = START + timedelta(days=day, hours=hour - 8)
        col.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "values (?, ?, -1, ?, 1, 0, 0, 6000, ?)",
            int(at.timestamp() * 1000), card, ease, kind,
        )  # fmt: skip
    return col, card


def export(col: Collection, path: Path, fmt: str) -> Path:
    """Write the collection as a package of ``fmt``: Anki's current one (anki21b), its legacy one
    (anki21 beside a stub anki2), or Anki 2.0's (collection.anki2 alone)."""
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=True, legacy=fmt != "anki21b"
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    if fmt == "anki2":  # the same schema-11 collection under Anki 2.0's name, and nothing else
        with zipfile.ZipFile(path) as source:
            body, media = source.read("collection.anki21"), source.read("media")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            target.writestr("collection.anki2", body)
            target.writestr("media", media)
    return path


def make_deck(folder: Path, fmt: str) -> Deck:
    col, card = build_collection(folder / "col")
    guid = col.get_note(col.get_card(card).nid).guid
    path = export(col, folder / f"deck-{fmt}.apkg", fmt)
    collection = Path(col.path)
    col.close()
    return Deck(path, collection, card, guid)
