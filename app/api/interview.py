"""API: interview prep — drills, rapid-fire rounds, mock interviews and the overview."""

from __future__ import annotations

from datetime import datetime

from flask import g, url_for

from app.api import bp
from app.api.schemas import interview as schema
from app.api.schemas.study import ArticleRef, KindName
from app.api.spec import responses, spec
from app.clock import now
from app.domain.questions import answer_mode
from app.domain.render import render_inline, render_markdown
from app.models import Article, MockInterview, Question, RapidRound
from app.models import Drill as DrillRow
from app.services.interview import DrillOrder, Scope, drills, mocks, prep, rapid_fire
from app.services.interview.drills import DRILL_ORDER_STRIDE
from app.services.study import grading_spec, presented_choices


def _article(article: Article) -> ArticleRef:
    return ArticleRef(key=article.key, title=article.title)


def _shown(question: Question, shown: list[tuple[int, str]]) -> schema.ShownQuestion:
    return schema.ShownQuestion(
        question_id=question.id,
        kind=KindName(question.kind),
        mode=answer_mode(grading_spec(question)),
        prompt=question.prompt,
        prompt_html=render_markdown(question.prompt),
        choices=[text for _, text in shown],
        choices_html=[render_inline(text) for _, text in shown],
        choice_ids=[number for number, _ in shown],
        article=_article(question.article),
    )


def _scope(body: schema.DrillScope) -> Scope:
    return Scope(
        tracks=tuple(body.tracks),
        articles=tuple(body.articles),
        tags=tuple(body.tags),
        tradeoffs_only=body.tradeoffs_only,
        weakest=body.weakest,
        missed_today=body.missed_today,
        mock=body.mock,
        questions=tuple(body.questions),
    )


def _drill(row: DrillRow, question: Question | None, moment: datetime) -> schema.Drill:
    shown = None
    if question is not None:
        order = row.id * DRILL_ORDER_STRIDE + row.position
        shown = _shown(question, presented_choices(row.user_id, question, order))
    return schema.Drill(
        id=row.id,
        title=row.title,
        order=DrillOrder(row.order),
        counts=row.counts,
        total=len(row.question_ids),
        position=row.position,
        started_at=row.started_at,
        ends_at=row.ends_at,
        finished=question is None,
        seconds_left=max(0.0, (row.ends_at - moment).total_seconds()) if row.ends_at else None,
        question=shown,
    )


@bp.get("/interview")
@spec.validate(
    resp=responses({200: (schema.Prep, "The caller's interview prep")}),
    operation_id="getInterviewPrep",
)
def interview_prep() -> schema.Prep:
    """Readiness per track, the weakest trade-offs, bests, recent mock scores and today's drill"""
    moment = now()
    overview = prep.overview(g.api_user.id, moment)
    suggestion = overview.suggestion
    scope = suggestion.scope
    return schema.Prep(
        readiness=[
            schema.Readiness(
                track=r.track.key, title=r.track.title, questions=r.questions, ready=r.ready,
                share=r.share,
            )
            for r in overview.readiness
        ],
        weakest=[
            schema.WeakestTradeoff(
                article=_article(w.article), key_tradeoff=w.article.key_tradeoff,
                recall=min(1.0, max(0.0, w.recall)), lapses=w.lapses, missed_points=w.missed_points,
            )
            for w in overview.weakest
        ],
        bests=[_round(r, moment) for r in overview.bests],
        mocks=[_mock(m) for m in overview.mocks],
        suggestion=schema.Suggestion(
            title=suggestion.title,
            reason=suggestion.reason,
            drill=schema.DrillStart(
                scope=schema.DrillScope(
                    tracks=[], articles=[], tags=[], tradeoffs_only=scope.tradeoffs_only,
                    weakest=scope.weakest, missed_today=scope.missed_today, mock=None,
                    questions=[],
                ),
                order=DrillOrder(suggestion.order),
                count=prep.SUGGESTED_COUNT,
                minutes=None,
                counts=False,
            ),
        ),
    )  # fmt: skip


@bp.post("/interview/drills")
@spec.validate(
    json=schema.DrillStart,
    resp=responses({201: (schema.Drill, "Started")}, 422),
    operation_id="startDrill",
)
def start_drill(json: schema.DrillStart) -> tuple[schema.Drill, int]:
    """Start a drill over a scope, in an order, bounded by a count and optionally a time

    A drill changes no card unless `counts` is true (see its description)."""
    moment = now()
    row = drills.start_drill(
        g.api_user.id,
        _scope(json.scope),
        now=moment,
        order=json.order,
        count=json.count,
        minutes=json.minutes,
        counts=json.counts,
    )
    _, question = drills.current_question(g.api_user.id, row.id, moment)
    return _drill(row, question, moment), 201


