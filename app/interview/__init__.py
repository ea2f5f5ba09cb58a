"""Interview prep pages: the overview, drills, rapid-fire rounds and mock interviews."""

from flask import Blueprint

from app.templating import NAVIGATION, NavItem

bp = Blueprint("interview", __name__, url_prefix="/interview")
NAVIGATION.insert(1, NavItem("interview.index", "Interview", signed_in_only=True))

from app.interview import drill_views, mock_views, prep_views, rapid_views  # noqa: E402, F401
