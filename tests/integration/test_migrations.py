"""The schema comes from the migrations: they reach head, agree with the models, and go back."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import PROJECT_ROOT
from app.database import render_migration_item
from app.extensions import db
from tests.conftest import app_config
from tests.databases import fresh_database

MIGRATIONS = str(PROJECT_ROOT / "migrations")


def test_upgrade_check_and_downgrade_on_an_empty_database(tmp_path):
    with fresh_database(tmp_path) as url:
        app = create_app(app_config(url))
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection,
                    opts={"compare_type": True, "render_item": render_migration_item},
                )
                diff = compare_metadata(context, db.metadata)
                tables = set(sa.inspect(connection).get_table_names())
            assert diff == [], f"models and migrations disagree: {diff}"
            assert {"users", "api_tokens", "alembic_version"} <= tables

            downgrade(directory=MIGRATIONS, revision="base")
            with db.engine.connect() as connection:
                left = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
            assert left == set()
            db.engine.dispose()
