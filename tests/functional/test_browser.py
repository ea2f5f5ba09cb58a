"""End to end in a real browser: log in, enrol, and review a whole small queue by keyboard alone;
and on a touch screen, the same page without key hints.

The app runs with CSRF on and fuzz off behind a live server; headless Chromium drives the real
forms and ``review.js``. See ``conftest.py`` for the server and browser fixtures.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.models import Enrolment, Question, ReviewLog
from app.services import banks, study, tokens
from tests.factories import NOW, make_user
from tests.functional.conftest import LAPTOP, PHONE, log_in_page

pytestmark = pytest.mark.browser

ARTICLE = """\
---
key: caching
title: Caching
---
# Caching

## The One Thing to Remember

A cache trades **freshness** for speed on every read.

## Trade-off Analysis

### Write policies

| Aspect | Write-through | Write-back |
|---|---|---|
| Latency | Higher: waits for the store | Low: acknowledged from memory |

## Self-Assessment

- [ ] When is write-back dangerous?
  - When the cache dies before it flushes, acknowledged writes are lost.
- [ ] Why does write-through cost latency?
  - Every write waits for the backing store as well as the cache.

## Questions

### Which policy acknowledges a write before the backing store has it?

- [ ] Write-through
- [x] Write-back
- [ ] Write-around

Explanation: write-back acknowledges from memory and flushes later.
"""

TRACK = """\
key: basics
title: Basics
description: One small article.
level: beginner
articles:
  - caching
