"""A track's daily load, worked out from the scheduler's own Good-only schedule."""

from __future__ import annotations

import itertools

from app.domain.daily_load import daily_load, good_schedule
from app.domain.scheduling import Preset


def test_a_good_only_card_gets_its_learning_steps_then_growing_intervals():
    days = good_schedule(Preset())
    assert days[:2] == (0, 0)  # the new card and its 10-minute step, the first day
    later = days[2:]
    gaps = [b - a for a, b in itertools.pairwise((0, *later))]
    assert later and all(b > a for a, b in itertools.pairwise(gaps))


def test_a_track_comes_in_at_the_new_card_limit_and_reviews_pile_up():
    preset = Preset()
    small = daily_load(30, preset)
    assert (small.days_to_start_all, small.answers_first_day) == (3, 20)
    assert small.peak_answers_per_day >= small.answers_per_day >= small.answers_first_day
    large = daily_load(1500, preset)
    assert large.days_to_start_all == 150
    assert large.answers_per_day > small.answers_per_day  # more reviews come due meanwhile
    assert daily_load(0, preset).days_to_start_all == 0


def test_more_new_cards_a_day_and_the_review_cap_change_the_load():
    busy = daily_load(600, Preset(new_per_day=30))
    calm = daily_load(600, Preset(new_per_day=10))
    assert busy.days_to_start_all == 20 and calm.days_to_start_all == 60
    assert busy.answers_per_day > calm.answers_per_day
    capped = daily_load(600, Preset(new_per_day=30, max_reviews_per_day=5))
    assert capped.peak_answers_per_day <= 30 * 2 + 5


def test_a_lower_retention_costs_fewer_answers():
    strict = daily_load(300, Preset(desired_retention=0.95))
    loose = daily_load(300, Preset(desired_retention=0.80))
    assert loose.answers_per_day < strict.answers_per_day
