"""The catalogue: tracks, articles and the questions an article generates."""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator

from app.api.schemas.common import Reply
from app.models import Track as TrackRow


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
    tracks: list[Track]


class Articles(Reply):
    articles: list[Article]
