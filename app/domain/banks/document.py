"""Walking a parsed Markdown body: blocks, list items, nested answers and source lines.

Every reader of an article (the series' own sections and the looser structures of other people's
Markdown) walks markdown-it's flat token stream through these helpers, so line numbers and
nesting are worked out one way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from app.domain.banks.markdown import (
    dedent,
    join_block,
    plain_text,
    split_checkbox,
    unwrap_list_item,
)

HEADING_ID = re.compile(r"\s*\{#([^}]*)\}\s*$")


@dataclass(frozen=True)
class Doc:
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

    def heading_text(self, open_index: int) -> str:
        """The words of the heading opened at `open_index`, without a trailing `{#id}`."""
        return HEADING_ID.sub("", plain_text(self.tokens[open_index + 1])).strip()

    def blocks_source(self, first: int, last: int) -> str:
        """The Markdown source from the block opened at token `first` to the end of the block
        opened at token `last` (both top-level openers), dedented."""
        start, end = self.tokens[first].map, self.tokens[last].map
        if start is None or end is None:
            return ""
        return join_block(dedent(self.source(start[0], end[1])))


def close_index(tokens: Sequence[Token], open_index: int) -> int:
    """Index of the token closing the block opened at `open_index` (itself if self-contained)."""
    depth = 0
    for index in range(open_index, len(tokens)):
        depth += tokens[index].nesting
        if depth <= 0:
            return index
    return len(tokens) - 1


def children(tokens: Sequence[Token], start: int, end: int, level: int) -> list[int]:
    """Indices of the blocks that open (or are self-contained) at `level` in [start, end)."""
    return [
        index
        for index in range(start, end)
        if tokens[index].level == level
        and tokens[index].nesting >= 0
        and tokens[index].type != "inline"
    ]


def block_end_line(doc: Doc, stop: int) -> int:
    """The body line where the block starting at token `stop` begins (end of body if none)."""
    if stop < len(doc.tokens) and doc.tokens[stop].map is not None:
        token_map = doc.tokens[stop].map
        assert token_map is not None
        return token_map[0]
    return len(doc.lines)


@dataclass(frozen=True)
class Item:
    """A list item's first paragraph, its checkbox and the block indices nested under it."""

    checked: bool | None
    text: str
    line: int
    open_index: int
    close_index: int
    first_para_close: int | None


def list_items(doc: Doc, list_open: int) -> list[Item]:
    """The items of the list opened at `list_open` (not those of lists nested in them)."""
    tokens = doc.tokens
    list_close = close_index(tokens, list_open)
    item_level = tokens[list_open].level + 1
    items: list[Item] = []
    for index in range(list_open + 1, list_close):
        token = tokens[index]
        if token.type != "list_item_open" or token.level != item_level:
            continue
        close = close_index(tokens, index)
        checked: bool | None = None
        text = ""
        para_close: int | None = None
        first = index + 1
        if first < close and tokens[first].type == "paragraph_open":
            checked, text = split_checkbox(tokens[first + 1].content)
            para_close = first + 2
        items.append(Item(checked, text.strip(), doc.line(token), index, close, para_close))
    return items


def is_list(token: Token) -> bool:
    return token.type in ("bullet_list_open", "ordered_list_open")


def answer_of(doc: Doc, item: Item) -> str:
    """The Markdown nested under a list item (a lone nested bullet's text is unwrapped)."""
    tokens = doc.tokens
    start = (item.first_para_close or item.open_index) + 1
    nested = children(tokens, start, item.close_index, tokens[item.open_index].level + 1)
    if not nested:
        return ""
    first = tokens[nested[0]]
    item_map = tokens[item.open_index].map
    if first.map is None or item_map is None:
        return ""
    region = doc.source(first.map[0], item_map[1])
    if len(nested) == 1 and is_list(first):
        inner = [
            index
            for index in range(nested[0] + 1, close_index(tokens, nested[0]))
            if tokens[index].type == "list_item_open" and tokens[index].level == first.level + 1
        ]
        inner_map = tokens[inner[0]].map if len(inner) == 1 else None
        if inner_map is not None:
            return join_block(unwrap_list_item(doc.source(inner_map[0], inner_map[1])))
    return join_block(dedent(region))


def list_source(doc: Doc, list_open: int) -> str:
    """The Markdown source of a whole list, dedented."""
    return doc.blocks_source(list_open, list_open)
