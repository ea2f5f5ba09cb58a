"""The catalogue's search: a GET form, so a search is a link one can keep and share."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from app.services.catalog import ArticleSearch, Facets

SEARCH_MAX = 200


def series_title(series: str) -> str:
    """A series key as a heading: ``system-design-guide`` → ``System Design Guide``."""
    return series.replace("-", " ").title()


class CatalogueSearchForm(FlaskForm):
    q = StringField("Search", validators=[Optional(), Length(max=SEARCH_MAX)])
    difficulty = SelectField("Difficulty", default="")
    topic = SelectField("Topic", default="")
    series = SelectField("Series", default="")
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=10_000)])

    def offer(self, facets: Facets) -> None:
        """Offer the values the articles have, each with its count."""
        self.difficulty.choices = [SelectChoice("", "Any difficulty")] + [
            SelectChoice(level, f"{level.capitalize()} ({n})") for level, n in facets.difficulties
        ]
        self.topic.choices = [SelectChoice("", "Any topic")] + [
            SelectChoice(tag, f"{tag} ({n})") for tag, n in facets.topics
        ]
        self.series.choices = [SelectChoice("", "Every series")] + [
            SelectChoice(s, f"{series_title(s)} ({n})") for s, n in facets.series
        ]

    def search(self) -> ArticleSearch:
        return ArticleSearch(
            text=(self.q.data or "").strip(),
            difficulty=self.difficulty.data or "",
            topic=self.topic.data or "",
            series=self.series.data or "",
        )
