"""Jinja filters and globals the templates share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_login import current_user
from markupsafe import Markup

from app.domain.render import render_inline, render_markdown


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    signed_in_only: bool = False


# Features add their pages here; the base layout shows those the visitor can use.
NAVIGATION: list[NavItem] = []


def viewer_zone() -> ZoneInfo:
    """The signed-in learner's time zone, or UTC."""
    name = getattr(current_user, "timezone", None) if current_user else None
    return _zone(name or "UTC")


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def nav_items(user: object) -> list[tuple[str, str]]:
    signed_in = bool(getattr(user, "is_authenticated", False))
    return [(i.endpoint, i.label) for i in NAVIGATION if signed_in or not i.signed_in_only]


def register(app: Flask) -> None:
    @app.template_filter("datetime")
    def format_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A moment in the viewer's own time zone (UTC for a visitor), with the zone's name."""
        if value is None:
            return "—"
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        local = moment.astimezone(viewer_zone())
        return f"{local.strftime(fmt)} {local.tzname()}"

    @app.template_filter("pct")
    def percent_class(part: float, whole: float = 100) -> str:
        """A width as a class, ``w-0`` to ``w-100`` (app.css): pages carry no inline styles, so the
        Content-Security-Policy can refuse them."""
        share = 100 * part / whole if whole else 0
        return f"w-{max(0, min(100, round(share)))}"

    @app.template_filter("wait")
    def format_wait(seconds: int) -> str:
        """A short wait in words: "in 40 seconds", "in 8 minutes", "in 2 hours"."""
        if seconds < 60:
            return f"in {seconds} second{'s' if seconds != 1 else ''}"
        minutes = round(seconds / 60)
        if minutes < 60:
            return f"in {minutes} minute{'s' if minutes != 1 else ''}"
        hours = round(minutes / 60)
        return f"in {hours} hour{'s' if hours != 1 else ''}"

    @app.template_filter("markdown")
    def markdown(text: str | None) -> Markup:
        """Render author Markdown; the renderer sanitises its output, so it is safe to mark."""
        return Markup(render_markdown(text or ""))

    @app.template_filter("markdown_inline")
    def markdown_inline(text: str | None) -> Markup:
        return Markup(render_inline(text or ""))

    app.jinja_env.globals["nav_items"] = nav_items
