"""Grading: choice, cloze and self-graded recall, and malformed responses."""

from __future__ import annotations

import pytest

from app.domain.questions import (
    KINDS,
    AnswerMode,
    GradingError,
    GradingSpec,
    answer_mode,
    grade,
    normalize_cloze,
)

CHOICE = GradingSpec("table_which", ("Process", "Thread", "Fiber"), 1, None)
CLOZE = GradingSpec("one_thing", (), None, "copy-on-write")
RECALL = GradingSpec("self_assessment", (), None, None)


def test_every_kind_has_a_mode_and_a_label() -> None:
    modes = {name: kind.mode for name, kind in KINDS.items()}
    assert modes == {
        "key_tradeoff": AnswerMode.CHOICE,
        "key_tradeoff_reverse": AnswerMode.CHOICE,
        "table_which": AnswerMode.CHOICE,
        "table_side": AnswerMode.CHOICE,
        "term_which": AnswerMode.CHOICE,
        "table_compare": AnswerMode.RECALL,
        "term": AnswerMode.RECALL,
        "tradeoff_note": AnswerMode.RECALL,
        "pros_cons": AnswerMode.RECALL,
        "recall": AnswerMode.RECALL,
        "self_assessment": AnswerMode.RECALL,
        "one_thing": AnswerMode.CLOZE,
        "authored": AnswerMode.CHOICE,
    }
    assert all(kind.label and kind.name == name for name, kind in KINDS.items())


def test_right_choice() -> None:
    result = grade(CHOICE, "1")
    assert result.correct is True
    assert result.expected == "Thread"
    assert result.given == "1"


def test_wrong_choice_reports_the_expected_one() -> None:
    result = grade(CHOICE, " 2 ")
    assert result.correct is False
    assert result.expected == "Thread"
    assert result.given == "2"


@pytest.mark.parametrize("response", ["3", "17", "-1", "one", "", "1.0", "\u0661"])
def test_malformed_choice_responses_raise(response: str) -> None:
    with pytest.raises(GradingError):
        grade(CHOICE, response)


def test_out_of_range_message_is_clear() -> None:
    with pytest.raises(
        GradingError, match="choice 3 does not exist; this question has choices 0 to 2"
    ):
        grade(CHOICE, "3")


def test_choice_question_without_a_correct_answer_cannot_be_graded() -> None:
    with pytest.raises(GradingError):
        grade(GradingSpec("authored", ("a", "b"), None, None), "0")


def test_grading_error_is_a_value_error() -> None:
    assert issubclass(GradingError, ValueError)


def test_unknown_kind_raises() -> None:
    with pytest.raises(GradingError, match="unknown question kind 'essay'"):
        grade(GradingSpec("essay", (), None, None), "anything")


@pytest.mark.parametrize(
    "response",
    [
        "copy-on-write",
        "Copy on write",
        "  COPY-ON-WRITE. ",
        "**copy-on-write**",
        "`copy on  write`",
    ],
)
def test_cloze_accepts_the_same_words(response: str) -> None:
    result = grade(CLOZE, response)
    assert result.correct is True
    assert result.expected == "copy-on-write"


@pytest.mark.parametrize("response", ["", "   ", "copy", "copy on read", "write on copy"])
def test_cloze_rejects_other_words_and_empty(response: str) -> None:
    assert grade(CLOZE, response).correct is False


def test_cloze_echoes_the_response_with_whitespace_collapsed() -> None:
    assert grade(CLOZE, "  Copy   on write ").given == "Copy on write"


def test_cloze_answer_with_markup_compares_by_words() -> None:
    spec = GradingSpec("one_thing", (), None, "*a pool* is a `limit`")
    assert grade(spec, "A pool is a limit!").correct is True
    assert normalize_cloze("**Isolation,**") == "isolation"


def test_recall_is_self_graded() -> None:
    result = grade(RECALL, "threads share memory")
    assert result.correct is None
    assert result.given == "threads share memory"
    assert grade(GradingSpec("table_compare", (), None, None), "").correct is None


def test_one_thing_without_a_blank_is_recall() -> None:
    spec = GradingSpec("one_thing", (), None, None)
    assert answer_mode(spec) is AnswerMode.RECALL
    assert answer_mode(CLOZE) is AnswerMode.CLOZE
    assert answer_mode(CHOICE) is AnswerMode.CHOICE
    assert grade(spec, "whatever").correct is None
