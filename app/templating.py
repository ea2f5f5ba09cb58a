"""Jinja filters and globals the templates share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from markupsafe import Markup

from app.domain.render import render_inline, render_markdown


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    signed_in_only: bool = False


# Features add their pages here; the base layout shows those the visitor can use.
NAVIGATION: list[NavItem] = []


def nav_items(user: object) -> list[tuple[str, str]]:
    signed_in = bool(getattr(user, "is_authenticated", False))
    return [(i.endpoint, i.label) for i in NAVIGATION if signed_in or not i.signed_in_only]


def register(app: Flask) -> None:
    @app.template_filter("datetime")
    def format_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
        return value.strftime(fmt) if value else "—"

    @app.template_filter("markdown")
    def markdown(text: str | None) -> Markup:
        """Render author Markdown; the renderer sanitises its output, so it is safe to mark."""
        return Markup(render_markdown(text or ""))

    @app.template_filter("markdown_inline")
    def markdown_inline(text: str | None) -> Markup:
        return Markup(render_inline(text or ""))

    app.jinja_env.globals["nav_items"] = nav_items
