"""Async quizzes: a host picks questions of the week's article and a deadline in the group's time
zone; each member answers once before it; after it (or once the host closes it) the results.

Only multiple-choice questions go into a quiz (key trade-offs, trade-off tables, authored
questions), so every answer is graded the same way for everyone. A member who opts in has each
answer count in their own schedule by the drills' rule (`study.outside_answers`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.domain.questions import GradingError, grade
from app.extensions import db
from app.models import Article, Group, GroupQuiz, GroupQuizAnswer, Question
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.groups.members import GroupRole, membership, require
from app.services.groups.weeks import current_week
from app.services.study.cards import grading_spec
from app.services.study.outside_answers import count_if_due

QUIZ_KINDS = ("key_tradeoff", "key_tradeoff_reverse", "table_which", "table_side", "authored")
QUIZ_MAX = 30


def quiz_questions(*article_ids: int) -> list[Question]:
    """The questions of these articles a quiz (a group's or a live one) can ask, in article
    order."""
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(
                Question.article_id.in_(article_ids),
                Question.retired_at.is_(None),
                Question.kind.in_(QUIZ_KINDS),
            )
            .order_by(Question.article_id, Question.position, Question.id)
        )
    )


def create_quiz(
    user_id: int,
    group_id: int,
    *,
    deadline_local: datetime,
    now: datetime,
    question_ids: list[int] | None = None,
) -> GroupQuiz:
    """A quiz on this week's article; ``deadline_local`` is a wall-clock time in the group's zone.
    Without ``question_ids``, the article's first QUIZ_MAX quiz questions."""
    group, _ = require(user_id, group_id, GroupRole.HOST)
    week = current_week(group, now)
    if week is None:
        raise ValidationError({"week": "This group has no article this week yet."})
    available = quiz_questions(week.article_id)
    errors: dict[str, str] = {}
    if question_ids is None:
        chosen = [q.id for q in available[:QUIZ_MAX]]
    else:
        known = {q.id for q in available}
        chosen = list(dict.fromkeys(question_ids))
        unknown = [q for q in chosen if q not in known]
        if unknown:
            errors["question_ids"] = (
                f"Question {unknown[0]} is not a quiz question of {week.article.title}."
            )
        elif not 1 <= len(chosen) <= QUIZ_MAX:
            errors["question_ids"] = f"Pick 1 to {QUIZ_MAX} questions."
    if not chosen and "question_ids" not in errors:
        errors["question_ids"] = f"{week.article.title} has no multiple-choice questions to quiz."
    deadline = deadline_local.replace(tzinfo=ZoneInfo(group.timezone)).astimezone(now.tzinfo)
    if deadline <= now:
        errors["deadline"] = f"Set a deadline in the future ({group.timezone} time)."
    if errors:
        raise ValidationError(errors)
    quiz = GroupQuiz(
        group_id=group_id,
        week_id=week.id,
        article_id=week.article_id,
        created_by=user_id,
        created_at=now,
        deadline=deadline,
        question_ids=chosen,
    )
    db.session.add(quiz)
    db.session.commit()
    return quiz


def quiz_in(group_id: int, quiz_id: int) -> GroupQuiz:
    """The group's quiz (a quiz of another group is as absent as none)."""
    quiz = db.session.get(GroupQuiz, quiz_id)
    if quiz is None or quiz.group_id != group_id:
        raise NotFound(f"no quiz {quiz_id}")
    return quiz


def get_quiz(user_id: int, group_id: int, quiz_id: int) -> tuple[Group, GroupQuiz]:
    group, _ = membership(user_id, group_id)
    return group, quiz_in(group_id, quiz_id)


def is_open(quiz: GroupQuiz, now: datetime) -> bool:
    return quiz.closed_at is None and now < quiz.deadline


def questions_of(quiz: GroupQuiz) -> list[Question]:
    found = {
        q.id: q
        for q in db.session.scalars(sa.select(Question).where(Question.id.in_(quiz.question_ids)))
    }
    return [found[i] for i in quiz.question_ids if i in found]


def my_answers(user_id: int, quiz_id: int) -> dict[int, GroupQuizAnswer]:
    return {
        a.question_id: a
        for a in db.session.scalars(
            sa.select(GroupQuizAnswer).where(
                GroupQuizAnswer.quiz_id == quiz_id, GroupQuizAnswer.user_id == user_id
            )
        )
    }


def answer_quiz(
    user_id: int, group_id: int, quiz_id: int, *, responses: dict[int, str], now: datetime
) -> list[GroupQuizAnswer]:
    """Record the member's answers to every question of the quiz, once, before its deadline."""
    _, me = membership(user_id, group_id)
    quiz = quiz_in(group_id, quiz_id)
    if not is_open(quiz, now):
        raise Conflict("This quiz is closed: answers are no longer taken.")
    if my_answers(user_id, quiz_id):
        raise Conflict("You have answered this quiz already; each member answers once.")
    questions = questions_of(quiz)
    errors: dict[str, str] = {}
    graded: list[tuple[Question, str, bool]] = []
    for number, question in enumerate(questions, 1):
        response = (responses.get(question.id) or "").strip()
        if not response:
            errors[f"q{question.id}"] = f"Answer question {number}."
            continue
        try:
            graded.append(
                (question, response, bool(grade(grading_spec(question), response).correct))
            )
        except GradingError as error:
            errors[f"q{question.id}"] = f"Question {number}: {error}"
    extra = set(responses) - {q.id for q in questions}
    if extra:
        errors["responses"] = f"Question {min(extra)} is not in this quiz."
    if errors:
        raise ValidationError(errors)
    counted: set[int] = set()
    if me.counts_quizzes:
        counted = _count_in_schedule(user_id, quiz, graded, now)
    rows = [
        GroupQuizAnswer(
            quiz_id=quiz.id, user_id=user_id, question_id=q.id, response=response[:20],
            correct=correct, answered_at=now, counted=q.id in counted,
        )
        for q, response, correct in graded
    ]  # fmt: skip
    db.session.add_all(rows)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("You have answered this quiz already; each member answers once.") from None
    return rows


def _count_in_schedule(
    user_id: int, quiz: GroupQuiz, graded: list[tuple[Question, str, bool]], now: datetime
) -> set[int]:
    return {
        question.id
        for question, response, _ in graded
        if count_if_due(
            user_id, question.id, review_id=f"quiz-{quiz.id}-{question.id}", now=now,
            response=response,
        )
    }  # fmt: skip


def close_quiz(user_id: int, group_id: int, quiz_id: int, now: datetime) -> GroupQuiz:
    require(user_id, group_id, GroupRole.HOST)
    quiz = quiz_in(group_id, quiz_id)
    if quiz.closed_at is None:
        quiz.closed_at = min(now, quiz.deadline)
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            quiz = quiz_in(group_id, quiz_id)
    return quiz


@dataclass(frozen=True)
class MemberResult:
    name: str
    user_id: int | None  # None when the member hides their answers (shown as a count only)
    right: int
    answered: int


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    choices: tuple[tuple[str, int], ...]  # each choice and how many chose it
    right: int
    answered: int
    tradeoff: str


@dataclass(frozen=True)
class TradeoffResult:
    tradeoff: str
    right: int
    answered: int


@dataclass(frozen=True)
class QuizResults:
    quiz: GroupQuiz
    members: tuple[MemberResult, ...]
    hidden: int  # members who answered but keep their answers to themselves
    questions: tuple[QuestionResult, ...]
    tradeoffs: tuple[TradeoffResult, ...]


def _table_aspect(question: Question) -> str | None:
    """The row of a table question, from its answer ("**Option** — Aspect: cell")."""
    if not question.kind.startswith("table_") or " — " not in question.answer:
        return None
    aspect = question.answer.split(" — ", 1)[1].split(":", 1)[0].strip()
    return aspect or None


def tradeoff_labels(articles: list[Article], questions: list[Question]) -> dict[int, str]:
    """The trade-off each question asks about, as people read it: the table row it comes from
    (from the article's rubric) or the article's key trade-off."""
    by_key: dict[str, str] = {}
    for article in articles:
        for point in article.rubric or ():
            if point.get("source") == "table":
                for key in point.get("question_keys") or ():
                    by_key[key] = str(point["text"]).split(" — ", 1)[0].strip("*")
    titles = {a.id: a for a in articles}
    labels: dict[int, str] = {}
    for question in questions:
        article = titles[question.article_id]
        aspect = _table_aspect(question)
        if question.key in by_key:
            labels[question.id] = f"{by_key[question.key]} ({article.title})"
        elif aspect:
            labels[question.id] = f"{aspect} ({article.title})"
        elif question.kind.startswith("key_tradeoff"):
            labels[question.id] = f"{article.key_tradeoff or 'Key trade-off'} ({article.title})"
        else:
            labels[question.id] = f"Questions written for {article.title}"
    return labels


def quiz_results(user_id: int, group_id: int, quiz_id: int, now: datetime) -> QuizResults:
    """Results once the quiz is closed: per member (as each allows), per question with its
    answer distribution, and per trade-off."""
    group, quiz = get_quiz(user_id, group_id, quiz_id)
    if is_open(quiz, now):
        raise Conflict("Results come when the quiz closes, so nobody's answers steer another's.")
    questions = questions_of(quiz)
    answers = list(
        db.session.scalars(sa.select(GroupQuizAnswer).where(GroupQuizAnswer.quiz_id == quiz_id))
    )
    members = {m.user_id: m for m in group.members}
    per_member: dict[int, list[GroupQuizAnswer]] = {}
    for a in answers:
        per_member.setdefault(a.user_id, []).append(a)
    shown: list[MemberResult] = []
    hidden = 0
    for member_id, theirs in per_member.items():
        member = members.get(member_id)
        visible = member_id == user_id or (member is not None and member.shows_answers)
        if not visible:
            hidden += 1
            continue
        name = member.user.display_name if member is not None else "A former member"
        shown.append(MemberResult(name, member_id, sum(a.correct for a in theirs), len(theirs)))
    shown.sort(key=lambda r: (-r.right, r.name))
    labels = tradeoff_labels([quiz.article], questions)
    results: list[QuestionResult] = []
    tally: dict[str, list[int]] = {}
    for question in questions:
        theirs = [a for a in answers if a.question_id == question.id]
        chosen = Counter(a.response for a in theirs)
        right = sum(a.correct for a in theirs)
        choices = tuple((text, chosen.get(str(i), 0)) for i, text in enumerate(question.choices))
        label = labels[question.id]
        results.append(QuestionResult(question, choices, right, len(theirs), label))
        counts = tally.setdefault(label, [0, 0])
        counts[0] += right
        counts[1] += len(theirs)
    tradeoffs = sorted(
        (TradeoffResult(label, r, n) for label, (r, n) in tally.items()),
        key=lambda t: (t.right / t.answered if t.answered else 1.0, t.tradeoff),
    )
    return QuizResults(quiz, tuple(shown), hidden, tuple(results), tuple(tradeoffs))


def quizzes_of(user_id: int, group_id: int) -> list[GroupQuiz]:
    membership(user_id, group_id)
    return list(
        db.session.scalars(
            sa.select(GroupQuiz)
            .where(GroupQuiz.group_id == group_id)
            .order_by(GroupQuiz.created_at.desc())
        )
    )
