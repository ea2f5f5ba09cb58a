"""Enrolling in a track, leaving it, and changing an enrolment's preset."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.domain import scheduling as fsrs
from app.extensions import db
from app.models import (
    Card,
    Enrolment,
    Preset,
    Question,
    Track,
    TrackArticle,
)
from app.services.concurrency import one_change
from app.services.errors import Conflict, NotFound
from app.services.study.learners import forget_plans
from app.services.study.presets import add_preset_version, preset_row, stored_values


def list_enrolments(user_id: int) -> list[Enrolment]:
    """The learner's current enrolments, oldest first (a left track is not listed)."""
    # Track and presets come in the same query: every caller reads the preset in force, and
    # the API reads the track (two lazy loads per request otherwise).
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .options(joinedload(Enrolment.track), joinedload(Enrolment.presets))
            .where(Enrolment.user_id == user_id, Enrolment.left_at.is_(None))
            .order_by(Enrolment.created_at, Enrolment.id)
        ).unique()
    )


def get_enrolment(user_id: int, enrolment_id: int) -> Enrolment:
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.user_id != user_id or enrolment.left_at is not None:
        raise NotFound(f"no enrolment {enrolment_id}")
    return enrolment


def _any_enrolment_for_track(user_id: int, track_key: str) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment)
        .join(Track, Track.id == Enrolment.track_id)
        .where(Enrolment.user_id == user_id, Track.key == track_key)
    )


def enrolment_for_track(user_id: int, track_key: str) -> Enrolment | None:
    enrolment = _any_enrolment_for_track(user_id, track_key)
    return enrolment if enrolment is not None and enrolment.left_at is None else None


def enrol(user_id: int, track_key: str, *, now: datetime) -> Enrolment:
    """Enrol in a track with the default preset; enrolling twice returns the first enrolment.

    Enrolling again in a track one left brings that enrolment back, with its preset and cards.
    """
    track = db.session.scalar(
        sa.select(Track).where(Track.key == track_key, Track.retired_at.is_(None))
    )
    if track is None or track.owner_id not in (None, user_id):  # another learner's own deck
        raise NotFound(f"no track {track_key!r}")
    enrolment = _any_enrolment_for_track(user_id, track_key)
    if enrolment is not None and enrolment.left_at is None:
        return enrolment
    try:
        with one_change():
            enrolment = enrolment_row(user_id, track, now)
            db.session.commit()
    except Conflict:
        # Enrolled at the same moment by another request: that enrolment is this one.
        existing = enrolment_for_track(user_id, track_key)
        if existing is None:
            raise
        return existing
    return enrolment


def enrolment_row(user_id: int, track: Track, now: datetime) -> Enrolment:
    """The learner's enrolment in ``track``, made (with the default preset) or brought back,
    within the caller's transaction."""
    enrolment = _any_enrolment_for_track(user_id, track.key)
    if enrolment is not None and enrolment.left_at is None:
        return enrolment
    if enrolment is None:
        enrolment = Enrolment(user_id=user_id, track_id=track.id, created_at=now)
        db.session.add(enrolment)
        db.session.flush()
        db.session.add(preset_row(enrolment, stored_values(fsrs.Preset()), now))
        db.session.flush()
    else:
        enrolment.left_at = None
    # Cards kept from tracks the learner left come back under this one if it covers them.
    for card in _homeless_cards_in_track(user_id, track.id):
        card.enrolment_id = enrolment.id
    forget_plans(user_id, now)
    return enrolment


def _homeless_cards_in_track(user_id: int, track_id: int) -> list[Card]:
    left = sa.select(Enrolment.id).where(
        Enrolment.user_id == user_id, Enrolment.left_at.is_not(None)
    )
    return list(
        db.session.scalars(
            sa.select(Card)
            .join(Question, Question.id == Card.question_id)
            .join(TrackArticle, TrackArticle.article_id == Question.article_id)
            .where(
                Card.user_id == user_id,
                sa.or_(Card.enrolment_id.is_(None), Card.enrolment_id.in_(left)),
                TrackArticle.track_id == track_id,
            )
        )
    )


def leave(user_id: int, enrolment_id: int, *, now: datetime) -> None:
    """Leave a track. Cards keep their history; those another enrolment also covers move there.

    The enrolment is kept, marked left, so its preset versions stay and every review it scheduled
    can still be replayed exactly; enrolling again brings it back.
    """
    with one_change():
        _leave(user_id, get_enrolment(user_id, enrolment_id), now)


def _leave(user_id: int, enrolment: Enrolment, now: datetime) -> None:
    others = [e for e in list_enrolments(user_id) if e.id != enrolment.id]
    cards = list(db.session.scalars(sa.select(Card).where(Card.enrolment_id == enrolment.id)))
    if others and cards:
        article_ids = {c.question.article_id for c in cards}
        covering = db.session.execute(
            sa.select(TrackArticle.article_id, TrackArticle.track_id).where(
                TrackArticle.article_id.in_(article_ids),
                TrackArticle.track_id.in_([e.track_id for e in others]),
            )
        ).all()
        by_track = {e.track_id: e for e in others}
        home: dict[int, Enrolment] = {}
        for article_id, track_id in covering:
            candidate = by_track[track_id]
            if article_id not in home or candidate.created_at < home[article_id].created_at:
                home[article_id] = candidate
        for card in cards:
            new_home = home.get(card.question.article_id)
            if new_home is not None:
                card.enrolment_id = new_home.id
    enrolment.left_at = now
    forget_plans(user_id, now)
    db.session.commit()


def update_preset(
    user_id: int, enrolment_id: int, raw: Mapping[str, Any], *, now: datetime
) -> Preset:
    with one_change():
        enrolment = get_enrolment(user_id, enrolment_id)
        row = add_preset_version(enrolment, raw, now=now)
        db.session.commit()
    return row
