"""The values a question bank is made of: articles, tracks, generated questions and problems.

Everything here is an immutable value so the service layer can compare, hash and store it without
defensive copies. Nothing here knows about files, Markdown or the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is: an error blocks a sync, a warning is only reported."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a bank file, located so an author can jump straight to it."""

    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        if self.severity is Severity.WARNING:
            return f"{self.path}:{self.line}: warning: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class SourceFile:
    """One bank file's text; `path` is the name shown to users, e.g. "question_banks/x/01-a.md".

    `key_path` is the file's path relative to the bank root ("x/01-a.md"): an article without a
    `key:` takes its key from it, so files of one name in two folders never collide. `problems`
    are what reading the file found (not UTF-8, binary), reported with the file's own.
    """

    path: str
    text: str
    key_path: str = ""
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class RubricPoint:
    """One point a good spoken answer to an article's interview prompt covers.

    `text` is one line of inline Markdown; `source` is where it came from ("author", "one_thing",
    "table" or "self_assessment"); `question_keys` are the keys of the article's questions that
    test the same point; `line` is the file line it was read from.
    """

    text: str
    source: str
    question_keys: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Article:
    """An article's metadata and Markdown body (front matter removed)."""

    key: str
    title: str
    series: str | None
    part: int | None
    part_title: str | None
    order: int | None
    difficulty: str
    read_minutes: int | None
    key_tradeoff: str | None
    tags: tuple[str, ...]
    aliases: tuple[str, ...]
    path: str
    body: str
    content_hash: str  # sha256 of the whole file text, so an unchanged file can be skipped
    # The short name the key trade-off questions use for the article ("fsync()" for "File I/O &
    # Durability"), when its title would give the trade-off away.
    topic: str | None = None
    # The mock-interview prompt and the points a good answer covers (see `rubric.py`): the
    # parser sets only the author's `interview_prompt:`; the bank builder fills in both.
    interview_prompt: str | None = None
    rubric: tuple[RubricPoint, ...] = ()

    @property
    def tradeoff_name(self) -> str:
        """What the key trade-off questions call the article."""
        return self.topic or self.title


@dataclass(frozen=True)
class Track:
    """An ordered list of articles that learners enrol in."""

    key: str
    title: str
    description: str
    level: str
    article_keys: tuple[str, ...]
    path: str


@dataclass(frozen=True)
class QuestionSpec:
    """One generated question, before it is stored.

    `key` comes from where the question sits in its article (see the banks README, "Identity"),
    never from its wording, so fixing a typo keeps every learner's history. Text fields are
    Markdown: `prompt` and `answer`/`explanation` may be block Markdown, `choices` are inline.
    """

    key: str
    article_key: str
    kind: str
    position: int
    prompt: str
    answer: str
    explanation: str
    choices: tuple[str, ...]
    correct: int | None
    cloze_answer: str | None
    sibling_group: str | None
    path: str
    line: int
    fixed_order: bool = False  # choices shown as written, never shuffled
    accepted: tuple[str, ...] = ()  # more typed answers that count as right (cloze)
    # What the question asks about, independent of wording and place, for finding the same
    # question in two articles (e.g. one table row copied into both); not stored.
    fact: str = ""

    @property
    def content_hash(self) -> str:
        """sha256 over every stored field but key, path and line.

        Moving a question to another line is not a change; anything that would have to be
        rewritten in its stored row (wording, choices, position, siblings) is.
        """
        payload = [
            self.article_key,
            self.kind,
            self.position,
            self.prompt,
            self.answer,
            self.explanation,
            list(self.choices),
            self.correct,
            self.cloze_answer,
            self.sibling_group,
            self.fixed_order,
            list(self.accepted),
        ]
        encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class Bank:
    """Everything read from a set of bank files, plus every problem found on the way.

    Article keys, track keys and question keys are each unique: when two things claim the same
    key, the first (in source order) is kept and the clash is reported as an error.
    """

    articles: tuple[Article, ...]
    tracks: tuple[Track, ...]
    questions: tuple[QuestionSpec, ...]
    problems: tuple[Problem, ...]
    # Questions left out because another article holds the same one: (left out, kept).
    duplicates: tuple[tuple[QuestionSpec, QuestionSpec], ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that must be fixed before the bank may be applied."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems worth a look that do not block applying the bank."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)
