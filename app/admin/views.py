"""The administrators' pages: learners' reports of problems with questions."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.clock import now
from app.services import reports
from app.services.errors import Conflict

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_template_global()
def is_admin() -> bool:
    """Whether the signed-in user is one of the instance's administrators (for links)."""
    email = current_user.email if current_user.is_authenticated else None
    return reports.is_admin(email, current_app.config["ADMIN_EMAILS"])


@bp.get("/reports")
@login_required
def report_list() -> str:
    open_ones = reports.open_reports(current_user.email, current_app.config["ADMIN_EMAILS"])
    return render_template("admin/reports.html", reports=open_ones, form=FlaskForm())


@bp.post("/reports/<int:report_id>/resolve")
@login_required
def resolve(report_id: int) -> Response:
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            reports.resolve(
                report_id,
                email=current_user.email,
                admin_emails=current_app.config["ADMIN_EMAILS"],
                now=now(),
            )
        except Conflict as error:
            flash(error.message, "info")
        else:
            flash("Report resolved.", "ok")
    return redirect(url_for("admin.report_list"))
