"""Forms of the interview prep pages: plain forms, so the pages work without JavaScript."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.services.interview import DrillOrder
from app.services.interview.drills import COUNT_MAX, MINUTES_MAX
from app.services.interview.mocks import MINUTES
from app.services.interview.rapid_fire import ROUND_SECONDS
from app.services.interview.scopes import WEAKEST_MAX


class DrillForm(FlaskForm):
    tracks = SelectMultipleField(
        "Tracks", choices=[], validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )  # fmt: skip
    articles = SelectMultipleField(
        "Articles", choices=[], validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )  # fmt: skip
    tags = StringField("Tags", validators=[Optional()], description="Separate tags by commas.")
    tradeoffs_only = BooleanField("Only key trade-offs and trade-off tables")
    weakest = IntegerField(
        "My weakest", validators=[Optional(), NumberRange(1, WEAKEST_MAX)],
        description="Lowest predicted recall and most lapses first; leave empty for all.",
    )  # fmt: skip
    missed_today = BooleanField("Only what I missed today")
    order = SelectField(
        "Order",
        choices=[
            SelectChoice(DrillOrder.WEAKEST.value, "Weakest first"),
            SelectChoice(DrillOrder.RANDOM.value, "Random"),
            SelectChoice(DrillOrder.TRACK.value, "Track order"),
        ],
        default=DrillOrder.WEAKEST.value,
    )
    count = IntegerField(
        "Questions", default=20, validators=[InputRequired(), NumberRange(1, COUNT_MAX)]
    )
    minutes = IntegerField(
        "Time limit (minutes)", validators=[Optional(), NumberRange(1, MINUTES_MAX)],
        description="Leave empty for no limit.",
    )  # fmt: skip
    counts = BooleanField(
        "Count toward my schedule",
        description="Off: the drill leaves your reviews alone. On: the first answer today on a "
        "card that is due or being relearned counts as its review.",
    )


class DrillAnswerForm(FlaskForm):
    position = IntegerField(validators=[InputRequired()])
    response = StringField(validators=[Optional()])
    rating = IntegerField(validators=[Optional()])
    shown_at = IntegerField(validators=[Optional()])


class RapidForm(FlaskForm):
    scope = SelectField("Questions from", choices=[], validate_choice=False)
    seconds = RadioField(
        "Length",
        choices=[SelectChoice(str(s), f"{s} seconds") for s in ROUND_SECONDS],
        default=str(ROUND_SECONDS[0]),
    )


class RapidAnswerForm(FlaskForm):
    position = IntegerField(validators=[InputRequired()])
    response = StringField(validators=[InputRequired()])


class MockForm(FlaskForm):
    article = StringField(validators=[InputRequired()])
    minutes = RadioField(
        "Time to speak",
        choices=[SelectChoice(str(m), f"{m} minutes") for m in MINUTES],
        default="4",
    )


class MockScoreForm(FlaskForm):
    covered = SelectMultipleField(choices=[], validate_choice=False, coerce=int)
