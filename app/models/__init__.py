"""Every model, imported here so the metadata Alembic compares against is complete."""

from app.models.users import ApiToken, User

__all__ = ["ApiToken", "User"]
