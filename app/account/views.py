"""Profile, password, API tokens and account deletion."""

from __future__ import annotations

import json
from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.account.forms import (
    DeleteAccountForm,
    PasswordForm,
    ProfileForm,
    ReminderForm,
    RevokeTokenForm,
    TokenForm,
)
from app.auth.signin import current_sign_in, sign_in, sign_out
from app.clock import now
from app.forms import PlainForm
from app.security_headers import no_store
from app.services import accounts, data_export, reminders, sessions, tokens
from app.services.errors import NotFound, ValidationError

bp = Blueprint("account", __name__, url_prefix="/account")


def _apply_errors(form: FlaskForm, error: ValidationError) -> None:
    for field, message in error.errors.items():
        getattr(form, field).errors.append(message)


def _render(**forms: FlaskForm) -> str:
    user = current_user
    defaults = {
        "profile_form": ProfileForm(
            display_name=user.display_name,
            timezone=user.timezone,
            day_start_hour=user.day_start_hour,
        ),
        "password_form": PasswordForm(),
        "reminder_form": ReminderForm(channel=user.reminder_channel, hour=user.reminder_hour),
        "token_form": TokenForm(),
        "delete_form": DeleteAccountForm(),
    }
    defaults.update(forms)
    return render_template(
        "account/settings.html",
        timezones=sorted(available_timezones()),
        tokens=tokens.list_tokens(user.id),
        revoke_form=RevokeTokenForm(),
        sign_ins=sessions.active(user.id),
        this_sign_in=current_sign_in(),
        plain_form=PlainForm(),
        **defaults,
    )


@bp.get("/")
@login_required
def settings() -> str:
    return _render()


@bp.post("/profile")
@login_required
def profile() -> Response | tuple[str, int]:
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            accounts.update_profile(
                current_user.id,
                display_name=form.display_name.data or "",
                timezone=(form.timezone.data or "").strip(),
                day_start_hour=int(form.day_start_hour.data),
                now=now(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            flash("Profile saved.", "ok")
            return redirect(url_for("account.settings"))
    return _render(profile_form=form), 422


@bp.post("/password")
@login_required
def password() -> Response | tuple[str, int]:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(
                current_user.id,
                current=form.current_password.data or "",
                new=form.new_password.data or "",
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            sessions.end_all(user.id, now=now())
            sign_in(user)  # a new sign-in here; every other one has just been signed out
            flash("Password changed. Other sessions have been signed out.", "ok")
            return redirect(url_for("account.settings"))
    return _render(password_form=form), 422


@bp.post("/tokens")
@login_required
def create_token() -> Response | tuple[str, int]:
    form = TokenForm()
    if form.validate_on_submit():
        try:
            issued = tokens.create_token(current_user.id, name=form.name.data or "", now=now())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            no_store()  # the page shows the secret once; no cache keeps it
            return render_template(
                "account/token_created.html", token=issued.token, secret=issued.secret
            ), 201
    return _render(token_form=form), 422


@bp.post("/tokens/revoke")
@login_required
def revoke_token() -> Response:
    form = RevokeTokenForm()
    if form.validate_on_submit():
        try:
            tokens.revoke_token(current_user.id, int(form.token_id.data or 0), now=now())
        except NotFound:
            flash("That token does not exist.", "error")
        else:
            flash("Token revoked: it no longer works.", "ok")
    else:
        flash("That token does not exist.", "error")
    return redirect(url_for("account.settings"))


@bp.post("/delete")
@login_required
def delete() -> Response | tuple[str, int]:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            accounts.delete_account(current_user.id, password=form.password.data or "")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            logout_user()  # the account and its sign-ins are gone
            flash("Your account and all its data have been deleted.", "ok")
            return redirect(url_for("main.index"))
    return _render(delete_form=form), 422


@bp.post("/reminders")
@login_required
def reminder_settings() -> Response | tuple[str, int]:
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            reminders.update_reminders(
                current_user.id, channel=form.channel.data or "off", hour=int(form.hour.data)
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            flash("Reminder saved.", "ok")
            return redirect(url_for("account.settings"))
    return _render(reminder_form=form), 422


@bp.get("/outbox")
@login_required
def outbox() -> str:
    return render_template("account/outbox.html", messages=reminders.outbox(current_user.id))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int) -> Response:
    if PlainForm().validate_on_submit():
        try:
            sessions.end(current_user.id, session_id, now=now())
        except NotFound:
            flash("That sign-in has already ended.", "error")
        else:
            if session_id == current_sign_in():
                logout_user()
                flash("You are logged out.", "ok")
                return redirect(url_for("main.index"))
            flash("That device is signed out.", "ok")
    return redirect(url_for("account.settings") + "#sessions-h")


@bp.post("/sessions/end-all")
@login_required
def end_all_sessions() -> Response:
    if PlainForm().validate_on_submit():
        ended = sessions.end_all(current_user.id, now=now())
        sign_out()
        flash(f"Signed out everywhere ({ended} sign-in{'s' if ended != 1 else ''}).", "ok")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.settings"))


@bp.get("/export")
@login_required
def export_data() -> Response:
    """Everything Rehearse holds about the learner, as one JSON file."""
    no_store()
    data = data_export.export_user(current_user.id, now=now())
    body = json.dumps(data, indent=1, ensure_ascii=False)
    stamp = now().strftime("%Y-%m-%d")
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="rehearse-data-{stamp}.json"'},
    )
