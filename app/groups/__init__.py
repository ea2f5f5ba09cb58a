"""Reading group pages: groups, members and invites, the weekly schedule, quizzes and the report."""

from flask import Blueprint

from app.templating import NAVIGATION, NavItem

bp = Blueprint("groups", __name__, url_prefix="/groups")
NAVIGATION.insert(2, NavItem("groups.index", "Groups", signed_in_only=True))

from app.groups import quiz_views, views  # noqa: E402, F401
