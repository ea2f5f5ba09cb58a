"""API: reading groups — groups and members, invites, the weeks, quizzes, results, the report."""

from __future__ import annotations

from datetime import datetime

from flask import g, url_for

from app.api import bp
from app.api.schemas import groups as schema
from app.api.schemas.study import ArticleRef
from app.api.spec import responses, spec
from app.clock import now
from app.extensions import join_limit, limiter
from app.models import Article, GroupInvite, GroupQuiz
from app.models import Group as GroupRow
from app.services.errors import ValidationError
from app.services.groups import groups, invites, members, quizzes, report, weeks
from app.services.study import presented_choices

NO_CONTENT = ("", 204)


def _ref(article: Article) -> ArticleRef:
    return ArticleRef(key=article.key, title=article.title)


def _summary(quiz: GroupQuiz, moment: datetime) -> schema.QuizSummary:
    return schema.QuizSummary(
        id=quiz.id, article=_ref(quiz.article), questions=len(quiz.question_ids),
        deadline=quiz.deadline, open=quizzes.is_open(quiz, moment),
    )  # fmt: skip


def _group_ref(group: GroupRow, role: str) -> schema.GroupRef:
    return schema.GroupRef(
        id=group.id, name=group.name, track=group.track.key, role=role,  # type: ignore[arg-type]
        archived=group.archived_at is not None,
    )  # fmt: skip


def _group(group_id: int) -> schema.Group:
    moment = now()
    page = groups.group_page(g.api_user.id, group_id, moment)
    group, me = page.group, page.me
    week = None
    if page.week is not None:
        week = schema.Week(
            starts_on=page.week.starts_on, starts_at=page.week.starts_at,
            article=_ref(page.week.article), study_session=f"article-{page.week.article.key}",
        )  # fmt: skip
    return schema.Group(
        id=group.id, name=group.name, track=group.track.key, timezone=group.timezone,
        week_day=group.week_day, week_hour=group.week_hour, week_minute=group.week_minute,
        archived=group.archived_at is not None, next_turn=page.next_turn,
        me=schema.MySettings(
            role=me.role, shows_progress=me.shows_progress, shows_answers=me.shows_answers,  # type: ignore[arg-type]
            counts_quizzes=me.counts_quizzes,
        ),
        week=week,
        members=[
            schema.MemberProgress(
                user_id=p.member.user_id, name=p.member.user.display_name, role=p.member.role,  # type: ignore[arg-type]
                visible=p.visible, read=p.read if p.visible else None,
                quizzed=p.quizzed if p.visible else None,
                reviewed=p.reviewed if p.visible else None, questions=p.questions,
            )
            for p in page.progress
        ],
        quizzes=[_summary(q, moment) for q in page.quizzes],
    )  # fmt: skip


@bp.get("/groups")
@spec.validate(
    resp=responses({200: (schema.GroupList, "The caller's groups")}), operation_id="listGroups"
)
def list_groups() -> schema.GroupList:
    """The groups the caller belongs to"""
    return schema.GroupList(
        groups=[_group_ref(gr, m.role) for gr, m in groups.my_groups(g.api_user.id)]
    )


@bp.post("/groups")
@spec.validate(
    json=schema.GroupCreate,
    resp=responses({201: (schema.Group, "Created")}, 422),
    operation_id="createGroup",
)
def create_group(json: schema.GroupCreate) -> tuple[schema.Group, int]:
    """Start a group; its first week (the track's first article) starts now"""
    group = groups.create_group(
        g.api_user.id, name=json.name, track_key=json.track, timezone=json.timezone,
        week_day=json.week_day, week_hour=json.week_hour, week_minute=json.week_minute, now=now(),
    )  # fmt: skip
    return _group(group.id), 201


@bp.get("/groups/<int:group_id>")
@spec.validate(resp=responses({200: (schema.Group, "The group")}, 404), operation_id="getGroup")
def get_group(group_id: int) -> schema.Group:
    """A group: this week's article, each member's progress (as each allows), recent quizzes"""
    return _group(group_id)


@bp.post("/groups/<int:group_id>/sharing")
@spec.validate(
    json=schema.Sharing,
    resp=responses({200: (schema.Group, "Saved")}, 404, 422),
    operation_id="updateGroupSharing",
)
def update_sharing(group_id: int, json: schema.Sharing) -> schema.Group:
    """What the caller lets the group see, and whether quizzes count in their schedule"""
    members.update_sharing(
        g.api_user.id, group_id, shows_progress=json.shows_progress,
        shows_answers=json.shows_answers, counts_quizzes=json.counts_quizzes,
    )  # fmt: skip
    return _group(group_id)


