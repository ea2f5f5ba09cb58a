"""The ``rehearse`` command: Flask's commands (``db``, ``run``, ``shell``) and the project's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from app.clock import now
from app.config import PROJECT_ROOT


def main() -> None:
    """Entry point of the ``rehearse`` console script: Flask finds the factory itself."""
    os.environ.setdefault("FLASK_APP", "app:create_app")
    group = FlaskGroup(
        help="Rehearse: spaced repetition for the trade-offs of backend engineering.",
        add_version_option=False,  # Flask's would print Flask's version
    )
    click.version_option(package_name="rehearse", prog_name="Rehearse")(group)
    group()


def register(app: Flask) -> None:
    from app.cli_backup import backup, restore

    app.cli.add_command(up)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(banks_cli)
    app.cli.add_command(cards_cli)
    app.cli.add_command(scheduler_cli)


banks_cli = AppGroup("banks", help="Check, preview and load the question banks.")


def _banks_root(path: str | None) -> Path:
    return Path(path) if path else Path(current_app.config["BANKS_PATH"])


def _echo_problems(problems: list[Any]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _load(path: str | None) -> Any:
    from app.services import banks

    try:
        return banks.check(_banks_root(path))
    except banks.MissingPath as error:
        raise click.ClickException(error.message) from None


@banks_cli.command("check")
@click.argument("path", required=False)
def banks_check(path: str | None) -> None:
    """Validate every article and track; print each problem as file:line: message."""
    bank = _load(path)
    _echo_problems(list(bank.problems))
    click.echo(
        f"{len(bank.articles)} articles, {len(bank.tracks)} tracks, "
        f"{len(bank.questions)} questions; "
        f"{len(bank.errors)} error(s), {len(bank.warnings)} warning(s)"
    )
    if bank.errors:
        sys.exit(1)


@banks_cli.command("lint")
@click.argument("path", required=False)
@click.option("--strict", is_flag=True, help="Exit non-zero when any question is flagged.")
def banks_lint(path: str | None, strict: bool) -> None:
    """Report questions per kind and every question that breaks a quality rule, as file:line."""
    from app.domain.banks import read_sources
    from app.domain.banks.lint import lint

    root = _banks_root(path)
    if not root.exists():
        raise click.ClickException(f"{root}: no such file or folder")
    report = lint(read_sources(root))
    for flag in report.flags:
        click.echo(str(flag))
    bank = report.bank
    click.echo(f"\n{len(bank.questions)} questions from {len(bank.articles)} articles")
    for kind, count in report.per_kind.items():
        click.echo(f"  {kind:<22} {count:>6}")
    click.echo(f"{len(report.flags)} flagged")
    for rule, count in report.per_rule.items():
        click.echo(f"  {rule:<28} {count:>6}")
    if bank.errors:
        click.echo(f"{len(bank.errors)} error(s): run 'rehearse banks check'", err=True)
    if strict and (report.flags or bank.errors):
        sys.exit(1)


@banks_cli.command("sample")
@click.argument("path", required=False)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--count", type=int, default=40, show_default=True)
@click.option(
    "--only",
    "only_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Draw only from the articles whose keys this file lists, one per line.",
)
def banks_sample(path: str | None, seed: int, count: int, only_file: str | None) -> None:
    """Print COUNT questions drawn at random by SEED, as a learner sees them: a blind review."""
    import random

    from app.domain.banks import read_sources
    from app.domain.banks.build import build_bank
    from app.domain.questions import presented_choices

    root = _banks_root(path)
    if not root.exists():
        raise click.ClickException(f"{root}: no such file or folder")
    bank = build_bank(read_sources(root))
    titles = {article.key: article.title for article in bank.articles}
    pool = list(bank.questions)
    if only_file:
        lines = Path(only_file).read_text("utf-8").splitlines()
        wanted = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
        pool = [q for q in pool if q.article_key in wanted]
    drawn = random.Random(seed).sample(pool, min(count, len(pool)))
    click.echo(f"# {len(drawn)} questions drawn with random.Random({seed}) from {root}")
    for number, q in enumerate(drawn, 1):
        click.echo(f"\n## Q{number} ({titles[q.article_key]}; {q.key})\n\n{q.prompt.strip()}\n")
        shown = presented_choices(q.choices, f"review:{q.key}", fixed=q.fixed_order)
        for position, (choice, text) in enumerate(shown):
            mark = " (key)" if choice == q.correct else ""
            click.echo(f"- {'abcdefgh'[position]}) {text}{mark}")
        if q.cloze_answer:
            also = f" (also accepted: {'; '.join(q.accepted)})" if q.accepted else ""
            click.echo(f"Typed answer: {q.cloze_answer}{also}")
        click.echo(f"\nAnswer: {q.answer.strip()}")
        if q.explanation:
            click.echo(f"\nExplanation: {q.explanation.strip()}")


def sync_banks(path: str | None = None, prune: bool = False) -> None:
    from app.services import banks

    root = _banks_root(path)
    try:
        report = banks.sync(
            root, now=now(), banks_root=Path(current_app.config["BANKS_PATH"]), prune=prune
        )
    except banks.MissingPath as error:
        raise click.ClickException(error.message) from None
    except banks.BankInvalid as error:
        _echo_problems(error.problems)
        raise click.ClickException(f"{error.message} (run 'rehearse banks check')") from None
    _echo_problems(report.warnings)
    click.echo(f"banks: {root}")
    click.echo(f"articles:  {report.articles}")
    click.echo(f"questions: {report.questions}")
    click.echo(f"tracks:    {report.tracks}")
    for table, keys in report.kept_outside.items():
        if keys:
            click.echo(
                f"kept {len(keys)} {table} from outside {report.scope} that it does not hold "
                f"(--prune retires them): {', '.join(sorted(keys))}"
            )
    if not report.changed:
        click.echo("no change")


@banks_cli.command("sync")
@click.argument("path", required=False)
@click.option(
    "--prune",
    is_flag=True,
    help="Also retire loaded articles and tracks from outside PATH that PATH does not hold.",
)
def banks_sync(path: str | None, prune: bool) -> None:
    """Apply the banks to the database in one transaction, all or nothing."""
    sync_banks(path, prune)


@banks_cli.command("preview")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def banks_preview(file: Path) -> None:
    """Print the questions one article generates, as a learner would meet them."""
    from app.services import banks

    # Inside the banks, the other articles supply the key trade-off distractors.
    read_root, scope = banks.scope_of(file, Path(current_app.config["BANKS_PATH"]))
    bank = banks.restrict(banks.load_bank(read_root), scope)
    _echo_problems(list(bank.problems))
    for number, q in enumerate(bank.questions, 1):
        click.echo(f"\n#{number} [{q.kind}] {q.key}  ({q.path}:{q.line})")
        click.echo(f"Q: {q.prompt}")
        for index, choice in enumerate(q.choices):
            mark = "*" if index == q.correct else " "
            click.echo(f"  {mark} {chr(97 + index)}) {choice}")
        if q.cloze_answer:
            accepted = f" (also: {'; '.join(q.accepted)})" if q.accepted else ""
            click.echo(f"Cloze: {q.cloze_answer}{accepted}")
        click.echo(f"A: {q.answer}")
        if q.explanation:
            click.echo(f"Why: {q.explanation}")
    for article in bank.articles:
        click.echo(f"\nMock interview on {article.key}: {article.interview_prompt}")
        for number, point in enumerate(article.rubric, 1):
            click.echo(f"  {number:2d}. [{point.source}] {point.text}")
    click.echo(f"\n{len(bank.questions)} questions from {file}")
    if bank.errors:
        sys.exit(1)


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


cards_cli = AppGroup("cards", help="Look after learners' cards.")


@cards_cli.command("verify")
@click.option("--user-id", type=int, help="Only this learner's cards.")
def cards_verify(user_id: int | None) -> None:
    """Replay every card's review log and report cards whose stored state differs."""
    from app.services import integrity

    checked, mismatches = integrity.verify_cards(user_id=user_id)
    for m in mismatches:
        click.echo(
            f"card {m.card_id} (user {m.user_id}): {m.field} stored {m.stored!r}, "
            f"replay gives {m.replayed!r}",
            err=True,
        )
    bad = len({m.card_id for m in mismatches})
    click.echo(f"{checked} cards checked, {bad} differ from their review log")
    if mismatches:
        sys.exit(1)


