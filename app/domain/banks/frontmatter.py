"""Splitting an article into YAML front matter and body, and checking each front-matter field.

PyYAML's node API is used instead of a plain `safe_load` so every field keeps the line it was
written on: an author told "line 7: read_minutes must be a whole number" fixes it in seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.domain.banks.limits import ORDER_MAX, PART_MAX, READ_MINUTES_MAX
from app.domain.banks.model import Problem, Severity
from app.domain.banks.text import KEY_RULE, is_tradeoff, is_valid_key

DIFFICULTIES = ("beginner", "intermediate", "advanced")
KNOWN_FIELDS = frozenset(
    {
        "key",
        "title",
        "series",
        "part",
        "part_title",
        "order",
        "difficulty",
        "read_minutes",
        "key_tradeoff",
        "topic",
        "interview_prompt",
        "tags",
        "aliases",
    }
)
# libyaml's loader when PyYAML was built with it: same nodes and marks, several times faster.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class Split:
    """A file cut in two; `body_offset` is the 0-based file line the body starts on."""

    yaml_text: str | None
    body: str
    body_offset: int


@dataclass(frozen=True)
class YamlMapping:
    """A YAML mapping's values with the 1-based line of each key."""

    values: dict[str, Any]
    lines: dict[str, int]
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)


def split_front_matter(text: str, path: str) -> tuple[Split, list[Problem]]:
    """Cut `---`-fenced front matter off `text`; an unclosed fence is reported, not guessed at."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return Split(None, text, 0), []
    for index in range(1, len(lines)):
        if _CLOSE.match(lines[index]):
            yaml_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return Split(yaml_text, body, index + 1), []
    problem = Problem(path, 1, "front matter starts with --- but is never closed with ---")
    return Split(None, text, 0), [problem]


def load_mapping(
    yaml_text: str, path: str, first_line: int, what: str
) -> tuple[YamlMapping | None, list[Problem]]:
    """Parse YAML that must be a mapping; `first_line` is the file line of the YAML's first line.

    Returns None (and the problem) for a syntax error or a document that is not a mapping.
    """
    loader = _LOADER(yaml_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        detail = exc.problem or exc.context or str(exc)
        if exc.problem and exc.context and exc.context_mark is not None:
            context_line = first_line + exc.context_mark.line
            detail += f" ({exc.context} that starts on line {context_line})"
        return None, [Problem(path, line, f"bad YAML in {what}: {detail}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, first_line, f"bad YAML in {what}: {exc}")]
    finally:
        loader.dispose()
    if node is None or data is None:
        return YamlMapping({}, {}), []
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        return None, [Problem(path, first_line, f"{what} must be a mapping of `field: value`")]
    problems: list[Problem] = []
    lines: dict[str, int] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    for key_node, value_node in node.value:
        name = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if name in lines:
            problems.append(
                Problem(path, line, f"field '{name}' is given twice (first on line {lines[name]})")
            )
            continue
        lines[name] = line
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[name] = tuple(first_line + item.start_mark.line for item in value_node.value)
    values = {str(name): value for name, value in data.items()}
    return YamlMapping(values, lines, item_lines), problems


@dataclass(frozen=True)
class FrontMatter:
    """Checked front-matter values; a field that failed its check is None (or its default)."""

    key: str | None = None
    title: str | None = None
    series: str | None = None
    part: int | None = None
    part_title: str | None = None
    order: int | None = None
    difficulty: str = "intermediate"
    read_minutes: int | None = None
    key_tradeoff: str | None = None
    topic: str | None = None
    interview_prompt: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)


class _Checker:
    """Collects type problems while reading one mapping's fields."""

    def __init__(self, mapping: YamlMapping, path: str, fallback_line: int) -> None:
        self.mapping = mapping
        self.path = path
        self.fallback_line = fallback_line
        self.problems: list[Problem] = []

    def line(self, name: str) -> int:
        return self.mapping.lines.get(name, self.fallback_line)

    def error(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(name), message))

    def text(self, name: str) -> str | None:
        """A string field; numbers are accepted as their text (YAML reads `title: 1984` as int)."""
        value = self.mapping.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(name, f"{name} must be text, not {_describe(value)}")
            return None
        text = str(value).strip()
        return text or None

    def whole_number(self, name: str, minimum: int, maximum: int) -> int | None:
        value = self.mapping.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"{name} must be a whole number, not {_describe(value)}")
            return None
        if not minimum <= value <= maximum:
            self.error(name, f"{name} must be from {minimum} to {maximum}, not {value}")
            return None
        return value

    def text_list(self, name: str) -> tuple[str, ...]:
        value = self.mapping.values.get(name)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(name, f"{name} must be a list of text, not {_describe(value)}")
            return ()
        items: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error(name, f"{name} must be a list of text; found {_describe(item)}")
                continue
            if str(item).strip():
                items.append(str(item).strip())
        return tuple(items)

    def key(self, name: str, value: str | None) -> str | None:
        if value is not None and not is_valid_key(value):
            self.error(name, f"invalid {name} '{value}': {KEY_RULE}")
            return None
        return value

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(name)
        if value is None:
            return default
        if value.lower() not in allowed:
            self.error(name, f"{name} must be one of {', '.join(allowed)}, not '{value}'")
            return default
        return value.lower()

    def unknown_fields(self, known: frozenset[str], what: str) -> None:
        for name in self.mapping.values:
            if name not in known:
                self.problems.append(
                    Problem(
                        self.path,
                        self.line(name),
                        f"unknown {what} field '{name}' is ignored",
                        Severity.WARNING,
                    )
                )


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def _one_line(text: str | None) -> str | None:
    """A text field folded onto one line (a YAML block scalar keeps its line breaks)."""
    return " ".join(text.split()) if text is not None else None


