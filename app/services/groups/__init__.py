"""Reading groups: members and roles, invites, the weekly assignment, quizzes with a deadline and
the team report. One module per use case."""

from app.services.groups import groups, invites, members, quizzes, report, weeks
from app.services.groups.members import GroupRole

__all__ = ["GroupRole", "groups", "invites", "members", "quizzes", "report", "weeks"]
