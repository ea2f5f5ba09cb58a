"""Live quiz pages. The host's screen and the players' phones render the quiz's state on the
server and poll its version (`live.js`), reloading when it changes; every form works without
script. A player's seat key lives in their session, so a reload or a lost connection comes back
to the same seat."""

from __future__ import annotations

from datetime import datetime

import segno
from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.api.live import host_view_model, player_view
from app.clock import now
from app.extensions import join_limit, limiter, not_a_submission
from app.forms import PlainForm
from app.live import bp
from app.live.forms import ActionForm, AnswerForm, CodeForm, NicknameForm, StartForm
from app.models import LiveQuiz
from app.services import catalog
from app.services.errors import Conflict, Forbidden, NotFound, ValidationError
from app.services.groups import GroupRole, groups
from app.services.groups.members import has_role
from app.services.live import host_view, hosting, playing

SEATS = "live_seats"  # session key: quiz code -> seat key


def _seconds_left(quiz: LiveQuiz, moment: datetime) -> float | None:
    """Until the open question's deadline, by the server's clock (None without a timer)."""
    if quiz.phase != "question" or quiz.deadline is None:
        return None
    return max(0.0, (quiz.deadline - moment).total_seconds())


def _sources(user_id: int) -> list[SelectChoice]:
    hosted_groups = [
        SelectChoice(f"group:{g.id}", f"Group: {g.name} (this week's article)")
        for g, m in groups.my_groups(user_id)
        if g.archived_at is None and has_role(m, GroupRole.HOST)
    ]
    tracks = [
        SelectChoice(f"track:{t.track.key}", f"Track: {t.track.title}")
        for t in catalog.list_tracks()
    ]
    articles = [
        SelectChoice(f"article:{a.key}", f"Article: {a.title}") for a in catalog.list_articles()
    ]
    return hosted_groups + articles + tracks


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> Response | str | tuple[str, int]:
    form = StartForm()
    form.source.choices = _sources(current_user.id)
    if request.method == "GET" and request.args.get("source"):
        form.source.data = request.args["source"]
    if form.validate_on_submit():
        kind, _, value = (form.source.data or "").partition(":")
        try:
            quiz = hosting.start_live(
                current_user.id,
                now=now(),
                group_id=int(value) if kind == "group" and value.isdigit() else None,
                article_key=value if kind == "article" else None,
                track_key=value if kind == "track" else None,
                guests_allowed=bool(form.guests_allowed.data),
                timer_seconds=int(form.timer.data) if form.timer.data else None,
                count=form.count.data or 10,
            )
        except ValidationError as error:
            form.source.errors = [*form.source.errors, *error.errors.values()]
        else:
            return redirect(url_for("live.host", quiz_id=quiz.id))
    status = 422 if request.method == "POST" else 200
    return render_template("live/index.html", form=form, code_form=CodeForm()), status


@bp.get("/<int:quiz_id>/host")
@login_required
def host(quiz_id: int) -> str:
    moment = now()
    state = host_view.host_state(current_user.id, quiz_id)
    view = host_view_model(state, moment)
    qr = segno.make(view.join_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return render_template(
        "live/host.html", view=view, qr=qr, form=ActionForm(), plain=PlainForm(),
        seconds_left=_seconds_left(state.quiz, moment),
    )  # fmt: skip


@bp.get("/<int:quiz_id>/host/state")
@login_required
def host_state(quiz_id: int) -> Response:
    state = host_view.host_state(current_user.id, quiz_id)
    return jsonify(host_view_model(state, now()).model_dump(mode="json"))


@bp.post("/<int:quiz_id>/act")
@login_required
def act(quiz_id: int) -> Response:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            hosting.act(
                current_user.id, quiz_id, form.action.data or "",
                version=int(form.version.data or 0), now=now(),
            )  # fmt: skip
        except Conflict as error:
            flash(error.message, "error")
    return redirect(url_for("live.host", quiz_id=quiz_id))


@bp.post("/<int:quiz_id>/kick/<int:player_id>")
@login_required
def kick(quiz_id: int, player_id: int) -> Response:
    if PlainForm().validate_on_submit():
        hosting.kick(current_user.id, quiz_id, player_id, now())
    return redirect(url_for("live.host", quiz_id=quiz_id))


@bp.route("/join", methods=["GET", "POST"])
def join_by_code() -> Response | str:
    form = CodeForm()
    if request.method == "GET":
        return render_template("live/code.html", form=form)
    code = (form.code.data or "").strip().upper()
    if not form.validate_on_submit() or not code:
        flash("Type the code on the host's screen.", "error")
        return redirect(
            url_for("live.index") if current_user.is_authenticated else url_for("main.index")
        )
    return redirect(url_for("live.play", code=code))


def _my_seat(code: str) -> str | None:
    return (session.get(SEATS) or {}).get(code.upper())


@bp.route("/play/<code>", methods=["GET", "POST"])
@limiter.limit(join_limit, exempt_when=not_a_submission)
def play(code: str) -> Response | str | tuple[str, int]:
    code = code.upper()
    secret = _my_seat(code)
    if secret is not None:
        try:
            state = playing.player_state(secret)
        except (NotFound, Forbidden) as error:
            session[SEATS] = {k: v for k, v in (session.get(SEATS) or {}).items() if k != code}
            flash(error.message, "error")
            return redirect(url_for("live.play", code=code))
        assert state is not None
        moment = now()
        view = player_view(state, moment)
        return render_template(
            "live/play.html", view=view, code=code, seat=secret, form=AnswerForm(),
            seconds_left=_seconds_left(state.quiz, moment),
        )  # fmt: skip
    quiz = playing.quiz_by_code(code)
    form = NicknameForm()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        user_id = current_user.id if current_user.is_authenticated else None
        try:
            player = playing.join(code, now=now(), user_id=user_id, nickname=form.nickname.data)
        except ValidationError as error:
            form.nickname.errors = [*form.nickname.errors, *error.errors.values()]
            status = 422
        else:
            session[SEATS] = {**(session.get(SEATS) or {}), code: player.seat}
            return redirect(url_for("live.play", code=code))
    member = current_user.is_authenticated
    return render_template("live/join.html", quiz=quiz, form=form, member=member), status


@bp.post("/play/<code>/answer")
def answer(code: str) -> Response:
    secret = _my_seat(code)
    if secret is None:
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit() and (form.response.data or "").strip():
        try:
            playing.answer(
                secret, position=int(form.position.data or -1), response=form.response.data or "",
                now=now(),
            )  # fmt: skip
        except (Conflict, ValidationError) as error:
            flash(error.message, "error")
    return redirect(url_for("live.play", code=code))
