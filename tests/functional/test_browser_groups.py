"""A reading group in three browsers at once: the owner starts a group and a quiz, two members
join by the invite link (one on a phone) and answer, the owner closes the quiz and reads the
report that is the agenda for the discussion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import GroupQuiz, Question
from app.services import banks
from tests.factories import NOW, make_user, write_os_bank
from tests.functional.conftest import LAPTOP, PHONE, TIMEOUT_MS, log_in_page


def test_three_people_run_a_reading_group_quiz(
    chromium: Any, make_app: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
        for email, name in (
            ("olga@example.com", "Olga"),
            ("ann@example.com", "Ann"),
            ("ben@example.com", "Ben"),
        ):
            make_user(email=email, name=name)
        db.session.remove()
    base = live_server(app)
    contexts = {
        name: chromium.new_context(viewport=size, locale="en-GB", timezone_id="Europe/Berlin")
        for name, size in (("olga", LAPTOP), ("ann", LAPTOP), ("ben", PHONE))
    }
    pages = {}
    for name, context in contexts.items():
        context.set_default_timeout(2 * TIMEOUT_MS)
        pages[name] = context.new_page()
        log_in_page(pages[name], base, f"{name}@example.com")
    olga, ann, ben = pages["olga"], pages["ann"], pages["ben"]
    try:
        # The owner starts the group and makes an invite link and a quiz.
        olga.goto(f"{base}/groups/")
        olga.get_by_label("Name").fill("Backend book club")
        olga.get_by_label("Track").select_option("os")
        olga.get_by_label("at").fill("09:00")
        olga.get_by_label("Time zone").fill("Europe/Berlin")
        olga.locator("#create-group").click()
        expect(olga.locator("#this-week")).to_contain_text("Process vs Thread")
        olga.locator("#make-invite").click()
        link = olga.locator(".invite-link").first.input_value()
        assert "/groups/join/" in link
        olga.locator("#new-quiz").click()
        expect(olga.locator("#quiz-new")).to_contain_text("Process vs Thread")
        olga.locator("#create-quiz").click()
        expect(olga.locator("#quiz-form")).to_be_visible()
        quiz_url = olga.url

        # Two members join by the link and answer: Ann all right, Ben (on a phone) all wrong.
        with app.app_context():
            quiz = db.session.scalars(sa.select(GroupQuiz)).one()
            keys = {
                q.id: (q.correct, len(q.choices))
                for q in db.session.scalars(
                    sa.select(Question).where(Question.id.in_(quiz.question_ids))
                )
            }
            db.session.remove()
        for page, right in ((ann, True), (ben, False)):
            page.goto(link)
            page.locator("#join-button").click()
            expect(page.locator("#this-week")).to_be_visible()
            page.goto(quiz_url)
            for question_id, (correct, count) in keys.items():
                choice = correct if right else (correct + 1) % count
                page.locator(f'input[name="q{question_id}"][value="{choice}"]').check()
            page.locator("#submit-quiz").click()
            expect(page.locator("#quiz-waiting")).to_contain_text("Your answers are in")
        width = ben.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the quiz page is {width} px wide on a phone"

        # Ann shares her answers; Ben keeps his private (the default).
        ann.goto(quiz_url.split("/quizzes/")[0] + "/settings")
        ann.get_by_label("Others see my quiz answers and score").check()
        ann.get_by_role("button", name="Save").click()

        # The owner closes the quiz, reads the results and the report.
        olga.goto(quiz_url)
        olga.locator("#close-quiz").click()
        results = olga.locator("#results")
        expect(results).to_contain_text(f"Ann: {len(keys)} of {len(keys)}")
        expect(results).not_to_contain_text("Ben")
        expect(results).to_contain_text("1 member keeps their answers private")
        olga.goto(quiz_url.split("/quizzes/")[0] + "/report")
        agenda = olga.locator("#agenda")
        expect(agenda).to_contain_text("50% wrong")  # Ann right, Ben wrong on every trade-off
        expect(agenda).to_contain_text("Crash impact (Process vs Thread)")  # a table row
        expect(olga.locator("#this-week-missed article")).to_have_count(min(len(keys), 10))
        olga.screenshot(path=str(tmp_path / "report-laptop.png"), full_page=True)
        ben.goto(quiz_url.split("/quizzes/")[0] + "/report")
        expect(ben.locator("#agenda")).to_be_visible()
        width = ben.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the report is {width} px wide on a phone"
    finally:
        for context in contexts.values():
            context.close()
