"""FSRS-6 scheduling for one card: presets, memory states, reviews and replays.

This module is the only place that knows the `fsrs` package. Everything else in the app works
with the frozen dataclasses and enums defined here, so upgrading the scheduler touches one file.

Two deliberate differences from a plain ``fsrs.Scheduler``:

* Retrievability uses *fractional* elapsed days (seconds / 86400). py-fsrs truncates to whole days,
  which predicts R = 1.0 for any review less than 24 hours after the previous one; on real review
  logs that is badly wrong (see bench/scheduler_quality.py). Because ``review_card`` feeds
  ``get_card_retrievability`` into the long-term stability update, the update uses the fractional
  value too.
* Whether a review is short-term (so the short-term stability formula applies) is decided by the
  learner's day, as Anki decides it: a review on the same study day as the card's previous one is
  short-term, one on a later study day is not, however few hours apart (a card answered at 11 pm
  and again at 7 am the next morning has been slept on). ``Memory.last_day`` and ``review(...,
  today=...)`` carry the study days; without them py-fsrs' 24-hour rule applies.
* Fuzz is drawn from ``random.Random(fuzz_seed)`` instead of the global random state, so a review or
  a replay is reproducible and concurrent requests cannot disturb each other.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from functools import lru_cache

import fsrs
from fsrs.scheduler import (
    DEFAULT_PARAMETERS as _FSRS_DEFAULT_PARAMETERS,
)
from fsrs.scheduler import (
    FUZZ_RANGES,
    LOWER_BOUNDS_PARAMETERS,
    UPPER_BOUNDS_PARAMETERS,
)

__all__ = [
    "DEFAULT_PARAMETERS",
    "PARAMETER_BOUNDS",
    "CardState",
    "Memory",
    "Preset",
    "PresetError",
    "Rating",
    "ReviewOutcome",
    "format_steps",
    "is_leech",
    "make_preset",
    "parse_steps",
    "preview_intervals",
    "replay",
    "retrievability",
    "review",
]

SECONDS_PER_DAY = 86400.0

_Check = Callable[[object], tuple[object, str | None]]


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


DEFAULT_PARAMETERS: tuple[float, ...] = tuple(float(w) for w in _FSRS_DEFAULT_PARAMETERS)
PARAMETER_COUNT = len(DEFAULT_PARAMETERS)
PARAMETER_BOUNDS: tuple[tuple[float, float], ...] = tuple(
    zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
)
"""(lowest, highest) value py-fsrs accepts for each of the 21 parameters."""

DESIRED_RETENTION_RANGE = (0.70, 0.97)
NEW_PER_DAY_RANGE = (0, 9999)
MAX_REVIEWS_PER_DAY_RANGE = (0, 99999)
MAXIMUM_INTERVAL_RANGE = (1, 36500)
LEECH_THRESHOLD_RANGE = (0, 99)
MAX_STEPS = 20


class PresetError(ValueError):
    """Every problem found in a preset, keyed by field name, so a form can show them all at once."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))


# --------------------------------------------------------------------------------------------------
# Steps: "1m 10m 1h 1d"
# --------------------------------------------------------------------------------------------------

_STEP_UNITS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_STEP_PATTERN = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_STEP_HELP = "use a number followed by s, m, h or d"


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """Read learning or relearning steps written as ``"1m 10m 1h 1d"`` (spaces or commas between).

    The empty string means no steps. Raises ``ValueError`` naming every bad step at once.
    """
    steps: list[timedelta] = []
    problems: list[str] = []
    for token in text.replace(",", " ").split():
        match = _STEP_PATTERN.fullmatch(token.lower())
        if match is None:
            problems.append(f"'{token}' is not a step: {_STEP_HELP}")
            continue
        seconds = float(match.group(1)) * _STEP_UNITS[match.group(2)]
        if seconds < 1 or not seconds.is_integer():
            problems.append(
                f"'{token}' is not a step: a step is a whole number of seconds, at least 1s"
            )
            continue
        steps.append(timedelta(seconds=int(seconds)))
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(steps)