@bp.post("/groups/<int:group_id>/read")
@spec.validate(resp=responses({204: (None, "Marked")}, 404, 422), operation_id="markWeekRead")
def mark_read(group_id: int) -> tuple[str, int]:
    """Mark this week's article as read"""
    groups.mark_read(g.api_user.id, group_id, now())
    return NO_CONTENT


@bp.post("/groups/<int:group_id>/leave")
@spec.validate(resp=responses({204: (None, "Left")}, 404, 409), operation_id="leaveGroup")
def leave_group(group_id: int) -> tuple[str, int]:
    """Leave a group (an owner transfers ownership first)"""
    members.leave(g.api_user.id, group_id)
    return NO_CONTENT


@bp.post("/groups/<int:group_id>/archive")
@spec.validate(
    resp=responses({200: (schema.Group, "Archived")}, 403, 404, 409), operation_id="archiveGroup"
)
def archive_group(group_id: int) -> schema.Group:
    """Archive a group: it can be read, not changed (the owner only)"""
    members.archive(g.api_user.id, group_id, now())
    return _group(group_id)


def _invite(invite: GroupInvite) -> schema.Invite:
    return schema.Invite(
        id=invite.id, code=invite.code, expires_at=invite.expires_at,
        url=url_for("groups.join", code=invite.code, _external=True),
    )  # fmt: skip


@bp.get("/groups/<int:group_id>/invites")
@spec.validate(
    resp=responses({200: (schema.InviteList, "Usable invites")}, 403, 404),
    operation_id="listInvites",
)
def list_invites(group_id: int) -> schema.InviteList:
    """The group's usable invites (hosts and the owner)"""
    return schema.InviteList(
        invites=[_invite(i) for i in invites.invites(g.api_user.id, group_id, now())]
    )


@bp.post("/groups/<int:group_id>/invites")
@spec.validate(
    json=schema.InviteCreate,
    resp=responses({201: (schema.Invite, "Made")}, 403, 404, 409, 422),
    operation_id="createInvite",
)
def create_invite(group_id: int, json: schema.InviteCreate) -> tuple[schema.Invite, int]:
    """Make an invite code and link that expire after `days` (hosts and the owner)"""
    return _invite(invites.create_invite(g.api_user.id, group_id, days=json.days, now=now())), 201


@bp.post("/groups/<int:group_id>/invites/<int:invite_id>/revoke")
@spec.validate(resp=responses({204: (None, "Revoked")}, 403, 404, 409), operation_id="revokeInvite")
def revoke_invite(group_id: int, invite_id: int) -> tuple[str, int]:
    """Revoke an invite: its code stops working (hosts and the owner)"""
    invites.revoke_invite(g.api_user.id, group_id, invite_id, now())
    return NO_CONTENT


def _join_key() -> str:
    return f"join:{g.api_user.id}"


@bp.post("/groups/join")
@limiter.limit(join_limit, key_func=_join_key)
@spec.validate(
    json=schema.Join,
    resp=responses({200: (schema.Joined, "Joined")}, 404, 409, 422, 429),
    operation_id="joinGroup",
)
def join_group(json: schema.Join) -> schema.Joined:
    """Join a group with an invite code (rate-limited per account)"""
    group, fresh = invites.join(g.api_user.id, json.code, now=now())
    _, me = members.membership(g.api_user.id, group.id)
    return schema.Joined(group=_group_ref(group, me.role), joined=fresh)


@bp.post("/groups/<int:group_id>/members/<int:user_id>/role")
@spec.validate(
    json=schema.RoleChange,
    resp=responses({200: (schema.Group, "Changed")}, 403, 404, 409, 422),
    operation_id="setMemberRole",
)
def set_role(group_id: int, user_id: int, json: schema.RoleChange) -> schema.Group:
    """Make a member a host, or a host a member (the owner only)"""
    members.set_role(g.api_user.id, group_id, user_id, json.role)
    return _group(group_id)


