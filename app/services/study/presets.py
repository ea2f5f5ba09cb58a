"""Preset versions: rows to the scheduler's presets and back, and adding a version."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain import scheduling as fsrs
from app.extensions import db
from app.models import (
    Enrolment,
    Preset,
)
from app.services.errors import ValidationError
from app.services.study.learners import forget_plans


def preset_row(enrolment: Enrolment, values: Mapping[str, Any], now: datetime) -> Preset:
    return Preset(enrolment_id=enrolment.id, created_at=now, **values)


def stored_values(preset: fsrs.Preset) -> dict[str, Any]:
    return {
        "desired_retention": preset.desired_retention,
        "new_per_day": preset.new_per_day,
        "max_reviews_per_day": preset.max_reviews_per_day,
        "learning_steps": fsrs.format_steps(preset.learning_steps),
        "relearning_steps": fsrs.format_steps(preset.relearning_steps),
        "maximum_interval": preset.maximum_interval,
        "parameters": list(preset.parameters),
        "leech_threshold": preset.leech_threshold,
        "leech_suspend": preset.leech_suspend,
    }


def current_preset_row(enrolment: Enrolment) -> Preset:
    return enrolment.presets[-1]


@functools.lru_cache(maxsize=1024)
def _domain_preset(values: tuple[tuple[str, Any], ...]) -> fsrs.Preset:
    return fsrs.make_preset(**dict(values))


def domain_preset(row: Preset) -> fsrs.Preset:
    return preset_from_values(row.values())


def preset_from_values(stored: Mapping[str, Any]) -> fsrs.Preset:
    """The scheduler's preset for a preset version's stored values (made once per distinct set)."""
    values = dict(stored)
    values["parameters"] = tuple(values["parameters"])
    return _domain_preset(tuple(sorted(values.items())))


def add_preset_version(
    enrolment: Enrolment, changes: Mapping[str, Any], *, now: datetime
) -> Preset:
    """Validate every field at once; a real change adds a preset version (not committed)."""
    current = current_preset_row(enrolment)
    merged = current.values()
    merged.update(changes)
    try:
        preset = fsrs.make_preset(**merged)
    except fsrs.PresetError as error:
        raise ValidationError(dict(error.errors)) from None
    values = stored_values(preset)
    if values == current.values():
        return current
    row = preset_row(enrolment, values, now)
    enrolment.presets.append(row)
    db.session.flush()
    forget_plans(enrolment.user_id, now)
    return row