def format_steps(steps: Sequence[timedelta]) -> str:
    """Write steps the way :func:`parse_steps` reads them, each in the largest exact unit."""
    parts: list[str] = []
    for step in steps:
        seconds = step.total_seconds()
        if seconds < 1 or not seconds.is_integer():
            raise ValueError(
                f"{step!r} is not a step: a step is a whole number of seconds, at least 1s"
            )
        whole = int(seconds)
        for unit in ("d", "h", "m", "s"):
            size = _STEP_UNITS[unit]
            if whole % size == 0:
                parts.append(f"{whole // size}{unit}")
                break
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """Per-track scheduling settings. Construct with :func:`make_preset` to get every error at once;
    direct construction validates too, so an invalid preset never exists."""

    desired_retention: float = 0.90
    new_per_day: int = 10
    max_reviews_per_day: int = 200
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    leech_threshold: int = 8
    leech_suspend: bool = True

    def __post_init__(self) -> None:
        errors = {}
        for name in _PRESET_FIELDS:
            normalized, error = _PRESET_CHECKS[name](getattr(self, name))
            if error is None:
                object.__setattr__(self, name, normalized)  # e.g. a list of steps -> a tuple
            else:
                errors[name] = error
        if errors:
            raise PresetError(errors)


def make_preset(**raw: object) -> Preset:
    """Build a preset from loosely typed input (a form, JSON, a TOML file).

    Steps may be given as text (``"1m 10m"``) or as timedeltas; parameters as a list or as text of
    21 comma-separated numbers (as Anki shows them). Missing fields take the defaults. Raises
    :class:`PresetError` listing every problem, including unknown field names.
    """
    unknown = {
        name: f"unknown setting; expected one of {', '.join(_PRESET_FIELDS)}"
        for name in raw
        if name not in _PRESET_CHECKS
    }
    known = {name: value for name, value in raw.items() if name in _PRESET_CHECKS}
    try:
        preset = Preset(**known)  # type: ignore[arg-type]
    except PresetError as exc:
        raise PresetError({**exc.errors, **unknown}) from None
    if unknown:
        raise PresetError(unknown)
    return preset


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _int_in(low: int, high: int) -> _Check:
    def check(value: object) -> tuple[object, str | None]:
        if not _is_int(value):
            return value, f"must be a whole number from {low} to {high}"
        assert isinstance(value, int)
        if not low <= value <= high:
            return value, f"must be from {low} to {high}, got {value}"
        return value, None

    return check


def _check_retention(value: object) -> tuple[object, str | None]:
    low, high = DESIRED_RETENTION_RANGE
    if not _is_number(value):
        return value, f"must be a number from {low:.2f} to {high:.2f}"
    assert isinstance(value, int | float)
    if not (math.isfinite(value) and low <= value <= high):
        return value, f"must be from {low:.2f} to {high:.2f}, got {value}"
    return float(value), None


def _check_steps(value: object) -> tuple[object, str | None]:
    if isinstance(value, str):
        try:
            value = parse_steps(value)
        except ValueError as exc:
            return value, str(exc)
    if not isinstance(value, list | tuple) or not all(isinstance(s, timedelta) for s in value):
        return value, f"must be steps such as '1m 10m' ({_STEP_HELP})"
    steps = tuple(value)
    if len(steps) > MAX_STEPS:
        return steps, f"at most {MAX_STEPS} steps, got {len(steps)}"
    if any(step <= timedelta(0) for step in steps):
        return steps, "every step must be longer than zero"
    if any(later <= earlier for earlier, later in itertools.pairwise(steps)):
        return steps, f"steps must be in ascending order, got '{format_steps(steps)}'"
    return steps, None


def _check_parameters(value: object) -> tuple[object, str | None]:
    if isinstance(value, str):
        tokens = value.replace(",", " ").split()
        numbers: list[object] = []
        for token in tokens:
            try:
                numbers.append(float(token))
            except ValueError:
                return value, f"'{token}' is not a number"
        value = numbers
    if not isinstance(value, list | tuple):
        return value, f"must be a list of {PARAMETER_COUNT} numbers"
    if len(value) != PARAMETER_COUNT:
        return value, f"must be {PARAMETER_COUNT} numbers (FSRS-6), got {len(value)}"
    problems: list[str] = []
    for index, (weight, (low, high)) in enumerate(zip(value, PARAMETER_BOUNDS, strict=True)):
        if not _is_number(weight) or not math.isfinite(weight):
            problems.append(f"w[{index}] = {weight!r} is not a finite number")
        elif not low <= weight <= high:
            problems.append(f"w[{index}] = {weight} is outside {low}..{high}")
    if problems:
        return value, "; ".join(problems)
    return tuple(float(w) for w in value), None


