"""Reading one authored multiple-choice question: a heading, a checklist of choices with one
`[x]`, and an optional `Explanation:` paragraph.

The same reader serves the series' *Questions* section and the quiz files of other people's
Markdown, where any heading followed by a checklist with a ticked box is a question.
"""

from __future__ import annotations

import re

from app.domain.banks.directives import read_directives
from app.domain.banks.document import (
    HEADING_ID,
    Doc,
    block_end_line,
    close_index,
    is_list,
    list_items,
)
from app.domain.banks.markdown import dedent, join_block
from app.domain.banks.model import Problem, Severity
from app.domain.banks.parsed import AuthoredQuestion
from app.domain.banks.text import KEY_RULE, is_valid_key

_EXPLANATION = re.compile(
    r"^(?:\*\*|__)?\s*(?:explanation|why)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*", re.IGNORECASE
)


def choice_list(doc: Doc, blocks: list[int]) -> int | None:
    """The first list among `blocks` whose items have task boxes (`- [ ]` / `- [x]`)."""
    for index in blocks:
        if is_list(doc.tokens[index]) and any(
            item.checked is not None for item in list_items(doc, index)
        ):
            return index
    return None


def has_ticked_choice(doc: Doc, blocks: list[int]) -> bool:
    """Whether a task list among `blocks` has a ticked box: a quiz question, not a checklist."""
    found = choice_list(doc, blocks)
    return found is not None and any(item.checked for item in list_items(doc, found))


def read_authored(
    doc: Doc, heading: int, blocks: list[int], stop: int, number: int
) -> tuple[AuthoredQuestion | None, list[Problem]]:
    """The question under the heading opened at token `heading`; `blocks` are its own blocks and
    `stop` the token that ends it. A question that cannot be asked is a warning, not an error."""
    tokens = doc.tokens
    line = doc.line(tokens[heading])
    raw = tokens[heading + 1].content.strip()
    ident = str(number)
    id_match = HEADING_ID.search(raw)
    if id_match is not None:
        raw = raw[: id_match.start()].strip()
        ident = id_match.group(1).strip()
        if not is_valid_key(ident):
            return None, [Problem(doc.path, line, f"invalid question id '{ident}': {KEY_RULE}")]
    if not raw:
        return None, [_skip(doc, line, "question heading has no text")]

    found_list = choice_list(doc, blocks)
    if found_list is None:
        return None, [
            _skip(doc, line, "question has no choices: add a checklist with one `- [x]` answer")
        ]
    keep_order = False
    for index in blocks:
        directives, _ = read_directives(tokens[index], doc.line(tokens[index]), doc.path)
        keep_order = keep_order or any(d.verb == "keep-order" for d in directives)

    heading_map = tokens[heading].map
    list_map = tokens[found_list].map
    prompt_lines: list[str] = []
    if heading_map is not None and list_map is not None:
        prompt_lines = [
            text for text in dedent(doc.source(heading_map[1], list_map[0])) if "<!--" not in text
        ]
    extra = join_block(prompt_lines)
    prompt = f"{raw}\n\n{extra}" if extra else raw

    items = [item for item in list_items(doc, found_list) if item.checked is not None]
    choices = tuple(item.text for item in items)
    marked = [position for position, item in enumerate(items) if item.checked]
    problems: list[Problem] = []
    if len(choices) < 2:
        problems.append(
            _skip(doc, line, f"question has {len(choices)} choice(s); it needs at least 2")
        )
    if len(marked) != 1:
        found = "no choice is" if not marked else f"{len(marked)} choices are"
        problems.append(_skip(doc, line, f"{found} marked [x]; mark exactly one"))
    if any(not choice for choice in choices):
        problems.append(_skip(doc, line, "question has an empty choice"))
    if problems:
        return None, problems

    explanation = ""
    list_close = close_index(tokens, found_list)
    for index in blocks:
        token = tokens[index]
        if index <= list_close or token.type != "paragraph_open":
            continue
        match = _EXPLANATION.match(tokens[index + 1].content)
        if match is None or token.map is None:
            continue
        rules = [later for later in blocks if later > index and tokens[later].type == "hr"]
        end_line = block_end_line(doc, rules[0] if rules else stop)
        text = join_block(dedent(doc.source(token.map[0], end_line)))
        explanation = _EXPLANATION.sub("", text, count=1).strip()
        break
    question = AuthoredQuestion(ident, prompt, choices, marked[0], explanation, line, keep_order)
    return question, []


def _skip(doc: Doc, line: int, message: str) -> Problem:
    return Problem(doc.path, line, f"{message}; the question is left out", Severity.WARNING)
