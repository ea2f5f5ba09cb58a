"""Importing Anki packages and text files: a preview of what would change and every problem,
then the change applied in one transaction.

Each deck becomes an article holding its notes' questions and a track holding that article, in
the importer's personal bank (only they see it) or, for an administrator who asks, in the shared
banks. Questions take their identity from the note's GUID and the card's template or cloze
number, so importing a deck again updates its notes and never adds them twice; as in Anki, a note
is updated only when the file's copy was modified later than the one imported before. A package's
review history is replayed through Rehearse's scheduler into the importer's own cards.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from app.domain.anki.incoming import Incoming, IncomingCard, IncomingNote, from_collection
from app.domain.anki.package import PackageError, open_package
from app.domain.anki.text import TextError, parse_text
from app.extensions import db
from app.models import AnkiNote, Article, Question, Track, TrackArticle
from app.services.errors import ValidationError
from app.services.interop.owners import IMPORTED_SOURCE, Owner
from app.services.study.enrolments import enrolment_row
from app.services.study.imported_history import ImportedCard, add_imported_cards

PACKAGE_SUFFIXES = (".apkg", ".colpkg")


@dataclass
class DeckSummary:
    name: str
    notes: int = 0
    questions: int = 0
    reviews: int = 0


@dataclass
class ImportReport:
    """What an import holds and what it would do (a preview) or did (applied)."""

    format: str
    decks: list[DeckSummary]
    notes: int
    questions_added: int = 0
    questions_updated: int = 0
    questions_unchanged: int = 0
    cards_with_history: int = 0
    reviews: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False
    track_keys: list[str] = field(default_factory=list)


def read_upload(file: IO[bytes], filename: str) -> Incoming:
    """Parse an uploaded file by its name: a package, or Anki text / CSV."""
    name = filename.lower()
    try:
        if name.endswith(PACKAGE_SUFFIXES):
            with tempfile.TemporaryDirectory() as workdir, open_package(file, Path(workdir)) as col:
                return from_collection(col)
        if name.endswith((".txt", ".csv", ".tsv")):
            return parse_text(file.read())
    except (PackageError, TextError) as error:
        raise ValidationError({"file": f"{filename}: {error}"}) from None
    raise ValidationError(
        {
            "file": f"{filename}: not a file Rehearse imports; send an Anki package (.apkg) "
            "or a text or CSV file (.txt, .csv, .tsv)"
        }
    )


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _title(deck: str) -> str:
    return " \u203a ".join(part.strip() for part in deck.split("::"))[:200]  # A, then B


def plan_import(incoming: Incoming, owner: Owner, *, now: datetime, apply: bool) -> ImportReport:
    """What importing ``incoming`` for ``owner`` does; ``apply`` does it (the caller commits)."""
    stored = (
        {
            row.guid: row
            for row in db.session.scalars(
                sa.select(AnkiNote).where(
                    AnkiNote.owner_key == owner.key,
                    AnkiNote.guid.in_([n.guid for n in incoming.notes]),
                )
            )
        }
        if incoming.notes
        else {}
    )
    existing_questions = {
        q.key: q
        for q in db.session.scalars(
            sa.select(Question).where(Question.key.startswith(owner.question_prefix))
        )
    }
    by_deck: dict[str, list[tuple[IncomingNote, IncomingCard]]] = defaultdict(list)
    for note in incoming.notes:
        for card in note.cards:
            by_deck[card.deck].append((note, card))
    report = ImportReport(
        incoming.format,
        decks=[],
        notes=len(incoming.notes),
        errors=list(incoming.problems.errors),
        warnings=list(incoming.problems.warnings),
    )
    articles: dict[str, Article] = {}
    for deck, items in sorted(by_deck.items()):
        summary = DeckSummary(deck, notes=len({n.guid for n, _ in items}), questions=len(items))
        summary.reviews = sum(len(c.ratings) for _, c in items)
        report.decks.append(summary)
        if apply:
            articles[deck] = _deck_article(deck, items, owner, now)
            report.track_keys.append(articles[deck].key)
    fresh: list[tuple[IncomingNote, IncomingCard, str]] = []
    for deck, items in by_deck.items():
        for position, (note, card) in enumerate(items):
            key = owner.question_key(note.guid, card.ord)
            question = existing_questions.get(key)
            known = stored.get(note.guid)
            newer = known is None or note.modified == 0 or note.modified > known.modified
            if question is None:
                report.questions_added += 1
            elif newer and question.content_hash != _hash(card.prompt, card.answer):
                report.questions_updated += 1
            else:
                report.questions_unchanged += 1
            fresh.append((note, card, key))
            if not apply:
                continue
            values = {
                "article_id": articles[deck].id,
                "kind": "recall",
                "position": position,
                "prompt": card.prompt,
                "answer": card.answer,
                "source_path": f"{IMPORTED_SOURCE}{deck}"[:500],
                "source_line": position + 1,
                "content_hash": _hash(card.prompt, card.answer),
            }
            if question is None:
                question = Question(key=key, created_at=now, updated_at=now, **values)
                db.session.add(question)
                existing_questions[key] = question
            elif newer or question.article_id != values["article_id"]:
                for name, value in values.items():
                    setattr(question, name, value)
                question.retired_at = None
                question.updated_at = now
    if apply:
        _remember_notes(incoming.notes, stored, owner, now)
        db.session.flush()
        report.cards_with_history, report.reviews = _add_history(
            fresh, existing_questions, articles, owner, now
        )
        report.applied = True
    else:
        report.reviews = incoming.reviews
        report.cards_with_history = sum(1 for n in incoming.notes for c in n.cards if c.ratings)
    return report


def _deck_article(
    deck: str, items: list[tuple[IncomingNote, IncomingCard]], owner: Owner, now: datetime
) -> Article:
    key = owner.deck_key(deck)
    tags = [t for t, _ in Counter(t for n, _ in items for t in n.tags).most_common(20)]
    parts = deck.split("::")
    values = {
        "title": _title(deck),
        "series": "anki",
        "part_title": _title("::".join(parts[:-1])) or None,
        "difficulty": "intermediate",
        "tags": tags,
        "source_path": f"{IMPORTED_SOURCE}{deck}"[:500],
        "owner_id": owner.owner_id,
        "body_html": (
            f"<p>Imported from the Anki deck <strong>{html.escape(_title(deck))}</strong>: "
            f"{len({n.guid for n, _ in items})} notes, {len(items)} cards.</p>"
        ),
        "content_hash": _hash(deck, *(n.guid for n, _ in items)),
        "retired_at": None,
        "updated_at": now,
    }
    article = db.session.scalar(sa.select(Article).where(Article.key == key))
    if article is None:
        article = Article(key=key, created_at=now, **values)
        db.session.add(article)
    else:
        for name, value in values.items():
            setattr(article, name, value)
    track = db.session.scalar(sa.select(Track).where(Track.key == key))
    if track is None:
        track = Track(
            key=key,
            title=values["title"],
            description=f"Your Anki deck {values['title']}.",
            level="intermediate",
            position=10_000,
            source_path=values["source_path"],
            owner_id=owner.owner_id,
            created_at=now,
            updated_at=now,
        )
        db.session.add(track)
    db.session.flush()
    if not track.entries:
        track.entries = [TrackArticle(article_id=article.id, position=0)]
    track.retired_at = None
    return article


def _remember_notes(
    notes: list[IncomingNote], stored: dict[str, AnkiNote], owner: Owner, now: datetime
) -> None:
    for note in notes:
        row = stored.get(note.guid)
        if row is None:
            db.session.add(
                AnkiNote(
                    owner_key=owner.key,
                    owner_id=owner.owner_id,
                    guid=note.guid,
                    note_id=note.note_id,
                    notetype=note.notetype[:200],
                    modified=note.modified,
                    tags=list(note.tags),
                    imported_at=now,
                    updated_at=now,
                )
            )
        elif note.modified == 0 or note.modified > row.modified:
            row.modified, row.tags, row.updated_at = note.modified, list(note.tags), now


def _add_history(
    fresh: list[tuple[IncomingNote, IncomingCard, str]],
    questions: dict[str, Question],
    articles: dict[str, Article],
    owner: Owner,
    now: datetime,
) -> tuple[int, int]:
    tracks = {
        a.key: t
        for a in articles.values()
        for t in db.session.scalars(sa.select(Track).where(Track.key == a.key))
    }
    cards = [
        ImportedCard(
            question_id=questions[key].id,
            track_id=tracks[owner.deck_key(card.deck)].id,
            ratings=card.ratings,
            review_ids=card.review_ids,
            suspended=card.suspended,
            flagged=card.flagged,
        )
        for _, card, key in fresh
        if card.ratings or card.suspended or card.flagged
    ]
    for track in tracks.values():  # the importer studies the decks they brought
        enrolment_row(owner.user_id, track, now)
    added = add_imported_cards(owner.user_id, cards, now=now)
    return added, sum(len(c.ratings) for c in cards)


def without_history(incoming: Incoming) -> Incoming:
    """The same notes, as if the file held no review history (the learner starts them new)."""
    for note in incoming.notes:
        note.cards = [replace(card, ratings=(), review_ids=()) for card in note.cards]
    return replace(incoming, reviews=0)
