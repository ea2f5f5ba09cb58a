"""The study services on the real database: enrolments, presets, the daily queue, answering,
idempotency and races, undo, suspend and bury, leeches, privacy and the integrity check."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.domain.questions import AnswerMode, answer_mode
from app.domain.queue import Source
from app.domain.scheduling import CardState, Rating
from app.extensions import db
from app.models import Card, Enrolment, Preset, Question, ReviewLog
from app.services import banks, integrity, study
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.study import queue as study_queue
from tests.concurrency import race
from tests.conftest import count
from tests.factories import NOW, make_user

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NEW_YORK = "America/New_York"

# ------------------------------------------------------------------------------------------------
# A small bank: two recall-only articles and one with a trade-off table, in two tracks that share
# the table article ("cache").
# ------------------------------------------------------------------------------------------------

RECALL_ARTICLE = """\
---
key: {key}
title: {title}
---
# {title}

## Self-Assessment

{items}
"""

TABLE_ARTICLE = """\
---
key: cache
title: Cache
---
# Cache

## The One Thing to Remember

A cache trades **freshness for speed** on every read.

## Trade-off Analysis

### Write policies

| Aspect | Write-through | Write-back |
|---|---|---|
| Latency | Higher: waits for the store | Low: acknowledged from memory |
| Durability | Safe once acknowledged | Lost on crash before flush |
| Store load | One store write per cache write | Fewer, larger store writes |
"""

WIDE_ROWS = 12
WIDE_ARTICLE = (
    """\
---
key: wide
title: Wide
---
# Wide

## Trade-off Analysis

### Four options

| Aspect | North | East | South | West |
|---|---|---|---|---|
"""
    + "\n".join(f"| Aspect {n} | n{n} | e{n} | s{n} | w{n} |" for n in range(1, WIDE_ROWS + 1))
    + "\n"
)

TRACK = """\
key: {key}
title: {title}
description: A track for tests.
level: beginner
articles:
{items}
"""

CORE_ALPHA = [f"alpha:self_assessment:{n}" for n in range(1, 7)]
EXTRA_BETA = [f"beta:self_assessment:{n}" for n in range(1, 5)]
CLOZE = "cache:one_thing"
LATENCY_THROUGH = "cache:table:write-policies:latency:which:write-through"
LATENCY_BACK = "cache:table:write-policies:latency:which:write-back"
LATENCY_COMPARE = "cache:table:write-policies:latency:compare"
DURABILITY_THROUGH = "cache:table:write-policies:durability:which:write-through"
DURABILITY_BACK = "cache:table:write-policies:durability:which:write-back"
DURABILITY_COMPARE = "cache:table:write-policies:durability:compare"
STORE_COMPARE = "cache:table:write-policies:store-load:compare"  # its cells too long to pick
CACHE = [
    CLOZE,
    LATENCY_THROUGH,
    LATENCY_BACK,
    DURABILITY_THROUGH,
    DURABILITY_BACK,
    LATENCY_COMPARE,
    DURABILITY_COMPARE,
    STORE_COMPARE,
]


def write_study_bank(root: Path) -> Path:
    """core = alpha (6 recall questions) + cache; extra = cache + beta (4 recall questions);
    wide = one table of 12 rows by 4 options (a sibling group of 5 questions per row)."""
    (root / "tracks").mkdir(parents=True, exist_ok=True)
    for number, (key, title, size) in enumerate([("alpha", "Alpha", 6), ("beta", "Beta", 4)], 1):
        items = "\n".join(
            f"- [ ] Question {n} about {title}?\n  - Answer {n}." for n in range(1, size + 1)
        )
        (root / f"{number:02d}-{key}.md").write_text(
            RECALL_ARTICLE.format(key=key, title=title, items=items)
        )
    (root / "03-cache.md").write_text(TABLE_ARTICLE)
    (root / "04-wide.md").write_text(WIDE_ARTICLE)
    for key, articles in (
        ("core", ["alpha", "cache"]),
        ("extra", ["cache", "beta"]),
        ("wide", ["wide"]),
    ):
        (root / "tracks" / f"{key}.yaml").write_text(
            TRACK.format(key=key, title=key.title(), items="\n".join(f"  - {a}" for a in articles))
        )
    return root


@pytest.fixture
def bank(app: Any, tmp_path: Path) -> dict[str, int]:
    """Sync the bank; return question ids by key."""
    banks.sync(write_study_bank(tmp_path / "banks"), now=NOW)
    ids = dict(db.session.execute(sa.select(Question.key, Question.id)).all())
    assert set(CORE_ALPHA + EXTRA_BETA + CACHE) <= set(ids)
    return ids


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------

_review_ids = itertools.count(1)


def next_review_id() -> str:
    return f"r-{next(_review_ids)}"


def card_of(user_id: int, question_id: int) -> Card | None:
    return db.session.scalar(
        sa.select(Card).where(Card.user_id == user_id, Card.question_id == question_id)
    )


def version_of(user_id: int, question_id: int) -> int:
    card = card_of(user_id, question_id)
    return card.version if card else 0


def right_response(question: Question) -> str:
    if answer_mode(study.grading_spec(question)) is AnswerMode.CHOICE:
        return str(question.correct)
    assert question.cloze_answer is not None
    return question.cloze_answer


def wrong_response(question: Question) -> str:
    if answer_mode(study.grading_spec(question)) is AnswerMode.CHOICE:
        assert question.correct is not None
        return str((question.correct + 1) % len(question.choices))
    return "something else entirely"


def answer(
    user_id: int,
    question_id: int,
    at: datetime,
    *,
    rating: int | None = Rating.GOOD,
    response: str | None = None,
    right: bool = True,
    review_id: str | None = None,
    version: int | None = None,
    track: str | None = None,
) -> study.AnswerResult:
    """Answer as the page would: the current version, a right (or wrong) response if needed."""
    question = db.session.get(Question, question_id)
    assert question is not None
    if response is None and answer_mode(study.grading_spec(question)) is not AnswerMode.RECALL:
        response = right_response(question) if right else wrong_response(question)
    return study.answer(
        user_id,
        review_id=review_id or next_review_id(),
        question_id=question_id,
        version=version_of(user_id, question_id) if version is None else version,
        now=at,
        rating=rating,
        response=response,
        fuzz=False,
        track_key=track,
    )


def study_all(
    user_id: int, at: datetime, *, track: str | None = None, rating: int = Rating.EASY
) -> list[int]:
    """Answer everything today's queue offers, right and with ``rating``; the ids in order."""
    shown: list[int] = []
    for step in range(200):
        moment = at + step * timedelta(seconds=1)
        item = study.today(user_id, now=moment, track_key=track).item
        if item is None:
            return shown
        assert item.version == version_of(user_id, item.question.id)
        shown.append(item.question.id)
        answer(user_id, item.question.id, moment, rating=rating, track=track)
    raise AssertionError("the queue never ran out")


