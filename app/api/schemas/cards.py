"""The card browser: the learner's cards found, a page at a time, and changes to a selection."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.api.schemas.common import ID_MAX, Count, Id, IsoDate, Reply, Request, Text
from app.api.schemas.study import ArticleRef, Card, CardStateName, KindName
from app.services.study import CardFilter, CardSort
from app.services.study.card_browser import LAPSES_MAX, PAGE_MAX, TEXT_MAX


class CardSearch(Request):
    q: Text = Field("", max_length=TEXT_MAX, description="Words in the question or its answer.")
    track: Text | None = Field(None, description="Only this track (its key).")
    article: Text | None = Field(None, description="Only this article (its key).")
    question: int | None = Field(None, ge=0, le=ID_MAX, description="Only this question's card.")
    state: CardFilter | None = Field(
        None, description="A card state, or cards suspended, buried today or marked leeches."
    )
    due_by: IsoDate | None = Field(None, description="Due by the end of this study day.")
    min_lapses: int | None = Field(
        None, ge=0, le=LAPSES_MAX, description="At least this many lapses."
    )
    sort: CardSort = Field(
        CardSort.DUE,
        description="due: soonest first, unanswered last; lapses: most first; article: in "
        "article order.",
    )
    after: Text | None = Field(None, description="The `after` of the previous page.")
    limit: int = Field(50, ge=1, le=PAGE_MAX)


class BrowsedCard(Reply):
    question_id: int
    prompt: str = Field(description="Markdown.")
    kind: KindName
    article: ArticleRef
    state: CardStateName
    due: datetime | None
    suspended: bool
    buried: bool = Field(description="Buried until the learner's next study day.")
    leech: bool
    flagged: bool
    lapses: Count
    reps: Count
    version: Count


class CardList(Reply):
    cards: list[BrowsedCard]
    total: Count = Field(description="Cards matching the search, over every page.")
    after: str | None = Field(description="Send as `after` for the next page; null on the last.")


class CardSelection(Request):
    question_ids: list[Id] = Field(min_length=1, max_length=PAGE_MAX)


class ChangedCards(Reply):
    cards: list[Card] = Field(description="Each selected card as it is now.")
