"""An article's mock interview: the prompt to answer out loud and the rubric to score it with.

The rubric is a short checklist an interviewer ticks while listening: the points the author wrote
under *Interview Rubric* first, then the one thing to remember, each quizzed row of the trade-off
tables and the first sentence of each self-assessment answer. Each point names the stored
questions that test the same thing, so a missed point can become the next drill.

Every point is one line of inline Markdown, kept short: a rubric is read at a glance, not studied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from app.domain.banks.generators.tables import is_blank, quizzed
from app.domain.banks.markdown import inline_markdown, parse
from app.domain.banks.model import QuestionSpec, RubricPoint
from app.domain.banks.parsed import ParsedArticle, TradeoffTable
from app.domain.banks.text import normalize_words

__all__ = ["RUBRIC_MAX", "RubricPoint", "interview_prompt", "interview_rubric", "rubric_points"]

RUBRIC_MAX = 16  # points in a rubric; the author's own are always kept
SENTENCE_MAX = 200  # a self-assessment point: the answer's first sentence, cut to this
SENTENCE_MIN = 40  # a first sentence shorter than this ("Yes.") takes the next one along
ONE_THING_MAX = 250  # the one thing to remember: whole when it fits, else its first sentence
LONG_SENTENCE_MAX = 320  # a first sentence longer than the point's limit is kept up to this

AUTHOR = "author"
ONE_THING = "one_thing"
TABLE = "table"
SELF_ASSESSMENT = "self_assessment"

_DESIGN = re.compile(r"^\s*design\s*:\s*(?P<subject>.+?)\s*\.?\s*$", re.IGNORECASE)
_HARD_BREAK = "\\\n"
# Spans a point must not be cut inside: code spans and links.
_UNCUTTABLE = re.compile(r"(`+).+?\1|\[[^\]]*\]\([^)]*\)", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?][)\"'\u2019\u201d*]*(?=\s|$)")
_CLAUSE_END = re.compile(r"(?:[;,:]|\s[\u2014\u2013-])(?=\s)")
# Words ending in a period that do not end a sentence ("e.g. Redis", "vs. threads").
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "eg", "ie", "cf", "vs", "approx", "incl", "viz", "al", "mr", "mrs", "dr", "st"}
)
# Letters whose English names start with a vowel sound: "an SQL", "an HTTP", but "a URL".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
_A_BEFORE_VOWEL = ("uni", "use", "usu", "uti", "eu", "one", "once")
_AN_BEFORE_CONSONANT = ("hour", "honest", "honor", "honour", "heir")


# --- The prompt ------------------------------------------------------------------------------


def interview_prompt(parsed: ParsedArticle) -> str:
    """What a mock interview on the article asks (plain text; see the banks README)."""
    article = parsed.article
    if article.interview_prompt:
        return article.interview_prompt
    design = _DESIGN.match(article.title)
    if design is not None:
        return f"Design {_with_article(_lowercase_words(design['subject']))}."
    if parsed.tables and len(parsed.tables[0].options) == 2:
        first, second = (option.plain for option in parsed.tables[0].options)
        return (
            f"Walk me through the trade-off between {first} and {second}: "
            "when would you choose each?"
        )
    if article.key_tradeoff:
        return (
            f"Walk me through the {article.key_tradeoff} trade-off in {article.tradeoff_name}: "
            "when would you choose each side?"
        )
    return (
        f"Explain {article.title} as you would in an interview: the trade-offs and when you "
        "would choose each."
    )


def _lowercase_words(text: str) -> str:
    """Lowercase each word (each part of a hyphenated one) unless it has a capital after its
    first letter: "Real-Time Chat" -> "real-time chat", "URL Shortener" -> "URL shortener"."""

    def lower(part: str) -> str:
        return part if any(c.isupper() for c in part[1:]) else part.lower()

    return " ".join("-".join(lower(part) for part in word.split("-")) for word in text.split())


def _with_article(phrase: str) -> str:
    """ "a" or "an" before `phrase`, by how its first word sounds."""
    word = phrase.split(" ", 1)[0].split("-", 1)[0]
    if not word:
        return phrase
    if len(word) > 1 and word.isupper():  # an acronym, read letter by letter
        vowel = word[0] in _VOWEL_LETTERS
    else:
        lower = word.lower()
        vowel = lower[0] in "aeiou"
        if lower.startswith(_A_BEFORE_VOWEL):
            vowel = False
        elif lower.startswith(_AN_BEFORE_CONSONANT):
            vowel = True
    return f"{'an' if vowel else 'a'} {phrase}"


# --- The rubric ------------------------------------------------------------------------------


def rubric_points(
    parsed: ParsedArticle, questions: Iterable[QuestionSpec]
) -> tuple[RubricPoint, ...]:
    """The article's rubric, given the questions stored for it (their keys are linked)."""
    article = parsed.article
    own = [spec for spec in questions if spec.article_key == article.key]
    authored = [RubricPoint(point.text, AUTHOR, (), point.line) for point in parsed.rubric]
    generated = [*_one_thing(parsed, own), *_table_rows(parsed, own), *_checklist(parsed, own)]
    seen: set[str] = set()
    kept: list[RubricPoint] = []
    for point in [*authored, *generated]:
        words = normalize_words(point.text)
        if not words or words in seen:
            continue
        seen.add(words)
        if point.source != AUTHOR and len(kept) >= RUBRIC_MAX:
            continue
        kept.append(point)
    return tuple(kept)


