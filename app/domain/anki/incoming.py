"""What an import brings, whatever it came from (a package or a text file): notes, each with the
cards it asks as questions, their deck and, from a package, their review history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.anki import history, notes
from app.domain.anki.notes import Problems
from app.domain.anki.package import Collection
from app.domain.scheduling import Rating

DEFAULT_DECK = "Default"


@dataclass(frozen=True)
class IncomingCard:
    ord: int  # the template or cloze number, part of the question's identity
    deck: str  # full name, levels joined by "::"
    prompt: str  # safe HTML
    answer: str
    ratings: tuple[tuple[Rating, datetime, int], ...] = ()
    review_ids: tuple[str, ...] = ()
    suspended: bool = False
    flagged: bool = False


@dataclass
class IncomingNote:
    guid: str
    notetype: str
    modified: int  # seconds since the epoch; 0 when the source does not say
    tags: tuple[str, ...]
    source: str  # "note 1712345678901" or "line 12", for messages
    note_id: int = 0  # Anki's note id; 0 for a text file's line
    cards: list[IncomingCard] = field(default_factory=list)


@dataclass
class Incoming:
    format: str
    notes: list[IncomingNote]
    problems: Problems
    reviews: int = 0


def from_collection(collection: Collection) -> Incoming:
    problems = Problems()
    skipped: dict[int, int] = defaultdict(int)
    reasons = {ntid: notes.unmappable(nt) for ntid, nt in collection.notetypes.items()}
    cards_of: dict[int, list] = defaultdict(list)
    for card in collection.cards:
        cards_of[card.note_id].append(card)
    log_of: dict[int, list] = defaultdict(list)
    for entry in collection.revlog:
        log_of[entry.card_id].append(entry)
    found: list[IncomingNote] = []
    reviews = 0
    for note in collection.notes:
        notetype = collection.notetypes.get(note.notetype_id)
        if notetype is None:
            problems.skip(note, f"its note type {note.notetype_id} is not in the package")
            continue
        if reasons[note.notetype_id]:
            skipped[note.notetype_id] += 1
            continue
        incoming = IncomingNote(
            note.guid, notetype.name, note.mod, note.tags, f"note {note.id}", note_id=note.id
        )
        for card in sorted(cards_of.get(note.id, []), key=lambda c: c.ord):
            made = notes.draft(note, card, notetype, problems)
            if made is None:
                continue
            kept = history.ratings(log_of.get(card.id, []))
            reviews += len(kept)
            incoming.cards.append(
                IncomingCard(
                    ord=card.ord,
                    deck=collection.decks.get(card.deck_id, DEFAULT_DECK),
                    prompt=made.prompt,
                    answer=made.answer,
                    ratings=tuple(kept),
                    review_ids=tuple(
                        f"anki-{card.id}-{int(at.timestamp() * 1000)}" for _, at, _ in kept
                    ),
                    suspended=card.queue == -1,
                    flagged=card.flags & 0b111 != 0,
                )
            )
        if incoming.cards:
            found.append(incoming)
        elif not cards_of.get(note.id):
            problems.skip(note, "it has no cards")
    for ntid, count in skipped.items():
        notetype = collection.notetypes[ntid]
        problems.skip(
            None,
            f"note type {notetype.name!r}: {count} note(s) skipped, because {reasons[ntid]}",
        )
    return Incoming(collection.format, found, problems, reviews)