"""

LETTERS = "abcdefghij"


def write_small_bank(root: Path) -> Path:
    """One article (one small table, a cloze, two self-assessment items, one authored choice)."""
    (root / "tracks").mkdir(parents=True)
    (root / "01-caching.md").write_text(ARTICLE)
    (root / "tracks" / "basics.yaml").write_text(TRACK)
    return root


def test_review_the_whole_queue_with_the_keyboard(
    browser_page: Any, make_app: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = make_app(WTF_CSRF_ENABLED=True, SCHEDULER_FUZZ=False)
    with app.app_context():
        banks.sync(write_small_bank(tmp_path / "banks"), now=NOW)
        # Keep the study day's boundary (day_start_hour) far from now, so "today" cannot roll over.
        start_hour = (clock.now().hour + 12) % 24
        user = make_user(email="keys@example.com", name="Keys", day_start_hour=start_hour)
        user_id = user.id
        keys = {
            q.id: (q.choices, q.correct, q.cloze_answer)
            for q in db.session.scalars(sa.select(Question))
        }
        db.session.remove()  # nothing of the test's may hold a transaction while the server runs

    base = live_server(app)
    page = browser_page
    progress = page.locator(".progress")
    shot: set[str] = set()

    def shoot(name: str) -> None:
        """The current page on a laptop and on a phone."""
        for size_name, size in (("laptop", LAPTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            path = tmp_path / f"{name}-{size_name}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 0
        page.set_viewport_size(LAPTOP)

    def first_look(mode: str) -> None:
        if mode not in shot:
            shot.add(mode)
            shoot(f"review-{mode}")

    # Log in through the form (CSRF on), then enrol from the track page.
    log_in_page(page, base, "keys@example.com")
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("link", name="Settings")).to_be_visible()

    page.goto(f"{base}/tracks/basics")
    page.get_by_role("button", name="Enrol in this track").click()
    page.wait_for_url(f"{base}/study/")
    expect(page.locator(".flash.ok")).to_contain_text("Enrolled in Basics")

    # No learning steps: every answer graduates the card, so the queue runs out today.
    with app.app_context():
        enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.user_id == user_id))
        assert enrolment is not None
        study.update_preset(
            user_id,
            enrolment.id,
            {"learning_steps": "", "relearning_steps": ""},
            now=clock.now(),
        )
        db.session.remove()

    page.goto(f"{base}/study/review")
    page.wait_for_url(f"{base}/study/review")

    answered = 0  # answers that stand (the undone one is not counted)
    undone_prompt: str | None = None
    wrong_once = False
    for _ in range(20):
        if page.locator("#done").count():
            break
        review = page.locator("section.review")
        expect(review).to_be_visible()
        expect(progress).to_have_attribute("aria-valuenow", str(answered))
        page.wait_for_load_state()  # review.js (deferred) listens for keys once the page loaded
        mode = review.get_attribute("data-mode") or ""
        question_id = int(review.get_attribute("data-question") or 0)
        prompt = page.locator("#prompt").inner_text()
        choices, correct, cloze_answer = keys[question_id]
        first_look(mode)

        if mode == "choice":
            assert correct is not None
            pick = correct if wrong_once else (correct + 1) % len(choices)
            # Choices are shuffled per learner and review: find the key the picked one has now.
            letter = page.locator(f'label.choice:has(input[value="{pick}"])').get_attribute(
                "data-key"
            )
            assert letter and letter in LETTERS
            page.keyboard.press(letter)
            expect(page.locator(f'label.choice[data-key="{letter}"] input')).to_be_checked()
            page.keyboard.press("Space")
            expect(page.locator('section.review[data-mode="result"]')).to_be_visible()
            page.wait_for_load_state()
            first_look("result")
            verdict = page.locator("#verdict")
            if not wrong_once:
                wrong_once = True
                expect(verdict).to_have_class(re.compile(r"\bwrong\b"))
                expect(page.locator("#rating-form button")).to_have_count(1)  # only Again
                page.keyboard.press("1")
            else:
                expect(verdict).to_have_class(re.compile(r"\bright\b"))
                page.keyboard.press("4" if answered % 2 else "Space")
        elif mode == "cloze":
            assert cloze_answer
            expect(page.locator("#response")).to_be_focused()
            page.keyboard.type(cloze_answer)
            page.keyboard.press("Enter")
            expect(page.locator('section.review[data-mode="result"]')).to_be_visible()
            page.wait_for_load_state()
            first_look("result")
            expect(page.locator("#verdict")).to_have_class(re.compile(r"\bright\b"))
            page.keyboard.press("Space")  # the default rating: Good
        else:
            assert mode == "recall", mode
            expect(page.locator("#answer")).to_be_hidden()
            page.keyboard.press("Space")
            expect(page.locator("#answer")).to_be_visible()
            expect(page.locator("#rating-form button[data-default]")).to_be_focused()
            first_look("revealed")
            page.keyboard.press("2" if answered % 2 else "3")

        answered += 1
        expect(progress).to_have_attribute("aria-valuenow", str(answered))

        # Undo once, from a page where "u" is not typed into a text box.
        if undone_prompt is None and not page.locator("#response").count():
            page.wait_for_load_state()
            page.keyboard.press("u")
            expect(page.locator(".flash.ok")).to_contain_text("Undone")
            expect(page.locator("#prompt")).to_have_text(prompt)
            expect(page.locator("section.review")).to_have_attribute(
                "data-question", str(question_id)
            )
            answered -= 1
            expect(progress).to_have_attribute("aria-valuenow", str(answered))
            undone_prompt = prompt
    else:
        pytest.fail("the queue did not run out in 20 answers")

    assert undone_prompt is not None, "never had a chance to undo"
    assert wrong_once, "the bank has no choice question"
    assert {"choice", "cloze", "recall"} <= shot
    assert answered >= 4
    done = page.locator("#done")
    expect(done.get_by_role("heading", name="Done for today")).to_be_visible()
    expect(done.locator("#day-figures")).to_contain_text(f"Today: {answered} answers,")
    expect(done.locator("time[datetime]")).to_be_visible()
    expect(done.locator("time[datetime]")).not_to_have_text("")
    screenshot = tmp_path / "done.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 0

    with app.app_context():
        logs = db.session.scalars(sa.select(ReviewLog).where(ReviewLog.user_id == user_id)).all()
        assert sum(log.undone_at is None for log in logs) == answered
        assert sum(log.undone_at is not None for log in logs) == 1
        db.session.remove()


def test_a_touch_screen_shows_no_key_hints(
    chromium: Any, make_app: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = make_app()
    with app.app_context():
        banks.sync(write_small_bank(tmp_path / "banks"), now=NOW)
        user = make_user(email="touch@example.com")
        study.enrol(user.id, "basics", now=NOW)
        tokens.create_token(user.id, name="a token with a rather long name for a phone", now=NOW)
        db.session.remove()
    base = live_server(app)
    for touch in (True, False):
        context = chromium.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=touch, has_touch=touch
        )
        page = context.new_page()
        log_in_page(page, base, "touch@example.com")
        page.goto(f"{base}/study/review")
        hint = page.locator("kbd").first
        if touch:
            expect(hint).to_be_hidden()
        else:
            expect(hint).to_be_visible()
        for path in ("/study/review", "/study/", "/study/cards", "/stats", "/account/", "/tracks"):
            page.goto(base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} is {width} px wide at 360"
            menu = page.locator("header.site").bounding_box()
            assert menu is not None and menu["height"] <= 120, "the menu wraps past two rows"
        context.close()


def test_keys_bury_suspend_help_and_escape(
    browser_page: Any, make_app: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = make_app()
    with app.app_context():
        banks.sync(write_small_bank(tmp_path / "banks"), now=NOW)
        user = make_user(email="keys2@example.com")
        enrolment = study.enrol(user.id, "basics", now=NOW)
        study.update_preset(user.id, enrolment.id, {"new_per_day": 20}, now=NOW)
        db.session.remove()
    base = live_server(app)
    page = browser_page
    log_in_page(page, base, "keys2@example.com")
    page.goto(f"{base}/study/review")
    page.wait_for_load_state()

    help_list = page.locator("#keys-help")
    expect(page.locator("html[data-keys=ready]")).to_have_count(1)
    if page.locator("#response").count():
        # The answer box takes focus once the page renders; Escape leaves it.
        expect(page.locator("#response")).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.locator("#response")).not_to_be_focused()
    page.keyboard.press("?")
    expect(help_list).to_have_attribute("open", "")
    page.keyboard.press("?")
    expect(help_list).not_to_have_attribute("open", "")

    # Suspend cards with @ until the typed one comes up; there the keys type into the box until
    # Escape leaves it, and then - buries it.
    for _ in range(20):
        if page.locator('section.review[data-mode="cloze"]').count():
            break
        shown = page.locator("section.review").get_attribute("data-question")
        page.keyboard.press("@")
        expect(page.locator(".flash.ok")).to_contain_text("Card suspended")
        page.wait_for_load_state()
        assert page.locator("section.review").get_attribute("data-question") != shown
    box = page.locator("#response")
    box.focus()
    page.keyboard.type("u-@")
    expect(box).to_have_value("u-@")
    page.keyboard.press("Escape")
    expect(box).not_to_be_focused()
    page.keyboard.press("-")
    expect(page.locator(".flash.ok")).to_contain_text("Card buried until tomorrow.")


def test_intervals_undo_stack_summary_and_custom_study_in_a_browser(
    browser_page: Any, make_app: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        banks.sync(write_small_bank(tmp_path / "banks"), now=NOW)
        user = make_user(email="anki@example.com", timezone="Europe/Berlin")
        enrolment = study.enrol(user.id, "basics", now=NOW)
        steps = {"new_per_day": 1, "learning_steps": "", "relearning_steps": ""}
        study.update_preset(user.id, enrolment.id, steps, now=NOW)  # one card, done in one answer
        db.session.remove()
    base = live_server(app)
    page = browser_page
    log_in_page(page, base, "anki@example.com")
    page.goto(f"{base}/study/review")

    # Suspend, then undo: the suspend is taken back, and the page says so (item 2).
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Suspend").click()
    expect(page.locator(".flash.ok")).to_contain_text("Card suspended")
    page.locator("#undo-form button").click()
    expect(page.locator(".flash.ok")).to_contain_text("Undone: suspending the card.")

    # The rating buttons say what each would schedule (item 4).
    if page.locator("label.choice").count():
        page.locator("label.choice").first.click()
        page.locator("#submit-answer").click()
    elif page.locator("#response").count():
        page.locator("#response").fill("something else entirely")
        page.locator("#submit-answer").click()
    else:
        page.locator("#reveal").click()
    first_rating = page.locator("#rating-form button").first
    expect(first_rating.locator("small.interval")).to_have_text(re.compile(r"^(<1m|\d+(m|h|d))$"))
    first_rating.click()

    # The day done: its summary, custom study, and times in the learner's zone (items 3, 5, 6).
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#day-figures")).to_contain_text("Today: 1 answer")
    expect(page.locator("#done time[datetime]")).to_contain_text(re.compile(r"CES?T"))
    expect(page.locator("#review-ahead")).to_be_visible()
    page.locator("#more-new input[type=number]").fill("2")
    page.locator("#more-new").get_by_role("button", name="Add").click()
    expect(page.locator(".flash.ok")).to_contain_text("2 more new cards for today.")
    expect(page.locator("section.review")).to_be_visible()
