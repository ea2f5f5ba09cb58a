"""Every kind of response carries the security headers; a page that shows a secret is not
cached; HSTS only over HTTPS; and in a real browser no page breaks the Content-Security-Policy."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.security_headers import CONTENT_SECURITY_POLICY
from tests.factories import bearer, log_in, make_token, make_user
from tests.functional.conftest import log_in_page

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_secured(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_every_kind_of_response_carries_the_headers(client, app):
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    user = make_user(email="ada@example.com")
    token = make_token(user)
    pages = [
        client.get("/"),
        client.get("/auth/login"),
        client.get("/static/css/app.css"),
        client.get("/no-such-page"),
        client.get("/api/v1/tracks"),  # 401, JSON
        client.get("/api/v1/tracks", headers=bearer(token)),
        client.get("/api/v1/openapi.json"),
    ]
    log_in(client, "ada@example.com")
    pages += [client.get("/study/"), client.get("/account/"), client.get("/anki/")]
    for response in pages:
        assert_secured(response)
    assert (
        "Cache-Control" not in client.get("/study/").headers
        or "no-store" not in (client.get("/study/").headers["Cache-Control"])
    )


def test_the_page_that_shows_a_new_token_is_not_stored(client, app):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    created = client.post("/account/tokens", data={"name": "laptop"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    assert_secured(created)


def test_hsts_only_over_https(client, app):
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.browser
def test_no_page_breaks_the_content_security_policy(make_app, live_server, browser_page, tmp_path):
    from app.services import banks, study
    from tests.factories import NOW, write_os_bank

    app = make_app()
    with app.app_context():
        banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
        user = make_user(email="csp@example.com")
        study.enrol(user.id, "os", now=NOW)
        db.session.commit()
        db.session.remove()
    base = live_server(app)
    page = browser_page
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    log_in_page(page, base, "csp@example.com")
    for path in (
        "/", "/study/", "/study/review", "/study/cards", "/stats", "/tracks", "/tracks/os",
        "/articles/process-vs-thread", "/account/", "/interview/", "/groups/", "/live/", "/anki/",
    ):  # fmt: skip
        page.goto(base + path)
        page.wait_for_load_state("load")
    assert refused == []
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0
