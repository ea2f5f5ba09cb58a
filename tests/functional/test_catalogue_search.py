"""The catalogue at the size of the shipped banks: search, filters, and each track's load."""

from __future__ import annotations

import html
import re

from app.config import PROJECT_ROOT
from app.services import banks
from tests.factories import NOW, bearer, make_token, make_user

BANKS = PROJECT_ROOT / "question_banks"


def found_titles(page: str) -> list[str]:
    listed = page.split('id="articles"', 1)[1]
    return [html.unescape(t) for t in re.findall(r'<a href="/articles/[^"]+">([^<]+)</a>', listed)]


def test_search_filters_and_loads_on_the_page_and_in_the_api(client, app):
    banks.sync(BANKS, now=NOW)
    whole = client.get("/tracks").data.decode()
    assert "Catalogue" in whole and "answers a day" in whole

    # "cache" finds "Caching" too, and a difficulty narrows it.
    cache = found_titles(client.get("/tracks?q=cache").data.decode())
    assert "Caching Strategies" in cache and "Design: Distributed Cache" in cache
    advanced = client.get("/tracks?q=cache&difficulty=advanced").data.decode()
    assert "Caching Strategies" not in found_titles(advanced)
    assert "Design: Distributed Cache" in found_titles(advanced)
    assert "System Design Mastery" in advanced.split('id="articles"')[0]  # its track is listed
    assert "Reading path: Junior Engineer" not in advanced.split('id="articles"')[0]

    series = found_titles(client.get("/tracks?series=advanced-java-mastery").data.decode())
    assert len(series) == 3 and "Java Virtual Threads" in " ".join(series)
    topic = found_titles(client.get("/tracks?topic=postgresql").data.decode())
    assert topic and "Reading a Query Plan Like a Senior" in topic
    nothing = client.get("/tracks?q=zzzunknownzzz").data.decode()
    assert "0 articles found" in nothing and "No track holds" in nothing

    wrong = client.get("/tracks?difficulty=impossible")
    assert wrong.status_code == 422
    assert "Not a valid choice" in wrong.data.decode()

    token = make_token(make_user())
    api = client.get(
        "/api/v1/articles?q=cache&difficulty=advanced", headers=bearer(token)
    ).get_json()
    assert [a["title"] for a in api["articles"]] == found_titles(advanced)
    tracks = client.get("/api/v1/tracks", headers=bearer(token)).get_json()["tracks"]
    junior = next(t for t in tracks if t["key"] == "path-junior-engineer")
    assert junior["question_count"] > 12 * junior["article_count"]
    load = junior["daily_load"]
    assert load["new_per_day"] == 10
    assert load["days_to_start_all"] == -(-junior["question_count"] // 10)
    assert load["peak_answers_per_day"] >= load["answers_per_day"] >= 20
