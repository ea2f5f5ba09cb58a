"""The card browser over HTTP: the page and its form, the API against its document, and the page
on a phone in a real browser."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Question, User
from app.services import banks, study
from tests.factories import NOW, log_in, make_token, make_user
from tests.functional.api_client import Api
from tests.functional.conftest import log_in_page
from tests.integration.test_bank_sync import write_bank


@pytest.fixture
def learner(app, tmp_path) -> int:
    banks.sync(write_bank(tmp_path / "banks"), now=NOW)
    user = make_user(email="cards@example.com", timezone="Europe/Berlin")
    study.enrol(user.id, "basics", now=NOW)
    db.session.commit()
    return user.id


def question_ids() -> list[int]:
    return list(db.session.scalars(sa.select(Question.id).order_by(Question.id)))


def shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="card" id="card-(\d+)">', html)]


def test_find_suspend_and_bring_back_a_card_from_the_page(client, learner):
    log_in(client, "cards@example.com")
    page = client.get("/study/cards")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    everything = shown(html)
    assert sorted(everything) == question_ids()
    assert f"{len(everything)} cards" in html
    assert shown(client.get("/study/cards?state=suspended").get_data(as_text=True)) == []

    picked = everything[:2]
    done = client.post(
        "/study/cards",
        data={
            "question_ids": [str(q) for q in picked],
            "action": "suspend",
            "back_to": "/study/cards?state=suspended",
        },
    )
    assert done.status_code == 302 and done.headers["Location"] == "/study/cards?state=suspended"
    suspended = client.get("/study/cards?state=suspended").get_data(as_text=True)
    assert sorted(shown(suspended)) == sorted(picked)
    assert "2 cards suspended." in suspended

    client.post("/study/cards", data={"question_ids": [str(picked[0])], "action": "unsuspend"})
    assert shown(client.get("/study/cards?state=suspended").get_data(as_text=True)) == [picked[1]]
    undone = client.post(
        "/study/undo", data={"back_to": "/study/cards?state=suspended"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Undone: unsuspending the card." in undone  # and back to the browser
    assert sorted(shown(undone)) == sorted(picked)
    client.post("/study/undo")  # the suspend of both, too
    assert shown(client.get("/study/cards?state=suspended").get_data(as_text=True)) == []
    client.post("/study/cards", data={"question_ids": [str(picked[1])], "action": "suspend"})

    # Nothing ticked, an unknown action, an off-site return address: nothing changes.
    assert client.post("/study/cards", data={"action": "suspend"}).status_code == 302
    assert (
        client.post("/study/cards", data={"question_ids": "1", "action": "drop"}).status_code == 302
    )
    off_site = client.post(
        "/study/cards",
        data={"question_ids": [str(picked[1])], "action": "unsuspend", "back_to": "//evil.test/"},
    )
    assert off_site.headers["Location"] == "/study/cards"


def test_a_wrong_search_says_what_is_wrong_and_a_page_links_the_next(client, learner):
    log_in(client, "cards@example.com")
    bad = client.get("/study/cards?due_by=tomorrow")
    assert bad.status_code == 422
    assert "Not a valid date value" in bad.get_data(as_text=True)
    assert client.get("/study/cards?track=nope").status_code == 422  # not a choice on offer
    assert client.get("/study/cards?after=garbage").status_code == 422
    assert client.get("/study/cards?min_lapses=99999999999999999999").status_code == 422

    ids = question_ids()
    assert shown(client.get(f"/study/cards?question={ids[3]}").get_data(as_text=True)) == [ids[3]]
    caching = shown(client.get("/study/cards?article=caching").get_data(as_text=True))
    questions = db.session.scalars(sa.select(Question).where(Question.id.in_(caching))).all()
    assert caching and {q.article.key for q in questions} == {"caching"}

    first = client.get("/study/cards?sort=article").get_data(as_text=True)
    assert 'rel="next"' not in first  # a bank this small fits on one page
    assert len(shown(first)) == len(question_ids())


def test_the_api_lists_pages_and_changes_a_selection(client, learner):
    user = db.session.get(User, learner)
    assert user is not None
    api = Api(client, make_token(user))
    ids = question_ids()
    walked: list[int] = []
    after = None
    while True:
        query = {"limit": "2", "sort": "article", **({"after": after} if after else {})}
        page = api.get("/cards", query=query, expect=200)
        walked += [c["question_id"] for c in page["cards"]]
        assert page["total"] == len(ids)
        after = page["after"]
        if after is None:
            break
    assert sorted(walked) == ids and len(walked) == len(set(walked))

    changed = api.post(
        "/cards/{action}", action="suspend", body={"question_ids": ids[:2]}, expect=200
    )
    assert [c["suspended"] for c in changed["cards"]] == [True, True]
    listed = api.get("/cards", query={"state": "suspended"}, expect=200)
    assert sorted(c["question_id"] for c in listed["cards"]) == ids[:2]
    assert api.get("/cards", query={"q": "nothing like this anywhere"}, expect=200)["total"] == 0

    api.post("/cards/{action}", action="bury", body={"question_ids": [2**31 - 1]}, expect=404)
    api.post("/cards/{action}", action="bury", body={"question_ids": []}, expect=422)
    api.get("/cards", query={"after": "garbage"}, expect=422)
    api.get("/cards", query={"state": "lost"}, expect=422)
    api.get("/cards", query={"track": "nope"}, expect=404)
    back = api.post(
        "/study/cards/{question_id}/{action}", question_id=ids[0], action="unsuspend", expect=200
    )
    assert back["suspended"] is False


@pytest.mark.browser
def test_the_browser_page_fits_a_phone(make_app, live_server, browser_page, tmp_path):
    from playwright.sync_api import expect

    app = make_app()
    with app.app_context():
        banks.sync(write_bank(tmp_path / "banks"), now=NOW)
        user = make_user(email="phone@example.com")
        study.enrol(user.id, "basics", now=NOW)
        study.suspend(user.id, question_ids()[0], now=NOW)
        db.session.commit()
        db.session.remove()
    base = live_server(app)
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    log_in_page(page, base, "phone@example.com")
    page.goto(f"{base}/study/cards?state=suspended")
    expect(page.locator("#found")).to_contain_text("1 card")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("ul.browsed .pick").first.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    page.screenshot(path=str(tmp_path / "cards-phone.png"), full_page=True)
    page.locator("ul.browsed .pick").first.click()
    page.get_by_role("button", name="Unsuspend").click()
    expect(page.locator(".flash.ok")).to_contain_text("1 card back in your reviews")
    expect(page.locator("#found")).to_contain_text("0 cards")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/study/cards")
    page.screenshot(path=str(tmp_path / "cards-laptop.png"), full_page=True)
