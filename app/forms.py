"""What every page's form shares: the button-only form, and a service's refusal shown on the
fields it names."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field

from app.services.errors import ValidationError


class PlainForm(FlaskForm):
    """A button's form: only the CSRF token."""


def show_errors(form: FlaskForm, error: ValidationError, fallback: Field) -> None:
    """Put each message of ``error`` under the field it names, or under ``fallback`` when the
    form has no such field (a service field the page shows another way)."""
    for name, message in error.errors.items():
        target = form._fields.get(name, fallback)
        target.errors = [*target.errors, message]