def _check_bool(value: object) -> tuple[object, str | None]:
    if not isinstance(value, bool):
        return value, "must be true or false"
    return value, None


_PRESET_CHECKS: dict[str, _Check] = {
    "desired_retention": _check_retention,
    "new_per_day": _int_in(*NEW_PER_DAY_RANGE),
    "max_reviews_per_day": _int_in(*MAX_REVIEWS_PER_DAY_RANGE),
    "learning_steps": _check_steps,
    "relearning_steps": _check_steps,
    "maximum_interval": _int_in(*MAXIMUM_INTERVAL_RANGE),
    "parameters": _check_parameters,
    "leech_threshold": _int_in(*LEECH_THRESHOLD_RANGE),
    "leech_suspend": _check_bool,
}
_PRESET_FIELDS: tuple[str, ...] = tuple(_PRESET_CHECKS)


# --------------------------------------------------------------------------------------------------
# Memory states and reviews
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state. ``Memory()`` is a new, never-reviewed card."""

    state: CardState = CardState.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    last_day: date | None = None  # the learner's study day of the last review


@dataclass(frozen=True)
class ReviewOutcome:
    """The result of one review: the new memory and what the scheduler saw on the way."""

    memory: Memory
    interval: timedelta
    retrievability: float | None
    elapsed_days: float | None
    is_lapse: bool


_TO_FSRS_RATING: dict[Rating, fsrs.Rating] = {
    Rating.AGAIN: fsrs.Rating.Again,
    Rating.HARD: fsrs.Rating.Hard,
    Rating.GOOD: fsrs.Rating.Good,
    Rating.EASY: fsrs.Rating.Easy,
}
_TO_FSRS_STATE: dict[CardState, fsrs.State] = {
    CardState.NEW: fsrs.State.Learning,
    CardState.LEARNING: fsrs.State.Learning,
    CardState.REVIEW: fsrs.State.Review,
    CardState.RELEARNING: fsrs.State.Relearning,
}
_FROM_FSRS_STATE: dict[fsrs.State, CardState] = {
    fsrs.State.Learning: CardState.LEARNING,
    fsrs.State.Review: CardState.REVIEW,
    fsrs.State.Relearning: CardState.RELEARNING,
}


def _forgetting_curve(elapsed_days: float, stability: float, decay_parameter: float) -> float:
    """FSRS-6 power forgetting curve; R(S) = 0.9 by construction."""
    decay = -decay_parameter
    factor = 0.9 ** (1 / decay) - 1
    return float((1 + factor * elapsed_days / stability) ** decay)


class _Scheduler(fsrs.Scheduler):
    """``fsrs.Scheduler`` with fractional-day retrievability and seedable fuzz.

    Always built with ``enable_fuzzing=False``: :func:`review` applies :meth:`fuzzed_interval`
    itself with a per-call ``random.Random``, since one cached scheduler serves every request.
    """

    def get_card_retrievability(
        self, card: fsrs.Card, current_datetime: datetime | None = None
    ) -> float:
        if card.last_review is None or card.stability is None:
            return 0.0
        if current_datetime is None:
            raise ValueError("current_datetime is required: the domain never reads the clock")
        # `review` may move `last_review` to steer py-fsrs' same-day test; recall always uses
        # the real time of the last review.
        last_review = getattr(card, "actual_last_review", None) or card.last_review
        elapsed = (current_datetime - last_review).total_seconds() / SECONDS_PER_DAY
        return _forgetting_curve(max(0.0, elapsed), card.stability, self.parameters[20])

    def fuzzed_interval(self, interval: timedelta, rng: random.Random) -> timedelta:
        """``fsrs.Scheduler._get_fuzzed_interval`` drawing from ``rng``, line for line.

        Like py-fsrs it rounds a uniform draw from ``[min_ivl, max_ivl + 1)``, so the result lies
        in ``min_ivl..max_ivl + 1`` days (capped at the maximum interval).
        """
        interval_days = interval.days
        if interval_days < 2.5:
            return interval
        delta = 1.0
        for fuzz_range in FUZZ_RANGES:
            delta += fuzz_range["factor"] * max(
                min(float(interval_days), fuzz_range["end"]) - fuzz_range["start"], 0.0
            )
        min_ivl = max(2, round(interval_days - delta))
        max_ivl = min(round(interval_days + delta), self.maximum_interval)
        min_ivl = min(min_ivl, max_ivl)
        fuzzed = rng.random() * (max_ivl - min_ivl + 1) + min_ivl
        return timedelta(days=min(round(fuzzed), self.maximum_interval))

    def _get_fuzzed_interval(self, *, interval: timedelta) -> timedelta:
        raise AssertionError("fuzz goes through fuzzed_interval() with an explicit seed")


@lru_cache(maxsize=256)
def _build_scheduler(
    parameters: tuple[float, ...],
    desired_retention: float,
    learning_steps: tuple[timedelta, ...],
    relearning_steps: tuple[timedelta, ...],
    maximum_interval: int,
) -> _Scheduler:
    return _Scheduler(
        parameters=parameters,
        desired_retention=desired_retention,
        learning_steps=learning_steps,
        relearning_steps=relearning_steps,
        maximum_interval=maximum_interval,
        enable_fuzzing=False,
    )


def _scheduler_for(preset: Preset) -> _Scheduler:
    return _build_scheduler(
        preset.parameters,
        preset.desired_retention,
        preset.learning_steps,
        preset.relearning_steps,
        preset.maximum_interval,
    )


def _as_utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{what} must be a timezone-aware datetime, got naive {moment.isoformat()}"
        )
    return moment.astimezone(UTC)


def _check_memory(memory: Memory, now: datetime) -> datetime | None:
    """Reject a memory the scheduler cannot continue from; return its last review in UTC."""
    if memory.state is CardState.NEW:
        return None
    problems = []
    if memory.stability is None or not memory.stability > 0:
        problems.append(f"stability must be positive, got {memory.stability}")
    if memory.difficulty is None:
        problems.append("difficulty is missing")
    if memory.last_review is None:
        problems.append("last_review is missing")
    if memory.state in (CardState.LEARNING, CardState.RELEARNING) and (
        memory.step is None or memory.step < 0
    ):
        problems.append(f"a {memory.state.name} card needs a step, got {memory.step}")
    if problems:
        raise ValueError(f"cannot review a {memory.state.name} card: " + "; ".join(problems))
    assert memory.last_review is not None
    last_review = _as_utc(memory.last_review, "last_review")
    if now < last_review:
        raise ValueError(
            f"review at {now.isoformat()} is before the card's last review at "
            f"{last_review.isoformat()}"
        )
    return last_review


def _steered_last_review(last_review: datetime, now: datetime, short_term: bool) -> datetime:
    """A last review time py-fsrs' whole-day test reads as the short-term decision made here."""
    if short_term:
        return max(last_review, now - timedelta(hours=12))
    return min(last_review, now - timedelta(days=1))


