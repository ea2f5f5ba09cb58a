"""Interview prep: drills, rapid-fire rounds, mock interviews and the overview."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictBool

from app.api.schemas.common import Count, Id, Probability, Reply, Request, Text, Whole
from app.api.schemas.study import DURATION_MAX_MS, ArticleRef, KindName, RatingValue
from app.domain.questions import AnswerMode
from app.services.interview import DrillOrder
from app.services.interview.drills import COUNT_MAX, MINUTES_MAX
from app.services.interview.mocks import MINUTES_MAX as MOCK_MINUTES_MAX
from app.services.interview.mocks import MINUTES_MIN as MOCK_MINUTES_MIN
from app.services.interview.scopes import LIST_MAX, WEAKEST_MAX

KEYS_MAX = 50
Key = Annotated[Text, Field(min_length=1, max_length=200)]


class ShownQuestion(Reply):
    """A question to answer, as the caller should show it."""

    question_id: int
    kind: KindName
    mode: AnswerMode = Field(
        description="choice: send a choice id; cloze: type the missing words; recall: rate it."
    )
    prompt: str = Field(description="Markdown.")
    prompt_html: str
    choices: list[str] = Field(description="Inline Markdown, in the order to show them.")
    choices_html: list[str]
    choice_ids: list[Count] = Field(description="Send the chosen one's id as `response`.")
    article: ArticleRef


class DrillScope(Request):
    tracks: list[Key] = Field([], max_length=KEYS_MAX, description="Track keys.")
    articles: list[Key] = Field([], max_length=KEYS_MAX, description="Article keys.")
    tags: list[Key] = Field([], max_length=KEYS_MAX, description="Only articles with a tag.")
    tradeoffs_only: StrictBool = Field(
        False, description="Only key trade-off and trade-off table questions."
    )
    weakest: Annotated[Whole, Field(ge=1, le=WEAKEST_MAX)] | None = Field(
        None,
        description="Only the N weakest seen questions: behind a missed mock-interview point, "
        "then lowest predicted recall (each lapse counts as 0.1 less), then most lapses.",
    )
    missed_today: StrictBool = Field(
        False, description="Only what the caller got wrong today (reviews, drills, rounds)."
    )
    mock: Id | None = Field(None, description="Only the missed points of this mock interview.")
    questions: list[Id] = Field([], max_length=LIST_MAX, description="Exactly these questions.")


class DrillStart(Request):
    scope: DrillScope = Field(
        default_factory=lambda: DrillScope(),  # type: ignore[call-arg]
        description="Empty tracks and articles: the caller's tracks.",
    )
    order: DrillOrder = DrillOrder.WEAKEST
    count: Annotated[Whole, Field(ge=1, le=COUNT_MAX)] = 20
    minutes: Annotated[Whole, Field(ge=1, le=MINUTES_MAX)] | None = Field(
        None, description="A time limit; none by default."
    )
    counts: StrictBool = Field(
        False,
        description="Count toward the schedule: the first answer of the study day on a card "
        "that is due or relearning becomes its review; nothing else does.",
    )


class Drill(Reply):
    id: int
    title: str
    order: DrillOrder
    counts: bool
    total: Count = Field(description="Questions in the drill.")
    position: Count = Field(description="Send with the answer to the current question.")
    started_at: datetime
    ends_at: datetime | None
    finished: bool
    seconds_left: float | None = Field(description="Null without a time limit.")
    question: ShownQuestion | None = Field(description="Null once the drill is over.")


class DrillAnswerRequest(Request):
    position: Id
    response: Text | Id | None = Field(
        None, description="Choice and cloze modes: a choice id, or the missing words."
    )
    rating: RatingValue | None = Field(
        None, description="Recall mode: 1 missed it, 2 Hard, 3 Good, 4 Easy."
    )
    duration_ms: Annotated[Whole, Field(ge=0, le=DURATION_MAX_MS)] | None = None


class DrillAnswerResult(Reply):
    position: Count
    question_id: int
    correct: bool
    counted: bool = Field(description="It also went into the schedule as a review.")
    expected: str = Field(description="The right answer (inline Markdown); empty for recall.")
    answer: str = Field(description="Markdown.")
    explanation: str = Field(description="Markdown; may be empty.")


class DrillMiss(Reply):
    question_id: int
    prompt: str
    article: ArticleRef


class DrillResults(Reply):
    drill_id: int
    answered: Count
    correct: Count
    counted: Count
    score: Probability | None = Field(description="Right answers over answers; null if none.")
    seconds: Count
    misses: list[DrillMiss]


class DrillAgain(Request):
    misses_only: StrictBool = Field(True, description="Only the missed questions, or all.")


class RoundStart(Request):
    scope: Text = Field(
        "all", max_length=210, description="all, track:<track key> or article:<article key>."
    )
    seconds: Annotated[Whole, Field(json_schema_extra={"enum": [60, 120]})] = Field(
        description="60 or 120."
    )


class Round(Reply):
    id: int
    scope: str
    scope_title: str
    seconds: int
    started_at: datetime
    deadline: datetime = Field(description="Set by the server; later answers are refused.")
    seconds_left: float
    position: Count
    correct: Count
    answered: Count
    correct_ms: Count = Field(description="Server-measured time spent on the right answers.")
    over: bool
    question: ShownQuestion | None


class RoundAnswerRequest(Request):
    position: Id
    response: Text | Id = Field(description="The chosen choice's id.")


class RoundAnswerResult(Reply):
    position: Count
    correct: bool
    expected: str
    ms: Count = Field(description="From when the server served the question to the answer.")
    round: Round


class RoundList(Reply):
    rounds: list[Round]


class Shared(Reply):
    url: str


class RubricPoint(Reply):
    index: Count
    text: str = Field(description="Inline Markdown.")
    source: str = Field(description="table, one_thing, self_assessment or author.")
    covered: bool | None = Field(description="Null until the interview is scored.")


class MockPrompt(Reply):
    article: ArticleRef
    prompt: str
    points: Count
    last_score: Probability | None


class MockPrompts(Reply):
    prompts: list[MockPrompt] = Field(description="System Design first.")


class MockStart(Request):
    article: Key
    minutes: Annotated[Whole, Field(ge=MOCK_MINUTES_MIN, le=MOCK_MINUTES_MAX)] = 4


class Mock(Reply):
    id: int
    article: ArticleRef
    prompt: str
    minutes: int
    started_at: datetime
    points: list[RubricPoint]
    score: Probability | None = Field(description="Covered points over all; null until scored.")
    scored_at: datetime | None


class MockScore(Request):
    covered: list[Annotated[Whole, Field(ge=0, le=1000)]] = Field(
        max_length=1000, description="Indexes of the points covered."
    )


class Readiness(Reply):
    track: str
    title: str
    questions: Count
    ready: Count = Field(description="Trade-off questions with predicted recall of 0.9 or more.")
    share: Probability


class WeakestTradeoff(Reply):
    article: ArticleRef
    key_tradeoff: str | None
    recall: Probability
    lapses: Count
    missed_points: Count


class Suggestion(Reply):
    title: str
    reason: str
    drill: DrillStart = Field(description="POST this to /interview/drills to start it.")


class Prep(Reply):
    readiness: list[Readiness]
    weakest: list[WeakestTradeoff]
    bests: list[Round]
    mocks: list[Mock]
    suggestion: Suggestion
