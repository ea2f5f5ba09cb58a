"""Who may do what in a group, for every group endpoint the app has (read from its URL map):
an outsider, a host of another group and a plain member, signed in by session on the pages and by
token on the API, are refused what their role does not allow, and nothing changes. A member never
sees another member's quiz answers when that member keeps them private."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for

from app import clock
from app.extensions import db
from app.models import GroupInvite, GroupMember, GroupQuiz
from app.services import banks
from app.services.groups import GroupRole, groups, invites, members, quizzes, weeks
from tests.factories import bearer, log_in, make_token, make_user, write_os_bank

# The least a caller must be in the group to use each endpoint; "signed-in" needs no membership.
REQUIRED = {
    "groups.index": "signed-in",
    "groups.join": "signed-in",
    "groups.join_by_code": "signed-in",
    "groups.group": GroupRole.MEMBER,
    "groups.mark_read": GroupRole.MEMBER,
    "groups.settings": GroupRole.MEMBER,
    "groups.leave": GroupRole.MEMBER,
    "groups.quiz": GroupRole.MEMBER,
    "groups.quiz_csv": GroupRole.MEMBER,
    "groups.team_report": GroupRole.MEMBER,
    "groups.report_csv": GroupRole.MEMBER,
    "groups.new_quiz": GroupRole.HOST,
    "groups.close_quiz": GroupRole.HOST,
    "groups.create_invite": GroupRole.HOST,
    "groups.revoke_invite": GroupRole.HOST,
    "groups.schedule": GroupRole.HOST,
    "groups.archive": GroupRole.OWNER,
    "groups.set_role": GroupRole.OWNER,
    "groups.transfer": GroupRole.OWNER,
    "groups.remove_member": GroupRole.OWNER,
    "api.list_groups": "signed-in",
    "api.create_group": "signed-in",
    "api.join_group": "signed-in",
    "api.get_group": GroupRole.MEMBER,
    "api.update_sharing": GroupRole.MEMBER,
    "api.mark_read": GroupRole.MEMBER,
    "api.leave_group": GroupRole.MEMBER,
    "api.get_schedule": GroupRole.MEMBER,
    "api.list_quizzes": GroupRole.MEMBER,
    "api.get_quiz": GroupRole.MEMBER,
    "api.answer_quiz": GroupRole.MEMBER,
    "api.quiz_results": GroupRole.MEMBER,
    "api.team_report": GroupRole.MEMBER,
    "api.list_invites": GroupRole.HOST,
    "api.create_invite": GroupRole.HOST,
    "api.revoke_invite": GroupRole.HOST,
    "api.change_schedule": GroupRole.HOST,
    "api.create_quiz": GroupRole.HOST,
    "api.close_quiz": GroupRole.HOST,
    "api.archive_group": GroupRole.OWNER,
    "api.set_role": GroupRole.OWNER,
    "api.transfer": GroupRole.OWNER,
    "api.remove_member": GroupRole.OWNER,
}
RANK = {GroupRole.MEMBER: 1, GroupRole.HOST: 2, GroupRole.OWNER: 3}


def _group_rules(app: Any) -> list[Any]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/groups", "/api/v1/groups"))
    ]


@pytest.fixture
def world(app: Any, tmp_path: Path) -> dict[str, Any]:
    banks.sync(write_os_bank(tmp_path / "banks"), now=clock.now())
    moment = clock.now()
    owner = make_user(email="owner@example.com", name="Olga")
    member = make_user(email="member@example.com", name="Max")
    quiet = make_user(email="quiet@example.com", name="Quinn")
    other_host = make_user(email="host2@example.com", name="Hal")
    outsider = make_user(email="out@example.com", name="Nora")
    group = groups.create_group(
        owner.id, name="G", track_key="os", timezone="UTC", week_day=0, week_hour=9, now=moment
    )
    invite = invites.create_invite(owner.id, group.id, days=7, now=moment)
    for user in (member, quiet):
        invites.join(user.id, invite.code, now=moment)
    other = groups.create_group(
        owner.id, name="G2", track_key="os", timezone="UTC", week_day=0, week_hour=9, now=moment
    )
    invites.join(
        other_host.id,
        invites.create_invite(owner.id, other.id, days=7, now=moment).code,
        now=moment,
    )
    members.set_role(owner.id, other.id, other_host.id, GroupRole.HOST)
    deadline = (moment + timedelta(days=2)).replace(tzinfo=None, second=0, microsecond=0)
    quiz = quizzes.create_quiz(owner.id, group.id, deadline_local=deadline, now=moment)
    upcoming = weeks.upcoming(owner.id, group.id)[0][0]
    return {
        "group": group.id, "quiz": quiz.id, "invite": invite.id, "code": invite.code,
        "quiet": quiet.id, "article": upcoming.id, "article_key": upcoming.key,
        "actors": {
            "outsider": (outsider, None), "other host": (other_host, None),
            "member": (member, GroupRole.MEMBER),
        },
        "question": quiz.question_ids[0],
    }  # fmt: skip


def _body(endpoint: str, world: dict[str, Any]) -> dict[str, Any]:
    """A valid body for each API call, so that only the caller's role can refuse it."""
    later = (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    return {
        "api.create_group": {
            "name": "X",
            "track": "os",
            "timezone": "UTC",
            "week_day": 0,
            "week_hour": 9,
        },
        "api.join_group": {"code": world["code"]},
        "api.update_sharing": {
            "shows_progress": True,
            "shows_answers": True,
            "counts_quizzes": False,
        },
        "api.answer_quiz": {"responses": [{"question_id": world["question"], "response": 0}]},
        "api.create_invite": {"days": 7},
        "api.change_schedule": {"article": world["article_key"], "action": "skip"},
        "api.create_quiz": {"deadline": later},
        "api.set_role": {"role": "host"},
    }.get(endpoint, {})


def _form(endpoint: str) -> dict[str, str]:
    return {"groups.set_role": {"role": "host"}, "groups.create_invite": {"days": "7"}}.get(
        endpoint, {}
    )


def test_every_group_endpoint_refuses_callers_without_the_role(
    app: Any, client: Any, world: dict[str, Any]
) -> None:
    rules = _group_rules(app)
    assert {rule.endpoint for rule in rules} == set(REQUIRED), "classify every group endpoint"
    values = {
        "group_id": world["group"], "quiz_id": world["quiz"], "invite_id": world["invite"],
        "user_id": world["quiet"], "article_id": world["article"], "action": "skip",
        "code": world["code"],
    }  # fmt: skip
    tokens = {name: make_token(user) for name, (user, _) in world["actors"].items()}
    snapshot = _state(world)
    checked = 0
    for name, (user, role) in world["actors"].items():
        client.post("/auth/logout")
        log_in(client, user.email)
        for rule in rules:
            need = REQUIRED[rule.endpoint]
            if need == "signed-in" or (role is not None and RANK[role] >= RANK[need]):
                continue
            with app.test_request_context():
                url = url_for(
                    rule.endpoint, **{k: v for k, v in values.items() if k in rule.arguments}
                )
            expected = 404 if role is None else 403
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if rule.endpoint.startswith("api."):
                    response = client.open(
                        url,
                        method=method,
                        json=_body(rule.endpoint, world),
                        headers=bearer(tokens[name]),
                    )
                    # A session cookie alone never opens the API.
                    assert (
                        client.open(
                            url, method=method, json=_body(rule.endpoint, world)
                        ).status_code
                        == 401
                    )
                else:
                    response = client.open(url, method=method, data=_form(rule.endpoint))
                assert response.status_code == expected, (name, method, url, response.status_code)
                checked += 1
    assert checked > 60
    assert _state(world) == snapshot  # nothing changed


def _state(world: dict[str, Any]) -> tuple[Any, ...]:
    db.session.expire_all()
    return (
        sorted(
            db.session.execute(
                sa.select(
                    GroupMember.group_id,
                    GroupMember.user_id,
                    GroupMember.role,
                    GroupMember.shows_answers,
                )
            ).all()
        ),
        db.session.get(GroupQuiz, world["quiz"]).closed_at,  # type: ignore[union-attr]
        db.session.get(GroupInvite, world["invite"]).revoked_at,  # type: ignore[union-attr]
        groups.group_page(
            world["actors"]["member"][0].id, world["group"], clock.now()
        ).group.skipped,
        db.session.scalar(sa.select(sa.func.count()).select_from(GroupQuiz)),
    )


def test_a_member_never_sees_answers_another_keeps_private(
    app: Any, client: Any, world: dict[str, Any]
) -> None:
    member = world["actors"]["member"][0]
    quiet_id, gid, qid = world["quiet"], world["group"], world["quiz"]
    quiz = db.session.get(GroupQuiz, qid)
    assert quiz is not None
    answers = {q.id: str(q.correct) for q in quizzes.questions_of(quiz)}
    for user_id in (member.id, quiet_id):
        quizzes.answer_quiz(user_id, gid, qid, responses=answers, now=clock.now())
    members.update_sharing(
        member.id, gid, shows_progress=True, shows_answers=True, counts_quizzes=False
    )
    owner_id = db.session.scalar(
        sa.select(GroupMember.user_id).where(
            GroupMember.group_id == gid, GroupMember.role == "owner"
        )
    )
    quizzes.close_quiz(owner_id, gid, qid, clock.now())

    token = make_token(member)
    results = client.get(
        f"/api/v1/groups/{gid}/quizzes/{qid}/results", headers=bearer(token)
    ).get_json()
    assert [m["name"] for m in results["members"]] == ["Max"] and results["hidden"] == 1
    log_in(client, member.email)
    page = client.get(f"/groups/{gid}/quizzes/{qid}").data.decode()
    assert "Max:" in page and "Quinn" not in page
    csv_text = client.get(f"/groups/{gid}/quizzes/{qid}/results.csv").data.decode()
    assert "Max" in csv_text and "Quinn" not in csv_text
    group_page = client.get(f"/api/v1/groups/{gid}", headers=bearer(token)).get_json()
    quinn = next(m for m in group_page["members"] if m["name"] == "Quinn")
    assert quinn["visible"] is True  # progress is shared by default; answers are not
    members.update_sharing(
        quiet_id, gid, shows_progress=False, shows_answers=False, counts_quizzes=False
    )
    group_page = client.get(f"/api/v1/groups/{gid}", headers=bearer(token)).get_json()
    quinn = next(m for m in group_page["members"] if m["name"] == "Quinn")
    assert (quinn["visible"], quinn["read"], quinn["quizzed"], quinn["reviewed"]) == (
        False,
        None,
        None,
        None,
    )
    assert isinstance(datetime.fromisoformat(group_page["next_turn"]), datetime)
