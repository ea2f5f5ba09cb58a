"""Register, log in, log out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.auth.forms import LoginForm, RegisterForm
from app.auth.safety import safe_next
from app.auth.signin import sign_in, sign_out
from app.clock import now
from app.extensions import account_everywhere_key, account_key, limiter, not_a_submission
from app.services import accounts
from app.services.errors import ValidationError

bp = Blueprint("auth", __name__, url_prefix="/auth")

FAILED_LOGIN = "That email and password do not match an account."


def _login_ip_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN_IP"])


def _login_account_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN_ACCOUNT"])


def _login_account_everywhere_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN_ACCOUNT_ALL"])


def _register_limit() -> str:
    return str(current_app.config["RATELIMIT_REGISTER_IP"])


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, exempt_when=not_a_submission)
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(
                email=form.email.data or "",
                display_name=form.display_name.data or "",
                password=form.password.data or "",
                now=now(),
            )
        except ValidationError as error:
            for field, message in error.errors.items():
                getattr(form, field).errors.append(message)
        else:
            sign_in(user)
            flash("Welcome to Rehearse. Choose a time zone so your days start when you do.", "ok")
            return redirect(url_for("account.settings"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_ip_limit, exempt_when=not_a_submission)
@limiter.limit(
    _login_account_limit,
    key_func=account_key,
    exempt_when=not_a_submission,
    deduct_when=lambda response: response.status_code != 302,
)
@limiter.limit(
    _login_account_everywhere_limit,
    key_func=account_everywhere_key,
    exempt_when=not_a_submission,
    deduct_when=lambda response: response.status_code != 302,
)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append(FAILED_LOGIN)
        else:
            sign_in(user, remember=bool(form.remember.data))
            return redirect(safe_next(form.next.data) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    sign_out()
    flash("You are logged out.", "ok")
    return redirect(url_for("main.index"))