def logs(user_id: int | None = None) -> list[ReviewLog]:
    query = sa.select(ReviewLog).order_by(ReviewLog.id)
    if user_id is not None:
        query = query.where(ReviewLog.user_id == user_id)
    return list(db.session.scalars(query))


def card_fields(card: Card) -> dict[str, Any]:
    return {
        "state": card.state,
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
        "reps": card.reps,
        "lapses": card.lapses,
        "suspended": card.suspended,
        "buried_until": card.buried_until,
        "leech": card.leech,
    }


def learner(**profile: object) -> int:
    return make_user(**profile).id


def enrolled(*tracks: str, **profile: object) -> int:
    user_id = learner(**profile)
    for offset, track in enumerate(tracks):
        study.enrol(user_id, track, now=NOW + offset * timedelta(seconds=1))
    return user_id


def enrolment(user_id: int, track: str) -> Enrolment:
    found = study.enrolment_for_track(user_id, track)
    assert found is not None
    return found


def set_preset(user_id: int, track: str, **values: object) -> Preset:
    return study.update_preset(user_id, enrolment(user_id, track).id, values, now=NOW)


# ------------------------------------------------------------------------------------------------
# Enrolments
# ------------------------------------------------------------------------------------------------


def test_enrolling_creates_a_default_preset_and_enrolling_twice_returns_the_same(bank):
    user_id = learner()

    first = study.enrol(user_id, "core", now=NOW)
    again = study.enrol(user_id, "core", now=NOW + HOUR)

    assert again.id == first.id
    assert count(Enrolment) == 1
    assert count(Preset) == 1
    preset = study.current_preset_row(first)
    assert (preset.desired_retention, preset.new_per_day, preset.max_reviews_per_day) == (
        0.9,
        10,
        200,
    )
    assert [e.track.key for e in study.list_enrolments(user_id)] == ["core"]


def test_enrolling_in_an_unknown_track_is_not_found(bank):
    with pytest.raises(NotFound, match="nosuch"):
        study.enrol(learner(), "nosuch", now=NOW)
    assert count(Enrolment) == 0


def test_leaving_keeps_the_cards_and_re_enrolling_reattaches_them(bank):
    user_id = enrolled("core")
    answer(user_id, bank[CORE_ALPHA[0]], NOW, rating=Rating.EASY)
    first = enrolment(user_id, "core")

    study.leave(user_id, first.id, now=NOW)

    card = card_of(user_id, bank[CORE_ALPHA[0]])
    # The enrolment is kept, marked left, so its presets still replay the card's history.
    assert card is not None and card.enrolment_id == first.id
    assert db.session.get(Enrolment, first.id).left_at == NOW
    assert card.reps == 1
    assert len(logs(user_id)) == 1
    assert study.list_enrolments(user_id) == []
    assert study.today(user_id, now=NOW + DAY).item is None

    again = study.enrol(user_id, "core", now=NOW + DAY)
    assert again.id == first.id and again.left_at is None
    db.session.refresh(card)
    assert card.enrolment_id == again.id
    # The kept card is a due review again, not a new question.
    set_preset(user_id, "core", new_per_day=0)
    assert card.due is not None
    state = study.today(user_id, now=card.due + MINUTE)
    assert state.item is not None
    assert (state.item.question.id, state.item.source) == (bank[CORE_ALPHA[0]], Source.REVIEW)
    assert state.item.card is not None and state.item.card.id == card.id


def test_leaving_moves_cards_to_another_enrolment_that_covers_the_article(bank):
    user_id = enrolled("core", "extra")
    answer(user_id, bank[CORE_ALPHA[0]], NOW)
    answer(user_id, bank[CLOZE], NOW)
    core, extra = enrolment(user_id, "core"), enrolment(user_id, "extra")
    assert card_of(user_id, bank[CLOZE]).enrolment_id == core.id

    study.leave(user_id, core.id, now=NOW)

    assert card_of(user_id, bank[CLOZE]).enrolment_id == extra.id  # extra covers "cache"
    # Nothing else covers "alpha": the card stays with the left enrolment, out of every queue.
    assert card_of(user_id, bank[CORE_ALPHA[0]]).enrolment_id == core.id
    assert [e.id for e in study.list_enrolments(user_id)] == [extra.id]


def test_nobody_can_leave_or_read_someone_elses_enrolment(bank):
    owner = enrolled("core")
    other = learner()
    owned = enrolment(owner, "core")

    with pytest.raises(NotFound):
        study.leave(other, owned.id, now=NOW)
    with pytest.raises(NotFound):
        study.update_preset(other, owned.id, {"new_per_day": 1}, now=NOW)
    assert study.get_enrolment(owner, owned.id).id == owned.id
    assert study.current_preset_row(owned).new_per_day == 10


# ------------------------------------------------------------------------------------------------
# Presets
# ------------------------------------------------------------------------------------------------


