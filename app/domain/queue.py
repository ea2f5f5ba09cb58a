"""Today's review queue: which card comes next, and what is left for the day.

Pure: the service gathers candidates from the database and hands them over with the day's
counts; this module applies the rules a learner expects from Anki:

1. learning and relearning cards as they come due (they are short-interval and must not wait);
2. due reviews, the least likely to be recalled first, up to the daily review limit;
3. new cards in track order up to the daily new limit, spread evenly among the reviews;
4. siblings — questions from the same table row, or a trade-off asked both ways — never back to
   back, and once one is answered today the others wait for tomorrow;
5. learning cards due a little later are shown early only when nothing else is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import NamedTuple

LEARN_AHEAD = timedelta(minutes=20)


class Source(IntEnum):
    LEARNING = 1
    REVIEW = 2
    NEW = 3


class Candidate(NamedTuple):
    """A card or new question that may be shown today. (A named tuple: a learner's plan holds
    hundreds of these and is read on every request, so they must be cheap to make.)"""

    question_id: int
    enrolment_id: int
    source: Source
    sibling_group: str | None = None
    card_id: int | None = None
    due: datetime | None = None
    retrievability: float | None = None
    # New cards: (enrolment order, article position in the track, question position).
    order: tuple[int, ...] = ()


@dataclass(frozen=True)
class Limits:
    new_per_day: int
    reviews_per_day: int


@dataclass(frozen=True)
class Done:
    """What an enrolment has already used of today's limits."""

    new: int = 0
    reviews: int = 0


@dataclass(frozen=True)
class Queue:
    items: tuple[Candidate, ...]
    # Learning cards due within LEARN_AHEAD: shown early once nothing else is left.
    ahead: tuple[Candidate, ...] = field(default=())
    # Learning cards due later today: counted, not shown yet.
    later: tuple[Candidate, ...] = field(default=())

    @property
    def next(self) -> Candidate | None:
        if self.items:
            return self.items[0]
        return self.ahead[0] if self.ahead else None

    @property
    def remaining(self) -> int:
        return len(self.items) + len(self.ahead) + len(self.later)

    def count(self, source: Source) -> int:
        waiting = len(self.ahead) + len(self.later) if source is Source.LEARNING else 0
        return sum(1 for c in self.items if c.source is source) + waiting


def _blocked(candidate: Candidate, answered_today: Mapping[str, frozenset[int]]) -> bool:
    """A sibling of this question was answered today: it waits for tomorrow."""
    if candidate.sibling_group is None:
        return False
    answered = answered_today.get(candidate.sibling_group, frozenset())
    return bool(answered - {candidate.question_id})


def _one_per_group(candidates: Iterable[Candidate], taken: set[str]) -> list[Candidate]:
    kept = []
    for c in candidates:
        if c.sibling_group is not None:
            if c.sibling_group in taken:
                continue
            taken.add(c.sibling_group)
        kept.append(c)
    return kept


def _limit(
    candidates: Sequence[Candidate],
    allowance: Mapping[int, int],
) -> list[Candidate]:
    left = dict(allowance)
    kept = []
    for c in candidates:
        if left.get(c.enrolment_id, 0) > 0:
            left[c.enrolment_id] -= 1
            kept.append(c)
    return kept


def _not_back_to_back(items: list[Candidate], last: Candidate | None) -> list[Candidate]:
    """Move the first item that is not a sibling of the last answer to the front."""
    if last is None or last.sibling_group is None or not items:
        return items
    if items[0].sibling_group != last.sibling_group or items[0].question_id == last.question_id:
        return items
    for index, c in enumerate(items):
        if c.sibling_group != last.sibling_group:
            return [c, *items[:index], *items[index + 1 :]]
    return items


