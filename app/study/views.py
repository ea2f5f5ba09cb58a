"""The daily review: overview, review page, answer, undo, suspend, bury, leeches, presets."""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.clock import now
from app.domain.questions import AnswerMode
from app.domain.scheduling import describe_interval
from app.models import Question
from app.services import fits, study
from app.services.errors import Conflict, NotFound, ValidationError
from app.study.forms import AnswerForm, CardActionForm, CheckForm, MoreNewForm, PresetForm
from app.templating import NAVIGATION, NavItem

bp = Blueprint("study", __name__, url_prefix="/study")
NAVIGATION.insert(0, NavItem("study.overview", "Study", signed_in_only=True))


def _track_arg() -> str | None:
    return (request.values.get("track") or "").strip() or None


def _custom() -> study.CustomSession | None:
    """The custom study session a request belongs to, if any (see custom_sessions)."""
    return study.parse_session(request.values.get("custom"))


def _review_url(track: str | None) -> str:
    """Back to the review: the day's queue (of one track or all), or the custom session."""
    custom = _custom()
    if custom is not None:
        return url_for("study.review", custom=custom.key)
    return url_for("study.review", track=track) if track else url_for("study.review")


def _intervals(question: Question, track: str | None, at: datetime) -> dict[int, str]:
    """The label under each rating button: the interval it would give, from the scheduler."""
    coming = study.next_intervals(current_user.id, question, track, now=at)
    return {int(rating): describe_interval(interval) for rating, interval in coming.items()}


def _duration(shown_at: int | None, at: datetime) -> int | None:
    if not shown_at:
        return None
    elapsed = int(at.timestamp() * 1000) - shown_at
    return elapsed if 0 <= elapsed <= 86_400_000 else None


@bp.get("/")
@login_required
def overview() -> str:
    moment = now()
    enrolments = study.list_enrolments(current_user.id)
    per_track = [
        (e, study.today(current_user.id, now=moment, track_key=e.track.key)) for e in enrolments
    ]
    everything = study.today(current_user.id, now=moment)
    return render_template(
        "study/overview.html",
        per_track=per_track,
        everything=everything,
        leech_count=len(study.leeches(current_user.id)),
    )


@bp.post("/enrol/<track_key>")
@login_required
def enrol(track_key: str) -> Response:
    enrolment = study.enrol(current_user.id, track_key, now=now())
    flash(f"Enrolled in {enrolment.track.title}. New cards arrive in track order.", "ok")
    return redirect(url_for("study.overview"))


@bp.post("/enrolments/<int:enrolment_id>/leave")
@login_required
def leave(enrolment_id: int) -> Response:
    enrolment = study.get_enrolment(current_user.id, enrolment_id)
    title = enrolment.track.title
    study.leave(current_user.id, enrolment_id, now=now())
    flash(f"You left {title}. Your review history is kept.", "ok")
    return redirect(url_for("study.overview"))


@bp.route("/enrolments/<int:enrolment_id>/preset", methods=["GET", "POST"])
@login_required
def preset(enrolment_id: int) -> Response | str | tuple[str, int]:
    enrolment = study.get_enrolment(current_user.id, enrolment_id)
    current = study.current_preset_row(enrolment)
    form = PresetForm(data=current.values())
    status = 200
    if form.validate_on_submit():
        raw = {name: form[name].data for name in current.values() if name != "parameters"}
        try:
            study.update_preset(current_user.id, enrolment_id, raw, now=now())
        except ValidationError as error:
            for field, message in error.errors.items():
                form[field].errors = [*form[field].errors, message]
            status = 422
        else:
            flash("Preset saved. It applies to your next answers.", "ok")
            return redirect(url_for("study.preset", enrolment_id=enrolment_id))
    elif request.method == "POST":
        status = 422
    history = fits.history(current_user.id, enrolment_id)
    return render_template(
        "study/preset.html",
        enrolment=enrolment,
        form=form,
        current=current,
        fits=history,
        recommended=next(
            (f.recommended_retention for f in history if f.recommended_retention), None
        ),
        min_reviews=current_app.config["FIT_MIN_REVIEWS"],
    ), status


