"""Configuration: defaults, then environment variables, then the mapping a caller passes.

Every setting a deployment may change is read from an environment variable here and nowhere else,
so the README's configuration table can list them all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"
ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """The configuration cannot run: the message says which setting and why."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None


def defaults(instance_path: Path) -> dict[str, Any]:
    """Settings that work on a laptop with nothing configured."""
    return {
        "ENV_NAME": "development",
        "SECRET_KEY": DEFAULT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'rehearse.db'}",
        # Checking each pooled connection before use costs a round trip on every request (about
        # 1 ms on PostgreSQL). Without it, a database restart fails the requests in flight once,
        # and the pool then replaces every older connection; answers are safe to resend (their
        # review id makes them idempotent). Turn it on behind a proxy that drops idle connections.
        "DB_PRE_PING": False,
        "DB_POOL_RECYCLE": 1800,
        "BANKS_PATH": str(PROJECT_ROOT / "question_banks"),
        # The largest request body, uploads included (an Anki package): refused before it is read.
        "MAX_CONTENT_LENGTH": 100 * 1024 * 1024,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN_IP": "20 per minute; 200 per hour",
        # Failed logins at one account from one address; and from every address together, a
        # looser cap, so a flood from one address never locks the owner out elsewhere.
        "RATELIMIT_LOGIN_ACCOUNT": "5 per minute; 30 per hour",
        "RATELIMIT_LOGIN_ACCOUNT_ALL": "100 per hour",
        # A reading group may sign up from one office address together.
        "RATELIMIT_REGISTER_IP": "50 per hour; 200 per day",
        # Joining a group by invite code, per signed-in account: codes cannot be guessed at speed.
        "RATELIMIT_JOIN": "10 per minute; 50 per hour",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": False,
        "TRUST_PROXY": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "SCHEDULER_FUZZ": True,
        "FIT_MIN_REVIEWS": 3000,
        "SMTP_HOST": "",
        "SMTP_PORT": 587,
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": True,
        "MAIL_FROM": "Rehearse <rehearse@localhost>",
        "BASE_URL": "http://127.0.0.1:5000",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",  # or "json": one JSON object per line
        "METRICS_TOKEN": "",  # /metrics from anywhere but loopback needs it
        "SCHEDULER_METRICS_PORT": 0,  # the scheduler process serves its job metrics here
        # Who reads learners' reports of bad questions (the reports page, and mail).
        "ADMIN_EMAILS": (),
    }


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read the environment variables documented in the README."""
    found: dict[str, Any] = {}
    plain = {
        "SECRET_KEY": "SECRET_KEY",
        "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
        "REHEARSE_BANKS_PATH": "BANKS_PATH",
        "SMTP_HOST": "SMTP_HOST",
        "SMTP_USERNAME": "SMTP_USERNAME",
        "SMTP_PASSWORD": "SMTP_PASSWORD",
        "MAIL_FROM": "MAIL_FROM",
        "REHEARSE_BASE_URL": "BASE_URL",
        "REHEARSE_LOG_LEVEL": "LOG_LEVEL",
        "REHEARSE_LOG_FORMAT": "LOG_FORMAT",
        "REHEARSE_METRICS_TOKEN": "METRICS_TOKEN",
    }
    for env_name, key in plain.items():
        if environ.get(env_name):
            found[key] = environ[env_name]
    if environ.get("REHEARSE_ENV"):
        found["ENV_NAME"] = environ["REHEARSE_ENV"]
    if environ.get("REDIS_URL"):
        found["RATELIMIT_STORAGE_URI"] = environ["REDIS_URL"]
    if environ.get("REHEARSE_SCHEDULER_METRICS_PORT"):
        found["SCHEDULER_METRICS_PORT"] = _int(
            "REHEARSE_SCHEDULER_METRICS_PORT", environ["REHEARSE_SCHEDULER_METRICS_PORT"]
        )
    if environ.get("REHEARSE_FIT_MIN_REVIEWS"):
        found["FIT_MIN_REVIEWS"] = _int(
            "REHEARSE_FIT_MIN_REVIEWS", environ["REHEARSE_FIT_MIN_REVIEWS"]
        )
    if environ.get("REHEARSE_ADMIN_EMAILS"):
        found["ADMIN_EMAILS"] = tuple(
            address.strip().lower()
            for address in environ["REHEARSE_ADMIN_EMAILS"].split(",")
            if address.strip()
        )
    if environ.get("SMTP_PORT"):
        found["SMTP_PORT"] = _int("SMTP_PORT", environ["SMTP_PORT"])
    for env_name, key in {
        "SMTP_STARTTLS": "SMTP_STARTTLS",
        "REHEARSE_TRUST_PROXY": "TRUST_PROXY",
        "REHEARSE_RATELIMIT": "RATELIMIT_ENABLED",
        "REHEARSE_DB_PRE_PING": "DB_PRE_PING",
    }.items():
        if environ.get(env_name):
            found[key] = _bool(environ[env_name])
    if environ.get("REHEARSE_SECURE_COOKIES"):
        secure = _bool(environ["REHEARSE_SECURE_COOKIES"])
        found["SESSION_COOKIE_SECURE"] = found["REMEMBER_COOKIE_SECURE"] = secure
    return found


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out (``postgres://``); use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load(instance_path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge defaults, environment and overrides, then check the result can run."""
    overrides = dict(overrides or {})
    config = defaults(instance_path)
    config.update(from_environment(os.environ))
    env_name = overrides.get("ENV_NAME", config["ENV_NAME"])
    if env_name == "production" and "REHEARSE_SECURE_COOKIES" not in os.environ:
        # Production is served over HTTPS, so cookies must never travel in clear text.
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True
    config.update(overrides)
    if env_name not in ENVIRONMENTS:
        raise ConfigError(f"REHEARSE_ENV={env_name!r}: choose one of {', '.join(ENVIRONMENTS)}")
    if env_name == "production" and config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise ConfigError(
            "SECRET_KEY is the built-in development key: set SECRET_KEY to a long random "
            "value before running in production"
        )
    if env_name == "testing":
        config["TESTING"] = True
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    engine_options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    engine_options.setdefault("pool_pre_ping", bool(config["DB_PRE_PING"]))
    engine_options.setdefault("pool_recycle", int(config["DB_POOL_RECYCLE"]))
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    return config
