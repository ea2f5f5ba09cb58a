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

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, NamedTuple

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


def _spread(reviews: list[Candidate], new: list[Candidate]) -> list[Candidate]:
    """Interleave new cards evenly among reviews, keeping each list's own order."""
    if not reviews or not new:
        return reviews + new
    slots = [((i + 0.5) / len(reviews), 0, c) for i, c in enumerate(reviews)]
    slots += [((j + 0.5) / len(new), 1, c) for j, c in enumerate(new)]
    slots.sort(key=lambda slot: (slot[0], slot[1]))
    return [c for _, _, c in slots]


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


def arrange(
    *,
    learning: Iterable[Candidate],
    reviews: Iterable[Candidate],
    new: Iterable[Candidate],
    limits: Mapping[int, Limits],
    done: Mapping[int, Done],
    answered_today: Mapping[str, frozenset[int]],
) -> list[Candidate]:
    """The reviews and new cards to show today, in order: the part of the queue that does not
    change as time passes (only learning cards come due)."""
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
    return _spread(chosen_reviews, chosen_new)


def assemble(
    *,
    now: datetime,
    learning: Iterable[Candidate],
    rest: Sequence[Candidate],
    last_answered: Candidate | None = None,
    day_end: datetime | None = None,
) -> Queue:
    """The queue at ``now``: learning cards due by then, followed by ``rest`` (see arrange)."""
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
    rest = arrange(
        learning=learning,
        reviews=reviews,
        new=new,
        limits=limits,
        done=done,
        answered_today=answered_today,
    )
    return assemble(
        now=now, learning=learning, rest=rest, last_answered=last_answered, day_end=day_end
    )


# ------------------------------------------------------------------------------------------------
# The day's plan: the queue's inputs, gathered once and then kept up to date by each answer
# ------------------------------------------------------------------------------------------------

ALL_TRACKS = "*"
PLAN_FORMAT = 1
# Card states as stored (see scheduling.CardState); this module does not import the scheduler.
CARD_NEW = 0
CARD_REVIEW = 2


@dataclass(frozen=True)
class EnrolmentPlan:
    """What the queue and the answer need of one enrolment's preset in force."""

    track_key: str
    preset_id: int
    limits: Limits
    preset: Mapping[str, object]  # the stored preset values, to schedule answers with


# How many of the first reviews and new cards a head keeps: enough to find one that is not a
# sibling of the last answer (see _not_back_to_back) without keeping the whole day.
HEAD_REST = 8


