"""Building a QuestionSpec and the bits of Markdown every generator writes the same way."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from app.domain.banks.model import QuestionSpec
from app.domain.banks.parsed import ParsedArticle

MAX_CHOICES = 4
MIN_CHOICES = 3  # two choices are a coin flip: such a question takes another form


def stable_hash(text: str) -> int:
    """A 64-bit hash that is the same on every machine and run (Python's `hash` is not)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def make_spec(
    parsed: ParsedArticle,
    key_suffix: str,
    kind: str,
    line: int,
    prompt: str,
    answer: str,
    *,
    explanation: str = "",
    choices: tuple[str, ...] = (),
    correct: int | None = None,
    cloze_answer: str | None = None,
    sibling_group: str | None = None,
    fixed_order: bool = False,
    accepted: tuple[str, ...] = (),
    fact: str = "",
) -> QuestionSpec:
    """One question of `parsed`'s article; its key is the article's key and `key_suffix`."""
    article = parsed.article
    return QuestionSpec(
        key=f"{article.key}:{key_suffix}",
        article_key=article.key,
        kind=kind,
        position=0,  # set by generate_questions, from the registry's order
        prompt=prompt,
        answer=answer,
        explanation=explanation,
        choices=choices,
        correct=correct,
        cloze_answer=cloze_answer,
        sibling_group=sibling_group,
        path=article.path,
        line=line,
        fixed_order=fixed_order,
        accepted=accepted,
        fact=fact,
    )


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def continued(markdown: str) -> str:
    """Indent a cell's hard-broken lines so they stay inside a list item."""
    return markdown.replace("\n", "\n  ")


def sentence_case_lower(text: str) -> str:
    """Lowercase a label's first letter for use mid-sentence, unless it starts an acronym
    ("Crash impact" -> "crash impact", "TLS" and "CPU time" stay)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def listing(names: list[str], conjunction: str = "and") -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]