def test_an_invalid_preset_reports_every_error_at_once_and_changes_nothing(bank):
    user_id = enrolled("core")
    core = enrolment(user_id, "core")

    with pytest.raises(ValidationError) as error:
        study.update_preset(
            user_id,
            core.id,
            {"desired_retention": 0.5, "new_per_day": -1, "learning_steps": "10m 1m"},
            now=NOW,
        )

    assert set(error.value.errors) == {"desired_retention", "new_per_day", "learning_steps"}
    assert "0.70" in error.value.errors["desired_retention"]
    assert "0.97" in error.value.errors["desired_retention"]
    assert "0.5" in error.value.errors["desired_retention"]
    assert count(Preset) == 1
    assert study.current_preset_row(core).desired_retention == 0.9


def test_an_unknown_preset_field_is_named(bank):
    user_id = enrolled("core")
    with pytest.raises(ValidationError) as error:
        set_preset(user_id, "core", retention=0.9)
    assert "retention" in error.value.errors
    assert count(Preset) == 1


def test_a_valid_change_adds_a_version_and_higher_retention_shortens_future_intervals(bank):
    user_id = enrolled("core")
    before = answer(user_id, bank[CORE_ALPHA[0]], NOW, rating=Rating.EASY)
    first_due = card_of(user_id, bank[CORE_ALPHA[0]]).due

    row = set_preset(user_id, "core", desired_retention=0.97)

    core = enrolment(user_id, "core")
    assert [p.desired_retention for p in core.presets] == [0.9, 0.97]
    assert study.current_preset_row(core).id == row.id
    after = answer(user_id, bank[CORE_ALPHA[1]], NOW, rating=Rating.EASY)
    assert after.state is before.state is CardState.REVIEW
    assert 0 < after.interval_days < before.interval_days
    assert logs(user_id)[-1].preset_id == row.id
    # Only future answers change: the first card keeps its due date.
    assert card_of(user_id, bank[CORE_ALPHA[0]]).due == first_due


def test_saving_the_same_preset_adds_no_version(bank):
    user_id = enrolled("core")
    current = study.current_preset_row(enrolment(user_id, "core"))

    same = set_preset(user_id, "core", desired_retention=0.9, learning_steps="1m 10m")

    assert same.id == current.id
    assert count(Preset) == 1


# ------------------------------------------------------------------------------------------------
# Daily limits and the learner's day
# ------------------------------------------------------------------------------------------------


def test_the_daily_new_limit_is_respected_and_resets_the_next_day(bank):
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=3)

    assert study.today(user_id, now=NOW).counts.new == 3
    first_day = study_all(user_id, NOW)

    assert first_day == [bank[k] for k in CORE_ALPHA[:3]]  # track order
    state = study.today(user_id, now=NOW + HOUR)
    assert (state.item, state.counts.new, state.counts.done_today) == (None, 0, 3)
    assert state.next_due is not None and state.next_due > NOW + DAY

    second_day = study_all(user_id, NOW + DAY)
    assert second_day == [bank[k] for k in CORE_ALPHA[3:6]]


def test_the_review_limit_is_respected(bank):
    user_id = enrolled("core")
    for key in CORE_ALPHA[:5]:
        answer(user_id, bank[key], NOW, rating=Rating.EASY)
    set_preset(user_id, "core", new_per_day=0, max_reviews_per_day=2)
    later = NOW + 30 * DAY

    assert study.today(user_id, now=later).counts.review == 2
    reviewed = study_all(user_id, later, rating=Rating.GOOD)

    assert reviewed == [bank[k] for k in CORE_ALPHA[:2]]  # equal recall: question order
    assert all(log.state_before == CardState.REVIEW for log in logs(user_id)[5:])
    assert study.today(user_id, now=later + HOUR).item is None
    assert study_all(user_id, later + DAY, rating=Rating.GOOD) == [bank[k] for k in CORE_ALPHA[2:4]]


def test_a_backlog_beyond_the_limit_shows_the_least_recalled_reviews_first(bank, monkeypatch):
    # Only the review limit plus a margin is read from the database, ranked there by elapsed
    # time over stability; the cards left out must be the better-remembered ones.
    monkeypatch.setattr(study_queue, "REVIEW_MARGIN", 0)
    user_id = enrolled("core")
    keys = CORE_ALPHA[:5]
    for key in keys:
        answer(user_id, bank[key], NOW, rating=Rating.EASY)
    set_preset(user_id, "core", new_per_day=0, max_reviews_per_day=2)
    stabilities = dict(zip(keys, (40.0, 5.0, 30.0, 3.0, 20.0), strict=True))
    for key, stability in stabilities.items():
        card = card_of(user_id, bank[key])
        card.stability = stability
        card.due = NOW + DAY
    db.session.commit()
    later = NOW + 10 * DAY

    assert study.today(user_id, now=later).counts.review == 2
    reviewed = study_all(user_id, later, rating=Rating.GOOD)

    # Lowest stability (lowest recall after the same ten days) first: 3.0, then 5.0.
    assert reviewed == [bank[keys[3]], bank[keys[1]]]


