"""The application factory. It wires extensions, blueprints and handlers, and does nothing else:
no tables, no migrations, no scheduler, no network — every ``rehearse`` command and every
gunicorn worker runs it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config_module.load(Path(app.instance_path), config))
    from app.observability import configure_logging

    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # APScheduler logs every job it adds and every run of every job at INFO (a job runs every
        # 30 s); the jobs log what they did themselves, so its lines are only for debugging.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (registers every table on the metadata)
    from app.database import render_migration_item
    from app.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(config_module.PROJECT_ROOT / "migrations"),
        render_as_batch=True,  # SQLite can only ALTER tables by copying them
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from app.auth.signin import load_user

    login_manager.user_loader(load_user)

    from app.database_events import install_sqlite_pragmas

    install_sqlite_pragmas()


def register_blueprints(app: Flask) -> None:
    from app.account.views import bp as account_bp
    from app.admin.views import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.catalog.views import bp as catalog_bp
    from app.groups import bp as groups_bp
    from app.interop.views import bp as interop_bp
    from app.interview import bp as interview_bp
    from app.live import bp as live_bp
    from app.main.views import bp as main_bp
    from app.stats.views import bp as stats_bp
    from app.study.views import bp as study_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(interview_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(interop_bp)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from app import observability, security_headers
    from app.templating import register

    register(app)
    security_headers.register(app)
    observability.register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