def review(
    memory: Memory,
    rating: Rating,
    now: datetime,
    preset: Preset,
    *,
    fuzz_seed: int | None = None,
    today: date | None = None,
) -> ReviewOutcome:
    """Apply one rating at ``now`` and return the card's next memory state.

    ``fuzz_seed=None`` schedules without fuzz. With a seed, a Review-state interval is fuzzed
    exactly as py-fsrs does, drawing from ``random.Random(fuzz_seed)``: the same inputs give the
    same due date. ``today`` is the learner's study day at ``now``: with it (and the study day of
    the card's last review) the review is short-term exactly when both fall on one study day;
    without, when it comes less than 24 hours after the last review.
    """
    now = _as_utc(now, "now")
    rating = Rating(rating)
    last_review = _check_memory(memory, now)
    scheduler = _scheduler_for(preset)

    elapsed_days: float | None = None
    recall: float | None = None
    if last_review is not None:
        elapsed_days = (now - last_review).total_seconds() / SECONDS_PER_DAY
        assert memory.stability is not None
        recall = _forgetting_curve(elapsed_days, memory.stability, preset.parameters[20])

    if memory.state is CardState.NEW:
        card = fsrs.Card(card_id=0, state=fsrs.State.Learning, step=0, due=now)
    else:
        assert last_review is not None
        steered = last_review
        if today is not None and memory.last_day is not None:
            steered = _steered_last_review(last_review, now, memory.last_day == today)
        card = fsrs.Card(
            card_id=0,
            state=_TO_FSRS_STATE[memory.state],
            step=memory.step,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=memory.due or now,
            last_review=steered,
        )
        card.actual_last_review = last_review  # type: ignore[attr-defined]
    card, _ = scheduler.review_card(card, _TO_FSRS_RATING[rating], now)

    due = card.due
    if fuzz_seed is not None and card.state is fsrs.State.Review:
        due = now + scheduler.fuzzed_interval(due - now, random.Random(fuzz_seed))

    is_lapse = memory.state is CardState.REVIEW and rating is Rating.AGAIN
    after = Memory(
        state=_FROM_FSRS_STATE[card.state],
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=due,
        last_review=now,
        reps=memory.reps + 1,
        lapses=memory.lapses + int(is_lapse),
        last_day=today,
    )
    return ReviewOutcome(
        memory=after,
        interval=due - now,
        retrievability=recall,
        elapsed_days=elapsed_days,
        is_lapse=is_lapse,
    )