def choose(
    *,
    learning: Iterable[Candidate],
    reviews: Iterable[Candidate],
    new: Iterable[Candidate],
    limits: Mapping[int, Limits],
    done: Mapping[int, Done],
    answered_today: Mapping[str, frozenset[int]],
) -> tuple[list[Candidate], list[Candidate]]:
    """The reviews and the new cards to show today, each list in its own order (see spread)."""
    taken: set[str] = {c.sibling_group for c in learning if c.sibling_group is not None}
    reviews_sorted = sorted(
        (c for c in reviews if not _blocked(c, answered_today)),
        key=lambda c: (c.retrievability if c.retrievability is not None else 1.0, c.question_id),
    )
    review_allowance = {
        e: max(0, lim.reviews_per_day - done.get(e, Done()).reviews) for e, lim in limits.items()
    }
    chosen_reviews = _limit(_one_per_group(reviews_sorted, taken), review_allowance)

    new_sorted = sorted(
        (c for c in new if not _blocked(c, answered_today)), key=lambda c: (c.order, c.question_id)
    )
    new_allowance = {
        e: max(0, lim.new_per_day - done.get(e, Done()).new) for e, lim in limits.items()
    }
    chosen_new = _limit(_one_per_group(new_sorted, taken), new_allowance)
    return chosen_reviews, chosen_new


def spread_head(
    reviews: Sequence[Candidate], new: Sequence[Candidate], totals: tuple[int, int], count: int
) -> list[Candidate]:
    """The first ``count`` of :func:`spread` over lists of ``totals`` (reviews, new) items, of
    which only the first are given: enough when each list holds ``count`` or all of its items."""
    review_total, new_total = totals
    slots = [((i + 0.5) / review_total, 0, c) for i, c in enumerate(reviews[:count])]
    slots += [((j + 0.5) / new_total, 1, c) for j, c in enumerate(new[:count])]
    slots.sort(key=lambda slot: (slot[0], slot[1]))
    return [c for _, _, c in slots[:count]]


def spread(reviews: Sequence[Candidate], new: Sequence[Candidate]) -> list[Candidate]:
    """Interleave new cards evenly among reviews, keeping each list's own order: the part of the
    queue that does not change as time passes (only learning cards come due)."""
    return spread_head(reviews, new, (len(reviews), len(new)), len(reviews) + len(new))


def assemble(
    *,
    now: datetime,
    learning: Iterable[Candidate],
    rest: Sequence[Candidate],
    last_answered: Candidate | None = None,
    day_end: datetime | None = None,
) -> Queue:
    """The queue at ``now``: learning cards due by then, followed by ``rest`` (see spread)."""
    learning = sorted(learning, key=lambda c: (c.due or now, c.question_id))
    due_learning = [c for c in learning if c.due is None or c.due <= now]
    ahead_cutoff = now + LEARN_AHEAD
    later = [c for c in learning if c.due is not None and now < c.due <= ahead_cutoff]
    if day_end is not None:
        later_today = [c for c in learning if c.due is not None and ahead_cutoff < c.due < day_end]
    else:
        later_today = []
    items = _not_back_to_back(due_learning + list(rest), last_answered)
    return Queue(items=tuple(items), ahead=tuple(later), later=tuple(later_today))


def build_queue(
    *,
    now: datetime,
    learning: Iterable[Candidate],
    reviews: Iterable[Candidate],
    new: Iterable[Candidate],
    limits: Mapping[int, Limits],
    done: Mapping[int, Done],
    answered_today: Mapping[str, frozenset[int]],
    last_answered: Candidate | None = None,
    day_end: datetime | None = None,
) -> Queue:
    """Order today's remaining cards. ``limits`` and ``done`` are per enrolment id."""
    learning = list(learning)
    chosen_reviews, chosen_new = choose(
        learning=learning,
        reviews=reviews,
        new=new,
        limits=limits,
        done=done,
        answered_today=answered_today,
    )
    return assemble(
        now=now,
        learning=learning,
        rest=spread(chosen_reviews, chosen_new),
        last_answered=last_answered,
        day_end=day_end,
    )
