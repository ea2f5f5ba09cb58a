"""Applying question banks to the database: counts, identity, retirement, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import PROJECT_ROOT
from app.extensions import db
from app.models import Article, Question, Track
from app.services import banks
from tests.factories import NOW

ARTICLE = """\
---
key: {key}
title: {title}
key_tradeoff: {tradeoff}
---
# {title}

## The One Thing to Remember

{title}: a cache trades **freshness for speed** on every read.

## Trade-off Analysis

### Write policies

| Aspect | Write-through | Write-back |
|---|---|---|
| Latency | {latency} ({title}) | Low: acked from memory ({title}) |
| Durability | Safe once acknowledged ({title}) | Lost on crash before flush ({title}) |
| Store load | A store write per write ({title}) | Fewer, larger writes ({title}) |

## Self-Assessment

- [ ] When is write-back dangerous in {title}?
  - When the cache dies before it flushes, acknowledged writes are lost.
- [ ] Why does write-through cost latency in {title}?
  - Every write waits for the backing store as well as the cache.
"""

TRACK = """\
key: basics
title: Basics
description: The basics.
level: beginner
articles:
{items}
"""


def write_bank(
    root: Path, *, latency: str = "Higher: waits for the store", articles=None, track=None
):
    root.mkdir(parents=True, exist_ok=True)
    (root / "tracks").mkdir(exist_ok=True)
    articles = (
        articles
        if articles is not None
        else [
            ("caching", "Caching", "Speed vs Freshness"),
            ("queues", "Queues", "Throughput vs Latency"),
            ("indexes", "Indexes", "Reads vs Writes"),
        ]
    )
    for old in root.glob("*.md"):
        old.unlink()
    for number, (key, title, tradeoff) in enumerate(articles, 1):
        text = ARTICLE.format(key=key, title=title, tradeoff=tradeoff, latency=latency)
        (root / f"{number:02d}-{key}.md").write_text(text)
    keys = track if track is not None else [a[0] for a in articles]
    (root / "tracks" / "basics.yaml").write_text(
        TRACK.format(items="\n".join(f"  - {k}" for k in keys))
    )
    return root


def question_ids() -> dict[str, int]:
    return dict(db.session.execute(sa.select(Question.key, Question.id)).all())


def test_sync_adds_everything_then_a_second_run_changes_nothing(app, tmp_path):
    root = write_bank(tmp_path / "banks")
    first = banks.sync(root, now=NOW)
    assert (first.articles.added, first.tracks.added) == (3, 1)
    assert first.questions.added == len(question_ids()) > 3 * 8
    second = banks.sync(root, now=NOW)
    assert not second.changed
    assert second.questions.unchanged == first.questions.added
    assert second.articles.unchanged == 3


def test_rewording_keeps_question_ids_and_counts_an_update(app, tmp_path):
    root = write_bank(tmp_path / "banks")
    banks.sync(root, now=NOW)
    before = question_ids()
    report = banks.sync(write_bank(root, latency="Slower: waits for the store"), now=NOW)
    after = question_ids()
    assert after == before
    assert report.questions.added == report.questions.retired == 0
    assert report.questions.updated > 0
    reworded = db.session.scalar(
        sa.select(Question).where(
            Question.key == "caching:table:write-policies:latency:which:write-through"
        )
    )
    assert "**Latency:** Slower: waits for the store (Caching)" in reworded.choices


def test_a_removed_article_is_retired_and_comes_back_with_the_same_ids(app, tmp_path):
    three = [
        ("caching", "Caching", "Speed vs Freshness"),
        ("queues", "Queues", "Throughput vs Latency"),
        ("logs", "Logs", "Detail vs Cost"),
    ]
    four = [*three, ("indexes", "Indexes", "Reads vs Writes")]
    root = write_bank(tmp_path / "banks", articles=four)
    banks.sync(root, now=NOW)
    before = question_ids()
    report = banks.sync(write_bank(root, articles=three), now=NOW)
    assert report.articles.retired == 1
    retired = db.session.scalars(sa.select(Question).where(Question.retired_at.is_not(None))).all()
    assert retired
    assert {q.key.split(":")[0] for q in retired} == {"indexes"}
    assert db.session.scalar(sa.select(Article).where(Article.key == "indexes")).retired_at == NOW

    restored = banks.sync(write_bank(root, articles=four), now=NOW)
    assert restored.articles.updated >= 1
    assert question_ids() == before
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Question.retired_at.is_not(None))) == 0
    )


def test_a_failed_sync_leaves_the_database_as_it_was(app, tmp_path):
    root = write_bank(tmp_path / "banks")
    banks.sync(root, now=NOW)
    before = question_ids()
    write_bank(root, latency="Changed wording", track=["caching", "no-such-article"])
    with pytest.raises(banks.BankInvalid) as error:
        banks.sync(root, now=NOW)
    assert any("no-such-article" in str(p) for p in error.value.problems)
    assert question_ids() == before
    prompts = db.session.scalars(sa.select(Question.prompt)).all()
    assert not any("Changed wording" in p for p in prompts)


def test_an_error_while_writing_rolls_everything_back(app, tmp_path, monkeypatch):
    root = write_bank(tmp_path / "banks")

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(banks, "_sync_tracks", explode)
    with pytest.raises(RuntimeError):
        banks.sync(root, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_an_alias_carries_an_article_and_its_questions_to_a_new_key(app, tmp_path):
    root = write_bank(tmp_path / "banks")
    banks.sync(root, now=NOW)
    old_ids = {k: v for k, v in question_ids().items() if k.startswith("caching:")}
    renamed = (
        (root / "01-caching.md")
        .read_text()
        .replace("key: caching", "key: caching-strategies\naliases: [caching]")
    )
    (root / "01-caching.md").write_text(renamed)
    (root / "tracks" / "basics.yaml").write_text(
        TRACK.format(items="  - caching-strategies\n  - queues")
    )
    report = banks.sync(root, now=NOW)
    assert report.articles.added == 0
    new_ids = {k: v for k, v in question_ids().items() if k.startswith("caching-strategies:")}
    assert sorted(new_ids.values()) == sorted(old_ids.values())


def test_track_order_follows_the_file(app, tmp_path):
    root = write_bank(tmp_path / "banks", track=["indexes", "caching"])
    banks.sync(root, now=NOW)
    track = db.session.scalar(sa.select(Track).where(Track.key == "basics"))
    assert [e.article.key for e in track.entries] == ["indexes", "caching"]
    banks.sync(write_bank(root, track=["caching", "queues", "indexes"]), now=NOW)
    db.session.expire_all()
    track = db.session.scalar(sa.select(Track).where(Track.key == "basics"))
    assert [e.article.key for e in track.entries] == ["caching", "queues", "indexes"]


def test_the_shipped_banks_sync_and_resync_without_change(app):
    root = PROJECT_ROOT / "question_banks"
    first = banks.sync(root, now=NOW)
    assert first.articles.added == 174
    assert first.tracks.added == 34
    assert first.warnings == []
    per_article = db.session.execute(
        sa.select(Question.article_id, sa.func.count()).group_by(Question.article_id)
    ).all()
    assert len(per_article) == 174
    assert min(n for _, n in per_article) >= 12
    assert not banks.sync(root, now=NOW).changed
