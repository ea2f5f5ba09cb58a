"""Questions from comparison tables: which option, which side, and compare.

A table row (an *aspect*) compares the options on one thing. Three forms come from it:

- **which** (tables of three or more options): "For connection setup, which of HTTP/1.1, HTTP/2
  or HTTP/3 has *a combined QUIC and TLS 1.3 handshake*?", one per cell that tells its option
  apart;
- **side** (tables of two options): "Which of these is true of *Thread*, not *Process*?" with the
  right cell among the other option's cells from other rows, each labelled with its row. A
  two-option "which" would be a coin flip whose mirror question gives it away; this form asks the
  learner to place properties on the right side of the trade-off, which is what the table
  teaches. The same row's other cell is not a choice: two choices under one label would tell the
  learner the answer is one of those two;
- **compare**: "Compare *Process* and *Thread* on *Crash impact*", free recall of the whole row.

A cell is not asked about when it is blank, when it reads like another option's cell in the same
row (it could describe both), or when it names its own option (the stem would give the answer
away). Rows that hold examples or trivia (Example, Used by, Origin, …) are not quizzed unless the
author asks for them, and an author can skip any table or row (see `directives.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.banks.context import GenerationContext
from app.domain.banks.generators.spec import (
    MAX_CHOICES,
    MIN_CHOICES,
    bullets,
    continued,
    listing,
    make_spec,
    sentence_case_lower,
    stable_hash,
)
from app.domain.banks.model import QuestionSpec
from app.domain.banks.parsed import Cell, Label, ParsedArticle, TradeoffTable
from app.domain.banks.text import normalize_words, slugify
from app.domain.banks.wording import (
    conspicuously_longest,
    content_words,
    distinctive_words,
    giveaway,
    similar,
)

BLANK_CELLS = frozenset({"", "-", "--", "\u2014", "\u2013", "n/a", "na", "n.a.", "?", "tbd"})
# Rows that list examples or trivia: worth reading, not worth remembering card by card.
TRIVIA_ASPECTS = frozenset(
    slugify(text)
    for text in (
        "Example",
        "Examples",
        "Real-world example",
        "Real-world examples",
        "Example systems",
        "Used by",
        "Who uses it",
        "Notable users",
        "Origin",
        "Origins",
        "Setting",
        "Settings",
        "Year",
        "Introduced",
        "Introduced in",
        "Name",
        "Also known as",
        "AKA",
        "Products",
        "Implementations",
        "Typical tools",
        "Popular tools",
        "Vendors",
        "Link",
        "Links",
        "Reference",
        "References",
        "Source",
        "Config",
        "Configuration",
        "Syntax",
    )
)


# Rows whose cells are one of many right answers ("Typical use: caching, sessions"): fine as a
# "which" clue, but recalled as a whole row a learner cannot tell a good answer from a wrong one.
OPEN_ASPECTS = frozenset(
    slugify(text)
    for text in (
        "Typical use",
        "Typical uses",
        "Typical use case",
        "Use case",
        "Use cases",
        "Best for",
        "Good fit",
        "Good for",
        "Typical fit",
        "Use when",
        "When to use",
        "Common use",
    )
)


def is_blank(cell: Cell | None) -> bool:
    return cell is None or normalize_words(cell.plain) in BLANK_CELLS


def quizzed(table: TradeoffTable, aspect: Label) -> bool:
    """Whether an aspect's row is asked about: not skipped, and not trivia unless asked for."""
    if aspect.slug in table.skipped:
        return False
    return aspect.slug not in TRIVIA_ASPECTS or aspect.slug in table.asked


def telling_cells(table: TradeoffTable, aspect_index: int) -> list[int]:
    """Indices of the options whose cell in this row can be asked about: not blank, not like
    any other cell of the row, and not naming its own option."""
    row = table.cells[aspect_index]
    aspect = table.aspects[aspect_index]
    labels = [option.plain for option in table.options]
    kept: list[int] = []
    for index, cell in enumerate(row):
        if cell is None or is_blank(cell):
            continue
        others = [other for i, other in enumerate(row) if i != index and not is_blank(other)]
        if any(other is not None and similar(cell.plain, other.plain) for other in others):
            continue
        own = distinctive_words(labels[index], labels[:index] + labels[index + 1 :])
        if own & (content_words(cell.plain) | content_words(aspect.plain)):
            continue
        kept.append(index)
    return kept


def _row_listing(table: TradeoffTable, aspect_index: int) -> str:
    row = table.cells[aspect_index]
    return bullets(
        f"**{option.markdown}**: {continued(cell.markdown) or '—'}"
        for option, cell in zip(table.options, row, strict=True)
        if cell is not None
    )


