"""Parsing one Markdown article: front matter, recognised sections and their question sources.

The parser is forgiving about shape (any heading level, loosely spelled section names, files
without front matter) and strict about content an author clearly meant as a question (a checklist
item without an answer, a quiz question without exactly one right choice): those are errors.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from markdown_it.token import Token

from app.domain.banks.frontmatter import (
    FrontMatter,
    check_front_matter,
    load_mapping,
    split_front_matter,
)
from app.domain.banks.markdown import (
    dedent,
    join_block,
    parse,
    plain_text,
    split_checkbox,
    unwrap_list_item,
)
from app.domain.banks.model import Article, Problem, Severity, SourceFile
from app.domain.banks.parsed import (
    AuthoredQuestion,
    ChecklistItem,
    OneThing,
    ParsedArticle,
    SectionKind,
    TradeoffTable,
)
from app.domain.banks.tables import read_table
from app.domain.banks.text import (
    KEY_RULE,
    heading_signature,
    is_valid_key,
    key_from_filename,
    slugify,
    title_from_filename,
)

SECTION_HEADINGS: dict[str, SectionKind] = {
    heading_signature(text): kind
    for kind, texts in {
        SectionKind.ONE_THING: (
            "The One Thing to Remember",
            "One thing to remember",
            "Key takeaway",
            "Key takeaways",
            "TL;DR",
        ),
        SectionKind.TRADEOFFS: (
            "Trade-off Analysis",
            "Trade-offs",
            "Tradeoffs",
            "Trade-off",
            "Tradeoff Analysis",
            "Comparison",
        ),
        SectionKind.SELF_ASSESSMENT: (
            "Self-Assessment",
            "Self Assessment",
            "Check your understanding",
            "Review questions",
        ),
        SectionKind.QUESTIONS: ("Questions", "Quiz", "Practice questions"),
    }.items()
    for text in texts
}

_HEADING_ID = re.compile(r"\s*\{#([^}]*)\}\s*$")
_EXPLANATION = re.compile(
    r"^(?:\*\*|__)?\s*explanation\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*", re.IGNORECASE
)
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


@dataclass(frozen=True)
class _Doc:
    """The body being parsed: its tokens, its source lines and where it sits in the file."""

    path: str
    tokens: list[Token]
    lines: list[str]
    offset: int  # 0-based file line of body line 0

    def line(self, token: Token) -> int:
        """1-based file line of a block token."""
        return self.offset + (token.map[0] if token.map else 0) + 1

    def source(self, start: int, end: int) -> list[str]:
        """Body source lines [start, end), 0-based body lines."""
        return self.lines[start:end]


@dataclass(frozen=True)
class _Section:
    kind: SectionKind
    line: int
    start: int  # token index of the first content token
    end: int  # token index after the last content token


def _close_index(tokens: Sequence[Token], open_index: int) -> int:
    """Index of the token closing the block opened at `open_index` (itself if self-contained)."""
    depth = 0
    for index in range(open_index, len(tokens)):
        depth += tokens[index].nesting
        if depth <= 0:
            return index
    return len(tokens) - 1


def _children(tokens: Sequence[Token], start: int, end: int, level: int) -> list[int]:
    """Indices of the blocks that open (or are self-contained) at `level` in [start, end)."""
    return [
        index
        for index in range(start, end)
        if tokens[index].level == level
        and tokens[index].nesting >= 0
        and tokens[index].type != "inline"
    ]


def _find_sections(doc: _Doc) -> list[_Section]:
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
            text = _HEADING_ID.sub("", plain_text(tokens[index + 1]))
            kind = SECTION_HEADINGS.get(heading_signature(text))
            if kind is not None:
                current = (kind, level, doc.line(token), index + 3)
    if current is not None:
        sections.append(_Section(current[0], current[2], current[3], len(tokens)))
    return sections


def _first_heading(tokens: Sequence[Token]) -> str | None:
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and token.level == 0:
            text = _HEADING_ID.sub("", plain_text(tokens[index + 1])).strip()
            if text:
                return text
    return None


# --- The One Thing to Remember ---------------------------------------------------------------


def _read_one_thing(doc: _Doc, section: _Section) -> tuple[OneThing | None, list[Problem]]:
    tokens = doc.tokens
    for index in _children(tokens, section.start, section.end, 0):
        token = tokens[index]
        if token.type == "paragraph_open":
            return OneThing(tokens[index + 1].content.strip(), doc.line(token)), []
        if token.type == "blockquote_open":
            close = _close_index(tokens, index)
            for inner in range(index, close):
                if tokens[inner].type == "inline":
                    return OneThing(tokens[inner].content.strip(), doc.line(token)), []
    message = "'The One Thing to Remember' has no paragraph"
    return None, [Problem(doc.path, section.line, message, Severity.WARNING)]


def bold_phrase(text: str) -> tuple[int, int, str] | None:
    """(start, end, inner text) of the first **bold** phrase in `text`, ignoring code spans."""
    masked = _CODE_SPAN.sub(lambda m: "\x00" * len(m.group(0)), text)
    match = _BOLD.search(masked)
    if match is None:
        return None
    return match.start(), match.end(), text[match.start(2) : match.end(2)]


# --- Trade-off tables ------------------------------------------------------------------------


def _read_tables(
    doc: _Doc, section: _Section, numbering_start: int
) -> tuple[list[TradeoffTable], list[Problem], int]:
    """Tables of one Trade-off section; returns them, problems and the next `table-N` number."""
    tokens = doc.tokens
    tables: list[TradeoffTable] = []
    problems: list[Problem] = []
    caption: str | None = None
    number = numbering_start
    index = section.start
    while index < section.end:
        token = tokens[index]
        if token.type == "heading_open":
            caption = _HEADING_ID.sub("", plain_text(tokens[index + 1])).strip() or None
        elif token.type == "table_open":
            close = _close_index(tokens, index)
            name = caption if caption and slugify(caption) else None
            if name is None:
                number += 1
                name = f"table-{number}"
            table, found = read_table(
                tokens[index : close + 1], doc.lines, doc.offset, name, doc.path
            )
            problems.extend(found)
            if table is not None:
                tables.append(table)
            index = close
        index += 1
    if not tables and not problems:
        message = "'Trade-off Analysis' has no table"
        problems.append(Problem(doc.path, section.line, message, Severity.WARNING))
    return tables, problems, number


# --- Self-assessment checklist ---------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """A list item's first paragraph, its checkbox and the block indices nested under it."""

    checked: bool | None
    text: str
    line: int
    open_index: int
    close_index: int
    first_para_close: int | None