@bp.post("/groups/<int:group_id>/members/<int:user_id>/transfer")
@spec.validate(
    resp=responses({200: (schema.Group, "Transferred")}, 403, 404, 409, 422),
    operation_id="transferGroup",
)
def transfer(group_id: int, user_id: int) -> schema.Group:
    """Hand the group to another member; the former owner becomes a host"""
    members.transfer(g.api_user.id, group_id, user_id)
    return _group(group_id)


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
@spec.validate(resp=responses({204: (None, "Removed")}, 403, 404, 409), operation_id="removeMember")
def remove_member(group_id: int, user_id: int) -> tuple[str, int]:
    """Remove a member (the owner only)"""
    members.remove(g.api_user.id, group_id, user_id)
    return NO_CONTENT


def _schedule(group_id: int) -> schema.Schedule:
    return schema.Schedule(
        upcoming=[
            schema.Upcoming(article=_ref(a), skipped=s)
            for a, s in weeks.upcoming(g.api_user.id, group_id)
        ]
    )


@bp.get("/groups/<int:group_id>/schedule")
@spec.validate(
    resp=responses({200: (schema.Schedule, "The coming weeks")}, 404),
    operation_id="getGroupSchedule",
)
def get_schedule(group_id: int) -> schema.Schedule:
    """The articles still to come, in the order the weeks will assign them"""
    return _schedule(group_id)


@bp.post("/groups/<int:group_id>/schedule")
@spec.validate(
    json=schema.ScheduleChange,
    resp=responses({200: (schema.Schedule, "Changed")}, 403, 404, 409, 422),
    operation_id="changeGroupSchedule",
)
def change_schedule(group_id: int, json: schema.ScheduleChange) -> schema.Schedule:
    """Move an article still to come up or down, skip it or restore it (hosts and the owner)"""
    group, _ = members.membership(g.api_user.id, group_id)
    article = next(
        (a for a, _ in weeks.upcoming(g.api_user.id, group_id) if a.key == json.article), None
    )
    if article is None:
        raise ValidationError(
            {"article": f"{json.article!r} is not an article still to come in {group.name}."}
        )
    weeks.move(g.api_user.id, group_id, article.id, json.action)
    return _schedule(group_id)


@bp.get("/groups/<int:group_id>/quizzes")
@spec.validate(
    resp=responses({200: (schema.QuizList, "Quizzes, newest first")}, 404),
    operation_id="listQuizzes",
)
def list_quizzes(group_id: int) -> schema.QuizList:
    """The group's quizzes, newest first"""
    moment = now()
    return schema.QuizList(
        quizzes=[_summary(q, moment) for q in quizzes.quizzes_of(g.api_user.id, group_id)]
    )


def _quiz(group_id: int, quiz_id: int) -> schema.Quiz:
    moment = now()
    _, row = quizzes.get_quiz(g.api_user.id, group_id, quiz_id)
    mine = quizzes.my_answers(g.api_user.id, quiz_id)
    shown = []
    for q in quizzes.questions_of(row):
        choices = presented_choices(g.api_user.id, q, row.id)
        answer = mine.get(q.id)
        shown.append(schema.QuizQuestion(
            question_id=q.id, prompt=q.prompt, choices=[t for _, t in choices],
            choice_ids=[n for n, _ in choices], my_response=answer.response if answer else None,
            my_correct=answer.correct if answer else None,
        ))  # fmt: skip
    return schema.Quiz(
        id=row.id, article=_ref(row.article), deadline=row.deadline,
        open=quizzes.is_open(row, moment), answered=bool(mine), questions=shown,
    )  # fmt: skip


@bp.post("/groups/<int:group_id>/quizzes")
@spec.validate(
    json=schema.QuizCreate,
    resp=responses({201: (schema.Quiz, "Made")}, 403, 404, 409, 422),
    operation_id="createQuiz",
)
def create_quiz(group_id: int, json: schema.QuizCreate) -> tuple[schema.Quiz, int]:
    """Make a quiz of this week's article, with a deadline in the group's time zone (hosts)"""
    try:
        deadline = datetime.fromisoformat(json.deadline)
    except ValueError:
        raise ValidationError({"deadline": "Use a local time as YYYY-MM-DDTHH:MM."}) from None
    if deadline.tzinfo is not None:
        raise ValidationError({"deadline": "Send the group's local time without an offset."})
    quiz = quizzes.create_quiz(
        g.api_user.id, group_id, deadline_local=deadline, now=now(), question_ids=json.question_ids
    )
    return _quiz(group_id, quiz.id), 201


