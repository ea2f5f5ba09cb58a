"""Questions from Markdown written without Rehearse in mind.

Outside the series' own sections, an article is read for the structures people use to teach:
comparison and two-column tables, checklists written as tables, `**Tradeoff:**` callouts,
Pros / Cons (Advantages / Disadvantages) lists, quiz headings over a checklist with a ticked box,
`<details><summary>` pairs and headings that ask a question. What cannot become a question is a
warning with its line; nothing here is an error, so one odd file never blocks the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from app.domain.banks.authored import has_ticked_choice, read_authored
from app.domain.banks.directives import Directive, read_directives
from app.domain.banks.document import (
    HEADING_ID,
    Doc,
    children,
    close_index,
    is_list,
    list_source,
)
from app.domain.banks.markdown import inline_markdown
from app.domain.banks.model import Problem, Severity
from app.domain.banks.parsed import (
    AuthoredQuestion,
    RecallItem,
    RecallKind,
    TermTable,
    TradeoffTable,
)
from app.domain.banks.sections import section_kind
from app.domain.banks.tables import read_table
from app.domain.banks.text import escape_markdown, slugify

_PROS = r"pros?|advantages?|advantage\(s\)|benefits?|strengths?|upsides?"
_CONS = r"cons?|disadvantages?|disadvantage\(s\)|drawbacks?|downsides?|weaknesses|limitations?"
_PROS_CONS_LABEL = re.compile(
    rf"^(?P<word>{_PROS}|{_CONS})(?:\s+(?:of|for)\s+(?P<of>[^:]+?))?\s*(?::\s*(?P<after>.*))?$",
    re.IGNORECASE,
)
_CONS_WORD = re.compile(rf"^(?:{_CONS})$", re.IGNORECASE)
_MARKS = re.compile(r"\*\*|__")
_CALLOUT = re.compile(
    r"^(?::::[^\n]*?:::\s*)?(?:\[![a-z]+\]\s*)?(?:\*\*|__)?\s*trade-?offs?\s*(?:\*\*|__)?\s*:"
    r"\s*(?:\*\*|__)?\s*(?P<text>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_SUMMARY = re.compile(r"<summary[^>]*>(?P<text>.*?)</summary>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_INLINE_TAGS = (
    (re.compile(r"</?code\s*>", re.IGNORECASE), "`"),
    (re.compile(r"</?(?:strong|b)\s*>", re.IGNORECASE), "**"),
    (re.compile(r"</?(?:em|i)\s*>", re.IGNORECASE), "*"),
    (re.compile(r"<br\s*/?>", re.IGNORECASE), "\n"),
)


def html_to_markdown(text: str, *, emphasis: bool = True) -> str:
    """Inline HTML as Markdown (`<code>` as backticks, `<b>` as bold …), other tags dropped, so
    a `<details>` pair reads the same however its author wrote it. Without `emphasis`, bold and
    italics are dropped too (a question wrapped in `<b>` is still just a question)."""
    for pattern, mark in _INLINE_TAGS if emphasis else _INLINE_TAGS[:1]:
        text = pattern.sub(mark, text)
    return _TAG.sub("", text)


_ANSWER_LIMIT = 1500


@dataclass
class Found:
    """What the loose reader found; `tables` and `terms` are numbered after the article's own."""

    tables: list[TradeoffTable] = field(default_factory=list)
    terms: list[TermTable] = field(default_factory=list)
    recalls: list[RecallItem] = field(default_factory=list)
    authored: list[AuthoredQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class Captions:
    """Unique table captions within an article: a repeated heading gets "-2", "-3"; a table
    without one is `table-1`, `table-2`, … in order (identity comes from these)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.unnamed = 0

    def name(self, heading: str | None) -> str:
        if heading and slugify(heading):
            name, count = heading, 1
            while slugify(name) in self.used:
                count += 1
                name = f"{heading} {count}"
        else:
            self.unnamed += 1
            name = f"table-{self.unnamed}"
            while slugify(name) in self.used:
                self.unnamed += 1
                name = f"table-{self.unnamed}"
        self.used.add(slugify(name))
        return name


class Idents:
    """Unique identities within an article for items named after their place ("-2" on repeats)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, base: str) -> str:
        ident, count = base, 1
        while ident in self.used:
            count += 1
            ident = f"{base}-{count}"
        self.used.add(ident)
        return ident