@bp.get("/interview/drills/<int:drill_id>")
@spec.validate(
    resp=responses({200: (schema.Drill, "The drill and its current question")}, 404),
    operation_id="getDrill",
)
def get_drill(drill_id: int) -> schema.Drill:
    """A drill and the question to answer now (null once it is over)"""
    moment = now()
    row, question = drills.current_question(g.api_user.id, drill_id, moment)
    return _drill(row, question, moment)


@bp.post("/interview/drills/<int:drill_id>/answers")
@spec.validate(
    json=schema.DrillAnswerRequest,
    resp=responses(
        {200: (schema.DrillAnswerResult, "Recorded (or recorded before)")}, 404, 409, 422
    ),
    operation_id="answerDrill",
)
def answer_drill(drill_id: int, json: schema.DrillAnswerRequest) -> schema.DrillAnswerResult:
    """Answer the drill's current question, once

    Sending the same `position` again returns the first answer; another position than the
    current one, or a drill that is over, is a 409."""
    response = None if json.response is None else str(json.response)
    row = drills.answer_drill(
        g.api_user.id, drill_id, position=json.position, response=response,
        rating=json.rating, duration_ms=json.duration_ms, now=now(),
    )  # fmt: skip
    question = row.question
    return schema.DrillAnswerResult(
        position=row.position,
        question_id=question.id,
        correct=row.correct,
        counted=row.counted,
        expected=(
            question.choices[question.correct]
            if question.correct is not None and question.choices
            else question.cloze_answer or ""
        ),
        answer=question.answer,
        explanation=question.explanation,
    )


@bp.get("/interview/drills/<int:drill_id>/results")
@spec.validate(
    resp=responses({200: (schema.DrillResults, "Score, time and misses")}, 404),
    operation_id="getDrillResults",
)
def drill_results(drill_id: int) -> schema.DrillResults:
    """A drill's score, time and misses, so far or final"""
    results = drills.drill_results(g.api_user.id, drill_id, now())
    return schema.DrillResults(
        drill_id=drill_id,
        answered=results.answered,
        correct=results.correct,
        counted=results.counted,
        score=results.score,
        seconds=results.seconds,
        misses=[
            schema.DrillMiss(
                question_id=a.question_id, prompt=a.question.prompt,
                article=_article(a.question.article),
            )
            for a in results.misses
        ],
    )  # fmt: skip


@bp.post("/interview/drills/<int:drill_id>/again")
@spec.validate(
    json=schema.DrillAgain,
    resp=responses({201: (schema.Drill, "The new drill")}, 404, 422),
    operation_id="drillAgain",
)
def drill_again(drill_id: int, json: schema.DrillAgain) -> tuple[schema.Drill, int]:
    """Drill a drill's misses (or all its questions) again, as a new drill"""
    moment = now()
    row = drills.drill_again(g.api_user.id, drill_id, now=moment, misses_only=json.misses_only)
    _, question = drills.current_question(g.api_user.id, row.id, moment)
    return _drill(row, question, moment), 201


def _round(row: RapidRound, moment: datetime) -> schema.Round:
    question = rapid_fire.question_of(row, moment)
    shown = _shown(question, rapid_fire.choices_of(row, question)) if question else None
    return schema.Round(
        id=row.id,
        scope=row.scope_key,
        scope_title=row.scope_title,
        seconds=row.seconds,
        started_at=row.started_at,
        deadline=row.deadline,
        seconds_left=rapid_fire.seconds_left(row, moment),
        position=row.position,
        correct=row.correct,
        answered=row.answered,
        correct_ms=row.correct_ms,
        over=question is None,
        question=shown,
    )


@bp.post("/interview/rounds")
@spec.validate(
    json=schema.RoundStart,
    resp=responses({201: (schema.Round, "Started: the clock runs from now")}, 422),
    operation_id="startRound",
)
def start_round(json: schema.RoundStart) -> tuple[schema.Round, int]:
    """Start a rapid-fire round of multiple-choice trade-off questions"""
    moment = now()
    row = rapid_fire.start_round(
        g.api_user.id, scope_key=json.scope, seconds=json.seconds, now=moment
    )
    return _round(row, moment), 201


@bp.get("/interview/rounds")
@spec.validate(
    resp=responses({200: (schema.RoundList, "Personal bests")}), operation_id="listBestRounds"
)
def best_rounds() -> schema.RoundList:
    """The caller's best finished round per scope and length"""
    moment = now()
    return schema.RoundList(
        rounds=[_round(r, moment) for r in rapid_fire.personal_bests(g.api_user.id, moment)]
    )


