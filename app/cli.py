"""The ``rehearse`` command: Flask's commands (``db``, ``run``, ``shell``) and the project's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from app.config import PROJECT_ROOT


def main() -> None:
    """Entry point of the ``rehearse`` console script: Flask finds the factory itself."""
    os.environ.setdefault("FLASK_APP", "app:create_app")
    FlaskGroup(help="Rehearse: spaced repetition for the trade-offs of backend engineering.")()


def register(app: Flask) -> None:
    app.cli.add_command(up)


def _upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade(directory=str(PROJECT_ROOT / "migrations"))


def _wait_until_healthy(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


@click.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--no-scheduler", is_flag=True, help="Do not start the scheduler process.")
@with_appcontext
def up(host: str, port: int, workers: int, no_scheduler: bool) -> None:
    """Bring up a working instance: migrate, sync the banks, start the scheduler and web server."""
    os.makedirs(current_app.instance_path, exist_ok=True)
    click.echo(f"database: {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    _upgrade_database()
    click.echo("database: migrated to the latest schema")
    env = dict(os.environ, FLASK_APP="app:create_app")
    children: list[subprocess.Popen[bytes]] = []
    if not no_scheduler:
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "app", "scheduler", "run"], env=env, cwd=PROJECT_ROOT
            )
        )
        click.echo("scheduler: started")
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wsgi:app",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "5",
        ],
        env=env,
        cwd=PROJECT_ROOT,
    )
    children.append(web)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        if _wait_until_healthy(f"http://{host}:{port}/healthz", timeout=60):
            click.echo(f"Rehearse is up at http://{host}:{port}  (Ctrl-C stops it)")
        web.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=15)
    sys.exit(web.returncode or 0)
