"""The home page and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from app.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    return render_template("main/index.html", user=current_user)


@bp.get("/healthz")
def healthz() -> tuple[object, int]:
    """Liveness and database reachability, for load balancers and the instance command."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = {"status": "ok", "dialect": db.engine.dialect.name}
        ok = True
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        database = {"status": "error", "error": type(error).__name__}
        ok = False
    body = {"status": "ok" if ok else "degraded", "database": database}
    return jsonify(body), 200 if ok else 503
