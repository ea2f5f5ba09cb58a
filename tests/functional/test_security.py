"""CSRF, rate limits and API tokens."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import ApiToken
from tests.conftest import count
from tests.factories import NOW, PASSWORD, bearer, log_in, make_token, make_user


def test_csrf_is_enforced_when_enabled(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        make_user(email="ada@example.com")
    forged = client.post("/auth/login", data={"email": "ada@example.com", "password": "x"})
    assert forged.status_code == 400
    assert b"The form expired or was sent from another site" in forged.data
    page = client.get("/auth/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    from tests.factories import PASSWORD

    ok = client.post(
        "/auth/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 302


def test_login_is_rate_limited_per_ip(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_IP="3 per minute")
    client = app.test_client()
    statuses = [
        client.post("/auth/login", data={"email": f"u{i}@example.com", "password": "x"}).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert b"Too many attempts" in client.post("/auth/login", data={"email": "z@x.io"}).data


def test_the_owner_gets_in_from_another_address_while_one_address_is_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT="3 per minute")
    with app.app_context():
        from app.extensions import db

        make_user(email="owner@example.com")
        db.session.commit()
    client = app.test_client()
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    statuses = [
        client.post(
            "/auth/login",
            data={"email": "owner@example.com", "password": "guess"},
            environ_base=attacker,
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    owner = app.test_client().post(
        "/auth/login",
        data={"email": "owner@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.2"},
    )
    assert owner.status_code == 302  # signed in


def test_login_is_rate_limited_per_account_across_ips(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ACCOUNT_ALL="2 per minute")
    client = app.test_client()
    statuses = []
    for i in range(3):
        response = client.post(
            "/auth/login",
            data={"email": "target@example.com", "password": "guess"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]
    other = client.post(
        "/auth/login",
        data={"email": "someone-else@example.com", "password": "guess"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 200


def test_up_keeps_in_memory_limits_exact_with_one_worker():
    from app.cli import web_workers

    assert web_workers(2, "memory://")[0] == 1
    assert "set REDIS_URL" in web_workers(4, "memory://")[1]
    assert web_workers(4, "redis://127.0.0.1:6379")[0] == 4


def test_registration_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTER_IP="1 per hour")
    client = app.test_client()
    assert client.post("/auth/register", data={"email": "x"}).status_code == 200
    assert client.post("/auth/register", data={"email": "y"}).status_code == 429
    assert client.get("/auth/register").status_code == 200  # reading the form is never limited


def test_token_is_shown_once_and_stored_as_a_hash(client, app):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    response = client.post("/account/tokens", data={"name": "laptop"})
    assert response.status_code == 201
    secret = re.search(r'id="token-secret">([^<]+)<', response.data.decode()).group(1)
    token = db.session.scalars(db.select(ApiToken)).one()
    assert secret not in (token.token_hash, token.prefix)
    assert secret.startswith(token.prefix)
    settings = client.get("/account/").data.decode()
    assert secret not in settings and token.prefix in settings
    me = client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    assert me.get_json()["email"] == "ada@example.com"


def test_token_needs_a_name(client, app):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")
    response = client.post("/account/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert count(ApiToken) == 0


def test_revoked_token_is_refused(client, app):
    user = make_user(email="ada@example.com")
    secret = make_token(user)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    log_in(client, "ada@example.com")
    token_id = db.session.scalars(db.select(ApiToken.id)).one()
    assert client.post("/account/tokens/revoke", data={"token_id": token_id}).status_code == 302
    refused = client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(refused.get_json()["error"]) == {"code", "message", "details"}


def test_api_refuses_missing_malformed_and_cookie_auth(client, app):
    make_user(email="ada@example.com")
    log_in(client, "ada@example.com")  # a browser session is not an API credential
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me", headers=bearer("rh_forged")).status_code == 401


def test_a_user_cannot_revoke_or_use_another_users_token(client, app):
    ada = make_user(email="ada@example.com")
    bob = make_user(email="bob@example.com")
    bob_secret = make_token(bob)
    bob_token_id = db.session.scalars(
        db.select(ApiToken.id).where(ApiToken.user_id == bob.id)
    ).one()
    log_in(client, "ada@example.com")
    response = client.post(
        "/account/tokens/revoke", data={"token_id": bob_token_id}, follow_redirects=True
    )
    assert b"That token does not exist." in response.data
    assert client.get("/api/v1/me", headers=bearer(bob_secret)).get_json()["id"] == bob.id
    assert ada.id != bob.id
    settings = client.get("/account/").data.decode()
    assert bob_secret[:10] not in settings


def test_token_last_used_is_recorded(app, client):
    user = make_user()
    secret = make_token(user)
    client.get("/api/v1/me", headers=bearer(secret))
    token = db.session.scalars(db.select(ApiToken)).one()
    assert token.last_used_at is not None and token.last_used_at > NOW