def test_limits_reset_at_the_learners_day_start_not_at_utc_midnight(bank):
    user_id = enrolled("core", timezone=NEW_YORK, day_start_hour=4)
    set_preset(user_id, "core", new_per_day=1)
    evening = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 18:00 EST

    assert len(study_all(user_id, evening)) == 1

    after_utc_midnight = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
    assert study.today(user_id, now=after_utc_midnight).item is None
    just_before = datetime(2026, 3, 3, 8, 59, tzinfo=UTC)  # 03:59 EST
    state = study.today(user_id, now=just_before)
    assert state.item is None
    assert state.day.end == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    at_day_start = study.today(user_id, now=datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    assert at_day_start.item is not None
    assert at_day_start.item.question.id == bank[CORE_ALPHA[1]]


def test_limits_reset_at_the_local_day_start_across_a_daylight_saving_change(bank):
    user_id = enrolled("core", timezone=NEW_YORK, day_start_hour=4)
    set_preset(user_id, "core", new_per_day=1)
    saturday_night = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)  # 22:00 EST on 7 March

    assert len(study_all(user_id, saturday_night)) == 1
    day = study.today(user_id, now=saturday_night).day
    assert (day.start, day.end) == (
        datetime(2026, 3, 7, 9, 0, tzinfo=UTC),  # 04:00 EST
        datetime(2026, 3, 8, 8, 0, tzinfo=UTC),  # 04:00 EDT: a 23-hour day
    )

    # After UTC midnight, and a minute before 04:00 EDT: still Saturday's study day.
    for hour, minute in ((5, 30), (7, 59)):
        moment = datetime(2026, 3, 8, hour, minute, tzinfo=UTC)
        assert study.today(user_id, now=moment).item is None, moment
    # 08:00 UTC is 04:00 EDT; under the winter offset it would still be 03:00.
    sunday = study.today(user_id, now=datetime(2026, 3, 8, 8, 0, tzinfo=UTC))
    assert sunday.item is not None
    assert sunday.day.start == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    assert sunday.counts.done_today == 0


def test_the_autumn_day_is_25_hours_and_its_limit_holds_throughout(bank):
    user_id = enrolled("core", timezone=NEW_YORK, day_start_hour=4)
    set_preset(user_id, "core", new_per_day=1)
    morning = datetime(2026, 10, 31, 9, 0, tzinfo=UTC)  # 05:00 EDT on 31 October

    assert len(study_all(user_id, morning)) == 1
    # 08:30 UTC on 1 November is 03:30 EST: still the 31st's study day.
    late = study.today(user_id, now=datetime(2026, 11, 1, 8, 30, tzinfo=UTC))
    assert late.item is None
    assert late.day.end - late.day.start == 25 * HOUR
    assert study.today(user_id, now=datetime(2026, 11, 1, 9, 0, tzinfo=UTC)).item is not None


# ------------------------------------------------------------------------------------------------
# Siblings
# ------------------------------------------------------------------------------------------------


def test_after_one_sibling_is_answered_the_others_wait_until_tomorrow(bank):
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=50)

    first_day = set(study_all(user_id, NOW))

    first = [*CORE_ALPHA, CLOZE, LATENCY_THROUGH, DURABILITY_THROUGH, STORE_COMPARE]
    assert {bank[k] for k in first} == first_day
    second_day = set(study_all(user_id, NOW + DAY))
    assert second_day == {bank[LATENCY_BACK], bank[DURABILITY_BACK]}
    third_day = set(study_all(user_id, NOW + 2 * DAY))
    assert third_day == {bank[LATENCY_COMPARE], bank[DURABILITY_COMPARE]}


def test_a_sibling_answered_outside_the_queue_blocks_the_others_today(bank):
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=50)
    answer(user_id, bank[LATENCY_COMPARE], NOW, rating=Rating.EASY)

    shown = study_all(user_id, NOW + MINUTE)

    assert bank[LATENCY_THROUGH] not in shown
    assert bank[LATENCY_BACK] not in shown
    assert bank[DURABILITY_THROUGH] in shown


def test_the_new_limit_is_reached_when_siblings_of_todays_answers_come_first(bank):
    user_id = enrolled("wide")
    groups = dict(db.session.execute(sa.select(Question.id, Question.sibling_group)).all())

    shown = study_all(user_id, NOW)

    # Twelve rows, one question per row a day: the default limit of 10 new cards is reached,
    # even though each answered row leaves four waiting siblings ahead in track order.
    assert len(shown) == 10
    assert len({groups[qid] for qid in shown}) == 10


def test_two_siblings_are_never_back_to_back(bank):
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=50)
    # Both latency questions wrong, answered straight from a browse page: two learning siblings.
    answer(user_id, bank[LATENCY_THROUGH], NOW, right=False)
    answer(user_id, bank[LATENCY_BACK], NOW + timedelta(seconds=1), right=False)
    groups = dict(db.session.execute(sa.select(Question.id, Question.sibling_group)).all())
    latency = groups[bank[LATENCY_THROUGH]]

    previous = bank[LATENCY_BACK]
    latency_shown = 0
    moment = NOW + 5 * MINUTE
    for _ in range(8):
        item = study.today(user_id, now=moment).item
        assert item is not None
        qid = item.question.id
        assert not (groups[qid] is not None and groups[qid] == groups[previous]), (
            "siblings back to back"
        )
        if groups[qid] == latency:
            latency_shown += 1
            answer(user_id, qid, moment, right=False)  # Again: stays in learning
        else:
            answer(user_id, qid, moment, rating=Rating.EASY)
        previous = qid
        moment += 5 * MINUTE

    assert latency_shown >= 3  # the rule was exercised, not avoided


# ------------------------------------------------------------------------------------------------
# A question in two tracks
# ------------------------------------------------------------------------------------------------


def test_a_question_in_two_tracks_is_one_card_scheduled_by_the_track_that_introduced_it(bank):
    user_id = enrolled("core", "extra")
    set_preset(user_id, "core", new_per_day=50)
    set_preset(user_id, "extra", new_per_day=50, desired_retention=0.97)
    core, extra = enrolment(user_id, "core"), enrolment(user_id, "extra")

    shown = study_all(user_id, NOW)

    assert len(shown) == len(set(shown))  # never twice in a day
    assert bank[CLOZE] in shown
    assert count(Card) == len(shown)
    cloze_card = card_of(user_id, bank[CLOZE])
    assert cloze_card.enrolment_id == core.id
    cloze_log = next(log for log in logs(user_id) if log.card_id == cloze_card.id)
    assert cloze_log.preset_id == study.current_preset_row(core).id
    beta_card = card_of(user_id, bank[EXTRA_BETA[0]])
    assert beta_card.enrolment_id == extra.id
    # Easy on a new card: the shared card got core's 90% interval, beta extra's shorter 97% one.
    assert cloze_card.due - NOW > beta_card.due - NOW
    # Nothing of the shared article comes back from the other track today.
    assert study.today(user_id, now=NOW + HOUR, track_key="extra").item is None


