"""A bank sync stores each article's interview prompt and rubric, and fills them in for rows
stored before rubrics existed, though the file did not change."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Article, BankFingerprint, Question
from app.services import banks
from tests.factories import NOW

ARTICLE = """\
---
key: write-policies
title: Write Policies
key_tradeoff: Speed vs Safety
interview_prompt: How would you choose a cache write policy?
---
# Write Policies

## The One Thing to Remember

A cache that acknowledges before the store trades **durability** for speed.

## Trade-off Analysis

| Aspect | Write-through | Write-back |
|---|---|---|
| Latency | Waits for the store | Acknowledged from memory |
| Durability | Safe once acknowledged | Lost on crash before flush |
| Store load | One store write per write | Fewer, larger writes |

## Self-Assessment

- [ ] When is write-back dangerous?
  - When the cache dies before it flushes. Acknowledged writes are then lost.

## Interview Rubric

- Asks how much data loss the business can accept
"""


def stored(key: str) -> Article:
    return db.session.scalar(sa.select(Article).where(Article.key == key))


def test_sync_stores_the_prompt_and_the_rubric(app, tmp_path):
    root = tmp_path / "banks"
    root.mkdir()
    (root / "01-write-policies.md").write_text(ARTICLE)
    report = banks.sync(root, now=NOW)
    assert report.articles.added == 1

    article = stored("write-policies")
    assert article.interview_prompt == "How would you choose a cache write policy?"
    assert [(p["source"], p["text"]) for p in article.rubric] == [
        ("author", "Asks how much data loss the business can accept"),
        (
            "one_thing",
            "A cache that acknowledges before the store trades **durability** for speed.",
        ),
        (
            "table",
            "**Latency** — Write-through: Waits for the store; "
            "Write-back: Acknowledged from memory",
        ),
        (
            "table",
            "**Durability** — Write-through: Safe once acknowledged; "
            "Write-back: Lost on crash before flush",
        ),
        (
            "table",
            "**Store load** — Write-through: One store write per write; "
            "Write-back: Fewer, larger writes",
        ),
        (
            "self_assessment",
            # The first sentence alone is too short to be a point: the next one comes along.
            "When the cache dies before it flushes. Acknowledged writes are then lost.",
        ),
    ]
    keys = set(db.session.scalars(sa.select(Question.key)))
    for point in article.rubric:
        assert set(point) == {"text", "source", "question_keys"}
        assert set(point["question_keys"]) <= keys
    assert article.rubric[1]["question_keys"] == ["write-policies:one_thing"]
    assert "write-policies:table:table-1:durability:compare" in article.rubric[3]["question_keys"]
    assert article.rubric[5]["question_keys"] == ["write-policies:self_assessment:1"]

    again = banks.sync(root, now=NOW)
    assert not again.changed


def test_an_unchanged_file_still_gets_its_rubric_written(app, tmp_path):
    root = tmp_path / "banks"
    root.mkdir()
    (root / "01-write-policies.md").write_text(ARTICLE)
    banks.sync(root, now=NOW)
    article = stored("write-policies")
    article.rubric, article.interview_prompt = [], None  # as stored before rubrics existed
    # An upgrade that brings rubrics brings new code, so the next sync does not skip as unchanged.
    db.session.execute(sa.delete(BankFingerprint))
    db.session.commit()

    report = banks.sync(root, now=NOW)
    assert report.articles.updated == 1
    db.session.expire_all()
    article = stored("write-policies")
    assert article.interview_prompt == "How would you choose a cache write policy?"
    assert len(article.rubric) == 6
