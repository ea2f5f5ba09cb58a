"""Live quizzes: hosting and pacing, joining and answering, the shared board, the host's view.
All state is in the database; players poll it by version."""

from app.services.live import board, host_view, hosting, playing
from app.services.live.hosting import HostAction, LivePhase

__all__ = ["HostAction", "LivePhase", "board", "host_view", "hosting", "playing"]
