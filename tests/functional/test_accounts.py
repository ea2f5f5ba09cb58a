"""Registration, login, logout, settings and account deletion through HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, User
from app.services import tokens
from tests.conftest import count
from tests.factories import PASSWORD, bearer, log_in, make_token, make_user


def register(client, **fields):
    data = {
        "email": "grace@example.com",
        "display_name": "Grace",
        "password": "a good password",
        "confirm": "a good password",
    }
    data.update(fields)
    return client.post("/auth/register", data=data)


def test_register_logs_in_and_stores_a_hashed_password(client):
    response = register(client)
    assert response.status_code == 302
    assert response.location == "/account/"
    user = db.session.scalar(sa.select(User).where(User.email == "grace@example.com"))
    assert user is not None
    assert user.password_hash.startswith("scrypt:")
    assert "a good password" not in user.password_hash
    assert client.get("/account/").status_code == 200


def test_register_rejects_short_password_with_a_clear_message(client):
    response = register(client, password="short", confirm="short")
    assert response.status_code == 200
    assert b"Use at least 8 characters." in response.data
    assert count(User) == 0


def test_register_rejects_duplicate_email_case_insensitively(client, app):
    make_user(email="grace@example.com")
    response = register(client, email="Grace@Example.com")
    assert b"An account with this email already exists." in response.data
    assert count(User) == 1


def test_register_rejects_mismatched_confirmation_and_bad_email(client):
    response = register(client, email="not-an-email", confirm="something else")
    assert b"The passwords do not match." in response.data
    assert b"Invalid email address." in response.data
    assert count(User) == 0


def test_login_and_logout(client, app):
    user = make_user(email="ada@example.com")
    response = log_in(client, "ADA@example.com")
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert user.display_name.encode() in client.get("/").data
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/account/").status_code == 302


def test_failed_login_says_the_same_for_unknown_email_and_wrong_password(client, app):
    make_user(email="ada@example.com")
    wrong_password = log_in(client, "ada@example.com", "not the password")
    unknown_email = log_in(client, "nobody@example.com", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = b"That email and password do not match an account."
    assert message in wrong_password.data and message in unknown_email.data
    assert client.get("/account/").status_code == 302


def test_remember_me_sets_a_httponly_samesite_cookie(client, app):
    make_user(email="ada@example.com")
    response = log_in(client, "ada@example.com", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    session = [c for c in cookies if c.startswith("session=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    assert session and "HttpOnly" in session[0] and "SameSite=Lax" in session[0]
    assert "Secure" not in session[0]  # served over plain HTTP in development


def test_production_cookies_are_secure(make_app):
    app = make_app(ENV_NAME="production", SECRET_KEY="a-real-secret-for-this-test")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_next_is_followed_on_site_and_refused_off_site(client, app):
    make_user(email="ada@example.com")
    ok = log_in(client, "ada@example.com", next="/account/")
    assert ok.location == "/account/"
    client.post("/auth/logout")
    for evil in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        response = log_in(client, "ada@example.com", next=evil)
        assert response.status_code == 302
        assert response.location == "/", evil
        client.post("/auth/logout")


def test_login_page_drops_an_off_site_next_from_the_query(client):
    page = client.get("/auth/login?next=https://evil.example/").data.decode()
    assert "evil.example" not in page
    page = client.get("/auth/login?next=/account/").data.decode()
    assert 'value="/account/"' in page


def test_profile_settings_validate_time_zone_and_hour(client, app):
    user = make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    bad = client.post(
        "/account/profile",
        data={"display_name": "Ada", "timezone": "Mars/Olympus", "day_start_hour": "4"},
    )
    assert bad.status_code == 422
    assert b"is not an IANA time zone" in bad.data
    good = client.post(
        "/account/profile",
        data={"display_name": "Ada L.", "timezone": "America/New_York", "day_start_hour": "6"},
    )
    assert good.status_code == 302
    db.session.refresh(user)
    assert (user.timezone, user.day_start_hour, user.display_name) == (
        "America/New_York",
        6,
        "Ada L.",
    )


def test_new_users_start_their_day_at_4_am_utc(app):
    user = make_user()
    assert (user.timezone, user.day_start_hour) == ("UTC", 4)


def test_change_password_signs_out_other_sessions(app):
    make_user(email="ada@example.com")
    first, second = app.test_client(), app.test_client()
    log_in(first, "ada@example.com")
    log_in(second, "ada@example.com")
    wrong = first.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "new password!",
            "confirm": "new password!",
        },
    )
    assert b"That is not your current password." in wrong.data
    response = first.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "new password!",
            "confirm": "new password!",
        },
    )
    assert response.status_code == 302
    assert first.get("/account/").status_code == 200
    assert second.get("/account/").status_code == 302
    third = app.test_client()
    assert log_in(third, "ada@example.com", PASSWORD).status_code == 200
    assert log_in(third, "ada@example.com", "new password!").status_code == 302


def test_delete_account_removes_the_user_and_their_data(client, app):
    user = make_user(email="ada@example.com")
    other = make_user(email="bob@example.com")
    make_token(user)
    make_token(other)
    log_in(client, "ada@example.com")
    refused = client.post("/account/delete", data={"password": "wrong password"})
    assert refused.status_code == 422
    assert count(User) == 2
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == "ada@example.com")) is None
    assert db.session.scalars(sa.select(ApiToken.user_id)).all() == [other.id]
    assert client.get("/account/").status_code == 302


def test_html_errors_are_pages_and_api_errors_are_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert b"Page not found" in page.data
    api = client.get("/api/v1/no-such-thing", headers=bearer("rh_nothing"))
    assert api.status_code == 404
    assert api.mimetype == "application/json"
    assert api.get_json()["error"]["code"] == "not_found"
    unauthorized = client.get("/api/v1/me")
    assert unauthorized.get_json()["error"]["code"] == "unauthorized"


def test_unexpected_errors_render_a_page_without_a_traceback(make_app):
    app = make_app()

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"secret internals" not in response.data
    assert b"Traceback" not in response.data
    assert b"Something went wrong" in response.data


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert re.fullmatch(r"sqlite|postgresql", body["database"]["dialect"])


def test_times_are_shown_in_the_learners_own_zone(client, app):
    berlin = make_user(email="berlin@example.com", timezone="Europe/Berlin")
    tokens.create_token(berlin.id, name="laptop", now=datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
    log_in(client, "berlin@example.com")
    html = client.get("/account/").get_data(as_text=True)
    assert "2026-01-15 10:30 CET" in html  # winter: UTC+1
    assert "09:30" not in html and " UTC" not in html
    nav = html.split("</nav>")[0]
    assert ">Settings</a>" in nav and 'aria-current="page"' in nav
