"""Every model, imported here so the metadata Alembic compares against is complete."""

from app.models.content import Article, Question, Track, TrackArticle
from app.models.study import Card, Enrolment, Preset, ReviewLog
from app.models.users import ApiToken, User

__all__ = [
    "ApiToken",
    "Article",
    "Card",
    "Enrolment",
    "Preset",
    "Question",
    "ReviewLog",
    "Track",
    "TrackArticle",
    "User",
]
