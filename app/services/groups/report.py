"""The team report, the agenda for a group's discussion: the trade-offs and questions the team
gets wrong most, ranked, with what was missed in the latest quiz and what keeps being missed
across weeks; and both as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Article, GroupQuiz, GroupQuizAnswer, Question
from app.services.groups.members import membership
from app.services.groups.quizzes import is_open, quiz_results, tradeoff_labels

AGENDA_MAX = 10
KEEPS_MISSING = 2  # missed in at least this many quizzes: a standing topic


@dataclass(frozen=True)
class MissedQuestion:
    question: Question
    tradeoff: str
    wrong: int
    answered: int
    quizzes_missed: int  # quizzes in which at least one member got it wrong

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class MissedTradeoff:
    tradeoff: str
    article: Article
    wrong: int
    answered: int
    quizzes_missed: int

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class TeamReport:
    quizzes: int  # closed quizzes the report draws on
    answers: int
    tradeoffs: tuple[MissedTradeoff, ...]  # most wrong first, across every closed quiz
    questions: tuple[MissedQuestion, ...]
    latest: GroupQuiz | None
    this_week: tuple[MissedQuestion, ...]  # what the latest closed quiz missed
    keeps_missing: tuple[MissedTradeoff, ...]  # missed in KEEPS_MISSING or more quizzes


def _rank_key(item: MissedQuestion | MissedTradeoff) -> tuple[float, int, str]:
    return (-item.wrong_share, -item.wrong, item.tradeoff)


def team_report(user_id: int, group_id: int, now: datetime) -> TeamReport:
    membership(user_id, group_id)
    quizzes = [
        q
        for q in db.session.scalars(
            sa.select(GroupQuiz).where(GroupQuiz.group_id == group_id).order_by(GroupQuiz.deadline)
        )
        if not is_open(q, now)
    ]
    if not quizzes:
        return TeamReport(0, 0, (), (), None, (), ())
    quiz_ids = [q.id for q in quizzes]
    # One pass over the answers: (quiz, question) -> right, answered.
    rows = db.session.execute(
        sa.select(
            GroupQuizAnswer.quiz_id,
            GroupQuizAnswer.question_id,
            sa.func.count(),
            sa.func.sum(sa.case((GroupQuizAnswer.correct, 1), else_=0)),
        )
        .where(GroupQuizAnswer.quiz_id.in_(quiz_ids))
        .group_by(GroupQuizAnswer.quiz_id, GroupQuizAnswer.question_id)
    ).all()
    question_ids = {question_id for _, question_id, _, _ in rows}
    questions = {
        q.id: q
        for q in db.session.scalars(sa.select(Question).where(Question.id.in_(question_ids)))
    }
    articles = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Article).where(Article.id.in_({q.article_id for q in questions.values()}))
        )
    }
    labels = tradeoff_labels(list(articles.values()), list(questions.values()))
    per_question: dict[int, list[int]] = {}  # wrong, answered, quizzes missed
    per_latest: dict[int, list[int]] = {}
    latest = quizzes[-1]
    total = 0
    for quiz_id, question_id, answered, right in rows:
        right = int(right or 0)
        total += answered
        tally = per_question.setdefault(question_id, [0, 0, 0])
        tally[0] += answered - right
        tally[1] += answered
        tally[2] += int(answered > right)
        if quiz_id == latest.id:
            per_latest[question_id] = [answered - right, answered, int(answered > right)]

    def missed(source: dict[int, list[int]]) -> list[MissedQuestion]:
        found = [
            MissedQuestion(questions[qid], labels[qid], wrong, answered, quizzes_missed)
            for qid, (wrong, answered, quizzes_missed) in source.items()
            if wrong and qid in questions
        ]
        return sorted(found, key=_rank_key)

    all_missed = missed(per_question)
    by_tradeoff: dict[str, list[int]] = {}
    tradeoff_article: dict[str, Article] = {}
    tradeoff_quizzes: dict[str, set[int]] = {}
    for quiz_id, question_id, answered, right in rows:
        if question_id not in questions:
            continue
        label = labels[question_id]
        tally = by_tradeoff.setdefault(label, [0, 0])
        tally[0] += answered - int(right or 0)
        tally[1] += answered
        tradeoff_article[label] = articles[questions[question_id].article_id]
        if answered > int(right or 0):
            tradeoff_quizzes.setdefault(label, set()).add(quiz_id)
    tradeoffs = sorted(
        (
            MissedTradeoff(
                label,
                tradeoff_article[label],
                wrong,
                answered,
                len(tradeoff_quizzes.get(label, ())),
            )
            for label, (wrong, answered) in by_tradeoff.items()
            if wrong
        ),
        key=_rank_key,
    )
    return TeamReport(
        quizzes=len(quizzes),
        answers=total,
        tradeoffs=tuple(tradeoffs[:AGENDA_MAX]),
        questions=tuple(all_missed[:AGENDA_MAX]),
        latest=latest,
        this_week=tuple(missed(per_latest)[:AGENDA_MAX]),
        keeps_missing=tuple(t for t in tradeoffs if t.quizzes_missed >= KEEPS_MISSING),
    )


def report_csv(user_id: int, group_id: int, now: datetime) -> str:
    """The report's trade-offs and questions, one row each, most missed first."""
    report = team_report(user_id, group_id, now)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "trade-off", "question", "article", "wrong", "answered",
                     "wrong share", "quizzes missed"])  # fmt: skip
    for t in report.tradeoffs:
        writer.writerow(["trade-off", t.tradeoff, "", t.article.key, t.wrong, t.answered,
                         f"{t.wrong_share:.3f}", t.quizzes_missed])  # fmt: skip
    for q in report.questions:
        share = f"{q.wrong_share:.3f}"
        key = q.question.article.key
        writer.writerow(["question", q.tradeoff, q.question.prompt, key, q.wrong, q.answered,
                         share, q.quizzes_missed])  # fmt: skip
    return out.getvalue()


def results_csv(user_id: int, group_id: int, quiz_id: int, now: datetime) -> str:
    """A closed quiz's results: per member (as each allows) and per question."""
    results = quiz_results(user_id, group_id, quiz_id, now)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["part", "name", "right", "answered"])
    for m in results.members:
        writer.writerow(["member", m.name, m.right, m.answered])
    if results.hidden:
        writer.writerow(["members keeping their answers private", results.hidden, "", ""])
    writer.writerow([])
    writer.writerow(
        ["part", "question", "trade-off", "right", "answered", "choices (times chosen)"]
    )
    for q in results.questions:
        picks = "; ".join(f"{text} ({n})" for text, n in q.choices)
        writer.writerow(["question", q.question.prompt, q.tradeoff, q.right, q.answered, picks])
    return out.getvalue()
