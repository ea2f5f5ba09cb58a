"""Racing real requests in tests: threads, each in its own app context, released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from app.extensions import db


def race(app: Any, *actions: Callable[[], object]) -> list[object]:
    """Run the actions in threads that start together; each outcome is a result or an error
    (judged by the caller), in the order they finished."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                outcome = action()
            except Exception as error:
                db.session.rollback()
                outcome = error
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
