"""Quiz pages: a host makes a quiz of the week's article, members answer it once, everyone reads
the results after the deadline; the team report; both as CSV."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.clock import now
from app.forms import PlainForm, show_errors
from app.groups import bp
from app.groups.forms import QuizForm
from app.services.errors import ValidationError
from app.services.groups import GroupRole, groups, members, quizzes, report, weeks
from app.services.groups.members import has_role
from app.services.study import presented_choices


@bp.route("/<int:group_id>/quizzes/new", methods=["GET", "POST"])
@login_required
def new_quiz(group_id: int) -> Response | str | tuple[str, int]:
    moment = now()
    group, _ = members.require(current_user.id, group_id, GroupRole.HOST)
    week = weeks.current_week(group, moment)
    available = quizzes.quiz_questions(week.article_id) if week else []
    form = QuizForm()
    form.questions.choices = [SelectChoice(q.id, q.prompt) for q in available]
    if request.method == "GET":
        form.questions.data = [q.id for q in available[: quizzes.QUIZ_MAX]]
        local = groups.local_time(group, weeks.next_turn(group, moment))
        form.deadline.data = local.replace(tzinfo=None, second=0, microsecond=0)
    if form.validate_on_submit():
        try:
            quiz = quizzes.create_quiz(
                current_user.id,
                group_id,
                deadline_local=form.deadline.data,
                question_ids=list(form.questions.data or []),
                now=moment,
            )
        except ValidationError as error:
            show_errors(form, error, form.questions)
        else:
            flash("Quiz ready: members can answer it until the deadline.", "ok")
            return redirect(url_for("groups.quiz", group_id=group_id, quiz_id=quiz.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "groups/quiz_new.html", group=group, week=week, available=available, form=form
    ), status


@bp.route("/<int:group_id>/quizzes/<int:quiz_id>", methods=["GET", "POST"])
@login_required
def quiz(group_id: int, quiz_id: int) -> Response | str | tuple[str, int]:
    moment = now()
    group, me = members.membership(current_user.id, group_id)
    row = quizzes.quiz_in(group_id, quiz_id)
    errors: dict[str, str] = {}
    form = PlainForm()
    if request.method == "POST" and form.validate_on_submit():
        responses = {
            int(name[1:]): value
            for name, value in request.form.items()
            if name.startswith("q") and name[1:].isdigit()
        }
        try:
            quizzes.answer_quiz(current_user.id, group_id, quiz_id, responses=responses, now=moment)
        except ValidationError as error:
            errors = error.errors
        else:
            flash("Answers saved. Results come when the quiz closes.", "ok")
            return redirect(url_for("groups.quiz", group_id=group_id, quiz_id=quiz_id))
    open_now = quizzes.is_open(row, moment)
    results = None if open_now else quizzes.quiz_results(current_user.id, group_id, quiz_id, moment)
    questions = quizzes.questions_of(row)
    return render_template(
        "groups/quiz.html",
        group=group,
        quiz=row,
        open_now=open_now,
        host=has_role(me, GroupRole.HOST),
        questions=questions,
        choices={q.id: presented_choices(current_user.id, q, row.id) for q in questions},
        mine=quizzes.my_answers(current_user.id, quiz_id),
        results=results,
        errors=errors,
        form=form,
        local=lambda moment: groups.local_time(group, moment),
    ), (422 if errors else 200)


@bp.post("/<int:group_id>/quizzes/<int:quiz_id>/close")
@login_required
def close_quiz(group_id: int, quiz_id: int) -> Response:
    if PlainForm().validate_on_submit():
        quizzes.close_quiz(current_user.id, group_id, quiz_id, now())
        flash("Quiz closed: the results are out.", "ok")
    return redirect(url_for("groups.quiz", group_id=group_id, quiz_id=quiz_id))


def _csv(text: str, name: str) -> FlaskResponse:
    return FlaskResponse(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/<int:group_id>/quizzes/<int:quiz_id>/results.csv")
@login_required
def quiz_csv(group_id: int, quiz_id: int) -> FlaskResponse:
    text = report.results_csv(current_user.id, group_id, quiz_id, now())
    return _csv(text, f"group-{group_id}-quiz-{quiz_id}.csv")


@bp.get("/<int:group_id>/report")
@login_required
def team_report(group_id: int) -> str:
    moment = now()
    group, _ = members.membership(current_user.id, group_id)
    return render_template(
        "groups/report.html",
        group=group,
        report=report.team_report(current_user.id, group_id, moment),
    )


@bp.get("/<int:group_id>/report.csv")
@login_required
def report_csv(group_id: int) -> FlaskResponse:
    return _csv(report.report_csv(current_user.id, group_id, now()), f"group-{group_id}-report.csv")
