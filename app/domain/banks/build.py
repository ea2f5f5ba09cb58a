"""Reading a folder of bank files and building the whole bank, with every problem found.

`build_bank` is the one entry point the service layer needs: it never raises on bad input, so
`rehearse banks check` can list every problem of every file in one run, and a sync can refuse to
apply a bank that has errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from app.domain.banks.article import parse_article
from app.domain.banks.generate import GenerationContext, generate_questions
from app.domain.banks.model import Article, Bank, Problem, QuestionSpec, Severity, SourceFile, Track
from app.domain.banks.parsed import ParsedArticle
from app.domain.banks.tracks import ParsedTrack, parse_track

ARTICLE_SUFFIXES = (".md", ".markdown")
TRACK_SUFFIXES = (".yaml", ".yml")


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")  # parse_article warns about the U+FFFD
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_sources(root: Path) -> list[SourceFile]:
    """Every bank file under `root`, sorted by path.

    Articles are the `*.md` files at any depth (README.md excluded, hidden folders skipped);
    tracks are `tracks/*.yaml` / `*.yml` directly under `root`. Paths are shown relative to the
    parent of `root` ("question_banks/..."). A single file may be given as `root` too; its path
    is then shown as given.
    """
    if root.is_file():
        return [SourceFile(root.as_posix(), _decode(root.read_bytes()))]
    base = root.parent
    files: list[Path] = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        name = path.name.lower()
        is_article = name.endswith(ARTICLE_SUFFIXES) and name != "readme.md"
        is_track = name.endswith(TRACK_SUFFIXES) and relative.parts[:-1] == ("tracks",)
        if is_article or is_track:
            files.append(path)
    return [
        SourceFile(path.relative_to(base).as_posix(), _decode(path.read_bytes()))
        for path in sorted(files, key=lambda p: p.relative_to(base).as_posix())
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


def _generate(
    parsed: Sequence[ParsedArticle], paths_with_errors: set[str]
) -> tuple[list[QuestionSpec], list[Problem]]:
    context = GenerationContext.from_articles(item.article for item in parsed)
    questions: list[QuestionSpec] = []
    problems: list[Problem] = []
    seen: dict[str, QuestionSpec] = {}
    for item in parsed:
        generated, found = generate_questions(item, context)
        problems.extend(found)
        kept = 0
        for spec in generated:
            first = seen.get(spec.key)
            if first is not None:
                message = (
                    f"duplicate question key '{spec.key}' (first at {first.path}:{first.line}); "
                    "give the table, row or question a label of its own"
                )
                problems.append(Problem(spec.path, spec.line, message))
                continue
            seen[spec.key] = spec
            # Renumbered so positions stay 0.. without gaps when a duplicate was dropped.
            questions.append(replace(spec, position=kept))
            kept += 1
        if not generated and not found and item.article.path not in paths_with_errors:
            message = (
                "no questions found: add a key_tradeoff, a 'Trade-off Analysis' table, a "
                "'Self-Assessment' checklist, 'The One Thing to Remember' or 'Questions'"
            )
            problems.append(Problem(item.article.path, 1, message, Severity.WARNING))
    return questions, problems


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
    questions, found = _generate(parsed, {p.path for p in problems if p.severity is Severity.ERROR})
    problems.extend(found)
    articles = {item.article.key: item.article for item in parsed}
    tracks, found = _build_tracks(parsed_tracks, articles, aliases)
    problems.extend(found)

    return Bank(
        articles=tuple(articles.values()),
        tracks=tuple(tracks),
        questions=tuple(questions),
        problems=tuple(sorted(problems, key=lambda p: (p.path, p.line))),
    )
