"""Account settings forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange

from app.services.accounts import MIN_PASSWORD_LENGTH


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[InputRequired(), Length(max=80)])
    timezone = StringField(
        "Time zone",
        validators=[InputRequired(), Length(max=64)],
        description="An IANA time zone, such as Europe/Berlin or America/New_York.",
    )
    day_start_hour = SelectField(
        "New day starts at",
        coerce=int,
        choices=[SelectChoice(value=str(h), label=f"{h:02d}:00") for h in range(24)],
        description="Reviews after midnight but before this hour still count for the day before.",
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField(
        "New password",
        validators=[
            InputRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[
            InputRequired(),
            EqualTo("new_password", message="The passwords do not match."),
        ],
    )


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[InputRequired(), Length(max=80)])


class RevokeTokenForm(FlaskForm):
    token_id = IntegerField(validators=[InputRequired(), NumberRange(min=1)])


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired()])


class ReminderForm(FlaskForm):
    channel = SelectField(
        "Daily reminder",
        choices=[
            SelectChoice(value="email", label="Email"),
            SelectChoice(value="off", label="Off"),
        ],
    )
    hour = SelectField(
        "At",
        coerce=int,
        choices=[SelectChoice(value=str(h), label=f"{h:02d}:00") for h in range(24)],
        description="Your local time. The digest lists what is due today in each track.",
    )
