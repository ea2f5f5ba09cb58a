"""The review pages as plain forms: enrol, review, check, rate, undo, bury, suspend, presets."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Card, Enrolment, ReviewLog
from app.services import banks, study
from tests.factories import NOW, log_in, make_user
from tests.integration.test_bank_sync import write_bank


def setup_learner(app, client, tmp_path, email="ada@example.com"):
    banks.sync(write_bank(tmp_path / "banks"), now=NOW)
    user = make_user(email=email)
    log_in(client, email)
    return user


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def test_enrol_from_the_track_page_and_see_the_overview(client, app, tmp_path):
    setup_learner(app, client, tmp_path)
    track = client.get("/tracks/basics").data.decode()
    assert 'id="enrol"' in track
    response = client.post("/study/enrol/basics")
    assert response.status_code == 302
    overview = client.get("/study/").data.decode()
    assert "Basics" in overview and 'id="study-all"' in overview
    assert "Study this track" in client.get("/tracks/basics").data.decode()


def test_review_a_choice_question_through_check_and_rating(client, app, tmp_path):
    setup_learner(app, client, tmp_path)
    client.post("/study/enrol/basics")
    page = client.get("/study/review").data.decode()
    assert 'data-mode="choice"' in page
    question_id = int(hidden(page, "question_id"))
    question = study.get_question(question_id)
    wrong = next(i for i in range(len(question.choices)) if i != question.correct)
    result = client.post(
        "/study/check",
        data={"question_id": question_id, "version": 0, "response": str(wrong), "shown_at": "1"},
    ).data.decode()
    assert "Not quite" in result
    assert 'value="1"' in result and "Again" in result and ">\n      Good" not in result
    # Each button says what it would schedule: Again on a new card repeats the first step.
    assert re.findall(r'<small class="interval">([^<]+)</small>', result) == ["1m"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog)) == 0
    review_id = hidden(result, "review_id")
    response = client.post(
        "/study/answer",
        data={
            "review_id": review_id,
            "question_id": question_id,
            "version": 0,
            "rating": 4,  # asks for Easy, but a wrong answer is Again
            "response": str(wrong),
        },
    )
    assert response.status_code == 302
    log = db.session.scalars(sa.select(ReviewLog)).one()
    assert (log.rating, log.correct) == (1, False)
    again = client.post(
        "/study/answer",
        data={
            "review_id": review_id,
            "question_id": question_id,
            "version": 0,
            "rating": 1,
            "response": str(wrong),
        },
    )
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog)) == 1


def test_recall_reveal_works_without_javascript(client, app, tmp_path):
    user = setup_learner(app, client, tmp_path)
    enrolment = study.enrol(user.id, "basics", now=NOW)
    study.update_preset(user.id, enrolment.id, {"new_per_day": 50}, now=NOW)
    # Answer every choice and cloze question so a recall card comes up.
    for _ in range(40):
        page = client.get("/study/review").data.decode()
        if 'data-mode="recall"' in page:
            break
        question = study.get_question(int(hidden(page, "question_id")))
        response = str(question.correct) if question.choices else question.cloze_answer
        result = client.post(
            "/study/check",
            data={
                "question_id": question.id,
                "version": hidden(page, "version"),
                "response": response,
            },
        ).data.decode()
        client.post(
            "/study/answer",
            data={
                "review_id": hidden(result, "review_id"),
                "question_id": question.id,
                "version": hidden(result, "version"),
                "rating": 3,
                "response": response,
            },
        )
    assert 'data-mode="recall"' in page
    assert 'id="answer" hidden' in page
    revealed = client.get("/study/review?reveal=1").data.decode()
    assert 'id="answer" hidden' not in revealed
    assert "How well did you recall it?" in revealed
    again, hard, good, easy = re.findall(r'<small class="interval">([^<]+)</small>', revealed)
    assert (again, good) == ("1m", "10m")  # the learning steps
    assert hard.endswith("m") and easy.endswith("d")  # between the steps; graduated


def test_undo_bury_and_suspend(client, app, tmp_path):
    user = setup_learner(app, client, tmp_path)
    client.post("/study/enrol/basics")
    page = client.get("/study/review").data.decode()
    first = int(hidden(page, "question_id"))
    question = study.get_question(first)
    result = client.post(
        "/study/check",
        data={"question_id": first, "version": 0, "response": str(question.correct)},
    ).data.decode()
    client.post(
        "/study/answer",
        data={
            "review_id": hidden(result, "review_id"),
            "question_id": first,
            "version": 0,
            "rating": 3,
            "response": str(question.correct),
        },
    )
    assert client.post("/study/undo").status_code == 302
    log = db.session.scalars(sa.select(ReviewLog)).one()
    assert log.undone_at is not None
    assert int(hidden(client.get("/study/review").data.decode(), "question_id")) == first
    client.post("/study/bury", data={"question_id": first})
    assert int(hidden(client.get("/study/review").data.decode(), "question_id")) != first
    client.post("/study/suspend", data={"question_id": first})
    card = db.session.scalar(
        sa.select(Card).where(Card.user_id == user.id, Card.question_id == first)
    )
    assert card.suspended is True
    # Undo takes back the suspend, then the bury, each saying so; the answer was undone already.
    undone = client.post("/study/undo", follow_redirects=True).data.decode()
    assert "Undone: suspending the card. It is back as before." in undone
    db.session.expire_all()
    assert card.suspended is False
    assert "Undone: burying the card." in client.post("/study/undo", follow_redirects=True).text
    assert int(hidden(client.get("/study/review").data.decode(), "question_id")) == first
    assert b"There is nothing to undo" in client.post("/study/undo", follow_redirects=True).data


def test_done_page_shows_the_next_due_time(client, app, tmp_path):
    user = setup_learner(app, client, tmp_path)
    enrolment = study.enrol(user.id, "basics", now=NOW)
    study.update_preset(user.id, enrolment.id, {"new_per_day": 0}, now=NOW)
    response = client.get("/study/review")
    assert response.status_code == 302 and response.location.startswith("/study/done")
    assert b"Done for today" in client.get("/study/done").data


def test_preset_page_validates_and_saves(client, app, tmp_path):
    user = setup_learner(app, client, tmp_path)
    enrolment = study.enrol(user.id, "basics", now=NOW)
    url = f"/study/enrolments/{enrolment.id}/preset"
    fields = {
        "desired_retention": "0.5",
        "new_per_day": "10",
        "max_reviews_per_day": "200",
        "learning_steps": "1m 5x",
        "relearning_steps": "10m",
        "maximum_interval": "36500",
        "leech_threshold": "8",
        "leech_suspend": "y",
    }
    bad = client.post(url, data=fields)
    assert bad.status_code == 422
    text = bad.data.decode()
    assert "0.70" in text and "is not a step" in text
    fields.update(desired_retention="0.85", learning_steps="2m 15m")
    assert client.post(url, data=fields).status_code == 302
    db.session.expire_all()
    row = study.current_preset_row(db.session.get(Enrolment, enrolment.id))
    assert (row.desired_retention, row.learning_steps) == (0.85, "2m 15m")


def test_another_learners_enrolment_and_cards_are_out_of_reach(client, app, tmp_path):
    setup_learner(app, client, tmp_path)
    other = make_user(email="bob@example.com")
    theirs = study.enrol(other.id, "basics", now=NOW)
    assert client.get(f"/study/enrolments/{theirs.id}/preset").status_code == 404
    assert client.post(f"/study/enrolments/{theirs.id}/leave").status_code == 404
    assert client.post(f"/study/enrolments/{theirs.id}/refit").status_code == 404
    assert db.session.get(Enrolment, theirs.id) is not None


def test_study_pages_need_a_login(client):
    for url in ("/study/", "/study/review", "/study/leeches", "/study/done"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/login" in response.location


def test_done_is_not_said_while_a_learning_card_comes_back_today(
    client, app, tmp_path, monkeypatch
):
    user = setup_learner(app, client, tmp_path)
    enrolment = study.enrol(user.id, "basics", now=NOW)
    # A step longer than the 20 minutes a learning card may be shown early.
    study.update_preset(
        user.id, enrolment.id, {"new_per_day": 1, "learning_steps": "1m 30m"}, now=NOW
    )
    monkeypatch.setattr("app.study.views.now", lambda: NOW)
    page = client.get("/study/review").data.decode()
    # Good on a new card: the 30-minute learning step.
    question = study.get_question(_answer_page(client, page, right=True, rating=3))
    done = client.get("/study/done").data.decode()
    assert "Nothing due right now" in done and "Done for today" not in done
    assert "in 30 minutes" in done
    assert '<meta http-equiv="refresh" content="1800;url=/study/review">' in done

    monkeypatch.setattr("app.study.views.now", lambda: NOW + timedelta(minutes=31))
    assert client.get("/study/done").location == "/study/review"  # the card is due again
    assert f'value="{question.id}"' in client.get("/study/review").data.decode()


def test_the_done_page_sums_up_the_day_and_lists_the_misses(client, app, tmp_path, monkeypatch):
    user = setup_learner(app, client, tmp_path)
    enrolment = study.enrol(user.id, "basics", now=NOW)
    study.update_preset(
        user.id, enrolment.id, {"new_per_day": 2, "learning_steps": ""}, now=NOW
    )  # no steps: every answer graduates, so two answers finish the day
    monkeypatch.setattr("app.study.views.now", lambda: NOW)
    shown_at = int(NOW.timestamp() * 1000) - 90_000  # each answer took 90 seconds
    page = client.get("/study/review").data.decode()
    missed = study.get_question(_answer_page(client, page, right=False, shown_at=shown_at))
    page = client.get("/study/review").data.decode()
    _answer_page(client, page, right=True, shown_at=shown_at)
    assert missed is not None
    done = client.get("/study/done").data.decode()
    assert "Done for today" in done, re.search(r"<h1>(.*?)</h1>", done).group(1)
    figures = re.sub(r"\s+", " ", re.search(r'<p id="day-figures">(.*?)</p>', done, re.S).group(1))
    assert re.sub(r"<[^>]+>", "", figures) == "Today: 2 answers, 1 right (50%), in 3 minutes."
    misses = re.search(r'<ul class="misses".*?</ul>', done, re.S).group(0)
    assert f'href="/articles/{missed.article.key}"' in misses and misses.count("<li>") == 1


def test_study_more_new_cards_today_from_the_done_page(client, app, tmp_path, monkeypatch):
    user = setup_learner(app, client, tmp_path)
    enrolment = study.enrol(user.id, "basics", now=NOW)
    study.update_preset(user.id, enrolment.id, {"new_per_day": 1, "learning_steps": ""}, now=NOW)
    monkeypatch.setattr("app.study.views.now", lambda: NOW)

    def answer_shown() -> int:
        page = client.get("/study/review").data.decode()
        return _answer_page(client, page, right=True, rating=4)

    first = answer_shown()
    done = client.get("/study/done").data.decode()
    assert "Done for today" in done and 'id="more-new"' in done
    added = client.post(
        "/study/more", data={"count": "2", "enrolment": str(enrolment.id)}, follow_redirects=True
    )
    assert "2 more new cards for today." in added.data.decode()
    shown = {answer_shown(), answer_shown()}
    assert first not in shown and len(shown) == 2
    assert client.get("/study/review").location.startswith("/study/done")  # the limit again
    refused = client.post(
        "/study/more", data={"count": "0", "enrolment": str(enrolment.id)}, follow_redirects=True
    )
    assert "Could not add new cards" in refused.data.decode()


def _answer_page(
    client, page: str, *, right: bool, rating: int = 3, shown_at: int | None = None
) -> int:
    """Answer the card a review page shows, through its own forms; its question id."""
    question = study.get_question(int(hidden(page, "question_id")))
    custom = hidden(page, "custom")
    if question.choices:
        wrong = (question.correct + 1) % len(question.choices)
        response = str(question.correct if right else wrong)
    elif question.cloze_answer and 'data-mode="cloze"' in page:
        response = question.cloze_answer if right else "something else entirely"
    else:
        response = ""
    client.post(
        "/study/answer",
        data={
            "review_id": uuid.uuid4().hex,
            "question_id": question.id,
            "version": hidden(page, "version"),
            "rating": rating if right else 1,
            "response": response,
            "custom": custom,
            "shown_at": shown_at or "",
        },
    )
    return question.id


def test_custom_sessions_review_ahead_and_go_over_todays_misses(client, app, tmp_path, monkeypatch):
    user = setup_learner(app, client, tmp_path)
    enrolment = study.enrol(user.id, "basics", now=NOW)
    study.update_preset(user.id, enrolment.id, {"new_per_day": 3, "learning_steps": ""}, now=NOW)
    monkeypatch.setattr("app.study.views.now", lambda: NOW)
    missed = None
    for number in range(3):
        page = client.get("/study/review").data.decode()
        if number == 0:
            missed = _answer_page(client, page, right=False)
        else:
            _answer_page(client, page, right=True)
    done = client.get("/study/done").data.decode()
    assert 'id="review-ahead"' in done and 'id="review-forgotten"' in done

    # Today's misses: the missed card, until it is answered right.
    page = client.get("/study/review?custom=forgotten").data.decode()
    assert "forgotten cards</strong> · 1 left" in page
    assert int(hidden(page, "question_id")) == missed
    assert hidden(page, "custom") == "forgotten"
    _answer_page(client, page, right=True)
    finished = client.get("/study/review?custom=forgotten", follow_redirects=True).data.decode()
    assert "forgotten cards: nothing left." in finished

    # Review ahead: cards answered yesterday fall due within the week; each is shown once, early.
    yesterday = NOW - timedelta(days=1)
    monkeypatch.setattr("app.study.views.now", lambda: yesterday)
    study.update_preset(user.id, enrolment.id, {"new_per_day": 6}, now=yesterday)
    for _ in range(2):
        _answer_page(client, client.get("/study/review").data.decode(), right=True, rating=3)
    monkeypatch.setattr("app.study.views.now", lambda: NOW)
    page = client.get("/study/review?custom=ahead-7").data.decode()
    assert "Reviewing ahead: cards due in the next 7 days</strong> · 2 left" in page
    seen = []
    for _ in range(4):
        response = client.get("/study/review?custom=ahead-7")
        if response.status_code == 302:
            break
        seen.append(_answer_page(client, response.data.decode(), right=True, rating=3))
    assert len(seen) == len(set(seen)) == 2 and response.status_code == 302
    unknown = client.get("/study/review?custom=nonsense", follow_redirects=True).data.decode()
    assert 'class="custom-session"' not in unknown  # no such session: today's queue
