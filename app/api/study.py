"""API: enrolments, presets and the daily review."""

from __future__ import annotations

from flask import current_app, g

from app.api import bp
from app.api.schemas.study import (
    AnswerRequest,
    AnswerResult,
    ArticleRef,
    Card,
    CardStateName,
    CheckRequest,
    CheckResult,
    Counts,
    Enrolment,
    EnrolmentCreate,
    Enrolments,
    KindName,
    Leeches,
    MoreNew,
    MoreNewResult,
    Next,
    NextCard,
    Preset,
    PresetUpdate,
    SourceName,
    Today,
    TrackQuery,
    Undone,
)
from app.api.spec import responses, spec
from app.clock import now
from app.domain.render import render_inline, render_markdown
from app.domain.scheduling import describe_interval
from app.models import Card as CardRow
from app.models import Enrolment as EnrolmentRow
from app.services import study
from app.services.errors import ValidationError

ANSWER_DESCRIPTION = f"""\
**Idempotent by `review_id`.** The client picks a new `review_id` (1 to {study.REVIEW_ID_MAX} \
characters) for each answer. The first request with it records the answer and returns **201**; \
sending the same `review_id` again (a retry after a timeout, say) records nothing and returns \
**200** with the first result and `"replayed": true`; a different rating or response in the retry \
is not applied. Reusing a `review_id` for a different question is a **409**.

**Version check.** `version` is the card version /study/next returned (0 for a new question). If \
the card changed since (another tab or device answered, suspended or buried it), nothing is \
recorded and the answer is a **409** conflict: fetch /study/next again.

A wrong choice or cloze answer is recorded as Again (1) whatever `rating` says. A missing or wrong \
field, a rating outside 1-4, or a response that cannot be graded is a **422** naming the field.
"""


def _enrolment(enrolment: EnrolmentRow) -> Enrolment:
    return Enrolment(
        id=enrolment.id,
        track=enrolment.track.key,
        track_title=enrolment.track.title,
        created_at=enrolment.created_at,
        preset=Preset(**study.current_preset_row(enrolment).values()),
    )


def _counts(counts: study.Counts) -> Counts:
    return Counts(
        new=counts.new,
        learning=counts.learning,
        review=counts.review,
        done_today=counts.done_today,
    )


def card_reply(card: CardRow) -> Card:
    return Card(
        question_id=card.question_id,
        version=card.version,
        state=CardStateName(card.state.name.lower()),
        due=card.due,
        suspended=card.suspended,
        buried_until=card.buried_until,
        leech=card.leech,
        flagged=card.flagged,
        lapses=card.lapses,
        reps=card.reps,
    )


@bp.get("/enrolments")
@spec.validate(resp=responses({200: (Enrolments, "The enrolments")}), operation_id="listEnrolments")
def list_enrolments() -> Enrolments:
    """The caller's enrolments, oldest first"""
    return Enrolments(enrolments=[_enrolment(e) for e in study.list_enrolments(g.api_user.id)])


@bp.post("/enrolments")
@spec.validate(
    json=EnrolmentCreate,
    resp=responses(
        {
            201: (Enrolment, "The new or restored enrolment"),
            200: (Enrolment, "The enrolment you already had"),
        },
        404,
        422,
    ),
    operation_id="createEnrolment",
)
def create_enrolment(json: EnrolmentCreate) -> tuple[Enrolment, int]:
    """Enrol in a track

    Enrols with the default preset (201). Enrolling again in a track you are enrolled in changes
    nothing and returns that enrolment (200). Enrolling again in a track you left brings back its
    enrolment, preset and cards (201).
    """
    already = study.enrolment_for_track(g.api_user.id, json.track)
    enrolment = study.enrol(g.api_user.id, json.track, now=now())
    return _enrolment(enrolment), 200 if already else 201


@bp.delete("/enrolments/<int:enrolment_id>")
@spec.validate(resp=responses({204: (None, "Left")}, 404), operation_id="deleteEnrolment")
def delete_enrolment(enrolment_id: int) -> tuple[str, int]:
    """Leave a track

    Cards keep their history; cards another enrolment also covers move there. Enrolling in the
    track again brings the rest back.
    """
    study.leave(g.api_user.id, enrolment_id, now=now())
    return "", 204


