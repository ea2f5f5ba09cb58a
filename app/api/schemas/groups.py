"""Reading groups: groups and members, invites, the weeks, quizzes, results and the report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool

from app.api.schemas.common import Count, Id, Probability, Reply, Request, Text, Whole
from app.api.schemas.study import ArticleRef
from app.services.groups.groups import NAME_MAX
from app.services.groups.quizzes import QUIZ_MAX

RoleName = Literal["owner", "host", "member"]
Key = Annotated[Text, Field(min_length=1, max_length=200)]


class GroupCreate(Request):
    name: Text = Field(min_length=1, max_length=NAME_MAX)
    track: Key = Field(description="The track's key.")
    timezone: Text = Field(max_length=64, description="An IANA zone, such as Europe/Berlin.")
    week_day: Annotated[Whole, Field(ge=0, le=6)] = Field(description="0 Monday … 6 Sunday.")
    week_hour: Annotated[Whole, Field(ge=0, le=23)]
    week_minute: Annotated[Whole, Field(ge=0, le=59)] = 0


class Week(Reply):
    starts_on: date = Field(description="The group's local date on which the week turned.")
    starts_at: datetime
    article: ArticleRef
    study_session: str = Field(
        description="Send as `custom` to the web review to study the article's new cards."
    )


class MemberProgress(Reply):
    user_id: int
    name: str
    role: RoleName
    visible: bool = Field(description="False: the member keeps their progress private.")
    read: bool | None
    quizzed: bool | None
    reviewed: Count | None = Field(description="The week's article's questions reviewed.")
    questions: Count


class Sharing(Request):
    shows_progress: StrictBool
    shows_answers: StrictBool
    counts_quizzes: StrictBool = Field(
        description="Quiz answers also count in the caller's schedule (first answer of the day "
        "on a due or relearning card)."
    )


class MySettings(Reply):
    role: RoleName
    shows_progress: bool
    shows_answers: bool
    counts_quizzes: bool


class QuizSummary(Reply):
    id: int
    article: ArticleRef
    questions: Count
    deadline: datetime
    open: bool


class Group(Reply):
    id: int
    name: str
    track: str
    timezone: str
    week_day: int
    week_hour: int
    week_minute: int
    archived: bool
    next_turn: datetime
    me: MySettings
    week: Week | None
    members: list[MemberProgress]
    quizzes: list[QuizSummary] = Field(description="The latest ten, newest first.")


class GroupRef(Reply):
    id: int
    name: str
    track: str
    role: RoleName
    archived: bool


class GroupList(Reply):
    groups: list[GroupRef]


class InviteCreate(Request):
    days: Annotated[Whole, Field(json_schema_extra={"enum": [1, 7, 30]})] = Field(
        7, description="1, 7 or 30."
    )


class Invite(Reply):
    id: int
    code: str
    url: str
    expires_at: datetime


class InviteList(Reply):
    invites: list[Invite]


class Join(Request):
    code: Text = Field(min_length=1, max_length=200)


class Joined(Reply):
    group: GroupRef
    joined: bool = Field(description="False: the caller was a member already.")


class RoleChange(Request):
    role: Literal["host", "member"]


class ScheduleChange(Request):
    article: Key = Field(description="The article's key.")
    action: Literal["up", "down", "skip", "unskip"]


class Upcoming(Reply):
    article: ArticleRef
    skipped: bool


class Schedule(Reply):
    upcoming: list[Upcoming] = Field(description="Articles not assigned yet, in order.")


class QuizCreate(Request):
    deadline: Text = Field(
        max_length=40,
        description="Local wall-clock time in the group's zone, YYYY-MM-DDTHH:MM (no offset).",
    )
    question_ids: list[Id] | None = Field(
        None, max_length=QUIZ_MAX, description="Default: the article's first quiz questions."
    )


class QuizQuestion(Reply):
    question_id: int
    prompt: str
    choices: list[str] = Field(description="In the order to show them.")
    choice_ids: list[Count] = Field(description="Send the chosen one's id as `response`.")
    my_response: str | None
    my_correct: bool | None


class Quiz(Reply):
    id: int
    article: ArticleRef
    deadline: datetime
    open: bool
    answered: bool = Field(description="The caller has answered it.")
    questions: list[QuizQuestion]


class QuizResponse(Request):
    question_id: Id
    response: Text | Id


class QuizAnswers(Request):
    responses: list[QuizResponse] = Field(max_length=QUIZ_MAX)


class QuizList(Reply):
    quizzes: list[QuizSummary]


class MemberResult(Reply):
    name: str
    user_id: int
    right: Count
    answered: Count


class ChoiceCount(Reply):
    choice: str
    count: Count
    correct: bool


class QuestionResult(Reply):
    question_id: int
    prompt: str
    tradeoff: str
    right: Count
    answered: Count
    choices: list[ChoiceCount]


class TradeoffResult(Reply):
    tradeoff: str
    right: Count
    answered: Count


class QuizResults(Reply):
    quiz_id: int
    members: list[MemberResult] = Field(description="Members who share their answers, and you.")
    hidden: Count = Field(description="Members who keep their answers private.")
    questions: list[QuestionResult]
    tradeoffs: list[TradeoffResult] = Field(description="Least right first.")


class MissedQuestion(Reply):
    question_id: int
    prompt: str
    tradeoff: str
    article: ArticleRef
    explanation: str
    wrong: Count
    answered: Count
    wrong_share: Probability
    quizzes_missed: Count


class MissedTradeoff(Reply):
    tradeoff: str
    article: ArticleRef
    wrong: Count
    answered: Count
    wrong_share: Probability
    quizzes_missed: Count


class TeamReport(Reply):
    quizzes: Count = Field(description="Closed quizzes the report draws on.")
    answers: Count
    tradeoffs: list[MissedTradeoff] = Field(description="Most wrong first.")
    questions: list[MissedQuestion]
    latest_quiz: int | None
    this_week: list[MissedQuestion] = Field(description="What the latest closed quiz missed.")
    keeps_missing: list[MissedTradeoff] = Field(description="Missed in two quizzes or more.")
