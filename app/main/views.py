"""The home page and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from app.extensions import db
from app.services import reminders
from app.services.errors import NotFound

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


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> tuple[str, int]:
    """The link in every reminder: no login needed, the token is signed with the secret key."""
    secret = current_app.config["SECRET_KEY"]
    done = False
    try:
        if request.method == "POST":
            reminders.unsubscribe(token, secret=secret)
            done = True
        else:
            reminders.unsubscribe_target(token, secret=secret)
    except NotFound as error:
        return render_template("main/unsubscribe.html", error=error.message), 404
    return render_template("main/unsubscribe.html", token=token, done=done), 200
