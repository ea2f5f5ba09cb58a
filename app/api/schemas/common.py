"""Shapes every part of the API shares: the base models, ids, text, timestamps and the error."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictStr

ID_MAX = 2**31 - 1
"""The largest id an integer column holds on PostgreSQL; a larger one names nothing."""


class Request(BaseModel):
    """A request body or query: a field the API does not know is an error.

    Its fields take JSON's types as JSON Schema reads them: a whole number may be written 6 or 6.0,
    and no string or boolean stands in for a number (use :data:`Whole`, :data:`Number`,
    ``StrictBool`` and :data:`Text`).
    """

    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    """A response body: exactly the fields declared (the document says so too)."""

    model_config = ConfigDict(extra="forbid")


def _without_nul(value: str) -> str:
    if "\0" in value:  # PostgreSQL cannot store it, and no key or answer contains it
        raise ValueError("Remove the NUL character.")
    return value


Text = Annotated[
    StrictStr,
    AfterValidator(_without_nul),
    Field(json_schema_extra={"pattern": "^[^\\u0000]*$"}),
]
"""A string from a client: anything but NUL."""


def _whole_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Use a whole number.")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("Use a whole number.")
        return int(value)
    return value


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Use a number.")
    return value


def _iso_date(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Use a date as YYYY-MM-DD.")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Whole = Annotated[int, BeforeValidator(_whole_number)]
"""A whole number from a client: 6 or 6.0, never "6" or true."""
Number = Annotated[float, BeforeValidator(_number)]
"""A number from a client, never "0.9" or true."""
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar date written YYYY-MM-DD (never a number of seconds)."""
Id = Annotated[Whole, Field(ge=0, le=ID_MAX)]
Count = Annotated[int, Field(ge=0)]
Probability = Annotated[float, Field(ge=0, le=1)]


class ErrorDetail(Reply):
    code: str = Field(description="Stable and machine-readable, e.g. `not_found`, `invalid`.")
    message: str = Field(description="For people: what is wrong and what to do.")
    details: dict[str, Any] = Field(
        description="For `invalid`: `fields`, what is wrong by field name (`body` when the body "
        "itself is not a JSON object). Always `request_id`, the id the server logged the "
        "request under (also the `X-Request-ID` header)."
    )


class Error(Reply):
    """The one shape of every error of the API."""

    error: ErrorDetail
