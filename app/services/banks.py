"""Checking question banks and applying them to the database, all or nothing."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.domain import banks as bankdomain
from app.domain.anki import IMPORTED_SOURCE
from app.domain.render import RENDERER_VERSION, render_markdown
from app.extensions import db
from app.models import Article, BankFingerprint, Question, Track, TrackArticle
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
    scope: str | None = None  # the source paths this sync applied to (None: all)
    # Loaded rows outside the scope that the banks read no longer hold: kept, not retired;
    # `--prune` retires them. Keys by table ("articles", "tracks").
    kept_outside: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.articles.changed or self.questions.changed or self.tracks.changed


class MissingPath(ServiceError):
    code = "not_found"


def load_bank(root: Path) -> bankdomain.Bank:
    """Read and parse every bank file under ``root`` (a folder) or one file."""
    if not root.exists():
        raise MissingPath(f"{root}: no such file or folder")
    return bankdomain.build_bank(bankdomain.read_sources(root))


def check(root: Path) -> bankdomain.Bank:
    return load_bank(root)


def in_scope(path: str, scope: str | None) -> bool:
    """Whether a source path (as stored, "question_banks/x/a.md") lies in a synced tree."""
    return scope is None or path == scope or path.startswith(scope.rstrip("/") + "/")


def scope_of(path: Path, banks_root: Path | None) -> tuple[Path, str]:
    """What to read for a sync of ``path``, and the source paths the sync applies to.

    A path inside the configured banks is read with the whole banks around it, so its key
    trade-off distractors and duplicate checks are the ones a full sync makes; elsewhere the
    path is read alone. Source paths are shown from the read folder's parent
    ("question_banks/…"), so the scope is that same form.
    """
    target = path.resolve()
    if not target.exists():
        raise MissingPath(f"{path}: no such file or folder")
    if banks_root is not None:
        root = banks_root.resolve()
        if target == root or root in target.parents:
            relative = target.relative_to(root).as_posix()
            return root, root.name if relative == "." else f"{root.name}/{relative}"
    if target.is_file():
        return target, bankdomain.read_sources(target)[0].path
    return target, target.name


def restrict(bank: bankdomain.Bank, scope: str) -> bankdomain.Bank:
    """The part of ``bank`` whose files lie in ``scope``, with those files' problems."""
    return bankdomain.Bank(
        articles=tuple(a for a in bank.articles if in_scope(a.path, scope)),
        tracks=tuple(t for t in bank.tracks if in_scope(t.path, scope)),
        questions=tuple(q for q in bank.questions if in_scope(q.path, scope)),
        problems=tuple(p for p in bank.problems if in_scope(p.path, scope)),
        duplicates=tuple(d for d in bank.duplicates if in_scope(d[0].path, scope)),
    )


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
        # Compared like every other value, so a rubric computed for an unchanged file is
        # still written (question_banks/README.md, "Interview rubric").
        "interview_prompt": article.interview_prompt,
        "rubric": [
            {"text": point.text, "source": point.source, "question_keys": list(point.question_keys)}
            for point in article.rubric
        ],
        "source_path": article.path,
        # The renderer's version too: its HTML is kept, and made again only when this changes.
        "content_hash": hashlib.sha256(
            f"{article.content_hash}:{RENDERER_VERSION}".encode()
        ).hexdigest(),
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
        "accepted": list(spec.accepted) or None,
        "fixed_order": spec.fixed_order,
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


def _from_files(model: type[Article] | type[Question] | type[Track]) -> sa.ColumnElement[bool]:
    """Rows the bank files own: not what was imported from Anki, which a sync never retires."""
    return sa.not_(model.source_path.startswith(IMPORTED_SOURCE))


def _retire_missing(
    existing: Mapping[str, Article | Question | Track],
    seen: set[str],
    now: datetime,
    tally: Tally,
    scope: str | None,
    kept: list[str] | None = None,
) -> None:
    """Retire what the banks no longer contain, within ``scope``; it keeps its id and every
    learner's history. What lies outside the scope is kept, and listed in ``kept``."""
    for key, row in existing.items():
        if key in seen or row.retired_at is not None:
            continue
        if not in_scope(row.source_path, scope):
            if kept is not None:
                kept.append(key)
            continue
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


def _refuse_takeovers(
    bank: bankdomain.Bank, existing: Mapping[str, Article], scope: str | None
) -> None:
    """An article loaded from outside the synced path keeps its key: a file that claims it is
    an error, not a silent merge of two articles' histories."""
    problems = [
        bankdomain.Problem(
            spec.path,
            1,
            f"article key '{spec.key}' is already loaded from {row.source_path}, outside "
            f"{scope}: give this file a `key:` of its own, or, if the banks moved here, sync "
            "with --prune",
        )
        for spec in bank.articles
        if (row := existing.get(spec.key)) is not None
        and scope is not None
        and not in_scope(row.source_path, scope)
    ]
    if problems:
        raise BankInvalid(problems)


