"""Report a problem with a question, from the review page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.clock import now
from app.jobs import smtp_settings
from app.services import mail, reports, study
from app.services.errors import ValidationError
from app.study.forms import ReportForm
from app.study.views import bp


@bp.route("/report/<int:question_id>", methods=["GET", "POST"])
@login_required
def report(question_id: int) -> str | Response | tuple[str, int]:
    question = study.get_question(question_id)
    study.home_enrolment(current_user.id, question)  # only a question of the learner's tracks
    form = ReportForm()
    if form.validate_on_submit():
        try:
            _, messages = reports.report_question(
                current_user.id,
                question.id,
                form.text.data or "",
                now=now(),
                admin_emails=current_app.config["ADMIN_EMAILS"],
                base_url=current_app.config["BASE_URL"],
            )
        except ValidationError as error:
            form.text.errors = [error.errors.get("text", error.message)]
        else:
            mail.deliver(messages, smtp_settings(current_app.config), now=now())
            flash("Thank you: your report went to the people who keep the question banks.", "ok")
            track = form.track.data or None
            return redirect(
                url_for("study.review", track=track) if track else url_for("study.review")
            )
    status = 422 if form.errors else 200
    return render_template("study/report.html", form=form, question=question), status
