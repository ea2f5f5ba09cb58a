"""Every model, imported here so the metadata Alembic compares against is complete."""

from app.models.content import Article, Question, Track, TrackArticle
from app.models.users import ApiToken, User

__all__ = ["ApiToken", "Article", "Question", "Track", "TrackArticle", "User"]
