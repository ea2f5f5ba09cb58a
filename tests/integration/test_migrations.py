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


def test_existing_reviews_get_the_study_day_of_their_learner(tmp_path):
    """Reviews from before the study-day columns are dated by each learner's zone and day start:
    01:30 on 3 March in New York, before a 04:00 day start, belongs to 2 March."""
    from datetime import UTC, date, datetime

    with fresh_database(tmp_path) as url:
        app = create_app(app_config(url))
        with app.app_context():
            upgrade(directory=MIGRATIONS, revision="0008_fair_questions")
            at = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # 01:30 in New York (UTC-5)
            stamp = at.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else at
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO users (id, email, display_name, password_hash, timezone, "
                        "day_start_hour, created_at, session_version) VALUES (1, 'a@b.c', 'A', "
                        "'x', 'America/New_York', 4, :at, 1)"
                    ),
                    {"at": stamp},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO articles (id, key, title, difficulty, source_path, "
                        "body_html, content_hash, created_at, updated_at, tags, aliases) "
                        "VALUES (1, 'a', 'A', 'beginner', 'a.md', '', 'h', :at, :at, '[]', '[]')"
                    ),
                    {"at": stamp},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO questions (id, key, article_id, kind, position, prompt, "
                        "answer, explanation, choices, source_path, source_line, content_hash, "
                        "created_at, updated_at, fixed_order) VALUES (1, 'a:q', 1, "
                        "'self_assessment', 0, 'Q?', 'A.', '', '[]', 'a.md', 1, 'h', :at, :at, "
                        ":no)"
                    ),
                    {"at": stamp, "no": False},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO cards (id, user_id, question_id, state, reps, lapses, "
                        "suspended, leech, version, created_at, last_review) VALUES (1, 1, 1, 2, "
                        "1, 0, :no, :no, 1, :at, :at)"
                    ),
                    {"at": stamp, "no": False},
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO review_logs (id, user_id, card_id, review_id, rating, "
                        "reviewed_at, state_before, state_after, interval_days, before, "
                        "overruled) VALUES (1, 1, 1, 'r', 3, :at, 0, 2, 1.0, '{}', :no)"
                    ),
                    {"at": stamp, "no": False},
                )
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as connection:
                logged = connection.execute(sa.text("SELECT study_date FROM review_logs")).scalar()
                carded = connection.execute(sa.text("SELECT last_day FROM cards")).scalar()
            assert str(logged) == str(carded) == str(date(2026, 3, 2))
            # Adding and dropping a cards column keeps the review log: on SQLite a table copy
            # would drop cards, and the drop's cascade would empty review_logs.
            downgrade(directory=MIGRATIONS, revision="0011_question_reports")
            upgrade(directory=MIGRATIONS)
            with db.engine.connect() as connection:
                kept = connection.execute(sa.text("SELECT count(*) FROM review_logs")).scalar()
            assert kept == 1
            db.engine.dispose()
