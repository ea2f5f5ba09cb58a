"""API: live quizzes. Hosts use their token; players (members or guests) join by code and then
send their seat key as the X-Live-Seat header, polling the state by version."""

from __future__ import annotations

from datetime import datetime

from flask import g, request, url_for

from app.api import PUBLIC_ENDPOINTS, bp
from app.api.schemas import live as schema
from app.api.spec import responses, spec
from app.clock import now
from app.extensions import join_limit, limiter
from app.services.errors import Unauthorized
from app.services.live import host_view, hosting, playing
from app.services.live.board import ShownQuestion, Standing
from app.services.tokens import authenticate_token

PUBLIC_ENDPOINTS.update({"api.live_join", "api.live_state", "api.live_answer"})
OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{}, {"bearer": []}]
SEAT_ONLY: dict[str, list[str]] = {}


def _question(shown: ShownQuestion | None) -> schema.LiveQuestion | None:
    if shown is None:
        return None
    return schema.LiveQuestion(
        question_id=shown.question_id, prompt_html=shown.prompt_html,
        choices_html=list(shown.choices_html), choice_ids=list(shown.choice_ids),
    )  # fmt: skip


def _reveal(shown: ShownQuestion | None, counts: tuple[int, ...] | None) -> schema.Reveal | None:
    if shown is None or counts is None:
        return None
    return schema.Reveal(
        correct_id=shown.correct_id, counts=list(counts), answer_html=shown.answer_html,
        explanation_html=shown.explanation_html, article_title=shown.article_title,
    )  # fmt: skip


def _standing(row: Standing) -> schema.StandingRow:
    return schema.StandingRow(rank=row.rank, nickname=row.nickname, right=row.right, ms=row.ms)


def player_view(state: playing.PlayerState, moment: datetime) -> schema.PlayerView:
    quiz, mine = state.quiz, state.my_answer
    revealed = quiz.phase in ("reveal", "ended")
    return schema.PlayerView(
        version=quiz.version, phase=quiz.phase, title=quiz.title, position=quiz.position,  # type: ignore[arg-type]
        total=len(quiz.question_ids), server_now=moment, opened_at=quiz.opened_at,
        deadline=quiz.deadline, players=state.players, you=state.player.nickname,
        question=_question(state.question),
        my_answer=schema.MyAnswer(
            response=mine.response, correct=mine.correct if revealed else None, ms=mine.ms
        ) if mine else None,
        reveal=_reveal(state.question, state.counts),
        leaderboard=[_standing(s) for s in state.leaders],
        me=_standing(state.me) if state.me else None,
    )  # fmt: skip


def host_view_model(state: host_view.HostState, moment: datetime) -> schema.HostView:
    quiz = state.quiz
    return schema.HostView(
        id=quiz.id, version=quiz.version, phase=quiz.phase, code=quiz.code,  # type: ignore[arg-type]
        join_url=url_for("live.play", code=quiz.code, _external=True), title=quiz.title,
        position=quiz.position, total=len(quiz.question_ids), server_now=moment,
        opened_at=quiz.opened_at, deadline=quiz.deadline, guests_allowed=quiz.guests_allowed,
        timer_seconds=quiz.timer_seconds,
        players=[
            schema.PlayerRow(player_id=p.id, nickname=p.nickname, member=p.user_id is not None)
            for p in state.players
        ],
        answered=state.answered, question=_question(state.question),
        reveal=_reveal(state.question, state.counts),
        leaderboard=[_standing(s) for s in state.leaders],
    )  # fmt: skip


@bp.post("/live")
@spec.validate(
    json=schema.LiveStart,
    resp=responses({201: (schema.HostView, "In its lobby")}, 403, 404, 422),
    operation_id="startLive",
)
def live_start(json: schema.LiveStart) -> tuple[schema.HostView, int]:
    """Start a live quiz in its lobby: from a group you host, an article, or a track"""
    quiz = hosting.start_live(
        g.api_user.id, now=now(), group_id=json.group_id, article_key=json.article,
        track_key=json.track, guests_allowed=json.guests_allowed,
        timer_seconds=json.timer_seconds, count=json.count,
    )  # fmt: skip
    return host_view_model(host_view.host_state(g.api_user.id, quiz.id), now()), 201


