"""Forms of the study pages: plain forms, so the pages work without JavaScript."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.services.study import CardAction, CardFilter, CardSort
from app.services.study.card_browser import LAPSES_MAX, TEXT_MAX


class CheckForm(FlaskForm):
    """A choice or cloze response, graded before the learner rates it."""

    question_id = IntegerField(validators=[InputRequired()])
    version = IntegerField(validators=[InputRequired()])
    response = StringField(validators=[Optional()])
    shown_at = IntegerField(validators=[Optional()])
    track = HiddenField()


class AnswerForm(FlaskForm):
    review_id = HiddenField(validators=[InputRequired()])
    question_id = IntegerField(validators=[InputRequired()])
    version = IntegerField(validators=[InputRequired()])
    rating = IntegerField(validators=[InputRequired()])
    response = HiddenField()
    shown_at = IntegerField(validators=[Optional()])
    track = HiddenField()
    overrule = HiddenField()  # "1": the learner says a typed answer judged wrong was right


class CardActionForm(FlaskForm):
    question_id = IntegerField(validators=[InputRequired()])
    track = HiddenField()


class CardSearchForm(FlaskForm):
    """The card browser's search: a GET form, so a search is a link one can keep."""

    q = StringField("Search", validators=[Optional(), Length(max=TEXT_MAX)])
    article = HiddenField(validators=[Optional(), Length(max=TEXT_MAX)])  # from links
    question = IntegerField(validators=[Optional(), NumberRange(min=0, max=2**31 - 1)])
    track = SelectField("Track", choices=[SelectChoice("", "All tracks")], default="")
    state = SelectField(
        "Showing",
        choices=[SelectChoice("", "Every card")]
        + [SelectChoice(f.value, f.value.capitalize()) for f in CardFilter],
        default="",
    )
    due_by = DateField("Due by", validators=[Optional()])
    min_lapses = IntegerField(
        "Lapses at least", validators=[Optional(), NumberRange(min=0, max=LAPSES_MAX)]
    )
    sort = SelectField(
        "Sort",
        choices=[
            SelectChoice(CardSort.DUE.value, "Due soonest"),
            SelectChoice(CardSort.LAPSES.value, "Most lapses"),
            SelectChoice(CardSort.ARTICLE.value, "Article order"),
        ],
        default=CardSort.DUE.value,
    )


class CardSelectionForm(FlaskForm):
    """An action on the cards ticked in the browser (the ticks are ``question_ids``)."""

    action = SelectField(choices=[SelectChoice(a.value, a.value) for a in CardAction])
    back_to = HiddenField()


class MoreNewForm(FlaskForm):
    """Custom study: more new cards today in one track than its daily limit."""

    count = IntegerField(
        "More new cards", default=10, validators=[InputRequired(), NumberRange(min=1, max=9999)]
    )
    enrolment = SelectField("in", choices=[])
    track = HiddenField()


class ReportForm(FlaskForm):
    text = TextAreaField(
        "What is wrong with this question?",
        validators=[InputRequired(), Length(min=5, max=2000)],
        description="A wrong fact, two right choices, a confusing wording… Say what and why.",
    )
    track = HiddenField()


class PresetForm(FlaskForm):
    desired_retention = FloatField(
        "Desired retention",
        validators=[InputRequired()],
        description="The chance of recalling a card when it comes due, from 0.70 to 0.97. "
        "Higher means more reviews.",
    )
    new_per_day = IntegerField("New cards per day", validators=[InputRequired()])
    max_reviews_per_day = IntegerField("Maximum reviews per day", validators=[InputRequired()])
    learning_steps = StringField(
        "Learning steps", description="Short intervals for new cards, such as “1m 10m”."
    )
    relearning_steps = StringField(
        "Relearning steps", description="Short intervals after a lapse, such as “10m”."
    )
    maximum_interval = IntegerField("Maximum interval (days)", validators=[InputRequired()])
    leech_threshold = IntegerField(
        "Leech threshold (lapses)", validators=[InputRequired()], description="0 turns it off."
    )
    leech_suspend = BooleanField("Suspend leeches")