def check_front_matter(mapping: YamlMapping, path: str) -> tuple[FrontMatter, list[Problem]]:
    """Read and type-check an article's front-matter fields."""
    check = _Checker(mapping, path, fallback_line=1)
    check.unknown_fields(KNOWN_FIELDS, "front-matter")
    key = check.key("key", check.text("key"))
    aliases: list[str] = []
    for alias in check.text_list("aliases"):
        if is_valid_key(alias):
            aliases.append(alias)
        else:
            check.error("aliases", f"invalid alias '{alias}': {KEY_RULE}")
    key_tradeoff = check.text("key_tradeoff")
    if key_tradeoff is not None and not is_tradeoff(key_tradeoff):
        check.error("key_tradeoff", f"key_tradeoff must read 'A vs B', not '{key_tradeoff}'")
        key_tradeoff = None
    front = FrontMatter(
        key=key,
        title=check.text("title"),
        series=check.text("series"),
        part=check.whole_number("part", 0, PART_MAX),
        part_title=check.text("part_title"),
        order=check.whole_number("order", 0, ORDER_MAX),
        difficulty=check.choice("difficulty", DIFFICULTIES, "intermediate"),
        read_minutes=check.whole_number("read_minutes", 0, READ_MINUTES_MAX),
        key_tradeoff=key_tradeoff,
        topic=check.text("topic"),
        interview_prompt=_one_line(check.text("interview_prompt")),
        tags=check.text_list("tags"),
        aliases=tuple(aliases),
        lines=dict(mapping.lines),
    )
    return front, check.problems


def check_track_fields(mapping: YamlMapping, path: str) -> tuple[dict[str, Any], list[Problem]]:
    """Type-check a track file's fields; returns the usable values by name."""
    check = _Checker(mapping, path, fallback_line=1)
    check.unknown_fields(frozenset({"key", "title", "description", "level", "articles"}), "track")
    values: dict[str, Any] = {
        "key": check.key("key", check.text("key")),
        "title": check.text("title"),
        "description": check.text("description") or "",
        "level": check.choice("level", DIFFICULTIES, "intermediate"),
    }
    return values, check.problems
