"""Text rules shared by the parser and the generators: slugs, keys, escaping, trade-off equality.

Kept in one place because identity depends on them: changing how a slug is made changes every
question key built from it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import PurePosixPath

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RULE = "use lowercase letters, digits and hyphens"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_FILE_PREFIX = re.compile(r"^\d+[-_ .]+")
_TRAILING_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")
_VERSUS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def slugify(text: str) -> str:
    """Lowercase ASCII slug: accents folded, every run of other characters becomes one hyphen."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("-", folded.lower()).strip("-")


def is_valid_key(key: str) -> bool:
    """Whether `key` may be used as an article, track or question id."""
    return bool(KEY_RE.match(key))


def key_from_filename(stem: str) -> str:
    """An article key from a file name: `01-process-vs-thread` -> `process-vs-thread`."""
    return slugify(_FILE_PREFIX.sub("", stem)) or slugify(stem)


def key_from_path(relative: str) -> str:
    """An article key from its path relative to the bank root, folders included:
    `reliability/02-checklist.md` -> `reliability-checklist`. A README or index file stands for
    its folder (`primer/README.md` -> `primer`)."""
    parts = [
        part for part in PurePosixPath(relative).with_suffix("").parts if part not in ("", ".")
    ]
    if len(parts) > 1 and parts[-1].lower() in ("readme", "index"):
        parts = parts[:-1]
    slugs = [key_from_filename(part) for part in parts]
    return "-".join(slug for slug in slugs if slug)


def title_from_filename(stem: str) -> str:
    """A readable fallback title from a file name: `01-process_vs-thread` -> `Process vs thread`."""
    words = re.sub(r"[-_]+", " ", _FILE_PREFIX.sub("", stem)).strip() or stem
    return words[:1].upper() + words[1:]


def heading_signature(text: str) -> str:
    """A heading reduced to letters and digits, so "Trade-off Analysis" == "Tradeoff analysis:".

    A leading enumeration ("3.", "IV)") is dropped too, since many hand-written articles number
    their sections.
    """
    text = re.sub(r"^\s*(?:\d+|[ivxIVX]+)[.)]\s+", "", text)
    return _NON_ALNUM.sub("", text.lower())


def escape_markdown(text: str) -> str:
    """Escape plain text (a title, a front-matter value) so it reads literally inside Markdown."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    escaped = _ENTITY_LIKE.sub("&amp;", escaped)
    escaped = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", escaped)
    return escaped.replace("~~", "\\~\\~")


def normalize_words(text: str) -> str:
    """Casefolded text with whitespace collapsed, for "are these the same words" checks."""
    return " ".join(text.casefold().split())


@functools.lru_cache(maxsize=65536)
def tradeoff_sides(tradeoff: str) -> tuple[str, ...]:
    """The sides of an "A vs B" trade-off, normalized; one element when there is no "vs"."""
    text = _TRAILING_PARENTHETICAL.sub("", tradeoff.strip())
    sides = [_TRAILING_PARENTHETICAL.sub("", side) for side in _VERSUS.split(text)]
    return tuple(normalize_words(side) for side in sides if side.strip())


@functools.lru_cache(maxsize=65536)
def tradeoff_signature(tradeoff: str) -> str:
    """Equal for equivalent trade-offs: same sides in either order, case and spacing ignored,
    trailing parentheticals dropped ("Safety vs Speed (mostly)" == "speed  vs safety")."""
    return "\x1f".join(sorted(tradeoff_sides(tradeoff)))


def is_tradeoff(text: str) -> bool:
    """Whether `text` has the "A vs B" shape the key trade-off questions need."""
    return len(tradeoff_sides(text)) >= 2
