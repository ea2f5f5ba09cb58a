"""The question-kind registry: how each kind of question is answered and graded.

Graders are pure functions `(spec, response) -> GradeResult`; they never see a request or the
database, so the web UI, the JSON API, drills and live quizzes all grade the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
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
    accepted: tuple[str, ...] = ()  # more typed answers the author accepts


@dataclass(frozen=True)
class GradeResult:
    """The outcome of one answer.

    `correct` is None for self-graded recall. `expected` is the right answer as written in the
    bank (inline Markdown: render it with `render_inline`); `given` echoes the normalized response.
    `forgiven` says a typed answer was accepted despite a small typo or extra words, so the page
    can show what was typed beside what was expected.
    """

    correct: bool | None
    expected: str
    given: str
    forgiven: bool = False


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
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_ARTICLES = frozenset({"a", "an", "the"})
_DIGITS = re.compile(r"\d+")
_EXTRA_WORDS = 2  # "they share one address space" still answers "share one address space"


def normalize_cloze(text: str) -> str:
    """The words of a typed answer, for lenient comparison.

    Emphasis and code marks are dropped, punctuation counts as a space, the articles "a", "an"
    and "the" are left out, whitespace is collapsed and case does not matter: "**The
    Copy-on-write.**" equals "copy on write".
    """
    text = _PUNCTUATION.sub(" ", _MARKS.sub("", text).casefold())
    return " ".join(word for word in text.split() if word not in _ARTICLES)


def typo_distance(first: str, second: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) that turn one text into the other."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]


def typos_allowed(expected: str) -> int:
    """How many typos a teacher would overlook: none in a short word, more in a long phrase."""
    length = len(expected)
    return 0 if length <= 3 else 1 if length <= 8 else 2 if length <= 16 else 3


def _matches(given: str, expected: str) -> tuple[bool, bool]:
    """(right, forgiven) for two normalized answers."""
    if given == expected:
        return True, False
    if not given or not expected or _DIGITS.findall(given) != _DIGITS.findall(expected):
        return False, False  # a number must be exact: 100 is not 1000
    if typo_distance(given, expected) <= typos_allowed(expected):
        return True, True
    words, wanted = given.split(), expected.split()
    for start in range(len(words) - len(wanted) + 1):
        if words[start : start + len(wanted)] == wanted:
            return len(words) - len(wanted) <= _EXTRA_WORDS, True
    return False, False


def grade_cloze(spec: GradingSpec, response: str) -> GradeResult:
    """Compare the typed answer with the expected phrase and the author's alternatives, as a
    teacher would: case, punctuation, articles, a small typo and a couple of extra words are
    forgiven; a number must be exact. An empty response is simply wrong."""
    if spec.cloze_answer is None:
        return grade_recall(spec, response)
    given = " ".join(response.split())
    typed = normalize_cloze(given)
    forgiven = False
    for expected in (spec.cloze_answer, *spec.accepted):
        right, close = _matches(typed, normalize_cloze(expected))
        if right and not close:
            return GradeResult(True, spec.cloze_answer, given)
        forgiven = forgiven or right
    return GradeResult(forgiven, spec.cloze_answer, given, forgiven=forgiven)


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
        QuestionKind("table_side", "Trade-off table", AnswerMode.CHOICE, grade_choice),
        QuestionKind("term_which", "Term", AnswerMode.CHOICE, grade_choice),
        QuestionKind("table_compare", "Trade-off comparison", AnswerMode.RECALL, grade_recall),
        QuestionKind("term", "Term", AnswerMode.RECALL, grade_recall),
        QuestionKind("tradeoff_note", "Trade-off", AnswerMode.RECALL, grade_recall),
        QuestionKind("pros_cons", "Pros and cons", AnswerMode.RECALL, grade_recall),
        QuestionKind("self_assessment", "Self-assessment", AnswerMode.RECALL, grade_recall),
        QuestionKind("recall", "Recall", AnswerMode.RECALL, grade_recall),
        # A one-thing card is a cloze when its paragraph has a bold phrase, else recall;
        # `answer_mode` tells which for a given question.
        QuestionKind("one_thing", "The one thing to remember", AnswerMode.CLOZE, grade_cloze),
        QuestionKind("authored", "Question", AnswerMode.CHOICE, grade_choice),
    )
}


# Kinds no generator makes any more, kept so questions already stored still show and grade: the
# reversed key trade-off ("Which topic's key trade-off is …?"), which reviews found a slogan test.
RETIRED_KINDS = frozenset({"key_tradeoff_reverse"})


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


def choice_order(count: int, seed: str) -> tuple[int, ...]:
    """A permutation of range(count) that depends only on `seed`: the same on every machine, so a
    reload, a resent answer and a replay all show the same order. Every order is equally likely
    over seeds (each index is ranked by a hash of the seed and itself)."""

    def rank(index: int) -> bytes:
        return hashlib.sha256(f"{seed}\x00{index}".encode()).digest()

    return tuple(sorted(range(count), key=rank))


def presented_choices(
    choices: Sequence[str], seed: str, *, fixed: bool = False
) -> list[tuple[int, str]]:
    """(choice number, text) in the order a learner sees them: shuffled by `seed` unless the
    author fixed the order. The number is what an answer sends back, whatever the position."""
    order = range(len(choices)) if fixed else choice_order(len(choices), seed)
    return [(index, choices[index]) for index in order]
