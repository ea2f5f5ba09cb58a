"""Reading a folder of bank files and building the whole bank, with every problem found.

`build_bank` is the one entry point the service layer needs: it never raises on bad input, so
`rehearse banks check` can list every problem of every file in one run, and a sync can refuse to
apply a bank that has errors.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from app.domain.banks.article import parse_article
from app.domain.banks.context import GenerationContext
from app.domain.banks.generate import generate_questions
from app.domain.banks.limits import check_questions
from app.domain.banks.model import Article, Bank, Problem, QuestionSpec, Severity, SourceFile, Track
from app.domain.banks.parsed import ParsedArticle
from app.domain.banks.rubric import interview_rubric
from app.domain.banks.text import normalize_words
from app.domain.banks.tracks import ParsedTrack, parse_track

ARTICLE_SUFFIXES = (".md", ".markdown")
TRACK_SUFFIXES = (".yaml", ".yml")
IGNORE_FILE = ".rehearseignore"
_SAVE_AS_UTF8 = "save it as UTF-8"


def decode(data: bytes, path: str) -> tuple[str, tuple[Problem, ...]]:
    """A bank file's bytes as text, or the reason they are not UTF-8 text (an error)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(data) >= 4 and data.count(b"\x00") * 3 >= len(data)
    ):
        return "", (Problem(path, 1, f"file is UTF-16 text, not UTF-8: {_SAVE_AS_UTF8}"),)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        message = "file has NUL bytes, so it is binary, not Markdown or YAML text"
        return "", (Problem(path, line, message),)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        message = (
            f"file is not UTF-8: byte 0x{byte:02X} cannot be read "
            f"(Latin-1 or Windows-1252 text?); {_SAVE_AS_UTF8}"
        )
        text = data.decode("utf-8", errors="replace")
        return text.replace("\r\n", "\n").replace("\r", "\n"), (Problem(path, line, message),)
    return text.replace("\r\n", "\n").replace("\r", "\n"), ()


def read_file(path: Path, shown: str, key_path: str) -> SourceFile:
    """One bank file, decoded; `shown` is its path for people, `key_path` its path in the bank."""
    text, problems = decode(path.read_bytes(), shown)
    return SourceFile(shown, text, key_path, problems)


def _ignored(relative: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns)


def ignore_patterns(root: Path) -> list[str]:
    """Glob patterns (one a line, `#` comments) of files under `root` that are not bank files,
    read from `root/.rehearseignore`: e.g. `README.md` for a README that documents the bank."""
    file = root / IGNORE_FILE
    if not file.is_file():
        return []
    lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def read_sources(root: Path) -> list[SourceFile]:
    """Every bank file under `root`, sorted by path.

    Articles are the `*.md` / `*.markdown` files at any depth, README files included (hidden
    folders and what `.rehearseignore` names are skipped); tracks are `tracks/*.yaml` / `*.yml`
    directly under `root`. Paths are shown relative to the parent of `root`
    ("question_banks/..."). A single file may be given as `root` too; its path is then shown as
    given.
    """
    if root.is_file():
        return [read_file(root, root.as_posix(), root.name)]
    base = root.parent
    patterns = ignore_patterns(root)
    files: list[tuple[Path, str]] = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if _ignored(relative.as_posix(), patterns):
            continue
        name = path.name.lower()
        is_article = name.endswith(ARTICLE_SUFFIXES)
        is_track = name.endswith(TRACK_SUFFIXES) and relative.parts[:-1] == ("tracks",)
        if not (is_article or is_track):
            continue
        key_path = relative.as_posix()
        if len(relative.parts) == 1 and PurePosixPath(name).stem in ("readme", "index"):
            key_path = f"{root.resolve().name}/{relative.as_posix()}"  # stands for the bank
        files.append((path, key_path))
    return [
        read_file(path, path.relative_to(base).as_posix(), key_path)
        for path, key_path in sorted(files, key=lambda pair: pair[0].relative_to(base).as_posix())
    ]


def _parse_articles(sources: Sequence[SourceFile]) -> tuple[list[ParsedArticle], list[Problem]]:
    """Parse each article, keeping the first of any two that share a key."""
    problems: list[Problem] = []
    kept: dict[str, ParsedArticle] = {}
    for source in sources:
        try:
            parsed, found = parse_article(source)
        except Exception as exc:  # one broken file must not hide the others
            message = f"could not parse this file: {type(exc).__name__}: {exc}"
            problems.append(Problem(source.path, 1, message))
            continue
        problems.extend(found)
        key = parsed.article.key
        if not key:
            continue
        first = kept.get(key)
        if first is None:
            kept[key] = parsed
            continue
        problems.append(
            Problem(
                first.article.path,
                first.field_line("key"),
                f"duplicate article key '{key}' (also in {parsed.article.path})",
            )
        )
        problems.append(
            Problem(
                parsed.article.path,
                parsed.field_line("key"),
                f"duplicate article key '{key}' (also in {first.article.path}); file skipped",
            )
        )
    return list(kept.values()), problems


