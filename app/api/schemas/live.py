"""Live quizzes: hosting, joining by code, the state players poll, and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool

from app.api.schemas.common import ID_MAX, Count, Id, Reply, Request, Text, Whole
from app.services.live.hosting import COUNT_MAX, TIMERS
from app.services.live.playing import NICKNAME_MAX

Phase = Literal["lobby", "question", "reveal", "ended"]


class LiveStart(Request):
    group_id: Id | None = Field(None, description="A group the caller hosts: its week's article.")
    article: Text | None = Field(None, max_length=200, description="An article's key.")
    track: Text | None = Field(None, max_length=200, description="A track's key (a random mix).")
    guests_allowed: StrictBool = Field(False, description="People without an account may join.")
    timer_seconds: Annotated[Whole, Field(json_schema_extra={"enum": list(TIMERS)})] | None = Field(
        None, description="Seconds per question, enforced by the server; none by default."
    )
    count: Annotated[Whole, Field(ge=1, le=COUNT_MAX)] = 10


class LiveAction(Request):
    action: Literal["next", "reveal", "end"] = Field(
        description="next: open the next question (or end after the last); reveal: close the "
        "question and show its answer; end: finish the quiz."
    )
    version: Id = Field(description="The state version the host's screen shows.")


class LiveJoin(Request):
    code: Text = Field(min_length=1, max_length=20)
    nickname: Text | None = Field(
        None, max_length=NICKNAME_MAX, description="Guests only: the name shown to the room."
    )


class LiveSeatHeader(Request):
    model_config = {"extra": "allow"}
    x_live_seat: Text = Field(
        alias="X-Live-Seat", max_length=64, description="The seat key `POST /live/join` gave."
    )


class StateQuery(Request):
    since: int | None = Field(
        None,
        ge=0,
        le=ID_MAX,
        description="The version last seen: 204 No Content when nothing changed since.",
    )


class Seat(Reply):
    seat: str = Field(description="Send as the X-Live-Seat header; keep it to come back.")
    player_id: int
    nickname: str
    title: str


class LiveQuestion(Reply):
    question_id: int
    prompt_html: str
    choices_html: list[str] = Field(description="In the order everyone in the room sees.")
    choice_ids: list[Count] = Field(description="Send the chosen one's id as `response`.")


class Reveal(Reply):
    correct_id: int
    counts: list[Count] = Field(description="How many chose each choice, in the shown order.")
    answer_html: str
    explanation_html: str
    article_title: str


class StandingRow(Reply):
    rank: int
    nickname: str
    right: Count
    ms: Count = Field(description="Server-measured time spent on the right answers.")


class MyAnswer(Reply):
    response: str
    correct: bool | None = Field(description="Shown once the question is revealed.")
    ms: Count


class PlayerView(Reply):
    version: int
    phase: Phase
    title: str
    position: int = Field(description="The current question (0-based); -1 in the lobby.")
    total: Count
    server_now: datetime = Field(description="To count down to `deadline` on the server's clock.")
    opened_at: datetime | None
    deadline: datetime | None
    players: Count
    you: str = Field(description="Your nickname.")
    question: LiveQuestion | None
    my_answer: MyAnswer | None
    reveal: Reveal | None
    leaderboard: list[StandingRow]
    me: StandingRow | None


class AnswerAck(Reply):
    position: int
    response: str
    ms: Count


class LiveAnswerRequest(Request):
    position: Id
    response: Text | Id = Field(description="The chosen choice's id.")


class PlayerRow(Reply):
    player_id: int
    nickname: str
    member: bool = Field(description="Signed in with an account (not a guest).")


class HostView(Reply):
    id: int
    version: int
    phase: Phase
    code: str
    join_url: str
    title: str
    position: int
    total: Count
    server_now: datetime
    opened_at: datetime | None
    deadline: datetime | None
    guests_allowed: bool
    timer_seconds: int | None
    players: list[PlayerRow]
    answered: Count = Field(description="Answers to the open question so far.")
    question: LiveQuestion | None
    reveal: Reveal | None
    leaderboard: list[StandingRow]
