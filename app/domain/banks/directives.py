"""Author directives: `<!-- rehearse: ... -->` comments that steer question generation.

A comment is invisible on the rendered page, so an article stays a clean read while its author
tells the importer what not to quiz, which alternatives to accept, or which choice order to keep:

- `<!-- rehearse: skip -->` before a table, list, `<details>` or question heading: do not quiz it;
- `<!-- rehearse: skip Example, Used by -->` before a table: do not quiz those rows (aspects);
- `<!-- rehearse: ask Origin -->` before a table: quiz rows that would be left out as trivia;
- `<!-- rehearse: accept COW; copy on write -->` in *The One Thing to Remember*: more answers
  that count as right for its blank;
- `<!-- rehearse: keep-order -->` under an authored question: show its choices as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from app.domain.banks.model import Problem, Severity

_COMMENT = re.compile(r"<!--\s*rehearse\s*:\s*(.*?)\s*-->", re.IGNORECASE | re.DOTALL)
VERBS = ("skip", "ask", "accept", "keep-order")


@dataclass(frozen=True)
class Directive:
    """One directive: its verb and its arguments (a list split on `,` or `;`)."""

    verb: str
    args: tuple[str, ...]
    line: int


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[;,]", text) if part.strip())


def read_directives(token: Token, line: int, path: str) -> tuple[list[Directive], list[Problem]]:
    """The directives in an HTML block token (none for any other token or comment)."""
    if token.type != "html_block":
        return [], []
    found: list[Directive] = []
    problems: list[Problem] = []
    for match in _COMMENT.finditer(token.content):
        body = match.group(1).strip()
        verb, _, rest = body.partition(" ")
        verb = verb.lower()
        if verb not in VERBS:
            message = f"unknown directive 'rehearse: {body}'; use one of: {', '.join(VERBS)}"
            problems.append(Problem(path, line, message, Severity.WARNING))
            continue
        # `accept` answers may themselves contain commas, so only `;` separates them.
        args = (
            tuple(a.strip() for a in rest.split(";") if a.strip())
            if verb == "accept"
            else (_split(rest))
        )
        found.append(Directive(verb, args, line))
    return found, problems