def directive_sets(directives: list[Directive]) -> tuple[bool, frozenset[str], frozenset[str]]:
    """(skip the whole block, aspect slugs to skip, aspect slugs to ask) from pending directives."""
    whole = any(d.verb == "skip" and not d.args for d in directives)
    skipped = frozenset(slugify(a) for d in directives if d.verb == "skip" for a in d.args)
    asked = frozenset(slugify(a) for d in directives if d.verb == "ask" for a in d.args)
    return whole, skipped, asked


def add_table(
    doc: Doc, found: Found, open_index: int, caption: str, directives: list[Directive]
) -> None:
    """Read the table opened at `open_index` into `found`, as its shape and directives say."""
    whole, skipped, asked = directive_sets(directives)
    if whole:
        return
    close = close_index(doc.tokens, open_index)
    read, problems = read_table(
        doc.tokens[open_index : close + 1],
        doc.lines,
        doc.offset,
        caption,
        doc.path,
        skipped=skipped,
        asked=asked,
    )
    found.problems.extend(problems)
    if isinstance(read, TradeoffTable):
        found.tables.append(read)
    elif isinstance(read, TermTable):
        found.terms.append(read)
    elif read is not None:
        found.recalls.extend(read)


def _label_text(text: str) -> str:
    """A label without its bold marks, wherever they close: "**Cons**:" -> "Cons:"."""
    return _MARKS.sub("", text.strip()).strip()


def _pros_cons_prompt(word: str, option: str) -> tuple[str, str]:
    """(polarity, prompt) for a Pros/Cons list about `option`."""
    cons = bool(_CONS_WORD.match(word.replace("(s)", "s")))
    polarity = "cons" if cons else "pros"
    noun = "disadvantages" if cons else "advantages"
    return polarity, f"What are the {noun} of *{escape_markdown(option)}*?"


def _limit(answer: str) -> str:
    """Keep long answers to their first paragraph: a card is read in seconds, not minutes."""
    if len(answer) <= _ANSWER_LIMIT:
        return answer
    return answer.split("\n\n", 1)[0]


@dataclass
class _Walk:
    doc: Doc
    title: str
    captions: Captions
    found: Found = field(default_factory=Found)
    idents: Idents = field(default_factory=Idents)
    headings: list[tuple[int, str]] = field(default_factory=list)  # (level, text) open now
    pending: list[Directive] = field(default_factory=list)
    details_count: int = 0
    authored_number: int = 0
    last_note: str = ""  # the identity base of the last callout, to merge the next into it

    def context(self) -> str:
        """The nearest heading above, or the article's title."""
        return self.headings[-1][1] if self.headings else self.title

    def caption(self) -> str | None:
        """A table's caption: the nearest heading, unless that only opens the trade-off section
        (such tables are numbered `table-1`, … instead)."""
        if not self.headings or section_kind(self.headings[-1][1]) is not None:
            return None
        return self.headings[-1][1]

    def parent_context(self) -> str:
        return self.headings[-2][1] if len(self.headings) > 1 else self.title


def loose_reader(doc: Doc, title: str) -> _Walk:
    """A reader of one article's ranges outside the series' sections, kept for the whole
    article so identities and captions stay unique across ranges; feed it with `read_range`."""
    return _Walk(doc, title, Captions())


def read_range(walk: _Walk, start: int, end: int, authored_start: int) -> int:
    """Read tokens [start, end) into `walk.found`; returns the next authored-question number
    (authored questions are numbered across the whole article, in document order)."""
    walk.authored_number = authored_start
    _walk_range(walk, start, end)
    return walk.authored_number


