"""What the parser finds in one article: the parts questions are generated from.

These are intermediate values between `parse_article` and the generators. Their line numbers are
1-based file lines, so every question can point back at the text it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.banks.model import Article


class SectionKind(StrEnum):
    """The article sections the importer understands."""

    ONE_THING = "one_thing"
    TRADEOFFS = "tradeoffs"
    SELF_ASSESSMENT = "self_assessment"
    QUESTIONS = "questions"


class Orientation(StrEnum):
    """Whether a table's options stand as its columns (the usual layout) or as its rows."""

    COLUMNS = "columns"
    ROWS = "rows"


@dataclass(frozen=True)
class Label:
    """A table header or row label: inline Markdown, its plain words and its slug."""

    markdown: str
    plain: str
    slug: str
    line: int


@dataclass(frozen=True)
class Cell:
    """One table cell as clean inline Markdown plus its plain words (for equality checks)."""

    markdown: str
    plain: str
    line: int


@dataclass(frozen=True)
class TradeoffTable:
    """A comparison table, normalized so `cells[aspect][option]` works in both orientations.

    A cell is None when the row was too short to have it (a missing cell, not an empty one).
    """

    caption: str
    caption_slug: str
    line: int
    orientation: Orientation
    options: tuple[Label, ...]
    aspects: tuple[Label, ...]
    cells: tuple[tuple[Cell | None, ...], ...]


@dataclass(frozen=True)
class ChecklistItem:
    """A self-assessment item: the question, its answer (Markdown) and its 1-based number."""

    number: int
    question: str
    answer: str
    line: int


@dataclass(frozen=True)
class AuthoredQuestion:
    """A valid multiple-choice question written under *Questions*; `ident` is its id or number."""

    ident: str
    prompt: str
    choices: tuple[str, ...]
    correct: int
    explanation: str
    line: int


@dataclass(frozen=True)
class OneThing:
    """The first paragraph of *The One Thing to Remember*."""

    text: str
    line: int


@dataclass(frozen=True)
class ParsedArticle:
    """An article plus the question sources found in it.

    `lines` maps front-matter field names to their file lines, for problems found later (for
    example a duplicate key is reported on the `key:` line).
    """

    article: Article
    sections: tuple[SectionKind, ...]
    one_thing: OneThing | None
    tables: tuple[TradeoffTable, ...]
    checklist: tuple[ChecklistItem, ...]
    authored: tuple[AuthoredQuestion, ...]
    field_lines: tuple[tuple[str, int], ...]

    def field_line(self, name: str) -> int:
        """The file line of front-matter field `name`, or 1 when it is not there."""
        return dict(self.field_lines).get(name, 1)