@bp.get("/enrolments/<int:enrolment_id>/preset")
@spec.validate(resp=responses({200: (Preset, "The preset")}, 404), operation_id="getPreset")
def get_preset(enrolment_id: int) -> Preset:
    """The enrolment's preset in force"""
    enrolment = study.get_enrolment(g.api_user.id, enrolment_id)
    return Preset(**study.current_preset_row(enrolment).values())


@bp.patch("/enrolments/<int:enrolment_id>/preset")
@spec.validate(
    json=PresetUpdate,
    resp=responses({200: (Preset, "The preset now in force")}, 404, 409, 422),
    operation_id="updatePreset",
)
def update_preset(enrolment_id: int, json: PresetUpdate) -> Preset:
    """Change some preset fields

    A real change adds a new preset version (earlier versions are kept so each review can be
    replayed with the settings it was made under); sending the current values changes nothing.
    An invalid value changes nothing and the 422 names every wrong field.
    """
    changes = json.model_dump(exclude_unset=True)
    row = study.update_preset(g.api_user.id, enrolment_id, changes, now=now())
    return Preset(**row.values())


@bp.post("/enrolments/<int:enrolment_id>/more-new")
@spec.validate(
    json=MoreNew,
    resp=responses({200: (MoreNewResult, "Today's limit raised")}, 404, 409, 422),
    operation_id="studyMoreNew",
)
def more_new(enrolment_id: int, json: MoreNew) -> MoreNewResult:
    """Custom study: more new cards today

    Raises this track's new card limit for the caller's current study day only (as Anki's
    "increase today's new card limit"); the next /study/next offers them.
    """
    extra = study.study_more_new(g.api_user.id, enrolment_id, json.count, now=now())
    return MoreNewResult(extra_today=extra)


@bp.get("/study/today")
@spec.validate(
    query=TrackQuery,
    resp=responses({200: (Today, "Today")}, 404, 422),
    operation_id="getToday",
)
def today(query: TrackQuery) -> Today:
    """Today's study day and queue counts"""
    state = study.today(g.api_user.id, now=now(), track_key=query.track or None)
    return Today(
        date=state.day.date,
        day_start=state.day.start,
        day_end=state.day.end,
        counts=_counts(state.counts),
        next_due=state.next_due,
    )


@bp.get("/study/next")
@spec.validate(
    query=TrackQuery,
    resp=responses({200: (Next, "The next card, or null when done for today")}, 404, 422),
    operation_id="getNextCard",
)
def next_card(query: TrackQuery) -> Next:
    """The next card to study"""
    state = study.today(g.api_user.id, now=now(), track_key=query.track or None)
    item = state.item
    card = None
    if item is not None:
        question = item.question
        shown = study.presented_choices(g.api_user.id, question, item.version)
        card = NextCard(
            question_id=question.id,
            version=item.version,
            source=SourceName(item.source.name.lower()),
            kind=KindName(question.kind),
            mode=item.mode,
            prompt=question.prompt,
            prompt_html=render_markdown(question.prompt),
            choices=[text for _, text in shown],
            choices_html=[render_inline(text) for _, text in shown],
            choice_ids=[number for number, _ in shown],
            article=ArticleRef(key=question.article.key, title=question.article.title),
            track=item.track_key,
        )
    return Next(counts=_counts(state.counts), card=card, next_due=state.next_due)


