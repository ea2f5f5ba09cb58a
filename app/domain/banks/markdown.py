"""The Markdown parser the importer reads articles with, and conversions of its inline tokens.

One parser is built at import time and reused: building a MarkdownIt instance compiles its rule
chains, which would otherwise dominate the cost of importing thousands of articles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.domain.banks.text import escape_markdown

# Task lists are recognised by hand (see `split_checkbox`) rather than with the tasklists plugin,
# so the inline text keeps its "[ ]" marker and its source form.
PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

_BR_TAG = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_BOLD_TAG = re.compile(r"^</?(?:b|strong)\s*>$", re.IGNORECASE)
_ITALIC_TAG = re.compile(r"^</?(?:i|em)\s*>$", re.IGNORECASE)
_CHECKBOX = re.compile(r"^\[([ xX])\](?:\s+|$)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LIST_MARKER = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))")


def parse(text: str) -> list[Token]:
    """Block tokens of `text` (inline children filled in)."""
    return PARSER.parse(text)


def plain_text(inline: Token | None) -> str:
    """The visible words of an inline token, without any markup (for titles, slugs, equality)."""
    if inline is None:
        return ""
    parts: list[str] = []
    for child in inline.children or []:
        is_br = child.type == "html_inline" and _BR_TAG.match(child.content.strip())
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or is_br:
            parts.append(" ")
        elif child.type == "image":
            parts.append(plain_text(child))
    return " ".join("".join(parts).split())


def _code_span(content: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.startswith(("`", " ")) or content.endswith(("`", " ")) else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def _link_destination(href: str) -> str:
    if not href or re.search(r"[\s()<>]", href):
        return "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    return href


def inline_markdown(inline: Token | None) -> str:
    """Clean inline Markdown for an inline token, e.g. a table cell.

    Keeps code, emphasis, strikethrough and links; turns `<br>` into a Markdown hard break and
    `<b>`/`<i>` into their Markdown forms; drops any other raw HTML tag (its text stays). The
    source's `\\|` arrives here as a plain `|`, since the table rule has already unescaped it.
    """
    if inline is None:
        return ""
    out: list[str] = []
    for child in inline.children or []:
        kind = child.type
        if kind == "text":
            out.append(escape_markdown(child.content))
        elif kind == "code_inline":
            out.append(_code_span(child.content))
        elif kind in ("strong_open", "strong_close"):
            out.append("**")
        elif kind in ("em_open", "em_close"):
            out.append("*")
        elif kind in ("s_open", "s_close"):
            out.append("~~")
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\\\n")
        elif kind == "link_open":
            out.append("[")
        elif kind == "link_close":
            opener = _matching_link_open(inline.children or [], child)
            href = str(opener.attrGet("href") or "") if opener else ""
            title = str(opener.attrGet("title") or "") if opener else ""
            suffix = f' "{title}"' if title and '"' not in title else ""
            out.append(f"]({_link_destination(href)}{suffix})")
        elif kind == "image":
            out.append(escape_markdown(plain_text(child)))
        elif kind == "html_inline":
            tag = child.content.strip()
            if _BR_TAG.match(tag):
                out.append("\\\n")
            elif _BOLD_TAG.match(tag):
                out.append("**")
            elif _ITALIC_TAG.match(tag):
                out.append("*")
        elif kind in ("html_block", "text_special"):
            out.append(escape_markdown(child.content))
    while out and out[-1] in ("\\\n", " "):  # a trailing <br> would leave a dangling break
        out.pop()
    return "".join(out).strip()


def _matching_link_open(children: Sequence[Token], close: Token) -> Token | None:
    depth = 0
    index = next(i for i, token in enumerate(children) if token is close)
    for token in reversed(children[:index]):
        if token.type == "link_close":
            depth += 1
        elif token.type == "link_open":
            if depth == 0:
                return token
            depth -= 1
    return None


def split_checkbox(text: str) -> tuple[bool | None, str]:
    """(`None`, text) when `text` has no task-list box; else (checked, text after the box)."""
    match = _CHECKBOX.match(text)
    if match is None:
        return None, text
    return match.group(1) in "xX", text[match.end() :]


def dedent(lines: Sequence[str]) -> list[str]:
    """Remove the indentation all non-blank lines share (tabs count as four spaces)."""
    expanded = [line.expandtabs(4).rstrip() for line in lines]
    indents = [len(line) - len(line.lstrip(" ")) for line in expanded if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] for line in expanded]


def unwrap_list_item(lines: Sequence[str]) -> list[str]:
    """The content of a single list item's source lines, without its marker and indentation."""
    if not lines:
        return []
    first = lines[0].expandtabs(4)
    match = _LIST_MARKER.match(first)
    if match is None:
        return dedent(lines)
    width = len(match.group(1))
    rest: list[str] = []
    for line in lines[1:]:
        expanded = line.expandtabs(4).rstrip()
        indent = len(expanded) - len(expanded.lstrip(" "))
        rest.append(expanded[min(indent, width) :])
    return [first[width:].rstrip(), *rest]


def join_block(lines: Sequence[str]) -> str:
    """Source lines as one Markdown block, without leading or trailing blank lines."""
    return "\n".join(lines).strip("\n").rstrip()


def bold_phrases(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inner text) of every **bold** phrase in `text`, ignoring code spans."""
    masked = _CODE_SPAN.sub(lambda m: "\x00" * len(m.group(0)), text)
    return [
        (match.start(), match.end(), text[match.start(2) : match.end(2)])
        for match in _BOLD.finditer(masked)
    ]