scheduler_cli = AppGroup("scheduler", help="The scheduler process and its jobs.")


@scheduler_cli.command("run")
def scheduler_run() -> None:
    """Run the scheduler process (one per deployment; a second one waits as a standby)."""
    from app.jobs import SchedulerRunner

    port = int(current_app.config.get("SCHEDULER_METRICS_PORT") or 0)
    if port:
        from prometheus_client import start_http_server

        from app.observability import REGISTRY

        start_http_server(port, addr="127.0.0.1", registry=REGISTRY)
        click.echo(f"scheduler: job metrics at http://127.0.0.1:{port}/metrics")
    click.echo("scheduler: waiting for the lease, then running jobs (Ctrl-C stops)")
    SchedulerRunner(current_app._get_current_object()).run_forever()  # type: ignore[attr-defined]


@scheduler_cli.command("jobs")
def scheduler_jobs() -> None:
    """List the scheduled jobs."""
    from app.jobs import JOBS

    for spec in JOBS:
        click.echo(f"{spec.id:<14} {spec.trigger}  {spec.description}")


@scheduler_cli.command("run-job")
@click.argument("job_id")
def scheduler_run_job(job_id: str) -> None:
    """Run one job now, in this process."""
    from app.jobs import JOBS, run_job

    if job_id not in {spec.id for spec in JOBS}:
        raise click.BadParameter(f"choose one of {', '.join(spec.id for spec in JOBS)}")
    run_job(job_id, current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"{job_id}: done")


def gunicorn_command(host: str, port: int, workers: int, instance_path: str) -> list[str]:
    """The web server of ``rehearse up``."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "wsgi:app",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "8",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
        # One control socket per instance: by default every gunicorn on a machine shares one.
        "--control-socket",
        os.path.join(instance_path, f"gunicorn-{port}.ctl"),
    ]


def web_workers(requested: int, storage_uri: str) -> tuple[int, str]:
    """How many gunicorn worker processes ``rehearse up`` runs, and what to say about limits.

    In-memory rate-limit counters live in one process: with more workers each keeps its own and
    the limits multiply. Without shared storage (REDIS_URL) one worker, with threads, keeps them
    exact."""
    if storage_uri.startswith("memory") and requested > 1:
        return 1, (
            f"rate limits: in memory, so 1 worker process (not {requested}) keeps them exact; "
            "set REDIS_URL to run more"
        )
    where = "in memory" if storage_uri.startswith("memory") else "shared (Redis)"
    return requested, f"rate limits: {where}, exact across {requested} worker(s)"


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
    sync_banks()
    env = dict(os.environ, FLASK_APP="app:create_app")
    children: list[subprocess.Popen[bytes]] = []
    if not no_scheduler:
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "app", "scheduler", "run"], env=env, cwd=PROJECT_ROOT
            )
        )
        click.echo("scheduler: started")
    workers, limits = web_workers(workers, current_app.config["RATELIMIT_STORAGE_URI"])
    click.echo(limits)
    web = subprocess.Popen(
        gunicorn_command(host, port, workers, current_app.instance_path),
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
