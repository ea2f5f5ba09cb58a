"""Mock interview pages: choose a prompt, speak against the timer, tick the rubric, see the
score and drill the missed points."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.clock import now
from app.forms import PlainForm
from app.interview import bp
from app.interview.forms import MockForm, MockScoreForm
from app.services.errors import ValidationError
from app.services.interview import Scope, drills, mocks


@bp.route("/mock/", methods=["GET", "POST"])
@login_required
def mock() -> Response | str | tuple[str, int]:
    form = MockForm()
    if request.method == "GET" and request.args.get("article"):
        form.article.data = request.args["article"]
    if form.validate_on_submit():
        try:
            row = mocks.start_mock(
                current_user.id,
                form.article.data or "",
                minutes=int(form.minutes.data or 0),
                now=now(),
            )
        except ValidationError as error:
            flash(next(iter(error.errors.values())), "error")
        else:
            return redirect(url_for("interview.mock_interview", mock_id=row.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "interview/mock.html",
        form=form,
        prompts=mocks.prompts(current_user.id),
        recent=mocks.recent_mocks(current_user.id),
        mock_score=mocks.mock_score,
    ), status


@bp.get("/mock/<int:mock_id>")
@login_required
def mock_interview(mock_id: int) -> Response | str:
    row = mocks.get_mock(current_user.id, mock_id)
    if row.covered is not None:
        return redirect(url_for("interview.mock_result", mock_id=mock_id))
    moment = now()
    ends = row.started_at.timestamp() + row.minutes * 60
    return render_template(
        "interview/mock_interview.html",
        mock=row,
        rubric=request.args.get("rubric") == "1",
        seconds_left=max(0.0, ends - moment.timestamp()),
        form=MockScoreForm(),
    )


@bp.post("/mock/<int:mock_id>/score")
@login_required
def score_mock(mock_id: int) -> Response:
    form = MockScoreForm()
    if not form.validate_on_submit():
        flash("The form expired; tick the points again.", "error")
        return redirect(url_for("interview.mock_interview", mock_id=mock_id, rubric=1))
    try:
        mocks.score_mock(current_user.id, mock_id, covered=form.covered.data or [], now=now())
    except ValidationError as error:
        flash(next(iter(error.errors.values())), "error")
        return redirect(url_for("interview.mock_interview", mock_id=mock_id, rubric=1))
    return redirect(url_for("interview.mock_result", mock_id=mock_id))


@bp.get("/mock/<int:mock_id>/result")
@login_required
def mock_result(mock_id: int) -> Response | str:
    row = mocks.get_mock(current_user.id, mock_id)
    if row.covered is None:
        return redirect(url_for("interview.mock_interview", mock_id=mock_id, rubric=1))
    return render_template(
        "interview/mock_result.html",
        mock=row,
        score=mocks.mock_score(row),
        missed=mocks.missed_points(row),
        covered=set(row.covered),
        form=PlainForm(),
    )


@bp.post("/mock/<int:mock_id>/drill")
@login_required
def drill_mock(mock_id: int) -> Response:
    if not PlainForm().validate_on_submit():
        return redirect(url_for("interview.mock_result", mock_id=mock_id))
    try:
        drill = drills.start_drill(current_user.id, Scope(mock=mock_id), now=now(), order="track")
    except ValidationError as error:
        flash(next(iter(error.errors.values())), "error")
        return redirect(url_for("interview.mock_result", mock_id=mock_id))
    return redirect(url_for("interview.drill", drill_id=drill.id))
