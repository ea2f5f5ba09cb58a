"""Fair multiple choice and typed answers graded as a teacher would."""

from __future__ import annotations

from collections import Counter

import pytest

from app.domain.questions import GradingSpec, choice_order, grade, presented_choices

CLOZE = GradingSpec("one_thing", (), None, "copy-on-write", ("COW",))


def test_the_same_seed_always_gives_the_same_order() -> None:
    assert choice_order(4, "q:7:3") == choice_order(4, "q:7:3")
    assert sorted(choice_order(4, "q:7:3")) == [0, 1, 2, 3]


def test_every_position_is_about_equally_likely_over_seeds() -> None:
    seeds = [f"question:{n}:user:{n % 13}:version:{n % 5}" for n in range(4000)]
    positions = Counter(choice_order(4, seed).index(0) for seed in seeds)
    assert set(positions) == {0, 1, 2, 3}
    assert all(abs(count / 4000 - 0.25) < 0.03 for count in positions.values())


def test_presented_choices_keep_their_numbers_and_a_fixed_order_stays() -> None:
    choices = ("a", "b", "c", "all of the above")
    shown = presented_choices(choices, "seed-1")
    assert sorted(shown) == [(0, "a"), (1, "b"), (2, "c"), (3, "all of the above")]
    assert presented_choices(choices, "seed-1", fixed=True) == list(enumerate(choices))
    orders = {tuple(n for n, _ in presented_choices(choices, f"s{k}")) for k in range(20)}
    assert len(orders) > 5


@pytest.mark.parametrize(
    "typed",
    [
        "copy-on-write",
        "Copy on write",
        "the copy-on-write.",
        "COPY ON WRITE!",
        "cow",  # an answer the author accepts
    ],
)
def test_case_punctuation_articles_and_alternatives_are_right(typed: str) -> None:
    result = grade(CLOZE, typed)
    assert result.correct is True
    assert result.forgiven is False
    assert result.given == typed
    assert result.expected == "copy-on-write"


@pytest.mark.parametrize("typed", ["copy-on-wirte", "coppy on write", "they copy on write"])
def test_a_small_typo_or_a_couple_of_extra_words_are_forgiven_and_said_so(typed: str) -> None:
    result = grade(CLOZE, typed)
    assert (result.correct, result.forgiven) == (True, True)


@pytest.mark.parametrize("typed", ["write-back", "copy", "", "copy on read", "cow cow cow cow"])
def test_a_different_answer_is_wrong(typed: str) -> None:
    assert grade(CLOZE, typed).correct is False


def test_numbers_must_be_exact_and_short_words_allow_no_typo() -> None:
    quorum = GradingSpec("one_thing", (), None, "3 of 5 nodes")
    assert grade(quorum, "3 of 5 nodes").correct
    assert not grade(quorum, "2 of 5 nodes").correct
    tcp = GradingSpec("one_thing", (), None, "TCP")
    assert not grade(tcp, "UDP").correct
    assert not grade(tcp, "TCB").correct
