"""Checking question banks and applying them to the database, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.domain import banks as bankdomain
from app.domain.render import render_markdown
from app.extensions import db
from app.models import Article, Question, Track, TrackArticle
from app.services import plans
from app.services.errors import ServiceError


class BankInvalid(ServiceError):
    """The banks have errors; nothing was applied. ``problems`` lists every one."""

    code = "bank_invalid"

    def __init__(self, problems: Sequence[bankdomain.Problem]) -> None:
        super().__init__(
            f"{len(problems)} error(s) in the question banks; nothing was applied",
            details={"problems": [str(p) for p in problems]},
        )
        self.problems = list(problems)


@dataclass
class Tally:
    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, "
            f"{self.retired} retired, {self.unchanged} unchanged"
        )

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired)


@dataclass
class SyncReport:
    articles: Tally = field(default_factory=Tally)
    questions: Tally = field(default_factory=Tally)
    tracks: Tally = field(default_factory=Tally)
    warnings: list[bankdomain.Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.articles.changed or self.questions.changed or self.tracks.changed


def load_bank(root: Path) -> bankdomain.Bank:
    """Read and parse every bank file under ``root`` (a folder) or one file."""
    if root.is_file():
        text = root.read_text(encoding="utf-8")
        return bankdomain.build_bank([bankdomain.SourceFile(path=str(root), text=text)])
    if not root.is_dir():
        raise ServiceError(f"{root}: no such folder or file")
    return bankdomain.build_bank(bankdomain.read_sources(root))


def check(root: Path) -> bankdomain.Bank:
    return load_bank(root)


def _article_values(article: bankdomain.Article) -> dict[str, Any]:
    return {
        "key": article.key,
        "title": article.title,
        "series": article.series,
        "part": article.part,
        "part_title": article.part_title,
        "position": article.order,
        "difficulty": article.difficulty,
        "read_minutes": article.read_minutes,
        "key_tradeoff": article.key_tradeoff,
        "tags": list(article.tags),
        "aliases": list(article.aliases),
        "source_path": article.path,
        "content_hash": article.content_hash,
    }


def _question_values(spec: bankdomain.QuestionSpec) -> dict[str, Any]:
    return {
        "key": spec.key,
        "kind": spec.kind,
        "position": spec.position,
        "prompt": spec.prompt,
        "answer": spec.answer,
        "explanation": spec.explanation,
        "choices": list(spec.choices),
        "correct": spec.correct,
        "cloze_answer": spec.cloze_answer,
        "sibling_group": spec.sibling_group,
        "source_path": spec.path,
        "source_line": spec.line,
        "content_hash": spec.content_hash,
    }


def _update(
    row: Article | Question | Track, values: Mapping[str, Any], now: datetime, tally: Tally
) -> None:
    """Write a changed (or returning) row's new values; it keeps its id and history."""
    for name, value in values.items():
        setattr(row, name, value)
    row.retired_at = None
    row.updated_at = now
    tally.updated += 1


def _retire_missing(
    existing: Mapping[str, Article | Question | Track], seen: set[str], now: datetime, tally: Tally
) -> None:
    """Retire what the banks no longer contain; it keeps its id and every learner's history."""
    for key, row in existing.items():
        if key not in seen and row.retired_at is None:
            row.retired_at = now
            row.updated_at = now
            tally.retired += 1


def _adopt_aliases(bank: bankdomain.Bank, existing: dict[str, Article]) -> None:
    """Rename stored articles whose key became an alias, carrying their questions' history over."""
    for article in bank.articles:
        if article.key in existing:
            continue
        for alias in article.aliases:
            old = existing.get(alias)
            if old is None:
                continue
            old.key = article.key
            prefix = f"{alias}:"
            for question in db.session.scalars(
                sa.select(Question).where(Question.article_id == old.id)
            ):
                if question.key.startswith(prefix):
                    question.key = f"{article.key}:{question.key[len(prefix) :]}"
                if question.sibling_group and question.sibling_group.startswith(prefix):
                    question.sibling_group = (
                        f"{article.key}:{question.sibling_group[len(prefix) :]}"
                    )
            existing[article.key] = existing.pop(alias)
            break


