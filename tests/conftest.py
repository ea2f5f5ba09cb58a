"""Fixtures shared by the integration and functional tests: ``app``, ``client``, ``runner``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from tests.databases import fresh_database


def app_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_FUZZ": False,
        "LOG_LEVEL": "WARNING",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the run, brought to the latest schema by the migrations themselves."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        app = create_app(app_config(url))
        with app.app_context():
            from flask_migrate import upgrade

            from app.config import PROJECT_ROOT
            from app.extensions import db

            upgrade(directory=str(PROJECT_ROOT / "migrations"))
            db.engine.dispose()
        yield url


def _empty_all_tables(app: Flask) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs every request in its own app context, as a real server does.

    Tests keep an app context open to call services directly; without this, requests would share
    that context's ``g`` (and Flask-Login's cached user) and its database session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def make_app(database_url: str) -> Iterator[Any]:
    """Build an app on the run's database with extra settings; tables are emptied afterwards."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(app_config(database_url, **overrides))
        app.test_client_class = IsolatedClient
        made.append(app)
        return app

    yield build
    for app in made:
        _empty_all_tables(app)


@pytest.fixture
def app(make_app: Any) -> Iterator[Flask]:
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path


def count(model: Any) -> int:
    from app.extensions import db

    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
