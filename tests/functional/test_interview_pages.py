"""The interview prep pages without a browser: forms that refuse bad input where it was given,
a drill answered through its plain forms to its results, and pages of other learners out of
reach."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Drill, Question
from app.services import banks, study
from tests.factories import NOW, log_in, make_user, write_os_bank


def _setup(tmp_path: Path) -> int:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    user = make_user(email="cand@example.com")
    study.enrol(user.id, "os", now=NOW)
    make_user(email="other@example.com")
    return user.id


def test_a_drill_through_its_forms(app: Any, client: Any, tmp_path: Path) -> None:
    _setup(tmp_path)
    log_in(client, "cand@example.com")
    page = client.get("/interview/")
    assert page.status_code == 200
    assert b"drill" in page.data and b">OS<" in page.data

    refused = client.post("/interview/drills/new", data={"count": "0", "order": "weakest"})
    assert refused.status_code == 422
    assert b"Number must be between 1 and 100" in refused.data
    refused = client.post(
        "/interview/drills/new", data={"count": "5", "order": "weakest", "missed_today": "y"}
    )
    assert refused.status_code == 422 and b"No questions match missed today" in refused.data

    started = client.post(
        "/interview/drills/new",
        data={"count": "4", "order": "track", "articles": ["process-vs-thread"]},
    )
    assert started.status_code == 302
    drill_url = started.headers["Location"]
    drill = db.session.scalars(sa.select(Drill)).one()
    for position, question_id in enumerate(drill.question_ids):
        question = db.session.get(Question, question_id)
        assert question is not None
        shown = client.get(drill_url)
        assert shown.status_code == 200 and f"{position + 1} of 4".encode() in shown.data
        data: dict[str, str] = {"position": str(position)}
        if question.correct is not None:
            data["response"] = str(question.correct)
        elif question.cloze_answer:
            data["response"] = "wrong words"
        else:
            data["rating"] = "1"
        answered = client.post(f"{drill_url}/answer", data=data)
        assert answered.status_code == 302
    results = client.get(f"{drill_url}/results")
    assert results.status_code == 200
    score = re.search(rb"<strong>(\d)</strong> right of 4", results.data)
    assert score is not None
    again = client.post(f"{drill_url}/again", data={})
    assert again.status_code == 302 and again.headers["Location"] != drill_url

    # Another learner gets a 404 for every page of this drill.
    client.post("/auth/logout")
    log_in(client, "other@example.com")
    for url in (drill_url, f"{drill_url}/results"):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"{drill_url}/answer", data={"position": "0", "rating": "3"}).status_code == 404
    )


def test_rapid_and_mock_forms_refuse_what_cannot_start(
    app: Any, client: Any, tmp_path: Path
) -> None:
    _setup(tmp_path)
    log_in(client, "cand@example.com")
    refused = client.post("/interview/rapid/", data={"scope": "track:nope", "seconds": "60"})
    assert refused.status_code == 422 and b"No scope" in refused.data
    refused = client.post("/interview/rapid/", data={"scope": "all", "seconds": "90"})
    assert refused.status_code == 422 and b"Not a valid choice" in refused.data
    refused = client.post("/interview/mock/", data={"article": "nope", "minutes": "4"})
    assert refused.status_code == 422 and b"No article" in refused.data
    assert client.get("/interview/shared/not-a-code").status_code == 404
