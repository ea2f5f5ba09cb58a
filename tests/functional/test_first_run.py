"""What a newcomer meets first: the version, the port, a quiet console, instances side by side."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from importlib.metadata import version

import pytest

from app import create_app
from app.cli import gunicorn_command
from app.config import PROJECT_ROOT


def test_the_version_is_rehearses_own():
    shown = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout
    assert shown.strip() == f"Rehearse, version {version('rehearse')}"
    assert "Flask" not in shown


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_up_takes_the_port():
    def planned(*args: str) -> str:
        return subprocess.run(
            ["make", "-n", "up", *args], capture_output=True, text=True, cwd=PROJECT_ROOT
        ).stdout

    assert "rehearse up --port 8123" in planned("PORT=8123")
    assert "--port" not in planned()


def test_two_instances_have_their_own_control_sockets(tmp_path):
    first = gunicorn_command("127.0.0.1", 5000, 2, str(tmp_path))
    second = gunicorn_command("127.0.0.1", 5001, 2, str(tmp_path))
    sockets = {command[command.index("--control-socket") + 1] for command in (first, second)}
    assert sockets == {str(tmp_path / "gunicorn-5000.ctl"), str(tmp_path / "gunicorn-5001.ctl")}


def test_the_schedulers_routine_lines_are_for_debugging_only(tmp_path):
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "ENV_NAME": "testing"})
    assert logging.getLogger("apscheduler").level == logging.WARNING  # set, not inherited
    assert logging.getLogger("app.jobs").level == logging.NOTSET  # what the jobs did still shows
