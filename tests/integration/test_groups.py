"""Reading groups on the real database: roles and invites, the weekly assignment across time zones
and daylight-saving changes, quizzes with a deadline, the team report's figures on a hand-built
history, and quiz answers that count in a member's own schedule only when they opt in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.domain.scheduling import Rating
from app.extensions import db
from app.models import Card, GroupQuizAnswer, GroupWeek, OutboxMessage, Question, ReviewLog
from app.services import banks, reminders, study
from app.services.errors import Conflict, Forbidden, NotFound, ValidationError
from app.services.groups import GroupRole, groups, invites, members, quizzes, report, weeks
from tests.factories import make_user, write_os_bank

# Monday 2 March 2026, 12:00 UTC: Berlin is on CET (UTC+1) until 29 March, CEST (UTC+2) after.
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
_ids = itertools.count(1)


@pytest.fixture
def team(app: Any, tmp_path: Path) -> dict[str, int]:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    owner = make_user(email="owner@example.com", name="Olga")
    ann = make_user(email="ann@example.com", name="Ann")
    bob = make_user(email="bob@example.com", name="Bob")
    group = groups.create_group(
        owner.id, name="Backend book club", track_key="os", timezone="Europe/Berlin",
        week_day=0, week_hour=9, now=NOW,
    )  # fmt: skip
    invite = invites.create_invite(owner.id, group.id, days=7, now=NOW)
    for user in (ann, bob):
        invites.join(user.id, invite.code, now=NOW)
    return {"group": group.id, "owner": owner.id, "ann": ann.id, "bob": bob.id}


def _article_keys(group_id: int) -> list[str]:
    return [
        w.article.key
        for w in db.session.scalars(
            sa.select(GroupWeek).where(GroupWeek.group_id == group_id).order_by(GroupWeek.starts_on)
        )
    ]


def test_roles_invites_and_leaving(team: dict[str, int]) -> None:
    gid, owner, ann, bob = team["group"], team["owner"], team["ann"], team["bob"]
    roles = {m.user_id: m.role for m in db.session.scalars(sa.select(members.GroupMember))}
    assert roles == {owner: "owner", ann: "member", bob: "member"}
    with pytest.raises(Forbidden):
        invites.create_invite(ann, gid, days=7, now=NOW)
    members.set_role(owner, gid, ann, GroupRole.HOST)
    code = invites.create_invite(ann, gid, days=1, now=NOW).code  # a host may invite
    carol = make_user(email="carol@example.com").id
    with pytest.raises(Conflict, match="expired"):
        invites.join(carol, code, now=NOW + 2 * DAY)
    invite = invites.invites(ann, gid, NOW)[0]
    invites.revoke_invite(ann, gid, invite.id, NOW)
    with pytest.raises(Conflict, match="revoked"):
        invites.join(carol, invite.code, now=NOW)
    with pytest.raises(NotFound):
        invites.join(carol, "not-a-code", now=NOW)
    with pytest.raises(NotFound):  # outsiders are told the group does not exist
        groups.group_page(carol, gid, NOW)
    with pytest.raises(Forbidden):
        members.remove(ann, gid, bob)  # hosts do not remove members; the owner does
    with pytest.raises(Conflict):
        members.leave(owner, gid)  # the owner hands the group over first
    members.transfer(owner, gid, ann)
    assert groups.group_page(owner, gid, NOW).me.role == "host"
    members.leave(owner, gid)
    members.remove(ann, gid, bob)
    assert [m.user_id for m in groups.group_page(ann, gid, NOW).group.members] == [ann]
    members.archive(ann, gid, NOW)
    with pytest.raises(Conflict, match="archived"):
        invites.create_invite(ann, gid, days=7, now=NOW)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # Berlin moves to summer time on Sunday 29 March 2026: Monday 9:00 is 8:00 UTC before,
        # 7:00 UTC after.
        (
            "Europe/Berlin",
            datetime(2026, 3, 23, 7, 59, tzinfo=UTC),
            datetime(2026, 3, 23, 8, 0, tzinfo=UTC),
        ),
        (
            "Europe/Berlin",
            datetime(2026, 3, 30, 6, 59, tzinfo=UTC),
            datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        ),
        # New York moves on Sunday 8 March 2026: Monday 9:00 is 13:00 UTC from then on.
        (
            "America/New_York",
            datetime(2026, 3, 9, 12, 59, tzinfo=UTC),
            datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
        ),
        # Auckland leaves summer time on Sunday 5 April 2026: Monday 9:00 is 21:00 UTC on Sunday.
        (
            "Pacific/Auckland",
            datetime(2026, 4, 5, 20, 59, tzinfo=UTC),
            datetime(2026, 4, 5, 21, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_week_turns_at_the_groups_local_time_once(
    app: Any, tmp_path: Path, zone: str, before: datetime, after: datetime
) -> None:
    banks.sync(write_os_bank(tmp_path / "banks"), now=NOW)
    owner = make_user()
    reminders.update_reminders(owner.id, channel="email", hour=9)
    created = before - 6 * DAY  # in the week before the turn
    group = groups.create_group(
        owner.id, name="G", track_key="os", timezone=zone, week_day=0, week_hour=9, now=created
    )
    assert _article_keys(group.id) == ["process-vs-thread"]  # the first week starts at creation
    assert weeks.assign_due(now=before).assigned == 0
    run = weeks.assign_due(now=after, base_url="https://rehearse.example")
    assert (run.assigned, run.told) == (1, 1)
    assert _article_keys(group.id) == ["process-vs-thread", "memory-management"]
    week = weeks.current_week(group, after)
    assert week is not None and week.starts_at == after
    assert weeks.assign_due(now=after).assigned == 0  # a rerun assigns nothing
    assert weeks.assign_due(now=after + 3 * DAY).already == 1  # nor a late one
    notice = db.session.scalars(sa.select(OutboxMessage)).one()
    assert notice.subject == "G: this week's article is Memory Management"
    assert "https://rehearse.example/articles/memory-management" in notice.body_text
    # The track has two articles: the third week finds none left and assigns nothing.
    assert weeks.assign_due(now=after + 7 * DAY).finished == 1


def test_hosts_reorder_and_skip_what_is_to_come(team: dict[str, int]) -> None:
    gid, owner, ann = team["group"], team["owner"], team["ann"]
    mm = db.session.scalar(
        sa.select(Question.article_id)
        .join(Question.article)
        .where(Question.article.has(key="memory-management"))
    )
    assert mm is not None
    with pytest.raises(Forbidden):
        weeks.move(ann, gid, mm, "skip")
    with pytest.raises(ValidationError):  # this week's article is assigned already
        weeks.move(owner, gid, db.session.scalar(sa.select(GroupWeek.article_id)), "down")
    assert weeks.move(owner, gid, mm, "skip") == []
    assert weeks.assign_due(now=NOW + 7 * DAY).finished == 1
    weeks.move(owner, gid, mm, "unskip")
    assert weeks.assign_due(now=NOW + 7 * DAY).assigned == 1


def _quiz(team: dict[str, int], now: datetime = NOW) -> Any:
    return quizzes.create_quiz(
        team["owner"], team["group"], deadline_local=datetime(2026, 3, 5, 18, 0), now=now
    )


def _answers(quiz: Any, right: set[int]) -> dict[int, str]:
    out = {}
    for q in quizzes.questions_of(quiz):
        assert q.correct is not None
        out[q.id] = str(q.correct if q.id in right else (q.correct + 1) % len(q.choices))
    return out


def test_a_quiz_takes_one_answer_each_before_its_deadline(team: dict[str, int]) -> None:
    gid, owner, ann, bob = team["group"], team["owner"], team["ann"], team["bob"]
    with pytest.raises(Forbidden):
        quizzes.create_quiz(ann, gid, deadline_local=datetime(2026, 3, 5, 18), now=NOW)
    with pytest.raises(ValidationError) as refused:
        quizzes.create_quiz(owner, gid, deadline_local=datetime(2026, 3, 2, 12, 30), now=NOW)
    assert "deadline" in refused.value.errors  # 12:30 in Berlin is 11:30 UTC: already past
    quiz = _quiz(team)
    assert quiz.deadline == datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # 18:00 CET
    first = quizzes.questions_of(quiz)[0].id
    with pytest.raises(ValidationError):
        quizzes.answer_quiz(ann, gid, quiz.id, responses={first: "0"}, now=NOW)  # not all answered
    quizzes.answer_quiz(ann, gid, quiz.id, responses=_answers(quiz, {first}), now=NOW)
    with pytest.raises(Conflict, match="already"):
        quizzes.answer_quiz(ann, gid, quiz.id, responses=_answers(quiz, set()), now=NOW)
    with pytest.raises(Conflict, match="Results come"):
        quizzes.quiz_results(ann, gid, quiz.id, NOW)
    late = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    with pytest.raises(Conflict, match="closed"):
        quizzes.answer_quiz(bob, gid, quiz.id, responses=_answers(quiz, set()), now=late)
    results = quizzes.quiz_results(bob, gid, quiz.id, late)
    # Ann keeps her answers to herself (the default): Bob sees a count, Ann sees her own line.
    assert results.members == () and results.hidden == 1
    mine = quizzes.quiz_results(ann, gid, quiz.id, late).members
    assert [(m.name, m.right, m.answered) for m in mine] == [("Ann", 1, len(quiz.question_ids))]
    assert results.questions[0].right == 1 and results.questions[0].answered == 1
    members.update_sharing(ann, gid, shows_progress=True, shows_answers=True, counts_quizzes=False)
    assert [m.name for m in quizzes.quiz_results(bob, gid, quiz.id, late).members] == ["Ann"]


def test_the_report_ranks_what_the_team_gets_wrong(team: dict[str, int]) -> None:
    """Two quizzes, three members. Quiz 1 (questions A, B, C): A wrong for 2 of 3, B wrong for
    1 of 3, C right for all. Quiz 2 (A, B): A wrong for 1 of 2, B right for both.
    Expected: A wrong 3 of 5 (0.6) in 2 quizzes; B wrong 1 of 5 (0.2) in 1; C not listed.
    The latest quiz missed only A (1 of 2)."""
    gid, owner, ann, bob = team["group"], team["owner"], team["ann"], team["bob"]
    # Three questions on three different trade-offs (table rows) of this week's article.
    page = groups.group_page(owner, gid, NOW)
    assert page.week is not None
    candidates = quizzes.quiz_questions(page.week.article_id)
    labels = quizzes.tradeoff_labels([page.week.article], candidates)
    picks: dict[str, int] = {}
    for q in candidates:
        picks.setdefault(labels[q.id], q.id)
    assert len(picks) >= 3
    a, b, c = list(picks.values())[:3]
    one = quizzes.create_quiz(
        owner, gid, deadline_local=datetime(2026, 3, 3, 18), now=NOW, question_ids=[a, b, c]
    )
    quiz_one = {owner: {b, c}, ann: {c}, bob: {a, b, c}}  # right answers: A 1/3, B 2/3, C 3/3
    for user, right in quiz_one.items():
        quizzes.answer_quiz(user, gid, one.id, responses=_answers(one, right), now=NOW)
    quizzes.close_quiz(owner, gid, one.id, NOW + DAY)
    two = quizzes.create_quiz(
        owner, gid, deadline_local=datetime(2026, 3, 6, 18), now=NOW + DAY, question_ids=[a, b]
    )
    for user, right in {ann: {a, b}, bob: {b}}.items():
        quizzes.answer_quiz(user, gid, two.id, responses=_answers(two, right), now=NOW + DAY)
    later = NOW + 5 * DAY
    agenda = report.team_report(ann, gid, later)
    assert (agenda.quizzes, agenda.answers) == (2, 13)
    assert [(q.question.id, q.wrong, q.answered, q.quizzes_missed) for q in agenda.questions] == [
        (a, 3, 5, 2),
        (b, 1, 5, 1),
    ]
    assert agenda.questions[0].wrong_share == pytest.approx(0.6)
    assert [(q.question.id, q.wrong, q.answered) for q in agenda.this_week] == [(a, 1, 2)]
    assert agenda.latest is not None and agenda.latest.id == two.id
    assert [t.quizzes_missed for t in agenda.keeps_missing] == [2]
    assert [(t.wrong, t.answered, t.quizzes_missed) for t in agenda.tradeoffs] == [
        (3, 5, 2),
        (1, 5, 1),
    ]
    assert agenda.tradeoffs[0].tradeoff == labels[a]
    csv_text = report.report_csv(ann, gid, later)
    assert csv_text.splitlines()[0].startswith("kind,trade-off,question")
    assert "0.600" in csv_text


def test_quiz_answers_count_in_the_schedule_only_for_members_who_opt_in(
    team: dict[str, int],
) -> None:
    gid, ann, bob = team["group"], team["ann"], team["bob"]
    quiz = _quiz(team)
    questions = quizzes.questions_of(quiz)
    for user in (ann, bob):  # both have every quiz question as a due review card
        study.enrol(user, "os", now=NOW - 30 * DAY)
        for q in questions:
            seed, then = f"seed{next(_ids)}", NOW - 30 * DAY
            study.answer(user, review_id=seed, question_id=q.id, version=0,
                         now=then, rating=Rating.EASY, response=str(q.correct))  # fmt: skip
    members.update_sharing(ann, gid, shows_progress=True, shows_answers=False, counts_quizzes=True)
    logs_before = db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog))
    quizzes.answer_quiz(ann, gid, quiz.id, responses=_answers(quiz, set()), now=NOW)
    quizzes.answer_quiz(bob, gid, quiz.id, responses=_answers(quiz, set()), now=NOW)
    counted = db.session.execute(sa.select(GroupQuizAnswer.user_id, GroupQuizAnswer.counted)).all()
    assert {(u, c) for u, c in counted} == {(ann, True), (bob, False)}
    logs = db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog))
    assert logs == logs_before + len(questions)  # Ann's, one each; none of Bob's
    lapsed = db.session.scalars(sa.select(Card).where(Card.user_id == ann)).all()
    assert all(card.lapses == 1 for card in lapsed)  # every answer was wrong: Again
    assert all(
        card.lapses == 0 for card in db.session.scalars(sa.select(Card).where(Card.user_id == bob))
    )


def test_the_weeks_article_is_offered_as_new_cards(team: dict[str, int]) -> None:
    ann = team["ann"]
    study.enrol(ann, "os", now=NOW)
    session = study.parse_session("article-process-vs-thread")
    assert session is not None
    total = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Question)
        .where(Question.article.has(key="process-vs-thread"))
    )
    assert study.session_size(ann, session, now=NOW) == total
    item = study.session_item(ann, session, now=NOW)
    assert item is not None and item.card is None and item.track_key == "os"
    bob = team["bob"]  # not enrolled in the track: nothing is offered
    assert study.session_item(bob, session, now=NOW) is None
