"""The interview prep overview and today's suggested drill."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.clock import now
from app.forms import PlainForm
from app.interview import bp
from app.interview.forms import MockForm, RapidForm
from app.interview.rapid_views import scope_choices
from app.services.interview import drills, mocks, prep
from app.services.interview.prep import SUGGESTED_COUNT


@bp.get("/")
@login_required
def index() -> str:
    moment = now()
    overview = prep.overview(current_user.id, moment)
    rapid_form = RapidForm()
    rapid_form.scope.choices = scope_choices(current_user.id)
    return render_template(
        "interview/index.html",
        overview=overview,
        plain_form=PlainForm(),
        rapid_form=rapid_form,
        mock_form=MockForm(),
        prompts=mocks.prompts(current_user.id)[:3],
        mock_score=mocks.mock_score,
    )


@bp.post("/drills/suggested")
@login_required
def suggested_drill() -> Response:
    form = PlainForm()
    if not form.validate_on_submit():
        return redirect(url_for("interview.index"))
    moment = now()
    suggestion = prep.overview(current_user.id, moment).suggestion
    drill = drills.start_drill(
        current_user.id,
        suggestion.scope,
        now=moment,
        order=suggestion.order,
        count=SUGGESTED_COUNT,
    )
    return redirect(url_for("interview.drill", drill_id=drill.id))
