"""The learner's stats from a hand-built history, with every expected number stated.

The learner lives in New York (UTC-5, UTC-4 from 8 March 2026) and starts the day at 04:00, so
"now" (2026-03-02 12:00 UTC, 07:00 local) is in study day Monday 2 March, which runs from
09:00 UTC on the 2nd to 09:00 UTC on the 3rd. After the clocks change, days start at 08:00 UTC.

Two tracks: ``basics`` (caching, queues) and ``advanced`` (indexes); ``unused`` is never joined.
Cards and review logs are inserted directly, with fixed UTC times, so each figure below can be
counted by hand from the tables in this file.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.domain.scheduling import DEFAULT_PARAMETERS
from app.extensions import db
from app.models import Article, Card, Question, ReviewLog, User
from app.services import banks, study
from app.services.errors import NotFound
from app.services.stats import learner_stats
from tests.factories import NOW, make_user
from tests.integration.test_bank_sync import write_bank

ZONE = "America/New_York"
TODAY = date(2026, 3, 2)
_review_ids = itertools.count(1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def recall(elapsed_days: float, stability: float) -> float:
    """FSRS-6's forgetting curve, written out here so the test does not trust the app's."""
    decay = DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * elapsed_days / stability) ** -decay)


@dataclass
class World:
    user_id: int
    basics: int  # enrolment ids
    advanced: int
    cards: dict[str, Card]


def build_bank(tmp_path) -> None:
    root = write_bank(tmp_path / "banks", track=["caching", "queues"])
    (root / "tracks" / "advanced.yaml").write_text(
        "key: advanced\ntitle: Advanced\ndescription: More.\nlevel: advanced\n"
        "articles:\n  - indexes\n"
    )
    (root / "tracks" / "unused.yaml").write_text(
        "key: unused\ntitle: Unused\ndescription: Never joined.\nlevel: beginner\n"
        "articles:\n  - caching\n"
    )
    banks.sync(root, now=NOW)


def questions(article_key: str) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Question.id)
            .join(Article, Article.id == Question.article_id)
            .where(Article.key == article_key)
            .order_by(Question.position)
        )
    )


def add_card(
    user_id: int,
    enrolment_id: int,
    question_id: int,
    *,
    state: int,
    due: datetime | None,
    stability: float | None = None,
    last_review: datetime | None = None,
    lapses: int = 0,
    suspended: bool = False,
    leech: bool = False,
) -> Card:
    card = Card(
        user_id=user_id,
        question_id=question_id,
        enrolment_id=enrolment_id,
        state=state,
        step=0 if state in (1, 3) else None,
        stability=stability if stability is not None else (1.0 if state else None),
        difficulty=5.0 if state else None,
        due=due,
        last_review=last_review if last_review is not None else (NOW - timedelta(days=1)),
        reps=1 + lapses if state else 0,
        lapses=lapses,
        suspended=suspended,
        leech=leech,
        created_at=utc(2025, 1, 1),
    )
    db.session.add(card)
    db.session.flush()
    return card


def add_log(
    card: Card,
    at: datetime,
    rating: int,
    *,
    state_before: int = 2,
    interval_days: float = 5.0,
    duration_ms: int | None = 10_000,
    undone: bool = False,
) -> ReviewLog:
    """One answer; ``before`` holds a due date ``interval_days`` after the last review."""
    last_review = at - timedelta(days=interval_days)
    log = ReviewLog(
        user_id=card.user_id,
        card_id=card.id,
        enrolment_id=card.enrolment_id,
        review_id=f"r{next(_review_ids)}",
        rating=rating,
        reviewed_at=at,
        duration_ms=duration_ms,
        state_before=state_before,
        state_after=2,
        interval_days=3.0,
        before={
            "state": state_before,
            "due": (last_review + timedelta(days=interval_days)).isoformat(),
            "last_review": last_review.isoformat(),
        },
        undone_at=at + timedelta(seconds=5) if undone else None,
    )
    db.session.add(log)
    return log


@pytest.fixture
def world(app, tmp_path) -> World:
    return build_world(tmp_path)


def build_world(tmp_path) -> World:
    """The bank, the learner, two enrolments, ten cards and thirteen review logs (one undone)."""
    build_bank(tmp_path)
    user = make_user(timezone=ZONE, day_start_hour=4)
    basics = study.enrol(user.id, "basics", now=NOW).id
    advanced = study.enrol(user.id, "advanced", now=NOW).id
    caching, queues, indexes = questions("caching"), questions("queues"), questions("indexes")
    u = user.id
    days = timedelta(days=1)
    cards = {
        # basics / caching: three review cards
        "c1": add_card(u, basics, caching[0], state=2, stability=5.0, last_review=NOW - 5 * days,
                       due=utc(2026, 3, 3, 8, 30)),  # 03:30 local on the 3rd: still today
        "c2": add_card(u, basics, caching[1], state=2, stability=2.0, last_review=NOW - 10 * days,
                       lapses=1, due=utc(2026, 3, 3, 9, 0)),  # exactly when the 3rd starts
        "c3": add_card(u, basics, caching[2], state=2, stability=2.0, last_review=NOW - 10 * days,
                       lapses=3, due=utc(2026, 3, 8, 8, 30)),  # 04:30 EDT: the 8th, after DST
        # basics / queues: learning, relearning (overdue), suspended leech, new
        "c4": add_card(u, basics, queues[0], state=1, due=NOW + timedelta(minutes=10)),
        "c5": add_card(u, basics, queues[1], state=3, lapses=2, due=NOW - days),
        "c6": add_card(u, basics, queues[2], state=2, stability=50.0, last_review=NOW - days,
                       lapses=8, suspended=True, leech=True, due=NOW + 2 * days),
        "c7": add_card(u, basics, queues[3], state=0, due=None),
        # advanced / indexes
        "c8": add_card(u, advanced, indexes[0], state=2, stability=1.0,
                       last_review=NOW - 20 * days, lapses=2, due=utc(2026, 3, 10, 15, 0)),
        "c9": add_card(u, advanced, indexes[1], state=2, stability=100.0,
                       last_review=NOW - 30 * days, due=utc(2026, 4, 1, 7, 59, 59)),  # last day
        "c10": add_card(u, advanced, indexes[2], state=2, stability=100.0,
                        last_review=NOW - 2 * days, due=utc(2026, 4, 1, 8, 0)),  # day 30: out
    }  # fmt: skip
    c = cards
    # log 1: 05:00 local today, young pass
    add_log(c["c1"], utc(2026, 3, 2, 10, 0), 3, interval_days=5, duration_ms=30_000)
    # log 2: 02:00 local on the 2nd belongs to study day 1 March; young fail
    add_log(c["c2"], utc(2026, 3, 2, 7, 0), 1, interval_days=10, duration_ms=60_000)
    # log 3: 1 March, mature pass
    add_log(c["c3"], utc(2026, 3, 1, 14, 0), 3, interval_days=30, duration_ms=45_000)
    # log 4: 24 February (the 7th of the last 7 days), mature fail
    add_log(c["c8"], utc(2026, 2, 24, 15, 0), 1, interval_days=25, duration_ms=90_000)
    # log 5: 23 February, a learning card: not a retention review
    add_log(c["c5"], utc(2026, 2, 23, 15, 0), 3, state_before=1, duration_ms=120_000)
    # log 6: 1 February, the first of the last 30 days; exactly 21 days is mature; pass
    add_log(c["c9"], utc(2026, 2, 1, 15, 0), 4, interval_days=21, duration_ms=10_000)
    # log 7: 03:59 local on 1 February is study day 31 January: outside the 30 days
    add_log(c["c9"], utc(2026, 2, 1, 8, 59), 3, interval_days=3, duration_ms=5_000)
    # log 8: 3 March 2025, the first day of the heatmap
    add_log(c["c10"], utc(2025, 3, 3, 15, 0), 3, state_before=0, duration_ms=7_000)
    # log 9: 03:00 local on 3 March 2025 is study day 2 March 2025: before the heatmap
    add_log(c["c10"], utc(2025, 3, 3, 8, 0), 3, state_before=0, duration_ms=3_000)
    # log 10: undone, so ignored everywhere (its huge duration would show)
    add_log(c["c1"], utc(2026, 3, 2, 11, 0), 1, interval_days=5, duration_ms=1_000_000,
            undone=True)  # fmt: skip
    # log 11: today, no duration recorded
    add_log(c["c4"], utc(2026, 3, 2, 11, 30), 3, state_before=0, duration_ms=None)
    # log 12: 28 February, Hard (a pass) with 20.9 days: young
    add_log(c["c2"], utc(2026, 2, 28, 15, 0), 2, interval_days=20.9, duration_ms=20_000)
    # log 13: 26 February, mature pass
    add_log(c["c8"], utc(2026, 2, 26, 15, 0), 4, interval_days=40, duration_ms=15_000)
    db.session.commit()
    return World(user_id=u, basics=basics, advanced=advanced, cards=cards)


def counts_by_date(series) -> dict[date, int]:
    return {d.date: d.count for d in series if d.count}


def test_heatmap_counts_reviews_per_local_study_day(world):
    stats = learner_stats(world.user_id, now=NOW)
    assert stats.today == TODAY
    assert len(stats.heatmap) == 365
    assert stats.heatmap[0].date == date(2025, 3, 3)
    assert stats.heatmap[-1].date == TODAY
    assert counts_by_date(stats.heatmap) == {
        date(2026, 3, 2): 2,  # logs 1 and 11 (log 10 was undone)
        date(2026, 3, 1): 2,  # log 3, and log 2 made at 02:00 local on the 2nd
        date(2026, 2, 28): 1,
        date(2026, 2, 26): 1,
        date(2026, 2, 24): 1,
        date(2026, 2, 23): 1,
        date(2026, 2, 1): 1,  # log 6
        date(2026, 1, 31): 1,  # log 7, at 03:59 local on 1 February
        date(2025, 3, 3): 1,  # log 8; log 9 is on 2 March 2025, before the first day
    }
    assert stats.total_reviews == 12  # 13 logs, one undone


def test_forecast_counts_due_cards_per_study_day(world):
    stats = learner_stats(world.user_id, now=NOW)
    assert len(stats.forecast) == 30
    assert [d.date for d in stats.forecast][:2] == [TODAY, date(2026, 3, 3)]
    assert stats.forecast[-1].date == date(2026, 3, 31)
    assert {i: d.count for i, d in enumerate(stats.forecast) if d.count} == {
        0: 3,  # c4 (in 10 minutes), c5 (overdue), c1 (03:30 local tomorrow: still today)
        1: 1,  # c2, due the instant the 3rd starts
        6: 1,  # c3, 04:30 EDT on the 8th (with a fixed UTC-5 it would fall on the 7th)
        8: 1,  # c8
        29: 1,  # c9, a second before the window ends; c10 at the end is out
    }
    # not counted: c6 (suspended), c7 (new), c10 (after the 30 days)


def test_true_retention_splits_young_and_mature(world):
    retention = learner_stats(world.user_id, now=NOW).retention
    # young: log 1 pass, log 2 fail, log 12 Hard = pass; log 7 is outside the 30 days
    assert (retention.young.n, retention.young.passed) == (3, 2)
    assert retention.young.rate == pytest.approx(2 / 3)
    # mature: log 3 pass, log 4 fail, log 6 pass (21 days exactly), log 13 pass
    assert (retention.mature.n, retention.mature.passed) == (4, 3)
    assert retention.mature.rate == pytest.approx(3 / 4)
    assert (retention.total.n, retention.total.passed) == (7, 5)


def test_time_spent_streak_and_days_studied(world):
    user = db.session.get(User, world.user_id)
    user.streak, user.streak_last_day = 5, date(2026, 3, 1)
    db.session.commit()
    stats = learner_stats(world.user_id, now=NOW)
    assert stats.time.today_ms == 30_000  # log 1; log 11 has no duration; log 10 undone
    assert stats.time.last_7_days_ms == 30_000 + 60_000 + 45_000 + 20_000 + 15_000 + 90_000
    assert stats.time.last_30_days_ms == 260_000 + 120_000 + 10_000
    assert stats.time.all_time_ms == 390_000 + 5_000 + 7_000 + 3_000
    assert stats.streak.current == 5  # last completed yesterday: still running
    assert stats.streak.days_studied_last_30 == 7

    user.streak_last_day = TODAY
    db.session.commit()
    assert learner_stats(world.user_id, now=NOW).streak.current == 5
    user.streak_last_day = date(2026, 2, 28)
    db.session.commit()
    assert learner_stats(world.user_id, now=NOW).streak.current == 0  # a day was missed


def test_cards_by_state_suspended_and_leeches(world):
    cards = learner_stats(world.user_id, now=NOW).cards
    assert (cards.new, cards.learning, cards.review, cards.relearning) == (1, 1, 7, 1)
    assert (cards.suspended, cards.leeches, cards.total) == (1, 1, 10)


def test_weakest_questions_lowest_recall_first_then_most_lapses(world):
    weakest = learner_stats(world.user_id, now=NOW).weakest_questions
    c = world.cards
    assert [w.question_id for w in weakest] == [
        c[name].question_id for name in ("c8", "c3", "c2", "c1", "c9", "c6", "c10")
    ]  # c3 and c2 have the same recall: c3 has more lapses; so do c6 and c10
    assert [w.lapses for w in weakest] == [2, 3, 1, 0, 0, 8, 0]
    assert weakest[0].retrievability == pytest.approx(recall(20, 1))
    assert weakest[0].retrievability == pytest.approx(0.62716, abs=1e-5)
    assert weakest[3].retrievability == pytest.approx(0.9)  # elapsed == stability: R = 0.9
    assert weakest[0].article_key == "indexes" and weakest[0].article_title == "Indexes"
    assert weakest[1].prompt == db.session.get(Question, c["c3"].question_id).prompt


def test_weakest_tradeoffs_by_mean_recall_of_review_cards(world):
    tradeoffs = learner_stats(world.user_id, now=NOW).weakest_tradeoffs
    assert [(t.article_key, t.key_tradeoff, t.review_cards, t.lapses) for t in tradeoffs] == [
        ("caching", "Speed vs Freshness", 3, 4),  # (0.9 + 2 x 0.7605) / 3 = 0.8070
        ("indexes", "Reads vs Writes", 3, 2),  # (0.6272 + 0.9610 + 0.9970) / 3 = 0.8617
        ("queues", "Throughput vs Latency", 1, 10),  # c6 alone; lapses of c5 and c6
    ]
    assert tradeoffs[0].mean_retrievability == pytest.approx((0.9 + 2 * recall(10, 2)) / 3)
    assert tradeoffs[0].mean_retrievability == pytest.approx(0.80702, abs=1e-5)
    assert tradeoffs[1].mean_retrievability == pytest.approx(
        (recall(20, 1) + recall(30, 100) + recall(2, 100)) / 3
    )


def test_one_track_counts_only_its_enrolment(world):
    basics = learner_stats(world.user_id, now=NOW, track_key="basics")
    assert basics.track is not None and basics.track.key == "basics"
    assert counts_by_date(basics.heatmap) == {
        date(2026, 3, 2): 2,
        date(2026, 3, 1): 2,
        date(2026, 2, 28): 1,
        date(2026, 2, 23): 1,
    }
    assert {i: d.count for i, d in enumerate(basics.forecast) if d.count} == {0: 3, 1: 1, 6: 1}
    assert (basics.retention.young.n, basics.retention.young.passed) == (3, 2)
    assert (basics.retention.mature.n, basics.retention.mature.passed) == (1, 1)
    assert (basics.time.today_ms, basics.time.last_7_days_ms) == (30_000, 155_000)
    assert (basics.time.last_30_days_ms, basics.time.all_time_ms) == (275_000, 275_000)
    assert (basics.cards.new, basics.cards.learning, basics.cards.review) == (1, 1, 4)
    assert (basics.cards.relearning, basics.cards.suspended, basics.cards.leeches) == (1, 1, 1)
    assert [w.article_key for w in basics.weakest_questions] == ["caching"] * 3 + ["queues"]
    assert [t.article_key for t in basics.weakest_tradeoffs] == ["caching", "queues"]

    advanced = learner_stats(world.user_id, now=NOW, track_key="advanced")
    assert counts_by_date(advanced.heatmap) == {
        date(2026, 2, 26): 1,
        date(2026, 2, 24): 1,
        date(2026, 2, 1): 1,
        date(2026, 1, 31): 1,
        date(2025, 3, 3): 1,
    }
    assert {i: d.count for i, d in enumerate(advanced.forecast) if d.count} == {8: 1, 29: 1}
    assert advanced.retention.young.n == 0 and advanced.retention.young.rate is None
    assert (advanced.retention.mature.n, advanced.retention.mature.passed) == (3, 2)
    assert (advanced.time.today_ms, advanced.time.last_7_days_ms) == (0, 105_000)
    assert (advanced.time.last_30_days_ms, advanced.time.all_time_ms) == (115_000, 130_000)
    assert advanced.total_reviews == 6 and basics.total_reviews == 6
    assert advanced.cards.total == 3
    assert [t.article_key for t in advanced.weakest_tradeoffs] == ["indexes"]
    assert [t.key for t in advanced.tracks] == ["basics", "advanced"]


def test_a_track_not_joined_or_unknown_is_not_found(world):
    with pytest.raises(NotFound):
        learner_stats(world.user_id, now=NOW, track_key="unused")
    with pytest.raises(NotFound):
        learner_stats(world.user_id, now=NOW, track_key="no-such-track")


def test_undoing_a_review_removes_it_from_every_figure(world):
    before = learner_stats(world.user_id, now=NOW)
    log = db.session.scalar(
        sa.select(ReviewLog).where(ReviewLog.reviewed_at == utc(2026, 3, 2, 10, 0))
    )
    log.undone_at = NOW
    db.session.commit()
    after = learner_stats(world.user_id, now=NOW)
    assert counts_by_date(after.heatmap)[TODAY] == counts_by_date(before.heatmap)[TODAY] - 1 == 1
    assert after.time.today_ms == 0
    assert (after.retention.young.n, after.retention.young.passed) == (2, 1)
    assert after.total_reviews == 11


def test_a_learner_without_history(app):
    user = make_user(timezone=ZONE, day_start_hour=4)
    stats = learner_stats(user.id, now=NOW)
    assert stats.tracks == () and stats.track is None and not stats.has_history
    assert len(stats.heatmap) == 365 and not any(d.count for d in stats.heatmap)
    assert len(stats.forecast) == 30 and not any(d.count for d in stats.forecast)
    assert stats.retention.young.rate is None and stats.retention.mature.rate is None
    assert stats.time.all_time_ms == 0 and stats.streak.current == 0
    assert stats.cards.total == 0
    assert stats.weakest_questions == () and stats.weakest_tradeoffs == ()
    with pytest.raises(NotFound):
        learner_stats(user.id + 999, now=NOW)


def _statements(run: Any) -> int:
    executed: list[str] = []

    def count(conn, cursor, statement, *args):
        executed.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        db.session.expire_all()
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(executed)


def test_a_fixed_handful_of_queries_however_many_cards(world):
    first = _statements(lambda: learner_stats(world.user_id, now=NOW))
    assert first <= 10, first  # user, enrolments (+ tracks, presets), 3 log reads, cards, 2 names
    # Twenty more review cards and forty more reviews cost no extra query.
    for question_id in questions("queues")[4:] + questions("indexes")[3:]:
        card = add_card(world.user_id, world.basics, question_id, state=2, stability=3.0,
                        due=NOW + timedelta(days=3))  # fmt: skip
        add_log(card, utc(2026, 2, 27, 15, 0), 3)
        add_log(card, utc(2026, 3, 1, 15, 0), 1)
    db.session.commit()
    assert _statements(lambda: learner_stats(world.user_id, now=NOW)) == first