def test_each_tracks_new_limit_holds_in_the_combined_queue_with_shared_questions(bank):
    user_id = enrolled("core", "extra")
    set_preset(user_id, "core", new_per_day=1)
    set_preset(user_id, "extra", new_per_day=2)
    core, extra = enrolment(user_id, "core"), enrolment(user_id, "extra")

    shown = study_all(user_id, NOW)

    assert len(shown) == 3
    by_enrolment = [log.enrolment_id for log in logs(user_id)]
    assert sorted(by_enrolment) == sorted([core.id, extra.id, extra.id])
    for qid in shown:
        card = card_of(user_id, qid)
        home = core if card.question.article.key in {"alpha", "cache"} else extra
        assert card.enrolment_id == home.id, card.question.key


def test_studying_one_track_uses_that_tracks_preset_and_limit_for_shared_questions(bank):
    user_id = enrolled("core", "extra")
    set_preset(user_id, "extra", new_per_day=2, desired_retention=0.97)
    extra = enrolment(user_id, "extra")

    shown = study_all(user_id, NOW, track="extra")

    assert len(shown) == 2
    for qid in shown:
        card = card_of(user_id, qid)
        assert card.enrolment_id == extra.id
    assert {log.preset_id for log in logs(user_id)} == {study.current_preset_row(extra).id}


# ------------------------------------------------------------------------------------------------
# Answering and grading
# ------------------------------------------------------------------------------------------------


def test_a_wrong_choice_is_again_even_when_easy_was_asked(bank):
    user_id = enrolled("core")

    result = answer(user_id, bank[LATENCY_THROUGH], NOW, rating=Rating.EASY, right=False)

    assert result.correct is False
    assert result.rating is Rating.AGAIN
    assert result.expected == "**Latency:** Higher: waits for the store"
    assert result.state is CardState.LEARNING
    log = logs(user_id)[0]
    wrong = wrong_response(db.session.get(Question, bank[LATENCY_THROUGH]))
    assert (log.rating, log.correct, log.answer) == (Rating.AGAIN, False, wrong)


@pytest.mark.parametrize(
    ("asked", "recorded"),
    [(None, Rating.GOOD), (Rating.HARD, Rating.HARD), (Rating.EASY, Rating.EASY)],
)
def test_a_right_choice_is_good_by_default_and_hard_or_easy_when_asked(bank, asked, recorded):
    user_id = enrolled("core")

    result = answer(user_id, bank[LATENCY_BACK], NOW, rating=asked)

    assert result.correct is True
    assert result.rating is recorded
    assert logs(user_id)[0].rating == recorded


def test_a_cloze_is_graded_leniently_and_a_wrong_blank_is_again(bank):
    user_id = enrolled("core")

    right = answer(user_id, bank[CLOZE], NOW, rating=None, response="  Freshness-for  SPEED. ")
    assert (right.correct, right.rating, right.expected) == (
        True,
        Rating.GOOD,
        "freshness for speed",
    )

    other = enrolled("core")
    wrong = answer(other, bank[CLOZE], NOW, rating=Rating.EASY, response="speed")
    assert (wrong.correct, wrong.rating) == (False, Rating.AGAIN)


def test_recall_needs_a_rating(bank):
    user_id = enrolled("core")

    with pytest.raises(ValidationError) as error:
        answer(user_id, bank[CORE_ALPHA[0]], NOW, rating=None)
    assert set(error.value.errors) == {"rating"}
    assert count(ReviewLog) == count(Card) == 0

    result = answer(user_id, bank[CORE_ALPHA[0]], NOW, rating=Rating.HARD)
    assert (result.correct, result.rating) == (None, Rating.HARD)


@pytest.mark.parametrize(
    ("key", "changes", "field"),
    [
        (CORE_ALPHA[0], {"rating": 5}, "rating"),
        (CORE_ALPHA[0], {"rating": 0}, "rating"),
        (LATENCY_BACK, {"rating": 7, "response": "1"}, "rating"),
        (LATENCY_BACK, {"response": None}, "response"),
        (LATENCY_BACK, {"response": "   "}, "response"),
        (LATENCY_BACK, {"response": "9"}, "response"),
        (LATENCY_BACK, {"response": "Write-back"}, "response"),
        (CLOZE, {"response": ""}, "response"),
        (CORE_ALPHA[0], {"review_id": ""}, "review_id"),
        (CORE_ALPHA[0], {"review_id": "   "}, "review_id"),
        (CORE_ALPHA[0], {"review_id": "x" * 65}, "review_id"),
        (CORE_ALPHA[0], {"duration_ms": -1}, "duration_ms"),
    ],
)
def test_malformed_input_names_the_field_and_records_nothing(bank, key, changes, field):
    user_id = enrolled("core")
    arguments: dict[str, Any] = {
        "review_id": "fine-id",
        "question_id": bank[key],
        "version": 0,
        "now": NOW,
        "rating": Rating.GOOD,
        "response": None,
        "fuzz": False,
    }
    arguments.update(changes)

    with pytest.raises(ValidationError) as error:
        study.answer(user_id, **arguments)

    assert field in error.value.errors
    assert error.value.errors[field]
    assert count(ReviewLog) == count(Card) == 0


def test_a_review_id_of_64_characters_is_accepted(bank):
    user_id = enrolled("core")
    result = answer(user_id, bank[CORE_ALPHA[0]], NOW, review_id="x" * 64)
    assert result.review_id == "x" * 64


def test_a_question_outside_the_learners_tracks_is_not_found(bank):
    user_id = enrolled("core")
    with pytest.raises(NotFound):
        answer(user_id, bank[EXTRA_BETA[0]], NOW)
    with pytest.raises(NotFound):
        study.answer(
            user_id, review_id="x", question_id=10**9, version=0, now=NOW, rating=3, fuzz=False
        )
    assert count(ReviewLog) == count(Card) == 0


