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
    RUBRIC = "rubric"  # the author's interview rubric: read into `rubric`, never asked


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
    noun: str | None = None  # what the options are ("isolation level"), from the corner cell
    skipped: frozenset[str] = frozenset()  # aspect slugs the author marked not to quiz
    asked: frozenset[str] = frozenset()  # aspect slugs to quiz even though they look like trivia


@dataclass(frozen=True)
class TermTable:
    """A two-column table: a term (or recommendation) and what it means (or what it brings).

    `term_header` and `value_header` are the header cells ("Term", "Definition").
    """

    caption: str
    caption_slug: str
    line: int
    term_header: Label
    value_header: Label
    rows: tuple[tuple[Label, Cell], ...]
    skipped: frozenset[str] = frozenset()


class RecallKind(StrEnum):
    """Self-graded questions found in other people's Markdown, by where they come from."""

    RECALL = "recall"  # a `<details>` pair, a heading that asks a question, a checklist-table row
    TRADEOFF_NOTE = "tradeoff_note"  # a `**Tradeoff:**` callout
    PROS_CONS = "pros_cons"  # a Pros / Cons (Advantages / Disadvantages) list


@dataclass(frozen=True)
class RecallItem:
    """A question and its answer, both Markdown; `ident` is its key within the article."""

    kind: RecallKind
    ident: str
    prompt: str
    answer: str
    line: int
    group: str | None = None  # sibling group within the article, e.g. both lists of one option


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
    keep_order: bool = False  # shown in the order written (e.g. "all of the above" last)


@dataclass(frozen=True)
class OneThing:
    """The first paragraph of *The One Thing to Remember*."""

    text: str
    line: int
    accepted: tuple[str, ...] = ()  # more answers the author accepts for the blank


@dataclass(frozen=True)
class AuthoredPoint:
    """An item of the *Interview Rubric* list: one line of inline Markdown and its file line."""

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
    terms: tuple[TermTable, ...] = ()
    recalls: tuple[RecallItem, ...] = ()
    rubric: tuple[AuthoredPoint, ...] = ()  # the author's interview rubric points, in order

    def field_line(self, name: str) -> int:
        """The file line of front-matter field `name`, or 1 when it is not there."""
        return dict(self.field_lines).get(name, 1)
