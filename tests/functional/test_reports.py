"""Reporting a problem with a question: from the review page to the administrators and back."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage, Question, QuestionReport
from app.services import banks, study
from tests.factories import NOW, log_in, make_user
from tests.integration.test_bank_sync import write_bank


def test_a_report_reaches_the_administrators_with_file_and_line(make_app, tmp_path):
    app = make_app(ADMIN_EMAILS=("Keeper@Example.com",))
    with app.app_context():
        banks.sync(write_bank(tmp_path / "banks"), now=NOW)
        keeper = make_user(email="keeper@example.com")
        learner = make_user(email="learner@example.com")
        study.enrol(learner.id, "basics", now=NOW)
        db.session.commit()
        keeper_id = keeper.id
    client = app.test_client()
    log_in(client, "learner@example.com")
    page = client.get("/study/review").get_data(as_text=True)
    link = re.search(r'href="(/study/report/(\d+)[^"]*)"', page)
    assert link, "the review page links to a report form"
    question_id = int(link.group(2))
    form = client.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    short = client.post(f"/study/report/{question_id}", data={"text": "bad"})
    assert short.status_code == 422 and "Field must be between 5 and 2000" in short.get_data(
        as_text=True
    )
    sent = client.post(
        f"/study/report/{question_id}",
        data={"text": "Two of the choices are both right."},
        follow_redirects=True,
    )
    assert "your report went to" in sent.get_data(as_text=True)
    with app.app_context():
        report = db.session.scalars(sa.select(QuestionReport)).one()
        assert report.text == "Two of the choices are both right."
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert message.user_id == keeper_id
        assert re.search(r"Source: \S+\.md:\d+", message.body_text)
        assert message.subject.startswith("Rehearse: a question reported (")

    # The learner cannot read reports; the administrator can, and resolves it once.
    assert client.get("/admin/reports").status_code == 403
    admin = app.test_client()
    log_in(admin, "keeper@example.com")
    listed = admin.get("/admin/reports").get_data(as_text=True)
    assert "Two of the choices are both right." in listed and ".md:" in listed
    assert 'href="/admin/reports"' in admin.get("/account/").get_data(as_text=True)
    done = admin.post(f"/admin/reports/{report.id}/resolve", follow_redirects=True)
    assert "Report resolved." in done.get_data(as_text=True)
    assert "No open reports." in done.get_data(as_text=True)
    again = admin.post(f"/admin/reports/{report.id}/resolve", follow_redirects=True)
    assert "already resolved" in again.get_data(as_text=True)


def test_only_a_question_of_ones_tracks_can_be_reported(client, app, tmp_path):
    banks.sync(write_bank(tmp_path / "banks"), now=NOW)
    make_user(email="outsider@example.com")
    log_in(client, "outsider@example.com")
    question_id = db.session.scalar(sa.select(Question.id).limit(1))
    assert client.get(f"/study/report/{question_id}").status_code == 404  # not enrolled
    assert (
        client.post(f"/study/report/{question_id}", data={"text": "a real complaint"}).status_code
        == 404
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionReport)) == 0
