"""FSRS-6 scheduling core: exact figures for the default parameters, steps, caps, fuzz, presets."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.scheduling import (
    DEFAULT_PARAMETERS,
    CardState,
    Memory,
    Preset,
    PresetError,
    Rating,
    describe_interval,
    format_steps,
    is_leech,
    make_preset,
    parse_steps,
    preview_intervals,
    replay,
    retrievability,
    review,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
DEFAULT = Preset()
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


def test_default_parameters_are_fsrs6() -> None:
    assert len(DEFAULT_PARAMETERS) == 21
    assert DEFAULT_PARAMETERS[:4] == (0.212, 1.2931, 2.3065, 8.2956)
    assert DEFAULT_PARAMETERS[20] == 0.1542


# --------------------------------------------------------------------------------------------------
# A card's life with default parameters
# --------------------------------------------------------------------------------------------------


def test_first_good_sets_initial_stability_and_difficulty_and_takes_the_next_step() -> None:
    outcome = review(Memory(), Rating.GOOD, T0, DEFAULT)

    # S0(Good) = w2; D0(Good) = w4 - e^(w5 * 2) + 1 = 6.4133 - e^1.6668 + 1
    assert outcome.memory.stability == pytest.approx(2.3065)
    assert outcome.memory.difficulty == pytest.approx(6.4133 - math.exp(0.8334 * 2) + 1)
    assert outcome.memory.difficulty == pytest.approx(2.118104, abs=1e-6)
    assert outcome.memory.state is CardState.LEARNING
    assert outcome.memory.step == 1
    assert outcome.interval == 10 * MINUTE
    assert outcome.memory.due == T0 + 10 * MINUTE
    assert outcome.memory.last_review == T0
    assert (outcome.memory.reps, outcome.memory.lapses) == (1, 0)
    assert outcome.retrievability is None
    assert outcome.elapsed_days is None
    assert outcome.is_lapse is False


def test_second_good_graduates_with_a_two_day_interval() -> None:
    first = review(Memory(), Rating.GOOD, T0, DEFAULT).memory
    outcome = review(first, Rating.GOOD, T0 + 10 * MINUTE, DEFAULT)

    # same-day review: the short-term increase e^(w17 * w18) * S^-w19 = 0.9945 is floored at 1
    assert outcome.memory.stability == pytest.approx(2.3065)
    # D' = w7 * D0(Easy) + (1 - w7) * D
    assert outcome.memory.difficulty == pytest.approx(2.111214, abs=1e-6)
    assert outcome.memory.state is CardState.REVIEW
    assert outcome.memory.step is None
    assert outcome.interval == 2 * DAY  # round(S) days at 90 % retention
    assert outcome.elapsed_days == pytest.approx(10 / 1440)
    assert outcome.retrievability == pytest.approx(0.999546, abs=1e-6)


def test_review_state_good_after_two_days() -> None:
    graduated = replay(
        [(Rating.GOOD, T0), (Rating.GOOD, T0 + 10 * MINUTE)], DEFAULT, fuzz_seed=None
    )
    outcome = review(graduated, Rating.GOOD, T0 + 10 * MINUTE + 2 * DAY, DEFAULT)

    assert outcome.elapsed_days == pytest.approx(2.0)
    assert outcome.retrievability == pytest.approx(0.909493, abs=1e-6)
    assert outcome.memory.stability == pytest.approx(10.971048, abs=1e-6)
    assert outcome.memory.difficulty == pytest.approx(2.104331, abs=1e-6)
    assert outcome.interval == 11 * DAY
    assert outcome.memory.reps == 3


def test_lapse_enters_relearning_then_graduates_again() -> None:
    card = replay(
        [
            (Rating.GOOD, T0),
            (Rating.GOOD, T0 + 10 * MINUTE),
            (Rating.GOOD, T0 + 10 * MINUTE + 2 * DAY),
        ],
        DEFAULT,
        fuzz_seed=None,
    )
    due = T0 + 10 * MINUTE + 13 * DAY
    assert card.due == due

    lapse = review(card, Rating.AGAIN, due, DEFAULT)
    assert lapse.is_lapse is True
    assert lapse.retrievability == pytest.approx(0.899819, abs=1e-6)
    assert lapse.memory.state is CardState.RELEARNING
    assert lapse.memory.step == 0
    assert lapse.interval == 10 * MINUTE  # the one relearning step
    assert lapse.memory.stability == pytest.approx(1.539013, abs=1e-6)
    assert lapse.memory.difficulty == pytest.approx(7.389976, abs=1e-6)
    assert (lapse.memory.reps, lapse.memory.lapses) == (4, 1)

    back = review(lapse.memory, Rating.GOOD, due + 10 * MINUTE, DEFAULT)
    assert back.is_lapse is False  # a relearning card answered Good is not a lapse
    assert back.memory.state is CardState.REVIEW
    assert back.memory.stability == pytest.approx(1.571842, abs=1e-6)
    assert back.interval == 2 * DAY
    assert back.memory.lapses == 1


def test_learning_steps_for_each_rating_on_a_new_card() -> None:
    assert preview_intervals(Memory(), T0, DEFAULT) == {
        Rating.AGAIN: 1 * MINUTE,
        Rating.HARD: timedelta(minutes=5, seconds=30),  # halfway between the first two steps
        Rating.GOOD: 10 * MINUTE,
        Rating.EASY: 8 * DAY,  # skips the steps: S0(Easy) = w3 = 8.2956
    }
    again = review(Memory(), Rating.AGAIN, T0, DEFAULT).memory
    assert (again.state, again.step, again.stability) == (CardState.LEARNING, 0, 0.212)


def test_again_in_learning_restarts_the_steps() -> None:
    card = review(Memory(), Rating.GOOD, T0, DEFAULT).memory
    outcome = review(card, Rating.AGAIN, T0 + 10 * MINUTE, DEFAULT)
    assert (outcome.memory.state, outcome.memory.step) == (CardState.LEARNING, 0)
    assert outcome.interval == MINUTE
    assert outcome.is_lapse is False
    assert outcome.memory.lapses == 0


def test_custom_steps_and_no_steps() -> None:
    three = make_preset(learning_steps="1m 10m 1h")
    card = replay([(Rating.GOOD, T0), (Rating.GOOD, T0 + 10 * MINUTE)], three, fuzz_seed=None)
    assert (card.state, card.step, card.due) == (CardState.LEARNING, 2, T0 + 70 * MINUTE)

    none = make_preset(learning_steps="", relearning_steps="")
    first = review(Memory(), Rating.GOOD, T0, none)
    assert first.memory.state is CardState.REVIEW
    assert first.interval == 2 * DAY
    lapse = review(first.memory, Rating.AGAIN, T0 + 2 * DAY, none)
    assert lapse.is_lapse is True
    assert lapse.memory.state is CardState.REVIEW  # no relearning steps: straight back to review
    assert lapse.interval >= DAY


def test_maximum_interval_caps_review_intervals() -> None:
    capped = make_preset(maximum_interval=5)
    assert review(Memory(), Rating.EASY, T0, capped).interval == 5 * DAY
    assert review(Memory(), Rating.EASY, T0, DEFAULT).interval == 8 * DAY


def test_higher_desired_retention_gives_shorter_intervals() -> None:
    card = Memory(
        state=CardState.REVIEW, stability=10.0, difficulty=5.0, due=T0, last_review=T0 - 10 * DAY
    )
    outcomes = [
        review(card, Rating.GOOD, T0, make_preset(desired_retention=retention))
        for retention in (0.80, 0.90, 0.95)
    ]
    # same new stability (32.03 days) whatever the target; I = S / F * (r^(1 / -w20) - 1)
    assert [o.memory.stability for o in outcomes] == pytest.approx([32.026729] * 3, abs=1e-6)
    assert [o.interval for o in outcomes] == [106 * DAY, 32 * DAY, 13 * DAY]


# --------------------------------------------------------------------------------------------------
# Fractional elapsed time
# --------------------------------------------------------------------------------------------------


def test_retrievability_uses_fractional_days() -> None:
    card = replay([(Rating.GOOD, T0), (Rating.GOOD, T0 + 10 * MINUTE)], DEFAULT, fuzz_seed=None)
    last = T0 + 10 * MINUTE

    at_0 = retrievability(card, last)
    at_12h = retrievability(card, last + timedelta(hours=12))
    at_1d = retrievability(card, last + DAY)

    assert at_0 == 1.0
    assert at_1d == pytest.approx(0.946847, abs=1e-6)
    assert at_1d < at_12h < at_0  # truncating to whole days would give 1.0 at 12 h
    assert at_12h == pytest.approx(0.970723, abs=1e-6)
    assert retrievability(card, last + timedelta(days=2.3065)) == pytest.approx(0.9)  # R(S) = 0.9
    assert retrievability(Memory(), T0) == 0.0


def test_stability_update_uses_fractional_retrievability() -> None:
    card = replay([(Rating.GOOD, T0), (Rating.GOOD, T0 + 10 * MINUTE)], DEFAULT, fuzz_seed=None)
    last = T0 + 10 * MINUTE
    after = {
        hours: review(card, Rating.GOOD, last + timedelta(hours=hours), DEFAULT).memory.stability
        for hours in (12, 24, 36, 47)
    }
    assert after[12] == pytest.approx(2.3065)  # under 24 h: short-term update
    assert after[24] == pytest.approx(7.319186, abs=1e-6)
    assert after[36] == pytest.approx(9.268721, abs=1e-6)  # whole days would equal the 24 h value
    assert after[47] == pytest.approx(10.837173, abs=1e-6)


# --------------------------------------------------------------------------------------------------
# Fuzz
# --------------------------------------------------------------------------------------------------

LONG_CARD = Memory(
    state=CardState.REVIEW, stability=100.0, difficulty=5.0, due=T0, last_review=T0 - 100 * DAY
)


def test_fuzz_is_reproducible_with_a_seed_and_absent_without() -> None:
    assert review(LONG_CARD, Rating.GOOD, T0, DEFAULT).interval == 250 * DAY
    first = review(LONG_CARD, Rating.GOOD, T0, DEFAULT, fuzz_seed=42)
    again = review(LONG_CARD, Rating.GOOD, T0, DEFAULT, fuzz_seed=42)
    assert first == again
    assert first.memory.stability == review(LONG_CARD, Rating.GOOD, T0, DEFAULT).memory.stability


def test_fuzz_stays_within_the_fsrs_range() -> None:
    # py-fsrs: delta = 1 + 0.15 * 4.5 + 0.1 * 13 + 0.05 * (250 - 20) = 14.475, so 236..264; it
    # rounds a uniform draw from [236, 265), which makes 265 reachable too.
    days = {
        review(LONG_CARD, Rating.GOOD, T0, DEFAULT, fuzz_seed=seed).interval.days
        for seed in range(1000)
    }
    assert min(days) == 236
    assert max(days) == 265
    assert len(days) == 30


def test_fuzz_leaves_short_intervals_and_steps_alone_and_global_random_untouched() -> None:
    random.seed(7)
    state = random.getstate()
    assert review(Memory(), Rating.GOOD, T0, DEFAULT, fuzz_seed=3).interval == 10 * MINUTE
    young = replay([(Rating.GOOD, T0), (Rating.GOOD, T0 + 10 * MINUTE)], DEFAULT, fuzz_seed=9)
    assert young.due == T0 + 10 * MINUTE + 2 * DAY  # intervals under 2.5 days are never fuzzed
    review(LONG_CARD, Rating.GOOD, T0, DEFAULT, fuzz_seed=5)
    assert random.getstate() == state


def test_replay_matches_step_by_step_reviews_with_derived_seeds() -> None:
    history = [
        (Rating.GOOD, T0),
        (Rating.GOOD, T0 + 10 * MINUTE),
        (Rating.GOOD, T0 + 3 * DAY),
        (Rating.EASY, T0 + 20 * DAY),
        (Rating.GOOD, T0 + 90 * DAY),
    ]
    memory = Memory()
    for rating, at in history:
        memory = review(memory, rating, at, DEFAULT, fuzz_seed=1000 + memory.reps).memory
    assert replay(history, DEFAULT, fuzz_seed=1000) == memory
    assert replay(list(reversed(history)), DEFAULT, fuzz_seed=1000) == memory  # sorted by time
    assert memory.reps == 5


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------


def test_review_rejects_naive_or_backwards_times_and_broken_memories() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        review(Memory(), Rating.GOOD, datetime(2024, 3, 1, 9), DEFAULT)
    card = review(Memory(), Rating.GOOD, T0, DEFAULT).memory
    with pytest.raises(ValueError, match="before the card's last review"):
        review(card, Rating.GOOD, T0 - MINUTE, DEFAULT)
    with pytest.raises(ValueError) as broken:
        review(Memory(state=CardState.REVIEW, difficulty=5.0), Rating.GOOD, T0, DEFAULT)
    assert str(broken.value) == (
        "cannot review a REVIEW card: stability must be positive, got None; last_review is missing"
    )


def test_other_timezones_are_converted_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    outcome = review(Memory(), Rating.GOOD, datetime(2024, 3, 1, 10, 0, tzinfo=paris), DEFAULT)
    assert outcome.memory.last_review == T0
    assert outcome.memory.due == T0 + 10 * MINUTE
    assert outcome.memory.due is not None and outcome.memory.due.tzinfo is UTC


def test_inputs_are_not_mutated() -> None:
    card = replay([(Rating.GOOD, T0), (Rating.GOOD, T0 + 10 * MINUTE)], DEFAULT, fuzz_seed=None)
    snapshot = replace(card)
    review(card, Rating.AGAIN, T0 + 3 * DAY, DEFAULT, fuzz_seed=1)
    assert card == snapshot


# --------------------------------------------------------------------------------------------------
# Presets and steps
# --------------------------------------------------------------------------------------------------


def test_make_preset_normalises_loose_input() -> None:
    preset = make_preset(
        desired_retention=0.85,
        learning_steps="1m 10m 1h",
        relearning_steps=[timedelta(minutes=5)],
        parameters=", ".join(str(w) for w in DEFAULT_PARAMETERS),
    )
    assert preset.learning_steps == (MINUTE, 10 * MINUTE, timedelta(hours=1))
    assert preset.relearning_steps == (5 * MINUTE,)
    assert preset.parameters == DEFAULT_PARAMETERS
    assert preset.new_per_day == 10
    assert make_preset() == Preset()


def test_preset_validation_collects_every_error() -> None:
    bad_parameters = list(DEFAULT_PARAMETERS)
    bad_parameters[4] = 11.0
    bad_parameters[20] = math.nan
    with pytest.raises(PresetError) as caught:
        make_preset(
            desired_retention=0.5,
            new_per_day=-1,
            max_reviews_per_day="200",
            learning_steps="5x 1m",
            relearning_steps="10m 1m",
            maximum_interval=0,
            parameters=bad_parameters,
            leech_threshold=True,
            leech_suspend="yes",
            colour="red",
        )
    assert caught.value.errors == {
        "desired_retention": "must be from 0.70 to 0.97, got 0.5",
        "new_per_day": "must be from 0 to 9999, got -1",
        "max_reviews_per_day": "must be a whole number from 0 to 99999",
        "learning_steps": "'5x' is not a step: use a number followed by s, m, h or d",
        "relearning_steps": "steps must be in ascending order, got '10m 1m'",
        "maximum_interval": "must be from 1 to 36500, got 0",
        "parameters": "w[4] = 11.0 is outside 1.0..10.0; w[20] = nan is not a finite number",
        "leech_threshold": "must be a whole number from 0 to 99",
        "leech_suspend": "must be true or false",
        "colour": "unknown setting; expected one of desired_retention, new_per_day, "
        "max_reviews_per_day, learning_steps, relearning_steps, maximum_interval, parameters, "
        "leech_threshold, leech_suspend",
    }
    assert "desired_retention: must be from 0.70 to 0.97" in str(caught.value)


def test_parameters_of_the_wrong_length_and_direct_construction_are_rejected() -> None:
    with pytest.raises(PresetError) as caught:
        make_preset(parameters=[1.0, 2.0])
    assert caught.value.errors == {"parameters": "must be 21 numbers (FSRS-6), got 2"}
    with pytest.raises(PresetError) as direct:
        Preset(desired_retention=0.99, learning_steps=(timedelta(0),))
    assert set(direct.value.errors) == {"desired_retention", "learning_steps"}
    listed = Preset(parameters=list(DEFAULT_PARAMETERS), learning_steps=[MINUTE])  # type: ignore[arg-type]
    assert listed == Preset(learning_steps=(MINUTE,))  # normalised to tuples, so hashable
    assert review(Memory(), Rating.GOOD, T0, listed).memory.state is CardState.REVIEW


def test_parse_and_format_steps_round_trip() -> None:
    steps = parse_steps("1m 10m 1h 1d")
    assert steps == (MINUTE, 10 * MINUTE, timedelta(hours=1), DAY)
    assert format_steps(steps) == "1m 10m 1h 1d"
    assert parse_steps("") == ()
    assert format_steps(()) == ""
    assert parse_steps(" 30s,1.5h  2D ") == (timedelta(seconds=30), timedelta(minutes=90), 2 * DAY)
    assert format_steps(parse_steps("90s 1.5h 60m 48h")) == "90s 90m 1h 2d"
    for text in ("1m 10m", "15s 2h 3d", "45m"):
        assert format_steps(parse_steps(text)) == text


def test_parse_steps_explains_bad_input() -> None:
    with pytest.raises(ValueError) as caught:
        parse_steps("1m 5x 10")
    assert str(caught.value) == (
        "'5x' is not a step: use a number followed by s, m, h or d; "
        "'10' is not a step: use a number followed by s, m, h or d"
    )
    with pytest.raises(ValueError, match="'0m' is not a step: a step is a whole number of seconds"):
        parse_steps("0m")
    with pytest.raises(ValueError, match=r"'0\.5s' is not a step"):
        parse_steps("0.5s")


def test_leech_on_the_threshold_lapse_then_every_half_threshold() -> None:
    preset = make_preset(leech_threshold=8)
    card = Memory(state=CardState.REVIEW, stability=5.0, difficulty=8.0, last_review=T0, due=T0)
    flagged = []
    for lapses in range(7, 17):
        outcome = review(replace(card, lapses=lapses), Rating.AGAIN, T0 + DAY, preset)
        flagged.append((outcome.memory.lapses, is_leech(outcome, preset)))
    assert [lapses for lapses, leech in flagged if leech] == [8, 12, 16]
    off = make_preset(leech_threshold=0)
    outcome = review(replace(card, lapses=20), Rating.AGAIN, T0 + DAY, off)
    assert is_leech(outcome, off) is False


# --- the learner's day is FSRS's day -------------------------------------------------------------


def _graduated_last_evening() -> tuple[Memory, datetime]:
    """A new card learned at 22:00 and 22:10 UTC on 1 March: in review with a short interval."""
    from datetime import date

    evening = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    first = review(Memory(), Rating.GOOD, evening, Preset(), today=date(2026, 3, 1)).memory
    learned = evening + timedelta(minutes=10)
    memory = review(first, Rating.GOOD, learned, Preset(), today=date(2026, 3, 1)).memory
    assert memory.state is CardState.REVIEW and memory.last_day == date(2026, 3, 1)
    return memory, learned


def test_a_review_on_the_next_study_day_is_long_term_however_few_hours_later() -> None:
    from datetime import date

    memory, learned = _graduated_last_evening()
    morning = learned + timedelta(hours=10)  # 08:10 on 2 March: under 24 hours, another day
    next_day = review(memory, Rating.GOOD, morning, Preset(), today=date(2026, 3, 2))
    by_hours = review(memory, Rating.GOOD, morning, Preset())  # no days given: the 24-hour rule
    # Slept on, the memory counts as a real review: stability grows as after a whole day...
    assert next_day.memory.stability > 2 * by_hours.memory.stability
    assert next_day.interval >= timedelta(days=3)
    # ...while the 24-hour rule treats it as a same-day repetition.
    assert by_hours.interval <= timedelta(days=2)
    # Recall is predicted from the real 10 hours either way.
    assert next_day.retrievability == by_hours.retrievability
    assert next_day.elapsed_days == pytest.approx(10 / 24)


def test_a_review_on_the_same_study_day_is_short_term() -> None:
    from datetime import date

    memory, learned = _graduated_last_evening()
    later = learned + timedelta(hours=1)  # 23:10, still 1 March
    same_day = review(memory, Rating.GOOD, later, Preset(), today=date(2026, 3, 1))
    by_hours = review(memory, Rating.GOOD, later, Preset())
    assert same_day.memory.stability == by_hours.memory.stability
    assert same_day.memory.last_day == date(2026, 3, 1)


def test_replay_applies_the_study_days_it_is_given() -> None:
    from datetime import date

    start = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    times = [start, start + timedelta(minutes=10), start + timedelta(hours=10, minutes=10)]
    days = [date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 2)]
    with_days = replay(
        [(Rating.GOOD, t, d) for t, d in zip(times, days, strict=True)], Preset(), fuzz_seed=None
    )
    stepwise = Memory()
    for t, d in zip(times, days, strict=True):
        stepwise = review(stepwise, Rating.GOOD, t, Preset(), today=d).memory
    assert with_days == stepwise
    assert with_days != replay([(Rating.GOOD, t) for t in times], Preset(), fuzz_seed=None)


@pytest.mark.parametrize(
    ("interval", "shown"),
    [
        (timedelta(seconds=30), "<1m"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=3), "3h"),
        (timedelta(days=4), "4d"),
        (timedelta(days=75), "2.5mo"),
        (timedelta(days=60), "2mo"),
        (timedelta(days=438), "1.2y"),
    ],
)
def test_an_interval_as_a_button_shows_it(interval, shown):
    assert describe_interval(interval) == shown