def retrievability(
    memory: Memory, now: datetime, parameters: tuple[float, ...] = DEFAULT_PARAMETERS
) -> float:
    """Predicted probability of recall at ``now`` from fractional elapsed days; 0.0 if new."""
    if memory.state is CardState.NEW or memory.stability is None or memory.last_review is None:
        return 0.0
    elapsed = (_as_utc(now, "now") - _as_utc(memory.last_review, "last_review")).total_seconds()
    return _forgetting_curve(max(0.0, elapsed / SECONDS_PER_DAY), memory.stability, parameters[20])


def preview_intervals(
    memory: Memory, now: datetime, preset: Preset, *, today: date | None = None
) -> dict[Rating, timedelta]:
    """The interval each button would give, without fuzz (for labels such as "Again 1m");
    ``today`` as for :func:`review`."""
    return {rating: review(memory, rating, now, preset, today=today).interval for rating in Rating}


def describe_interval(interval: timedelta) -> str:
    """An interval as a rating button shows it: <1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = interval.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    days = seconds / SECONDS_PER_DAY
    if days < 1:
        return f"{round(seconds / 3600)}h"
    if days < 30:
        return f"{round(days)}d"
    amount, unit = (days / 30, "mo") if days < 365 else (days / 365, "y")
    return f"{amount:.1f}".removesuffix(".0") + unit


def replay(
    ratings: Sequence[tuple[Rating, datetime] | tuple[Rating, datetime, date | None]],
    preset: Preset,
    *,
    fuzz_seed: int | None,
) -> Memory:
    """Rebuild a card's memory from its ratings, starting from a new card.

    Each rating comes with its time and, optionally, the learner's study day then (see
    `review`). Ratings are applied in time order (a stable sort, so equal times keep their
    order). The i-th review (0-based, i.e. ``memory.reps`` before it) is fuzzed with
    ``fuzz_seed + i``: a service that calls ``review(..., fuzz_seed=card_seed + memory.reps)``
    gets back the same memory from ``replay(history, preset, fuzz_seed=card_seed)``.
    """
    memory = Memory()
    for index, entry in enumerate(sorted(ratings, key=lambda item: item[1])):
        rating, at = entry[0], entry[1]
        today = entry[2] if len(entry) > 2 else None
        seed = None if fuzz_seed is None else fuzz_seed + index
        memory = review(memory, rating, at, preset, fuzz_seed=seed, today=today).memory
    return memory


def is_leech(outcome: ReviewOutcome, preset: Preset) -> bool:
    """Whether this review just made the card a leech.

    As in Anki: on the lapse that reaches ``leech_threshold``, then every half threshold after it.
    A threshold of 0 disables leech detection.
    """
    threshold = preset.leech_threshold
    if threshold == 0 or not outcome.is_lapse or outcome.memory.lapses < threshold:
        return False
    return (outcome.memory.lapses - threshold) % max(threshold // 2, 1) == 0
