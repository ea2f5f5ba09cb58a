"""Sessions that end: logging out revokes the session and its remember-me cookie on the server,
"sign out everywhere" ends every sign-in, and the settings page lists them with their last use."""

from __future__ import annotations

import re

import pytest

from app import create_app
from tests.factories import PASSWORD, log_in, make_user


def copy_cookie(source, target, name: str) -> None:
    cookie = source.get_cookie(name)
    assert cookie is not None, name
    target.set_cookie(name, cookie.value)


def opens_account(client) -> bool:
    return client.get("/account/").status_code == 200


def test_a_copied_session_cookie_stops_working_at_logout(app, client):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    thief = app.test_client()
    copy_cookie(client, thief, "session")
    assert opens_account(thief)
    client.post("/auth/logout")
    assert not opens_account(client)
    assert not opens_account(thief)


def test_a_copied_remember_me_cookie_stops_working_at_logout(app, client):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com", remember="y")
    thief = app.test_client()
    copy_cookie(client, thief, "remember_token")  # no session: the remember-me cookie alone
    assert opens_account(thief)
    client.post("/auth/logout")
    fresh = app.test_client()
    copy_cookie(thief, fresh, "remember_token")
    assert not opens_account(fresh)


def test_sign_out_everywhere_and_the_list_of_sign_ins(app, client):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com", remember="y")
    phone = app.test_client()
    phone.post(
        "/auth/login",
        data={"email": "ada@example.com", "password": PASSWORD},
        headers={"User-Agent": "Phone browser 1.0"},
    )
    page = client.get("/account/").data.decode()
    assert "Where you are signed in" in page
    assert page.count("Sign out</button>") == 2 and "Phone browser 1.0" in page
    assert "this browser" in page
    # End the phone's sign-in from the laptop.
    phone_row = re.search(r'action="/account/sessions/(\d+)/end"', page.split("Phone browser")[1])
    assert phone_row is not None
    client.post(f"/account/sessions/{phone_row.group(1)}/end")
    assert not opens_account(phone) and opens_account(client)
    # Sign in again on the phone, then sign out everywhere from the laptop.
    phone.post("/auth/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert opens_account(phone)
    done = client.post("/account/sessions/end-all")
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")
    assert not opens_account(phone) and not opens_account(client)


def test_a_password_change_ends_the_other_sign_ins_and_keeps_this_one(app, client):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    other = app.test_client()
    log_in(other, "ada@example.com")
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long passphrase here",
            "confirm": "a new long passphrase here",
        },
    )
    assert changed.status_code == 302
    assert opens_account(client) and not opens_account(other)
    assert client.get("/account/").data.decode().count("Sign out</button>") == 1


@pytest.mark.browser
def test_in_a_browser_cookies_copied_before_logout_do_not_sign_in(
    make_app, live_server, browser_page, chromium
):
    from app.extensions import db
    from tests.functional.conftest import LAPTOP, log_in_page

    app = make_app()
    with app.app_context():
        make_user(email="ada@example.com")
        db.session.commit()
        db.session.remove()
    base = live_server(app)
    page = browser_page
    log_in_page(page, base, "ada@example.com")
    cookies = page.context.cookies()
    page.goto(f"{base}/account/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{base}/")
    stolen = chromium.new_context(viewport=LAPTOP)
    try:
        stolen.add_cookies(cookies)
        other = stolen.new_page()
        other.goto(f"{base}/account/")
        assert "/auth/login" in other.url
    finally:
        stolen.close()


def test_the_app_factory_still_builds(tmp_path):
    assert create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
