"""Syncing part of the banks: only what lies under the path is applied or retired, unless the
author says --prune; the rest is kept and named."""

from __future__ import annotations

import shutil

import sqlalchemy as sa

from app.extensions import db
from app.models import Article, Question
from app.services import banks
from tests.factories import NOW
from tests.integration.test_bank_sync import write_bank

LATER = NOW.replace(hour=NOW.hour + 1)


def retired_articles() -> set[str]:
    rows = db.session.scalars(sa.select(Article.key).where(Article.retired_at.is_not(None)))
    return set(rows)


ARTICLES = [
    ("caching", "Caching", "Speed vs Freshness"),
    ("queues", "Queues", "Throughput vs Latency"),
    ("indexes", "Indexes", "Reads vs Writes"),
    ("logs", "Logs", "Detail vs Cost"),
]


def two_series(tmp_path):
    root = write_bank(tmp_path / "question_banks", articles=ARTICLES)
    series = root / "series-b"
    series.mkdir()
    for name in ("02-queues.md", "03-indexes.md"):
        shutil.move(root / name, series / name)
    return root, series


def test_syncing_one_folder_of_the_banks_leaves_the_others_alone(app, tmp_path):
    root, series = two_series(tmp_path)
    banks.sync(root, now=NOW, banks_root=root)
    (series / "03-indexes.md").unlink()
    caching = root / "01-caching.md"
    caching.write_text(caching.read_text().replace("Caching", "Caching, reworded"))

    report = banks.sync(series, now=LATER, banks_root=root)

    assert report.scope == "question_banks/series-b"
    assert retired_articles() == {"indexes"}
    assert report.articles.retired == 1 and report.articles.updated == 0
    title = db.session.scalar(sa.select(Article.title).where(Article.key == "caching"))
    assert title == "Caching"  # outside the folder: not applied
    # Read with the whole banks around it, queues still has the key trade-off question whose
    # wrong choices come from articles outside the folder.
    question = db.session.scalar(sa.select(Question).where(Question.key == "queues:key_tradeoff"))
    assert question.retired_at is None
    assert "Speed vs Freshness" in question.choices


def test_prune_retires_what_the_path_does_not_hold(app, tmp_path):
    root, series = two_series(tmp_path)
    banks.sync(root, now=NOW, banks_root=root)
    report = banks.sync(series, now=LATER, banks_root=root, prune=True)
    assert retired_articles() == {"caching", "logs"}
    assert report.articles.retired == 2
    assert report.tracks.retired == 1  # the track file lies outside the folder


def test_a_foreign_folder_never_retires_the_banks(app, tmp_path):
    root = write_bank(tmp_path / "question_banks")
    banks.sync(root, now=NOW, banks_root=root)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "pools.md").write_text(
        "# Pools\n\n## Self-Assessment\n\n- [ ] What does a pool bound?\n  - Connections.\n"
    )
    report = banks.sync(notes, now=LATER, banks_root=root)
    assert report.articles.added == 1 and retired_articles() == set()
    # A full sync of the banks keeps the foreign article too, and says so.
    again = banks.sync(root, now=LATER, banks_root=root)
    assert retired_articles() == set()
    assert again.kept_outside["articles"] == ["pools"]
