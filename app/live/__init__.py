"""Live quiz pages: start and host one, join by code, play on a phone."""

from flask import Blueprint

bp = Blueprint("live", __name__, url_prefix="/live")

from app.live import views  # noqa: E402, F401
