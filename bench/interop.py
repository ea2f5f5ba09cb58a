"""Anki import and export at size: a 20,000-note deck with 200,000 reviews in, a 2,000-question
track out, on SQLite (or PostgreSQL with --database postgresql).

    pip install '.[bench]'        # Anki's own library writes the deck (a benchmark dependency)
    python bench/interop.py [--notes 20000] [--reviews-per-card 10] [--questions 2000]

The deck is made by Anki's library (Basic notes in ten subdecks, each card's log ten answers a few
days apart) and exported in Anki's current format (collection.anki21b). The import is timed from
the uploaded file to the commit: unpacking, the preview's parse, then the apply that creates the
questions, the tracks and the learner's cards by replaying every review through the scheduler.
Targets: import under 60 s, export under 10 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import bench_app
from review_speed import write_bank

from app.clock import now
from app.extensions import db
from app.services import accounts, banks
from app.services.interop.anki_import import plan_import, read_upload
from app.services.interop.exports import ExportScope, export_package
from app.services.interop.owners import Owner

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def make_deck(folder: Path, notes: int, per_card: int) -> Path:
    from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions

    col = Collection(str(folder / "collection.anki2"))
    model = col.models.by_name("Basic")
    decks = [col.decks.id(f"Bench::Part {n}") for n in range(10)]
    requests = []
    for n in range(notes):
        note = col.new_note(model)
        note["Front"] = f"Question {n}: what happens in case {n * 7}?"
        note["Back"] = f"Answer {n}: the <b>outcome</b> of case {n * 7}."
        note.tags = [f"topic{n % 25}"]
        requests.append(AddNoteRequest(note=note, deck_id=decks[n % 10]))
    col.add_notes(requests)
    rng = random.Random(7)
    rows = []
    for index, card in enumerate(col.db.list("select id from cards order by id")):
        at = START + timedelta(minutes=index % 600)
        gap = 1.0
        for review in range(per_card):
            ease = 1 if rng.random() < 0.1 else 3
            kind = 0 if review == 0 else 1
            rows.append((int(at.timestamp() * 1000) + index, card, ease, kind))
            at += timedelta(days=gap)
            gap = 1.0 if ease == 1 else gap * 1.6  # every review stays in the past
    col.db.executemany(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?, ?, -1, ?, 1, 0, 0, 5000, ?)",
        rows,
    )
    path = folder / "bench.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    col.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--reviews-per-card", type=int, default=10)
    parser.add_argument("--questions", type=int, default=2_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, bench_app(args.database):
        folder = Path(tmp)
        started = time.perf_counter()
        deck = make_deck(folder, args.notes, args.reviews_per_card)
        made = time.perf_counter() - started
        print(f"deck made by Anki: {deck.stat().st_size / 2**20:.1f} MiB in {made:.1f} s")
        user = accounts.register(
            email=f"{uuid.uuid4().hex}@example.com", display_name="Bench",
            password="correct horse battery staple", now=now(),
        )  # fmt: skip
        owner = Owner(user.id)
        started = time.perf_counter()
        with deck.open("rb") as file:
            incoming = read_upload(file, deck.name)
        parsed = time.perf_counter() - started
        report = plan_import(incoming, owner, now=now(), apply=True)
        db.session.commit()
        total = time.perf_counter() - started
        print(
            f"import: {report.notes:,} notes, {report.questions_added:,} questions, "
            f"{report.reviews:,} reviews replayed into {report.cards_with_history:,} cards: "
            f"{total:.1f} s (read {parsed:.1f} s) "
            f"(target < 60 s: {'met' if total < 60 else 'missed'})"
        )
        write_bank(folder / "banks", args.questions)  # one track "all"
        banks.sync(folder / "banks", now=now())
        db.session.commit()
        started = time.perf_counter()
        package = export_package(user.id, ExportScope(track="all"), with_history=False, now=now())
        took = time.perf_counter() - started
        print(
            f"export: a {args.questions:,}-question track as .apkg "
            f"({len(package) / 2**10:.0f} KiB): {took:.2f} s "
            f"(target < 10 s: {'met' if took < 10 else 'missed'})"
        )


if __name__ == "__main__":
    main()
