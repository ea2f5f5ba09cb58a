"""A track's queue counts the answers given in that track, not every track's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.services import study
from app.services.errors import ValidationError
from tests.factories import NOW, make_user
from tests.integration.test_study import CORE_ALPHA, answer


def test_a_tracks_progress_counts_its_own_answers(bank):
    user_id = make_user().id
    study.enrol(user_id, "core", now=NOW)
    study.enrol(user_id, "extra", now=NOW)
    for key in CORE_ALPHA[:2]:
        answer(user_id, bank[key], NOW, track="core")
    assert study.today(user_id, now=NOW).counts.done_today == 2
    assert study.today(user_id, now=NOW, track_key="core").counts.done_today == 2
    assert study.today(user_id, now=NOW, track_key="extra").counts.done_today == 0
    study.undo(user_id, now=NOW)
    assert study.today(user_id, now=NOW, track_key="core").counts.done_today == 1


def test_more_new_cards_count_for_one_track_and_one_day(bank):
    user_id = make_user().id
    core = study.enrol(user_id, "core", now=NOW)
    extra = study.enrol(user_id, "extra", now=NOW)
    for enrolment in (core, extra):
        study.update_preset(user_id, enrolment.id, {"new_per_day": 2}, now=NOW)
    before = {t: study.today(user_id, now=NOW, track_key=t).counts.new for t in ("core", "extra")}
    assert before == {"core": 2, "extra": 2}
    assert study.study_more_new(user_id, core.id, 1, now=NOW) == 1
    assert study.study_more_new(user_id, core.id, 2, now=NOW) == 3
    assert study.today(user_id, now=NOW, track_key="core").counts.new == 5
    assert study.today(user_id, now=NOW, track_key="extra").counts.new == 2
    tomorrow = NOW + timedelta(days=1)
    assert study.today(user_id, now=tomorrow, track_key="core").counts.new == 2
    with pytest.raises(ValidationError):
        study.study_more_new(user_id, core.id, 0, now=NOW)
