"""The catalogue: tracks, articles and the questions an article generates."""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator

from app.api.schemas.common import Reply, Request, Text
from app.models import Track as TrackRow
from app.services.catalog import TrackSummary


class DailyLoad(Reply):
    """What studying the track asks a day at the default preset, if the learner studies every day
    and recalls as much as the preset's desired retention (FSRS's own schedule, worked out)."""

    new_per_day: int = Field(ge=0, description="The default preset's new cards a day.")
    days_to_start_all: int = Field(ge=0, description="Days until every card has come in.")
    answers_per_day: int = Field(ge=0, description="Answers a day, on average, meanwhile.")
    peak_answers_per_day: int = Field(ge=0, description="The most answers any one day asks.")


class Track(Reply):
    key: str
    title: str
    description: str
    level: str
    article_count: int = Field(ge=0, description="How many articles the track lists.")

    @classmethod
    def of(cls, track: TrackRow, article_count: int) -> Track:
        return cls(
            key=track.key,
            title=track.title,
            description=track.description,
            level=track.level,
            article_count=article_count,
        )


class TrackInCatalogue(Track):
    question_count: int = Field(ge=0, description="Questions its articles generate.")
    read_minutes: int = Field(ge=0, description="Reading time of its articles.")
    daily_load: DailyLoad

    @classmethod
    def of_summary(cls, summary: TrackSummary) -> TrackInCatalogue:
        load = summary.load
        return cls(
            **dict(Track.of(summary.track, summary.article_count)),
            question_count=summary.question_count,
            read_minutes=summary.read_minutes,
            daily_load=DailyLoad(
                new_per_day=load.new_per_day,
                days_to_start_all=load.days_to_start_all,
                answers_per_day=load.answers_per_day,
                peak_answers_per_day=load.peak_answers_per_day,
            ),
        )


class ArticleQuery(Request):
    q: Text = Field("", max_length=200, description="Words in the title, trade-off or tags.")
    difficulty: Text = Field("", max_length=20, description="beginner, intermediate or advanced.")
    topic: Text = Field("", max_length=200, description="A tag every article found has.")
    series: Text = Field("", max_length=200, description="Only this series (its key).")


class Article(Reply):
    model_config = ConfigDict(from_attributes=True)

    key: str
    title: str
    series: str | None
    part: int | None
    part_title: str | None
    position: int | None
    difficulty: str
    read_minutes: int | None
    key_tradeoff: str | None
    tags: list[str]

    @field_validator("tags", mode="before")
    @classmethod
    def _no_tags_is_none(cls, tags: list[str] | None) -> list[str]:
        return list(tags or [])


class QuestionSummary(Reply):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    kind: str
    prompt: str = Field(description="Markdown.")


class TrackDetail(Track):
    articles: list[Article] = Field(description="In the track's order.")


class ArticleDetail(Article):
    questions: list[QuestionSummary]


class Tracks(Reply):
    tracks: list[TrackInCatalogue]


class Articles(Reply):
    articles: list[Article]
