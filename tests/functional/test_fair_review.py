"""The review pages as a learner meets them: shuffled choices that stay put on a reload, and
typed answers shown beside what was expected, with "I was right" to overrule the grade."""

from __future__ import annotations

import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.extensions import db
from app.models import ReviewLog
from app.services import banks, study
from tests.factories import NOW, log_in, make_user
from tests.integration.test_bank_sync import write_bank


def page(client, url: str, data: dict[str, str] | None = None) -> BeautifulSoup:
    response = client.post(url, data=data) if data else client.get(url)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.data, "html.parser")


def form_data(form) -> dict[str, str]:
    return {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name") and field.get("type") != "radio"
    }


def shown_choices(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(letter, the choice number the form sends) in the order shown."""
    return [
        (label["data-key"], label.find("input")["value"]) for label in soup.select("label.choice")
    ]


def learner(app, client, tmp_path):
    banks.sync(write_bank(tmp_path / "banks"), now=NOW)
    user = make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    client.post("/study/enrol/basics")
    return user


def test_choices_are_shown_shuffled_the_same_on_reload_and_on_the_result(client, app, tmp_path):
    user = learner(app, client, tmp_path)
    review = page(client, "/study/review")
    question = study.get_question(int(review.find("input", {"name": "question_id"})["value"]))
    shown = shown_choices(review)
    assert [letter for letter, _ in shown] == list("abcd"[: len(question.choices)])
    expected = [str(n) for n, _ in study.presented_choices(user.id, question, 0)]
    assert [number for _, number in shown] == expected
    assert shown_choices(page(client, "/study/review")) == shown  # a reload shows the same order

    wrong = next(n for _, n in shown if n != str(question.correct))
    result = page(
        client, "/study/check", {**form_data(review.find(id="check-form")), "response": wrong}
    )
    rows = result.select("ul.choices.result li")
    # The result lists the choices in the order the learner saw them, marking both answers.
    assert [row.find("kbd").text for row in rows] == [letter for letter, _ in shown]
    position = [n for _, n in shown].index(str(question.correct))
    assert "right" in rows[position]["class"]
    assert "wrong" in rows[[n for _, n in shown].index(wrong)]["class"]
    assert result.find(id="verdict").text.strip() == "Not quite."


def reach_cloze(client) -> BeautifulSoup:
    """Answer choice and recall cards rightly until the review page asks for typed words."""
    for _ in range(20):
        review = page(client, "/study/review")
        mode = review.find("section", class_="review")["data-mode"]
        if mode == "cloze":
            return review
        question = study.get_question(int(review.find("input", {"name": "question_id"})["value"]))
        data = form_data(review.find(id="rating-form") or review.find(id="check-form"))
        data.update(review_id=f"r-{question.id}", rating="3", response=str(question.correct))
        assert client.post("/study/answer", data=data).status_code == 302
    raise AssertionError("no cloze card came up")


def type_into_cloze(client, app, tmp_path, typed: str) -> BeautifulSoup:
    """A new learner reaches the cloze card and checks `typed`: the result page."""
    learner(app, client, tmp_path)
    review = reach_cloze(client)
    return page(
        client, "/study/check", {**form_data(review.find(id="check-form")), "response": typed}
    )


def last_log() -> ReviewLog:
    return db.session.scalars(sa.select(ReviewLog).order_by(ReviewLog.id.desc())).first()


def test_a_near_miss_is_right_and_shows_what_was_typed(client, app, tmp_path):
    result = type_into_cloze(client, app, tmp_path, "freshnes for speed")
    assert result.find(id="verdict").text.strip() == "Right, near enough."
    assert result.find(id="typed-given").text == "freshnes for speed"
    assert result.find(id="typed-expected").text == "freshness for speed"
    assert result.find(id="overrule-form") is None


def test_a_wrong_typed_answer_can_be_overruled_as_right(client, app, tmp_path):
    result = type_into_cloze(client, app, tmp_path, "speed first")
    assert result.find(id="verdict").text.strip() == "Not quite."
    assert result.find(id="typed-given").text == "speed first"
    overrule = result.find(id="overrule-form")
    assert [b.text.split()[0] for b in overrule.find_all("button")] == ["Hard", "Good", "Easy"]
    response = client.post("/study/answer", data={**form_data(overrule), "rating": "3"})
    assert response.status_code == 302
    log = last_log()
    assert (log.rating, log.correct, log.overruled, log.answer) == (3, True, True, "speed first")


def test_without_overruling_a_wrong_typed_answer_is_again(client, app, tmp_path):
    result = type_into_cloze(client, app, tmp_path, "speed first")
    again = result.find(id="rating-form")
    assert client.post("/study/answer", data={**form_data(again), "rating": "1"}).status_code == 302
    log = last_log()
    assert (log.rating, log.correct, log.overruled) == (1, False, False)
