"""The card browser page: find cards, then suspend, unsuspend, bury or unbury a selection."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.clock import now
from app.services import study
from app.services.errors import Conflict, NotFound, ValidationError
from app.study.forms import CardSearchForm, CardSelectionForm
from app.study.views import bp

DONE = {
    study.CardAction.SUSPEND: "suspended",
    study.CardAction.UNSUSPEND: "back in your reviews",
    study.CardAction.BURY: "buried until tomorrow",
    study.CardAction.UNBURY: "back today",
    study.CardAction.FLAG: "flagged",
    study.CardAction.UNFLAG: "unflagged",
    study.CardAction.FORGET: "reset to new (their history is kept)",
}


def _search(form: CardSearchForm) -> study.CardSearch:
    return study.CardSearch(
        text=form.q.data or "",
        track=form.track.data or None,
        article=form.article.data or None,
        question=form.question.data,
        state=study.CardFilter(form.state.data) if form.state.data else None,
        due_by=form.due_by.data,
        min_lapses=form.min_lapses.data,
        sort=study.CardSort(form.sort.data or "due"),
    )


@bp.get("/cards")
@login_required
def cards() -> str | tuple[str, int]:
    form = CardSearchForm(request.args, meta={"csrf": False})
    form.track.choices = [SelectChoice("", "All tracks")] + [
        SelectChoice(e.track.key, e.track.title) for e in study.list_enrolments(current_user.id)
    ]
    page = None
    status = 200
    if form.validate():
        try:
            page = study.browse(
                current_user.id,
                _search(form),
                now=now(),
                after=request.args.get("after") or None,
            )
        except (NotFound, ValidationError) as error:
            flash(error.message, "error")
            status = 422 if isinstance(error, ValidationError) else 404
    else:
        status = 422
    next_args = MultiDict(request.args)
    if page is not None and page.after:
        next_args["after"] = page.after
    return render_template(
        "study/cards.html",
        form=form,
        page=page,
        selection=CardSelectionForm(),
        next_url=url_for("study.cards", **next_args) if page and page.after else None,
        back_to=request.full_path,
    ), status


@bp.post("/cards")
@login_required
def change_cards() -> Response:
    form = CardSelectionForm()
    back = form.back_to.data if (form.back_to.data or "").startswith("/study/cards") else None
    back = back or url_for("study.cards")
    if not form.validate():
        flash("Choose at least one card and an action.", "error")
        return redirect(back)
    ids = [int(value) for value in request.form.getlist("question_ids") if value.isdigit()]
    if not ids:
        flash("Tick the cards to change first.", "error")
        return redirect(back)
    action = study.CardAction(form.action.data)
    try:
        changed = study.change_cards(current_user.id, ids, action, now=now())
    except (NotFound, Conflict) as error:
        flash(f"Nothing was changed: {error.message}", "error")
        return redirect(back)
    flash(f"{len(changed)} card{'s' if len(changed) != 1 else ''} {DONE[action]}.", "ok")
    return redirect(back)
