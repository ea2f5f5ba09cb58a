"""Forms of the reading group pages: plain forms, so the pages work without JavaScript."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.services.groups.groups import NAME_MAX, WEEKDAYS
from app.services.groups.invites import INVITE_DAYS


class GroupForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(1, NAME_MAX)])
    track = SelectField("Track", choices=[], validate_choice=False)
    week_day = SelectField(
        "The week turns on",
        choices=[SelectChoice(str(i), day) for i, day in enumerate(WEEKDAYS)],
        default="0",
    )
    week_time = TimeField("at", default=None, validators=[InputRequired()])
    timezone = StringField(
        "Time zone",
        validators=[InputRequired()],
        description="The group's time zone, such as Europe/Berlin: the week turns and quizzes "
        "close at its local time.",
    )


class SharingForm(FlaskForm):
    shows_progress = BooleanField("Others see what I have done with the week's article")
    shows_answers = BooleanField("Others see my quiz answers and score")
    counts_quizzes = BooleanField(
        "Quiz answers count in my own schedule",
        description="The first answer of the day on a card that is due or being relearned "
        "counts as its review; nothing else changes your schedule.",
    )


class InviteForm(FlaskForm):
    days = RadioField(
        "Valid for",
        choices=[SelectChoice(str(d), f"{d} day{'s' if d != 1 else ''}") for d in INVITE_DAYS],
        default="7",
    )


class JoinForm(FlaskForm):
    code = StringField("Invite code", validators=[InputRequired(), Length(1, 200)])


class RoleForm(FlaskForm):
    role = SelectField(
        "Role", choices=[SelectChoice("member", "Member"), SelectChoice("host", "Host")]
    )


class QuizForm(FlaskForm):
    questions = SelectMultipleField(
        "Questions", choices=[], coerce=int, validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )  # fmt: skip
    deadline = DateTimeLocalField("Deadline", validators=[InputRequired()])
