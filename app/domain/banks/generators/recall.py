"""Self-graded and authored questions: the self-assessment checklist, the one thing to remember,
the recall items of other people's Markdown, and the author's own multiple choice."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.banks.context import GenerationContext
from app.domain.banks.generators.spec import make_spec
from app.domain.banks.markdown import bold_phrases
from app.domain.banks.model import QuestionSpec
from app.domain.banks.parsed import ParsedArticle, RecallKind
from app.domain.banks.text import escape_markdown
from app.domain.banks.wording import content_words

CLOZE_BLANK = "_____"
CLOZE_WORDS = 4  # the longest blank preferred; a longer bold phrase is blanked only if alone


def self_assessment(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """One self-graded recall card per checklist item."""
    return [
        make_spec(
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
    """A cloze over a bold phrase of the one thing to remember, else a recall card.

    The first bold phrase of at most four words (then any) whose words do not also stand
    elsewhere in the paragraph is blanked: a blank whose answer can be read off the rest of the
    sentence tests nothing, and a clause is hard to type word for word.
    """
    found = parsed.one_thing
    if found is None:
        return []
    phrases = bold_phrases(found.text)
    # A short phrase first: a learner can type a term, not a clause word for word.
    phrases.sort(key=lambda bold: len(bold[2].split()) > CLOZE_WORDS)
    for start, end, phrase in phrases:
        rest = found.text[:start] + " " + found.text[end:]
        if content_words(phrase) & content_words(rest):
            continue
        prompt = found.text[:start] + CLOZE_BLANK + found.text[end:]
        return [
            make_spec(
                parsed,
                "one_thing",
                "one_thing",
                found.line,
                prompt,
                found.text,
                cloze_answer=phrase,
                accepted=found.accepted,
            )
        ]
    title = escape_markdown(parsed.article.title)
    return [
        make_spec(
            parsed,
            "one_thing",
            "one_thing",
            found.line,
            f"What is the one thing to remember about {title}?",
            found.text,
        )
    ]


Generator = Callable[[ParsedArticle, GenerationContext], list[QuestionSpec]]


def recall_items(kind: RecallKind) -> Generator:
    """The generator for one kind of recall item found in other people's Markdown."""

    def generate(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
        key = parsed.article.key
        return [
            make_spec(
                parsed,
                item.ident,
                kind.value,
                item.line,
                item.prompt,
                item.answer,
                sibling_group=f"{key}:{item.group}" if item.group else None,
            )
            for item in parsed.recalls
            if item.kind is kind
        ]

    generate.__doc__ = f"One self-graded card per {kind.value} item."
    return generate


def authored(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """The author's own multiple-choice questions."""
    return [
        make_spec(
            parsed,
            f"authored:{question.ident}",
            "authored",
            question.line,
            question.prompt,
            question.choices[question.correct],
            explanation=question.explanation,
            choices=question.choices,
            correct=question.correct,
            fixed_order=question.keep_order,
        )
        for question in parsed.authored
    ]
