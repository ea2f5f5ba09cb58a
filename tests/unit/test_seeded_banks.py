"""Every article the seeds name (tests/fixtures/seed_articles.yaml) has a bank of its own, with its
seed's title and at least 12 questions."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import yaml

from app.domain.banks import Bank, build_bank, read_sources

ROOT = Path(__file__).resolve().parents[2]
SEEDED = yaml.safe_load((ROOT / "tests" / "fixtures" / "seed_articles.yaml").read_text("utf-8"))


@cache
def shipped() -> Bank:
    return build_bank(read_sources(ROOT / "question_banks"))


def test_every_seeded_article_has_a_bank_of_at_least_twelve_questions() -> None:
    bank = shipped()
    articles = {a.key: a for a in bank.articles}
    per_article = Counter(q.article_key for q in bank.questions)
    listed = [entry for entries in SEEDED.values() for entry in entries]
    assert len({e["key"] for e in listed}) == len(listed), "one bank per seeded article"
    for entry in listed:
        article = articles.get(entry["key"])
        assert article is not None, f"no bank for {entry['title']!r}"
        assert article.title == entry["title"], entry["key"]
        assert per_article[entry["key"]] >= 12, f"{entry['key']}: {per_article[entry['key']]}"
    assert not bank.errors


def test_every_seeded_article_is_in_a_track() -> None:
    bank = shipped()
    in_tracks = {key for track in bank.tracks for key in track.article_keys}
    missing = [
        e["key"] for entries in SEEDED.values() for e in entries if e["key"] not in in_tracks
    ]
    assert missing == []
