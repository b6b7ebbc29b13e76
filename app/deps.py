"""Dependencies shared by the routers."""

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from annotated_types import MaxLen
from fastapi import Depends, Request
from pydantic import AfterValidator, StringConstraints
from sqlmodel import Session

from app.config import Settings
from app.db import as_utc
from app.errors import InvalidParameter


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with (`create_app(settings)`)."""
    settings: Settings = request.app.state.settings
    return settings


def get_base_url(request: Request) -> str:
    """The public base URL for links in responses (configurable behind a proxy)."""
    return (get_app_settings(request).base_url or str(request.base_url)).rstrip("/")


BaseUrlDep = Annotated[str, Depends(get_base_url)]


def refuse_nul_characters(request: Request) -> None:
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


def _in_utc(moment: datetime) -> datetime:
    try:
        return as_utc(moment)
    except OverflowError:
        # e.g. 0001-01-01T00:00:00+14:00, which is a moment before the year 1 in UTC
        raise ValueError("Input should be a moment between the years 1 and 9999 in UTC") from None


UTCMoment = Annotated[datetime, AfterValidator(_in_utc)]
"""A date and time parameter, in UTC; one without an offset is taken as UTC."""
