"""Extension singletons, unbound until ``create_app`` calls ``init_app`` on each."""

from flask import request
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
    """Rate-limit key for the account a login names, capping guesses at it from many IPs."""
    email = (request.form.get("email") or "").strip().lower()
    return f"account:{email}"