# ------------------------------------------------------------------------------------------------
# Idempotency and races
# ------------------------------------------------------------------------------------------------


def test_the_same_review_id_twice_returns_the_first_result_and_records_once(bank):
    user_id = enrolled("core")

    first = answer(user_id, bank[CORE_ALPHA[0]], NOW, rating=Rating.GOOD, review_id="same")
    again = answer(
        user_id, bank[CORE_ALPHA[0]], NOW + MINUTE, rating=Rating.EASY, review_id="same", version=0
    )

    assert first.replayed is False
    assert again.replayed is True
    assert (again.rating, again.due, again.state, again.version) == (
        first.rating,
        first.due,
        first.state,
        first.version,
    )
    assert len(logs(user_id)) == 1
    assert card_of(user_id, bank[CORE_ALPHA[0]]).reps == 1


def test_a_review_id_reused_for_another_question_is_a_conflict(bank):
    user_id = enrolled("core")
    answer(user_id, bank[CORE_ALPHA[0]], NOW, review_id="once")

    with pytest.raises(Conflict, match="once"):
        answer(user_id, bank[CORE_ALPHA[1]], NOW, review_id="once")

    assert len(logs(user_id)) == 1
    assert card_of(user_id, bank[CORE_ALPHA[1]]) is None


def test_review_ids_are_per_learner(bank):
    ada, bob = enrolled("core"), enrolled("core")
    answer(ada, bank[CORE_ALPHA[0]], NOW, review_id="shared-id")

    result = answer(bob, bank[CORE_ALPHA[1]], NOW, review_id="shared-id")

    assert result.replayed is False
    assert len(logs(bob)) == 1


def test_a_stale_tab_gets_a_conflict_and_nothing_is_recorded(bank):
    user_id = enrolled("core")
    qid = bank[CORE_ALPHA[0]]
    # Both tabs show the new question (version 0); the first answers it.
    answer(user_id, qid, NOW, rating=Rating.GOOD, version=0)
    after_first = card_fields(card_of(user_id, qid))
    version = version_of(user_id, qid)

    with pytest.raises(Conflict):
        answer(user_id, qid, NOW + MINUTE, rating=Rating.AGAIN, version=0)

    # Both tabs now show version 1; one answers, the other is stale again.
    answer(user_id, qid, NOW + 10 * MINUTE, rating=Rating.GOOD, version=version)
    after_second = card_fields(card_of(user_id, qid))
    with pytest.raises(Conflict):
        answer(user_id, qid, NOW + 11 * MINUTE, rating=Rating.AGAIN, version=version)

    db.session.expire_all()
    assert card_fields(card_of(user_id, qid)) == after_second != after_first
    assert [log.rating for log in logs(user_id)] == [Rating.GOOD, Rating.GOOD]


def _race(
    app: Any, user_id: int, question_id: int, version: int, at: datetime, review_ids: list[str]
) -> list[object]:
    """Two requests answer the same card at the same moment, Good and Again."""

    def answering(review_id: str, rating: int) -> Callable[[], object]:
        return lambda: study.answer(
            user_id,
            review_id=review_id,
            question_id=question_id,
            version=version,
            now=at,
            rating=rating,
            fuzz=False,
        )

    ratings = (Rating.GOOD, Rating.AGAIN)
    return race(app, *(answering(r, g) for r, g in zip(review_ids, ratings, strict=True)))


def test_a_real_race_between_two_requests_has_exactly_one_winner(app, bank):
    user_id = enrolled("core")
    questions = [bank[k] for k in CORE_ALPHA[:3]]
    # Existing cards as well as new ones: answer the last question once first.
    answer(user_id, questions[2], NOW - HOUR, rating=Rating.GOOD)
    versions = {qid: version_of(user_id, qid) for qid in questions}
    db.session.commit()  # hold no transaction while the threads run

    for round_number, qid in enumerate(questions):
        before = count(ReviewLog)
        moment = NOW + round_number * MINUTE
        outcomes = _race(app, user_id, qid, versions[qid], moment, [f"{qid}-a", f"{qid}-b"])

        winners = [o for o in outcomes if isinstance(o, study.AnswerResult)]
        losers = [o for o in outcomes if isinstance(o, Conflict)]
        assert (len(winners), len(losers)) == (1, 1), outcomes
        db.session.expire_all()
        assert count(ReviewLog) == before + 1
        assert winners[0].replayed is False
        card = card_of(user_id, qid)
        assert card.version == winners[0].version > versions[qid]
        log = db.session.scalar(
            sa.select(ReviewLog).where(ReviewLog.card_id == card.id).order_by(ReviewLog.id.desc())
        )
        assert log.review_id == winners[0].review_id
        assert log.rating == winners[0].rating
        assert card.reps == log.before["reps"] + 1
    assert count(Card) == 3


def test_a_real_race_with_the_same_review_id_records_once_and_replays_the_other(app, bank):
    user_id = enrolled("core")
    questions = [bank[k] for k in CORE_ALPHA[:2]]
    answer(user_id, questions[1], NOW - HOUR, rating=Rating.GOOD)
    versions = {qid: version_of(user_id, qid) for qid in questions}
    db.session.commit()

    for round_number, qid in enumerate(questions):
        before = count(ReviewLog)
        moment = NOW + round_number * MINUTE
        outcomes = _race(app, user_id, qid, versions[qid], moment, [f"same-{qid}"] * 2)

        assert all(isinstance(o, study.AnswerResult) for o in outcomes), outcomes
        results = sorted(outcomes, key=lambda o: o.replayed)  # type: ignore[attr-defined]
        first, replay = results
        assert (first.replayed, replay.replayed) == (False, True)
        assert (replay.rating, replay.due, replay.version) == (
            first.rating,
            first.due,
            first.version,
        )
        db.session.expire_all()
        assert count(ReviewLog) == before + 1


