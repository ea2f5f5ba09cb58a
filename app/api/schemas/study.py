"""Enrolments, presets and the daily review."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool

from app.api.schemas.common import Count, Id, Number, Reply, Request, Text, Whole
from app.domain import scheduling as fsrs
from app.domain.questions import KINDS, AnswerMode
from app.domain.queue import Source
from app.services.study import REVIEW_ID_MAX

CardStateName = StrEnum("CardStateName", [s.name.lower() for s in fsrs.CardState])  # type: ignore[misc]
SourceName = StrEnum("SourceName", [s.name.lower() for s in Source])  # type: ignore[misc]
KindName = StrEnum("KindName", sorted(KINDS))  # type: ignore[misc]

RatingValue = Annotated[
    Whole,
    Field(
        ge=min(fsrs.Rating),
        le=max(fsrs.Rating),
        description="1 Again, 2 Hard, 3 Good, 4 Easy.",
    ),
]
RATING_MESSAGE = "Use 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."
DURATION_MAX_MS = 86_400_000
STEPS = "Steps such as `1m 10m 1h 1d` (s, m, h or d; ascending; empty for none)"


# ------------------------------------------------------------------------------------------------
# Presets
# ------------------------------------------------------------------------------------------------

Retention = Annotated[
    Number,
    Field(
        ge=fsrs.DESIRED_RETENTION_RANGE[0],
        le=fsrs.DESIRED_RETENTION_RANGE[1],
        description="The probability of recall to schedule reviews for.",
    ),
]
NewPerDay = Annotated[
    Whole,
    Field(
        ge=fsrs.NEW_PER_DAY_RANGE[0], le=fsrs.NEW_PER_DAY_RANGE[1], description="New cards a day."
    ),
]
ReviewsPerDay = Annotated[
    Whole,
    Field(
        ge=fsrs.MAX_REVIEWS_PER_DAY_RANGE[0],
        le=fsrs.MAX_REVIEWS_PER_DAY_RANGE[1],
        description="Reviews a day, at most.",
    ),
]
MaximumInterval = Annotated[
    Whole,
    Field(
        ge=fsrs.MAXIMUM_INTERVAL_RANGE[0],
        le=fsrs.MAXIMUM_INTERVAL_RANGE[1],
        description="The longest interval, in days.",
    ),
]
LeechThreshold = Annotated[
    Whole,
    Field(
        ge=fsrs.LEECH_THRESHOLD_RANGE[0],
        le=fsrs.LEECH_THRESHOLD_RANGE[1],
        description="Lapses that make a card a leech (0: never).",
    ),
]
Parameters = tuple.__class_getitem__(  # one bounded number per FSRS-6 weight, in order
    tuple(Annotated[Number, Field(ge=lo, le=hi)] for lo, hi in fsrs.PARAMETER_BOUNDS)
)
PARAMETERS = f"The {fsrs.PARAMETER_COUNT} FSRS-6 weights, each within FSRS's bounds."


class Preset(Reply):
    """The scheduling settings of an enrolment, as in force now."""

    desired_retention: Retention
    new_per_day: NewPerDay
    max_reviews_per_day: ReviewsPerDay
    learning_steps: str = Field(description=f"{STEPS}, for new cards.")
    relearning_steps: str = Field(description=f"{STEPS}, after a lapse.")
    maximum_interval: MaximumInterval
    parameters: list[float] = Field(
        min_length=fsrs.PARAMETER_COUNT, max_length=fsrs.PARAMETER_COUNT, description=PARAMETERS
    )
    leech_threshold: LeechThreshold
    leech_suspend: bool = Field(description="Suspend a card when it becomes a leech.")


class PresetUpdate(Request):
    """Any subset of the preset's fields; the others keep their values.

    Every field is checked at once and an unknown field is an error.
    """

    desired_retention: Retention | None = None
    new_per_day: NewPerDay | None = None
    max_reviews_per_day: ReviewsPerDay | None = None
    learning_steps: Text | None = Field(None, description=f"{STEPS}, for new cards.")
    relearning_steps: Text | None = Field(None, description=f"{STEPS}, after a lapse.")
    maximum_interval: MaximumInterval | None = None
    parameters: Parameters | Text | None = Field(  # type: ignore[valid-type]
        None,
        description=f"{PARAMETERS} Or text: {fsrs.PARAMETER_COUNT} numbers separated by commas "
        "or spaces, as Anki shows them.",
    )
    leech_threshold: LeechThreshold | None = None
    leech_suspend: StrictBool | None = Field(
        None, description="Suspend a card when it becomes a leech."
    )


# ------------------------------------------------------------------------------------------------
# Enrolments
# ------------------------------------------------------------------------------------------------


class Enrolment(Reply):
    """The caller's enrolment in one track."""

    id: int
    track: str = Field(description="The track's key.")
    track_title: str
    created_at: datetime
    preset: Preset


class Enrolments(Reply):
    enrolments: list[Enrolment] = Field(description="Oldest first.")


class EnrolmentCreate(Request):
    track: Text = Field(description="A track key.")


# ------------------------------------------------------------------------------------------------
# The day and its cards
# ------------------------------------------------------------------------------------------------


class TrackQuery(Request):
    track: Text | None = Field(
        None,
        description="Only this track (its key); the caller must be enrolled in it. "
        "Default: every enrolled track.",
    )


class MoreNew(Request):
    count: Annotated[Whole, Field(ge=1, le=9999)] = Field(
        description="How many more new cards than the daily limit, today, in this track."
    )


class MoreNewResult(Reply):
    extra_today: Count = Field(description="Today's extra new cards in this track, in all.")


class Counts(Reply):
    """Cards left in today's queue by kind, and answers given today."""

    new: Count
    learning: Count
    review: Count
    done_today: Count


