"""Forms of the live quiz pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from app.services.live.hosting import COUNT_MAX, TIMERS
from app.services.live.playing import NICKNAME_MAX


class StartForm(FlaskForm):
    source = SelectField("Questions from", choices=[], validate_choice=False)
    count = IntegerField(
        "Questions", default=10, validators=[InputRequired(), NumberRange(1, COUNT_MAX)]
    )
    timer = SelectField(
        "Timer per question",
        choices=[SelectChoice("", "Off: I move on")]
        + [SelectChoice(str(t), f"{t} seconds") for t in TIMERS],
        default="",
    )
    guests_allowed = BooleanField("Guests may join with a nickname (no account)")


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[InputRequired(), Length(1, 20)])


class NicknameForm(FlaskForm):
    nickname = StringField("Nickname", validators=[Length(0, NICKNAME_MAX)])


class ActionForm(FlaskForm):
    action = HiddenField(validators=[InputRequired()])
    version = HiddenField(validators=[InputRequired()])


class AnswerForm(FlaskForm):
    position = HiddenField(validators=[InputRequired()])
    response = HiddenField()