@bp.get("/groups/<int:group_id>/quizzes/<int:quiz_id>")
@spec.validate(resp=responses({200: (schema.Quiz, "The quiz")}, 404), operation_id="getQuiz")
def get_quiz(group_id: int, quiz_id: int) -> schema.Quiz:
    """A quiz's questions, with the caller's answers once given"""
    return _quiz(group_id, quiz_id)


@bp.post("/groups/<int:group_id>/quizzes/<int:quiz_id>/answers")
@spec.validate(
    json=schema.QuizAnswers,
    resp=responses({201: (schema.Quiz, "Recorded")}, 404, 409, 422),
    operation_id="answerQuiz",
)
def answer_quiz(group_id: int, quiz_id: int, json: schema.QuizAnswers) -> tuple[schema.Quiz, int]:
    """Answer every question of an open quiz, once (409 after the deadline or a second time)"""
    responses_ = {r.question_id: str(r.response) for r in json.responses}
    quizzes.answer_quiz(g.api_user.id, group_id, quiz_id, responses=responses_, now=now())
    return _quiz(group_id, quiz_id), 201


@bp.post("/groups/<int:group_id>/quizzes/<int:quiz_id>/close")
@spec.validate(
    resp=responses({200: (schema.Quiz, "Closed")}, 403, 404, 409), operation_id="closeQuiz"
)
def close_quiz(group_id: int, quiz_id: int) -> schema.Quiz:
    """Close a quiz before its deadline: the results come out (hosts)"""
    quizzes.close_quiz(g.api_user.id, group_id, quiz_id, now())
    return _quiz(group_id, quiz_id)


@bp.get("/groups/<int:group_id>/quizzes/<int:quiz_id>/results")
@spec.validate(
    resp=responses({200: (schema.QuizResults, "Results")}, 404, 409), operation_id="getQuizResults"
)
def quiz_results(group_id: int, quiz_id: int) -> schema.QuizResults:
    """A closed quiz's results: per member (as each allows), per question, per trade-off"""
    results = quizzes.quiz_results(g.api_user.id, group_id, quiz_id, now())
    return schema.QuizResults(
        quiz_id=quiz_id,
        members=[
            schema.MemberResult(
                name=m.name, user_id=m.user_id or 0, right=m.right, answered=m.answered
            )
            for m in results.members
        ],
        hidden=results.hidden,
        questions=[
            schema.QuestionResult(
                question_id=r.question.id,
                prompt=r.question.prompt,
                tradeoff=r.tradeoff,
                right=r.right,
                answered=r.answered,
                choices=[
                    schema.ChoiceCount(choice=t, count=n, correct=i == r.question.correct)
                    for i, (t, n) in enumerate(r.choices)
                ],
            )
            for r in results.questions
        ],
        tradeoffs=[
            schema.TradeoffResult(tradeoff=t.tradeoff, right=t.right, answered=t.answered)
            for t in results.tradeoffs
        ],
    )


def _missed_question(q: report.MissedQuestion) -> schema.MissedQuestion:
    return schema.MissedQuestion(
        question_id=q.question.id, prompt=q.question.prompt, tradeoff=q.tradeoff,
        article=_ref(q.question.article), explanation=q.question.explanation, wrong=q.wrong,
        answered=q.answered, wrong_share=q.wrong_share, quizzes_missed=q.quizzes_missed,
    )  # fmt: skip


def _missed_tradeoff(t: report.MissedTradeoff) -> schema.MissedTradeoff:
    return schema.MissedTradeoff(
        tradeoff=t.tradeoff, article=_ref(t.article), wrong=t.wrong, answered=t.answered,
        wrong_share=t.wrong_share, quizzes_missed=t.quizzes_missed,
    )  # fmt: skip


@bp.get("/groups/<int:group_id>/report")
@spec.validate(
    resp=responses({200: (schema.TeamReport, "The agenda")}, 404), operation_id="getTeamReport"
)
def team_report(group_id: int) -> schema.TeamReport:
    """What the team gets wrong most across closed quizzes: the agenda for its discussion"""
    found = report.team_report(g.api_user.id, group_id, now())
    return schema.TeamReport(
        quizzes=found.quizzes, answers=found.answers,
        tradeoffs=[_missed_tradeoff(t) for t in found.tradeoffs],
        questions=[_missed_question(q) for q in found.questions],
        latest_quiz=found.latest.id if found.latest else None,
        this_week=[_missed_question(q) for q in found.this_week],
        keeps_missing=[_missed_tradeoff(t) for t in found.keeps_missing],
    )  # fmt: skip