@bp.post("/enrolments/<int:enrolment_id>/refit")
@login_required
def refit(enrolment_id: int) -> Response:
    fits.request_refit(current_user.id, enrolment_id, now=now())
    flash("Refit queued: the scheduler process fits your parameters within a minute.", "ok")
    return redirect(url_for("study.preset", enrolment_id=enrolment_id))


@bp.get("/review")
@login_required
def review() -> Response | str:
    track = _track_arg()
    moment = now()
    custom = _custom()
    state = study.today(current_user.id, now=moment, track_key=track)
    item = state.item
    left = None
    if custom is not None:
        item = study.session_item(current_user.id, custom, now=moment)
        if item is None:
            flash(f"{custom.title}: nothing left.", "ok")
            return redirect(url_for("study.done"))
        left = study.session_size(current_user.id, custom, now=moment)
    if item is None:
        return redirect(url_for("study.done", track=track) if track else url_for("study.done"))
    reveal = request.args.get("reveal") == "1" and item.mode is AnswerMode.RECALL
    recall = item.mode is AnswerMode.RECALL
    return render_template(
        "study/review.html",
        state=state,
        item=item,
        custom=custom,
        custom_left=left,
        choices=study.presented_choices(current_user.id, item.question, item.version),
        track=track,
        reveal=reveal,
        intervals=_intervals(item.question, track, moment) if recall else None,
        shown_at=int(moment.timestamp() * 1000),
        review_id=uuid.uuid4().hex,
        check_form=CheckForm(),
        answer_form=AnswerForm(),
        action_form=CardActionForm(),
    )


@bp.post("/check")
@login_required
def check() -> Response | str | tuple[str, int]:
    """Grade a choice or cloze answer and show the result; nothing is recorded until a rating."""
    form = CheckForm()
    track = form.track.data or None
    if not form.validate_on_submit():
        abort(400)
    question = study.get_question(int(form.question_id.data or 0))
    response = form.response.data or ""
    if not response.strip():
        flash("Choose an answer first." if question.choices else "Type your answer first.", "error")
        return redirect(_review_url(track))
    try:
        result = study.check_answer(question.id, response)
    except ValidationError as error:
        flash(error.errors.get("response", error.message), "error")
        return redirect(_review_url(track))
    moment = now()
    state = study.today(current_user.id, now=moment, track_key=track)
    version = int(form.version.data or 0)
    return render_template(
        "study/result.html",
        custom=_custom(),
        intervals=_intervals(question, track, moment),
        state=state,
        question=question,
        choices=study.presented_choices(current_user.id, question, version),
        result=result,
        response=response,
        version=form.version.data,
        shown_at=form.shown_at.data,
        track=track,
        review_id=uuid.uuid4().hex,
        answer_form=AnswerForm(),
        action_form=CardActionForm(),
    )


@bp.post("/answer")
@login_required
def answer() -> Response:
    form = AnswerForm()
    track = form.track.data or None
    if not form.validate_on_submit():
        flash("That answer was incomplete; please answer again.", "error")
        return redirect(_review_url(track))
    moment = now()
    try:
        result = study.answer(
            current_user.id,
            review_id=form.review_id.data or "",
            question_id=int(form.question_id.data or 0),
            version=int(form.version.data or 0),
            rating=form.rating.data,
            response=form.response.data or None,
            duration_ms=_duration(form.shown_at.data, moment),
            now=moment,
            fuzz=current_app.config["SCHEDULER_FUZZ"],
            track_key=track,
            overrule=bool(form.overrule.data),
        )
    except Conflict as error:
        flash(error.message, "error")
    except ValidationError as error:
        flash(" ".join(error.errors.values()), "error")
    else:
        if result.leech:
            flash(
                "That card has lapsed often: it is now a leech. Rework it from the leeches page.",
                "info",
            )
    return redirect(_review_url(track))


@bp.post("/undo")
@login_required
def undo() -> Response:
    track = _track_arg()
    try:
        undone = study.undo_last(current_user.id, now=now())
    except NotFound:
        flash("There is nothing to undo.", "info")
    except Conflict as error:
        flash(error.message, "error")
    else:
        flash(_undone_message(undone), "ok")
    back = request.form.get("back_to") or ""
    return redirect(back if back.startswith("/study/cards") else _review_url(track))


