"""Extension singletons, unbound until ``create_app`` calls ``init_app`` on each."""

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def account_key() -> str:
    """Rate-limit key for the account a login names from one address: guesses at an account are
    capped per address, and a flood from one address never locks the owner out of their own
    account from another."""
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email}:{get_remote_address()}"


def account_everywhere_key() -> str:
    """Rate-limit key for the account a login names from any address: a looser cap on guesses
    spread over many addresses (RATELIMIT_LOGIN_ACCOUNT_ALL)."""
    email = (request.form.get("email") or "").strip().lower()
    return f"account-all:{email}"


def join_limit() -> str:
    """The limit on joining a group or a live quiz by code (``RATELIMIT_JOIN``)."""
    return str(current_app.config["RATELIMIT_JOIN"])


def not_a_submission() -> bool:
    """Exempt a form's GET from its POST's rate limit."""
    return request.method != "POST"