@bp.post("/study/answers")
@spec.validate(
    json=AnswerRequest,
    resp=responses(
        {
            201: (AnswerResult, "Recorded"),
            200: (AnswerResult, "Already recorded under this review id: the first result"),
        },
        404,
        409,
        422,
    ),
    operation_id="answerCard",
)
def answer(json: AnswerRequest) -> tuple[AnswerResult, int]:
    """Answer a card (idempotent by review_id)"""
    result = study.answer(
        g.api_user.id,
        review_id=json.review_id,
        question_id=json.question_id,
        version=json.version,
        rating=json.rating,
        response=str(json.response) if isinstance(json.response, int) else json.response,
        duration_ms=json.duration_ms,
        now=now(),
        fuzz=current_app.config["SCHEDULER_FUZZ"],
        track_key=json.track,
        overrule=json.overrule,
    )
    body = AnswerResult(
        review_id=result.review_id,
        question_id=result.question_id,
        rating=int(result.rating),
        correct=result.correct,
        expected=result.expected,
        answer=result.answer,
        explanation=result.explanation,
        state=CardStateName(result.state.name.lower()),
        due=result.due,
        interval_days=round(result.interval_days, 6),
        version=result.version,
        leech=result.leech,
        suspended=result.suspended,
        replayed=result.replayed,
    )
    return body, 200 if result.replayed else 201


answer.__doc__ = f"{answer.__doc__}\n\n{ANSWER_DESCRIPTION}"


@bp.post("/study/checks")
@spec.validate(
    json=CheckRequest,
    resp=responses({200: (CheckResult, "The verdict; nothing recorded")}, 404, 422),
    operation_id="checkAnswer",
)
def check_answer(json: CheckRequest) -> CheckResult:
    """Grade a choice or typed answer before rating it

    The first of two steps for a choice or cloze card: send the response and get the verdict,
    the answer and the intervals, then record it with POST /study/answers (the same response and
    a rating from `ratings`). Nothing is recorded by this call; a recall card has nothing to check
    (422).
    """
    question = study.get_question(json.question_id)
    study.home_enrolment(g.api_user.id, question, json.track)  # a question of the caller's tracks
    response = str(json.response) if isinstance(json.response, int) else json.response
    result = study.check_answer(question.id, response)
    if result.correct is None:
        raise ValidationError({"question_id": "A recall card is rated, not checked."})
    moment = now()
    coming = study.next_intervals(g.api_user.id, question, json.track, now=moment)
    ratings = [2, 3, 4] if result.correct else [1]
    return CheckResult(
        correct=result.correct,
        expected=result.expected,
        given=result.given,
        forgiven=result.forgiven,
        answer=question.answer,
        explanation=question.explanation or "",
        ratings=ratings,
        intervals={str(int(r)): describe_interval(i) for r, i in coming.items()},
    )


@bp.post("/study/undo")
@spec.validate(resp=responses({200: (Undone, "Undone")}, 404, 409), operation_id="undoAnswer")
def undo() -> Undone:
    """Undo the caller's latest answer or card action

    A stack: whichever came last — an answer, or a suspend, unsuspend, bury or unbury of one card
    or a selection — is taken back, restoring the cards exactly as they were; the next undo takes
    the one before. 404 when there is nothing left to undo.
    """
    undone = study.undo_last(g.api_user.id, now=now())
    cards = [study.card_of(g.api_user.id, qid) for qid in undone.question_ids]
    return Undone(
        undid=undone.what,  # type: ignore[arg-type]
        question_id=undone.question_ids[0],
        question_ids=undone.question_ids,
        cards=[card_reply(card) for card in cards if card is not None],
    )


@bp.post("/study/cards/<int:question_id>/<any(suspend, unsuspend, bury, unbury):action>")
@spec.validate(
    resp=responses({200: (Card, "The card now")}, 404, 409),
    operation_id="changeCard",
    path_parameter_descriptions={
        "question_id": "A question in one of the caller's tracks.",
        "action": "suspend: it leaves every queue until unsuspended; unsuspend: back, and its "
        "leech mark cleared; bury: until the learner's next study day starts; unbury: back "
        "today.",
    },
)
def card_action(question_id: int, action: str) -> Card:
    """Suspend, unsuspend, bury or unbury a card"""
    changed = study.change_cards(g.api_user.id, [question_id], study.CardAction(action), now=now())
    return card_reply(changed[0])


@bp.get("/study/leeches")
@spec.validate(resp=responses({200: (Leeches, "The leeches")}), operation_id="listLeeches")
def leeches() -> Leeches:
    """The caller's leeches, most lapses first"""
    return Leeches(leeches=[card_reply(c) for c in study.leeches(g.api_user.id)])
