"""Group pages: my groups, a new group, the group page, joining by invite, members, invites,
the schedule of weeks and each member's sharing settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.clock import now
from app.extensions import join_limit, limiter, not_a_submission
from app.forms import PlainForm, show_errors
from app.groups import bp
from app.groups.forms import GroupForm, InviteForm, JoinForm, RoleForm, SharingForm
from app.services import catalog
from app.services.errors import ValidationError
from app.services.groups import GroupRole, groups, invites, members, weeks
from app.services.groups.members import has_role


def _join_key() -> str:
    return f"join:{current_user.get_id() or request.remote_addr}"


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> Response | str | tuple[str, int]:
    form = GroupForm()
    form.track.choices = [SelectChoice(t.track.key, t.track.title) for t in catalog.list_tracks()]
    if request.method == "GET":
        form.timezone.data = current_user.timezone
    if form.validate_on_submit():
        moment = form.week_time.data
        try:
            group = groups.create_group(
                current_user.id,
                name=form.name.data or "",
                track_key=form.track.data or "",
                timezone=(form.timezone.data or "").strip(),
                week_day=int(form.week_day.data or 0),
                week_hour=moment.hour if moment else 0,
                week_minute=moment.minute if moment else 0,
                now=now(),
            )
        except ValidationError as error:
            show_errors(form, error, form.week_time)
        else:
            flash(f"{group.name} is ready. Invite the others from its page.", "ok")
            return redirect(url_for("groups.group", group_id=group.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "groups/index.html",
        mine=groups.my_groups(current_user.id),
        form=form,
        join_form=JoinForm(),
    ), status


@bp.get("/<int:group_id>")
@login_required
def group(group_id: int) -> str:
    moment = now()
    page = groups.group_page(current_user.id, group_id, moment)
    host = has_role(page.me, GroupRole.HOST)
    return render_template(
        "groups/group.html",
        page=page,
        host=host,
        owner=has_role(page.me, GroupRole.OWNER),
        invites=invites.invites(current_user.id, group_id, moment) if host else [],
        upcoming=weeks.upcoming(current_user.id, group_id) if host else [],
        local=lambda moment: groups.local_time(page.group, moment),
        weekdays=groups.WEEKDAYS,
        form=PlainForm(),
        invite_form=InviteForm(),
        role_form=RoleForm(),
        now=moment,
    )


@bp.post("/<int:group_id>/read")
@login_required
def mark_read(group_id: int) -> Response:
    if PlainForm().validate_on_submit():
        groups.mark_read(current_user.id, group_id, now())
        flash("Marked as read.", "ok")
    return redirect(url_for("groups.group", group_id=group_id))


@bp.route("/<int:group_id>/settings", methods=["GET", "POST"])
@login_required
def settings(group_id: int) -> Response | str:
    page = groups.group_page(current_user.id, group_id, now())
    me = page.me
    form = SharingForm(obj=me)
    if form.validate_on_submit():
        members.update_sharing(
            current_user.id,
            group_id,
            shows_progress=bool(form.shows_progress.data),
            shows_answers=bool(form.shows_answers.data),
            counts_quizzes=bool(form.counts_quizzes.data),
        )
        flash("Saved.", "ok")
        return redirect(url_for("groups.settings", group_id=group_id))
    return render_template(
        "groups/settings.html",
        page=page,
        form=form,
        plain=PlainForm(),
        owner=has_role(me, GroupRole.OWNER),
    )


@bp.post("/<int:group_id>/leave")
@login_required
def leave(group_id: int) -> Response:
    if PlainForm().validate_on_submit():
        members.leave(current_user.id, group_id)
        flash("You left the group. Your own cards and history stay yours.", "ok")
    return redirect(url_for("groups.index"))


@bp.post("/<int:group_id>/archive")
@login_required
def archive(group_id: int) -> Response:
    if PlainForm().validate_on_submit():
        members.archive(current_user.id, group_id, now())
        flash("Archived: the group can be read but no longer changed.", "ok")
    return redirect(url_for("groups.group", group_id=group_id))


@bp.post("/<int:group_id>/invites")
@login_required
def create_invite(group_id: int) -> Response:
    form = InviteForm()
    if form.validate_on_submit():
        invites.create_invite(current_user.id, group_id, days=int(form.days.data or 7), now=now())
        flash("Invite made: send its link to the people you want in the group.", "ok")
    return redirect(url_for("groups.group", group_id=group_id, _anchor="invites"))


@bp.post("/<int:group_id>/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(group_id: int, invite_id: int) -> Response:
    if PlainForm().validate_on_submit():
        invites.revoke_invite(current_user.id, group_id, invite_id, now())
        flash("Invite revoked: its link no longer works.", "ok")
    return redirect(url_for("groups.group", group_id=group_id, _anchor="invites"))


@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
@limiter.limit(join_limit, key_func=_join_key, exempt_when=not_a_submission)
def join(code: str) -> Response | str:
    moment = now()
    _, target = invites.invite_for(code, moment)
    form = PlainForm()
    if form.validate_on_submit():
        joined, fresh = invites.join(current_user.id, code, now=moment)
        flash(f"Welcome to {joined.name}." if fresh else f"You are in {joined.name} already.", "ok")
        return redirect(url_for("groups.group", group_id=joined.id))
    return render_template("groups/join.html", target=target, code=code, form=form)


@bp.post("/join")
@login_required
def join_by_code() -> Response:
    form = JoinForm()
    code = (form.code.data or "").strip().rsplit("/", 1)[-1]
    if not form.validate_on_submit() or not code:
        flash("Type or paste the invite code.", "error")
        return redirect(url_for("groups.index"))
    return redirect(url_for("groups.join", code=code))


@bp.post("/<int:group_id>/members/<int:user_id>/role")
@login_required
def set_role(group_id: int, user_id: int) -> Response:
    form = RoleForm()
    if form.validate_on_submit():
        members.set_role(current_user.id, group_id, user_id, form.role.data or "")
        flash("Role changed.", "ok")
    return redirect(url_for("groups.group", group_id=group_id, _anchor="members"))


@bp.post("/<int:group_id>/members/<int:user_id>/remove")
@login_required
def remove_member(group_id: int, user_id: int) -> Response:
    if PlainForm().validate_on_submit():
        members.remove(current_user.id, group_id, user_id)
        flash("Removed from the group.", "ok")
    return redirect(url_for("groups.group", group_id=group_id, _anchor="members"))


@bp.post("/<int:group_id>/members/<int:user_id>/transfer")
@login_required
def transfer(group_id: int, user_id: int) -> Response:
    if PlainForm().validate_on_submit():
        members.transfer(current_user.id, group_id, user_id)
        flash("Ownership transferred; you are a host now.", "ok")
    return redirect(url_for("groups.group", group_id=group_id, _anchor="members"))


@bp.post("/<int:group_id>/schedule/<int:article_id>/<any(up, down, skip, unskip):action>")
@login_required
def schedule(group_id: int, article_id: int, action: str) -> Response:
    if PlainForm().validate_on_submit():
        weeks.move(current_user.id, group_id, article_id, action)
    return redirect(url_for("groups.group", group_id=group_id, _anchor="schedule"))
