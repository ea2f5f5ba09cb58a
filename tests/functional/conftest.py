"""Fixtures for browser tests: a live server in a thread and a headless Chromium page.

Chromium is Debian's (``/usr/bin/chromium``), never one Playwright downloads. Without it the browser
tests are skipped, unless ``REHEARSE_REQUIRE_BROWSER=1`` (as in CI) makes that a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 5_000


@pytest.fixture
def live_server(make_app: Any) -> Iterator[Callable[[Flask], str]]:
    """``live_server(app)`` serves ``app`` from a daemon thread and returns its base URL.

    Build the app with ``make_app`` and commit (or roll back) any session work in the test's own
    app context before driving a browser: the server's requests run in their own contexts, on their
    own connections, and an open transaction in the test would block them on SQLite. Depending on
    ``make_app`` makes the servers stop before its teardown empties the tables.
    """
    running: list[tuple[BaseWSGIServer, threading.Thread]] = []

    def start(app: Flask) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(
            target=server.serve_forever, name=f"live-server-{server.server_port}", daemon=True
        )
        thread.start()
        running.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module.

    Not per session: while Playwright's sync API is running, the main thread counts as inside an
    event loop (``asyncio.run`` refuses to start), so it is stopped as soon as a module is done.
    """
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("REHEARSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"REHEARSE_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh page (its own cookies) on a laptop-sized viewport."""
    context = chromium.new_context(viewport=LAPTOP, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(2 * TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def log_in_page(page: Any, base: str, email: str) -> None:
    """Sign in through the login form, as a learner would (the factories' password)."""
    from tests.factories import PASSWORD

    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