def _sync_articles(bank: bankdomain.Bank, now: datetime, tally: Tally) -> dict[str, Article]:
    existing = {a.key: a for a in db.session.scalars(sa.select(Article))}
    _adopt_aliases(bank, existing)
    seen: set[str] = set()
    for spec in bank.articles:
        seen.add(spec.key)
        values = _article_values(spec)
        row = existing.get(spec.key)
        if row is None:
            row = Article(
                **values, body_html=render_markdown(spec.body), created_at=now, updated_at=now
            )
            db.session.add(row)
            existing[spec.key] = row
            tally.added += 1
        elif row.retired_at is not None or any(getattr(row, k) != v for k, v in values.items()):
            if row.content_hash != spec.content_hash:
                row.body_html = render_markdown(spec.body)
            _update(row, values, now, tally)
        else:
            tally.unchanged += 1
    _retire_missing(existing, seen, now, tally)
    db.session.flush()
    return existing


def _sync_questions(
    bank: bankdomain.Bank, articles: dict[str, Article], now: datetime, tally: Tally
) -> None:
    existing = {q.key: q for q in db.session.scalars(sa.select(Question))}
    new_rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for spec in bank.questions:
        seen.add(spec.key)
        values = _question_values(spec)
        values["article_id"] = articles[spec.article_key].id
        row = existing.get(spec.key)
        if row is None:
            new_rows.append({**values, "created_at": now, "updated_at": now, "retired_at": None})
            tally.added += 1
        elif (
            row.retired_at is not None
            or row.content_hash != spec.content_hash
            or row.article_id != values["article_id"]
            or (row.source_path, row.source_line) != (spec.path, spec.line)
        ):
            _update(row, values, now, tally)
        else:
            tally.unchanged += 1
    _retire_missing(existing, seen, now, tally)
    if new_rows:
        db.session.execute(sa.insert(Question), new_rows)


def _sync_tracks(
    bank: bankdomain.Bank, articles: dict[str, Article], now: datetime, tally: Tally
) -> None:
    existing = {t.key: t for t in db.session.scalars(sa.select(Track))}
    seen: set[str] = set()
    for position, spec in enumerate(bank.tracks):
        seen.add(spec.key)
        values = {
            "title": spec.title,
            "description": spec.description,
            "level": spec.level,
            "position": position,
            "source_path": spec.path,
        }
        wanted = [articles[key].id for key in spec.article_keys]
        row = existing.get(spec.key)
        if row is None:
            row = Track(key=spec.key, **values, created_at=now, updated_at=now)
            row.entries = [TrackArticle(article_id=a, position=i) for i, a in enumerate(wanted)]
            db.session.add(row)
            tally.added += 1
            continue
        current = [e.article_id for e in row.entries]
        if (
            row.retired_at is None
            and current == wanted
            and all(getattr(row, k) == v for k, v in values.items())
        ):
            tally.unchanged += 1
            continue
        if current != wanted:
            row.entries.clear()
            db.session.flush()
            row.entries.extend(TrackArticle(article_id=a, position=i) for i, a in enumerate(wanted))
        _update(row, values, now, tally)
    _retire_missing(existing, seen, now, tally)


def apply(bank: bankdomain.Bank, *, now: datetime) -> SyncReport:
    """Apply a parsed bank in one transaction: every change or none."""
    if bank.errors:
        raise BankInvalid(bank.errors)
    report = SyncReport(warnings=list(bank.warnings))
    try:
        articles = _sync_articles(bank, now, report.articles)
        _sync_questions(bank, articles, now, report.questions)
        _sync_tracks(bank, articles, now, report.tracks)
        if report.changed:
            plans.forget_all()  # learners' day plans may offer retired or moved questions
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def sync(root: Path, *, now: datetime) -> SyncReport:
    return apply(load_bank(root), now=now)