def _walk_range(walk: _Walk, start: int, end: int) -> None:
    doc, tokens = walk.doc, walk.doc.tokens
    blocks = children(tokens, start, end, 0)
    position = 0
    while position < len(blocks):
        index = blocks[position]
        token = tokens[index]
        if token.type == "html_block":
            directives, problems = read_directives(token, doc.line(token), doc.path)
            walk.found.problems.extend(problems)
            if directives:
                walk.pending.extend(directives)
                position += 1
                continue
            if "<details" in token.content.lower():
                position = _details(walk, blocks, position)
                walk.pending = []
                continue
        elif token.type == "heading_open":
            position = _heading(walk, blocks, position, end)
            walk.pending = []
            continue
        elif token.type == "table_open":
            add_table(doc, walk.found, index, walk.captions.name(walk.caption()), walk.pending)
        elif token.type == "paragraph_open":
            consumed = _paragraph(walk, blocks, position)
            if consumed:
                position += consumed
                walk.pending = []
                continue
        elif token.type == "blockquote_open":
            _blockquote(walk, index)
        walk.pending = []
        position += 1


def _heading(walk: _Walk, blocks: list[int], position: int, end: int) -> int:
    """A heading: a quiz question, a question with its answer, or a Pros/Cons label."""
    doc, tokens = walk.doc, walk.doc.tokens
    index = blocks[position]
    level = int(tokens[index].tag[1:])
    text = doc.heading_text(index)
    while walk.headings and walk.headings[-1][0] >= level:
        walk.headings.pop()
    walk.headings.append((level, text))
    walk.last_note = ""
    skip, _, _ = directive_sets(walk.pending)
    later = position + 1
    while later < len(blocks) and tokens[blocks[later]].type != "heading_open":
        later += 1
    own = blocks[position + 1 : later]
    stop = blocks[later] if later < len(blocks) else end
    if skip or not own:
        return position + 1
    line = doc.line(tokens[index])
    if has_ticked_choice(doc, own):
        walk.authored_number += 1
        question, problems = read_authored(doc, index, own, stop, walk.authored_number)
        walk.found.problems.extend(problems)
        if question is not None:
            walk.found.authored.append(question)
        return later
    label = _PROS_CONS_LABEL.match(_label_text(text))
    if label is not None and is_list(tokens[own[0]]):
        option = (label.group("after") or label.group("of") or "").strip()
        _pros_cons(walk, label.group("word"), option or walk.parent_context(), own[0], line)
        return position + 2
    if text.rstrip().endswith("?"):
        answer = doc.blocks_source(own[0], own[-1]) if own else ""
        answer = "\n".join(row for row in answer.split("\n") if "<!--" not in row).strip()
        id_match = HEADING_ID.search(tokens[index + 1].content)
        base = id_match.group(1).strip() if id_match else slugify(text)
        if answer and slugify(base):
            ident = walk.idents.take(f"faq:{slugify(base)}")
            prompt = HEADING_ID.sub("", inline_markdown(tokens[index + 1])).strip()
            walk.found.recalls.append(
                RecallItem(RecallKind.RECALL, ident, prompt, _limit(answer), line)
            )
        return position + 1
    return position + 1


def _pros_cons(walk: _Walk, word: str, option: str, list_open: int, line: int) -> None:
    polarity, prompt = _pros_cons_prompt(word, option)
    option_slug = slugify(option) or "item"
    ident = walk.idents.take(f"pros_cons:{option_slug}:{polarity}")
    answer = list_source(walk.doc, list_open)
    group = f"pros_cons:{option_slug}"
    walk.found.recalls.append(
        RecallItem(RecallKind.PROS_CONS, ident, prompt, _limit(answer), line, group)
    )


