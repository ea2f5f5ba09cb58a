"""Markdown to safe HTML for question text, answers and article bodies.

Authors may write raw HTML in their Markdown, and bank files may come from anyone, so the HTML
markdown-it produces is always passed through an allowlist sanitizer (nh3) before it reaches a
page: scripts, event handlers, styles and `javascript:` links never survive.
"""

from __future__ import annotations

import functools
import itertools
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.tasklists import tasklists_plugin

# Stored article HTML is rendered again only when its Markdown or this number changes: raise it
# whenever a change here changes the HTML an article renders to.
RENDERER_VERSION = 1

_HEADING_ID = re.compile(r"\s*\{#([A-Za-z][\w-]*)\}\s*$")


def _heading_ids(state: StateCore) -> None:
    """``## Title {#anchor}`` (as Pandoc and kramdown write it): the anchor becomes the heading's
    id instead of text at the end of its title."""
    tokens = state.tokens
    for opening, inline in itertools.pairwise(tokens):
        if opening.type != "heading_open" or inline.type != "inline" or not inline.children:
            continue
        last = inline.children[-1]
        found = _HEADING_ID.search(last.content) if last.type == "text" else None
        if found:
            last.content = last.content[: found.start()]
            opening.attrSet("id", found.group(1))


_MARKDOWN = (
    MarkdownIt("commonmark", {"html": True})
    .enable(["table", "strikethrough"])
    .use(tasklists_plugin)
)
_MARKDOWN.core.ruler.push("heading_ids", _heading_ids)

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "input", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
    "input": {"checked", "disabled"},
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes=_ATTRIBUTES,
    tag_attribute_values={"input": {"type": {"checkbox"}}},
    set_tag_attribute_values={"input": {"disabled": "disabled"}},
    allowed_classes={
        "ul": {"contains-task-list"},
        "li": {"task-list-item"},
        "input": {"task-list-item-checkbox"},
    },
    url_schemes={"http", "https", "mailto"},
    filter_style_properties={"text-align"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Keep only allowlisted tags and attributes; links only to http(s), mailto or relative."""
    return _CLEANER.clean(html)


# Question text is rendered on every card shown and changes only with a bank sync: the same text
# always gives the same HTML, so recent results are kept.
@functools.lru_cache(maxsize=8192)
def render_markdown(text: str) -> str:
    """Block Markdown (paragraphs, lists, tables, task lists) as sanitized HTML."""
    return sanitize_html(_MARKDOWN.render(text))


@functools.lru_cache(maxsize=8192)
def render_inline(text: str) -> str:
    """Inline Markdown (a choice, a title, a table cell) as sanitized HTML, without a <p>."""
    return sanitize_html(_MARKDOWN.renderInline(text))
