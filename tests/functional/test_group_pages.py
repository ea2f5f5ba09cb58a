"""The reading group pages through their plain forms: start a group, invite, join, make a quiz,
answer it, close it, read the results and the report, and download both as CSV."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.models import GroupInvite, GroupQuiz, Question
from app.services import banks
from app.services.groups import quizzes
from tests.factories import NOW, log_in, make_user, write_os_bank


def test_a_group_from_start_to_report(app: Any, client: Any, tmp_path: Path) -> None:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    make_user(email="olga@example.com", name="Olga")
    make_user(email="ann@example.com", name="Ann")

    log_in(client, "olga@example.com")
    assert client.get("/groups/").status_code == 200
    refused = client.post(
        "/groups/",
        data={
            "name": "Club",
            "track": "os",
            "week_day": "0",
            "week_time": "09:00",
            "timezone": "Mars/Base",
        },
    )
    assert refused.status_code == 422
    assert b"not a time zone" in refused.data
    created = client.post(
        "/groups/",
        data={
            "name": "Book club",
            "track": "os",
            "week_day": "0",
            "week_time": "09:00",
            "timezone": "Europe/Berlin",
        },
    )
    assert created.status_code == 302
    group_url = created.headers["Location"]
    page = client.get(group_url).data.decode()
    assert "Process vs Thread" in page and "Coming weeks" in page
    client.post(f"{group_url}/invites", data={"days": "7"})
    code = db.session.scalars(sa.select(GroupInvite.code)).one()
    deadline = (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.get(f"{group_url}/quizzes/new").status_code == 200
    none_picked = client.post(f"{group_url}/quizzes/new", data={"deadline": deadline})
    assert none_picked.status_code == 422 and b"Pick 1 to 30 questions" in none_picked.data
    article = db.session.scalar(sa.select(Question.article_id).where(Question.kind == "table_side"))
    picked = [q.id for q in quizzes.quiz_questions(article)][:4]
    made = client.post(f"{group_url}/quizzes/new", data={"deadline": deadline, "questions": picked})
    assert made.status_code == 302
    quiz_url = made.headers["Location"]
    client.post("/auth/logout")

    log_in(client, "ann@example.com")
    assert client.get(group_url).status_code == 404  # not a member yet
    join_page = client.get(f"/groups/join/{code}")
    assert join_page.status_code == 200 and b"Join Book club" in join_page.data
    assert client.post(f"/groups/join/{code}").status_code == 302
    assert client.get(f"{group_url}/quizzes/new").status_code == 403  # members do not make quizzes
    quiz = db.session.scalars(sa.select(GroupQuiz)).one()
    questions = [db.session.get(Question, q) for q in quiz.question_ids]
    partial = client.post(quiz_url, data={f"q{questions[0].id}": str(questions[0].correct)})
    assert partial.status_code == 422 and b"Answer question 2" in partial.data
    answers = {f"q{q.id}": str(q.correct) for q in questions}
    assert client.post(quiz_url, data=answers).status_code == 302
    assert b"Your answers are in" in client.get(quiz_url).data
    client.post(f"{group_url}/settings", data={"shows_progress": "y", "shows_answers": "y"})
    client.post("/auth/logout")

    log_in(client, "olga@example.com")
    assert client.post(f"{quiz_url}/close").status_code == 302
    results = client.get(quiz_url).data.decode()
    assert re.search(r"Ann: <strong>(\d+)</strong> of (\d+)", results)
    assert (
        client.get(f"{quiz_url}/results.csv").data.decode().startswith("part,name,right,answered")
    )
    report = client.get(f"{group_url}/report")
    assert report.status_code == 200 and b"Nothing was missed" in report.data
    assert client.get(f"{group_url}/report.csv").headers["Content-Type"].startswith("text/csv")