def _check_aliases(parsed: Sequence[ParsedArticle]) -> tuple[dict[str, str], list[Problem]]:
    """Map each alias to its article key, reporting aliases that clash with keys or each other."""
    keys = {item.article.key: item.article.path for item in parsed}
    owners: dict[str, ParsedArticle] = {}
    problems: list[Problem] = []
    for item in parsed:
        article = item.article
        line = item.field_line("aliases")
        for alias in dict.fromkeys(article.aliases):
            if alias == article.key:
                message = f"alias '{alias}' is this article's own key"
                problems.append(Problem(article.path, line, message, Severity.WARNING))
                continue
            if alias in keys:
                message = f"alias '{alias}' is the key of another article ({keys[alias]})"
                problems.append(Problem(article.path, line, message))
                continue
            owner = owners.get(alias)
            if owner is not None:
                message = f"alias '{alias}' is also an alias of {owner.article.path}"
                problems.append(Problem(article.path, line, message))
                message = f"alias '{alias}' is also an alias of {article.path}"
                problems.append(Problem(owner.article.path, owner.field_line("aliases"), message))
                continue
            owners[alias] = item
        if len(set(article.aliases)) != len(article.aliases):
            message = "aliases lists the same key twice"
            problems.append(Problem(article.path, line, message, Severity.WARNING))
    return {alias: item.article.key for alias, item in owners.items()}, problems


def fingerprint(spec: QuestionSpec) -> tuple[str, ...]:
    """What makes two questions the same card for a learner: the same row of the same
    comparison (whatever its caption or wording), else the same kind, stem, answer and choices,
    compared by their words (case and spacing ignored)."""
    if spec.fact:
        return (spec.kind, spec.fact)
    choices = sorted(normalize_words(choice) for choice in spec.choices)
    return (spec.kind, normalize_words(spec.prompt), normalize_words(spec.answer), *choices)


def _generate(
    parsed: Sequence[ParsedArticle],
    paths_with_problems: set[str],
    duplicates: list[tuple[QuestionSpec, QuestionSpec]],
) -> tuple[list[QuestionSpec], list[Problem]]:
    context = GenerationContext.from_articles(item.article for item in parsed)
    questions: list[QuestionSpec] = []
    problems: list[Problem] = []
    seen: dict[str, QuestionSpec] = {}
    same: dict[tuple[str, ...], QuestionSpec] = {}
    for item in parsed:
        generated, found = generate_questions(item, context)
        problems.extend(found)
        kept = 0
        for spec in generated:
            first = seen.get(spec.key)
            if first is not None:
                message = (
                    f"two questions would share the key '{spec.key}' (first at "
                    f"{first.path}:{first.line}); this one is left out: give the table, row or "
                    "question a label of its own"
                )
                problems.append(Problem(spec.path, spec.line, message, Severity.WARNING))
                continue
            twin = same.get(fingerprint(spec))
            if twin is not None and twin.article_key != spec.article_key:
                message = (
                    f"this question duplicates {twin.path}:{twin.line} ({twin.key}); only that "
                    "one is asked, so no learner studies the same card twice"
                )
                problems.append(Problem(spec.path, spec.line, message, Severity.WARNING))
                duplicates.append((spec, twin))
                continue
            seen[spec.key] = spec
            same.setdefault(fingerprint(spec), spec)
            # Renumbered so positions stay 0.. without gaps when a duplicate was dropped.
            questions.append(replace(spec, position=kept))
            kept += 1
        if not generated and not found and item.article.path not in paths_with_problems:
            message = (
                "no questions found: add a key_tradeoff, a 'Trade-off Analysis' table, a "
                "'Self-Assessment' checklist, 'The One Thing to Remember' or 'Questions'"
            )
            problems.append(Problem(item.article.path, 1, message, Severity.WARNING))
    return questions, problems


