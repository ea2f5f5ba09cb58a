"""Question banks: Markdown articles and YAML tracks turned into questions, purely.

The service layer needs only `read_sources` and `build_bank`; `parse_article` and the generator
registry are exposed for previews and tests.
"""

from app.domain.banks.article import parse_article
from app.domain.banks.build import build_bank, read_sources
from app.domain.banks.context import GenerationContext
from app.domain.banks.generate import GENERATORS, generate_questions
from app.domain.banks.model import (
    Article,
    Bank,
    Problem,
    QuestionSpec,
    Severity,
    SourceFile,
    Track,
)
from app.domain.banks.parsed import ParsedArticle

__all__ = [
    "GENERATORS",
    "Article",
    "Bank",
    "GenerationContext",
    "ParsedArticle",
    "Problem",
    "QuestionSpec",
    "Severity",
    "SourceFile",
    "Track",
    "build_bank",
    "generate_questions",
    "parse_article",
    "read_sources",
]
