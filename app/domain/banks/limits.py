"""How long and how large each stored bank value may be: declared once, for the checker and the
database columns alike, so `rehearse banks check` refuses exactly what the database would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.banks.model import Problem, QuestionSpec

KEY_MAX = 120  # article and track keys
TITLE_MAX = 200  # article and track titles, part titles, key trade-offs
SERIES_MAX = 120
INTERVIEW_PROMPT_MAX = 500  # an article's `interview_prompt:` (stored as text, read aloud)
RUBRIC_POINT_MAX = 300  # an author's rubric point: one line an interviewer ticks off
PATH_MAX = 500  # source paths as shown ("question_banks/…/x.md")
QUESTION_KEY_MAX = 500  # question keys and sibling groups
KIND_MAX = 40

PART_MAX = 1_000
ORDER_MAX = 1_000_000
READ_MINUTES_MAX = 24 * 60


@dataclass(frozen=True)
class TextLimit:
    """One text field's limit and what to tell an author who passes it."""

    name: str
    maximum: int
    advice: str = ""

    def check(self, value: str | None, path: str, line: int) -> Problem | None:
        if value is None or len(value) <= self.maximum:
            return None
        message = f"{self.name} is {len(value)} characters; at most {self.maximum} fit"
        return Problem(path, line, f"{message}{'; ' + self.advice if self.advice else ''}")


ARTICLE_FIELDS = {
    "key": TextLimit("key", KEY_MAX),
    "title": TextLimit("title", TITLE_MAX),
    "series": TextLimit("series", SERIES_MAX),
    "part_title": TextLimit("part_title", TITLE_MAX),
    "key_tradeoff": TextLimit("key_tradeoff", TITLE_MAX),
    "topic": TextLimit("topic", TITLE_MAX),
    "interview_prompt": TextLimit("interview_prompt", INTERVIEW_PROMPT_MAX),
}
TRACK_FIELDS = {
    "key": TextLimit("track key", KEY_MAX),
    "title": TextLimit("track title", TITLE_MAX),
}
SOURCE_PATH = TextLimit("the file's path", PATH_MAX, "move the file to a shorter path")
QUESTION_KEY = TextLimit(
    "question key", QUESTION_KEY_MAX, "shorten the table caption, row label or question id"
)


def check_questions(questions: Iterable[QuestionSpec]) -> list[Problem]:
    """Question keys and sibling groups that would not fit their columns."""
    problems: list[Problem] = []
    for spec in questions:
        for value in (spec.key, spec.sibling_group):
            found = QUESTION_KEY.check(value, spec.path, spec.line)
            if found is not None:
                problems.append(found)
                break
    return problems


def nul_lines(text: str) -> list[int]:
    """Lines holding a NUL character, which PostgreSQL cannot store in text."""
    return [number for number, line in enumerate(text.split("\n"), start=1) if "\x00" in line]
