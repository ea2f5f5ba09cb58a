"""Question generation: one generator per question kind, registered in `GENERATORS`.

Generators are pure functions of a parsed article and a `GenerationContext` (what they may know
about the other articles, for distractors). Every choice they make is deterministic: the same
bank always yields the same questions, choices and choice order.

Distractors for the key trade-off questions come from a hash ring: each article starts at the
hash of its own key and takes the next entries. That is O(log n) per article, and adding an
unrelated article rarely changes an existing question's choices.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from app.domain.banks.article import bold_phrase
from app.domain.banks.model import Article, Problem, QuestionSpec
from app.domain.banks.parsed import Cell, Label, ParsedArticle, TradeoffTable
from app.domain.banks.text import escape_markdown, normalize_words, tradeoff_signature

MAX_CHOICES = 4
BLANK_CELLS = frozenset({"", "-", "--", "\u2014", "\u2013", "n/a", "na", "n.a."})  # dashes
CLOZE_BLANK = "_____"


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


@dataclass(frozen=True)
class _TradeoffOwner:
    signature: str
    text: str
    title: str


@dataclass(frozen=True)
class GenerationContext:
    """What generators may know about the whole bank: the distractor rings.

    Build it once per bank with `from_articles`; it holds one entry per distinct key trade-off
    and one per article that has a key trade-off.
    """

    tradeoff_hashes: tuple[int, ...] = ()
    tradeoffs: tuple[_TradeoffOwner, ...] = ()
    article_hashes: tuple[int, ...] = ()
    articles: tuple[Article, ...] = ()

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> GenerationContext:
        """Index every article's key trade-off (equivalent trade-offs count once)."""
        with_tradeoff = sorted(
            (article for article in articles if article.key_tradeoff), key=lambda a: a.key
        )
        owners: dict[str, _TradeoffOwner] = {}
        for article in with_tradeoff:
            assert article.key_tradeoff is not None
            signature = tradeoff_signature(article.key_tradeoff)
            owners.setdefault(
                signature, _TradeoffOwner(signature, article.key_tradeoff, article.title)
            )
        tradeoff_ring = sorted(
            ((_hash("tradeoff:" + owner.signature), owner) for owner in owners.values()),
            key=lambda pair: pair[0],
        )
        article_ring = sorted(
            ((_hash("article:" + article.key), article) for article in with_tradeoff),
            key=lambda pair: pair[0],
        )
        return cls(
            tradeoff_hashes=tuple(h for h, _ in tradeoff_ring),
            tradeoffs=tuple(owner for _, owner in tradeoff_ring),
            article_hashes=tuple(h for h, _ in article_ring),
            articles=tuple(article for _, article in article_ring),
        )

    def tradeoff_distractors(self, article: Article, count: int) -> list[_TradeoffOwner]:
        """Up to `count` other articles' trade-offs, none equivalent to `article`'s own."""
        own = tradeoff_signature(article.key_tradeoff or "")
        size = len(self.tradeoffs)
        start = bisect_left(self.tradeoff_hashes, _hash("distractors:" + article.key))
        picked: list[_TradeoffOwner] = []
        for step in range(size):
            owner = self.tradeoffs[(start + step) % size]
            if owner.signature != own:
                picked.append(owner)
                if len(picked) == count:
                    break
        return picked

    def title_distractors(self, article: Article, count: int) -> list[Article]:
        """Up to `count` other articles with a key trade-off not equivalent to `article`'s."""
        own = tradeoff_signature(article.key_tradeoff or "")
        titles = {normalize_words(article.title)}
        size = len(self.articles)
        start = bisect_left(self.article_hashes, _hash("reverse:" + article.key))
        picked: list[Article] = []
        for step in range(size):
            other = self.articles[(start + step) % size]
            title = normalize_words(other.title)
            if title in titles or tradeoff_signature(other.key_tradeoff or "") == own:
                continue
            titles.add(title)
            picked.append(other)
            if len(picked) == count:
                break
        return picked


Generator = Callable[[ParsedArticle, GenerationContext], list[QuestionSpec]]


def _spec(
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
) -> QuestionSpec:
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
    )