@bp.get("/interview/rounds/<int:round_id>")
@spec.validate(
    resp=responses({200: (schema.Round, "The round and its current question")}, 404),
    operation_id="getRound",
)
def get_round(round_id: int) -> schema.Round:
    """A round, its score so far, and the question to answer now (null once it is over)"""
    return _round(rapid_fire.get_round(g.api_user.id, round_id), now())


@bp.post("/interview/rounds/<int:round_id>/answers")
@spec.validate(
    json=schema.RoundAnswerRequest,
    resp=responses(
        {200: (schema.RoundAnswerResult, "Recorded (or recorded before)")}, 404, 409, 422
    ),
    operation_id="answerRound",
)
def answer_round(round_id: int, json: schema.RoundAnswerRequest) -> schema.RoundAnswerResult:
    """Answer the round's current question

    After the deadline the answer is refused (409, code `round_over`). Its time is measured by
    the server, from when it served the question."""
    moment = now()
    answer = rapid_fire.answer_round(
        g.api_user.id, round_id, position=json.position, response=str(json.response), now=moment
    )
    question = answer.question
    return schema.RoundAnswerResult(
        position=answer.position,
        correct=answer.correct,
        expected=question.choices[question.correct] if question.correct is not None else "",
        ms=answer.ms,
        round=_round(rapid_fire.get_round(g.api_user.id, round_id), moment),
    )


@bp.post("/interview/rounds/<int:round_id>/share")
@spec.validate(
    resp=responses({200: (schema.Shared, "A link that shows the score")}, 404, 409),
    operation_id="shareRound",
)
def share_round(round_id: int) -> schema.Shared:
    """A public link to a finished round's score (never the caller's answers or history)"""
    code = rapid_fire.share_round(g.api_user.id, round_id, now())
    return schema.Shared(url=url_for("interview.shared_round", code=code, _external=True))


def _mock(row: MockInterview) -> schema.Mock:
    covered = set(row.covered) if row.covered is not None else None
    return schema.Mock(
        id=row.id,
        article=_article(row.article),
        prompt=row.prompt,
        minutes=row.minutes,
        started_at=row.started_at,
        points=[
            schema.RubricPoint(
                index=i, text=p["text"], source=p["source"],
                covered=None if covered is None else i in covered,
            )
            for i, p in enumerate(row.points)
        ],
        score=mocks.mock_score(row),
        scored_at=row.scored_at,
    )  # fmt: skip


@bp.get("/interview/mocks/prompts")
@spec.validate(
    resp=responses({200: (schema.MockPrompts, "Prompts")}), operation_id="listMockPrompts"
)
def mock_prompts() -> schema.MockPrompts:
    """Every article one can be interviewed on, System Design first"""
    return schema.MockPrompts(
        prompts=[
            schema.MockPrompt(
                article=_article(p.article), prompt=p.prompt, points=p.points,
                last_score=p.last_score,
            )
            for p in mocks.prompts(g.api_user.id)
        ]
    )  # fmt: skip


@bp.post("/interview/mocks")
@spec.validate(
    json=schema.MockStart,
    resp=responses({201: (schema.Mock, "Started: speak now, then score it")}, 422),
    operation_id="startMock",
)
def start_mock(json: schema.MockStart) -> tuple[schema.Mock, int]:
    """Start a mock interview on an article: its prompt and its rubric"""
    row = mocks.start_mock(g.api_user.id, json.article, minutes=json.minutes, now=now())
    return _mock(row), 201


@bp.get("/interview/mocks/<int:mock_id>")
@spec.validate(
    resp=responses({200: (schema.Mock, "The mock interview")}, 404), operation_id="getMock"
)
def get_mock(mock_id: int) -> schema.Mock:
    """A mock interview, with its score once scored"""
    return _mock(mocks.get_mock(g.api_user.id, mock_id))


@bp.post("/interview/mocks/<int:mock_id>/score")
@spec.validate(
    json=schema.MockScore,
    resp=responses({200: (schema.Mock, "Scored")}, 404, 409, 422),
    operation_id="scoreMock",
)
def score_mock(mock_id: int, json: schema.MockScore) -> schema.Mock:
    """Score a mock interview: the indexes of the rubric points covered

    Scoring again with the same points changes nothing; with other points it is a 409."""
    row = mocks.score_mock(g.api_user.id, mock_id, covered=json.covered, now=now())
    return _mock(row)
