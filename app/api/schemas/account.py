"""The caller's own account."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from app.api.schemas.common import Reply


class User(Reply):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    timezone: str = Field(description="An IANA time zone, e.g. `Europe/Berlin`.")
    day_start_hour: int = Field(ge=0, le=23, description="The hour the learner's day starts.")
