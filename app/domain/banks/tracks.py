"""Parsing a track file (YAML): its fields, and its article list with the line of every entry.

Article keys are only checked for shape here; whether they exist is a cross-file question that
`build_bank` answers once every article has been read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from app.domain.banks.frontmatter import check_track_fields, load_mapping
from app.domain.banks.limits import TRACK_FIELDS, nul_lines
from app.domain.banks.model import Problem, Severity, SourceFile
from app.domain.banks.text import slugify


@dataclass(frozen=True)
class TrackEntry:
    """One entry of a track's `articles:` list and the line it is written on."""

    key: str
    line: int


@dataclass(frozen=True)
class ParsedTrack:
    """A track's fields plus its raw article entries (not yet checked against the articles)."""

    key: str
    title: str
    description: str
    level: str
    entries: tuple[TrackEntry, ...]
    path: str
    key_line: int


def parse_track(source: SourceFile) -> tuple[ParsedTrack | None, list[Problem]]:
    """Read one track file; None when it is unusable (bad YAML, not a mapping, no key)."""
    path = source.path
    text = source.text.removeprefix("\ufeff").replace("\r\n", "\n")
    mapping, problems = load_mapping(text, path, first_line=1, what="track file")
    problems = [*source.problems, *problems]
    if mapping is None:
        return None, problems
    values, found = check_track_fields(mapping, path)
    problems.extend(found)
    key = values["key"]
    if key is None:
        if "key" not in mapping.values:
            problems.append(Problem(path, 1, "track has no `key`"))
        key = slugify(PurePosixPath(path).stem)
    if values["title"] is None:
        problems.append(Problem(path, mapping.lines.get("title", 1), "track has no `title`"))

    entries: list[TrackEntry] = []
    raw = mapping.values.get("articles")
    articles_line = mapping.lines.get("articles", 1)
    if raw is None:
        problems.append(Problem(path, articles_line, "track has no `articles` list"))
    elif not isinstance(raw, list):
        problems.append(Problem(path, articles_line, "`articles` must be a list of article keys"))
    else:
        lines = mapping.item_lines.get("articles", ())
        for position, item in enumerate(raw):
            line = lines[position] if position < len(lines) else articles_line
            if isinstance(item, bool) or not isinstance(item, str | int):
                message = f"`articles` entries must be article keys, not {type(item).__name__}"
                problems.append(Problem(path, line, message))
                continue
            entries.append(TrackEntry(str(item).strip(), line))
        if not entries:
            problems.append(
                Problem(path, articles_line, "track lists no articles", Severity.WARNING)
            )

    for name, limit in TRACK_FIELDS.items():
        found_limit = limit.check(values[name], path, mapping.lines.get(name, 1))
        if found_limit is not None:
            problems.append(found_limit)
    for line in nul_lines(text):
        problems.append(Problem(path, line, "line has a NUL character, which cannot be stored"))

    track = ParsedTrack(
        key=key,
        title=values["title"] or key,
        description=values["description"],
        level=values["level"],
        entries=tuple(entries),
        path=path,
        key_line=mapping.lines.get("key", 1),
    )
    return track, problems