# ------------------------------------------------------------------------------------------------
# Undo
# ------------------------------------------------------------------------------------------------


def test_undo_restores_the_card_exactly_and_keeps_the_log_marked_undone(bank):
    user_id = enrolled("core")
    qid = bank[CORE_ALPHA[0]]
    answer(user_id, qid, NOW, rating=Rating.EASY)
    before = card_fields(card_of(user_id, qid))
    later = before["due"] + DAY
    lapse = answer(user_id, qid, later, rating=Rating.AGAIN)
    assert lapse.state is CardState.RELEARNING
    changed_version = lapse.version

    assert study.undo(user_id, now=later + MINUTE) == qid

    db.session.expire_all()
    card = card_of(user_id, qid)
    assert card_fields(card) == before
    assert card.state == CardState.REVIEW and card.lapses == 0 and card.reps == 1
    assert card.version == changed_version + 1  # a tab showing the undone answer is now stale
    rows = logs(user_id)
    assert len(rows) == 2
    assert rows[0].undone_at is None
    assert rows[1].undone_at == later + MINUTE
    assert rows[1].rating == Rating.AGAIN  # the row is kept as it was


def test_resending_an_undone_answers_review_id_is_a_conflict_not_a_replay(bank):
    user_id = enrolled("core")
    qid = bank[CORE_ALPHA[0]]
    answer(user_id, qid, NOW, review_id="once-only-0001", version=0)
    assert study.undo(user_id, now=NOW + MINUTE) == qid
    with pytest.raises(Conflict, match="was undone"):
        answer(user_id, qid, NOW + 2 * MINUTE, review_id="once-only-0001", version=0)
    db.session.expire_all()
    assert [log.undone_at is not None for log in logs(user_id)] == [True]


def test_undoing_twice_walks_back_through_the_answers_and_then_stops(bank):
    user_id = enrolled("core")
    first, second = bank[CORE_ALPHA[0]], bank[CORE_ALPHA[1]]
    answer(user_id, first, NOW)
    answer(user_id, second, NOW + MINUTE)

    assert study.undo(user_id, now=NOW + 2 * MINUTE) == second
    assert study.undo(user_id, now=NOW + 3 * MINUTE) == first
    with pytest.raises(NotFound):
        study.undo(user_id, now=NOW + 4 * MINUTE)
    assert all(log.undone_at is not None for log in logs(user_id))


def test_undoing_a_first_answer_puts_the_question_back_as_new(bank):
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=1)
    qid = bank[CORE_ALPHA[0]]
    answer(user_id, qid, NOW, rating=Rating.EASY)
    assert study.today(user_id, now=NOW + MINUTE).item is None  # the day's one new card is used

    study.undo(user_id, now=NOW + MINUTE)

    db.session.expire_all()
    card = card_of(user_id, qid)
    assert (card.state, card.reps, card.due, card.stability, card.last_review) == (
        CardState.NEW,
        0,
        None,
        None,
        None,
    )
    state = study.today(user_id, now=NOW + 2 * MINUTE)
    assert state.item is not None
    assert (state.item.question.id, state.item.source) == (qid, Source.NEW)
    assert state.counts.done_today == 0
    # The restored card answers like a new one, at its current version.
    again = answer(user_id, qid, NOW + 3 * MINUTE, rating=Rating.GOOD, version=state.item.version)
    assert again.state is CardState.LEARNING


# ------------------------------------------------------------------------------------------------
# Suspend, bury, leeches
# ------------------------------------------------------------------------------------------------


def test_a_suspended_question_is_never_shown_until_unsuspended(bank):
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=50)
    new_one, review_one = bank[CORE_ALPHA[0]], bank[CORE_ALPHA[1]]
    answer(user_id, review_one, NOW - 30 * DAY, rating=Rating.EASY)

    study.suspend(user_id, new_one, now=NOW)
    study.suspend(user_id, review_one, now=NOW)

    shown = study_all(user_id, NOW)
    assert new_one not in shown and review_one not in shown
    assert shown  # the rest of the track was still there

    study.unsuspend(user_id, new_one, now=NOW + DAY)
    study.unsuspend(user_id, review_one, now=NOW + DAY)
    assert {new_one, review_one} <= set(study_all(user_id, NOW + DAY))


def test_a_buried_card_comes_back_at_the_learners_next_day_start(bank):
    user_id = enrolled("core", timezone=NEW_YORK, day_start_hour=4)
    qid = bank[CORE_ALPHA[0]]
    moment = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 15:00 EST

    card = study.bury(user_id, qid, now=moment)

    assert card.buried_until == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 04:00 EST
    item = study.today(user_id, now=moment).item
    assert item is not None and item.question.id != qid
    assert study.today(user_id, now=datetime(2026, 3, 3, 8, 59, tzinfo=UTC)).item.question.id != qid
    back = study.today(user_id, now=datetime(2026, 3, 3, 9, 0, tzinfo=UTC)).item
    assert back is not None and back.question.id == qid


def test_answering_a_buried_card_unburies_it(bank):
    user_id = enrolled("core")
    qid = bank[CORE_ALPHA[0]]
    study.bury(user_id, qid, now=NOW)
    answer(user_id, qid, NOW + MINUTE)
    assert card_of(user_id, qid).buried_until is None


def test_a_card_that_lapses_twice_with_threshold_2_becomes_a_suspended_leech(bank):
    user_id = enrolled("core")
    set_preset(user_id, "core", leech_threshold=2)
    qid = bank[CORE_ALPHA[0]]

    moment = NOW
    answer(user_id, qid, moment, rating=Rating.EASY)
    for lapse in (1, 2):
        moment = card_of(user_id, qid).due + HOUR
        result = answer(user_id, qid, moment, rating=Rating.AGAIN)
        assert result.state is CardState.RELEARNING
        assert card_of(user_id, qid).lapses == lapse
        if lapse == 1:
            assert (result.leech, result.suspended) == (False, False)
            moment = card_of(user_id, qid).due
            assert answer(user_id, qid, moment, rating=Rating.GOOD).state is CardState.REVIEW

    assert (result.leech, result.suspended) == (True, True)
    assert [c.question_id for c in study.leeches(user_id)] == [qid]
    assert study.today(user_id, now=moment + DAY).item.question.id != qid

    study.unsuspend(user_id, qid, now=moment + DAY)
    assert study.leeches(user_id) == []


