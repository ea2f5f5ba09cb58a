"""The factory wires and nothing else; configuration layers in the documented order."""

from __future__ import annotations

import threading

import pytest

from app import create_app
from app.config import DEFAULT_SECRET_KEY, ConfigError


def test_factory_creates_no_database_and_starts_no_threads(tmp_path):
    threads_before = set(threading.enumerate())
    db_file = tmp_path / "untouched.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "ENV_NAME": "testing"})
    assert app.config["TESTING"] is True
    assert not db_file.exists()
    started = set(threading.enumerate()) - threads_before
    # The in-memory rate-limit store expires its counters on a timer; nothing else may run.
    assert all(isinstance(thread, threading.Timer) for thread in started), started


def test_environment_then_test_dict(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/prod")
    monkeypatch.setenv("REHEARSE_BANKS_PATH", "/srv/banks")
    app = create_app({"ENV_NAME": "testing", "REHEARSE": 1})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/prod"
    assert app.config["BANKS_PATH"] == "/srv/banks"
    app = create_app({"ENV_NAME": "testing", "BANKS_PATH": str(tmp_path)})
    assert app.config["BANKS_PATH"] == str(tmp_path)


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.setenv("REHEARSE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    assert (
        create_app({"SECRET_KEY": "long-random-production-key"}).config["SECRET_KEY"]
        != DEFAULT_SECRET_KEY
    )


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("REHEARSE_ENV", "staging")
    with pytest.raises(ConfigError, match="REHEARSE_ENV='staging'"):
        create_app()


def test_a_bad_number_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("SMTP_PORT", "twenty-five")
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        create_app({"ENV_NAME": "testing"})


def test_pooled_connections_are_checked_before_use_only_when_asked(monkeypatch):
    monkeypatch.delenv("REHEARSE_DB_PRE_PING", raising=False)
    options = create_app({"ENV_NAME": "testing"}).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": False, "pool_recycle": 1800}
    monkeypatch.setenv("REHEARSE_DB_PRE_PING", "true")
    options = create_app({"ENV_NAME": "testing"}).config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    # An explicit engine option wins over the environment.
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