@bp.get("/live/<int:quiz_id>")
@spec.validate(
    resp=responses({200: (schema.HostView, "The host's view")}, 404), operation_id="getLiveHost"
)
def live_host(quiz_id: int) -> schema.HostView:
    """The host's view: who joined, answers so far, the distribution and the leaderboard"""
    return host_view_model(host_view.host_state(g.api_user.id, quiz_id), now())


@bp.post("/live/<int:quiz_id>/actions")
@spec.validate(
    json=schema.LiveAction,
    resp=responses({200: (schema.HostView, "Moved on")}, 404, 409, 422),
    operation_id="actLive",
)
def live_act(quiz_id: int, json: schema.LiveAction) -> schema.HostView:
    """Pace the quiz; a `version` behind the quiz's is a 409 (another tab moved it on)"""
    moment = now()
    hosting.act(g.api_user.id, quiz_id, json.action, version=json.version, now=moment)
    return host_view_model(host_view.host_state(g.api_user.id, quiz_id), moment)


@bp.post("/live/<int:quiz_id>/players/<int:player_id>/kick")
@spec.validate(resp=responses({204: (None, "Removed")}, 404), operation_id="kickLivePlayer")
def live_kick(quiz_id: int, player_id: int) -> tuple[str, int]:
    """Remove a player from the quiz; their seat stops working"""
    hosting.kick(g.api_user.id, quiz_id, player_id, now())
    return "", 204


@bp.post("/live/join")
@limiter.limit(join_limit)
@spec.validate(
    json=schema.LiveJoin,
    resp=responses({201: (schema.Seat, "Seated")}, 401, 403, 404, 409, 422, 429, public=True),
    operation_id="joinLive",
    security=OPTIONAL_TOKEN,
)
def live_join(json: schema.LiveJoin) -> tuple[schema.Seat, int]:
    """Join by code: with a token as a member (the same seat again), or as a guest by nickname"""
    user_id = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        user = authenticate_token(secret.strip(), now=now()) if scheme.lower() == "bearer" else None
        if user is None:
            raise Unauthorized(
                "Send a valid personal API token, or no Authorization header to join as a guest."
            )
        user_id = user.id
    player = playing.join(json.code, now=now(), user_id=user_id, nickname=json.nickname)
    quiz = playing.seat(player.seat)[1]
    return schema.Seat(
        seat=player.seat, player_id=player.id, nickname=player.nickname, title=quiz.title
    ), 201


@bp.get("/live/state")
@spec.validate(
    query=schema.StateQuery,
    headers=schema.LiveSeatHeader,
    resp=responses(
        {
            200: (schema.PlayerView, "What the player sees"),
            204: (None, "Nothing changed since `since`"),
        },
        403,
        404,
        422,
        public=True,
    ),
    operation_id="getLiveState",
    security=SEAT_ONLY,
)
def live_state(
    query: schema.StateQuery, headers: schema.LiveSeatHeader
) -> schema.PlayerView | tuple[str, int]:
    """The state a player polls, about twice a second"""
    state = playing.player_state(headers.x_live_seat, since=query.since)
    if state is None:
        return "", 204
    return player_view(state, now())


@bp.post("/live/answers")
@spec.validate(
    json=schema.LiveAnswerRequest,
    headers=schema.LiveSeatHeader,
    resp=responses(
        {200: (schema.AnswerAck, "Recorded (or recorded before)")}, 403, 404, 409, 422, public=True
    ),
    operation_id="answerLive",
    security=SEAT_ONLY,
)
def live_answer(json: schema.LiveAnswerRequest, headers: schema.LiveSeatHeader) -> schema.AnswerAck:
    """Answer the open question, once, before its deadline; its time is the server's"""
    answer = playing.answer(
        headers.x_live_seat, position=json.position, response=str(json.response), now=now()
    )
    return schema.AnswerAck(position=answer.position, response=answer.response, ms=answer.ms)