# ------------------------------------------------------------------------------------------------
# Privacy: one learner's cards are theirs alone
# ------------------------------------------------------------------------------------------------


def test_another_learner_never_sees_or_changes_someone_elses_card(bank):
    ada, bob = enrolled("core"), enrolled("core")
    qid = bank[CORE_ALPHA[0]]
    for step in range(3):
        answer(ada, qid, NOW + step * DAY, rating=Rating.AGAIN)
    adas = card_fields(card_of(ada, qid))
    adas_version = version_of(ada, qid)

    # Bob's queue offers the question as new, with no card: never Ada's card.
    item = study.today(bob, now=NOW + 2 * DAY + MINUTE).item
    assert item is not None and item.question.id == qid
    assert (item.card, item.source, item.version) == (None, Source.NEW, 0)
    # Sending Ada's version names no card of Bob's: a conflict, not access.
    with pytest.raises(Conflict):
        answer(bob, qid, NOW + 2 * DAY + MINUTE, version=adas_version)
    result = answer(bob, qid, NOW + 2 * DAY + MINUTE, rating=Rating.EASY, version=0)
    assert result.state is CardState.REVIEW
    study.suspend(bob, bank[CORE_ALPHA[1]], now=NOW + 3 * DAY)
    with pytest.raises(NotFound):
        study.undo(learner(), now=NOW + 3 * DAY)

    db.session.expire_all()
    assert card_fields(card_of(ada, qid)) == adas
    assert version_of(ada, qid) == adas_version
    assert card_of(bob, qid).id != card_of(ada, qid).id
    assert card_of(ada, bank[CORE_ALPHA[1]]) is None
    assert len(logs(ada)) == 3 and len(logs(bob)) == 1
    assert all(c.user_id == ada for c in study.leeches(ada))
    # Bob's undo takes back Bob's answer, never Ada's.
    assert study.undo(bob, now=NOW + 3 * DAY) == qid
    assert card_fields(card_of(ada, qid)) == adas
    assert [log.undone_at for log in logs(ada)] == [None, None, None]


def test_a_learners_queue_never_contains_another_learners_cards(bank):
    ada, bob = enrolled("core"), enrolled("core")
    for key in CORE_ALPHA:
        answer(ada, bank[key], NOW, rating=Rating.AGAIN)
    ada_cards = {c.id for c in db.session.scalars(sa.select(Card).where(Card.user_id == ada))}

    state = study.today(bob, now=NOW + HOUR)

    assert state.counts.learning == 0 and state.counts.review == 0
    assert state.item is not None and state.item.card is None
    shown_cards = set()
    for moment in (NOW + HOUR, NOW + 10 * DAY):
        for _ in range(5):
            item = study.today(bob, now=moment).item
            if item is None:
                break
            if item.card is not None:
                shown_cards.add(item.card.id)
            answer(bob, item.question.id, moment, rating=Rating.EASY)
    assert not shown_cards & ada_cards


# ------------------------------------------------------------------------------------------------
# Integrity: replaying the log reproduces every card
# ------------------------------------------------------------------------------------------------


def test_verify_finds_no_mismatch_after_answers_and_one_after_corruption(bank, runner):
    user_id = enrolled("core")
    set_preset(user_id, "core", new_per_day=50)
    study_all(user_id, NOW, rating=Rating.GOOD)
    study_all(user_id, NOW + 20 * MINUTE, rating=Rating.GOOD)
    set_preset(user_id, "core", desired_retention=0.95)  # later answers under a newer preset
    study_all(user_id, NOW + 3 * DAY, rating=Rating.HARD)
    answer(user_id, bank[CORE_ALPHA[0]], NOW + 30 * DAY, rating=Rating.AGAIN)
    answer(user_id, bank[CORE_ALPHA[1]], NOW + 30 * DAY, rating=Rating.EASY)
    study.undo(user_id, now=NOW + 30 * DAY)
    cards = count(Card)
    assert cards > 5

    clean = runner.invoke(args=["cards", "verify"])

    assert clean.exit_code == 0, clean.output
    assert f"{cards} cards checked, 0 differ" in clean.output
    assert integrity.verify_cards() == (cards, [])

    target = card_of(user_id, bank[CORE_ALPHA[2]])
    db.session.execute(
        sa.update(Card).where(Card.id == target.id).values(stability=target.stability * 2)
    )
    db.session.commit()

    corrupt = runner.invoke(args=["cards", "verify"])
    assert corrupt.exit_code == 1
    assert f"{cards} cards checked, 1 differ" in corrupt.output
    assert f"card {target.id} (user {user_id}): stability" in corrupt.stderr
    checked, mismatches = integrity.verify_cards()
    assert checked == cards
    assert [(m.card_id, m.user_id, m.field) for m in mismatches] == [
        (target.id, user_id, "stability")
    ]
    other = runner.invoke(args=["cards", "verify", "--user-id", str(learner())])
    assert other.exit_code == 0
    assert "0 cards checked" in other.output


def test_cards_kept_after_leaving_still_verify(bank):
    user_id = enrolled("core", "extra")
    set_preset(user_id, "core", desired_retention=0.97)
    answer(user_id, bank[CORE_ALPHA[0]], NOW, rating=Rating.EASY)
    answer(user_id, bank[CLOZE], NOW, rating=Rating.EASY)
    assert integrity.verify_cards() == (2, [])

    study.leave(user_id, enrolment(user_id, "core").id, now=NOW)

    assert all(log.preset_id is not None for log in logs(user_id))
    assert integrity.verify_cards() == (2, [])
