"""Rehearse questions as Anki notes: a package (.apkg) Anki opens, and Anki's text format or CSV.

Every question is one note of the "Rehearse" note type (fields Front and Back) whose GUID comes
from the question's identity, never its wording: exporting again after the banks changed updates
the notes in Anki instead of adding new ones (Anki updates a note when the file's copy is newer).
Decks follow the catalogue, ``Rehearse::<series>::<part>::<article>``; a multiple-choice question
shows its choices on the front and the right one, with the explanation, on the back. With a
learner's cards, their scheduling and review log go into the package too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import genanki

from app.domain.scheduling import CardState, Rating

MODEL_ID = 1_730_146_251  # fixed forever: Anki matches the note type of later exports by it
MODEL = genanki.Model(
    MODEL_ID,
    "Rehearse",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}\n\n<hr id="answer">\n\n{{Back}}',
        }
    ],
    css=".card { font-family: system-ui, sans-serif; font-size: 20px; text-align: left; }",
)
# Anki counts review due dates in days from the collection's creation; genanki creates it here.
COLLECTION_CREATED = datetime.fromtimestamp(1_411_124_400, UTC)


@dataclass(frozen=True)
class Review:
    at: datetime
    rating: Rating
    state_before: CardState
    interval_days: float
    duration_ms: int | None


@dataclass(frozen=True)
class Schedule:
    state: CardState
    due: datetime | None
    last_review: datetime | None
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    suspended: bool
    reviews: Sequence[Review] = ()


@dataclass(frozen=True)
class OutgoingNote:
    identity: str  # the question's key
    deck: str
    front: str  # HTML
    back: str
    tags: tuple[str, ...] = ()
    schedule: Schedule | None = None

    @property
    def guid(self) -> str:
        return genanki.guid_for("rehearse", self.identity)


def deck_id(name: str) -> int:
    return int(hashlib.sha1(name.encode()).hexdigest()[:12], 16) + 1  # never 1, Anki's Default


def tag(text: str) -> str:
    return "_".join(text.split())


class _Package(genanki.Package):
    """genanki's package, then the learners' scheduling and review log written into it."""

    def __init__(self, decks: list[genanki.Deck], notes: Sequence[OutgoingNote]) -> None:
        super().__init__(decks)
        self.outgoing = {note.guid: note for note in notes if note.schedule is not None}

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, id_gen: object) -> None:
        super().write_to_db(cursor, timestamp, id_gen)
        if not self.outgoing:
            return
        cards = cursor.execute(
            "SELECT c.id, n.guid FROM cards c JOIN notes n ON n.id = c.nid"
        ).fetchall()
        revlog_ids: set[int] = set()
        for card_id, guid in cards:
            note = self.outgoing.get(guid)
            if note is None or note.schedule is None:
                continue
            _write_schedule(cursor, card_id, note.schedule, revlog_ids)


_ANKI_TYPE = {CardState.NEW: 0, CardState.LEARNING: 1, CardState.REVIEW: 2, CardState.RELEARNING: 3}
_REVLOG_TYPE = {
    CardState.NEW: 0,
    CardState.LEARNING: 0,
    CardState.REVIEW: 1,
    CardState.RELEARNING: 2,
}


def _write_schedule(
    cursor: sqlite3.Cursor, card_id: int, schedule: Schedule, revlog_ids: set[int]
) -> None:
    kind = _ANKI_TYPE[schedule.state]
    interval = 0
    if schedule.due is not None and schedule.last_review is not None:
        interval = max(0, round((schedule.due - schedule.last_review).total_seconds() / 86400))
    if schedule.state == CardState.REVIEW and schedule.due is not None:
        due = (schedule.due - COLLECTION_CREATED).days
    elif schedule.due is not None:
        due = int(schedule.due.timestamp())  # learning cards are due at a moment
    else:
        due = 0
    data = {}
    if schedule.stability is not None and schedule.difficulty is not None:
        data = {"s": round(schedule.stability, 4), "d": round(schedule.difficulty, 3)}
    cursor.execute(
        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, reps = ?, "
        "lapses = ?, data = ? WHERE id = ?",
        (
            kind,
            -1 if schedule.suspended else kind,
            due,
            interval,
            2500 if kind else 0,
            schedule.reps,
            schedule.lapses,
            json.dumps(data) if data else "",
            card_id,
        ),
    )
    last = 0
    for review in schedule.reviews:
        review_id = int(review.at.timestamp() * 1000)
        while review_id in revlog_ids:  # Anki keys its log by the millisecond
            review_id += 1
        revlog_ids.add(review_id)
        days = review.interval_days
        interval = round(days) if days >= 1 else -round(days * 86400)
        cursor.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            (
                review_id,
                card_id,
                int(review.rating),
                interval,
                last,
                2500,
                min(review.duration_ms or 0, 60_000),
                _REVLOG_TYPE[review.state_before],
            ),
        )
        last = interval


def write_package(notes: Sequence[OutgoingNote], path: Path, *, now: datetime) -> Path:
    decks: dict[str, genanki.Deck] = {}
    for note in notes:
        deck = decks.get(note.deck)
        if deck is None:
            deck = decks[note.deck] = genanki.Deck(deck_id(note.deck), note.deck)
        deck.add_note(
            genanki.Note(
                model=MODEL, fields=[note.front, note.back], guid=note.guid, tags=list(note.tags)
            )
        )
    _Package(list(decks.values()), notes).write_to_file(str(path), timestamp=now.timestamp())
    return path


def write_anki_text(notes: Sequence[OutgoingNote]) -> str:
    """Anki's "Notes in Plain Text" format, with the headers that let Anki map every column."""
    out = io.StringIO()
    out.write("#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n")
    out.write("#deck column:3\n#tags column:6\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for note in notes:
        writer.writerow(
            [note.guid, MODEL.name, note.deck, note.front, note.back, " ".join(note.tags)]
        )
    return out.getvalue()


def write_csv(notes: Sequence[OutgoingNote]) -> str:
    """Plain CSV with a header row (front, back, deck, tags, guid), for spreadsheets and tools."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["front", "back", "deck", "tags", "guid"])
    for note in notes:
        writer.writerow([note.front, note.back, note.deck, " ".join(note.tags), note.guid])
    return out.getvalue()