def _group(parsed: ParsedArticle, table: TradeoffTable, aspect: Label) -> str:
    return f"{parsed.article.key}:table:{table.caption_slug}:{aspect.slug}"


def _which_key(table: TradeoffTable, aspect: Label, option: Label) -> str:
    return f"table:{table.caption_slug}:{aspect.slug}:which:{option.slug}"


def _fact(table: TradeoffTable, aspect: Label, option: Label | None = None) -> str:
    """The same row of the same comparison (options, aspect and cells, compared by their
    words), in whatever article, caption or row order it stands."""
    options = sorted(label.slug for label in table.options)
    row = table.cells[table.aspects.index(aspect)]
    cells = sorted(
        f"{label.slug}={normalize_words(cell.plain) if cell else ''}"
        for label, cell in zip(table.options, row, strict=True)
    )
    return "|".join(
        ["table", ",".join(options), aspect.slug, option.slug if option else "", *cells]
    )


SHORT_CELL_WORDS = 3  # "Prevented", "Per partition": read best after the subject


def _which_stem(table: TradeoffTable, aspect: Label, cell: Cell, choices: Sequence[Label]) -> str:
    """ "Which isolation level has *Prevented* for phantom read?" for a short cell; for a longer
    one, which reads as a statement, "Connection setup: *combined QUIC and TLS 1.3 handshake*.
    Which of HTTP/1.1, HTTP/2 or HTTP/3 is this?"."""
    if table.noun:
        subject = f"which {table.noun}"
    elif len(choices) <= MAX_CHOICES:
        subject = "which of " + listing([c.markdown for c in choices], "or")
    else:
        subject = "which of these"
    if len(cell.plain.split()) <= SHORT_CELL_WORDS:
        topic = sentence_case_lower(aspect.markdown)
        return f"{subject[0].upper()}{subject[1:]} has *{cell.markdown}* for {topic}?"
    return f"{aspect.markdown}: *{cell.markdown}*. {subject[0].upper()}{subject[1:]} is this?"


