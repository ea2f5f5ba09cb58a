"""``rehearse backup`` and ``rehearse restore``: a consistent snapshot of the database, and back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.services import backups


@click.command("backup")
@click.argument("path", required=False)
@with_appcontext
def backup(path: str | None) -> None:
    """Write a consistent snapshot of the database to PATH (default: instance/backups/)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if path is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        suffix = "sqlite3" if url.startswith("sqlite") else "dump"
        path = str(Path(current_app.instance_path) / "backups" / f"rehearse-{stamp}.{suffix}")
    try:
        written = backups.backup(url, Path(path))
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup: {written} ({written.stat().st_size / 2**20:.1f} MiB)")


@click.command("restore")
@click.argument("path")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore(path: str, yes: bool) -> None:
    """Replace the database with the snapshot at PATH (stop the web server and scheduler first)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        click.confirm(f"Replace every table of {url.split('@')[-1]} with {path}?", abort=True)
    try:
        backups.restore(url, Path(path))
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored: {path}")
