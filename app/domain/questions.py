"""The question-kind registry: how each kind of question is answered and graded.

Graders are pure functions `(spec, response) -> GradeResult`; they never see a request or the
database, so the web UI, the JSON API, drills and live quizzes all grade the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class AnswerMode(StrEnum):
    """How a learner answers: pick a choice, type the blank, or recall and grade themselves."""

    CHOICE = "choice"
    CLOZE = "cloze"
    RECALL = "recall"


class GradingError(ValueError):
    """A response that cannot be graded (not a choice number, out of range, unknown kind)."""


@dataclass(frozen=True)
class GradingSpec:
    """What a grader needs to know about a question (a subset of the stored question)."""

    kind: str
    choices: tuple[str, ...]
    correct: int | None
    cloze_answer: str | None


@dataclass(frozen=True)
class GradeResult:
    """The outcome of one answer.

    `correct` is None for self-graded recall. `expected` is the right answer as written in the
    bank (inline Markdown: render it with `render_inline`); `given` echoes the normalized response.
    """

    correct: bool | None
    expected: str
    given: str


Grader = Callable[[GradingSpec, str], GradeResult]


@dataclass(frozen=True)
class QuestionKind:
    """One registered kind: its name, a label for people, its answer mode and its grader."""

    name: str
    label: str
    mode: AnswerMode
    grader: Grader


def grade_choice(spec: GradingSpec, response: str) -> GradeResult:
    """The response is the index of the chosen choice, as a string ("0" .. "n-1")."""
    given = response.strip()
    if not given.isdigit() or not given.isascii():
        raise GradingError(f"a choice answer must be a choice number, not {response!r}")
    index = int(given)
    if index >= len(spec.choices):
        raise GradingError(
            f"choice {index} does not exist; this question has choices 0 to {len(spec.choices) - 1}"
        )
    if spec.correct is None or not 0 <= spec.correct < len(spec.choices):
        raise GradingError(f"this {spec.kind} question has no valid correct choice")
    return GradeResult(index == spec.correct, spec.choices[spec.correct], str(index))


_MARKS = re.compile(r"[*_`~]+")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


def normalize_cloze(text: str) -> str:
    """The words of a cloze answer, for lenient comparison.

    Emphasis and code marks are dropped, "-" counts as a space, punctuation at either end is
    ignored, whitespace is collapsed and case does not matter: "**Copy-on-write.**" equals
    "copy on write".
    """
    text = _MARKS.sub("", text).replace("-", " ")
    text = " ".join(text.casefold().split())
    return _EDGE_PUNCTUATION.sub("", text)


def grade_cloze(spec: GradingSpec, response: str) -> GradeResult:
    """Compare the typed blank with the expected phrase; an empty response is simply wrong."""
    if spec.cloze_answer is None:
        return grade_recall(spec, response)
    given = " ".join(response.split())
    expected = normalize_cloze(spec.cloze_answer)
    correct = bool(given) and normalize_cloze(given) == expected
    return GradeResult(correct, spec.cloze_answer, given)


def grade_recall(spec: GradingSpec, response: str) -> GradeResult:
    """Self-graded: nothing to compare, the learner rates their own recall."""
    return GradeResult(None, "", " ".join(response.split()))


KINDS: dict[str, QuestionKind] = {
    kind.name: kind
    for kind in (
        QuestionKind("key_tradeoff", "Key trade-off", AnswerMode.CHOICE, grade_choice),
        QuestionKind(
            "key_tradeoff_reverse", "Key trade-off, reversed", AnswerMode.CHOICE, grade_choice
        ),
        QuestionKind("table_which", "Trade-off table", AnswerMode.CHOICE, grade_choice),
        QuestionKind("table_compare", "Trade-off comparison", AnswerMode.RECALL, grade_recall),
        QuestionKind("self_assessment", "Self-assessment", AnswerMode.RECALL, grade_recall),
        # A one-thing card is a cloze when its paragraph has a bold phrase, else recall;
        # `answer_mode` tells which for a given question.
        QuestionKind("one_thing", "The one thing to remember", AnswerMode.CLOZE, grade_cloze),
        QuestionKind("authored", "Question", AnswerMode.CHOICE, grade_choice),
    )
}


def _kind(name: str) -> QuestionKind:
    try:
        return KINDS[name]
    except KeyError:
        raise GradingError(f"unknown question kind {name!r}") from None


def answer_mode(spec: GradingSpec) -> AnswerMode:
    """How this particular question is answered (a one-thing card without a blank is recall)."""
    mode = _kind(spec.kind).mode
    if mode is AnswerMode.CLOZE and spec.cloze_answer is None:
        return AnswerMode.RECALL
    return mode


def grade(spec: GradingSpec, response: str) -> GradeResult:
    """Grade `response` with the grader registered for `spec.kind`.

    Raises GradingError for an unknown kind or a response that does not fit the question
    (e.g. a choice number out of range); a wrong but well-formed answer is a result, not an error.
    """
    return _kind(spec.kind).grader(spec, response)