@dataclass(frozen=True)
class Head:
    """What asking for the next card needs of one scope's queue, at any time of the day.

    Worked out whenever the plan changes and kept with its progress, so that a request for the
    next card reads neither the candidates nor orders them. Time changes the queue only as
    learning cards come due, so the head keeps the scope's learning cards and the first few of
    the reviews and new cards (whose order time does not change); :meth:`at` assembles the head
    of the queue from them exactly as :func:`build_queue` would.
    """

    learning: tuple[Candidate, ...]
    rest: tuple[Candidate, ...]  # the first HEAD_REST of arrange()
    rest_total: int
    new: int  # new cards and reviews in the whole of arrange()
    review: int
    last: Candidate | None
    computed_at: datetime
    day_end: datetime
    track_keys: Mapping[int, str]  # of the scope's enrolments
    enrolment_ids: tuple[int, ...]

    def at(self, now: datetime) -> tuple[Candidate | None, int, int, int] | None:
        """(next card, new, learning, review) at ``now``; None if the kept part cannot tell
        (every kept card is a sibling of the last answer) or ``now`` is outside its day."""
        if not self.computed_at <= now < self.day_end:
            return None
        queue = assemble(
            now=now, learning=self.learning, rest=self.rest, last_answered=self.last,
            day_end=self.day_end,
        )  # fmt: skip
        if self.rest_total > len(self.rest) and self.last is not None and self.last.sibling_group:
            group = self.last.sibling_group
            if queue.items and all(c.sibling_group == group for c in queue.items):
                return None
        return queue.next, self.new, queue.count(Source.LEARNING), self.review

    def to_json(self) -> dict[str, Any]:
        return {
            "learning": [_candidate_json(c) for c in self.learning],
            "rest": [_candidate_json(c) for c in self.rest],
            "rest_total": self.rest_total,
            "counts": [self.new, self.review],
            "last": _candidate_json(self.last) if self.last else None,
            "computed_at": self.computed_at.timestamp(),
            "day_end": self.day_end.timestamp(),
            "tracks": {str(e): key for e, key in self.track_keys.items()},
            "enrolments": list(self.enrolment_ids),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Head:
        new, review = data["counts"]
        return cls(
            learning=tuple(_candidate_from(c) for c in data["learning"]),
            rest=tuple(_candidate_from(c) for c in data["rest"]),
            rest_total=data["rest_total"],
            new=new,
            review=review,
            last=_candidate_from(data["last"]) if data["last"] else None,
            computed_at=datetime.fromtimestamp(data["computed_at"], UTC),
            day_end=datetime.fromtimestamp(data["day_end"], UTC),
            track_keys={int(e): key for e, key in data["tracks"].items()},
            enrolment_ids=tuple(data["enrolments"]),
        )


class ScopePlan:
    """Candidates for one scope: one track, or all of them (``ALL_TRACKS``).

    Read from storage, the candidate lists are unpacked on first use: an answer only needs the
    enrolments and question ids, which it reads from the packed lists directly."""

    def __init__(
        self,
        enrolment_ids: tuple[int, ...],
        learning: list[Candidate] | None = None,
        reviews: list[Candidate] | None = None,
        new: list[Candidate] | None = None,
        new_cut: frozenset[int] = frozenset(),
        *,
        packed: Mapping[str, Mapping[str, list[Any]]] | None = None,
        groups: Sequence[str] = (),
    ) -> None:
        self.enrolment_ids = enrolment_ids
        # Enrolments whose new questions filled today's allowance with more left unread: if the
        # candidates read run short of the allowance, the plan is gathered again.
        self.new_cut = new_cut
        self._lists = {Source.LEARNING: learning, Source.REVIEW: reviews, Source.NEW: new}
        self._packed = packed or {}
        self._groups = groups

    def _list(self, source: Source) -> list[Candidate]:
        found = self._lists[source]
        if found is None:
            found = _unpack(self._packed[_KEYS[source]], source, self._groups)
            self._lists[source] = found
        return found

    @property
    def learning(self) -> list[Candidate]:
        return self._list(Source.LEARNING)

    @property
    def reviews(self) -> list[Candidate]:
        return self._list(Source.REVIEW)

    @property
    def new(self) -> list[Candidate]:
        return self._list(Source.NEW)

    def keys(self, source: Source) -> Iterator[tuple[int, int, str | None]]:
        """(question id, enrolment id, sibling group) of each candidate, without unpacking."""
        found = self._lists[source]
        if found is not None:
            return ((c.question_id, c.enrolment_id, c.sibling_group) for c in found)
        data = self._packed[_KEYS[source]]
        groups = self._groups
        return (
            (q, e, None if g < 0 else groups[g])
            for q, e, g in zip(data["q"], data["e"], data["g"], strict=True)
        )


_KEYS = {Source.LEARNING: "learning", Source.REVIEW: "reviews", Source.NEW: "new"}


@dataclass
class DayPlan:
    """One learner's queue inputs for one study day.

    Gathered from the database when the day's first card is asked for. The candidates gathered
    are then kept as they were; each answer records only its effect — the card is answered, it
    counts against its enrolment's limits, it may be due again later today — so that reading the
    queue from the plan gives what a fresh gathering would, at the cost of one read instead of a
    scan of the learner's cards. Anything else that changes the inputs (presets, enrolments,
    suspend, bury, undo, a bank sync) drops the plan. It is stored in two parts: the gathered
    candidates (:meth:`base_json`), written once, and the day's progress (:meth:`progress_json`),
    small and rewritten by each answer.
    """

    enrolments: dict[int, EnrolmentPlan]
    done: dict[int, Done]
    answered: dict[str, frozenset[int]]
    last: Candidate | None
    answers: int
    scopes: dict[str, ScopePlan]
    # Questions answered since the plan was gathered, and those of them due again today.
    answered_since: set[int] = field(default_factory=set)
    again: dict[int, Candidate] = field(default_factory=dict)
    # The head of each scope's queue as of the last change (see Head); any answer clears them.
    heads: dict[str, Head] = field(default_factory=dict)

    def _current(self, candidates: list[Candidate]) -> list[Candidate]:
        if not self.answered_since:
            return candidates
        return [c for c in candidates if c.question_id not in self.answered_since]

    def _again(self, source: Source, scope: ScopePlan) -> list[Candidate]:
        return [
            c
            for c in self.again.values()
            if c.source is source and c.enrolment_id in scope.enrolment_ids
        ]

    def candidates(self, scope: str) -> tuple[list[Candidate], list[Candidate], list[Candidate]]:
        """Learning, review and new candidates of a scope as they stand now."""
        plan = self.scopes[scope]
        return (
            self._current(plan.learning) + self._again(Source.LEARNING, plan),
            self._current(plan.reviews) + self._again(Source.REVIEW, plan),
            self._current(plan.new),
        )

    def _arrange(self, scope: str) -> tuple[list[Candidate], list[Candidate]]:
        learning, reviews, new = self.candidates(scope)
        rest = arrange(
            learning=learning,
            reviews=reviews,
            new=new,
            limits={e: self.enrolments[e].limits for e in self.scopes[scope].enrolment_ids},
            done=self.done,
            answered_today=self.answered,
        )
        return learning, rest

    def queue(self, scope: str, now: datetime, day_end: datetime) -> Queue:
        learning, rest = self._arrange(scope)
        return assemble(
            now=now, learning=learning, rest=rest, last_answered=self.last, day_end=day_end
        )

    def remember_head(self, scope: str, now: datetime, day_end: datetime) -> Queue:
        """This scope's queue at ``now``; its head is kept too (unless the plan is short of new
        candidates: then the next request gathers the plan again)."""
        learning, rest = self._arrange(scope)
        queue = assemble(
            now=now, learning=learning, rest=rest, last_answered=self.last, day_end=day_end
        )
        if self.short_of_new(scope, queue):
            return queue
        enrolment_ids = self.scopes[scope].enrolment_ids
        head = Head(
            learning=tuple(learning),  # assemble() orders them
            rest=tuple(rest[:HEAD_REST]),
            rest_total=len(rest),
            new=sum(1 for c in rest if c.source is Source.NEW),
            review=sum(1 for c in rest if c.source is Source.REVIEW),
            last=self.last,
            computed_at=now,
            day_end=day_end,
            track_keys={e: self.enrolments[e].track_key for e in enrolment_ids},
            enrolment_ids=enrolment_ids,
        )
        self.heads[scope] = head
        return queue

    def short_of_new(self, scope: str, queue: Queue) -> bool:
        """Whether an enrolment whose new questions were cut short now offers fewer than its
        allowance (siblings blocked some): gathering again would find more."""
        plan = self.scopes[scope]
        for e in plan.new_cut:
            allowance = self.enrolments[e].limits.new_per_day - self.done.get(e, Done()).new
            offered = sum(1 for c in queue.items if c.source is Source.NEW and c.enrolment_id == e)
            if offered < allowance:
                return True
        return False

    def offered_by(self, scope: str, question_id: int) -> int | None:
        """The enrolment whose new questions in this scope include ``question_id``, if any."""
        plan = self.scopes.get(scope)
        if plan is None or question_id in self.answered_since:
            return None
        return next((e for q, e, _ in plan.keys(Source.NEW) if q == question_id), None)

    def record_answer(
        self,
        *,
        question_id: int,
        enrolment_id: int | None,
        sibling_group: str | None,
        state_before: int,
        again: Candidate | None,
    ) -> None:
        """Record one answer. ``again`` is the card as a candidate when it is due again before
        the day ends (a learning step, or a review on a 25-hour day)."""
        if enrolment_id is not None:
            done = self.done.get(enrolment_id, Done())
            if state_before == CARD_NEW:
                done = Done(new=done.new + 1, reviews=done.reviews)
            elif state_before == CARD_REVIEW:
                done = Done(new=done.new, reviews=done.reviews + 1)
            self.done[enrolment_id] = done
        if sibling_group is not None:
            self.answered[sibling_group] = self.answered.get(
                sibling_group, frozenset()
            ) | frozenset({question_id})
        self.last = Candidate(question_id, enrolment_id or 0, Source.REVIEW, sibling_group)
        self.answers += 1
        self.answered_since.add(question_id)
        self.again.pop(question_id, None)
        if again is not None:
            self.again[question_id] = again
        self.heads.clear()

    def reviews_left(self) -> bool | None:
        """Whether a due review is left within the limits, across all tracks (None: this plan
        cannot tell, having no all-tracks scope)."""
        plan = self.scopes.get(ALL_TRACKS)
        if plan is None:
            return None
        open_ids = {
            e
            for e in plan.enrolment_ids
            if self.done.get(e, Done()).reviews < self.enrolments[e].limits.reviews_per_day
        }
        gathered = (key for key in plan.keys(Source.REVIEW) if key[0] not in self.answered_since)
        again = ((c.question_id, c.enrolment_id, c.sibling_group) for c in self.again.values()
                 if c.source is Source.REVIEW)  # fmt: skip
        for question_id, enrolment_id, group in (*gathered, *again):
            if enrolment_id not in open_ids:
                continue
            siblings = self.answered.get(group, frozenset()) if group is not None else frozenset()
            if not siblings - {question_id}:
                return True
        return False

    # -- storage: compact JSON, a column per field; times as POSIX seconds ---------------------

    def base_json(self) -> dict[str, Any]:
        groups: dict[str, int] = {}
        return {
            "format": PLAN_FORMAT,
            "enrolments": {
                str(e): [
                    p.track_key,
                    p.preset_id,
                    p.limits.new_per_day,
                    p.limits.reviews_per_day,
                    dict(p.preset),
                ]
                for e, p in self.enrolments.items()
            },
            "scopes": {
                key: {
                    "enrolments": list(plan.enrolment_ids),
                    "learning": _pack(plan.learning, groups),
                    "reviews": _pack(plan.reviews, groups),
                    "new": _pack(plan.new, groups),
                    "new_cut": sorted(plan.new_cut),
                }
                for key, plan in self.scopes.items()
            },
            "groups": list(groups),
        }

    def progress_json(self) -> dict[str, Any]:
        return {
            "done": {str(e): [d.new, d.reviews] for e, d in self.done.items()},
            "answered": {g: sorted(ids) for g, ids in self.answered.items()},
            "last": _candidate_json(self.last) if self.last else None,
            "answers": self.answers,
            "answered_since": sorted(self.answered_since),
            "again": [_candidate_json(c) for c in self.again.values()],
            "heads": {scope: head.to_json() for scope, head in self.heads.items()},
        }

    @classmethod
    def from_json(cls, base: Mapping[str, Any], progress: Mapping[str, Any]) -> DayPlan | None:
        """The plan stored in two parts, or None if it was stored in another format."""
        if base.get("format") != PLAN_FORMAT:
            return None
        groups = base["groups"]
        again = [_candidate_from(c) for c in progress["again"]]
        return cls(
            enrolments={
                int(e): EnrolmentPlan(
                    track_key=key, preset_id=preset_id, limits=Limits(new, reviews), preset=preset
                )
                for e, (key, preset_id, new, reviews, preset) in base["enrolments"].items()
            },
            done={int(e): Done(new, reviews) for e, (new, reviews) in progress["done"].items()},
            answered={g: frozenset(ids) for g, ids in progress["answered"].items()},
            last=_candidate_from(progress["last"]) if progress["last"] else None,
            answers=progress["answers"],
            scopes={
                key: ScopePlan(
                    enrolment_ids=tuple(plan["enrolments"]),
                    new_cut=frozenset(plan["new_cut"]),
                    packed=plan,
                    groups=groups,
                )
                for key, plan in base["scopes"].items()
            },
            answered_since=set(progress["answered_since"]),
            again={c.question_id: c for c in again},
            heads=heads_from_json(progress),
        )


_SOURCES = {int(s): s for s in Source}


def _pack(candidates: Sequence[Candidate], groups: dict[str, int]) -> dict[str, list[Any]]:
    """One list per field (the fields of a list's candidates share a source). Group names are
    numbered in ``groups``, -1 for none; due times are kept to the millisecond."""
    packed: dict[str, list[Any]] = {
        "q": [c.question_id for c in candidates],
        "e": [c.enrolment_id for c in candidates],
        "g": [
            -1 if c.sibling_group is None else groups.setdefault(c.sibling_group, len(groups))
            for c in candidates
        ],
        "c": [c.card_id for c in candidates],
    }
    # Only learning cards have a due time that matters, reviews a recall, new questions an order.
    if any(c.due is not None for c in candidates):
        packed["d"] = [None if c.due is None else round(c.due.timestamp(), 3) for c in candidates]
    if any(c.retrievability is not None for c in candidates):
        packed["r"] = [c.retrievability for c in candidates]
    if any(c.order for c in candidates):
        packed["o"] = [c.order for c in candidates]
    return packed


def _unpack(
    data: Mapping[str, list[Any]], source: Source, groups: Sequence[str]
) -> list[Candidate]:
    count = len(data["q"])
    nothing: list[Any] = [None] * count
    return [
        Candidate(
            question_id,
            enrolment_id,
            source,
            None if group < 0 else groups[group],
            card_id,
            None if due is None else datetime.fromtimestamp(due, UTC),
            recall,
            tuple(order),
        )
        for question_id, enrolment_id, group, card_id, due, recall, order in zip(
            data["q"],
            data["e"],
            data["g"],
            data["c"],
            data.get("d", nothing),
            data.get("r", nothing),
            data.get("o", [()] * count),
            strict=True,
        )
    ]


def _candidate_json(c: Candidate) -> list[Any]:
    return [
        c.question_id,
        c.enrolment_id,
        int(c.source),
        c.sibling_group,
        c.card_id,
        c.due.timestamp() if c.due is not None else None,
        c.retrievability,
        c.order,
    ]


def _candidate_from(data: Sequence[Any]) -> Candidate:
    question_id, enrolment_id, source, group, card_id, due, recall, order = data
    return Candidate(
        question_id,
        enrolment_id,
        _SOURCES[source],
        group,
        card_id,
        None if due is None else datetime.fromtimestamp(due, UTC),
        recall,
        tuple(order),
    )


def heads_from_json(progress: Mapping[str, Any]) -> dict[str, Head]:
    """The heads kept in a plan's progress, read without the rest of the plan."""
    return {scope: Head.from_json(head) for scope, head in progress.get("heads", {}).items()}
