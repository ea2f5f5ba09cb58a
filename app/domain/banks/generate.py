"""The generator registry: one generator per question kind, and the article's questions in order.

Generators are pure functions of a parsed article and the `GenerationContext` (what they may know
about other articles, for distractors). Every choice they make is deterministic: the same bank
always yields the same questions and choices. The order choices are *stored* in is shuffled here,
seeded by the question's key (an author can keep the written order), so no position is favoured
even before the review page shuffles them again for each learner and review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.domain.banks.context import GenerationContext
from app.domain.banks.generators.recall import authored, one_thing, recall_items, self_assessment
from app.domain.banks.generators.tables import table_compare, table_side, table_which
from app.domain.banks.generators.terms import term_recall, term_which
from app.domain.banks.generators.tradeoffs import key_tradeoff
from app.domain.banks.model import Problem, QuestionSpec
from app.domain.banks.parsed import ParsedArticle, RecallKind
from app.domain.questions import choice_order

Generator = Callable[[ParsedArticle, GenerationContext], list[QuestionSpec]]

# The registry. Its order is the order new cards of an article are introduced in: the big
# picture first, then details, the reverse trade-off last so it does not follow its sibling.
GENERATORS: dict[str, Generator] = {
    "key_tradeoff": key_tradeoff,
    "one_thing": one_thing,
    "table_which": table_which,
    "table_side": table_side,
    "term_which": term_which,
    "table_compare": table_compare,
    "term": term_recall,
    "tradeoff_note": recall_items(RecallKind.TRADEOFF_NOTE),
    "pros_cons": recall_items(RecallKind.PROS_CONS),
    "self_assessment": self_assessment,
    "recall": recall_items(RecallKind.RECALL),
    "authored": authored,
}


def shuffle_stored(spec: QuestionSpec) -> QuestionSpec:
    """The question with its choices in a stable order seeded by its key (unless kept)."""
    if not spec.choices or spec.fixed_order or spec.correct is None:
        return spec
    order = choice_order(len(spec.choices), f"stored:{spec.key}")
    return replace(
        spec,
        choices=tuple(spec.choices[i] for i in order),
        correct=order.index(spec.correct),
    )


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
    numbered = [
        shuffle_stored(replace(spec, position=position)) for position, spec in enumerate(questions)
    ]
    return numbered, problems
