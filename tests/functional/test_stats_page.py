"""The stats page and /api/v1/stats over HTTP, and the page in a real browser.

The history is the hand-built one of tests/integration/test_stats.py (New York, day start 04:00,
"now" 2026-03-02 12:00 UTC); the views' clocks are pinned to that instant.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.extensions import db
from app.models import User
from tests.factories import NOW, bearer, log_in, make_token, make_user
from tests.functional.api_client import check
from tests.functional.conftest import log_in_page
from tests.integration.test_stats import World, build_world


@pytest.fixture
def world(app, tmp_path) -> World:
    return build_world(tmp_path)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.stats.views.now", lambda: NOW)
    monkeypatch.setattr("app.api.stats.now", lambda: NOW)


def email_of(user_id: int) -> str:
    user = db.session.get(User, user_id)
    assert user is not None
    return user.email


def rows(html: str, table_id: str) -> list[tuple[str, str]]:
    """(header cell text, data cell text) of each body row of one table."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table #{table_id}"
    found = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td></tr>", table.group(1), re.S)
    return [(re.sub(r"<[^>]+>", "", head).strip(), cell.strip()) for head, cell in found]


def test_the_page_needs_a_login(client, app):
    response = client.get("/stats")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert 'href="/stats"' not in client.get("/").get_data(as_text=True)  # not in the menu