def _with_rubrics(
    parsed: Sequence[ParsedArticle], questions: Sequence[QuestionSpec]
) -> tuple[dict[str, Article], list[Problem]]:
    """Each article with its interview prompt and rubric, linked to the questions kept for it
    (after duplicates were left out, so every linked key is stored)."""
    by_article: dict[str, list[QuestionSpec]] = {}
    for spec in questions:
        by_article.setdefault(spec.article_key, []).append(spec)
    articles: dict[str, Article] = {}
    problems: list[Problem] = []
    for item in parsed:
        article = item.article
        try:
            prompt, rubric = interview_rubric(item, by_article.get(article.key, ()))
        except Exception as exc:  # reported to the author, not raised
            message = f"could not build the interview rubric: {type(exc).__name__}: {exc}"
            problems.append(Problem(article.path, 1, message, Severity.WARNING))
            articles[article.key] = article
            continue
        articles[article.key] = replace(article, interview_prompt=prompt, rubric=rubric)
    return articles, problems


def _build_tracks(
    parsed_tracks: Sequence[ParsedTrack], articles: dict[str, Article], aliases: dict[str, str]
) -> tuple[list[Track], list[Problem]]:
    problems: list[Problem] = []
    tracks: dict[str, Track] = {}
    first_seen: dict[str, ParsedTrack] = {}
    for parsed in parsed_tracks:
        keys: dict[str, int] = {}
        for entry in parsed.entries:
            key = entry.key
            if key not in articles and key in aliases:
                message = f"'{key}' is a former key of '{aliases[key]}'; list it by its new key"
                problems.append(Problem(parsed.path, entry.line, message, Severity.WARNING))
                key = aliases[key]
            if key not in articles:
                message = f"unknown article key '{entry.key}'"
                problems.append(Problem(parsed.path, entry.line, message))
                continue
            if key in keys:
                message = f"article '{key}' is listed twice (first on line {keys[key]})"
                problems.append(Problem(parsed.path, entry.line, message))
                continue
            keys[key] = entry.line
        first = first_seen.get(parsed.key)
        if first is not None:
            message = f"duplicate track key '{parsed.key}' (also in {first.path})"
            problems.append(Problem(parsed.path, parsed.key_line, message))
            message = f"duplicate track key '{parsed.key}' (also in {parsed.path})"
            problems.append(Problem(first.path, first.key_line, message))
            continue
        first_seen[parsed.key] = parsed
        tracks[parsed.key] = Track(
            key=parsed.key,
            title=parsed.title,
            description=parsed.description,
            level=parsed.level,
            article_keys=tuple(keys),
            path=parsed.path,
        )
    return list(tracks.values()), problems


def build_bank(sources: Sequence[SourceFile]) -> Bank:
    """Parse every article and track, cross-check them and generate every question.

    Works on any set of files: a whole `question_banks/` folder, one article, or a folder of
    someone else's Markdown without tracks. Every problem is collected; nothing raises.
    """
    return build(sources)[0]


def build(sources: Sequence[SourceFile]) -> tuple[Bank, list[ParsedArticle]]:
    """`build_bank`, also returning the parsed articles (the lint reads their tables)."""
    problems: list[Problem] = []
    article_sources: list[SourceFile] = []
    parsed_tracks: list[ParsedTrack] = []
    for source in sources:
        suffix = PurePosixPath(source.path).suffix.lower()
        if suffix in ARTICLE_SUFFIXES:
            article_sources.append(source)
        elif suffix in TRACK_SUFFIXES:
            try:
                track, found = parse_track(source)
            except Exception as exc:  # one broken file must not hide the others
                message = f"could not parse this file: {type(exc).__name__}: {exc}"
                track, found = None, [Problem(source.path, 1, message)]
            problems.extend(found)
            if track is not None:
                parsed_tracks.append(track)
        else:
            message = "not an article (.md) or a track (.yaml); ignored"
            problems.append(Problem(source.path, 1, message, Severity.WARNING))

    parsed, found = _parse_articles(article_sources)
    problems.extend(found)
    aliases, found = _check_aliases(parsed)
    problems.extend(found)
    duplicates: list[tuple[QuestionSpec, QuestionSpec]] = []
    questions, found = _generate(parsed, {p.path for p in problems}, duplicates)
    problems.extend(found)
    problems.extend(check_questions(questions))
    articles, found = _with_rubrics(parsed, questions)
    problems.extend(found)
    tracks, found = _build_tracks(parsed_tracks, articles, aliases)
    problems.extend(found)

    bank = Bank(
        articles=tuple(articles.values()),
        tracks=tuple(tracks),
        questions=tuple(questions),
        problems=tuple(sorted(problems, key=lambda p: (p.path, p.line))),
        duplicates=tuple(duplicates),
    )
    return bank, list(parsed)
