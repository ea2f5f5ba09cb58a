"""Interview prep: drills over chosen scopes, timed rapid-fire rounds, mock interviews with a rubric
from the article, and the overview that ties them together. One module per use case."""

from app.services.interview import drills, mocks, prep, rapid_fire
from app.services.interview.scopes import DrillOrder, Scope

__all__ = ["DrillOrder", "Scope", "drills", "mocks", "prep", "rapid_fire"]
