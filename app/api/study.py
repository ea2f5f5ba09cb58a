"""API: enrolments, presets and the daily review."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify, request
from werkzeug.wrappers import Response

from app.api import ID_MAX, bp
from app.clock import now
from app.domain.render import render_inline, render_markdown
from app.models import Card, Enrolment
from app.services import study
from app.services.errors import ValidationError


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError({"body": "Send a JSON object with Content-Type: application/json."})
    return body


def _int_field(
    body: dict[str, Any], name: str, *, required: bool = True, bounds: tuple[int, int] | None = None
) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationError({name: "This field is required."})
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({name: "Use a whole number."})
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise ValidationError({name: f"Use a whole number from {bounds[0]} to {bounds[1]}."})
    return value


def _bool_field(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ValidationError({name: "Use true or false."})
    return value


def _str_field(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationError({name: "This field is required."})
        return None
    if not isinstance(value, str):
        raise ValidationError({name: "Use a string."})
    if "\0" in value:  # PostgreSQL cannot store it, and no key contains it
        raise ValidationError({name: "Remove the NUL character."})
    return value


def enrolment_json(enrolment: Enrolment) -> dict[str, Any]:
    preset = study.current_preset_row(enrolment)
    return {
        "id": enrolment.id,
        "track": enrolment.track.key,
        "track_title": enrolment.track.title,
        "created_at": enrolment.created_at.isoformat(),
        "preset": preset.values(),
    }


def counts_json(counts: study.Counts) -> dict[str, int]:
    return {
        "new": counts.new,
        "learning": counts.learning,
        "review": counts.review,
        "done_today": counts.done_today,
    }


def card_json(card: Card) -> dict[str, Any]:
    return {
        "question_id": card.question_id,
        "version": card.version,
        "state": ["new", "learning", "review", "relearning"][card.state],
        "due": card.due.isoformat() if card.due else None,
        "suspended": card.suspended,
        "buried_until": card.buried_until.isoformat() if card.buried_until else None,
        "leech": card.leech,
        "lapses": card.lapses,
        "reps": card.reps,
    }


@bp.get("/enrolments")
def list_enrolments() -> Response:
    return jsonify(
        {"enrolments": [enrolment_json(e) for e in study.list_enrolments(g.api_user.id)]}
    )


@bp.post("/enrolments")
def create_enrolment() -> tuple[Response, int]:
    track = _str_field(_body(), "track", required=True)
    already = study.enrolment_for_track(g.api_user.id, track or "")
    enrolment = study.enrol(g.api_user.id, track or "", now=now())
    return jsonify(enrolment_json(enrolment)), 200 if already else 201


@bp.delete("/enrolments/<int:enrolment_id>")
def delete_enrolment(enrolment_id: int) -> tuple[str, int]:
    study.leave(g.api_user.id, enrolment_id, now=now())
    return "", 204


@bp.get("/enrolments/<int:enrolment_id>/preset")
def get_preset(enrolment_id: int) -> Response:
    enrolment = study.get_enrolment(g.api_user.id, enrolment_id)
    return jsonify(study.current_preset_row(enrolment).values())


@bp.patch("/enrolments/<int:enrolment_id>/preset")
def update_preset(enrolment_id: int) -> Response:
    row = study.update_preset(g.api_user.id, enrolment_id, _body(), now=now())
    return jsonify(row.values())


@bp.get("/study/today")
def today() -> Response:
    state = study.today(g.api_user.id, now=now(), track_key=request.args.get("track") or None)
    return jsonify(
        {
            "date": state.day.date.isoformat(),
            "day_start": state.day.start.isoformat(),
            "day_end": state.day.end.isoformat(),
            "counts": counts_json(state.counts),
            "next_due": state.next_due.isoformat() if state.next_due else None,
        }
    )


@bp.get("/study/next")
def next_card() -> Response:
    state = study.today(g.api_user.id, now=now(), track_key=request.args.get("track") or None)
    item = state.item
    card: dict[str, Any] | None = None
    if item is not None:
        question = item.question
        shown = study.presented_choices(g.api_user.id, question, item.version)
        card = {
            "question_id": question.id,
            "version": item.version,
            "source": item.source.name.lower(),
            "kind": question.kind,
            "mode": item.mode.value,
            "prompt": question.prompt,
            "prompt_html": render_markdown(question.prompt),
            # In the order this learner sees them for this review; answer with the choice's id.
            "choices": [text for _, text in shown],
            "choices_html": [render_inline(text) for _, text in shown],
            "choice_ids": [number for number, _ in shown],
            "article": {"key": question.article.key, "title": question.article.title},
            "track": item.track_key,
        }
    return jsonify(
        {
            "counts": counts_json(state.counts),
            "card": card,
            "next_due": state.next_due.isoformat() if state.next_due else None,
        }
    )


@bp.post("/study/answers")
def answer() -> tuple[Response, int]:
    body = _body()
    result = study.answer(
        g.api_user.id,
        review_id=_str_field(body, "review_id", required=True) or "",
        question_id=_int_field(body, "question_id", bounds=(0, ID_MAX)) or 0,
        version=_int_field(body, "version", bounds=(0, ID_MAX)) or 0,
        rating=_int_field(body, "rating", required=False),
        response=_str_field(body, "response"),
        duration_ms=_int_field(body, "duration_ms", required=False),
        now=now(),
        fuzz=current_app.config["SCHEDULER_FUZZ"],
        track_key=_str_field(body, "track"),
        overrule=_bool_field(body, "overrule"),
    )
    return jsonify(
        {
            "review_id": result.review_id,
            "question_id": result.question_id,
            "rating": int(result.rating),
            "correct": result.correct,
            "expected": result.expected,
            "answer": result.answer,
            "explanation": result.explanation,
            "state": result.state.name.lower(),
            "due": result.due.isoformat() if result.due else None,
            "interval_days": round(result.interval_days, 6),
            "version": result.version,
            "leech": result.leech,
            "suspended": result.suspended,
            "replayed": result.replayed,
        }
    ), (200 if result.replayed else 201)


@bp.post("/study/undo")
def undo() -> Response:
    question_id = study.undo(g.api_user.id, now=now())
    return jsonify({"question_id": question_id})


@bp.post("/study/cards/<int:question_id>/<any(suspend, unsuspend, bury):action>")
def card_action(question_id: int, action: str) -> Response:
    handler = {"suspend": study.suspend, "unsuspend": study.unsuspend, "bury": study.bury}[action]
    card = handler(g.api_user.id, question_id, now=now())
    return jsonify(card_json(card))


@bp.get("/study/leeches")
def leeches() -> Response:
    return jsonify({"leeches": [card_json(c) for c in study.leeches(g.api_user.id)]})
