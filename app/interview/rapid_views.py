"""Rapid-fire pages: pick a scope and a length, answer against the server's clock, see the score
and personal bests, share a round."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.clock import now
from app.forms import PlainForm, show_errors
from app.interview import bp
from app.interview.forms import RapidAnswerForm, RapidForm
from app.services import catalog, study
from app.services.errors import ValidationError
from app.services.interview import rapid_fire
from app.services.interview.rapid_fire import RoundOver


def scope_choices(user_id: int) -> list[SelectChoice]:
    """All my tracks, then each track I study, then every track."""
    mine = [e.track for e in study.list_enrolments(user_id)]
    others = [t.track for t in catalog.list_tracks(current_user.id) if t.track not in mine]
    return [("all", "All my tracks")] + [(f"track:{t.key}", t.title) for t in [*mine, *others]]


@bp.route("/rapid/", methods=["GET", "POST"])
@login_required
def rapid() -> Response | str | tuple[str, int]:
    form = RapidForm()
    form.scope.choices = scope_choices(current_user.id)
    moment = now()
    if request.method == "GET" and request.args.get("scope"):
        form.scope.data = request.args["scope"]
    if form.validate_on_submit():
        try:
            row = rapid_fire.start_round(
                current_user.id,
                scope_key=form.scope.data,
                seconds=int(form.seconds.data or 0),
                now=moment,
            )
        except ValidationError as error:
            show_errors(form, error, form.scope)
        else:
            return redirect(url_for("interview.rapid_round", round_id=row.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "interview/rapid.html",
        form=form,
        bests=rapid_fire.personal_bests(current_user.id, moment),
        recent=rapid_fire.recent_rounds(current_user.id),
    ), status


@bp.get("/rapid/<int:round_id>")
@login_required
def rapid_round(round_id: int) -> Response | str:
    moment = now()
    row, question = rapid_fire.current_question(current_user.id, round_id, moment)
    if question is None:
        return redirect(url_for("interview.rapid_results", round_id=round_id))
    last = row.answers[-1] if row.answers else None
    return render_template(
        "interview/rapid_round.html",
        round=row,
        question=question,
        choices=rapid_fire.choices_of(row, question),
        last=last,
        seconds_left=rapid_fire.seconds_left(row, moment),
        form=RapidAnswerForm(),
    )


@bp.post("/rapid/<int:round_id>/answer")
@login_required
def rapid_answer(round_id: int) -> Response:
    form = RapidAnswerForm()
    if not form.validate_on_submit():
        flash("Pick an answer.", "error")
        return redirect(url_for("interview.rapid_round", round_id=round_id))
    try:
        rapid_fire.answer_round(
            current_user.id,
            round_id,
            position=form.position.data or 0,
            response=form.response.data or "",
            now=now(),
        )
    except RoundOver as error:
        flash(error.message, "error")
        return redirect(url_for("interview.rapid_results", round_id=round_id))
    except ValidationError as error:
        flash(next(iter(error.errors.values())), "error")
    return redirect(url_for("interview.rapid_round", round_id=round_id))


@bp.get("/rapid/<int:round_id>/results")
@login_required
def rapid_results(round_id: int) -> Response | str:
    moment = now()
    row = rapid_fire.get_round(current_user.id, round_id)
    if not rapid_fire.is_over(row, moment):
        return redirect(url_for("interview.rapid_round", round_id=round_id))
    return render_template(
        "interview/rapid_results.html",
        round=row,
        best=rapid_fire.is_personal_best(row, moment),
        form=PlainForm(),
        share_url=(
            url_for("interview.shared_round", code=row.share_code, _external=True)
            if row.share_code
            else None
        ),
    )


@bp.post("/rapid/<int:round_id>/share")
@login_required
def share_round(round_id: int) -> Response:
    if PlainForm().validate_on_submit():
        rapid_fire.share_round(current_user.id, round_id, now())
        flash("Share link made: anyone with it sees this round's score, nothing else.", "ok")
    return redirect(url_for("interview.rapid_results", round_id=round_id))


@bp.get("/shared/<code>")
def shared_round(code: str) -> str:
    return render_template("interview/shared_round.html", shared=rapid_fire.shared_round(code))
