"""The Anki page in a real browser: upload a package (the page shows the upload's progress), read
the preview, import, and find the deck among one's tracks; on a laptop and on a 360 px phone."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.anki.decks import make_deck
from tests.factories import make_user
from tests.functional.conftest import log_in_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}]
)
def test_import_a_deck_through_the_page(make_app, live_server, browser_page, tmp_path, viewport):
    from playwright.sync_api import expect

    deck = make_deck(tmp_path, "anki21b")
    app = make_app()
    with app.app_context():
        make_user(email="ada@example.com")
        db.session.commit()
        db.session.remove()
    base = live_server(app)
    page = browser_page
    page.set_viewport_size(viewport)
    log_in_page(page, base, "ada@example.com")
    page.goto(f"{base}/anki/")
    width = viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"anki-{width}.png"), full_page=True)
    page.locator("input[type=file]").set_input_files(str(deck.path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#added")).to_have_text("8 new")
    expect(page.locator("#skipped")).to_contain_text("Skipped (1)")
    wide = page.evaluate(
        "w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > w).map(e => e.tagName + '.' + e.className)",
        width,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width, wide
    page.screenshot(path=str(tmp_path / f"anki-preview-{width}.png"), full_page=True)
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash.ok")).to_contain_text("8 questions added")
    expect(page.get_by_role("link", name="Systems \u203a Networking")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"anki-done-{width}.png"), full_page=True)