def _list_items(doc: _Doc, list_open: int) -> list[_Item]:
    tokens = doc.tokens
    list_close = _close_index(tokens, list_open)
    item_level = tokens[list_open].level + 1
    items: list[_Item] = []
    for index in range(list_open + 1, list_close):
        token = tokens[index]
        if token.type != "list_item_open" or token.level != item_level:
            continue
        close = _close_index(tokens, index)
        checked: bool | None = None
        text = ""
        para_close: int | None = None
        first = index + 1
        if first < close and tokens[first].type == "paragraph_open":
            checked, text = split_checkbox(tokens[first + 1].content)
            para_close = first + 2
        items.append(_Item(checked, text.strip(), doc.line(token), index, close, para_close))
    return items


def _answer_of(doc: _Doc, item: _Item) -> str:
    """The Markdown nested under a checklist item (a nested bullet's text is unwrapped)."""
    tokens = doc.tokens
    start = (item.first_para_close or item.open_index) + 1
    nested = _children(tokens, start, item.close_index, tokens[item.open_index].level + 1)
    if not nested:
        return ""
    first = tokens[nested[0]]
    item_map = tokens[item.open_index].map
    if first.map is None or item_map is None:
        return ""
    region = doc.source(first.map[0], item_map[1])
    if len(nested) == 1 and first.type in ("bullet_list_open", "ordered_list_open"):
        inner = [
            index
            for index in range(nested[0] + 1, _close_index(tokens, nested[0]))
            if tokens[index].type == "list_item_open" and tokens[index].level == first.level + 1
        ]
        inner_map = tokens[inner[0]].map if len(inner) == 1 else None
        if inner_map is not None:
            return join_block(unwrap_list_item(doc.source(inner_map[0], inner_map[1])))
    return join_block(dedent(region))


def _split_inline_answer(text: str) -> tuple[str, str]:
    """ "Question?\\nAnswer..." written as one paragraph: split after the first line ending "?"."""
    lines = text.split("\n")
    for index, line in enumerate(lines[:-1]):
        if line.rstrip().endswith("?"):
            return "\n".join(lines[: index + 1]).strip(), "\n".join(lines[index + 1 :]).strip()
    return text, ""


