"""The quality report for authors: questions per kind, and every question that breaks a rule.

The generators follow these rules when they make questions; the lint checks what they made and
what authors wrote by hand, with the same word-level tests (`wording.py`), so a rule is stated
once. `rehearse banks lint --strict` fails on any flag.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.banks.build import build
from app.domain.banks.model import Bank, QuestionSpec, SourceFile
from app.domain.banks.parsed import ParsedArticle, TradeoffTable
from app.domain.banks.text import normalize_words
from app.domain.banks.wording import (
    conspicuously_longest,
    content_words,
    giveaway,
    similar,
    visible_length,
)
from app.domain.questions import KINDS, AnswerMode

MIN_CHOICES = 3


class Rule(StrEnum):
    """What a flag says is wrong with a question."""

    ANSWER_IN_STEM = "answer-in-stem"
    CELL_FITS_TWO = "cell-fits-two-options"
    FEW_CHOICES = "fewer-than-three-choices"
    SHARED_STEM = "shared-stem"
    DUPLICATE = "duplicate-across-articles"
    KEY_LONGEST = "key-longest-option"


@dataclass(frozen=True)
class Flag:
    rule: Rule
    path: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message} ({self.key})"


@dataclass(frozen=True)
class LintReport:
    bank: Bank
    flags: tuple[Flag, ...]

    @property
    def per_kind(self) -> dict[str, int]:
        counts = Counter(spec.kind for spec in self.bank.questions)
        return {kind: counts[kind] for kind in KINDS if counts[kind]}

    @property
    def per_rule(self) -> dict[Rule, int]:
        counts = Counter(flag.rule for flag in self.flags)
        return {rule: counts[rule] for rule in Rule}


def _is_choice(spec: QuestionSpec) -> bool:
    kind = KINDS.get(spec.kind)
    return bool(spec.choices) and kind is not None and kind.mode is AnswerMode.CHOICE


def _visible(markdown: str) -> str:
    return markdown.replace("*", " ").replace("`", " ").replace("_", " ")


def answer_in_stem(spec: QuestionSpec) -> str | None:
    """Words of the right answer that stand in the stem but in no wrong choice (or, for a blank,
    elsewhere in its sentence)."""
    if _is_choice(spec) and spec.correct is not None:
        right = spec.choices[spec.correct]
        others = [c for i, c in enumerate(spec.choices) if i != spec.correct]
        words = giveaway(_visible(spec.prompt), _visible(right), [_visible(o) for o in others])
    elif spec.cloze_answer:
        words = content_words(spec.cloze_answer) & content_words(spec.prompt)
    else:
        return None
    if not words:
        return None
    return f"the stem gives the answer away: {', '.join(sorted(words))}"


# Kinds whose choices are the fixed names of a table's options: which one is the longest says
# nothing about which is right, since each name is right for some of the table's questions.
NAMED_CHOICE_KINDS = frozenset({"table_which", "term_which"})


def key_longest(spec: QuestionSpec) -> str | None:
    if not _is_choice(spec) or spec.correct is None or spec.kind in NAMED_CHOICE_KINDS:
        return None
    right = spec.choices[spec.correct]
    wrong = [choice for i, choice in enumerate(spec.choices) if i != spec.correct]
    if not conspicuously_longest(right, wrong):
        return None
    longest = max(map(visible_length, wrong))
    return (
        f"the right choice is conspicuously the longest ({visible_length(right)} characters, "
        f"the next {longest}): lengthen a wrong one or trim the right one"
    )


def _table_of(parsed: ParsedArticle, spec: QuestionSpec) -> tuple[TradeoffTable, int, int] | None:
    """The table, aspect row and option column a which/side question asks about."""
    parts = spec.key.split(":")
    if len(parts) != 6 or parts[1] != "table" or parts[4] != "which":
        return None
    for table in parsed.tables:
        if table.caption_slug != parts[2]:
            continue
        aspects = [a.slug for a in table.aspects]
        options = [o.slug for o in table.options]
        if parts[3] in aspects and parts[5] in options:
            return table, aspects.index(parts[3]), options.index(parts[5])
    return None


def cell_fits_two(parsed: ParsedArticle, spec: QuestionSpec) -> str | None:
    found = _table_of(parsed, spec)
    if found is None:
        return None
    table, aspect, option = found
    row = table.cells[aspect]
    cell = row[option]
    if cell is None:
        return None
    for index, other in enumerate(row):
        if index != option and other is not None and similar(cell.plain, other.plain):
            name = table.options[index].plain
            return f"'{cell.plain}' could also describe {name} ('{other.plain}')"
    return None


def _stem(spec: QuestionSpec) -> tuple[str, ...]:
    """What a learner reads before answering: the prompt, and the choices if any."""
    return (normalize_words(spec.prompt), *sorted(normalize_words(c) for c in spec.choices))


def lint_bank(bank: Bank, parsed: Sequence[ParsedArticle]) -> LintReport:
    by_key = {item.article.key: item for item in parsed}
    flags: list[Flag] = []

    def flag(rule: Rule, spec: QuestionSpec, message: str) -> None:
        flags.append(Flag(rule, spec.path, spec.line, spec.key, message))

    stems: dict[tuple[str, ...], list[QuestionSpec]] = defaultdict(list)
    for spec in bank.questions:
        stems[_stem(spec)].append(spec)
        if (message := answer_in_stem(spec)) is not None:
            flag(Rule.ANSWER_IN_STEM, spec, message)
        article = by_key.get(spec.article_key)
        if article is not None and (message := cell_fits_two(article, spec)) is not None:
            flag(Rule.CELL_FITS_TWO, spec, message)
        if _is_choice(spec) and len(spec.choices) < MIN_CHOICES:
            flag(Rule.FEW_CHOICES, spec, f"only {len(spec.choices)} choices: a coin flip")
        if (message := key_longest(spec)) is not None:
            flag(Rule.KEY_LONGEST, spec, message)
    for same in stems.values():
        answers = {normalize_words(spec.answer) for spec in same}
        if len(answers) > 1:
            for spec in same:
                others = [f"{o.path}:{o.line}" for o in same if o is not spec]
                message = f"the same stem has another answer at {', '.join(others)}"
                flag(Rule.SHARED_STEM, spec, message)
    for left_out, kept in bank.duplicates:
        message = f"the same question as {kept.path}:{kept.line} ({kept.key}); only that is asked"
        flag(Rule.DUPLICATE, left_out, message)
    flags.sort(key=lambda f: (f.path, f.line, f.rule))
    return LintReport(bank, tuple(flags))


def lint(sources: Sequence[SourceFile]) -> LintReport:
    """Build the bank from `sources` and report every flagged question."""
    bank, parsed = build(sources)
    return lint_bank(bank, parsed)
