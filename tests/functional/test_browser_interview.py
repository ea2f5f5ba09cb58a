"""Interview prep in a real browser, by keyboard: a whole 60-second rapid-fire round (the server's
clock jumped forward to its last seconds, so the page's own timer ends it), a mock interview from
the prompt to a ticked rubric and its score, and the drill of its missed points."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.models import MockInterview, RapidRound
from app.services import banks, study
from tests.factories import NOW, make_user, write_os_bank
from tests.functional.conftest import PHONE, log_in_page


def test_a_rapid_fire_round_and_a_mock_interview_by_keyboard(
    browser_page: Any, make_app: Any, live_server: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from playwright.sync_api import expect

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
        user = make_user(email="cand@example.com")
        study.enrol(user.id, "os", now=NOW)
        user_id = user.id
        db.session.remove()
    skew = [timedelta(0)]

    def skewed() -> datetime:
        return clock.now() + skew[0]

    monkeypatch.setattr("app.interview.rapid_views.now", skewed)
    base = live_server(app)
    page = browser_page
    log_in_page(page, base, "cand@example.com")

    # The prep page offers today's drill; Enter starts it, and it answers by the review keys.
    page.goto(f"{base}/interview/")
    expect(page.locator("#suggested")).to_contain_text("Today's drill")
    expect(page.locator("#start-suggested")).to_be_focused()  # autofocus lands after load
    page.keyboard.press("Enter")
    expect(page.locator("section.drill")).to_be_visible()
    expect(page.locator("#drill-position")).to_contain_text("1 of 10")

    # Rapid-fire: 60 seconds, started and answered by keyboard alone.
    page.goto(f"{base}/interview/rapid/?scope=track:os")
    expect(page.locator("#start-round")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#timer")).to_be_visible()
    keys_ready = page.locator("html[data-keys=ready]")
    for answered in range(1, 6):
        expect(keys_ready).to_have_count(1)  # the page's script listens before a key is pressed
        page.keyboard.press("a")
        expect(page.locator(".rapid-bar")).to_contain_text(f"right of {answered}")
    # The server's clock jumps to the round's last two seconds: the page counts down from what
    # the server says is left and, at zero, shows the results.
    skew[0] = timedelta(seconds=58)
    page.reload()
    left = float(page.locator("#timer").get_attribute("data-seconds") or "99")
    assert left <= 3
    expect(page.locator("#rapid-results")).to_be_visible(timeout=6_000)
    with app.app_context():
        row = db.session.scalars(sa.select(RapidRound).where(RapidRound.user_id == user_id)).one()
        assert row.answered == 5 and 0 <= row.correct <= 5
        assert all(a.ms >= 0 for a in row.answers)
        db.session.remove()
    expect(page.locator("#round-score")).to_contain_text(f"{row.correct} right of 5 in 60 s")
    expect(page.locator("#personal-best")).to_be_visible()
    page.locator("#share").click()
    link = page.locator("#share-url").get_attribute("href")
    assert link
    page.goto(link)
    expect(page.locator("#shared-round")).to_contain_text(f"{row.correct} right of 5")

    # A mock interview on a phone: prompt, timer, Space to score, 1 and 3 to tick, Enter.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/interview/mock/")
    page.get_by_label("3 minutes").check()
    page.locator("#start-mock").click()
    expect(page.locator("#mock-prompt")).to_contain_text("Process and Thread")
    expect(page.locator("#timer")).to_contain_text(re.compile(r"^[23]:\d\d$"))
    expect(keys_ready).to_have_count(1)
    page.keyboard.press(" ")
    expect(page.locator("#rubric-form")).to_be_visible()
    expect(keys_ready).to_have_count(1)
    points = page.locator(".rubric-point").count()
    assert points >= 10
    page.keyboard.press("1")
    page.keyboard.press("3")
    expect(page.locator(".rubric-point input:checked")).to_have_count(2)
    page.keyboard.press("Enter")
    expect(page.locator("#mock-score")).to_contain_text(f"2 of {points} points covered")
    expect(page.locator("#missed-points li")).to_have_count(points - 2)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the score page is {width} px wide on a phone"
    with app.app_context():
        mock = db.session.scalars(sa.select(MockInterview)).one()
        assert mock.covered == [0, 2] and mock.minutes == 3
        db.session.remove()
    page.locator("#drill-missed").click()
    expect(page.locator("section.drill")).to_be_visible()
    expect(page.locator(".drill-head")).to_contain_text("missed mock-interview points")