class Today(Reply):
    date: Date = Field(description="The study day.")
    day_start: datetime
    day_end: datetime
    counts: Counts
    next_due: datetime | None = Field(description="When the next card falls due, if none is left.")


class ArticleRef(Reply):
    key: str
    title: str


class NextCard(Reply):
    """The card to show next."""

    question_id: int
    version: Count = Field(description="Send back with the answer (0 for a new question).")
    source: SourceName
    kind: KindName
    mode: AnswerMode = Field(
        description="choice: answer with a choice id; cloze: type the missing words; "
        "recall: rate your own recall."
    )
    prompt: str = Field(description="Markdown.")
    prompt_html: str
    choices: list[str] = Field(
        description="Inline Markdown, in the order to show them: shuffled per learner and "
        "review, the same on a reload."
    )
    choices_html: list[str]
    choice_ids: list[Count] = Field(
        description="Each shown choice's id, in the same order: send the chosen one's id as "
        "`response`, never its position."
    )
    article: ArticleRef
    track: str = Field(description="The key of the track it is from.")


class Next(Reply):
    counts: Counts
    card: NextCard | None = Field(description="Null when nothing is left for today.")
    next_due: datetime | None = Field(
        description="When the next card falls due, if `card` is null."
    )


class Card(Reply):
    """The caller's memory of one question."""

    question_id: int
    version: int
    state: CardStateName
    due: datetime | None
    suspended: bool
    buried_until: datetime | None
    leech: bool
    flagged: bool
    lapses: Count
    reps: Count


class Leeches(Reply):
    leeches: list[Card] = Field(description="Most lapses first.")


# ------------------------------------------------------------------------------------------------
# Answers
# ------------------------------------------------------------------------------------------------


class AnswerRequest(Request):
    messages: ClassVar[dict[str, str]] = {
        "rating": RATING_MESSAGE,
        "review_id": f"Send a review id of 1 to {REVIEW_ID_MAX} characters.",
        "duration_ms": f"Use a duration from 0 to {DURATION_MAX_MS} ms.",
    }

    review_id: Text = Field(
        min_length=1,
        max_length=REVIEW_ID_MAX,
        description="Chosen by the client, unique per answer (a UUID will do). Sending it again "
        "replays the first result.",
    )
    question_id: Id
    version: Id = Field(description="The card version shown with the card by /study/next.")
    track: Text | None = Field(
        None,
        description="The track being studied, as sent to /study/next; omit it when studying all "
        "tracks. A new question that several of the caller's tracks share becomes a card of this "
        "track (its preset and daily limit); without it, of the enrolment that offered it in the "
        "all-tracks queue.",
    )
    rating: RatingValue | None = Field(
        None,
        description="Required in recall mode; optional otherwise (default 3), and a wrong answer "
        "counts as 1 whatever is sent.",
    )
    response: Text | Id | None = Field(
        None,
        description="Required in choice mode (the chosen choice's id from `choice_ids`, as a "
        "number or a string) and in "
        "cloze mode (the missing words; case, punctuation, articles and a small typo are "
        "forgiven); ignored in recall mode.",
    )
    overrule: StrictBool = Field(
        False,
        description="Cloze mode only: the learner says a typed answer judged wrong was right; it "
        "is recorded as right with `rating` (2, 3 or 4).",
    )
    duration_ms: Annotated[Whole, Field(ge=0, le=DURATION_MAX_MS)] | None = None


class AnswerResult(Reply):
    review_id: str
    question_id: int
    rating: RatingValue = Field(description="The rating recorded.")
    correct: bool | None = Field(description="Null for self-rated recall.")
    expected: str = Field(description="The right answer (inline Markdown); empty for recall.")
    answer: str = Field(description="The full answer (Markdown).")
    explanation: str = Field(description="Markdown; may be empty.")
    state: CardStateName
    due: datetime | None
    interval_days: float = Field(ge=0)
    version: int = Field(description="The card's version now.")
    leech: bool
    suspended: bool
    replayed: bool = Field(description="True when this review id had been recorded before.")


class CheckRequest(Request):
    """A choice or typed answer to grade before rating it; nothing is recorded."""

    question_id: Id
    version: Id = Field(description="The card version shown with the card by /study/next.")
    response: Text | Id = Field(
        description="The chosen choice's id from `choice_ids` (a number or a string), or the "
        "typed words."
    )
    track: Text | None = Field(None, description="The track being studied, if one.")


class CheckResult(Reply):
    correct: bool = Field(description="Whether the response is right.")
    expected: str = Field(description="The right answer (inline Markdown).")
    given: str = Field(description="The response as graded (typed words normalised).")
    forgiven: bool = Field(description="A typed answer accepted despite a small typo.")
    answer: str = Field(description="The full answer (Markdown).")
    explanation: str = Field(description="Markdown; may be empty.")
    ratings: list[RatingValue] = Field(
        description="The ratings the answer may be recorded with: 1 when wrong; 2, 3 or 4 when "
        "right (or, for a typed answer judged wrong, with `overrule`)."
    )
    intervals: dict[str, str] = Field(
        description='What each rating would schedule now, by rating: e.g. `{"1": "1m", '
        '"3": "10m"}`.'
    )


class Undone(Reply):
    undid: Literal[
        "answer", "suspend", "unsuspend", "bury", "unbury", "flag", "unflag", "forget"
    ] = Field(
        description="What was undone: the latest answer, or the latest action on cards, "
        "whichever came last."
    )
    question_id: int = Field(description="The (first) question it concerned.")
    question_ids: list[int] = Field(description="Every question it concerned.")
    cards: list[Card] = Field(description="Those cards as they are now: as before it.")