def _sync_articles(bank: bankdomain.Bank, now: datetime, report: SyncReport) -> dict[str, Article]:
    tally = report.articles
    existing = {
        a.key: a for a in db.session.scalars(sa.select(Article).where(_from_files(Article)))
    }
    _adopt_aliases(bank, existing)
    _refuse_takeovers(bank, existing, report.scope)
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
            if row.content_hash != values["content_hash"]:
                row.body_html = render_markdown(spec.body)
            _update(row, values, now, tally)
        else:
            tally.unchanged += 1
    kept = report.kept_outside.setdefault("articles", [])
    _retire_missing(existing, seen, now, tally, report.scope, kept)
    db.session.flush()
    return existing


def _sync_questions(
    bank: bankdomain.Bank, articles: dict[str, Article], now: datetime, report: SyncReport
) -> None:
    tally = report.questions
    existing = {
        q.key: q for q in db.session.scalars(sa.select(Question).where(_from_files(Question)))
    }
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
    _retire_missing(existing, seen, now, tally, report.scope)
    if new_rows:
        db.session.execute(sa.insert(Question), new_rows)


def _sync_tracks(
    bank: bankdomain.Bank, articles: dict[str, Article], now: datetime, report: SyncReport
) -> None:
    tally = report.tracks
    existing = {t.key: t for t in db.session.scalars(sa.select(Track).where(_from_files(Track)))}
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
        missing = [key for key in spec.article_keys if key not in articles]
        if missing:
            raise BankInvalid(
                [
                    bankdomain.Problem(
                        spec.path, 1, f"lists article '{missing[0]}', which is not loaded"
                    )
                ]
            )
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
    kept = report.kept_outside.setdefault("tracks", [])
    _retire_missing(existing, seen, now, tally, report.scope, kept)


@functools.cache
def _generating_code() -> bytes:
    """The source of the code that turns bank files into rows: a change to it is a change."""
    domain = Path(bankdomain.__file__).parent
    files = [
        *sorted(domain.rglob("*.py")),
        domain.parent / "render.py",
        domain.parent / "questions.py",
    ]
    return b"".join(file.read_bytes() for file in files)


def fingerprint(sources: Sequence[bankdomain.SourceFile]) -> str:
    """A hash of the files read and of the code that reads them."""
    digest = hashlib.sha256(_generating_code())
    for source in sorted(sources, key=lambda s: s.path):
        digest.update(f"\0{source.path}\0{source.key_path}\0".encode())
        digest.update(source.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _unchanged_report(scope: str | None) -> SyncReport:
    """A sync with nothing to apply: every live row under ``scope`` stands unchanged."""
    report = SyncReport(warnings=[], scope=scope)
    for model, tally in (
        (Article, report.articles),
        (Question, report.questions),
        (Track, report.tracks),
    ):
        rows = db.session.scalars(
            sa.select(model.source_path).where(model.retired_at.is_(None), _from_files(model))
        )
        tally.unchanged = sum(1 for path in rows if in_scope(path, scope))
    return report


def apply(
    bank: bankdomain.Bank,
    *,
    now: datetime,
    scope: str | None = None,
    remember: tuple[str, str] | None = None,
) -> SyncReport:
    """Apply a parsed bank in one transaction: every change or none.

    With ``scope`` (a source-path prefix such as "question_banks/system-design-mastery"), only
    the bank's files in it are applied, and only rows from files in it can be retired.
    ``remember`` is (scope key, fingerprint): kept with the change, so the same files and code
    synced again apply nothing.
    """
    if scope is not None:
        bank = restrict(bank, scope)
    if bank.errors:
        raise BankInvalid(bank.errors)
    report = SyncReport(warnings=list(bank.warnings), scope=scope)
    try:
        articles = _sync_articles(bank, now, report)
        _sync_questions(bank, articles, now, report)
        _sync_tracks(bank, articles, now, report)
        if report.changed:
            plans.forget_all()  # learners' day plans may offer retired or moved questions
            # What other scopes last applied may no longer stand as it is: sync them in full.
            db.session.execute(sa.delete(BankFingerprint))
        if remember is not None:
            db.session.merge(
                BankFingerprint(scope=remember[0], fingerprint=remember[1], synced_at=now)
            )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def sync(
    path: Path, *, now: datetime, banks_root: Path | None = None, prune: bool = False
) -> SyncReport:
    """Load the banks at ``path`` (a folder or one file) into the database.

    Only what lies under ``path`` is applied or retired; ``prune`` retires every loaded article,
    question and track the banks read no longer hold, wherever it came from.
    """
    read_root, scope = scope_of(path, banks_root)
    if not read_root.exists():
        raise MissingPath(f"{read_root}: no such file or folder")
    sources = bankdomain.read_sources(read_root)
    # The same files and code as the last sync of this scope: nothing can change (prune, which
    # reaches outside the scope, always runs in full).
    key = f"{read_root.resolve()}|{scope or ''}"[:500]
    printed = fingerprint(sources)
    stored = db.session.get(BankFingerprint, key)
    if not prune and stored is not None and stored.fingerprint == printed:
        return _unchanged_report(scope)
    bank = bankdomain.build_bank(sources)
    if prune:
        bank = restrict(bank, scope)
        return apply(bank, now=now, remember=(key, printed))
    return apply(bank, now=now, scope=scope, remember=(key, printed))