def _read_checklist(
    doc: _Doc, section: _Section, numbering_start: int
) -> tuple[list[ChecklistItem], list[Problem]]:
    tokens = doc.tokens
    candidates: list[_Item] = []
    for index in _children(tokens, section.start, section.end, 0):
        if tokens[index].type in ("bullet_list_open", "ordered_list_open"):
            candidates.extend(_list_items(doc, index))
    if any(item.checked is not None for item in candidates):
        candidates = [item for item in candidates if item.checked is not None]
    problems: list[Problem] = []
    items: list[ChecklistItem] = []
    for number, item in enumerate(candidates, start=numbering_start + 1):
        question = item.text
        answer = _answer_of(doc, item)
        if not answer:
            question, answer = _split_inline_answer(question)
        if not question:
            problems.append(Problem(doc.path, item.line, "self-assessment item has no question"))
            continue
        if not answer:
            message = (
                "self-assessment item has no answer: nest it under the item "
                "(an indented bullet or paragraph)"
            )
            problems.append(Problem(doc.path, item.line, message))
            continue
        items.append(ChecklistItem(number, question, answer, item.line))
    if not candidates:
        message = "'Self-Assessment' has no checklist items"
        problems.append(Problem(doc.path, section.line, message, Severity.WARNING))
    return items, problems


# --- Authored questions ----------------------------------------------------------------------


def _read_authored(
    doc: _Doc, section: _Section, numbering_start: int
) -> tuple[list[AuthoredQuestion], list[Problem], int]:
    tokens = doc.tokens
    blocks = _children(tokens, section.start, section.end, 0)
    headings = [index for index in blocks if tokens[index].type == "heading_open"]
    problems: list[Problem] = []
    questions: list[AuthoredQuestion] = []
    number = numbering_start
    for position, heading in enumerate(headings):
        number += 1
        stop = headings[position + 1] if position + 1 < len(headings) else section.end
        own = blocks[bisect_right(blocks, heading) : bisect_left(blocks, stop)]
        question, found = _read_one_authored(doc, heading, own, stop, number)
        problems.extend(found)
        if question is not None:
            questions.append(question)
    if not headings:
        message = "'Questions' has no question headings"
        problems.append(Problem(doc.path, section.line, message, Severity.WARNING))
    return questions, problems, number


def _read_one_authored(
    doc: _Doc, heading: int, blocks: list[int], stop: int, number: int
) -> tuple[AuthoredQuestion | None, list[Problem]]:
    tokens = doc.tokens
    line = doc.line(tokens[heading])
    raw = tokens[heading + 1].content.strip()
    ident = str(number)
    id_match = _HEADING_ID.search(raw)
    if id_match is not None:
        raw = raw[: id_match.start()].strip()
        ident = id_match.group(1).strip()
        if not is_valid_key(ident):
            return None, [Problem(doc.path, line, f"invalid question id '{ident}': {KEY_RULE}")]
    if not raw:
        return None, [Problem(doc.path, line, "question heading has no text")]

    choice_list: int | None = None
    for index in blocks:
        if tokens[index].type in ("bullet_list_open", "ordered_list_open") and any(
            item.checked is not None for item in _list_items(doc, index)
        ):
            choice_list = index
            break
    if choice_list is None:
        message = "question has no choices: add a checklist with one `- [x]` right answer"
        return None, [Problem(doc.path, line, message)]

    heading_map = tokens[heading].map
    list_map = tokens[choice_list].map
    prompt_lines: list[str] = []
    if heading_map is not None and list_map is not None:
        prompt_lines = dedent(doc.source(heading_map[1], list_map[0]))
    extra = join_block(prompt_lines)
    prompt = f"{raw}\n\n{extra}" if extra else raw

    items = [item for item in _list_items(doc, choice_list) if item.checked is not None]
    choices = tuple(item.text for item in items)
    marked = [position for position, item in enumerate(items) if item.checked]
    problems: list[Problem] = []
    if len(choices) < 2:
        problems.append(
            Problem(doc.path, line, f"question has {len(choices)} choice(s); it needs at least 2")
        )
    if len(marked) != 1:
        found = "no choice is" if not marked else f"{len(marked)} choices are"
        problems.append(Problem(doc.path, line, f"{found} marked [x]; mark exactly one"))
    if any(not choice for choice in choices):
        problems.append(Problem(doc.path, line, "question has an empty choice"))
    if problems:
        return None, problems

    explanation = ""
    list_close = _close_index(tokens, choice_list)
    for index in blocks:
        token = tokens[index]
        if index <= list_close or token.type != "paragraph_open":
            continue
        match = _EXPLANATION.match(tokens[index + 1].content)
        if match is None or token.map is None:
            continue
        rules = [later for later in blocks if later > index and tokens[later].type == "hr"]
        end_line = _block_end_line(doc, rules[0] if rules else stop)
        text = join_block(dedent(doc.source(token.map[0], end_line)))
        explanation = _EXPLANATION.sub("", text, count=1).strip()
        break
    return AuthoredQuestion(ident, prompt, choices, marked[0], explanation, line), []