def _shuffled(article_key: str, correct: str, others: Sequence[str]) -> tuple[tuple[str, ...], int]:
    """Choices in a stable pseudo-random order that depends only on the article and the texts."""
    choices = sorted(
        [correct, *others], key=lambda text: _hash(f"{article_key}\x00{normalize_words(text)}")
    )
    return tuple(choices), choices.index(correct)


def _bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


# --- Key trade-off -----------------------------------------------------------------------------


def key_tradeoff(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """ "What is the key trade-off of X?" with other articles' trade-offs as distractors."""
    article = parsed.article
    if not article.key_tradeoff:
        return []
    distractors = context.tradeoff_distractors(article, MAX_CHOICES - 1)
    if not distractors:
        return []
    correct_text = escape_markdown(article.key_tradeoff)
    choices, correct = _shuffled(
        article.key, correct_text, [escape_markdown(owner.text) for owner in distractors]
    )
    explanation = "The other choices are the key trade-offs of other topics:\n\n" + _bullets(
        f"{escape_markdown(owner.text)}: {escape_markdown(owner.title)}" for owner in distractors
    )
    return [
        _spec(
            parsed,
            "key_tradeoff",
            "key_tradeoff",
            parsed.field_line("key_tradeoff"),
            f"What is the key trade-off of {escape_markdown(article.title)}?",
            correct_text,
            explanation=explanation,
            choices=choices,
            correct=correct,
            sibling_group=f"{article.key}:key_tradeoff",
        )
    ]


def key_tradeoff_reverse(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """ "Which topic's key trade-off is A vs B?" with other articles' titles as distractors."""
    article = parsed.article
    if not article.key_tradeoff:
        return []
    others = context.title_distractors(article, MAX_CHOICES - 1)
    if not others:
        return []
    title = escape_markdown(article.title)
    choices, correct = _shuffled(article.key, title, [escape_markdown(o.title) for o in others])
    explanation = "The other topics' key trade-offs:\n\n" + _bullets(
        f"{escape_markdown(other.title)}: {escape_markdown(other.key_tradeoff or '')}"
        for other in others
    )
    return [
        _spec(
            parsed,
            "key_tradeoff_reverse",
            "key_tradeoff_reverse",
            parsed.field_line("key_tradeoff"),
            f"Which topic's key trade-off is {escape_markdown(article.key_tradeoff)}?",
            title,
            explanation=explanation,
            choices=choices,
            correct=correct,
            sibling_group=f"{article.key}:key_tradeoff",
        )
    ]


# --- Trade-off tables --------------------------------------------------------------------------


def _is_blank(cell: Cell | None) -> bool:
    return cell is None or normalize_words(cell.plain) in BLANK_CELLS


def _continued(markdown: str) -> str:
    """Indent a cell's hard-broken lines so they stay inside a list item."""
    return markdown.replace("\n", "\n  ")


def _row_listing(table: TradeoffTable, aspect_index: int) -> str:
    row = table.cells[aspect_index]
    return _bullets(
        f"**{option.markdown}**: {_continued(cell.markdown) or '—'}"
        for option, cell in zip(table.options, row, strict=True)
        if cell is not None
    )


def _group(parsed: ParsedArticle, table: TradeoffTable, aspect: Label) -> str:
    return f"{parsed.article.key}:table:{table.caption_slug}:{aspect.slug}"


def table_which(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """ "Which option has: <cell> (<aspect>)?" for every cell that tells its option apart."""
    questions: list[QuestionSpec] = []
    for table in parsed.tables:
        choices = tuple(option.markdown for option in table.options)
        for aspect_index, aspect in enumerate(table.aspects):
            row = table.cells[aspect_index]
            for option_index, option in enumerate(table.options):
                cell = row[option_index]
                if cell is None or _is_blank(cell):
                    continue
                words = normalize_words(cell.plain)
                if any(
                    other is not None and normalize_words(other.plain) == words
                    for index, other in enumerate(row)
                    if index != option_index
                ):
                    continue
                group = _group(parsed, table, aspect)
                questions.append(
                    _spec(
                        parsed,
                        f"table:{table.caption_slug}:{aspect.slug}:which:{option.slug}",
                        "table_which",
                        cell.line,
                        f"Which option has: *{cell.markdown}* ({aspect.markdown})?",
                        f"**{option.markdown}** — {aspect.markdown}: {cell.markdown}",
                        explanation=f"{aspect.markdown}:\n\n{_row_listing(table, aspect_index)}",
                        choices=choices,
                        correct=option_index,
                        sibling_group=group,
                    )
                )
    return questions


def _names(labels: Sequence[Label]) -> str:
    names = [f"*{label.markdown}*" for label in labels]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def table_compare(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """ "Compare A and B on <aspect>": free recall, the answer is the table row."""
    questions: list[QuestionSpec] = []
    for table in parsed.tables:
        for aspect_index, aspect in enumerate(table.aspects):
            row = table.cells[aspect_index]
            present = [
                option for option, cell in zip(table.options, row, strict=True) if cell is not None
            ]
            if len(present) < 2 or all(_is_blank(cell) for cell in row):
                continue
            listing = _row_listing(table, aspect_index)
            questions.append(
                _spec(
                    parsed,
                    f"table:{table.caption_slug}:{aspect.slug}:compare",
                    "table_compare",
                    aspect.line,
                    f"Compare {_names(present)} on *{aspect.markdown}*",
                    f"{aspect.markdown}:\n\n{listing}",
                    sibling_group=_group(parsed, table, aspect),
                )
            )
    return questions


# --- Self-assessment, the one thing, authored ------------------------------------------------


def self_assessment(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """One self-graded recall card per checklist item."""
    return [
        _spec(
            parsed,
            f"self_assessment:{item.number}",
            "self_assessment",
            item.line,
            item.question,
            item.answer,
        )
        for item in parsed.checklist
    ]


def one_thing(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """A cloze over the first bold phrase of the one thing to remember, else a recall card."""
    found = parsed.one_thing
    if found is None:
        return []
    bold = bold_phrase(found.text)
    if bold is not None:
        start, end, phrase = bold
        prompt = found.text[:start] + CLOZE_BLANK + found.text[end:]
        return [
            _spec(
                parsed,
                "one_thing",
                "one_thing",
                found.line,
                prompt,
                found.text,
                cloze_answer=phrase,
            )
        ]
    title = escape_markdown(parsed.article.title)
    return [
        _spec(
            parsed,
            "one_thing",
            "one_thing",
            found.line,
            f"What is the one thing to remember about {title}?",
            found.text,
        )
    ]


def authored(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """The author's own multiple-choice questions, choices in the order written."""
    return [
        _spec(
            parsed,
            f"authored:{question.ident}",
            "authored",
            question.line,
            question.prompt,
            question.choices[question.correct],
            explanation=question.explanation,
            choices=question.choices,
            correct=question.correct,
        )
        for question in parsed.authored
    ]


# The registry. Its order is the order new cards of an article are introduced in: the big
# picture first, then details, the reverse trade-off last so it does not follow its sibling.
GENERATORS: dict[str, Generator] = {
    "key_tradeoff": key_tradeoff,
    "one_thing": one_thing,
    "table_which": table_which,
    "table_compare": table_compare,
    "self_assessment": self_assessment,
    "authored": authored,
    "key_tradeoff_reverse": key_tradeoff_reverse,
}


def generate_questions(
    parsed: ParsedArticle, context: GenerationContext
) -> tuple[list[QuestionSpec], list[Problem]]:
    """Every question of one article, numbered 0.. in introduction order.

    A generator that fails is reported as a problem of the article's file and the others still
    run, so one unexpected shape never hides the rest of the article.
    """
    questions: list[QuestionSpec] = []
    problems: list[Problem] = []
    for kind, generator in GENERATORS.items():
        try:
            questions.extend(generator(parsed, context))
        except Exception as exc:  # reported to the author, not raised
            message = f"could not generate {kind} questions: {type(exc).__name__}: {exc}"
            problems.append(Problem(parsed.article.path, 1, message))
    numbered = [replace(spec, position=position) for position, spec in enumerate(questions)]
    return numbered, problems
