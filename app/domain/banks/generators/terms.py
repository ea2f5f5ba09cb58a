"""Questions from two-column tables: a term and what it means, or a recommendation and its
benefit.

- **term** (recall): "What is *Write-ahead log*?" when the second column is a definition, else
  "What is the benefit of *Use availability zones*?", the second column's header giving the noun;
- **term_which** (multiple choice, three or more rows): "Which term matches this definition:
  *…*?" with other rows' terms as the wrong choices. A row whose text names its own term, or
  reads like another row's, is not asked this way.
"""

from __future__ import annotations

from app.domain.banks.context import GenerationContext
from app.domain.banks.generators.spec import (
    MAX_CHOICES,
    MIN_CHOICES,
    make_spec,
    sentence_case_lower,
    stable_hash,
)
from app.domain.banks.model import QuestionSpec
from app.domain.banks.parsed import Label, ParsedArticle, TermTable
from app.domain.banks.text import slugify
from app.domain.banks.wording import content_words, distinctive_words, similar

DEFINITION_HEADERS = frozenset(
    slugify(text)
    for text in (
        "Definition",
        "Description",
        "Meaning",
        "What it is",
        "What it means",
        "Explanation",
        "Summary",
        "Details",
        "Notes",
    )
)


def _key(table: TermTable, term: Label, form: str) -> str:
    return f"table:{table.caption_slug}:{term.slug}:{form}"


def _group(parsed: ParsedArticle, table: TermTable, term: Label) -> str:
    return f"{parsed.article.key}:table:{table.caption_slug}:{term.slug}"


def _is_definition(table: TermTable) -> bool:
    return table.value_header.slug in DEFINITION_HEADERS or not table.value_header.slug


def term_recall(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    questions: list[QuestionSpec] = []
    for table in parsed.terms:
        header = table.value_header
        for term, value in table.rows:
            if term.slug in table.skipped:
                continue
            if _is_definition(table):
                prompt = f"What is *{term.markdown}*?"
            else:
                prompt = f"What is the {sentence_case_lower(header.markdown)} of *{term.markdown}*?"
            questions.append(
                make_spec(
                    parsed,
                    _key(table, term, "term"),
                    "term",
                    value.line,
                    prompt,
                    f"**{term.markdown}** — {value.markdown}",
                    sibling_group=_group(parsed, table, term),
                )
            )
    return questions


def term_which(parsed: ParsedArticle, context: GenerationContext) -> list[QuestionSpec]:
    questions: list[QuestionSpec] = []
    for table in parsed.terms:
        rows = [(term, value) for term, value in table.rows if term.slug not in table.skipped]
        if len(rows) < MIN_CHOICES:
            continue
        terms = [term.plain for term, _ in rows]
        for index, (term, value) in enumerate(rows):
            own = distinctive_words(term.plain, terms[:index] + terms[index + 1 :])
            if own & content_words(value.plain):
                continue
            if any(similar(value.plain, other.plain) for t, other in rows if t is not term):
                continue
            pool = [
                i
                for i, (other_term, other_value) in enumerate(rows)
                if i != index and not similar(other_term.plain, term.plain)
            ]
            pool.sort(key=lambda i: stable_hash(f"{table.caption_slug}:{term.slug}:{i}"))
            shown = sorted([index, *pool[: MAX_CHOICES - 1]])
            if len(shown) < MIN_CHOICES:
                continue
            noun = sentence_case_lower(table.term_header.markdown) or "term"
            what = sentence_case_lower(table.value_header.markdown) or "definition"
            questions.append(
                make_spec(
                    parsed,
                    _key(table, term, "which"),
                    "term_which",
                    value.line,
                    f"Which {noun} matches this {what}: *{value.markdown}*?",
                    f"**{term.markdown}** — {value.markdown}",
                    choices=tuple(rows[i][0].markdown for i in shown),
                    correct=shown.index(index),
                    sibling_group=_group(parsed, table, term),
                )
            )
    return questions