def _block_end_line(doc: _Doc, stop: int) -> int:
    """The body line where the block starting at token `stop` begins (end of body if none)."""
    if stop < len(doc.tokens) and doc.tokens[stop].map is not None:
        token_map = doc.tokens[stop].map
        assert token_map is not None
        return token_map[0]
    return len(doc.lines)


# --- The article -----------------------------------------------------------------------------


def _article_key(front: FrontMatter, stem: str, path: str) -> tuple[str, list[Problem]]:
    if front.key is not None:
        return front.key, []
    if "key" in front.lines:  # given but invalid (already reported): use the file name's key
        return key_from_filename(stem), []
    key = key_from_filename(stem)
    if not key:
        message = f"cannot make a key from the file name '{stem}': add `key:` to the front matter"
        return "", [Problem(path, 1, message)]
    return key, []


def parse_article(source: SourceFile) -> tuple[ParsedArticle, list[Problem]]:
    """Parse one article file into its metadata and question sources, with every problem found.

    Never raises for bad content; a file with broken front matter still has its body parsed so
    its other problems are reported in the same run.
    """
    path = source.path
    text = source.text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    problems: list[Problem] = []
    if "\ufffd" in text:
        message = "file is not valid UTF-8; unreadable bytes were replaced"
        problems.append(Problem(path, 1, message, Severity.WARNING))
    split, found = split_front_matter(text, path)
    problems.extend(found)
    front = FrontMatter()
    if split.yaml_text is not None:
        mapping, found = load_mapping(split.yaml_text, path, first_line=2, what="front matter")
        problems.extend(found)
        if mapping is not None:
            front, found = check_front_matter(mapping, path)
            problems.extend(found)

    doc = _Doc(path, parse(split.body), split.body.split("\n"), split.body_offset)
    stem = PurePosixPath(path).stem
    key, found = _article_key(front, stem, path)
    problems.extend(found)
    title = front.title or _first_heading(doc.tokens) or title_from_filename(stem)

    sections = _find_sections(doc)
    one_thing: OneThing | None = None
    tables: list[TradeoffTable] = []
    checklist: list[ChecklistItem] = []
    authored: list[AuthoredQuestion] = []
    table_number = 0
    authored_number = 0
    for section in sections:
        if section.kind is SectionKind.ONE_THING:
            if one_thing is not None:
                message = "a second 'The One Thing to Remember' section is ignored"
                problems.append(Problem(path, section.line, message, Severity.WARNING))
                continue
            one_thing, found = _read_one_thing(doc, section)
        elif section.kind is SectionKind.TRADEOFFS:
            new_tables, found, table_number = _read_tables(doc, section, table_number)
            tables.extend(new_tables)
        elif section.kind is SectionKind.SELF_ASSESSMENT:
            items, found = _read_checklist(doc, section, len(checklist))
            checklist.extend(items)
        else:
            questions, found, authored_number = _read_authored(doc, section, authored_number)
            authored.extend(questions)
        problems.extend(found)

    seen_ids: dict[str, int] = {}
    unique_authored: list[AuthoredQuestion] = []
    for question in authored:
        if question.ident in seen_ids:
            first_line = seen_ids[question.ident]
            message = f"duplicate question id '{question.ident}' (first on line {first_line})"
            problems.append(Problem(path, question.line, message))
            continue
        seen_ids[question.ident] = question.line
        unique_authored.append(question)

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
    )
    parsed = ParsedArticle(
        article=article,
        sections=tuple(dict.fromkeys(section.kind for section in sections)),
        one_thing=one_thing,
        tables=tuple(tables),
        checklist=tuple(checklist),
        authored=tuple(unique_authored),
        field_lines=tuple(sorted(front.lines.items())),
    )
    return parsed, problems
