"""The day's plan: the queue's inputs, gathered once and then kept up to date by each answer.

Pure, like :mod:`app.domain.queue`, whose rules it applies. A plan is stored in two parts (see
:class:`DayPlan`): the candidates gathered, large and written rarely, and the day's progress through
them, small and rewritten by each answer. An answer reads and writes only the progress: it updates
the head of the queue it was given from (see :meth:`Head.answered`), so its cost does not grow with
the size of the day; the candidates are read only when a head runs short, every few dozen answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from app.domain.queue import (
    Candidate,
    Done,
    Limits,
    Queue,
    Source,
    assemble,
    choose,
    spread,
    spread_head,
)

ALL_TRACKS = "*"
PLAN_FORMAT = 2
# Card states as stored (see scheduling.CardState); this module does not import the scheduler.
CARD_NEW = 0
CARD_REVIEW = 2
# The head's list a card is in, by its state before the answer.
_HEAD_LIST = {CARD_NEW: "new", 1: "learning", CARD_REVIEW: "reviews", 3: "learning"}


@dataclass(frozen=True)
class EnrolmentPlan:
    """What the queue and the answer need of one enrolment's preset in force."""

    track_key: str
    preset_id: int
    limits: Limits
    preset: Mapping[str, object]  # the stored preset values, to schedule answers with


# How many of the first reviews and new cards the queue's head is worked out from: enough to find
# one that is not a sibling of the last answer (see queue._not_back_to_back).
HEAD_REST = 8
# How many of the chosen reviews and of the chosen new cards a head keeps. Each answer takes one
# out; once fewer than HEAD_REST are left (of a list that has more), the answer reads the
# candidates and keeps a new head. Larger: rarer reads of the candidates, a larger progress to
# read and write on every answer.
WINDOW = 40