def table_which(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """ "For <aspect>, which <option> has <cell>?" in tables of three or more options.

    The wrong choices are options whose cells in the row are filled in and unlike the asked one;
    an option with a blank or look-alike cell is left out, since it might have the property too.
    """
    questions: list[QuestionSpec] = []
    for table in parsed.tables:
        if len(table.options) < MIN_CHOICES:
            continue
        for aspect_index, aspect in enumerate(table.aspects):
            if not quizzed(table, aspect):
                continue
            row = table.cells[aspect_index]
            telling = telling_cells(table, aspect_index)
            for option_index in telling:
                cell = row[option_index]
                assert cell is not None
                # Any other option whose cell is filled in and unlike this one is a fair choice.
                pool = [
                    i
                    for i, other in enumerate(row)
                    if i != option_index
                    and not is_blank(other)
                    and not similar(cell.plain, (other or cell).plain)
                ]
                pool.sort(key=lambda i: stable_hash(f"{aspect.slug}:{option_index}:{i}"))
                others = sorted(pool[: MAX_CHOICES - 1])
                if len(others) + 1 < MIN_CHOICES:
                    continue
                shown = sorted([option_index, *others])
                option = table.options[option_index]
                choices = tuple(table.options[i].markdown for i in shown)
                questions.append(
                    make_spec(
                        parsed,
                        _which_key(table, aspect, option),
                        "table_which",
                        cell.line,
                        _which_stem(table, aspect, cell, [table.options[i] for i in shown]),
                        f"**{option.markdown}** — {aspect.markdown}: {cell.markdown}",
                        explanation=f"{aspect.markdown}:\n\n{_row_listing(table, aspect_index)}",
                        choices=choices,
                        correct=shown.index(option_index),
                        sibling_group=_group(parsed, table, aspect),
                        fact=_fact(table, aspect, option),
                    )
                )
    return questions


def _side_choice(aspect: Label, cell: Cell | None) -> str:
    return f"**{aspect.markdown}:** {cell.markdown if cell else ''}"


def _balance_lengths(
    right: str, wrong: list[tuple[Label, Cell]], spare: list[tuple[Label, Cell]]
) -> list[tuple[Label, Cell]] | None:
    """Swap the last wrong choice for a spare one as long as the right one, if the right one
    would otherwise stand out as the longest; None when no spare fixes it."""
    texts = [_side_choice(label, cell) for label, cell in wrong]
    if not conspicuously_longest(right, texts):
        return wrong
    for label, cell in spare:
        candidate = [*wrong[:-1], (label, cell)]
        if not conspicuously_longest(right, [_side_choice(a, c) for a, c in candidate]):
            return candidate
    return None


def table_side(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """ "Which of these is true of <A>, not <B>?" in two-option tables (see the module doc).

    Each cell that can be asked about is the right choice once; the wrong ones are the other
    option's cells in other rows, in a fixed pseudo-random order, each unlike what the right
    option says on its row.
    """
    questions: list[QuestionSpec] = []
    for table in parsed.tables:
        if len(table.options) != 2:
            continue
        rows = [
            (index, aspect) for index, aspect in enumerate(table.aspects) if quizzed(table, aspect)
        ]
        # A choice that names either option would point at the stem, which names both.
        first, second = (option.plain for option in table.options)
        names = distinctive_words(first, [second]) | distinctive_words(second, [first])
        telling = {
            index: {
                i
                for i in telling_cells(table, index)
                if not content_words(_side_choice(aspect, table.cells[index][i])) & names
            }
            for index, aspect in rows
        }
        for aspect_index, aspect in rows:
            for option_index in sorted(telling[aspect_index]):
                other_index = 1 - option_index
                cell = table.cells[aspect_index][option_index]
                assert cell is not None
                wrong: list[tuple[Label, Cell]] = []
                elsewhere = sorted(
                    (index for index, _ in rows if index != aspect_index),
                    key=lambda i: stable_hash(f"{table.caption_slug}:{aspect.slug}:{i}"),
                )
                spare: list[tuple[Label, Cell]] = []
                for index in elsewhere:
                    theirs = table.cells[index][other_index]
                    ours = table.cells[index][option_index]
                    if other_index not in telling[index] or theirs is None:
                        continue
                    if ours is not None and similar(theirs.plain, ours.plain):
                        continue
                    target = wrong if len(wrong) < MAX_CHOICES - 1 else spare
                    target.append((table.aspects[index], theirs))
                if len(wrong) + 1 < MIN_CHOICES:
                    continue
                balanced = _balance_lengths(_side_choice(aspect, cell), wrong, spare)
                if balanced is None:
                    continue  # "pick the longest" would find the answer
                wrong = balanced
                option, other = table.options[option_index], table.options[other_index]
                choices = (
                    _side_choice(aspect, cell),
                    *(_side_choice(label, text) for label, text in wrong),
                )
                stem = f"Which of these is true of *{option.markdown}*, not *{other.markdown}*?"
                if giveaway(stem, choices[0], choices[1:]):
                    continue
                explanation = (
                    f"The other choices are true of *{other.markdown}*. "
                    f"{aspect.markdown}:\n\n{_row_listing(table, aspect_index)}"
                )
                questions.append(
                    make_spec(
                        parsed,
                        _which_key(table, aspect, option),
                        "table_side",
                        cell.line,
                        f"Which of these is true of *{option.markdown}*, not *{other.markdown}*?",
                        f"**{option.markdown}** — {aspect.markdown}: {cell.markdown}",
                        explanation=explanation,
                        choices=choices,
                        correct=0,
                        sibling_group=_group(parsed, table, aspect),
                        fact=_fact(table, aspect, option),
                    )
                )
    return questions


def _names(labels: Sequence[Label]) -> str:
    return listing([f"*{label.markdown}*" for label in labels])


def table_compare(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """ "Compare A and B on <aspect>": free recall, the answer is the table row (not for rows of
    open-ended cells such as "Typical use", where no row is the one right answer)."""
    questions: list[QuestionSpec] = []
    for table in parsed.tables:
        for aspect_index, aspect in enumerate(table.aspects):
            if not quizzed(table, aspect) or aspect.slug in OPEN_ASPECTS:
                continue
            row = table.cells[aspect_index]
            present = [
                option for option, cell in zip(table.options, row, strict=True) if cell is not None
            ]
            if len(present) < 2 or all(is_blank(cell) for cell in row):
                continue
            listing_md = _row_listing(table, aspect_index)
            questions.append(
                make_spec(
                    parsed,
                    f"table:{table.caption_slug}:{aspect.slug}:compare",
                    "table_compare",
                    aspect.line,
                    f"Compare {_names(present)} on *{aspect.markdown}*",
                    f"{aspect.markdown}:\n\n{listing_md}",
                    sibling_group=_group(parsed, table, aspect),
                    fact=_fact(table, aspect),
                )
            )
    return questions
