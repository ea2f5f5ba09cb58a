"""A live quiz in four browsers: a host and three players (a member, and two guests, one on a
phone) join by code, answer by key; one player reloads mid-question and keeps their seat and
answer; the final leaderboard ranks right answers first, then server-measured time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.extensions import db
from app.models import LiveQuiz, Question
from app.services import banks
from tests.factories import NOW, make_user, write_os_bank
from tests.functional.conftest import LAPTOP, PHONE, TIMEOUT_MS, log_in_page


def test_a_host_and_three_players(
    chromium: Any, make_app: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
        make_user(email="hana@example.com", name="Hana")
        make_user(email="mia@example.com", name="Mia")
        db.session.remove()
    base = live_server(app)
    contexts = {
        name: chromium.new_context(viewport=size, locale="en-GB", timezone_id="UTC")
        for name, size in (("host", LAPTOP), ("mia", LAPTOP), ("zed", LAPTOP), ("kim", PHONE))
    }
    pages = {}
    for name, context in contexts.items():
        context.set_default_timeout(2 * TIMEOUT_MS)
        pages[name] = context.new_page()
    host, mia, zed, kim = (pages[n] for n in ("host", "mia", "zed", "kim"))
    try:
        log_in_page(host, base, "hana@example.com")
        host.goto(f"{base}/live/?source=article:process-vs-thread")
        host.get_by_label("Questions", exact=True).fill("2")
        host.get_by_label("Guests may join with a nickname (no account)").check()
        host.locator("#open-lobby").click()
        code = host.locator("#join-code").inner_text().strip()
        assert len(code) == 6

        log_in_page(mia, base, "mia@example.com")
        for page, nickname in ((mia, None), (zed, "Zed"), (kim, "Kim")):
            page.goto(base + "/")
            page.goto(f"{base}/live/join")
            page.get_by_label("Code").fill(code.lower())
            page.locator("#enter-code").click()
            if nickname:
                page.get_by_label("Nickname").fill(nickname)
            page.locator("#take-seat").click()
            expect(page.locator("#waiting")).to_contain_text("You're in")
        expect(host.locator("#lobby-list li")).to_have_count(
            3
        )  # the host's page caught up by polling

        with app.app_context():
            quiz = db.session.query(LiveQuiz).one()
            keys = [db.session.get(Question, q) for q in quiz.question_ids]
            db.session.remove()

        def letter(page: Any, right: bool, question: Question) -> str:
            """The key of the right (or a wrong) choice as this page shows them."""
            buttons = page.locator("#live-answer button")
            values = [int(buttons.nth(i).get_attribute("value")) for i in range(buttons.count())]
            target = question.correct if right else next(v for v in values if v != question.correct)
            return "abcdefghij"[values.index(target)]

        ready = lambda page: expect(page.locator("html[data-live=ready]")).to_have_count(1)  # noqa: E731
        for position, question in enumerate(keys):
            ready(host)
            host.keyboard.press(" ")  # start, or next question
            for page in (mia, zed, kim):
                expect(page.locator("#live-answer")).to_be_visible()
            ready(mia)
            mia.keyboard.press(letter(mia, True, question))
            expect(mia.locator("#answer-state")).to_contain_text("Answer in")
            ready(zed)
            zed.keyboard.press(letter(zed, position == 1, question))
            expect(zed.locator("#answer-state")).to_contain_text("Answer in")
            if position == 0:
                kim.screenshot(path=str(tmp_path / "player-question-phone.png"))
            if position == 0:  # Kim's connection drops: a reload keeps the seat and the question
                kim.reload()
                expect(kim.locator("#you")).to_have_text("Kim")
            ready(kim)
            kim.keyboard.press(letter(kim, True, question))
            expect(kim.locator("#answer-state")).to_contain_text("Answer in")
            if position == 0:
                kim.reload()  # and after answering, the answer stays
                expect(kim.locator("#answer-state")).to_contain_text("Answer in")
            expect(host.locator("#answered")).to_have_text("3")
            ready(host)
            host.keyboard.press(" ")  # show the answer
            expect(host.locator("#live-question .answer")).to_be_visible()
            if position == 0:
                host.screenshot(path=str(tmp_path / "host-reveal.png"), full_page=True)
                expect(kim.locator("#leaderboard")).to_be_visible()
                kim.screenshot(path=str(tmp_path / "player-reveal-phone.png"), full_page=True)
            expect(zed.locator("#answer-state")).to_contain_text(
                "Right" if position == 1 else "Not this one"
            )
        ready(host)
        host.keyboard.press(" ")  # finish
        expect(host.locator("#leaderboard h2")).to_have_text("Final standings")
        board = host.locator("#leaderboard .board li span")
        expect(board).to_have_text(["Mia", "Kim", "Zed"])  # 2 right (faster), 2 right, 1 right
        expect(kim.locator("#my-rank")).to_contain_text("#2")
        host.screenshot(path=str(tmp_path / "host-final.png"), full_page=True)
        width = kim.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the player's page is {width} px wide on a phone"
    finally:
        for context in contexts.values():
            context.close()