def _paragraph(walk: _Walk, blocks: list[int], position: int) -> int:
    """A callout or a Pros/Cons label; returns how many blocks it used (0: not one of them)."""
    doc, tokens = walk.doc, walk.doc.tokens
    index = blocks[position]
    content = tokens[index + 1].content.strip()
    line = doc.line(tokens[index])
    if _callout(walk, content, line):
        return 1
    first_line, _, rest = content.partition("\n")
    label = _PROS_CONS_LABEL.match(_label_text(first_line.rstrip()))
    if label is None:
        return 0
    inline = (label.group("after") or "").strip().strip("*_ ").strip()
    option = (label.group("of") or "").strip() or walk.context()
    if inline or rest.strip():
        polarity, prompt = _pros_cons_prompt(label.group("word"), option)
        answer = " ".join(part for part in (inline, rest.strip()) if part)
        option_slug = slugify(option) or "item"
        ident = walk.idents.take(f"pros_cons:{option_slug}:{polarity}")
        group = f"pros_cons:{option_slug}"
        walk.found.recalls.append(
            RecallItem(RecallKind.PROS_CONS, ident, prompt, answer, line, group)
        )
        return 1
    if position + 1 < len(blocks) and is_list(tokens[blocks[position + 1]]):
        _pros_cons(walk, label.group("word"), option, blocks[position + 1], line)
        return 2
    return 0


def _callout(walk: _Walk, content: str, line: int) -> bool:
    """A `**Tradeoff:**` callout; several under one heading make one card, one bullet each, so
    the question "What trade-off comes with X?" has one answer."""
    match = _CALLOUT.match(content)
    if match is None:
        return False
    text = match.group("text").strip()
    context = walk.context()
    base = f"tradeoff_note:{slugify(context) or 'article'}"
    recalls = walk.found.recalls
    if recalls and recalls[-1].kind is RecallKind.TRADEOFF_NOTE and walk.last_note == base:
        first = recalls[-1]
        merged = first.answer if first.answer.startswith("- ") else f"- {first.answer}"
        recalls[-1] = replace(first, answer=f"{merged}\n- {text}")
        return True
    ident = walk.idents.take(base)
    walk.last_note = base
    prompt = f"What trade-off comes with *{escape_markdown(context)}*?"
    recalls.append(RecallItem(RecallKind.TRADEOFF_NOTE, ident, prompt, text, line))
    return True


def _blockquote(walk: _Walk, open_index: int) -> None:
    """Callouts quoted as admonitions (`> [!NOTE]` then `> **Tradeoff:** …`)."""
    tokens = walk.doc.tokens
    close = close_index(tokens, open_index)
    for inner in range(open_index, close):
        if tokens[inner].type == "paragraph_open":
            content = tokens[inner + 1].content.strip()
            content = re.sub(r"^\[![A-Za-z]+\]\s*", "", content)
            _callout(walk, content, walk.doc.line(tokens[inner]))


def _details(walk: _Walk, blocks: list[int], position: int) -> int:
    """A `<details><summary>question</summary> answer </details>` pair."""
    doc, tokens = walk.doc, walk.doc.tokens
    index = blocks[position]
    opener = tokens[index].content
    line = doc.line(tokens[index])
    summary = _SUMMARY.search(opener)
    skip, _, _ = directive_sets(walk.pending)
    after = opener[summary.end() :] if summary else ""
    closing = position
    if "</details>" in opener.lower():
        inside = re.split(r"</details>", after, flags=re.IGNORECASE)[0]
        answer = "\n".join(line.strip() for line in html_to_markdown(inside).split("\n")).strip()
    else:
        closing = position + 1
        while closing < len(blocks) and not (
            tokens[blocks[closing]].type == "html_block"
            and "</details>" in tokens[blocks[closing]].content.lower()
        ):
            closing += 1
        parts = [html_to_markdown(after).strip()]
        if closing - position > 1:
            parts.append(doc.blocks_source(blocks[position + 1], blocks[closing - 1]))
        if closing < len(blocks):
            tail = re.split(r"</details>", tokens[blocks[closing]].content, flags=re.I)[0]
            parts.append(html_to_markdown(tail))
        answer = "\n\n".join(part.strip() for part in parts if part.strip())
    if skip:
        return closing + 1
    question = summary and " ".join(html_to_markdown(summary["text"], emphasis=False).split())
    if not question or not answer:
        message = "<details> needs a <summary> question and an answer inside; it is left out"
        walk.found.problems.append(Problem(doc.path, line, message, Severity.WARNING))
        return closing + 1
    walk.details_count += 1
    ident = walk.idents.take(f"details:{walk.details_count}")
    walk.found.recalls.append(RecallItem(RecallKind.RECALL, ident, question, _limit(answer), line))
    return closing + 1
