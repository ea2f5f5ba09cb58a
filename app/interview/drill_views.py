"""Drill pages: choose a scope, answer by keyboard, see the results and drill the misses again."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.clock import now
from app.domain.questions import KINDS, AnswerMode, answer_mode
from app.forms import PlainForm, show_errors
from app.interview import bp
from app.interview.forms import DrillAnswerForm, DrillForm
from app.models import Question
from app.services import catalog
from app.services.errors import ValidationError
from app.services.interview import Scope, drills
from app.services.interview.drills import DRILL_ORDER_STRIDE
from app.services.study import grading_spec, presented_choices


def _choices(drill_id: int, position: int, question: Question) -> list[tuple[int, str]]:
    return presented_choices(current_user.id, question, drill_id * DRILL_ORDER_STRIDE + position)


def _drill_form() -> DrillForm:
    form = DrillForm()
    form.tracks.choices = [
        SelectChoice(t.track.key, t.track.title) for t in catalog.list_tracks(current_user.id)
    ]
    form.articles.choices = [
        SelectChoice(a.key, a.title) for a in catalog.list_articles(current_user.id)
    ]
    return form


@bp.route("/drills/new", methods=["GET", "POST"])
@login_required
def new_drill() -> Response | str | tuple[str, int]:
    form = _drill_form()
    if request.method == "GET":
        form.tracks.data = [key for key in request.args.getlist("track")]
        form.articles.data = [key for key in request.args.getlist("article")]
        form.tradeoffs_only.data = request.args.get("tradeoffs") == "1"
    if form.validate_on_submit():
        scope = Scope(
            tracks=tuple(form.tracks.data or ()),
            articles=tuple(form.articles.data or ()),
            tags=tuple(t.strip() for t in (form.tags.data or "").split(",") if t.strip()),
            tradeoffs_only=bool(form.tradeoffs_only.data),
            weakest=form.weakest.data,
            missed_today=bool(form.missed_today.data),
        )
        try:
            drill = drills.start_drill(
                current_user.id,
                scope,
                now=now(),
                order=form.order.data,
                count=form.count.data or 20,
                minutes=form.minutes.data,
                counts=bool(form.counts.data),
            )
        except ValidationError as error:
            show_errors(form, error, form.tracks)
        else:
            return redirect(url_for("interview.drill", drill_id=drill.id))
    status = 422 if request.method == "POST" else 200
    return render_template("interview/drill_new.html", form=form), status


@bp.get("/drills/<int:drill_id>")
@login_required
def drill(drill_id: int) -> Response | str:
    moment = now()
    row, question = drills.current_question(current_user.id, drill_id, moment)
    feedback = None
    shown = request.args.get("after", type=int)
    if shown is not None:
        feedback = next((a for a in row.answers if a.position == shown), None)
    if question is None and feedback is None:
        return redirect(url_for("interview.drill_results", drill_id=drill_id))
    mode = answer_mode(grading_spec(question)) if question is not None else None
    return render_template(
        "interview/drill.html",
        drill=row,
        question=question,
        mode=mode,
        choices=_choices(row.id, row.position, question) if question is not None else [],
        feedback=feedback,
        feedback_choices=(
            _choices(row.id, feedback.position, feedback.question) if feedback else []
        ),
        seconds_left=(row.ends_at - moment).total_seconds() if row.ends_at else None,
        shown_at=int(moment.timestamp() * 1000),
        form=DrillAnswerForm(),
        kind_label=KINDS[question.kind].label if question is not None else "",
    )


@bp.post("/drills/<int:drill_id>/answer")
@login_required
def answer_drill(drill_id: int) -> Response:
    form = DrillAnswerForm()
    if not form.validate_on_submit():
        flash("Answer the question first.", "error")
        return redirect(url_for("interview.drill", drill_id=drill_id))
    moment = now()
    duration = None
    if form.shown_at.data:
        elapsed = int(moment.timestamp() * 1000) - form.shown_at.data
        duration = elapsed if 0 <= elapsed <= 86_400_000 else None
    position = form.position.data or 0
    try:
        answer = drills.answer_drill(
            current_user.id,
            drill_id,
            position=position,
            response=form.response.data or None,
            rating=form.rating.data,
            duration_ms=duration,
            now=moment,
        )
    except ValidationError as error:
        flash(next(iter(error.errors.values())), "error")
        return redirect(url_for("interview.drill", drill_id=drill_id))
    if answer_mode(grading_spec(answer.question)) is AnswerMode.RECALL:
        return redirect(url_for("interview.drill", drill_id=drill_id))
    return redirect(url_for("interview.drill", drill_id=drill_id, after=answer.position))


@bp.post("/drills/<int:drill_id>/finish")
@login_required
def finish_drill(drill_id: int) -> Response:
    if PlainForm().validate_on_submit():
        drills.finish_drill(current_user.id, drill_id, now())
    return redirect(url_for("interview.drill_results", drill_id=drill_id))


@bp.get("/drills/<int:drill_id>/results")
@login_required
def drill_results(drill_id: int) -> str:
    moment = now()
    _, question = drills.current_question(current_user.id, drill_id, moment)
    return render_template(
        "interview/drill_results.html",
        results=drills.drill_results(current_user.id, drill_id, moment),
        running=question is not None,
        form=PlainForm(),
    )


@bp.post("/drills/<int:drill_id>/again")
@login_required
def drill_again(drill_id: int) -> Response:
    if not PlainForm().validate_on_submit():
        return redirect(url_for("interview.drill_results", drill_id=drill_id))
    misses_only = request.form.get("all") != "1"
    try:
        again = drills.drill_again(current_user.id, drill_id, now=now(), misses_only=misses_only)
    except ValidationError as error:
        flash(next(iter(error.errors.values())), "error")
        return redirect(url_for("interview.drill_results", drill_id=drill_id))
    return redirect(url_for("interview.drill", drill_id=again.id))