def test_the_page_for_a_learner_without_history(client, app):
    make_user(email="new@example.com", timezone="Europe/Berlin")
    log_in(client, "new@example.com")
    response = client.get("/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<a href="/stats" aria-current="page">Stats</a>' in html
    assert "You are not enrolled in any track yet" in html
    assert '<option value="">All tracks</option>' in html
    assert re.search(r'<svg class="chart heatmap" id="heatmap" role="img" aria-label="', html)
    assert html.count('class="heat-0"') == 365 + 1  # every day, plus the legend's square
    cells = re.findall(r'<rect class="heat-0" x="(\d+)" y="(\d+)"', html)
    assert len({x for x, _ in cells}) == 53 and len({y for _, y in cells}) == 7  # weeks x days
    heat = rows(html, "heatmap-table")
    assert len(heat) == 365 and {count for _, count in heat} == {"0"}
    assert heat[0] == ("Mon 2 Mar 2026", "0")  # newest first; Berlin's 04:00 day is the 2nd
    forecast = rows(html, "forecast-table")
    assert len(forecast) == 30 and forecast[0] == ("Today", "0")
    assert "0 reviews on 0 days" in html
    assert html.count("no reviews") == 2  # young and mature retention
    assert "None yet" in html


def test_the_page_shows_the_history(client, world: World):
    user = db.session.get(User, world.user_id)
    user.streak, user.streak_last_day = 5, NOW.date().replace(day=1)
    db.session.commit()
    log_in(client, email_of(world.user_id))
    html = client.get("/stats").get_data(as_text=True)

    heat = dict(rows(html, "heatmap-table"))
    assert heat["Mon 2 Mar 2026"] == "2"
    assert heat["Sun 1 Mar 2026"] == "2"  # includes the review at 02:00 local on the 2nd
    assert heat["Sat 31 Jan 2026"] == "1"
    assert sum(int(n) for n in heat.values()) == 11
    assert '<rect class="heat-4" x="' in html  # the busiest days are the darkest
    assert 'data-date="2026-03-01" data-count="2"><title>Sun 1 Mar 2026: 2 reviews</title>' in html
    forecast = rows(html, "forecast-table")
    assert forecast[0] == ("Today", "3")
    assert forecast[1] == ("Tue 3 Mar 2026", "1")
    assert forecast[6] == ("Sun 8 Mar 2026", "1")
    assert sum(int(n) for _, n in forecast) == 7

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "5 days Studied on 7 of the last 30 days." in text
    assert "Young 66.7% 2 of 3 Mature 75.0% 3 of 4" in text
    assert "Today 30 s Last 7 days 4 min Last 30 days 7 min All time 7 min" in text
    assert "Reviews, all time 12" in text
    assert "New 1 Learning 1 Review 7 Relearning 1 Suspended 1 Leeches 1" in text

    weakest = re.findall(r'href="/articles/(\w+)#q-(\d+)"', html)
    assert [int(q) for _, q in weakest] == [
        world.cards[n].question_id for n in ("c8", "c3", "c2", "c1", "c9", "c6", "c10")
    ]
    assert weakest[0][0] == "indexes"
    tradeoffs = re.findall(
        r'<strong>([^<]+)</strong><br>\s*<a class="muted" href="/articles/', html
    )
    assert tradeoffs == ["Speed vs Freshness", "Reads vs Writes", "Throughput vs Latency"]


def test_the_track_selector_filters_and_rejects_other_tracks(client, world: World):
    log_in(client, email_of(world.user_id))
    html = client.get("/stats?track=advanced").get_data(as_text=True)
    assert '<option value="advanced" selected>Advanced</option>' in html
    assert '<option value="basics">Basics</option>' in html
    assert '<span class="muted">· Advanced</span>' in html
    assert sum(int(n) for _, n in rows(html, "heatmap-table")) == 5
    assert rows(html, "forecast-table")[0] == ("Today", "0")
    assert re.findall(r'href="/articles/(\w+)#q-', html) == ["indexes"] * 3
    # Each weakest question links to its card in the browser, each trade-off to its cards.
    assert len(re.findall(r'href="/study/cards\?question=\d+"', html)) == 3
    assert 'href="/study/cards?article=indexes&amp;sort=lapses"' in html

    assert client.get("/stats?track=").status_code == 200  # empty means all tracks
    missing = client.get("/stats?track=unused")
    assert missing.status_code == 404
    assert "not enrolled" in missing.get_data(as_text=True)


def test_the_api_returns_the_same_figures(client, world: World):
    user = db.session.get(User, world.user_id)
    token = make_token(user)
    response = client.get("/api/v1/stats", headers=bearer(token))
    assert response.status_code == 200
    body = check(client.application, response, "/stats", "get")
    assert body["today"] == "2026-03-02" and body["track"] is None
    assert body["timezone"] == "America/New_York" and body["day_start_hour"] == 4
    assert {d["date"]: d["reviews"] for d in body["heatmap"] if d["reviews"]} == {
        "2026-03-02": 2,
        "2026-03-01": 2,
        "2026-02-28": 1,
        "2026-02-26": 1,
        "2026-02-24": 1,
        "2026-02-23": 1,
        "2026-02-01": 1,
        "2026-01-31": 1,
        "2025-03-03": 1,
    }
    assert [d["due"] for d in body["forecast"][:9]] == [3, 1, 0, 0, 0, 0, 1, 0, 1]
    assert body["forecast"][29] == {"date": "2026-03-31", "due": 1}
    assert body["retention"]["young"] == {"n": 3, "passed": 2, "rate": pytest.approx(2 / 3)}
    assert body["retention"]["mature"] == {"n": 4, "passed": 3, "rate": 0.75}
    assert body["time_spent_ms"] == {
        "today": 30_000,
        "last_7_days": 260_000,
        "last_30_days": 390_000,
        "all_time": 405_000,
    }
    assert body["cards"] == {
        "new": 1,
        "learning": 1,
        "review": 7,
        "relearning": 1,
        "suspended": 1,
        "leeches": 1,
        "total": 10,
    }
    assert body["total_reviews"] == 12
    assert body["weakest_questions"][0]["article"] == {"key": "indexes", "title": "Indexes"}
    assert body["weakest_questions"][0]["retrievability"] == pytest.approx(0.62716, abs=1e-5)
    assert [t["article"]["key"] for t in body["weakest_tradeoffs"]] == [
        "caching",
        "indexes",
        "queues",
    ]

    basics = check(
        client.application,
        client.get("/api/v1/stats?track=basics", headers=bearer(token)),
        "/stats",
        "get",
    )
    assert basics["track"] == "basics" and basics["total_reviews"] == 6
    assert basics["retention"]["mature"] == {"n": 1, "passed": 1, "rate": 1.0}
    missing = client.get("/api/v1/stats?track=unused", headers=bearer(token))
    check(client.application, missing, "/stats", "get")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/stats").status_code == 401


@pytest.mark.browser
def test_the_page_in_a_browser(
    make_app: Any, live_server: Any, browser_page: Any, world: World, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    email = email_of(world.user_id)
    db.session.remove()  # nothing of the test's may hold a transaction while the server runs
    app = make_app(WTF_CSRF_ENABLED=True)
    base = live_server(app)
    page = browser_page

    log_in_page(page, base, email)
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Stats").click()
    page.wait_for_url(f"{base}/stats")

    heatmap = page.locator("svg#heatmap")
    expect(heatmap).to_be_visible()
    expect(heatmap).to_have_attribute("role", "img")
    assert "11 reviews on 9 days" in (heatmap.get_attribute("aria-label") or "")
    expect(heatmap.locator("rect")).to_have_count(365)
    box = heatmap.bounding_box()
    assert box is not None and box["width"] > 500 and box["height"] > 80
    expect(page.locator("#heatmap-table tbody tr")).to_have_count(365)
    expect(page.locator("#forecast-table tbody tr")).to_have_count(30)
    expect(page.locator("#weakest-questions tbody tr")).to_have_count(7)
    expect(page.locator("#weakest-tradeoffs tbody tr")).to_have_count(3)
    today_bar = page.locator("svg#forecast rect.bar.today")
    bar = today_bar.bounding_box()
    assert bar is not None and bar["height"] > 20  # 3 due today: the tallest bar

    # The table behind a chart opens for everyone.
    page.locator("#forecast + details summary, .chart-card details summary").last.click()
    expect(page.locator("#forecast-table")).to_be_visible()

    path = tmp_path / "stats.png"
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert 30_000 < len(data) < 5_000_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1280 and height > 1200

    page.set_viewport_size({"width": 390, "height": 844})
    phone = tmp_path / "stats-phone.png"
    page.screenshot(path=str(phone), full_page=True)
    assert phone.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The page itself never scrolls sideways on a phone; wide charts scroll in their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
