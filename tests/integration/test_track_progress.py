"""A track's queue counts the answers given in that track, not every track's."""

from __future__ import annotations

from app.services import study
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
