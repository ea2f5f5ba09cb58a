"""A card's Anki review log as the ratings Rehearse's scheduler replays.

How Anki's log maps:

* ``ease`` 1 to 4 is Again, Hard, Good, Easy, whatever the entry's kind: learning steps (kind 0),
  reviews (1), relearning steps (2) and reviews in a filtered deck (3) are all answers, so each
  becomes one rating at its time. Rehearse's scheduler then decides, by the learner's study day,
  which of them were same-day (short-term) reviews: as Anki's FSRS does, and whatever Anki's
  learning steps were.
* A manual entry (kind 4, ``ease`` 0) that set the interval to 0 is a *Forget*: the card went back
  to new, so only the answers after the last one count. Other manual entries (a changed due date,
  kind 5 rescheduling) record no answer and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from app.domain.anki.package import RevlogEntry
from app.domain.scheduling import Rating

MANUAL, RESCHEDULED = 4, 5


def ratings(entries: Iterable[RevlogEntry]) -> list[tuple[Rating, datetime, int]]:
    """(rating, when, time taken in ms) for the answers that make the card's current memory."""
    kept: list[tuple[Rating, datetime, int]] = []
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.kind == MANUAL and entry.ease == 0 and entry.interval == 0:
            kept = []  # forgotten: the card started again as new
            continue
        if entry.kind in (MANUAL, RESCHEDULED) or not 1 <= entry.ease <= 4:
            continue
        at = datetime.fromtimestamp(entry.id / 1000, UTC)
        kept.append((Rating(entry.ease), at, max(0, entry.time_ms)))
    return kept