@dataclass(frozen=True)
class Head:
    """What asking for the next card, and answering it, need of one scope's queue.

    Worked out from the candidates and then kept up to date by each answer, so that neither
    reads the candidates or orders them. Time changes the queue only as learning cards come due,
    so the head keeps the scope's learning cards and the first of the chosen reviews and new cards
    (see :func:`app.domain.queue.choose`, whose order time does not change) with how many each list
    holds in all; :meth:`at` assembles the head of the queue from them exactly as
    :func:`app.domain.queue.build_queue` would.
    """

    learning: tuple[Candidate, ...]
    reviews: tuple[Candidate, ...]  # the first WINDOW of the chosen reviews
    new: tuple[Candidate, ...]  # the first WINDOW of the chosen new cards
    review_total: int
    new_total: int
    last: Candidate | None
    computed_at: datetime
    day_end: datetime
    track_keys: Mapping[int, str]  # of the scope's enrolments
    enrolment_ids: tuple[int, ...]

    @classmethod
    def of(
        cls,
        *,
        learning: Sequence[Candidate],
        reviews: Sequence[Candidate],
        new: Sequence[Candidate],
        last: Candidate | None,
        now: datetime,
        day_end: datetime,
        track_keys: Mapping[int, str],
        enrolment_ids: tuple[int, ...],
    ) -> Head:
        return cls(
            learning=tuple(learning),
            reviews=tuple(reviews[:WINDOW]),
            new=tuple(new[:WINDOW]),
            review_total=len(reviews),
            new_total=len(new),
            last=last,
            computed_at=now,
            day_end=day_end,
            track_keys=track_keys,
            enrolment_ids=enrolment_ids,
        )

    @property
    def complete(self) -> bool:
        """Whether the kept reviews and new cards still tell the first HEAD_REST of the queue."""
        return len(self.reviews) >= min(self.review_total, HEAD_REST) and len(self.new) >= min(
            self.new_total, HEAD_REST
        )

    def rest(self) -> list[Candidate]:
        """The first HEAD_REST reviews and new cards of the queue, spread as the whole queue is."""
        totals = (self.review_total, self.new_total)
        return spread_head(self.reviews, self.new, totals, HEAD_REST)

    def at(self, now: datetime) -> tuple[Candidate | None, int, int, int] | None:
        """(next card, new, learning, review) at ``now``; None if the kept part cannot tell
        (every kept card is a sibling of the last answer) or ``now`` is outside its day."""
        if not self.computed_at <= now < self.day_end:
            return None
        rest = self.rest()
        queue = assemble(
            now=now, learning=self.learning, rest=rest, last_answered=self.last,
            day_end=self.day_end,
        )  # fmt: skip
        rest_total = self.review_total + self.new_total
        if rest_total > len(rest) and self.last is not None and self.last.sibling_group:
            group = self.last.sibling_group
            if queue.items and all(c.sibling_group == group for c in queue.items):
                return None
        return queue.next, self.new_total, queue.count(Source.LEARNING), self.review_total

    def answered(
        self,
        question_id: int,
        state_before: int,
        again: Candidate | None,
        last: Candidate,
        now: datetime,
    ) -> Head | None:
        """The head after this scope's card ``question_id`` was answered, or None if the head
        cannot tell (the card was not among those kept, or it is due again today as a review).

        The queue's inputs change by the answer alone: the card leaves its list, counts against
        its enrolment's limit (which the rest of the chosen list already fits), and blocks its
        siblings (none of which were chosen: the queue takes one card per sibling group). So the
        chosen lists after the answer are those before it without the card.
        """
        if again is not None and again.source is not Source.LEARNING:
            return None
        kept = {
            "learning": tuple(c for c in self.learning if c.question_id != question_id),
            "reviews": tuple(c for c in self.reviews if c.question_id != question_id),
            "new": tuple(c for c in self.new if c.question_id != question_id),
        }
        found = {name: len(getattr(self, name)) - len(kept[name]) for name in kept}
        expected = _HEAD_LIST.get(state_before)
        if found != {name: int(name == expected) for name in found}:
            return None
        learning = kept["learning"] + ((again,) if again is not None else ())
        head = replace(
            self,
            learning=learning,
            reviews=kept["reviews"],
            new=kept["new"],
            review_total=self.review_total - found["reviews"],
            new_total=self.new_total - found["new"],
            last=last,
            computed_at=now,
        )
        return head if head.complete else None

    def offers(self, question_id: int) -> int | None:
        """The enrolment offering ``question_id`` as a new card in this head, if it does."""
        return next((c.enrolment_id for c in self.new if c.question_id == question_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "learning": [_candidate_json(c) for c in self.learning],
            "reviews": [_candidate_json(c) for c in self.reviews],
            "new": [_candidate_json(c) for c in self.new],
            "totals": [self.review_total, self.new_total],
            "last": _candidate_json(self.last) if self.last else None,
            "computed_at": self.computed_at.timestamp(),
            "day_end": self.day_end.timestamp(),
            "tracks": {str(e): key for e, key in self.track_keys.items()},
            "enrolments": list(self.enrolment_ids),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Head:
        review_total, new_total = data["totals"]
        return cls(
            learning=tuple(_candidate_from(c) for c in data["learning"]),
            reviews=tuple(_candidate_from(c) for c in data["reviews"]),
            new=tuple(_candidate_from(c) for c in data["new"]),
            review_total=review_total,
            new_total=new_total,
            last=_candidate_from(data["last"]) if data["last"] else None,
            computed_at=datetime.fromtimestamp(data["computed_at"], UTC),
            day_end=datetime.fromtimestamp(data["day_end"], UTC),
            track_keys={int(e): key for e, key in data["tracks"].items()},
            enrolment_ids=tuple(data["enrolments"]),
        )


class ScopePlan:
    """Candidates for one scope: one track, or all of them (``ALL_TRACKS``).

    Read from storage, the candidate lists are unpacked on first use: a scan for one question
    reads the packed lists directly."""

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

    def without(self, answered: set[int]) -> ScopePlan:
        """These candidates less the questions answered: what a plan folds its progress into."""

        def kept(candidates: list[Candidate]) -> list[Candidate]:
            return [c for c in candidates if c.question_id not in answered]

        return ScopePlan(
            self.enrolment_ids,
            kept(self.learning),
            kept(self.reviews),
            kept(self.new),
            self.new_cut,
        )


_KEYS = {Source.LEARNING: "learning", Source.REVIEW: "reviews", Source.NEW: "new"}


class StoredScopes(Mapping[str, ScopePlan]):
    """A stored plan's candidates, parsed from their JSON text on first use: most answers and
    requests for the next card do not need them."""

    def __init__(self, base: str | Mapping[str, Any]) -> None:
        self._base = base
        self._scopes: dict[str, ScopePlan] | None = None

    def _load(self) -> dict[str, ScopePlan]:
        if self._scopes is None:
            base = json.loads(self._base) if isinstance(self._base, str) else self._base
            groups = base["groups"]
            self._scopes = {
                key: ScopePlan(
                    enrolment_ids=tuple(plan["enrolments"]),
                    new_cut=frozenset(plan["new_cut"]),
                    packed=plan,
                    groups=groups,
                )
                for key, plan in base["scopes"].items()
            }
        return self._scopes

    def __getitem__(self, key: str) -> ScopePlan:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


@dataclass
class DayPlan:
    """One learner's queue inputs for one study day.

    Gathered from the database when the day's first card is asked for. The candidates gathered
    are then kept as they were; each answer records only its effect — the card is answered, it
    counts against its enrolment's limits, it may be due again later today — so that reading the
    queue from the plan gives what a fresh gathering would, at the cost of one read instead of a
    scan of the learner's cards. Anything else that changes the inputs (presets, enrolments,
    suspend, bury, undo, a bank sync) drops the plan. It is stored in two parts: the gathered
    candidates (:meth:`base_json`), written when gathered and when a head is renewed, and the
    day's progress (:meth:`progress_json`), small and rewritten by each answer.
    """

    enrolments: dict[int, EnrolmentPlan]
    done: dict[int, Done]
    answered: dict[str, frozenset[int]]
    last: Candidate | None
    answers: int
    scopes: Mapping[str, ScopePlan]
    # Questions answered since the candidates were last written, and those due again today.
    answered_since: set[int] = field(default_factory=set)
    again: dict[int, Candidate] = field(default_factory=dict)
    # The head of each scope's queue as of the last change (see Head).
    heads: dict[str, Head] = field(default_factory=dict)
    # Whether the candidates changed (answers folded in) and must be written again.
    base_changed: bool = False

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

    def _choose(self, scope: str) -> tuple[list[Candidate], list[Candidate], list[Candidate]]:
        """The scope's learning cards, and its chosen reviews and new cards."""
        learning, reviews, new = self.candidates(scope)
        chosen_reviews, chosen_new = choose(
            learning=learning,
            reviews=reviews,
            new=new,
            limits={e: self.enrolments[e].limits for e in self.scopes[scope].enrolment_ids},
            done=self.done,
            answered_today=self.answered,
        )
        return learning, chosen_reviews, chosen_new

    def _queue(
        self,
        chosen: tuple[list[Candidate], list[Candidate], list[Candidate]],
        now: datetime,
        day_end: datetime,
    ) -> Queue:
        learning, reviews, new = chosen
        return assemble(
            now=now,
            learning=learning,
            rest=spread(reviews, new),
            last_answered=self.last,
            day_end=day_end,
        )

    def queue(self, scope: str, now: datetime, day_end: datetime) -> Queue:
        return self._queue(self._choose(scope), now, day_end)

    def remember_head(self, scope: str, now: datetime, day_end: datetime) -> Queue:
        """This scope's queue at ``now``; its head is kept too (unless the plan is short of new
        candidates: then the next request gathers the plan again)."""
        chosen = self._choose(scope)
        queue = self._queue(chosen, now, day_end)
        if not self.short_of_new(scope, queue):
            learning, reviews, new = chosen
            enrolment_ids = self.scopes[scope].enrolment_ids
            self.heads[scope] = Head.of(
                learning=learning,
                reviews=reviews,
                new=new,
                last=self.last,
                now=now,
                day_end=day_end,
                track_keys={e: self.enrolments[e].track_key for e in enrolment_ids},
                enrolment_ids=enrolment_ids,
            )
        return queue

    def renew_head(self, scope: str, now: datetime, day_end: datetime) -> None:
        """Work out the scope's head from the candidates, folding the answers made since they
        were written into them, so that the progress stays small."""
        if self.answered_since:
            self.scopes = {
                key: plan.without(self.answered_since) for key, plan in self.scopes.items()
            }
            self.answered_since = set()
            self.base_changed = True
        self.remember_head(scope, now, day_end)

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
        head = self.heads.get(scope)
        found = head.offers(question_id) if head is not None else None
        if found is not None:
            return found
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
        scope: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record one answer. ``again`` is the card as a candidate when it is due again before
        the day ends (a learning step, or a review on a 25-hour day). The head of ``scope``, the
        queue the card was answered from, is kept up to date when it can be (see
        :meth:`Head.answered`); every other head is dropped."""
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
        head = self.heads.get(scope) if scope is not None else None
        self.heads.clear()
        if head is not None and now is not None and scope is not None:
            kept = head.answered(question_id, state_before, again, self.last, now)
            if kept is not None:
                self.heads[scope] = kept

    def reviews_left(self) -> bool | None:
        """Whether a due review is left within the limits, across all tracks (None: this plan
        cannot tell, having no all-tracks scope)."""
        head = self.heads.get(ALL_TRACKS)
        if head is not None and head.review_total > 0:
            return True  # a chosen review is within its limit and not blocked by a sibling
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
            "done": {str(e): [d.new, d.reviews] for e, d in self.done.items()},
            "answered": {g: sorted(ids) for g, ids in self.answered.items()},
            "last": _candidate_json(self.last) if self.last else None,
            "answers": self.answers,
            "answered_since": sorted(self.answered_since),
            "again": [_candidate_json(c) for c in self.again.values()],
            "heads": {scope: head.to_json() for scope, head in self.heads.items()},
        }

    @classmethod
    def from_json(
        cls, base: str | Mapping[str, Any], progress: Mapping[str, Any]
    ) -> DayPlan | None:
        """The plan stored in two parts, or None if it was stored in another format. The
        candidates (``base``, as JSON text or parsed) are parsed only when first needed."""
        if progress.get("format") != PLAN_FORMAT:
            return None
        again = [_candidate_from(c) for c in progress["again"]]
        return cls(
            enrolments={
                int(e): EnrolmentPlan(
                    track_key=key, preset_id=preset_id, limits=Limits(new, reviews), preset=preset
                )
                for e, (key, preset_id, new, reviews, preset) in progress["enrolments"].items()
            },
            done={int(e): Done(new, reviews) for e, (new, reviews) in progress["done"].items()},
            answered={g: frozenset(ids) for g, ids in progress["answered"].items()},
            last=_candidate_from(progress["last"]) if progress["last"] else None,
            answers=progress["answers"],
            scopes=StoredScopes(base),
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
    """The heads kept in a plan's progress, read without the rest of the plan (none from a plan
    stored in another format: it is gathered again)."""
    if progress.get("format") != PLAN_FORMAT:
        return {}
    return {scope: Head.from_json(head) for scope, head in progress.get("heads", {}).items()}