def interview_rubric(
    parsed: ParsedArticle, questions: Iterable[QuestionSpec]
) -> tuple[str, tuple[RubricPoint, ...]]:
    """The article's interview prompt and its rubric."""
    return interview_prompt(parsed), rubric_points(parsed, questions)


def _one_thing(parsed: ParsedArticle, own: Sequence[QuestionSpec]) -> list[RubricPoint]:
    found = parsed.one_thing
    if found is None:
        return []
    text = _shorten(_one_line(found.text), ONE_THING_MAX, longest=LONG_SENTENCE_MAX)
    keys = tuple(spec.key for spec in own if spec.kind == "one_thing")
    return [RubricPoint(text, ONE_THING, keys, found.line)]


def _table_rows(parsed: ParsedArticle, own: Sequence[QuestionSpec]) -> list[RubricPoint]:
    points: list[RubricPoint] = []
    for table in parsed.tables:
        for index, aspect in enumerate(table.aspects):
            if not quizzed(table, aspect):
                continue
            text = _row_text(table, index)
            if text is None:
                continue
            # The group `generators/tables.py` gives every question of the row.
            group = f"{parsed.article.key}:table:{table.caption_slug}:{aspect.slug}"
            keys = tuple(spec.key for spec in own if spec.sibling_group == group)
            if not keys:
                keys = tuple(spec.key for spec in own if spec.key.startswith(f"{group}:"))
            points.append(RubricPoint(text, TABLE, keys, aspect.line))
    return points


def _row_text(table: TradeoffTable, index: int) -> str | None:
    """ "**Memory** — Process: own address space; Thread: shares it", or None for a blank row."""
    sides = [
        f"{option.markdown}: {_flat(cell.markdown)}"
        for option, cell in zip(table.options, table.cells[index], strict=True)
        if cell is not None and not is_blank(cell)
    ]
    if not sides:
        return None
    return f"**{_flat(table.aspects[index].markdown)}** — {'; '.join(sides)}"


def _checklist(parsed: ParsedArticle, own: Sequence[QuestionSpec]) -> list[RubricPoint]:
    points: list[RubricPoint] = []
    for item in parsed.checklist:
        text = _shorten(_one_line(item.answer), SENTENCE_MAX, whole=False)
        key = f"{parsed.article.key}:self_assessment:{item.number}"  # see generators/recall.py
        keys = tuple(spec.key for spec in own if spec.key == key)
        points.append(RubricPoint(text, SELF_ASSESSMENT, keys, item.line))
    return points


# --- One short line of Markdown --------------------------------------------------------------


def _flat(markdown: str) -> str:
    """Inline Markdown on one line: hard breaks and runs of white space become one space."""
    return " ".join(markdown.replace(_HARD_BREAK, " ").split())


def _one_line(markdown: str) -> str:
    """The first paragraph (or list item) of block Markdown as one line of inline Markdown."""
    for token in parse(markdown):
        if token.type == "inline" and token.content.strip():
            return _flat(inline_markdown(token)).rstrip(":").rstrip()
    return ""


def _uncuttable(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _UNCUTTABLE.finditer(text)]


def _can_cut(text: str, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether `text[:end]` is whole Markdown: not inside a code span or link, and every
    emphasis opened in it closed (an even count of unescaped asterisks outside code)."""
    if any(start < end < stop for start, stop in spans):
        return False
    head = text[:end]
    for start, stop in reversed(spans):
        if stop <= end:
            head = head[:start] + head[stop:]
    return len(re.findall(r"(?<!\\)\*", head)) % 2 == 0


def _sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence end in `text` (an abbreviation or a period before a
    lowercase word is not one)."""
    spans = _uncuttable(text)
    ends: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        rest = text[end:].lstrip()
        if rest and rest[0].islower():
            continue
        if text[match.start()] == ".":
            word = text[: match.start()].rsplit(None, 1)[-1] if text[: match.start()] else ""
            if word.lower().lstrip("(") in _ABBREVIATIONS:
                continue
        if _can_cut(text, end, spans):
            ends.append(end)
    return ends


def _shorten(text: str, limit: int, *, whole: bool = True, longest: int | None = None) -> str:
    """`text` if `whole` and it fits in `limit`, else its first sentence (with the next when
    the first is very short); a first sentence longer than `limit` is kept whole up to
    `longest`, else cut at the last clause or word that fits, marked with …."""
    text = text.strip()
    if whole and len(text) <= limit:
        return text
    all_ends = _sentence_ends(text)
    ends = [end for end in all_ends if end <= limit]
    if ends:
        chosen = ends[0]
        for end in ends[1:]:
            if len(text[:chosen].strip()) >= SENTENCE_MIN:
                break
            chosen = end
        return text[:chosen].strip()
    first = text[: all_ends[0]].strip() if all_ends else text
    if len(first) <= max(limit, longest or 0):
        return first
    limit = max(limit, longest or 0)
    spans = _uncuttable(text)
    room = limit - 1  # for the "…"
    floor = limit // 2  # a clause cut that keeps less than this is worse than a word cut
    clauses = [
        match.start()
        for match in _CLAUSE_END.finditer(text, 0, room + 1)
        if match.start() >= floor and _can_cut(text, match.start(), spans)
    ]
    words = [
        match.start()
        for match in re.finditer(r"\s", text[: room + 1])
        if _can_cut(text, match.start(), spans)
    ]
    cut = clauses[-1] if clauses else words[-1] if words else room
    return text[:cut].rstrip(" ,;:\u2014\u2013-") + "\u2026"
