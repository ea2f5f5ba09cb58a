"""The Anki page's forms: an upload, the confirmation of a previewed import, and an export."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Regexp

TOKEN = r"^[A-Za-z0-9_-]{16,64}$"


class ImportForm(FlaskForm):
    file = FileField(
        "Anki package (.apkg) or text / CSV file",
        validators=[FileRequired("Choose a file to import.")],
    )
    history = BooleanField(
        "Bring my review history (scheduled as Rehearse's FSRS replays it)", default=True
    )
    shared = BooleanField("Into the shared banks, for every learner (administrators)")


class ApplyImportForm(FlaskForm):
    token = HiddenField(validators=[InputRequired(), Regexp(TOKEN, message="An unknown upload.")])
    history = HiddenField()
    shared = HiddenField()


EXPORT_FORMATS = [
    SelectChoice("apkg", "Anki package (.apkg)"),
    SelectChoice("apkg-history", "Anki package with my scheduling and review history"),
    SelectChoice("anki-text", "Anki text (notes in plain text, tab-separated)"),
    SelectChoice("csv", "CSV with a header row"),
    SelectChoice("markdown", "Rehearse Markdown (the track's article files)"),
]


class ExportForm(FlaskForm):
    what = SelectField("What", validators=[InputRequired()])
    format = SelectField("As", choices=EXPORT_FORMATS, default="apkg")
