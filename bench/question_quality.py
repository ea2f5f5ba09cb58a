"""The quality of the generated questions, for the shipped banks and for other people's Markdown.

    python bench/question_quality.py [--presentations 1000] [--seed 7]

For each corpus it prints the questions per kind and the lint's flags per rule (target: 0 each),
then where the right answer stands when multiple-choice questions are shown to learners: over
N simulated presentations (a random question, learner and review each), the share of each
position (target: every position within 5 points of uniform), next to where it stands in the
order the author wrote and in the stored order. It also scores two test-taking tricks, "pick the
longest choice" and "pick a choice sharing a word with the stem", against chance.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Sequence

from common import ROOT

from app.domain.banks import QuestionSpec, read_sources
from app.domain.banks.lint import LintReport, lint
from app.domain.banks.wording import content_words, visible_length
from app.domain.questions import KINDS, AnswerMode, presented_choices

CORPORA = {
    "shipped banks": ROOT / "question_banks",
    "others' Markdown (tests/fixtures/foreign)": ROOT / "tests" / "fixtures" / "foreign",
}
TARGET_POINTS = 5.0


def choice_questions(report: LintReport) -> list[QuestionSpec]:
    return [
        q
        for q in report.bank.questions
        if q.choices and q.correct is not None and KINDS[q.kind].mode is AnswerMode.CHOICE
    ]


def shares(positions: Counter[int], size: int) -> str:
    total = sum(positions.values()) or 1
    return "  ".join(f"{'abcdefgh'[p]} {100 * positions[p] / total:5.1f}%" for p in range(size))


def worst_gap(positions: Counter[int], size: int) -> float:
    total = sum(positions.values()) or 1
    return max(abs(100 * positions[p] / total - 100 / size) for p in range(size))


def position_report(questions: Sequence[QuestionSpec], presentations: int, seed: int) -> bool:
    """Print where the right answer stands; True when every shown position is within target."""
    rng = random.Random(seed)
    met = True
    for size in sorted({len(q.choices) for q in questions}):
        group = [q for q in questions if len(q.choices) == size]
        shown: Counter[int] = Counter()
        for _ in range(presentations):
            question = rng.choice(group)
            user, version = rng.randrange(1, 10_000), rng.randrange(0, 30)
            order = [
                n
                for n, _ in presented_choices(
                    question.choices,
                    f"{question.key}\x00{user}\x00{version}",
                    fixed=question.fixed_order,
                )
            ]
            shown[order.index(question.correct or 0)] += 1
        stored = Counter(q.correct or 0 for q in group)
        gap = worst_gap(shown, size)
        met = met and gap <= TARGET_POINTS
        print(f"  {size} choices ({len(group)} questions, {presentations} presentations)")
        print(f"    as stored:  {shares(stored, size)}")
        print(f"    as shown:   {shares(shown, size)}   worst gap {gap:.1f} points")
    return met


def tricks(questions: Sequence[QuestionSpec]) -> None:
    longest = overlap = chance = 0.0
    for q in questions:
        lengths = [visible_length(c) for c in q.choices]
        top = [i for i, n in enumerate(lengths) if n == max(lengths)]
        longest += (q.correct in top) / len(top)
        stem = content_words(q.prompt)
        hits = [i for i, c in enumerate(q.choices) if content_words(c) & stem]
        picks = hits or list(range(len(q.choices)))
        overlap += (q.correct in picks) / len(picks)
        chance += 1 / len(q.choices)
    n = len(questions) or 1
    print(
        f"  tricks: pick the longest {100 * longest / n:.1f}%, pick a stem word "
        f"{100 * overlap / n:.1f}%, chance {100 * chance / n:.1f}%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presentations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    all_met = True
    for name, root in CORPORA.items():
        report = lint(read_sources(root))
        bank = report.bank
        print(f"\n{name}: {len(bank.articles)} articles, {len(bank.questions)} questions")
        for kind, count in report.per_kind.items():
            print(f"  {kind:<22} {count:>6}")
        print(f"  flags: {len(report.flags)}")
        for rule, count in report.per_rule.items():
            print(f"    {rule:<28} {count:>4}")
        questions = choice_questions(report)
        print(f"  right answer's position over multiple-choice questions ({len(questions)}):")
        met = position_report(questions, args.presentations, args.seed)
        tricks(questions)
        all_met = all_met and met and not report.flags
    verdict = "met" if all_met else "NOT met"
    print(
        f"\ntargets {verdict}: 0 flags, every position within {TARGET_POINTS:g} points of uniform"
    )


if __name__ == "__main__":
    main()
