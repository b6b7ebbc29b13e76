"""Dependencies shared by the routers.

All are `async def` and do no I/O: FastAPI runs a plain `def` in a worker thread, a
hop that costs more than their work. The database is reached through app.reading,
one hop per request.
"""

import re
from datetime import datetime
from typing import Annotated

from annotated_types import MaxLen
from fastapi import Depends, Request
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from app.config import Settings
from app.db import as_utc
from app.errors import InvalidParameter


def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with (`create_app(settings)`)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_base_url(request: Request) -> str:
    """The public base URL for links in responses (configurable behind a proxy)."""
    return (get_app_settings(request).base_url or str(request.base_url)).rstrip("/")


BaseUrlDep = Annotated[str, Depends(get_base_url)]


async def refuse_nul_characters(request: Request) -> None:
    """A 422 for any parameter holding a NUL character.

    No name, slug, code or word contains one, and PostgreSQL refuses it in a
    text parameter: without this check the database error would surface as a
    500 instead of the client's mistake.
    """
    for name, value in request.query_params.multi_items():
        if "\x00" in value:
            raise InvalidParameter(name, "contains a NUL character")
    for name, value in request.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise InvalidParameter(name, "contains a NUL character", location="path")


MAX_REPEATS = 50
"""How often one filter may be repeated in a request."""

FilterValue = Annotated[str, StringConstraints(min_length=1, max_length=120)]
"""One value of a filter: a slug, a region code or a topic."""

FilterValues = Annotated[list[FilterValue], MaxLen(MAX_REPEATS)]
"""A repeatable filter: each value checked on its own, and at most `MAX_REPEATS` of them."""

REPEATABLE = f"Repeat it for any of several values, at most {MAX_REPEATS} times."


_DIGITS = re.compile(r"0|[1-9][0-9]*")


def _digits_only(value: object) -> object:
    # Python's int() also reads "+1", "01", " 1" and "1_0": each would be another URL
    # for the same record or page, so only the plain decimal form is a number here.
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise PydanticCustomError(
            "plain_digits", "Input should be a whole number in plain decimal digits"
        )
    return value


PLAIN_DIGITS = BeforeValidator(_digits_only)
"""For whole-number parameters: digits without sign, leading zeros or separators."""

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _not_a_number(value: object) -> object:
    # Pydantic would take a number for seconds since 1970: no one means that by a date.
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise PydanticCustomError(
            "iso_datetime", "Input should be an ISO 8601 date or date and time, not a number"
        )
    return value


def as_utc_moment(moment: datetime) -> datetime:
    """`moment` in UTC, or a validation error if that falls outside the years 1 to 9999."""
    try:
        return as_utc(moment)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+14:00, which is a moment before the year 1 in UTC
        raise PydanticCustomError(
            "utc_range", "Input should be a moment between the years 1 and 9999 in UTC"
        ) from None


UTCMoment = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(as_utc_moment)]
"""An ISO 8601 date or date and time parameter, in UTC; one without an offset is taken as UTC."""