UNDONE = {
    "suspend": "suspending",
    "unsuspend": "unsuspending",
    "bury": "burying",
    "unbury": "unburying",
    "flag": "flagging",
    "unflag": "unflagging",
    "forget": "resetting",
}


def _undone_message(undone: study.Undone) -> str:
    if undone.what == "answer":
        return "Undone: your last answer. The card is back as it was."
    count = len(undone.question_ids)
    cards, were = ("the card", "It is") if count == 1 else (f"{count} cards", "They are")
    return f"Undone: {UNDONE[undone.what]} {cards}. {were} back as before."


def _card_action(action: str) -> Response:
    form = CardActionForm()
    track = form.track.data or None
    if not form.validate_on_submit():
        abort(400)
    question_id = int(form.question_id.data or 0)
    moment = now()
    try:
        return _apply_card_action(action, question_id, moment, track)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(_review_url(track))


def _apply_card_action(
    action: str, question_id: int, moment: datetime, track: str | None
) -> Response:
    if action == "suspend":
        study.suspend(current_user.id, question_id, now=moment)
        flash("Card suspended: it will not come up until you unsuspend it.", "ok")
    elif action == "unsuspend":
        study.unsuspend(current_user.id, question_id, now=moment)
        flash("Card back in your reviews.", "ok")
        return redirect(url_for("study.leeches"))
    else:
        study.bury(current_user.id, question_id, now=moment)
        flash("Card buried until tomorrow.", "ok")
    return redirect(_review_url(track))


@bp.post("/suspend")
@login_required
def suspend() -> Response:
    return _card_action("suspend")


@bp.post("/unsuspend")
@login_required
def unsuspend() -> Response:
    return _card_action("unsuspend")


@bp.post("/bury")
@login_required
def bury() -> Response:
    return _card_action("bury")


@bp.get("/done")
@login_required
def done() -> str | Response:
    track = _track_arg()
    moment = now()
    state = study.today(current_user.id, now=moment, track_key=track)
    if state.item is not None:
        return redirect(_review_url(track))
    wait_seconds = None
    if state.next_due is not None and state.next_due < state.day.end:
        # A learning card comes back later today: not done, only nothing due yet (as in Anki).
        wait_seconds = max(1, math.ceil((state.next_due - moment).total_seconds()))
    return render_template(
        "study/done.html",
        state=state,
        track=track,
        wait_seconds=wait_seconds,
        summary=study.day_summary(current_user.id, now=moment),
        more=_more_new_form(track),
    )


def _more_new_form(track: str | None, form: MoreNewForm | None = None) -> MoreNewForm:
    """The custom-study form, offering the learner's tracks (only ``track`` when one is given)."""
    form = form or MoreNewForm(track=track or "")
    enrolments = study.list_enrolments(current_user.id)
    if track is not None:
        enrolments = [e for e in enrolments if e.track.key == track]
    form.enrolment.choices = [SelectChoice(str(e.id), e.track.title) for e in enrolments]
    return form


@bp.post("/more")
@login_required
def more_new() -> Response:
    """Custom study: raise today's new card limit of one track."""
    form = _more_new_form(None, MoreNewForm())
    track = form.track.data or None
    if not form.validate_on_submit():
        errors = [error for errors in form.errors.values() for error in errors]
        flash("Could not add new cards: " + " ".join(str(e) for e in errors), "error")
        return redirect(url_for("study.done", track=track) if track else url_for("study.done"))
    count = int(form.count.data or 0)
    study.study_more_new(current_user.id, int(form.enrolment.data), count, now=now())
    flash(f"{count} more new card{'s' if count != 1 else ''} for today.", "ok")
    return redirect(_review_url(track))


@bp.get("/leeches")
@login_required
def leeches() -> str:
    return render_template(
        "study/leeches.html", cards=study.leeches(current_user.id), action_form=CardActionForm()
    )


@bp.app_template_global()
def track_enrolment(track_key: str) -> object:
    if not current_user.is_authenticated:
        return None
    return study.enrolment_for_track(current_user.id, track_key)


from app.study import card_browser, reports  # noqa: E402,F401  (their routes register on bp)
