"""The series' own sections and the headings that open them, matched loosely."""

from __future__ import annotations

from app.domain.banks.parsed import SectionKind
from app.domain.banks.text import heading_signature

SECTION_HEADINGS: dict[str, SectionKind] = {
    heading_signature(text): kind
    for kind, texts in {
        SectionKind.ONE_THING: (
            "The One Thing to Remember",
            "One thing to remember",
            "Key takeaway",
            "Key takeaways",
            "TL;DR",
        ),
        SectionKind.TRADEOFFS: (
            "Trade-off Analysis",
            "Trade-offs",
            "Tradeoffs",
            "Trade-off",
            "Tradeoff Analysis",
            "Comparison",
        ),
        SectionKind.SELF_ASSESSMENT: (
            "Self-Assessment",
            "Self Assessment",
            "Check your understanding",
            "Review questions",
        ),
        SectionKind.QUESTIONS: ("Questions", "Quiz", "Practice questions"),
        SectionKind.RUBRIC: ("Interview Rubric", "Rubric"),
    }.items()
    for text in texts
}


def section_kind(heading: str) -> SectionKind | None:
    """Which of the series' sections a heading opens, if any."""
    return SECTION_HEADINGS.get(heading_signature(heading))
