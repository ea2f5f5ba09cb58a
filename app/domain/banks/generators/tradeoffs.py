"""The key trade-off question: "What is the key trade-off of X?".

Its reverse ("Which topic's key trade-off is A vs B?") is not asked: two blind reviews found it
recalls a slogan, since the trade-off's own words point at the one topic they describe.
"""

from __future__ import annotations

from app.domain.banks.context import GenerationContext
from app.domain.banks.generators.spec import MIN_CHOICES, bullets, make_spec
from app.domain.banks.model import QuestionSpec
from app.domain.banks.parsed import ParsedArticle
from app.domain.banks.text import escape_markdown
from app.domain.banks.wording import conspicuously_longest, giveaway


def key_tradeoff(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    """Multiple choice over related articles' trade-offs (see `context.py` for which).

    Not asked when the article's name holds a word of its trade-off that no wrong choice has
    ("File I/O & Durability" -> "Durability vs Performance"): the bank reports it, and a short
    `topic:` in the front matter ("fsync()") brings the question back.
    """
    article = parsed.article
    if not article.key_tradeoff:
        return []
    others = context.tradeoff_distractors(article)
    if len(others) + 1 < MIN_CHOICES:
        return []
    name = escape_markdown(article.tradeoff_name)
    correct_text = escape_markdown(article.key_tradeoff)
    choices = (correct_text, *(escape_markdown(other.tradeoff) for other in others))
    wrong = [other.tradeoff for other in others]
    if giveaway(name, article.key_tradeoff, wrong):
        return []  # the name says the answer; a `topic:` without the trade-off's words fixes it
    if conspicuously_longest(article.key_tradeoff, wrong):
        return []  # "pick the longest" would find it, and no related trade-off is as long
    explanation = "The other choices are the key trade-offs of related topics:\n\n" + bullets(
        f"{escape_markdown(other.tradeoff)}: {escape_markdown(other.title)}" for other in others
    )
    return [
        make_spec(
            parsed,
            "key_tradeoff",
            "key_tradeoff",
            parsed.field_line("key_tradeoff"),
            f"What is the key trade-off of {name}?",
            correct_text,
            explanation=explanation,
            choices=choices,
            correct=0,
            sibling_group=f"{article.key}:key_tradeoff",
        )
    ]
