"""Parsing one Markdown article: front matter, the series' sections and their question sources.

The parser is forgiving about shape (any heading level, loosely spelled section names, files
without front matter, the structures of other people's Markdown, read in `loose.py`). Content an
author meant as a question but that cannot be asked (a checklist item without an answer, a quiz
question without exactly one right choice) is a warning with its line: it never blocks the other
files. Errors are kept for what would make the bank wrong: bad front matter, clashing identities.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from markdown_it.token import Token

from app.domain.banks.authored import read_authored
from app.domain.banks.directives import read_directives
from app.domain.banks.document import (
    HEADING_ID,
    Doc,
    Item,
    answer_of,
    children,
    close_index,
    is_list,
    list_items,
)
from app.domain.banks.frontmatter import (
    FrontMatter,
    check_front_matter,
    load_mapping,
    split_front_matter,
)
from app.domain.banks.limits import ARTICLE_FIELDS, RUBRIC_POINT_MAX, SOURCE_PATH, nul_lines
from app.domain.banks.loose import loose_reader, read_range
from app.domain.banks.markdown import inline_markdown, parse, plain_text
from app.domain.banks.model import Article, Problem, Severity, SourceFile
from app.domain.banks.parsed import (
    AuthoredPoint,
    AuthoredQuestion,
    ChecklistItem,
    OneThing,
    ParsedArticle,
    RecallItem,
    SectionKind,
    TermTable,
    TradeoffTable,
)
from app.domain.banks.sections import section_kind
from app.domain.banks.text import (
    key_from_path,
    title_from_filename,
)


@dataclass(frozen=True)
class _Section:
    kind: SectionKind
    line: int
    start: int  # token index of the first content token
    end: int  # token index after the last content token


def _find_sections(doc: Doc) -> list[_Section]:
    """Recognised sections: a heading runs until the next heading of the same or higher level."""
    tokens = doc.tokens
    sections: list[_Section] = []
    current: tuple[SectionKind, int, int, int] | None = None  # kind, level, line, start
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0:
            continue
        level = int(token.tag[1:])
        if current is not None and level <= current[1]:
            sections.append(_Section(current[0], current[2], current[3], index))
            current = None
        if current is None:
            kind = section_kind(doc.heading_text(index))
            if kind is not None:
                current = (kind, level, doc.line(token), index + 3)
    if current is not None:
        sections.append(_Section(current[0], current[2], current[3], len(tokens)))
    return sections


def _first_heading(tokens: Sequence[Token]) -> str | None:
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and token.level == 0:
            text = HEADING_ID.sub("", plain_text(tokens[index + 1])).strip()
            if text:
                return text
    return None


# --- The One Thing to Remember ---------------------------------------------------------------


def _read_one_thing(doc: Doc, section: _Section) -> tuple[OneThing | None, list[Problem]]:
    """The section's first paragraph (or quoted paragraph), and the answers the author accepts
    for its blank (`<!-- rehearse: accept … -->` anywhere in the section)."""
    tokens = doc.tokens
    problems: list[Problem] = []
    accepted: list[str] = []
    found: tuple[str, int] | None = None
    for index in children(tokens, section.start, section.end, 0):
        token = tokens[index]
        directives, bad = read_directives(token, doc.line(token), doc.path)
        problems.extend(bad)
        accepted.extend(arg for d in directives if d.verb == "accept" for arg in d.args)
        if found is not None:
            continue
        if token.type == "paragraph_open":
            found = tokens[index + 1].content.strip(), doc.line(token)
        elif token.type == "blockquote_open":
            for inner in range(index, close_index(tokens, index)):
                if tokens[inner].type == "inline":
                    found = tokens[inner].content.strip(), doc.line(token)
                    break
    if found is None:
        message = "'The One Thing to Remember' has no paragraph"
        return None, [*problems, Problem(doc.path, section.line, message, Severity.WARNING)]
    return OneThing(found[0], found[1], tuple(accepted)), problems


# --- Self-assessment checklist ---------------------------------------------------------------


def _split_inline_answer(text: str) -> tuple[str, str]:
    """ "Question?\\nAnswer..." written as one paragraph: split after the first line ending "?"."""
    lines = text.split("\n")
    for index, line in enumerate(lines[:-1]):
        if line.rstrip().endswith("?"):
            return "\n".join(lines[: index + 1]).strip(), "\n".join(lines[index + 1 :]).strip()
    return text, ""


def _read_checklist(
    doc: Doc, section: _Section, numbering_start: int
) -> tuple[list[ChecklistItem], list[Problem]]:
    tokens = doc.tokens
    candidates: list[Item] = []
    for index in children(tokens, section.start, section.end, 0):
        if is_list(tokens[index]):
            candidates.extend(list_items(doc, index))
    if any(item.checked is not None for item in candidates):
        candidates = [item for item in candidates if item.checked is not None]
    problems: list[Problem] = []
    items: list[ChecklistItem] = []
    for number, item in enumerate(candidates, start=numbering_start + 1):
        question = item.text
        answer = answer_of(doc, item)
        if not answer:
            question, answer = _split_inline_answer(question)
        if not question:
            message = "self-assessment item has no question; it is left out"
            problems.append(Problem(doc.path, item.line, message, Severity.WARNING))
            continue
        if not answer:
            message = (
                "self-assessment item has no answer, so it is left out: nest the answer under "
                "the item (an indented bullet or paragraph)"
            )
            problems.append(Problem(doc.path, item.line, message, Severity.WARNING))
            continue
        items.append(ChecklistItem(number, question, answer, item.line))
    if not candidates:
        message = "'Self-Assessment' has no checklist items"
        problems.append(Problem(doc.path, section.line, message, Severity.WARNING))
    return items, problems


# --- Interview rubric ------------------------------------------------------------------------


_ESCAPED_CHECKBOX = re.compile(r"^\\\[[ xX]\\\]\s*")


def _read_rubric(doc: Doc, section: _Section) -> tuple[list[AuthoredPoint], list[Problem]]:
    """The items of the section's lists, each one line of inline Markdown (what is nested under
    an item is left out: a rubric point is a line an interviewer ticks off)."""
    tokens = doc.tokens
    problems: list[Problem] = []
    points: list[AuthoredPoint] = []
    for index in children(tokens, section.start, section.end, 0):
        if not is_list(tokens[index]):
            continue
        for item in list_items(doc, index):
            inline = tokens[item.first_para_close - 1] if item.first_para_close else None
            text = " ".join(inline_markdown(inline).replace("\\\n", " ").split())
            if item.checked is not None:  # "- [ ] point": the box is not part of the point
                text = _ESCAPED_CHECKBOX.sub("", text, count=1)
            if not text:
                continue
            if len(text) > RUBRIC_POINT_MAX:
                message = (
                    f"rubric point is {len(text)} characters; at most {RUBRIC_POINT_MAX} read "
                    "well as one line of a checklist, so it is left out: shorten it"
                )
                problems.append(Problem(doc.path, item.line, message, Severity.WARNING))
                continue
            points.append(AuthoredPoint(text, item.line))
    if not points and not problems:
        message = "'Interview Rubric' has no list items: write each point as a bullet"
        problems.append(Problem(doc.path, section.line, message, Severity.WARNING))
    return points, problems


# --- Authored questions ----------------------------------------------------------------------


def _read_authored(
    doc: Doc, section: _Section, numbering_start: int
) -> tuple[list[AuthoredQuestion], list[Problem], int]:
    tokens = doc.tokens
    blocks = children(tokens, section.start, section.end, 0)
    headings = [index for index in blocks if tokens[index].type == "heading_open"]
    problems: list[Problem] = []
    questions: list[AuthoredQuestion] = []
    number = numbering_start
    for position, heading in enumerate(headings):
        number += 1
        stop = headings[position + 1] if position + 1 < len(headings) else section.end
        own = blocks[bisect_right(blocks, heading) : bisect_left(blocks, stop)]
        question, found = read_authored(doc, heading, own, stop, number)
        problems.extend(found)
        if question is not None:
            questions.append(question)
    if not headings:
        message = "'Questions' has no question headings"
        problems.append(Problem(doc.path, section.line, message, Severity.WARNING))
    return questions, problems, number


# --- The article -----------------------------------------------------------------------------


def _article_key(front: FrontMatter, source: SourceFile) -> tuple[str, list[Problem]]:
    path = source.path
    relative = source.key_path or PurePosixPath(path).name
    if front.key is not None:
        return front.key, []
    key = key_from_path(relative)
    if "key" in front.lines:  # given but invalid (already reported): use the path's key
        return key, []
    if not key:
        message = f"cannot make a key from the path '{relative}': add `key:` to the front matter"
        return "", [Problem(path, 1, message)]
    return key, []


@dataclass
class _Sources:
    """Question sources collected while walking an article in document order."""

    one_thing: OneThing | None = None
    tables: list[TradeoffTable] = field(default_factory=list)
    terms: list[TermTable] = field(default_factory=list)
    recalls: list[RecallItem] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    authored: list[AuthoredQuestion] = field(default_factory=list)
    rubric: list[AuthoredPoint] = field(default_factory=list)


def _read_body(doc: Doc, title: str) -> tuple[_Sources, tuple[SectionKind, ...], list[Problem]]:
    """Walk the body in order: the series' sections by their readers, the rest (the trade-off
    section included) by the reader of ordinary Markdown."""
    sections = _find_sections(doc)
    found = _Sources()
    problems: list[Problem] = []
    authored_number = 0
    cursor = 0
    segments: list[tuple[int, int, _Section | None]] = []
    for section in sections:
        heading = section.start - 3
        if section.kind is SectionKind.TRADEOFFS:
            continue
        if cursor < heading:
            segments.append((cursor, heading, None))
        segments.append((heading, section.end, section))
        cursor = section.end
    if cursor < len(doc.tokens):
        segments.append((cursor, len(doc.tokens), None))

    loose = loose_reader(doc, title)
    for start, end, part in segments:
        if part is None:
            # Authored questions here and under *Questions* share one numbering, in order.
            authored_number = read_range(loose, start, end, authored_number)
            found.authored.extend(loose.found.authored)
            loose.found.authored.clear()
        elif part.kind is SectionKind.ONE_THING:
            if found.one_thing is not None:
                message = "a second 'The One Thing to Remember' section is ignored"
                problems.append(Problem(doc.path, part.line, message, Severity.WARNING))
                continue
            found.one_thing, more = _read_one_thing(doc, part)
            problems.extend(more)
        elif part.kind is SectionKind.SELF_ASSESSMENT:
            items, more = _read_checklist(doc, part, len(found.checklist))
            found.checklist.extend(items)
            problems.extend(more)
        elif part.kind is SectionKind.RUBRIC:
            points, more = _read_rubric(doc, part)
            found.rubric.extend(points)
            problems.extend(more)
        else:
            questions, more, authored_number = _read_authored(doc, part, authored_number)
            found.authored.extend(questions)
            problems.extend(more)

    found.tables.extend(loose.found.tables)
    found.terms.extend(loose.found.terms)
    found.recalls.extend(loose.found.recalls)
    problems.extend(loose.found.problems)
    for section in sections:
        if section.kind is SectionKind.TRADEOFFS and not _has_table(doc, section):
            message = "'Trade-off Analysis' has no table"
            problems.append(Problem(doc.path, section.line, message, Severity.WARNING))
    kinds = tuple(dict.fromkeys(section.kind for section in sections))
    return found, kinds, problems


def _has_table(doc: Doc, section: _Section) -> bool:
    return any(doc.tokens[i].type == "table_open" for i in range(section.start, section.end))


def _unique_authored(
    authored: Sequence[AuthoredQuestion], path: str
) -> tuple[list[AuthoredQuestion], list[Problem]]:
    seen_ids: dict[str, int] = {}
    unique: list[AuthoredQuestion] = []
    problems: list[Problem] = []
    for question in authored:
        if question.ident in seen_ids:
            first_line = seen_ids[question.ident]
            message = f"duplicate question id '{question.ident}' (first on line {first_line})"
            problems.append(Problem(path, question.line, message))
            continue
        seen_ids[question.ident] = question.line
        unique.append(question)
    return unique, problems


def _check_limits(article: Article, front: FrontMatter, text: str) -> list[Problem]:
    """Values the database could not store: over-long fields and NUL characters."""
    problems: list[Problem] = []
    for name, limit in ARTICLE_FIELDS.items():
        found = limit.check(getattr(article, name), article.path, front.lines.get(name, 1))
        if found is not None:
            problems.append(found)
    found = SOURCE_PATH.check(article.path, article.path, 1)
    if found is not None:
        problems.append(found)
    for line in nul_lines(text):
        message = "line has a NUL character, which cannot be stored: remove it"
        problems.append(Problem(article.path, line, message))
    return problems


def parse_article(source: SourceFile) -> tuple[ParsedArticle, list[Problem]]:
    """Parse one article file into its metadata and question sources, with every problem found.

    Never raises for bad content; a file with broken front matter still has its body parsed so
    its other problems are reported in the same run.
    """
    path = source.path
    text = source.text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    problems: list[Problem] = list(source.problems)
    split, found = split_front_matter(text, path)
    problems.extend(found)
    front = FrontMatter()
    if split.yaml_text is not None:
        mapping, found = load_mapping(split.yaml_text, path, first_line=2, what="front matter")
        problems.extend(found)
        if mapping is not None:
            front, found = check_front_matter(mapping, path)
            problems.extend(found)

    doc = Doc(path, parse(split.body), split.body.split("\n"), split.body_offset)
    stem = PurePosixPath(path).stem
    key, found = _article_key(front, source)
    problems.extend(found)
    title = front.title or _first_heading(doc.tokens) or title_from_filename(stem)

    sources, kinds, found = _read_body(doc, title)
    problems.extend(found)
    authored, found = _unique_authored(sources.authored, path)
    problems.extend(found)

    article = Article(
        key=key,
        title=title,
        series=front.series,
        part=front.part,
        part_title=front.part_title,
        order=front.order,
        difficulty=front.difficulty,
        read_minutes=front.read_minutes,
        key_tradeoff=front.key_tradeoff,
        tags=front.tags,
        aliases=front.aliases,
        path=path,
        body=split.body,
        content_hash=hashlib.sha256(source.text.encode("utf-8")).hexdigest(),
        topic=front.topic,
        interview_prompt=front.interview_prompt,
    )
    problems.extend(_check_limits(article, front, text))
    parsed = ParsedArticle(
        article=article,
        sections=kinds,
        one_thing=sources.one_thing,
        tables=tuple(sources.tables),
        checklist=tuple(sources.checklist),
        authored=tuple(authored),
        field_lines=tuple(sorted(front.lines.items())),
        terms=tuple(sources.terms),
        recalls=tuple(sources.recalls),
        rubric=tuple(sources.rubric),
    )
    return parsed, problems
