"""Reports of a problem with a question: a learner writes one from the review page, the
instance's administrators get it in their outbox (and by mail) with the question's file:line, and
resolve it on the reports page. This module owns question_reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage, QuestionReport, User
from app.services import mail
from app.services.concurrency import one_change
from app.services.errors import Conflict, Forbidden, NotFound, ValidationError
from app.services.plans import rowcount
from app.services.study.cards import get_question, home_enrolment

TEXT_MIN = 5
TEXT_MAX = 2000


def report_question(
    user_id: int,
    question_id: int,
    text: str,
    *,
    now: datetime,
    admin_emails: Sequence[str],
    base_url: str,
) -> tuple[QuestionReport, list[OutboxMessage]]:
    """Keep the report and write each administrator a message (committed; the caller may send
    the messages). A question outside the learner's tracks is a NotFound."""
    text = text.strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise ValidationError(
            {"text": f"Say what is wrong in {TEXT_MIN} to {TEXT_MAX} characters."}
        )
    if "\0" in text:
        raise ValidationError({"text": "Remove the NUL character."})
    question = get_question(question_id)
    home_enrolment(user_id, question)
    report = QuestionReport(question_id=question.id, user_id=user_id, text=text, created_at=now)
    db.session.add(report)
    admins = db.session.scalars(
        sa.select(User).where(sa.func.lower(User.email).in_([a.lower() for a in admin_emails]))
    ).all()
    where = f"{question.source_path}:{question.source_line}"
    body = (
        f"A learner reported a problem with a question.\n\n"
        f"Question: {question.prompt}\n"
        f"Source: {where} (key {question.key})\n\n"
        f"What is wrong:\n{text}\n\n"
        f"Reports: {base_url.rstrip('/')}/admin/reports\n"
    )
    messages = [
        mail.write(admin.id, admin.email, f"Rehearse: a question reported ({where})", body, now=now)
        for admin in admins
    ]
    db.session.commit()
    return report, messages


def is_admin(email: str | None, admin_emails: Sequence[str]) -> bool:
    return email is not None and email.lower() in {a.lower() for a in admin_emails}


def open_reports(email: str | None, admin_emails: Sequence[str]) -> list[QuestionReport]:
    """Unresolved reports, oldest first; only an administrator may read them."""
    if not is_admin(email, admin_emails):
        raise Forbidden("Only the instance's administrators read reports.")
    return list(
        db.session.scalars(
            sa.select(QuestionReport)
            .where(QuestionReport.resolved_at.is_(None))
            .order_by(QuestionReport.created_at, QuestionReport.id)
        )
    )


def resolve(
    report_id: int, *, email: str | None, admin_emails: Sequence[str], now: datetime
) -> None:
    """Mark a report resolved, once."""
    if not is_admin(email, admin_emails):
        raise Forbidden("Only the instance's administrators resolve reports.")
    with one_change("That report changed at the same moment; reload and try again."):
        if db.session.get(QuestionReport, report_id) is None:
            raise NotFound(f"no report {report_id}")
        done = db.session.execute(
            sa.update(QuestionReport)
            .where(QuestionReport.id == report_id, QuestionReport.resolved_at.is_(None))
            .values(resolved_at=now)
        )
        if rowcount(done) != 1:
            raise Conflict("That report was already resolved.")
        db.session.commit()
