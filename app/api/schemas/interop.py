"""Anki import and export: what an upload would do or did, and what to export."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas.common import Reply, Request, Text


class ImportQuery(Request):
    apply: bool = Field(
        False, description="false: only preview what the file would do; true: import it."
    )
    history: bool = Field(True, description="Replay the package's review history into my cards.")
    shared: bool = Field(False, description="Into the shared banks (administrators only).")


class DeckReport(Reply):
    name: str = Field(description="The deck's full name, levels joined by '::'.")
    notes: int = Field(ge=0)
    questions: int = Field(ge=0)
    reviews: int = Field(ge=0)


class ImportResult(Reply):
    format: str = Field(
        description="collection.anki21b, collection.anki21, collection.anki2 or text."
    )
    applied: bool
    notes: int = Field(ge=0)
    decks: list[DeckReport]
    questions_added: int = Field(ge=0)
    questions_updated: int = Field(ge=0)
    questions_unchanged: int = Field(ge=0)
    cards_with_history: int = Field(ge=0)
    reviews: int = Field(ge=0, description="Reviews replayed (or, in a preview, to replay).")
    errors: list[str] = Field(description="What was skipped, each with its note id or line.")
    warnings: list[str] = Field(description="What was imported with a loss (media dropped).")
    track_keys: list[str] = Field(description="The tracks the decks became (when applied).")


ExportFormat = Literal["apkg", "anki-text", "csv", "markdown"]


class ExportQuery(Request):
    track: Text | None = Field(None, max_length=120, description="A track's key.")
    article: Text | None = Field(None, max_length=120, description="An article's key.")
    mine: bool = Field(False, description="All the questions I have cards for.")
    format: ExportFormat = Field("apkg", description="markdown exports a track of the banks.")
    history: bool = Field(False, description="With my scheduling and review log (apkg only).")
